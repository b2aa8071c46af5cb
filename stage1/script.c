/*
 * #! scripts, run as the kernel's binfmt_script runs them. The first line
 * (at most SCRIPT_LINE bytes are looked at) names an interpreter and at
 * most one argument; the script's argv[0] gives way to them and to the
 * script's path:
 *
 *   ./s.sh a b   with "#!/bin/sh -e"   runs   /bin/sh -e ./s.sh a b
 *
 * The interpreter is opened by that path (no PATH search) and may be a
 * script again, SCRIPT_DEPTH deep. AT_EXECFN and the process's name stay
 * the script's; /proc/PID/exe is the ELF file that finally runs.
 */
#include "stage1.h"

#define SCRIPT_LINE  256   /* the kernel's BINPRM_BUF_SIZE */
#define SCRIPT_DEPTH 5     /* exec_binprm: interpreters rewritten at most */

static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_spacetab(char *p, const char *end)
{
	while (p < end && spacetab(*p))
		p++;
	return p;
}

/* The end of a word: the first space, tab or NUL, or 0 if there is none
 * before `end`. */
static char *word_end(char *p, const char *end)
{
	for (; p < end; p++)
		if (spacetab(*p) || !*p)
			return p;
	return 0;
}

/* Parses the #! line in buf (SCRIPT_LINE bytes, zero-padded) as
 * binfmt_script does: 0 if it does not name an interpreter. */
static int parse_line(char *buf, const char **interp, const char **arg)
{
	char *end = buf, *name, *sep;

	while (end < buf + SCRIPT_LINE && *end != '\n')
		end++;
	if (end == buf + SCRIPT_LINE) {
		/* no newline: the name must end inside the buffer, at its
		 * last byte at the latest (a space there, or the NUL of a
		 * 255-byte file) */
		end = buf + SCRIPT_LINE - 1;
		name = skip_spacetab(buf + 2, buf + SCRIPT_LINE);
		if (name == buf + SCRIPT_LINE || !word_end(name, buf + SCRIPT_LINE))
			return 0;
	}
	while (end > buf + 2 && spacetab(end[-1]))
		end--;
	*end = 0;
	name = skip_spacetab(buf + 2, end);
	if (name == end || !*name)
		return 0;
	*interp = name;
	*arg = 0;
	sep = word_end(name, end);
	if (sep && *sep) {
		*sep = 0;
		*arg = skip_spacetab(sep + 1, end);
		if (!**arg)
			*arg = 0;
	}
	return 1;
}

/* Is the open file a #! script? Then its interpreter and argument. */
static int read_script_line(const struct image *im, const char **interp, const char **arg)
{
	char *buf = xalloc(SCRIPT_LINE + 1);
	long n = pread_full(im->fd, buf, SCRIPT_LINE, 0);

	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	if (!parse_line(buf, interp, arg))
		die(EXIT_CANNOT, "%s", errno_name(-ENOEXEC));
	return 1;
}

/* argv[0] gives way to INTERP [ARG] PATH. */
static void rewrite_argv(struct image *im, const char *interp, const char *arg)
{
	char **argv = xalloc((im->argc + 3) * sizeof(char *));
	int n = 0;

	argv[n++] = (char *)interp;
	if (arg)
		argv[n++] = (char *)arg;
	argv[n++] = (char *)im->path;
	memcpy(argv + n, im->argv + 1, (im->argc - 1) * sizeof(char *));
	im->argc += n - 1;
	im->argv = argv;
}

static char **program_argv(const struct options *o)
{
	char **argv = xalloc((o->nargs + 2) * sizeof(char *));

	argv[0] = (char *)(o->argv0 ? o->argv0 : o->program);
	memcpy(argv + 1, o->args, o->nargs * sizeof(char *));
	return argv;
}

void follow_scripts(struct image *im, const struct options *o)
{
	const char *interp, *arg;

	im->argv = program_argv(o);
	im->argc = o->nargs + 1;
	im->execfn = im->path;
	while (read_script_line(im, &interp, &arg)) {
		die_context = 0;   /* what is wrong is the script named before */
		if (im->nscripts == SCRIPT_DEPTH)
			die(EXIT_CANNOT, "%s", errno_name(-ELOOP));
		if (!im->scripts)
			im->scripts = xalloc(SCRIPT_DEPTH * sizeof(*im->scripts));
		im->scripts[im->nscripts++] = str_printf("%s: #!%s%s%s", im->path, interp,
							 arg ? " " : "", arg ? arg : "");
		rewrite_argv(im, interp, arg);
		/* a script from a pipe stays open for its interpreter to
		 * read, as after fexecve of a descriptor left open */
		if (im->stream && im->fd == im->stream->memfd)
			sys_fcntl(im->fd, F_SETFD, 0);
		else
			sys_close(im->fd);
		die_context = str_printf("interpreter %s", interp);
		open_script_interp(im, interp);
	}
	if (im->nscripts && o->argv0)
		im->argv[0] = (char *)o->argv0;
}
