/*
 * A program of another architecture elfload is built for, run by name, as
 * binfmt_misc with qemu-user would: elfload puts the emulator and that
 * architecture's elfload in its own place, with execve, and passes on
 * its command line as it was given:
 *
 *   elfload [OPTIONS] PROGRAM ARGS...
 *     -> qemu-ARCH [-L SYSROOT] LOADER-ARCH [OPTIONS] PROGRAM ARGS...
 *
 *   emulator  ELFLOAD_QEMU, else qemu-ARCH or qemu-ARCH-static on PATH
 *   loader    where `make install ARCH=all` puts it beside this one,
 *             BIN/../lib/elfload/ARCH/elfload or BIN/elfload-ARCH, or in
 *             a build tree, build/ARCH/elfload beside build/HOST/elfload
 *   sysroot   QEMU_LD_PREFIX when set (qemu reads it itself), else
 *             /usr/TRIPLET when it holds the program's PT_INTERP
 *
 * Everything after that is the other elfload's: --map, -v, refusals and
 * exit statuses. A program read from a pipe is put back on a pipe at the
 * same descriptor, so that the other elfload reads it as we did.
 */
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/stat.h>
#include "stage1.h"

struct arch_info {
	const char *name, *triplet;
	unsigned machine;
	unsigned char data;
};

static const struct arch_info arches[] = {
#include "arch_table.h"
};

#define MAX_FDS 1024   /* where a pipe is looked for, and what a feeder closes */

/* The architecture of a 64-bit ELF header not of ours, or 0. */
static const struct arch_info *foreign_arch(const unsigned char *e, long n)
{
	unsigned machine;

	if (n < EI_NIDENT + 4 || memcmp(e, ELFMAG, SELFMAG) || e[EI_CLASS] != ELFCLASS64)
		return 0;
	machine = e[EI_DATA] == ELFDATA2MSB ? (unsigned)e[18] << 8 | e[19] :
					      (unsigned)e[19] << 8 | e[18];
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].machine == machine && arches[i].data == e[EI_DATA])
			return strcmp(arches[i].name, ARCH_NAME) ? &arches[i] : 0;
	return 0;
}

/* n bytes at off in the file's own byte order */
static uint64_t field(const unsigned char *b, int msb, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[msb ? n - 1 - i : i] << (8 * i);
	return v;
}

/* The PT_INTERP the header e names, or 0. */
static const char *foreign_interp(const struct image *im, const unsigned char *e)
{
	int msb = e[EI_DATA] == ELFDATA2MSB;
	uint64_t phoff = field(e + 32, msb, 8), phnum = field(e + 56, msb, 2);
	unsigned char ph[56];
	char *path;

	for (uint64_t i = 0; i < phnum && phnum != PN_XNUM; i++) {
		uint64_t off, len;

		if (pread_full(im->fd, ph, sizeof(ph), phoff + i * sizeof(ph)) != sizeof(ph))
			return 0;
		if (field(ph, msb, 4) != PT_INTERP)
			continue;
		off = field(ph + 8, msb, 8);
		len = field(ph + 32, msb, 8);
		if (!len || len > 4096)
			return 0;
		path = xalloc(len + 1);
		if (pread_full(im->fd, path, len, off) != (long)len || path[len - 1])
			return 0;
		return path;
	}
	return 0;
}

/* An executable regular file at path? */
static int is_executable_file(const char *path)
{
	struct statx st;

	return sys_statx(AT_FDCWD, path, 0, STATX_TYPE | STATX_MODE, &st) == 0 &&
	       S_ISREG(st.stx_mode) && (st.stx_mode & 0111);
}

static const char *find_on_path(const char *name, char **envp)
{
	const char *path = search_path(envp), *cand;

	for (const char *p = name; *p; p++)
		if (*p == '/')
			return is_executable_file(name) ? name : 0;
	while ((cand = next_in_path(&path, name)))
		if (is_executable_file(cand))
			return cand;
	return 0;
}

static const char *find_emulator(const struct arch_info *a, char **envp)
{
	const char *named = getenv_(envp, "ELFLOAD_QEMU"), *q;

	if (named && *named) {
		if (!(q = find_on_path(named, envp)))
			die(EXIT_CANNOT, "a %s program, and ELFLOAD_QEMU %s is not an executable file",
			    a->name, named);
		return q;
	}
	if ((q = find_on_path(str_printf("qemu-%s", a->name), envp)) ||
	    (q = find_on_path(str_printf("qemu-%s-static", a->name), envp)))
		return q;
	die(EXIT_CANNOT, "a %s program, and no qemu-%s on PATH: install qemu-user (or qemu-user-static), or name the emulator in ELFLOAD_QEMU",
	    a->name, a->name);
}

/* The directory this elfload is in: /proc/self/exe, else how we were
 * started (AT_EXECFN). */
