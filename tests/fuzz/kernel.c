/*
 * The kernel stage1 talks to: every system call it may make, answered
 * from the world the input describes and the address-space model. A call
 * stage1 should never make ends the run as a finding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <asm/statfs.h>
#include <asm/unistd.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include "fuzz.h"

char fuzz_out[8192];
size_t fuzz_nout;
const char *prog_path;
static char prog_path_buf[4200];
static int prog_settled;

enum { F_FREE, F_PROG, F_INTERP, F_TEXT };

static struct fd {
	int type, path_only;
	char text[65536];    /* /proc/self/maps whole, however crowded */
	size_t len;
} fds[16];

void kernel_reset(void)
{
	memset(fds, 0, sizeof(fds));
	fuzz_nout = 0;
	prog_path = 0;
	prog_settled = 0;
}

int fd_file(int fd)
{
	if (fd < 0 || fd >= 16)
		return -1;
	return fds[fd].type == F_PROG ? 0 : fds[fd].type == F_INTERP ? 1 : -1;
}

static struct fd *fd_at(long fd)
{
	return fd >= 3 && fd < 16 && fds[fd].type != F_FREE ? &fds[fd] : 0;
}

static long new_fd(int type, int path_only)
{
	for (int i = 3; i < 16; i++)
		if (fds[i].type == F_FREE) {
			fds[i].type = type;
			fds[i].path_only = path_only;
			fds[i].len = 0;
			return i;
		}
	return -EMFILE;
}

static const struct file *file_of(const struct fd *f)
{
	return f->type == F_PROG ? &W.prog : f->type == F_INTERP ? &W.interp : 0;
}

static uint64_t committed(void)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < model_count(); i++)
		if ((model_vma(i)->prot & PROT_WRITE))
			sum += model_vma(i)->hi - model_vma(i)->lo;
	return sum;
}

/* What /proc shows; 0 for a path that is not there. */
static int proc_text(const char *path, char *buf, size_t size, size_t *len)
{
	int n = -1;

	if (!strcmp(path, "/proc/self/maps")) {
		*len = model_maps_text(buf, size);
		return 1;
	}
	if (!strcmp(path, "/proc/sys/vm/mmap_min_addr"))
		n = snprintf(buf, size, "%lu\n", W.min_addr);
	else if (!strcmp(path, "/proc/sys/vm/max_map_count"))
		n = snprintf(buf, size, "%lu\n", W.max_map_count);
	else if (!strcmp(path, "/proc/sys/vm/overcommit_memory"))
		n = snprintf(buf, size, "%d\n", W.overcommit);
	else if (!strcmp(path, "/proc/meminfo"))
		n = snprintf(buf, size, "MemTotal:       %lu kB\nCommitLimit:    %lu kB\nCommitted_AS:   %lu kB\n",
			     W.ram_swap >> 10, (W.commit_left + (64 << 20)) >> 10,
			     ((64 << 20) + committed()) >> 10);
	else if (!strcmp(path, "/proc/self/status"))
		n = snprintf(buf, size, "Name:\telfload\nState:\tR (running)\nTracerPid:\t%d\nUid:\t%u\n",
			     W.traced ? 4321 : 0, W.uid);
	if (n < 0)
		return 0;
	*len = (size_t)n;
	return 1;
}

static int same_name(const char *a, const char *b)
{
	const char *x = strrchr(a, '/'), *y = strrchr(b, '/');

	return !strcmp(x ? x + 1 : a, y ? y + 1 : b);
}

static long may_read(const struct file *fl);

/* Whether path names something under /proc: the kernel takes any
 * number of slashes between names. */
static int in_proc(const char *path)
{
	if (*path != '/')
		return 0;
	while (*path == '/')
		path++;
	return !strncmp(path, "proc/", 5);
}

