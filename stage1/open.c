/* Finding and opening the program and its interpreter, with the kernel's
 * and execvp's rules: what may be executed, where PATH looks, which error
 * wins. */
#include <linux/stat.h>
#include "stage1.h"

#define STATX_WANTED (STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE)

#define OPEN_STREAM 1   /* a pipe: read it whole (stream.c) */

/* Whether what fd names may be executed: a regular file (-EISDIR for a
 * directory, -EACCES for anything else) with execute permission for us;
 * OPEN_STREAM for a pipe that is open already.
 * The type comes from the descriptor: qemu-user translates paths (-L)
 * for open and access, not for every stat call. */
static long check_executable(int fd, const char *path, struct statx *st)
{
	long r = sys_statx(fd, "", AT_EMPTY_PATH, STATX_WANTED, st);

	if (r >= 0 && is_open_stream(fd, st))
		return OPEN_STREAM;
	if (r >= 0 && S_ISDIR(st->stx_mode))
		r = -EISDIR;
	if (r >= 0) {
		/* for the effective IDs, as execve checks; the older call
		 * (before Linux 5.8) knows only the real ones */
		r = sys_faccessat2(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);
		if (r == -ENOSYS || r == -EINVAL)
			r = sys_faccessat(path, X_OK);
	}
	if (r >= 0 && !S_ISREG(st->stx_mode))
		r = -EACCES;
	return r;
}

/* "c" of "/a/b/c" (and of "/a/b/c/") */
const char *last_part(const char *path)
{
	const char *p = path;

	for (const char *q = path; *q; q++)
		if (*q == '/' && q[1])
			p = q + 1;
	return p;
}

/* A pipe named by a path (/dev/stdin, /dev/fd/63): opened again, which
 * gives the same pipe, and read whole. */
static long open_stream(struct image *im, const char *path)
{
	const char *name = last_part(path);
	long memfd = new_memfd(name);   /* first: the lowest free number */
	long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		sys_close((int)memfd);
		return fd;
	}
	read_stream(im, (int)fd, memfd, name);
	sys_close((int)fd);
	return im->fd;
}

/* Opens path if it is an executable regular file; else returns -errno.
 * Like the kernel, it looks before it opens: opening a FIFO would wait
 * for a writer, a device would run its driver. A file swapped for one
 * in between is caught on the open descriptor, and O_NONBLOCK keeps
 * that open from waiting. */
static long open_executable(struct image *im, const char *path)
{
	struct statx st;
	long fd, r, pfd = sys_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC);

	if (pfd < 0)
		return pfd;
	r = check_executable((int)pfd, path, &st);
	sys_close((int)pfd);
	if (r == OPEN_STREAM)
		return open_stream(im, path);
	if (r < 0)
		return r;
	fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	r = sys_statx((int)fd, "", AT_EMPTY_PATH, STATX_WANTED, &st);
	if (r >= 0 && !S_ISREG(st.stx_mode))
		r = -EACCES;
	if (r < 0) {
		sys_close((int)fd);
		return r;
	}
	im->size = st.stx_size;
	im->mode = st.stx_mode;
	im->uid = st.stx_uid;
	im->gid = st.stx_gid;
	return fd;
}

const char *getenv_(char **envp, const char *name)
{
	size_t n = strlen(name);
	char **e;

	for (e = envp; *e; e++)
		if (!memcmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return 0;
}

/* The next place PATH (*path, advanced) names for name: "DIR/name",
 * or "name" for an empty entry; 0 once PATH is used up. */
const char *next_in_path(const char **path, const char *name)
{
	const char *p = *path, *colon = p;
	size_t dlen, nlen = strlen(name);
	char *cand;

	if (!*p)
		return 0;
	while (*colon && *colon != ':')
		colon++;
	dlen = colon - p;
	cand = xalloc(dlen + nlen + 3);
	if (dlen) {
		memcpy(cand, p, dlen);
		cand[dlen++] = '/';
	}
	memcpy(cand + dlen, name, nlen + 1);
	*path = *colon ? colon + 1 : colon;
	return cand;
}

/* PATH, or execvp's default */
const char *search_path(char **envp)
{
	const char *path = getenv_(envp, "PATH");

	return path ? path : "/usr/local/bin:/usr/bin:/bin";
}

/* PATH search with execvp's rules: a name with a slash is used as it is;
 * otherwise the first executable regular file along PATH wins, and a
 * non-executable match only decides the error if nothing else is found.
 * Returns the open descriptor or -errno. */
static long resolve(struct image *im, const char *name, char **envp)
{
	const char *path = search_path(envp), *cand;
	long first_err = -ENOENT;

	if (!*name)
		return -ENOENT;
	for (const char *p = name; *p; p++)
		if (*p == '/') {
			im->path = name;
			return open_executable(im, name);
		}
	while ((cand = next_in_path(&path, name))) {
		long fd = open_executable(im, cand);

		if (fd >= 0) {
			if (!im->stream)
				im->path = cand;
			return fd;
		}
		if (fd != -ENOENT && fd != -ENOTDIR && first_err == -ENOENT)
			first_err = fd;
	}
	return first_err;
}

static void opened(struct image *im, long fd)
{
	if (fd < 0)
		die(fd == -ENOENT || fd == -ENOTDIR ? EXIT_MISSING : EXIT_CANNOT,
		    "%s", errno_name(fd));
	im->fd = (int)fd;
}

void open_program(struct image *im, const char *name, const struct host *h)
{
	die_prefix = name;
	if (!strcmp(name, "-")) {
		read_stdin(im);
		return;
	}
	opened(im, resolve(im, name, h->envp));
}

/* The interpreter is used by the path the program names, as the kernel
 * does: no PATH search, and it must be an executable regular file. */
void open_script_interp(struct image *im, const char *path)
{
	im->path = path;
	opened(im, open_executable(im, path));
}

void open_interp(struct image *im, const char *path)
{
	im->is_interp = 1;
	open_script_interp(im, path);
}
