/*
 * A program on a pipe: `elfload - ARGS` (standard input, whatever it is
 * but a terminal), or a PROGRAM that names a pipe already open
 * (/dev/stdin, /dev/fd/63 from `<(zcat prog.gz)`).
 * execve cannot run one; elfload reads it whole into a sealed memfd and
 * runs that as the kernel runs a memfd given to fexecve:
 *
 *   pipe --read all--> memfd "NAME", sealed --> loaded like a file
 *   AT_EXECFN  /dev/fd/N (N: the memfd, closed before the program starts)
 *   comm       "memfd:NAME" (Linux 6.14, and 6.1 stable; before, N)
 *   argv[0]    PROGRAM as given, or --argv0
 *
 * A memfd has no set-user-ID bits and no owner but us: none apply. Its
 * contents cannot change once sealed, and a program cut short (the
 * writer died, the pipe closed early) is refused before anything is
 * mapped: a file may end before its segments' data, a pipe may not.
 * A #! script read this way keeps its memfd open, so that its
 * interpreter can read /dev/fd/N.
 */
#include <asm/statfs.h>
#include <linux/magic.h>
#include <linux/stat.h>
#include <asm/termbits.h>
#include <asm/ioctls.h>
#include "stage1.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC       0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif
#define MFD_NOEXEC_SEAL_  0x0008U   /* Linux 6.3: no exec bit, sealed so */
#define MFD_EXEC_         0x0010U   /* Linux 6.3: the exec bit, as before */
#define STREAM_CHUNK      (256 << 10)
#define COMM_LEN          16        /* TASK_COMM_LEN, with its NUL */

/* Is what fd (an O_PATH descriptor will do) names a pipe already open,
 * not a FIFO in a file system (opening that waits for a writer, and
 * execve refuses it)? */
int is_open_stream(int fd, const struct statx *st)
{
	struct statfs fs;

	return S_ISFIFO(st->stx_mode) && sys_fstatfs(fd, &fs) == 0 &&
	       fs.f_type == PIPEFS_MAGIC;
}

/* What the process is called after fexecve of the memfd: the file's name
 * ("memfd:NAME"), as Linux names it since 6.14 and in the stable kernels
 * that took the change (Debian 12's 6.1 does); before, the last part of
 * "/dev/fd/N". */
static const char *fexecve_comm(const char *name)
{
	char *comm = (char *)str_printf("memfd:%s", name);

	if (strlen(comm) >= COMM_LEN)
		comm[COMM_LEN - 1] = 0;
	return comm;
}

/* Executable, as a memfd given to fexecve must be, so that it may also
 * be /proc/PID/exe; where vm.memfd_noexec forbids that, it is not. */
long new_memfd(const char *name)
{
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	long fd = sys_memfd_create(name, flags | MFD_EXEC_);

	if (fd == -EINVAL)   /* before Linux 6.3: executable anyway */
		fd = sys_memfd_create(name, flags);
	if (fd < 0)
		fd = sys_memfd_create(name, flags | MFD_NOEXEC_SEAL_);
	if (fd < 0)
		die(EXIT_CANNOT, "cannot keep the program in memory: %s", errno_name(fd));
	return fd;
}

/* Everything there is to read on fd, into memfd; returns how much. */
static uint64_t copy_all(int fd, int memfd)
{
	char *buf = xalloc(STREAM_CHUNK);
	uint64_t total = 0;

	for (;;) {
		long n = sys_read(fd, buf, STREAM_CHUNK), w;

		if (n == -EINTR)
			continue;
		if (n < 0)
			die(EXIT_CANNOT, "cannot read the program: %s (after %lu bytes)",
			    errno_name(n), total);
		if (n == 0)
			return total;
		for (long done = 0; done < n; done += w) {
			w = sys_write(memfd, buf + done, (size_t)(n - done));
			if (w == -EINTR)
				w = 0;
			else if (w <= 0)
				die(EXIT_CANNOT, "cannot keep the program in memory: %s",
				    errno_name(w ? w : -ENOSPC));
		}
		total += (uint64_t)n;
	}
}

/* Reads fd to its end into memfd (new_memfd(name)'s), seals it, and
 * makes im that file, as fexecve would run it. */
void read_stream(struct image *im, int fd, long memfd, const char *name)
{
	struct stream *s = xalloc(sizeof(*s));
	long r;
	struct statx st;
	uint64_t size;

	if (sys_statx(fd, "", AT_EMPTY_PATH, STATX_INO, &st) == 0)
		*s = (struct stream){ (int)memfd, st.stx_ino, st.stx_dev_major, st.stx_dev_minor };
	s->memfd = (int)memfd;
	size = copy_all(fd, (int)memfd);

	r = sys_fcntl((int)memfd, F_ADD_SEALS,
		      F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	if (r < 0)
		die(EXIT_CANNOT, "cannot seal the program in memory: %s", errno_name(r));
	if (!size)
		die(EXIT_CANNOT, "nothing to read: the program is empty");
	im->fd = (int)memfd;
	im->size = size;
	im->mode = S_IFREG | 0700;   /* ours, no set-ID bits: what fexecve sees */
	im->path = str_printf("/dev/fd/%ld", memfd);
	im->comm = fexecve_comm(name);
	im->stream = s;
}

/* `elfload -`: standard input, unless it is a terminal (nothing would
 * end the read) or a directory. */
void read_stdin(struct image *im)
{
	struct statx st;
	struct termios tio;   /* only whether TCGETS works */
	long r = sys_statx(0, "", AT_EMPTY_PATH, STATX_TYPE, &st);

	if (r < 0)
		die(EXIT_CANNOT, "cannot read standard input: %s", errno_name(r));
	if (S_ISDIR(st.stx_mode))
		die(EXIT_CANNOT, "standard input: %s", errno_name(-EISDIR));
	if (S_ISCHR(st.stx_mode) && sys_ioctl(0, TCGETS, &tio) == 0)
		die(EXIT_CANNOT, "standard input is a terminal: give the program on a pipe");
	read_stream(im, 0, new_memfd("stdin"), "stdin");
}

/* A program from a pipe (not the interpreter of a script from one) that
 * lacks the n bytes at off for `what` was cut short: refused as such. */
void stream_ends_early(const struct image *im, const char *what, uint64_t off, uint64_t n)
{
	if (!im->stream || im->nscripts)
		return;
	die(EXIT_CANNOT, "ends early: %lu bytes read, %lu needed for %s", im->size,
	    n > UINT64_MAX - off ? UINT64_MAX : off + n, what);
}

/* ... and every byte its segments name. */
void check_stream_complete(const struct image *im)
{
	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (s->off + s->filesz > im->size)
			stream_ends_early(im, str_printf("PT_LOAD %u", s->index), s->off, s->filesz);
	}
}