static long sys_openat(const char *path, long flags)
{
	struct fd *f;
	long fd;
	size_t n = strlen(path);

	if (in_proc(path)) {
		while (path[1] == '/')
			path++;
		if (!W.have_proc)
			return -ENOENT;
		fd = new_fd(F_TEXT, 0);
		if (fd < 0)
			return fd;
		if (!proc_text(path, fds[fd].text, sizeof(fds[fd].text), &fds[fd].len)) {
			fds[fd].type = F_FREE;
			return -ENOENT;
		}
		return fd;
	}
	if (!prog_path) {
		snprintf(prog_path_buf, sizeof(prog_path_buf), "%s", path);
		prog_path = prog_path_buf;
	}
	/* the program is what stage1 opens first, and, while a PATH search
	 * may still go on (the program was swapped away), wherever else it
	 * finds its name; the interpreter is any other path */
	if (!strcmp(path, prog_path) || (!prog_settled && same_name(path, prog_path))) {
		snprintf(prog_path_buf, sizeof(prog_path_buf), "%s", path);
		fd = new_fd(F_PROG, !!(flags & O_PATH));
		if (!(flags & O_PATH) && !W.swapped)
			prog_settled = 1;
	} else if (W.interp.present)
		fd = new_fd(F_INTERP, !!(flags & O_PATH));
	else
		return -ENOENT;
	if (fd < 0 || !(f = fd_at(fd)))
		return fd;
	/* a name that ends in a slash must be a directory */
	if (n > 1 && path[n - 1] == '/' && (file_of(f)->mode & S_IFMT) != S_IFDIR) {
		f->type = F_FREE;
		return -ENOTDIR;
	}
	if (!f->path_only && (file_of(f)->mode & S_IFMT) == S_IFDIR &&
	    (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (!f->path_only && may_read(file_of(f)) < 0) {
		f->type = F_FREE;
		return -EACCES;
	}
	return fd;
}

/* pread from `size` bytes at data: what is there from off, at most n */
static long copy_out(void *buf, const void *data, uint64_t size, uint64_t off, uint64_t n)
{
	if (off >= size)
		return 0;
	if (n > size - off)
		n = size - off;
	memcpy(buf, (const char *)data + off, n);
	return (long)n;
}

static long sys_pread(long fd, void *buf, uint64_t n, uint64_t off)
{
	struct fd *f = fd_at(fd);
	const struct file *fl;

	if (!f || f->path_only)
		return -EBADF;
	if (f->type == F_TEXT)
		return copy_out(buf, f->text, f->len, off, n);
	fl = file_of(f);
	if ((fl->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	return copy_out(buf, fl->data, fl->size, off, n);
}

static long sys_statx(long fd, const char *path, long flags, struct statx *st)
{
	struct fd *f = fd_at(fd);
	const struct file *fl;

	if (fd == 0 && !*path && (flags & AT_EMPTY_PATH)) {
		memset(st, 0, sizeof(*st));   /* standard input: /dev/null */
		st->stx_mode = S_IFCHR | 0666;
		st->stx_ino = 4;
		return 0;
	}
	if (!f || *path || !(flags & AT_EMPTY_PATH))
		return -EBADF;
	memset(st, 0, sizeof(*st));
	if (f->type == F_TEXT) {
		st->stx_mode = S_IFREG | 0444;
		return 0;
	}
	fl = file_of(f);
	st->stx_mask = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE;
	st->stx_mode = fl->mode;
	if (W.swapped && f->type == F_PROG && !f->path_only)   /* replaced since */
		st->stx_mode = (fl->mode & ~S_IFMT) | S_IFIFO;
	st->stx_uid = fl->uid;
	st->stx_gid = fl->gid;
	st->stx_size = fl->size;
	return 0;
}

/* open for reading, as the kernel decides it for our effective IDs
 * (root reads anything) */
static long may_read(const struct file *fl)
{
	uint32_t m = fl->mode;

	if (W.euid == 0)
		return 0;
	if (fl->uid == W.euid)
		return m & 0400 ? 0 : -EACCES;
	if (fl->gid == W.egid)
		return m & 0040 ? 0 : -EACCES;
	return m & 0004 ? 0 : -EACCES;
}

/* access(X_OK) as the kernel decides it: for the real IDs, or with
 * AT_EACCESS the effective ones */
static long may_exec(const struct file *fl, int eaccess)
{
	uint32_t m = fl->mode, uid = eaccess ? W.euid : W.uid, gid = eaccess ? W.egid : W.gid;

	if (uid == 0)
		return (m & 0111) || (m & S_IFMT) == S_IFDIR ? 0 : -EACCES;
	if (fl->uid == uid)
		return m & 0100 ? 0 : -EACCES;
	if (fl->gid == gid)
		return m & 0010 ? 0 : -EACCES;
	return m & 0001 ? 0 : -EACCES;
}

static long sys_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd,
		     uint64_t off)
{
	long r;

	if (fd != -1 || !(flags & MAP_ANONYMOUS))
		fuzz_fail("stage1 maps a file itself");
	if (flags & MAP_FIXED)
		fuzz_fail("stage1 maps with MAP_FIXED itself");
	if (flags & MAP_FIXED_NOREPLACE) {
		r = model_mmap(addr, len, (int)prot, (int)flags, -1, 0, OWN_STAGE1, 0);
		return r < 0 ? r : (long)addr;
	}
	/* memory stage1 uses: real, at an address every run shares */
	addr = (uint64_t)arena_take(len);
	if (!addr)
		return -ENOMEM;
	r = model_mmap(addr, len, (int)prot, (int)flags | MAP_FIXED_NOREPLACE, -1, 0,
		       OWN_STAGE1, "");
	return r < 0 ? r : (long)addr;
}

static long prlimit(long res, const uint64_t *new, uint64_t *old)
{
	uint64_t v = res == RLIMIT_STACK ? W.rlim_stack : res == RLIMIT_AS ? W.rlim_as :
		     res == RLIMIT_DATA ? W.rlim_data : UINT64_MAX;

	if (old)
		old[0] = old[1] = v;
	if (new && res == RLIMIT_STACK)   /* what the re-exec sets, and undoes */
		W.rlim_stack = new[0];
	return 0;
}

static long set_ids(uint32_t *r, uint32_t *e, long nr, long ne, int cap)
{
	uint32_t ids[2] = { *r, *e };

	for (int i = 0; i < 2; i++) {
		long id = i ? ne : nr;

		if (id == -1 || (uint32_t)id == (uint32_t)-1)
			continue;
		if (!cap && (uint32_t)id != *r && (uint32_t)id != *e)
			return -EPERM;
		ids[i] = (uint32_t)id;
	}
	*r = ids[0];
	*e = ids[1];
	return 0;
}

/* stderr is kept, to judge the message; stdout (--map) goes nowhere */
static long write_out(long fd, const char *buf, uint64_t n)
{
	if (fd != 2)
		return fd == 1 ? (long)n : -EBADF;
	for (uint64_t i = 0; i < n && fuzz_nout < sizeof(fuzz_out) - 1; i++)
		fuzz_out[fuzz_nout++] = buf[i];
	return (long)n;
}

long fuzz_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	struct fd *fp;

	switch (n) {
	case __NR_read:   /* standard input is /dev/null: elfload - */
		return a == 0 ? 0 : -EINVAL;
	case __NR_ioctl:
		return a == 0 ? -ENOTTY : -EBADF;
	case __NR_memfd_create:   /* what elfload - reads goes there: nothing */
		return new_fd(F_TEXT, 0);
	case __NR_fcntl:
		return fd_at(a) ? 0 : -EBADF;
	case __NR_write:
		return write_out(a, (const char *)b, (uint64_t)c);
	case __NR_pread64:
		return sys_pread(a, (void *)b, (uint64_t)c, (uint64_t)d);
	case __NR_openat:
		return sys_openat((const char *)b, c);
	case __NR_close:
		if (!(fp = fd_at(a)))
			return -EBADF;
		fp->type = F_FREE;
		return 0;
	case __NR_statx:
		return sys_statx(a, (const char *)b, c, (struct statx *)e);
	case __NR_faccessat2:
		if (W.no_faccessat2)
			return -ENOSYS;   /* before Linux 5.8 */
		if (!(fp = fd_at(a)))
			return -EBADF;
		if (fp->type == F_TEXT)   /* /proc's files: 0444 */
			return -EACCES;
		return may_exec(file_of(fp), !!(d & AT_EACCESS));
	case __NR_faccessat:
		if (prog_path && !strcmp((const char *)b, prog_path))
			return may_exec(&W.prog, 0);
		return W.interp.present ? may_exec(&W.interp, 0) : -ENOENT;
	case __NR_mmap:
		return sys_mmap((uint64_t)a, (uint64_t)b, c, d, e, (uint64_t)f);
	case __NR_munmap:
		return model_munmap((uint64_t)a, (uint64_t)b);
	case __NR_mprotect:
		return model_mprotect((uint64_t)a, (uint64_t)b, (int)c);
	case __NR_prlimit64:
		return prlimit(b, (const uint64_t *)c, (uint64_t *)d);
	case __NR_mremap:
		return model_mremap((uint64_t)a, (uint64_t)b, (uint64_t)c, (int)d, (uint64_t)e);
	case __NR_personality: {
		long old = W.personality;

		if ((unsigned long)a != 0xffffffff)
			W.personality = a;
		return old;
	}
	case __NR_execve:
		return -ENOEXEC;   /* as under qemu-user: the run goes on */
	case __NR_getrandom:
		memset((void *)a, 0xa5, (size_t)b);
		return b;
	case __NR_sysinfo: {
		struct sysinfo *si = (struct sysinfo *)a;

		memset(si, 0, sizeof(*si));
		si->totalram = W.ram_swap;
		si->mem_unit = 1;
		return 0;
	}
	case __NR_capget: {
		struct __user_cap_data_struct *cd = (struct __user_cap_data_struct *)b;

		memset(cd, 0, 2 * sizeof(*cd));
		if (W.euid == 0)
			cd[0].effective = cd[1].effective = ~0u;
		return 0;
	}
	case __NR_getresuid:
		*(uint32_t *)a = W.uid;
		*(uint32_t *)b = *(uint32_t *)c = W.euid;
		return 0;
	case __NR_getresgid:
		*(uint32_t *)a = W.gid;
		*(uint32_t *)b = *(uint32_t *)c = W.egid;
		return 0;
	case __NR_setresuid:
		return set_ids(&W.uid, &W.euid, a, b, W.euid == 0);
	case __NR_setresgid:
		return set_ids(&W.gid, &W.egid, a, b, W.euid == 0);
	case __NR_prctl:
		return a == PR_GET_NO_NEW_PRIVS ? W.nnp : -EINVAL;
	case __NR_fstatfs: {
		struct statfs *fs = (struct statfs *)b;

		if (!fd_at(a))
			return -EBADF;
		memset(fs, 0, sizeof(*fs));
		fs->f_flags = W.nosuid ? MS_NOSUID : 0;
		return 0;
	}
	case __NR_fgetxattr:
		return -ENODATA;
	case __NR_getpid:
		return 100;
	case __NR_unshare:   /* --userns: allowed or not, as machines differ */
		return W.personality & 0x40000 ? -EPERM : 0;
	case __NR_brk: {   /* moved off the image's end when randomizing */
		extern char _end[];
		uint64_t end = ((uint64_t)_end + 0xfff) & ~0xfffULL;

		return (long)(W.personality & 0x40000 ? end : end + 0x5000);
	}
	case __NR_exit_group:
		fuzz_exit((int)a);
	}
	fuzz_fail("stage1 made system call %ld, which it never should", n);
}