static const char *own_dir(const struct host *h)
{
	char *buf = xalloc(4096), *slash = 0;
	long n = sys_readlink("/proc/self/exe", buf, 4095);

	if (n <= 0) {
		const char *fn = (const char *)auxv_get(h->auxv, AT_EXECFN);

		n = fn ? (long)strlen(fn) : 0;
		if (n > 4095)
			n = 0;
		memcpy(buf, fn ? fn : "", (size_t)n);
	}
	buf[n] = 0;
	for (char *p = buf; *p; p++)
		if (*p == '/')
			slash = p;
	if (!slash)
		return ".";
	*slash = 0;
	return slash == buf ? "/" : buf;
}

static const char *find_loader(const struct arch_info *a, const struct host *h)
{
	const char *dir = own_dir(h);
	const char *cand[] = {
		str_printf("%s/../lib/elfload/%s/elfload", dir, a->name),
		str_printf("%s/elfload-%s", dir, a->name),
		str_printf("%s/../%s/elfload", dir, a->name),
	};

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (is_executable_file(cand[i]))
			return cand[i];
	die(EXIT_CANNOT, "a %s program, and no %s elfload beside this one (%s): make install ARCH=all installs it",
	    a->name, a->name, cand[0]);
}

/* /usr/TRIPLET, when the program's interpreter is there */
static const char *find_sysroot(const struct image *im, const unsigned char *e,
				const struct arch_info *a, char **envp)
{
	const char *interp, *root;
	struct statx st;

	if (getenv_(envp, "QEMU_LD_PREFIX"))
		return 0;
	if (!(interp = foreign_interp(im, e)))
		return 0;
	root = str_printf("/usr/%s", a->triplet);
	if (sys_statx(AT_FDCWD, str_printf("%s%s", root, interp), 0, STATX_TYPE, &st) < 0)
		return 0;
	return root;
}

/* Which of our descriptors is the pipe s came on, or -1. */
static int pipe_fd(const struct stream *s)
{
	for (int fd = 0; fd < MAX_FDS; fd++) {
		struct statx st;

		if (fd != s->memfd &&
		    sys_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &st) == 0 &&
		    st.stx_ino == s->ino && st.stx_dev_major == s->dev_major &&
		    st.stx_dev_minor == s->dev_minor)
			return fd;
	}
	return -1;
}

/* The feeder: writes the program into the pipe, then ends. It keeps no
 * other descriptor, so that nothing waits on it but the reader. */
static void __attribute__((noreturn)) feed(int memfd, int out)
{
	char *buf = xalloc(1 << 16);
	uint64_t off = 0;
	long n;

	for (int fd = 0; fd < MAX_FDS; fd++)
		if (fd != memfd && fd != out)
			sys_close(fd);
	while ((n = pread_full(memfd, buf, 1 << 16, off)) > 0) {
		write_all(out, buf, (size_t)n);
		off += (uint64_t)n;
	}
	sys_exit(0);
}

/* Puts a new pipe where the program's was, with a feeder behind it that
 * is no child of ours: the program never sees it among its children. */
static void put_back_on_pipe(const struct stream *s)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	int target = pipe_fd(s), p[2], status;
	long pid, r;

	if (target < 0)
		die(EXIT_CANNOT, "cannot hand the pipe the program came on to the emulator: not one of ours");
	if ((r = sys_pipe2(p, O_CLOEXEC)) < 0 ||
	    (r = pid = sys_clone3(&args, sizeof(args))) < 0)
		die(EXIT_CANNOT, "cannot hand the program to the emulator on a pipe: %s",
		    errno_name(r));
	if (pid == 0) {
		if (sys_clone3(&args, sizeof(args)) == 0)
			feed(s->memfd, p[1]);
		sys_exit(0);
	}
	sys_wait4(pid, &status, 0);
	sys_close(p[1]);
	sys_dup3(p[0], target, 0);
	sys_close(p[0]);
}

static void say_handover(char **argv)
{
	struct out o = { .fd = 2 };

	out_printf(&o, "elfload: %s: running", die_prefix);
	for (char **a = argv; *a; a++)
		out_printf(&o, " %s", *a);
	out_printf(&o, "\n");
	out_flush(&o);
}

void hand_over_foreign(struct image *im, const struct options *o,
		       const struct host *h, char **argv)
{
	unsigned char e[64];
	long n = pread_full(im->fd, e, sizeof(e), 0);
	const struct arch_info *a = foreign_arch(e, n);
	const char *qemu, *loader, *root;
	char **args;
	int argc = 0, k = 0;

	if (!a)
		return;
	root = find_sysroot(im, e, a, h->envp);
	qemu = find_emulator(a, h->envp);
	loader = find_loader(a, h);
	while (argv[argc])
		argc++;
	args = xalloc((argc + 4) * sizeof(char *));
	args[k++] = (char *)qemu;
	if (root) {
		args[k++] = "-L";
		args[k++] = (char *)root;
	}
	args[k++] = (char *)loader;
	memcpy(args + k, argv + 1, argc * sizeof(char *));   /* with its NULL */
	if (o->verbose)
		say_handover(args);
	if (im->stream)
		put_back_on_pipe(im->stream);
	n = sys_execve(qemu, args, h->envp);
	die(EXIT_CANNOT, "cannot run %s: %s", qemu, errno_name(n));
}
