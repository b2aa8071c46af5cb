/* parity: run a program under the kernel's execve and under elfload, stop
 * both right before the program's first instruction, and compare what the
 * program would see: the verdict, the auxiliary vector, the initial stack
 * and every page of its PT_LOAD segments (and its interpreter's).
 *
 *   parity [-t SECONDS] [-q] ELFLOAD FILE [ARGS...]
 *
 * Both runs get argv FILE ARGS..., parity's own environment and
 * personality ADDR_NO_RANDOMIZE. The kernel's run stops at the SIGTRAP a
 * PTRACE_TRACEME child gets from a successful execve; elfload's at the
 * SIGTRAP --stop-at-entry raises (a signal-delivery-stop sent by the
 * process to itself, not an exec event). Everything is read from /proc
 * while both processes sit at that stop; then both are killed.
 *
 * Output, one line each, prefixed "FILE: ": "agree: both ran", "agree: both
 * refused (kernel: REASON; elfload: status N)", or "differ: WHAT" for each
 * difference (at most 20, then "... N more"). -q prints nothing for a file
 * that agrees. Exit status 0 agree, 1 differ, 2 parity itself failed.
 *
 *   parity -r RECORD [-i INTERP] [-n NAME] [-t SECONDS] [-q] FILE COMMAND...
 *
 * With -r the other side is not the kernel but the fuzz harness's model
 * of it: RECORD is what tests/fuzz/describe.c wrote of one input (format
 * in record.h), COMMAND runs elfload --stop-at-entry on that input's
 * machine (tests/fuzz/real.py), FILE and INTERP are the program's
 * and interpreter's bytes. The same comparison runs, "kernel" reads
 * "model" in its lines, refusals must match in status and message, and
 * what the model cannot know is left out (the list below, at -r).
 *
 * Page addresses in the output are link-time addresses (p_vaddr's, without
 * either side's bias); the interpreter's pages say "interp page". Stack
 * positions are "top-0xN": N bytes below the end of the stack mapping.
 *
 * ---- What is not compared as is: the one list -------------------------
 *
 * Each entry: what, and why. The auxiliary vector's entries are in
 * auxv_rules[] just below, which the comparison uses; the rest:
 *
 *   what                                          why
 *   --------------------------------------------  -----------------------------
 *   the program's bias (AT_ENTRY - e_entry) of a   README: What the program sees
 *     position-independent program; its pages are
 *     compared at p_vaddr + each side's own bias
 *   the interpreter's bias (AT_BASE); its pages    README: What the program sees
 *     at p_vaddr + each side's own AT_BASE
 *   the stack's address: positions in it are       README: What the program sees
 *     compared as offsets from its top (the end
 *     of the mapping holding startstack)
 *   argv[] and envp[] words on the stack: as       README: What the program sees
 *     offsets from the top
 *   the 16 bytes AT_RANDOM points at (random):     README: What the program sees
 *     on the stack, and in a PT_LOAD page where
 *     the kernel's stack overlaps one
 *   the stack below startstack; when the two       README: What the program sees
 *     stacks differ in length, the padding the
 *     longer one has between its auxv and its
 *     strings (the length difference is reported)
 *   every mapping outside the PT_LOAD pages        README: What the program sees
 *     (vDSO, vvar, heap, stack placement, what is
 *     left of elfload itself)
 *   for a #! script or a file that is not ELF64:   README: What the program sees
 *     the segments (only the verdict, auxv and
 *     stack are compared); AT_ENTRY/AT_PHDR use
 *     the bias of the ELF the #! chain ends at,
 *     or AT_ENTRY itself when there is none
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "record.h"

/* ---- the auxiliary vector: names and how each entry is compared ---- */

enum rule {
	R_EQUAL,	/* values equal */
	R_SKIP,		/* not compared */
	R_BIAS,		/* compared less each side's program bias */
	R_NONZERO,	/* compared as "both zero or both nonzero" */
	R_STACK,	/* compared as an offset from the top of the stack */
};

static const struct auxv_rule {
	unsigned long type;
	const char *name;
	enum rule rule;
	const char *why;	/* for the rules other than R_EQUAL */
} auxv_rules[] = {
	{ 0, "AT_NULL", R_EQUAL, 0 },
	{ 1, "AT_IGNORE", R_EQUAL, 0 },
	{ 2, "AT_EXECFD", R_EQUAL, 0 },
	{ 3, "AT_PHDR", R_BIAS, "README: What the program sees" },
	{ 4, "AT_PHENT", R_EQUAL, 0 },
	{ 5, "AT_PHNUM", R_EQUAL, 0 },
	{ 6, "AT_PAGESZ", R_EQUAL, 0 },
	{ 7, "AT_BASE", R_NONZERO, "README: What the program sees" },
	{ 8, "AT_FLAGS", R_EQUAL, 0 },
	{ 9, "AT_ENTRY", R_BIAS, "README: What the program sees" },
	{ 10, "AT_NOTELF", R_EQUAL, 0 },
	{ 11, "AT_UID", R_EQUAL, 0 },
	{ 12, "AT_EUID", R_EQUAL, 0 },
	{ 13, "AT_GID", R_EQUAL, 0 },
	{ 14, "AT_EGID", R_EQUAL, 0 },
	{ 15, "AT_PLATFORM", R_STACK, "README: What the program sees" },
	{ 16, "AT_HWCAP", R_EQUAL, 0 },
	{ 17, "AT_CLKTCK", R_EQUAL, 0 },
	{ 18, "AT_FPUCW", R_EQUAL, 0 },
	{ 19, "AT_DCACHEBSIZE", R_EQUAL, 0 },
	{ 20, "AT_ICACHEBSIZE", R_EQUAL, 0 },
	{ 21, "AT_UCACHEBSIZE", R_EQUAL, 0 },
	{ 22, "AT_IGNOREPPC", R_EQUAL, 0 },
	{ 23, "AT_SECURE", R_EQUAL, 0 },
	{ 24, "AT_BASE_PLATFORM", R_STACK, "README: What the program sees" },
	{ 25, "AT_RANDOM", R_STACK, "README: What the program sees" },
	{ 26, "AT_HWCAP2", R_EQUAL, 0 },
	{ 27, "AT_RSEQ_FEATURE_SIZE", R_EQUAL, 0 },
	{ 28, "AT_RSEQ_ALIGN", R_EQUAL, 0 },
	{ 29, "AT_HWCAP3", R_EQUAL, 0 },
	{ 30, "AT_HWCAP4", R_EQUAL, 0 },
	{ 31, "AT_EXECFN", R_STACK, "README: What the program sees" },
	{ 32, "AT_SYSINFO", R_EQUAL, 0 },
	{ 33, "AT_SYSINFO_EHDR", R_SKIP, "README: What the program sees" },
	{ 34, "AT_L1I_CACHESHAPE", R_EQUAL, 0 },
	{ 35, "AT_L1D_CACHESHAPE", R_EQUAL, 0 },
	{ 36, "AT_L2_CACHESHAPE", R_EQUAL, 0 },
	{ 37, "AT_L3_CACHESHAPE", R_EQUAL, 0 },
	{ 40, "AT_L1I_CACHESIZE", R_EQUAL, 0 },
	{ 41, "AT_L1I_CACHEGEOMETRY", R_EQUAL, 0 },
	{ 42, "AT_L1D_CACHESIZE", R_EQUAL, 0 },
	{ 43, "AT_L1D_CACHEGEOMETRY", R_EQUAL, 0 },
	{ 44, "AT_L2_CACHESIZE", R_EQUAL, 0 },
	{ 45, "AT_L2_CACHEGEOMETRY", R_EQUAL, 0 },
	{ 46, "AT_L3_CACHESIZE", R_EQUAL, 0 },
	{ 47, "AT_L3_CACHEGEOMETRY", R_EQUAL, 0 },
	{ 51, "AT_MINSIGSTKSZ", R_EQUAL, 0 },
};

#define X_AT_NULL 0
#define X_AT_PAGESZ 6
#define X_AT_BASE 7
#define X_AT_ENTRY 9
#define X_AT_RANDOM 25
#define X_AT_SYSINFO_EHDR 33

static const struct auxv_rule *auxv_rule(unsigned long type)
{
	for (size_t i = 0; i < sizeof(auxv_rules) / sizeof(auxv_rules[0]); i++)
		if (auxv_rules[i].type == type)
			return &auxv_rules[i];
	return 0;
}

static const char *auxv_name(unsigned long type)
{
	static char buf[8][32];
	static int n;
	const struct auxv_rule *r = auxv_rule(type);

	if (r)
		return r->name;
	n = (n + 1) % 8;
	snprintf(buf[n], sizeof(buf[n]), "AT_%lu", type);
	return buf[n];
}

static const char *record_file;	/* -r: the other side is this record */

/* ---- with -r: what the model cannot know ------------------------------
 *
 * The fuzz harness gives stage1 a first stack of its own making: the
 * entries elfload passes through unchanged are the kernel's there only
 * in kind. So, against a record: AT_HWCAP's value is not compared, and
 * the entries this kernel gives that the harness's first stack has not
 * (model_lacks[]) are left out of elfload's side, with their 16 bytes
 * each in the stack's length. AT_SYSINFO_EHDR is left out of both: the
 * vDSO's place is the kernel's, so whether a segment needs its pages
 * (and it goes) is not the model's to know. AT_PHDR is not compared
 * where it names a copy (no PT_LOAD holds the table): the copy's place
 * is elfload's layout. AT_RANDOM's bytes are not compared in either
 * mode (above). */
static const unsigned long model_lacks[] = {
	26 /* AT_HWCAP2 */, 27 /* AT_RSEQ_FEATURE_SIZE */, 28 /* AT_RSEQ_ALIGN */,
	29 /* AT_HWCAP3 */, 30 /* AT_HWCAP4 */, 51 /* AT_MINSIGSTKSZ */,
};
#define X_AT_HWCAP 16

static int lacked(unsigned long type, int elfload)
{
	if (type == X_AT_SYSINFO_EHDR)
		return 1;
	for (size_t i = 0; elfload && i < sizeof(model_lacks) / sizeof(*model_lacks); i++)
		if (model_lacks[i] == type)
			return 1;
	return 0;
}

static enum rule rule_of(unsigned long type)
{
	const struct auxv_rule *r = auxv_rule(type);

	if (record_file && type == X_AT_HWCAP)
		return R_SKIP;
	return r ? r->rule : R_EQUAL;
}

/* ---- small helpers ---- */

static const char *file_arg;	/* FILE as given */
static const char *name_arg;	/* FILE, or -n's NAME: for the output lines */

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fail("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fail("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		fail("out of memory");
	return p;
}

static __attribute__((format(printf, 1, 2))) char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fail("out of memory");
	va_end(ap);
	return s;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *signame(int sig)
{
	static char buf[32];
	const char *a = sigabbrev_np(sig);

	if (a)
		snprintf(buf, sizeof(buf), "SIG%s", a);
	else
		snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

/* ---- the two runs ---- */

enum verdict { V_NONE, V_RAN, V_REFUSED, V_KILLED, V_HANG };

struct buf {
	char *p;
	size_t n, cap;
};

struct map {
	uint64_t lo, hi, off, inode;
	char perms[5];
	char *path;
	uint64_t rss, swap;	/* kB, from smaps */
	int anon;		/* no file behind it: untouched pages are zero */
	int eof_known;		/* a file of known size: pages past it SIGBUS */
	uint64_t eof;		/* its size rounded up to a page */
	int rec;		/* from a record: REC_* + 1, its pages' state */
	const unsigned char *bytes;	/* REC_DATA: [lo, hi)'s */
};

struct side {
	const char *name;	/* "kernel", "elfload" */
	pid_t pid;		/* while stopped at the entry, else 0 */
	enum verdict v;
	char *text;		/* the verdict, as in "differ: verdict: kernel TEXT" */
	char *brief;		/* for "agree: both refused (kernel: BRIEF; ...)" */
	int memfd, pagemapfd;
	struct map *maps;
	size_t nmaps;
	uint64_t *auxv;		/* pairs, from /proc/PID/auxv, without AT_NULL */
	size_t nauxv;
	uint64_t startstack, top;
	const struct map *stackmap;
	unsigned char *stack;	/* [startstack, top) */
	size_t stacklen;
	uint64_t pbias, ibias;
	int status;		/* V_REFUSED: the exit status */
	struct buf *err;	/* what it wrote to stderr, for -r */
	/* pagemap cache */
	uint64_t pm_first;
	size_t pm_n;
	uint64_t pm[512];
};

static struct side K = { .name = "kernel", .memfd = -1, .pagemapfd = -1 };
static struct side E = { .name = "elfload", .memfd = -1, .pagemapfd = -1 };

static void kill_side(struct side *s)
{
	int st;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, &st, 0) == s->pid && !WIFEXITED(st) && !WIFSIGNALED(st))
		;
	s->pid = 0;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "parity: %s: ", name_arg ? name_arg : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	kill_side(&K);
	kill_side(&E);
	exit(2);
}

/* SIGCHLD wakes the wait loop through a pipe */
static int sigpipe_fd[2] = { -1, -1 };

static void on_sigchld(int sig)
{
	int e = errno;
	(void)sig;
	if (write(sigpipe_fd[1], "", 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = e;
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

/* Waits for the child to change state, reading errfd (elfload's stderr)
 * meanwhile. 1: *status set; 0: the deadline passed. */
static int wait_child(pid_t pid, int *status, double deadline, int *errfd, struct buf *err)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct pollfd pf[2];
		double left;
		char tmp[4096];
		int n = 0;

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			fail("waitpid: %s", strerror(errno));
		left = deadline - now();
		if (left <= 0)
			return 0;
		pf[n].fd = sigpipe_fd[0];
		pf[n++].events = POLLIN;
		if (*errfd >= 0) {
			pf[n].fd = *errfd;
			pf[n++].events = POLLIN;
		}
		if (poll(pf, n, left > 0.1 ? 100 : (int)(left * 1000) + 1) < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		if (pf[0].revents & POLLIN)
			while (read(sigpipe_fd[0], tmp, sizeof(tmp)) > 0)
				;
		if (n > 1 && pf[1].revents) {
			ssize_t k = read(*errfd, tmp, sizeof(tmp));
			if (k > 0) {
				if (err->n < 65536)
					buf_add(err, tmp, (size_t)k);
			} else if (k == 0 || errno != EINTR) {
				close(*errfd);
				*errfd = -1;
			}
		}
	}
}

static void drain(int *fd, struct buf *err)
{
	char tmp[4096];
	ssize_t k;

	if (*fd < 0)
		return;
	fcntl(*fd, F_SETFL, O_NONBLOCK);
	while ((k = read(*fd, tmp, sizeof(tmp))) > 0)
		if (err->n < 65536)
			buf_add(err, tmp, (size_t)k);
	close(*fd);
	*fd = -1;
}

static void no_randomize(void)
{
	int p = personality(0xffffffff);

	if (p != -1)
		personality((unsigned long)p | ADDR_NO_RANDOMIZE);
}

/* The errno a failed execve leaves, through a close-on-exec pipe. */
static void child_exec_failed(int fd, int e)
{
	if (write(fd, &e, sizeof(e)) < 0) {
		/* nothing left to tell it with */
	}
	_exit(127);
}

static void pipe_cloexec(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		fail("pipe: %s", strerror(errno));
}

static int read_errno(int fd)
{
	int e = 0;
	ssize_t k = read(fd, &e, sizeof(e));

	close(fd);
	return k == (ssize_t)sizeof(e) ? e : 0;
}

static void set_killed(struct side *s, int sig)
{
	s->v = V_KILLED;
	s->text = str_printf("killed: %s", signame(sig));
	s->brief = s->text;
}

static void set_hang(struct side *s, pid_t pid)
{
	int st;

	kill(-pid, SIGKILL);	/* its group: whatever it started too */
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
		;
	s->v = V_HANG;
	s->text = s->brief = "hang";
}

/* Is the stop a signal-delivery-stop (1) or a group-stop (0)? Its siginfo
 * in *si. */
static int delivery_stop(pid_t pid, siginfo_t *si)
{
	return ptrace(PTRACE_GETSIGINFO, pid, 0, si) == 0;
}

static void cont(pid_t pid, int sig)
{
	if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) < 0 && errno != ESRCH)
		fail("PTRACE_CONT: %s", strerror(errno));
}

static void run_kernel(char **argv, double timeout)
{
	int ep[2], st, null;
	double deadline = now() + timeout;
	pid_t pid;
	struct buf none = { 0 };

	pipe_cloexec(ep);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(ep[0]);
		setpgid(0, 0);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			child_exec_failed(ep[1], -errno);
		no_randomize();
		execve(argv[0], argv, environ);
		child_exec_failed(ep[1], errno);
	}
	setpgid(pid, pid);	/* as the child does: no race */
	close(ep[1]);
	null = -1;
	for (;;) {
		if (!wait_child(pid, &st, deadline, &null, &none)) {
			close(ep[0]);
			set_hang(&K, pid);
			return;
		}
		if (WIFEXITED(st)) {
			int e = read_errno(ep[0]);
			if (e < 0)
				fail("PTRACE_TRACEME: %s", strerror(-e));
			K.v = V_REFUSED;
			if (e)
				K.brief = xstrdup(strerror(e));
			else
				K.brief = str_printf("status %d", WEXITSTATUS(st));
			K.text = str_printf("refused: %s", K.brief);
			return;
		}
		if (WIFSIGNALED(st)) {
			close(ep[0]);
			set_killed(&K, WTERMSIG(st));
			return;
		}
		if (WIFSTOPPED(st)) {
			siginfo_t si;
			int sig = WSTOPSIG(st);

			if (!delivery_stop(pid, &si)) {
				cont(pid, 0);
				continue;
			}
			if (sig == SIGTRAP) {
				/* the SIGTRAP a successful execve sends */
				close(ep[0]);
				ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)PTRACE_O_EXITKILL);
				K.v = V_RAN;
				K.text = K.brief = "ran";
				K.pid = pid;
				return;
			}
			cont(pid, sig);
		}
	}
}

static char *oneline(struct buf *b)
{
	char *s = xstrdup(b->p ? b->p : "");
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = '|';
	return s;
}

/* "elfload --stop-at-entry FILE ARGS..." */
static char **elfload_argv(char **argv, int argc)
{
	char **eargv = xmalloc((size_t)(argc + 4) * sizeof(char *));
	int n = 0;

	eargv[n++] = "elfload";
	eargv[n++] = "--stop-at-entry";
	if (argv[0][0] == '-')
		eargv[n++] = "--";
	for (int i = 0; i < argc; i++)
		eargv[n++] = argv[i];
	eargv[n] = 0;
	return eargv;
}

/* Runs elfload (or, with -r, a command that ends in running it) to the
 * SIGTRAP of --stop-at-entry. */
static void run_elfload(const char *elfload, char **eargv, double timeout)
{
	int ep[2], op[2], st, execs = 0, first = 1;
	double deadline = now() + timeout;
	static struct buf err;
	pid_t pid;

	E.err = &err;
	pipe_cloexec(ep);
	pipe_cloexec(op);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(ep[0]);
		close(op[0]);
		setpgid(0, 0);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			child_exec_failed(ep[1], -errno);
		raise(SIGSTOP);
		if (!record_file)
			no_randomize();
		if (dup2(op[1], 2) < 0)
			child_exec_failed(ep[1], -errno);
		/* --map's output: the model keeps none of it */
		if (record_file) {
			int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (null < 0 || dup2(null, 1) < 0)
				child_exec_failed(ep[1], -errno);
			close(null);
		}
		execve(elfload, eargv, environ);
		child_exec_failed(ep[1], errno);
	}
	setpgid(pid, pid);
	close(ep[1]);
	close(op[1]);
	for (;;) {
		if (!wait_child(pid, &st, deadline, &op[0], &err)) {
			close(ep[0]);
			drain(&op[0], &err);
			set_hang(&E, pid);
			return;
		}
		if (WIFEXITED(st)) {
			int e = read_errno(ep[0]);
			if (e)
				fail("cannot run %s: %s", elfload, strerror(e < 0 ? -e : e));
			drain(&op[0], &err);
			E.v = V_REFUSED;
			E.status = WEXITSTATUS(st);
			E.brief = str_printf("status %d", WEXITSTATUS(st));
			E.text = str_printf("refused: %s: %s", E.brief, oneline(&err));
			return;
		}
		if (WIFSIGNALED(st)) {
			close(ep[0]);
			drain(&op[0], &err);
			set_killed(&E, WTERMSIG(st));
			return;
		}
		if (WIFSTOPPED(st)) {
			siginfo_t si;
			int sig = WSTOPSIG(st), event = st >> 16;

			if (first && sig == SIGSTOP) {
				/* our own raise(SIGSTOP), before the first execve */
				first = 0;
				if (ptrace(PTRACE_SETOPTIONS, pid, 0,
					   (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0)
					fail("PTRACE_SETOPTIONS: %s", strerror(errno));
				cont(pid, 0);
				continue;
			}
			if (event) {
				if (event == PTRACE_EVENT_EXEC)
					execs++;
				cont(pid, 0);
				continue;
			}
			if (!delivery_stop(pid, &si)) {
				cont(pid, 0);	/* a group-stop */
				continue;
			}
			/* --stop-at-entry: kill(getpid(), SIGTRAP) */
			if (sig == SIGTRAP && execs && si.si_code == SI_USER && si.si_pid == pid) {
				close(ep[0]);
				drain(&op[0], &err);
				E.v = V_RAN;
				E.text = E.brief = "ran";
				E.pid = pid;
				return;
			}
			cont(pid, sig);
		}
	}
}

/* ---- what /proc says, at the stop ---- */

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *p;

	if (fd < 0)
		fail("%s: %s", path, strerror(errno));
	p = xmalloc(cap + 1);
	for (;;) {
		ssize_t k;
		if (n == cap) {
			cap *= 2;
			p = xrealloc(p, cap + 1);
		}
		k = read(fd, p + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			fail("%s: %s", path, strerror(errno));
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	p[n] = 0;
	*len = n;
	return p;
}

static int is_map_header(const char *l)
{
	const char *p = l;

	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	return p > l && *p == '-';
}

static uint64_t page_size;

static void read_smaps(struct side *s)
{
	char path[64], *text, *line, *next;
	size_t len, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)s->pid);
	text = read_all(path, &len);
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (is_map_header(line)) {
			struct map m = { 0 };
			unsigned long lo, hi, off, ino;
			int pos = 0;
			struct stat sb;

			if (sscanf(line, "%lx-%lx %4s %lx %*s %lu %n", &lo, &hi, m.perms,
				   &off, &ino, &pos) < 5)
				fail("%s: cannot parse \"%s\"", path, line);
			m.lo = lo;
			m.hi = hi;
			m.off = off;
			m.inode = ino;
			m.path = xstrdup(pos ? line + pos : "");
			m.anon = ino == 0;
			if (!m.anon && m.path[0] == '/' && stat(m.path, &sb) == 0 &&
			    (uint64_t)sb.st_ino == m.inode && S_ISREG(sb.st_mode)) {
				m.eof_known = 1;
				m.eof = ((uint64_t)sb.st_size + page_size - 1) & ~(page_size - 1);
			}
			if (s->nmaps == cap) {
				cap = cap ? cap * 2 : 64;
				s->maps = xrealloc(s->maps, cap * sizeof(*s->maps));
			}
			s->maps[s->nmaps++] = m;
		} else if (s->nmaps) {
			unsigned long v;
			if (sscanf(line, "Rss: %lu", &v) == 1)
				s->maps[s->nmaps - 1].rss = v;
			else if (sscanf(line, "Swap: %lu", &v) == 1)
				s->maps[s->nmaps - 1].swap = v;
		}
	}
	free(text);
}

static const struct map *find_map(const struct side *s, uint64_t a)
{
	size_t lo = 0, hi = s->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->maps[mid].hi <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nmaps && s->maps[lo].lo <= a && a < s->maps[lo].hi)
		return &s->maps[lo];
	return 0;
}

static uint64_t auxv_get(const struct side *s, unsigned long type, int *found)
{
	for (size_t i = 0; i < s->nauxv; i++)
		if (s->auxv[2 * i] == type) {
			if (found)
				*found = 1;
			return s->auxv[2 * i + 1];
		}
	if (found)
		*found = 0;
	return 0;
}

/* A record's memory: the bytes of its REC_DATA runs, REC_ZERO's zeros */
static int read_record(const struct side *s, unsigned char *dst, size_t len, uint64_t addr)
{
	while (len) {
		const struct map *m = find_map(s, addr);
		size_t n;

		if (!m || (m->rec != REC_DATA + 1 && m->rec != REC_ZERO + 1))
			return -1;
		n = m->hi - addr < len ? (size_t)(m->hi - addr) : len;
		if (m->rec == REC_ZERO + 1)
			memset(dst, 0, n);
		else
			memcpy(dst, m->bytes + (addr - m->lo), n);
		dst += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static int read_mem(const struct side *s, void *dst, size_t len, uint64_t addr)
{
	size_t n = 0;

	if (s->memfd < 0)
		return read_record(s, dst, len, addr);
	while (n < len) {
		ssize_t k = pread(s->memfd, (char *)dst + n, len - n, (off_t)(addr + n));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		n += (size_t)k;
	}
	return 0;
}

static void collect(struct side *s)
{
	char path[64], *text, *p;
	size_t len;
	int found;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)s->pid);
	text = read_all(path, &len);
	s->nauxv = 0;
	s->auxv = xmalloc(len + 16);
	for (size_t i = 0; i + 2 * sizeof(unsigned long) <= len; i += 2 * sizeof(unsigned long)) {
		unsigned long t, v;
		memcpy(&t, text + i, sizeof(t));
		memcpy(&v, text + i + sizeof(t), sizeof(v));
		if (t == X_AT_NULL)
			break;
		s->auxv[2 * s->nauxv] = t;
		s->auxv[2 * s->nauxv + 1] = v;
		s->nauxv++;
	}
	free(text);
	if (!page_size) {
		page_size = auxv_get(s, X_AT_PAGESZ, &found);
		if (!found || !page_size || (page_size & (page_size - 1)))
			page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	}
	read_smaps(s);

	/* field 28, startstack; the name (2) may hold spaces and ")" */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->pid);
	text = read_all(path, &len);
	p = strrchr(text, ')');
	if (!p)
		fail("%s: cannot parse", path);
	p++;
	for (int field = 3; field <= 28; field++) {
		char *end;
		while (*p == ' ')
			p++;
		if (field == 28) {
			s->startstack = strtoull(p, &end, 10);
			break;
		}
		p = strchr(p, ' ');
		if (!p)
			fail("%s: cannot parse", path);
	}
	free(text);

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)s->pid);
	s->memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->memfd < 0)
		fail("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)s->pid);
	s->pagemapfd = open(path, O_RDONLY | O_CLOEXEC);

	s->stackmap = find_map(s, s->startstack);
	if (s->stackmap) {
		s->top = s->stackmap->hi;
		s->stacklen = (size_t)(s->top - s->startstack);
		s->stack = xmalloc(s->stacklen);
		if (read_mem(s, s->stack, s->stacklen, s->startstack) < 0)
			fail("cannot read the %s side's stack at 0x%llx: %s", s->name,
			     (unsigned long long)s->startstack, strerror(errno));
	}
}

/* ---- FILE's ELF headers ---- */

struct elf {
	int ok;			/* ELF64 in our byte order, headers read */
	uint16_t type;
	uint64_t entry, phoff;
	int xnum;		/* e_phnum is PN_XNUM */
	Elf64_Phdr *ph;
	size_t phnum;
	char *interp;		/* PT_INTERP, up to its first NUL */
};

static int is_script(const char *path, char *interp, size_t n)
{
	char b[256 + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;
	char *p, *q;

	if (fd < 0)
		return 0;
	k = pread(fd, b, 256, 0);
	close(fd);
	if (k < 2 || b[0] != '#' || b[1] != '!')
		return 0;
	b[k] = 0;
	p = b + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q && *q != ' ' && *q != '\t' && *q != '\n'; q++)
		;
	*q = 0;
	snprintf(interp, n, "%s", p);
	return 1;
}

static void read_elf(const char *path, struct elf *e)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const unsigned char host = (const union { uint16_t u; unsigned char c[2]; }){ 1 }.c[0]
		? ELFDATA2LSB : ELFDATA2MSB;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (fd < 0)
		return;
	/* read as this machine's kernel reads it: EI_CLASS and EI_DATA are
	 * not looked at (where a kernel does, it refuses, and no segment is
	 * compared); a header cut short reads as zeros */
	memset(&eh, 0, sizeof(eh));
	if (pread(fd, &eh, sizeof(eh), 0) < 4 || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		goto out;
	(void)host;
	e->type = eh.e_type;
	e->entry = eh.e_entry;
	e->phoff = eh.e_phoff;
	e->xnum = eh.e_phnum == PN_XNUM;
	e->ok = 1;
	n = eh.e_phnum;
	if (n == PN_XNUM && eh.e_shoff) {
		Elf64_Shdr sh;
		if (pread(fd, &sh, sizeof(sh), (off_t)eh.e_shoff) == (ssize_t)sizeof(sh))
			n = sh.sh_info;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || n == 0 || n > (1u << 24))
		goto out;
	e->ph = xmalloc(n * sizeof(Elf64_Phdr));
	if (pread(fd, e->ph, n * sizeof(Elf64_Phdr), (off_t)eh.e_phoff) !=
	    (ssize_t)(n * sizeof(Elf64_Phdr))) {
		free(e->ph);
		e->ph = 0;
		goto out;
	}
	e->phnum = n;
	for (size_t i = 0; i < n; i++)
		if (e->ph[i].p_type == PT_INTERP && e->ph[i].p_filesz) {
			size_t len = e->ph[i].p_filesz < 4096 ? e->ph[i].p_filesz : 4096;
			char *s = xmalloc(len + 1);
			ssize_t k = pread(fd, s, len, (off_t)e->ph[i].p_offset);
			s[k > 0 ? k : 0] = 0;
			e->interp = s;	/* up to the first NUL */
			break;
		}
out:
	close(fd);
}

/* ---- differences ---- */

enum { D_LINE, D_PROT, D_READ };

struct diff {
	int kind, interp;
	uint64_t lo, hi;	/* pages [lo, hi), link-time addresses */
	char *label, *msg;
};

static struct diff *diffs;
static size_t ndiffs, capdiffs;
static long last_of_kind[3] = { -1, -1, -1 };

static struct diff *new_diff(void)
{
	if (ndiffs == capdiffs) {
		capdiffs = capdiffs ? capdiffs * 2 : 64;
		diffs = xrealloc(diffs, capdiffs * sizeof(*diffs));
	}
	memset(&diffs[ndiffs], 0, sizeof(*diffs));
	return &diffs[ndiffs++];
}

static __attribute__((format(printf, 1, 2))) void differ(const char *fmt, ...)
{
	va_list ap;
	struct diff *d = new_diff();

	va_start(ap, fmt);
	if (vasprintf(&d->msg, fmt, ap) < 0)
		fail("out of memory");
	va_end(ap);
	d->kind = D_LINE;
}

/* A difference over pages: merged with the last one of its kind when it
 * continues it with the same label and message. */
static void page_diff(int kind, int interp, uint64_t lo, uint64_t hi, const char *label, char *msg)
{
	struct diff *d;

	if (kind != D_LINE && last_of_kind[kind] >= 0) {
		d = &diffs[last_of_kind[kind]];
		if (d->interp == interp && d->hi == lo && !strcmp(d->label, label) &&
		    !strcmp(d->msg, msg)) {
			d->hi = hi;
			free(msg);
			return;
		}
	}
	d = new_diff();
	d->kind = kind;
	d->interp = interp;
	d->lo = lo;
	d->hi = hi;
	d->label = xstrdup(label);
	d->msg = msg;
	if (kind != D_LINE)
		last_of_kind[kind] = (long)(d - diffs);
}

/* With -r the other side is the model: "kernel" in a message names it. */
static const char *as_said(char *msg)
{
	char *k;

	while (record_file && (k = strstr(msg, "kernel")))
		memcpy(k, "model", 5), memmove(k + 5, k + 6, strlen(k + 6) + 1);
	return msg;
}

static void print_diffs(void)
{
	size_t shown = ndiffs > 20 ? 20 : ndiffs;

	for (size_t i = 0; i < shown; i++) {
		struct diff *d = &diffs[i];
		if (!d->label)
			printf("%s: differ: %s\n", name_arg, as_said(d->msg));
		else if (d->hi - d->lo <= page_size || d->kind == D_LINE)
			printf("%s: differ: %spage 0x%llx (%s): %s\n", name_arg,
			       d->interp ? "interp " : "", (unsigned long long)d->lo, d->label,
			       as_said(d->msg));
		else
			printf("%s: differ: %spages 0x%llx-0x%llx (%s): %s\n", name_arg,
			       d->interp ? "interp " : "", (unsigned long long)d->lo,
			       (unsigned long long)d->hi, d->label, as_said(d->msg));
	}
	if (ndiffs > shown)
		printf("%s: ... %zu more\n", name_arg, ndiffs - shown);
}

/* ---- comparing the auxiliary vectors ---- */

/* A pointer into a side's stack, as an offset from its top. */
static int stack_off(const struct side *s, uint64_t v, uint64_t *off)
{
	if (!s->stackmap || v < s->stackmap->lo || v >= s->top)
		return 0;
	*off = s->top - v;
	return 1;
}

static char *show_stack_ptr(const struct side *s, uint64_t v)
{
	uint64_t off;

	if (stack_off(s, v, &off))
		return str_printf("top-0x%llx", (unsigned long long)off);
	return str_printf("0x%llx (not in the stack)", (unsigned long long)v);
}

/* Compares one entry; 1 if it agrees, else *why gets the details. */
static int auxv_entry_agrees(unsigned long type, uint64_t k, uint64_t e, char **why)
{
	uint64_t ok_ = 0, oe = 0;
	int ik, ie;

	switch (rule_of(type)) {
	case R_SKIP:
		return 1;
	case R_BIAS:
		if (k - K.pbias == e - E.pbias)
			return 1;
		*why = str_printf("kernel 0x%llx (bias 0x%llx), elfload 0x%llx (bias 0x%llx)",
				  (unsigned long long)k, (unsigned long long)K.pbias,
				  (unsigned long long)e, (unsigned long long)E.pbias);
		return 0;
	case R_NONZERO:
		if (!k == !e)
			return 1;
		*why = str_printf("kernel 0x%llx, elfload 0x%llx (compared as zero or not)",
				  (unsigned long long)k, (unsigned long long)e);
		return 0;
	case R_STACK:
		ik = stack_off(&K, k, &ok_);
		ie = stack_off(&E, e, &oe);
		if (ik && ie && ok_ == oe)
			return 1;
		if (!ik && !ie && k == e)
			return 1;
		{
			char *a = show_stack_ptr(&K, k), *b = show_stack_ptr(&E, e);
			*why = str_printf("kernel %s, elfload %s", a, b);
			free(a);
			free(b);
		}
		return 0;
	case R_EQUAL:
		break;
	}
	if (k == e)
		return 1;
	*why = str_printf("kernel 0x%llx, elfload 0x%llx", (unsigned long long)k,
			  (unsigned long long)e);
	return 0;
}

static char *type_list(const uint64_t *a, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		const char *name = auxv_name((unsigned long)a[2 * i]);
		if (i)
			buf_add(&b, " ", 1);
		buf_add(&b, name, strlen(name));
	}
	return b.p ? b.p : xstrdup("(none)");
}

/* -r: a side's entries less those not compared (elfload's: less
 * model_lacks[] too); how many went in *dropped */
static uint64_t *drop_lacked(const uint64_t *a, size_t *n, size_t *dropped, int elfload)
{
	uint64_t *out = xmalloc(16 * *n + 16);
	size_t k = 0;

	for (size_t i = 0; i < *n; i++)
		if (!lacked((unsigned long)a[2 * i], elfload)) {
			out[2 * k] = a[2 * i];
			out[2 * k + 1] = a[2 * i + 1];
			k++;
		}
	*dropped = *n - k;
	*n = k;
	return out;
}

static long lacked_entries;	/* -r: entries left out, elfload's less the model's */

static void compare_auxv(const char *what, const uint64_t *ka, size_t kn, const uint64_t *ea,
			 size_t en)
{
	int same_types;
	char *why;

	if (record_file) {
		size_t dk, de;

		ka = drop_lacked(ka, &kn, &dk, 0);
		ea = drop_lacked(ea, &en, &de, 1);
		lacked_entries = (long)de - (long)dk;
	}
	same_types = kn == en;

	for (size_t i = 0; same_types && i < kn; i++)
		if (ka[2 * i] != ea[2 * i])
			same_types = 0;
	if (same_types) {
		for (size_t i = 0; i < kn; i++)
			if (!auxv_entry_agrees((unsigned long)ka[2 * i], ka[2 * i + 1], ea[2 * i + 1], &why)) {
				differ("%s %s: %s", what, auxv_name((unsigned long)ka[2 * i]), why);
				free(why);
			}
		return;
	}
	{
		char *a = type_list(ka, kn), *b = type_list(ea, en);
		differ("%s: types differ: kernel %s; elfload %s", what, a, b);
		free(a);
		free(b);
	}
	/* the values of the types both have, first occurrence each */
	for (size_t i = 0; i < kn; i++) {
		size_t j;
		int dup = 0;
		for (size_t p = 0; p < i; p++)
			if (ka[2 * p] == ka[2 * i])
				dup = 1;
		if (dup)
			continue;
		for (j = 0; j < en && ea[2 * j] != ka[2 * i]; j++)
			;
		if (j < en && !auxv_entry_agrees((unsigned long)ka[2 * i], ka[2 * i + 1],
						 ea[2 * j + 1], &why)) {
			differ("%s %s: %s", what, auxv_name((unsigned long)ka[2 * i]), why);
			free(why);
		}
	}
}

/* ---- comparing the stacks ---- */

struct vec {
	int ok;
	uint64_t argc;
	size_t argv, envp, nenv, auxv, nauxv, end;	/* byte offsets from startstack */
};

static uint64_t word(const struct side *s, size_t off)
{
	uint64_t w;
	memcpy(&w, s->stack + off, 8);
	return w;
}

static struct vec parse_vec(const struct side *s)
{
	struct vec v = { 0 };
	size_t off, len = s->stacklen;

	if (len < 8)
		return v;
	v.argc = word(s, 0);
	if (v.argc > len / 8)
		return v;
	v.argv = 8;
	off = 8 + 8 * (size_t)v.argc;
	if (off + 8 > len || word(s, off) != 0)
		return v;
	v.envp = off + 8;
	for (off = v.envp; off + 8 <= len && word(s, off); off += 8)
		v.nenv++;
	if (off + 8 > len)
		return v;
	v.auxv = off + 8;
	for (off = v.auxv; off + 16 <= len && word(s, off) != X_AT_NULL; off += 16)
		v.nauxv++;
	if (off + 16 > len)
		return v;
	v.end = off + 16;
	v.ok = 1;
	return v;
}

static void compare_ptr_words(const char *what, size_t i, uint64_t k, uint64_t e)
{
	uint64_t ok_ = 0, oe = 0;
	int ik = stack_off(&K, k, &ok_), ie = stack_off(&E, e, &oe);

	if ((ik && ie && ok_ == oe) || (!ik && !ie && k == e))
		return;
	{
		char *a = show_stack_ptr(&K, k), *b = show_stack_ptr(&E, e);
		differ("stack: %s[%zu]: kernel %s, elfload %s", what, i, a, b);
		free(a);
		free(b);
	}
}

static void escape(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char t[8];
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			t[0] = (char)p[i], t[1] = 0;
		else if (p[i] == 0)
			strcpy(t, "\\0");
		else
			snprintf(t, sizeof(t), "\\x%02x", p[i]);
		buf_add(b, t, strlen(t));
	}
}

/* Bytes [top-hi, top-lo) differ; show them. */
static void stack_bytes_differ(uint64_t hi, uint64_t lo)
{
	size_t n = (size_t)(hi - lo), show = n > 24 ? 24 : n;
	struct buf a = { 0 }, b = { 0 };

	escape(&a, K.stack + K.stacklen - hi, show);
	escape(&b, E.stack + E.stacklen - hi, show);
	differ("stack: bytes differ at top-0x%llx (%zu bytes from there: kernel \"%s\"%s, "
	       "elfload \"%s\"%s)", (unsigned long long)hi, n, a.p ? a.p : "",
	       show < n ? "..." : "", b.p ? b.p : "", show < n ? "..." : "");
	free(a.p);
	free(b.p);
}

/* Is the byte at top-d one of a side's 16 AT_RANDOM bytes? */
static int in_random(const struct side *s, uint64_t d)
{
	int found;
	uint64_t v = auxv_get(s, X_AT_RANDOM, &found), off;

	if (!found || !stack_off(s, v, &off))
		return 0;
	/* bytes top-off .. top-off+15, i.e. d in (off-16, off] */
	return d <= off && d + 16 > off;
}

static int auxv_same(const struct side *s, const struct vec *v)
{
	if (v->nauxv != s->nauxv)
		return 0;
	for (size_t i = 0; i < v->nauxv; i++)
		if (word(s, v->auxv + 16 * i) != s->auxv[2 * i] ||
		    word(s, v->auxv + 16 * i + 8) != s->auxv[2 * i + 1])
			return 0;
	return 1;
}

static void compare_stack(void)
{
	struct vec vk, ve;
	uint64_t common, run_lo = 0, run_hi = 0;
	int in_run = 0;

	if (!K.stackmap || !E.stackmap) {
		differ("stack: startstack kernel 0x%llx%s, elfload 0x%llx%s",
		       (unsigned long long)K.startstack, K.stackmap ? "" : " (not mapped)",
		       (unsigned long long)E.startstack, E.stackmap ? "" : " (not mapped)");
		return;
	}
	if (strncmp(K.stackmap->perms, E.stackmap->perms, 3))
		differ("stack: protection kernel %.3s, elfload %.3s", K.stackmap->perms,
		       E.stackmap->perms);
	{
		uint64_t kl = K.stacklen + 16 * lacked_entries;	/* 0 but with -r */

		if (kl != E.stacklen)
			differ("stack: %llu bytes %s than the kernel's",
			       (unsigned long long)(E.stacklen > kl ? E.stacklen - kl : kl - E.stacklen),
			       E.stacklen > kl ? "lower" : "higher");
	}
	vk = parse_vec(&K);
	ve = parse_vec(&E);
	if (!vk.ok || !ve.ok) {
		differ("stack: %s argc, argv, envp and auxv do not fit in the stack",
		       !vk.ok ? "the kernel's" : "elfload's");
		return;
	}
	if (vk.argc != ve.argc)
		differ("stack: argc kernel %llu, elfload %llu", (unsigned long long)vk.argc,
		       (unsigned long long)ve.argc);
	for (size_t i = 0; i < vk.argc && i < ve.argc; i++)
		compare_ptr_words("argv", i, word(&K, vk.argv + 8 * i), word(&E, ve.argv + 8 * i));
	if (vk.nenv != ve.nenv)
		differ("stack: envp[] has %zu entries in the kernel's, %zu in elfload's", vk.nenv,
		       ve.nenv);
	for (size_t i = 0; i < vk.nenv && i < ve.nenv; i++)
		compare_ptr_words("envp", i, word(&K, vk.envp + 8 * i), word(&E, ve.envp + 8 * i));
	/* the stack's auxv is /proc/PID/auxv's, compared above, unless not */
	if (!auxv_same(&K, &vk) || !auxv_same(&E, &ve)) {
		uint64_t *ka = xmalloc(16 * vk.nauxv), *ea = xmalloc(16 * ve.nauxv);
		if (!auxv_same(&E, &ve))
			differ("stack: elfload's auxv is not its /proc/PID/auxv");
		if (!auxv_same(&K, &vk))
			differ("stack: the kernel's auxv is not its /proc/PID/auxv");
		for (size_t i = 0; i < 2 * vk.nauxv; i++)
			ka[i] = word(&K, vk.auxv + 8 * i);
		for (size_t i = 0; i < 2 * ve.nauxv; i++)
			ea[i] = word(&E, ve.auxv + 8 * i);
		compare_auxv("stack auxv", ka, vk.nauxv, ea, ve.nauxv);
		free(ka);
		free(ea);
	}
	/* past the auxv: padding, AT_RANDOM's bytes, strings; from the top */
	common = K.stacklen - vk.end < E.stacklen - ve.end ? K.stacklen - vk.end
							   : E.stacklen - ve.end;
	for (uint64_t d = common; d >= 1; d--) {
		int same = K.stack[K.stacklen - d] == E.stack[E.stacklen - d] ||
			   in_random(&K, d) || in_random(&E, d);
		if (!same) {
			if (in_run && run_lo - d <= 8) {
				run_lo = d;	/* [top-run_hi, top-run_lo] */
				continue;
			}
			if (in_run)
				stack_bytes_differ(run_hi, run_lo - 1);
			in_run = 1;
			run_hi = run_lo = d;
		}
	}
	if (in_run)
		stack_bytes_differ(run_hi, run_lo - 1);
}

/* ---- comparing the segments' pages ---- */

enum pstate { P_UNMAPPED, P_ZERO, P_DATA, P_UNREADABLE, P_MIXED, P_UNKNOWN };

static uint64_t unknown_pages;	/* -r: pages the record has no bytes of */

static unsigned char *kbuf, *ebuf, *zero;

/* Is the page at a (runtime) of map m present or swapped? */
static int page_touched(struct side *s, uint64_t a)
{
	uint64_t idx = a / page_size;

	if (s->pagemapfd < 0)
		return 1;
	if (idx < s->pm_first || idx >= s->pm_first + s->pm_n) {
		ssize_t k = pread(s->pagemapfd, s->pm, sizeof(s->pm), (off_t)(idx * 8));
		if (k < 8)
			return 1;
		s->pm_first = idx;
		s->pm_n = (size_t)k / 8;
	}
	return (s->pm[idx - s->pm_first] >> 62) != 0;	/* bit 63 present, 62 swapped */
}

/* The state of the whole range [a, b) of map m, when it is one. */
static enum pstate range_state(const struct map *m, uint64_t a)
{
	if (!m)
		return P_UNMAPPED;
	if (m->rec)
		return m->rec == REC_ZERO + 1 ? P_ZERO : m->rec == REC_FAULT + 1 ? P_UNREADABLE :
		       m->rec == REC_UNKNOWN + 1 ? P_UNKNOWN : P_MIXED;
	if (m->anon && m->rss == 0 && m->swap == 0)
		return P_ZERO;
	if (m->eof_known && m->off + (a - m->lo) >= m->eof)
		return P_UNREADABLE;	/* past the file's end: SIGBUS */
	return P_MIXED;
}

static enum pstate page_state(struct side *s, const struct map *m, uint64_t a, unsigned char *buf)
{
	enum pstate st = range_state(m, a);

	if (st != P_MIXED)
		return st;
	if (m->anon && !page_touched(s, a))
		return P_ZERO;
	return read_mem(s, buf, page_size, a) < 0 ? P_UNREADABLE : P_DATA;
}

static const char *state_name(enum pstate st)
{
	return st == P_UNREADABLE ? "unreadable" : st == P_UNMAPPED ? "unmapped" : "readable";
}

/* Is the byte at runtime address a one of the side's AT_RANDOM bytes? */
static int random_byte(const struct side *s, uint64_t a)
{
	int found;
	uint64_t r = auxv_get(s, X_AT_RANDOM, &found);

	return found && a >= r && a - r < 16;
}

/* Page lo (link-time) is at kp on the kernel's side, ep on elfload's. */
static void compare_contents(int interp, uint64_t lo, uint64_t kp, uint64_t ep, const char *label,
			     enum pstate sk, enum pstate se)
{
	const unsigned char *a = sk == P_ZERO ? zero : kbuf, *b = se == P_ZERO ? zero : ebuf;
	size_t first = 0, n = 0;

	if (sk == P_UNKNOWN || se == P_UNKNOWN) {
		unknown_pages++;
		return;
	}
	if ((sk == P_UNREADABLE) != (se == P_UNREADABLE)) {
		page_diff(D_READ, interp, lo, lo + page_size, label,
			  str_printf("contents kernel %s, elfload %s", state_name(sk), state_name(se)));
		return;
	}
	if (sk == P_UNREADABLE || (sk == P_ZERO && se == P_ZERO))
		return;
	for (size_t i = 0; i < page_size; i++)
		if (a[i] != b[i] && !random_byte(&K, kp + i) && !random_byte(&E, ep + i)) {
			if (!n)
				first = i;
			n++;
		}
	if (n == 1)
		page_diff(D_LINE, interp, lo, lo + page_size, label,
			  str_printf("bytes differ at +0x%zx (kernel 0x%02x, elfload 0x%02x)",
				     first, a[first], b[first]));
	else if (n)
		page_diff(D_LINE, interp, lo, lo + page_size, label,
			  str_printf("bytes differ at +0x%zx (kernel 0x%02x, elfload 0x%02x), "
				     "%zu bytes in all", first, a[first], b[first], n));
}

struct seg {
	uint64_t lo, hi;	/* pages, link-time */
	size_t idx;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static char *seg_label(const struct seg **act, size_t n)
{
	size_t *ix = xmalloc(n * sizeof(size_t));
	struct buf b = { 0 };
	char t[64];

	for (size_t i = 0; i < n; i++)
		ix[i] = act[i]->idx;
	qsort(ix, n, sizeof(size_t), cmp_size);
	buf_add(&b, "PT_LOAD ", 8);
	for (size_t i = 0; i < n; i++) {
		if (n > 4 && i == 2) {
			snprintf(t, sizeof(t), ", ..., %zu (%zu segments)", ix[n - 1], n);
			buf_add(&b, t, strlen(t));
			break;
		}
		snprintf(t, sizeof(t), "%s%zu", i ? ", " : "", ix[i]);
		buf_add(&b, t, strlen(t));
	}
	if (n > 1)
		buf_add(&b, ", shared", 8);
	free(ix);
	return b.p;
}

static void compare_segments(const struct elf *e, int interp, uint64_t kb, uint64_t eb)
{
	struct seg *segs;
	const struct seg **act;
	uint64_t *pts, mask = page_size - 1, lim_lo = UINT64_MAX, lim_hi = 0;
	size_t nseg = 0, npts = 0, nact = 0, next = 0, cap;

	if ((kb | eb) & mask) {
		differ("%s bias not page-aligned: kernel 0x%llx, elfload 0x%llx",
		       interp ? "interpreter" : "program", (unsigned long long)kb,
		       (unsigned long long)eb);
		return;
	}
	segs = xmalloc(e->phnum * sizeof(*segs));
	for (size_t i = 0; i < e->phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		uint64_t end;
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		end = p->p_vaddr + p->p_memsz;
		if (end < p->p_vaddr || end > UINT64_MAX - mask)
			end = UINT64_MAX - mask;	/* wraps: as far as it can go */
		segs[nseg].lo = p->p_vaddr & ~mask;
		segs[nseg].hi = (end + mask) & ~mask;
		segs[nseg].idx = i;
		if (segs[nseg].lo < lim_lo)
			lim_lo = segs[nseg].lo;
		if (segs[nseg].hi > lim_hi)
			lim_hi = segs[nseg].hi;
		nseg++;
	}
	if (!nseg) {
		free(segs);
		return;
	}
	qsort(segs, nseg, sizeof(*segs), cmp_seg);

	/* boundaries: the segments' pages and both sides' mappings */
	cap = 2 * nseg + 2 * K.nmaps + 2 * E.nmaps;
	pts = xmalloc(cap * sizeof(*pts));
	for (size_t i = 0; i < nseg; i++) {
		pts[npts++] = segs[i].lo;
		pts[npts++] = segs[i].hi;
	}
	for (int side = 0; side < 2; side++) {
		const struct side *s = side ? &E : &K;
		uint64_t bias = side ? eb : kb;
		for (size_t i = 0; i < s->nmaps; i++) {
			uint64_t a = s->maps[i].lo - bias, b = s->maps[i].hi - bias;
			if (a > lim_lo && a < lim_hi)
				pts[npts++] = a;
			if (b > lim_lo && b < lim_hi)
				pts[npts++] = b;
		}
	}
	qsort(pts, npts, sizeof(*pts), cmp_u64);

	act = xmalloc(nseg * sizeof(*act));
	for (size_t p = 0; p + 1 < npts; p++) {
		uint64_t a = pts[p], b = pts[p + 1];
		const struct map *mk, *me;
		enum pstate rk, re;
		char *label;

		if (a == b)
			continue;
		/* the segments touching [a, b) */
		for (size_t i = 0; i < nact;)
			if (act[i]->hi <= a)
				act[i] = act[--nact];
			else
				i++;
		while (next < nseg && segs[next].lo <= a) {
			if (segs[next].hi > a)
				act[nact++] = &segs[next];
			next++;
		}
		if (!nact)
			continue;
		label = seg_label(act, nact);
		mk = find_map(&K, a + kb);
		me = find_map(&E, a + eb);
		if (!mk || !me || strncmp(mk->perms, me->perms, 3))
			page_diff(D_PROT, interp, a, b, label,
				  str_printf("protection kernel %.3s, elfload %.3s",
					     mk ? mk->perms : "unmapped",
					     me ? me->perms : "unmapped"));
		if (!mk || !me) {
			free(label);
			continue;
		}
		rk = range_state(mk, a + kb);
		re = range_state(me, a + eb);
		if (rk == P_UNKNOWN) {
			unknown_pages += (b - a) / page_size;
			free(label);
			continue;
		}
		if (rk != P_MIXED && re != P_MIXED) {
			/* the whole range at once: zero or past a file's end */
			if ((rk == P_UNREADABLE) != (re == P_UNREADABLE))
				page_diff(D_READ, interp, a, b, label,
					  str_printf("contents kernel %s, elfload %s",
						     state_name(rk), state_name(re)));
			free(label);
			continue;
		}
		for (uint64_t pg = a; pg < b; pg += page_size) {
			enum pstate sk = page_state(&K, mk, pg + kb, kbuf);
			enum pstate se = page_state(&E, me, pg + eb, ebuf);
			compare_contents(interp, pg, pg + kb, pg + eb, label, sk, se);
		}
		free(label);
	}
	free(act);
	free(pts);
	free(segs);
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: parity [-t SECONDS] [-q] ELFLOAD FILE [ARGS...]\n"
		"       parity -r RECORD [-i INTERP] [-n NAME] [-t SECONDS] [-q] FILE COMMAND...\n"
		"  runs FILE under the kernel's execve and under ELFLOAD --stop-at-entry,\n"
		"  both stopped before the first instruction, and compares the verdicts,\n"
		"  auxv, stack and PT_LOAD pages; exit 0 agree, 1 differ, 2 failure\n"
		"  -t SECONDS  how long each run may take to stop (default 10)\n"
		"  -q          print nothing for a file that agrees\n"
		"  -r RECORD   compare with the fuzz harness's RECORD instead of the kernel:\n"
		"              COMMAND runs elfload --stop-at-entry on FILE (as the\n"
		"              record's program), INTERP is its interpreter's file\n"
		"  -n NAME     NAME instead of FILE in the output\n");
	exit(2);
}

/* ---- what elfload does differently on purpose ----
 *
 * The one list of differences that are not failures: each is a line of
 * the README's "What the program sees", whose words it quotes, and is
 * recognised from the file and the two runs alone. */

enum { DOC_PHDRS, DOC_CONGRUENT, DOC_REFUSES, DOC_ELF32, DOC_ELFIE, DOC_VDSO, DOC_PHDR_COPY, DOC_SHARED, DOC_COLLISION, NDOC };

static const char *const documented[NDOC] = {
	[DOC_PHDRS] = "more program headers than execve reads (README: \"A program header table over 64 KiB, or PN_XNUM\")",
	[DOC_CONGRUENT] = "a segment not congruent modulo the page, which the kernel kills in execve (README: \"Segments not congruent modulo the page\")",
	[DOC_REFUSES] = "a program that would fault on its first instruction (README: \"An entry point outside every PT_LOAD\")",
	[DOC_ELF32] = "a 32-bit program (README: \"elfload runs 64-bit programs\")",
	[DOC_ELFIE] = "an ELFie whose own pages leave no room for elfload's (README: \"ELFies are recognised by their non-allocated .pbdmap.ADDR/.pbstck.ADDR sections\")",
	[DOC_VDSO] = "the vDSO dropped, as a segment or reserved range needs its pages (README: \"when a segment needs its pages the vDSO and vvar go\")",
	[DOC_PHDR_COPY] = "no PT_LOAD holds the program headers: AT_PHDR names a copy (README: \"AT_PHDR where no segment holds the program headers\")",
	[DOC_SHARED] = "a page segments share without overlapping holds all their bytes (README: \"Segments that share a page\")",
	[DOC_COLLISION] = "the kernel's stack, vDSO or interpreter lands on the program's pages (README: \"The stack, vDSO, interpreter, brk and PIE base\")",
};
static int doc_seen[NDOC];

static int loads_hold(const struct elf *e, uint64_t off)
{
	for (size_t i = 0; i < e->phnum; i++)
		if (e->ph[i].p_type == PT_LOAD && e->ph[i].p_offset <= off &&
		    off - e->ph[i].p_offset < e->ph[i].p_filesz)
			return 1;
	return 0;
}

static int not_congruent(const struct elf *e)
{
	for (size_t i = 0; i < e->phnum; i++)
		if (e->ph[i].p_type == PT_LOAD && e->ph[i].p_memsz &&
		    ((e->ph[i].p_vaddr - e->ph[i].p_offset) & (page_size - 1)))
			return 1;
	return 0;
}

/* Has the file a section named .pbdmap.* or .pbstck.* (an ELFie's)? */
static int is_elfie(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf64_Ehdr eh;
	Elf64_Shdr str, sh;
	char name[8];

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || eh.e_shentsize != sizeof(sh) ||
	    eh.e_shstrndx >= eh.e_shnum ||
	    pread(fd, &str, sizeof(str), (off_t)(eh.e_shoff + eh.e_shstrndx * sizeof(sh))) !=
	    (ssize_t)sizeof(str))
		goto out;
	for (unsigned i = 0; i < eh.e_shnum && !found; i++)
		if (pread(fd, &sh, sizeof(sh), (off_t)(eh.e_shoff + i * sizeof(sh))) == (ssize_t)sizeof(sh) &&
		    pread(fd, name, 8, (off_t)(str.sh_offset + sh.sh_name)) == 8)
			found = !memcmp(name, ".pbdmap.", 8) || !memcmp(name, ".pbstck.", 8);
out:
	close(fd);
	return found;
}

/* Why the verdicts differ, if the README says so; else -1. */
static int documented_verdict(const struct elf *e)
{
	if (K.v == V_RAN && E.v == V_REFUSED && strstr(E.text, "ELFCLASS32"))
		return DOC_ELF32;
	if (K.v == V_RAN && E.v == V_REFUSED && strstr(E.text, ": no room for ") && is_elfie(file_arg))
		return DOC_ELFIE;
	if (!e->ok || !e->ph)
		return -1;
	if (K.v == V_REFUSED && E.v == V_RAN && strstr(K.text, "Exec format error") &&
	    (e->xnum || e->phnum * sizeof(Elf64_Phdr) > 65536))
		return DOC_PHDRS;
	if (K.v == V_KILLED && E.v == V_RAN && not_congruent(e))
		return DOC_CONGRUENT;
	if (K.v == V_RAN && E.v == V_REFUSED &&
	    (strstr(E.text, "entry point 0x") || strstr(E.text, "no PT_LOAD segment") ||
	     strstr(E.text, "has an interpreter of its own")))
		return DOC_REFUSES;
	return -1;
}

/* Do PT_LOADs that reach [lo, hi) share it without overlapping? */
static int shared_apart(const struct elf *e, uint64_t lo, uint64_t hi)
{
	size_t n = 0;

	for (size_t i = 0; i < e->phnum; i++) {
		const Elf64_Phdr *a = &e->ph[i];

		if (a->p_type != PT_LOAD || !a->p_memsz ||
		    (a->p_vaddr & ~(page_size - 1)) >= hi ||
		    ((a->p_vaddr + a->p_memsz + page_size - 1) & ~(page_size - 1)) <= lo)
			continue;
		n++;
		for (size_t j = i + 1; j < e->phnum; j++) {
			const Elf64_Phdr *b = &e->ph[j];

			if (b->p_type == PT_LOAD && b->p_memsz && a->p_vaddr < b->p_vaddr + b->p_memsz &&
			    b->p_vaddr < a->p_vaddr + a->p_memsz)
				return 0;
		}
	}
	return n > 1;
}

/* Does something the kernel placed itself (its stack, vDSO, vvar, the
 * interpreter) sit on the program's pages [lo, hi) (bias added)? */
static int kernel_collides(const struct elf *prog, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < K.nmaps; i++) {
		const struct map *m = &K.maps[i];
		int placed = m->path && (m->path[0] == '[' ||
					 (prog->interp && !strcmp(m->path, prog->interp)));

		if (placed && m->lo < hi && lo < m->hi)
			return 1;
	}
	/* or the kernel mapped the page over its stack, and wrote the
	 * program's first stack into it */
	return K.startstack < hi && lo < K.top;
}

static int collides_anywhere(const struct elf *prog)
{
	for (size_t i = 0; prog->ph && i < prog->phnum; i++) {
		const Elf64_Phdr *p = &prog->ph[i];

		if (p->p_type == PT_LOAD && p->p_memsz &&
		    kernel_collides(prog, (p->p_vaddr & ~(page_size - 1)) + K.pbias,
				    p->p_vaddr + p->p_memsz + K.pbias))
			return 1;
	}
	return 0;
}

/* Takes out of diffs[] what the README documents. */
static void drop_documented(const struct elf *prog)
{
	size_t k = 0;
	int collides = collides_anywhere(prog);

	/* the vDSO dropped: elfload's auxv is the kernel's less
	 * AT_SYSINFO_EHDR, and its stack that much shorter */
	int no_vdso = 0;
	{
		int k = 0, e = 0;

		auxv_get(&K, X_AT_SYSINFO_EHDR, &k);
		auxv_get(&E, X_AT_SYSINFO_EHDR, &e);
		no_vdso = k && !e && K.nauxv == E.nauxv + 1;
	}
	for (size_t i = 0; i < ndiffs; i++) {
		struct diff *d = &diffs[i];
		int doc = -1;

		if (no_vdso && !d->label && (!strncmp(d->msg, "auxv: types differ", 18) ||
					     !strcmp(d->msg, "stack: 16 bytes higher than the kernel's"))) {
			doc_seen[DOC_VDSO] = 1;
			continue;
		}

		if (!d->label && !strncmp(d->msg, "auxv AT_PHDR:", 13) && prog->ok &&
		    !loads_hold(prog, prog->phoff))
			doc = DOC_PHDR_COPY;
		else if (!d->label && !strncmp(d->msg, "stack:", 6) && collides)
			doc = DOC_COLLISION;
		else if (d->label && !d->interp && strstr(d->label, ", shared") &&
			 shared_apart(prog, d->lo, d->hi))
			doc = DOC_SHARED;
		else if (d->label && !d->interp &&
			 kernel_collides(prog, d->lo + K.pbias, d->hi + K.pbias))
			doc = DOC_COLLISION;
		if (doc >= 0)
			doc_seen[doc] = 1;
		else
			diffs[k++] = *d;
	}
	ndiffs = k;
}

static void print_documented(void)
{
	for (int i = 0; i < NDOC; i++)
		if (doc_seen[i])
			printf("%s: documented: %s\n", name_arg, documented[i]);
}

/* The bias of the program: AT_ENTRY less e_entry of the ELF that runs
 * (for a #! script, the one its chain of interpreters ends at). */
static int entry_of(const char *file, uint64_t *entry)
{
	char path[4096], next[4096];
	struct elf e;

	snprintf(path, sizeof(path), "%s", file);
	for (int depth = 0; depth < 6; depth++) {
		if (!is_script(path, next, sizeof(next))) {
			read_elf(path, &e);
			*entry = e.entry;
			free(e.ph);
			free(e.interp);
			return e.ok;
		}
		snprintf(path, sizeof(path), "%s", next);
	}
	return 0;
}

/* ---- -r: the model's side, from the fuzz harness's record ---- */

static void add_record_map(const struct rec_item *it, const void *bytes, size_t *cap)
{
	struct map m = { 0 };
	int prot = it->arg & 7;

	m.lo = it->a;
	m.hi = it->b;
	snprintf(m.perms, sizeof(m.perms), "%c%c%cp", prot & 1 ? 'r' : '-', prot & 2 ? 'w' : '-',
		 prot & 4 ? 'x' : '-');
	m.path = "";
	m.rec = (int)(it->arg >> 8) + 1;
	m.bytes = bytes;
	if (m.rec == REC_DATA + 1 && it->len != m.hi - m.lo)
		fail("%s: a run of 0x%llx bytes holds 0x%llx", record_file,
		     (unsigned long long)(m.hi - m.lo), (unsigned long long)it->len);
	if (K.nmaps == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		K.maps = xrealloc(K.maps, *cap * sizeof(*K.maps));
	}
	K.maps[K.nmaps++] = m;
}

static void end_of_record(const struct rec_item *it, const void *bytes)
{
	static struct buf err;

	K.err = &err;
	if ((int64_t)it->a == -1) {
		K.v = V_RAN;
		K.text = K.brief = "ran";
		return;
	}
	buf_add(&err, bytes, it->len);
	K.v = V_REFUSED;
	K.status = (int)it->a;
	K.brief = str_printf("status %d", K.status);
	K.text = str_printf("refused: %s: %s", K.brief, oneline(&err));
}

static void load_record(void)
{
	struct rec r;
	const struct rec_item *it;
	const void *bytes;
	size_t cap = 0;
	struct vec v;

	errno = 0;
	if (rec_load(&r, record_file) < 0)
		fail("%s: %s", record_file, errno ? strerror(errno) : "not a record");
	K.name = "model";
	while ((it = rec_next(&r, &bytes)))
		if (it->tag == REC_END)
			end_of_record(it, bytes);
		else if (it->tag == REC_MAP)
			add_record_map(it, bytes, &cap);
		else if (it->tag == REC_STACK) {
			K.startstack = it->a;
			K.top = it->b;
			K.stack = (unsigned char *)bytes;
			K.stacklen = it->len;
		}
	if (K.v == V_NONE)
		fail("%s: the record has no end", record_file);
	if (!K.stack)
		return;
	K.stackmap = find_map(&K, K.startstack);
	v = parse_vec(&K);
	if (!v.ok)
		fail("%s: the record's stack has no argc, argv, envp and auxv", record_file);
	K.nauxv = v.nauxv;
	K.auxv = xmalloc(16 * v.nauxv + 16);
	for (size_t i = 0; i < 2 * v.nauxv; i++)
		K.auxv[i] = word(&K, v.auxv + 8 * i);
}

/* The same end on both sides: the same refusal (status and what it
 * wrote), exit 0 with the same message, or both at the program (-1). */
static int record_verdict(int quiet)
{
	if (K.v == V_RAN && E.v == V_RAN)
		return -1;
	if (K.v == V_REFUSED && E.v == V_REFUSED && K.status == E.status) {
		const char *k = K.err->p ? K.err->p : "", *e = E.err->p ? E.err->p : "";

		if (K.err->n == E.err->n && !memcmp(k, e, K.err->n)) {
			if (!quiet)
				printf("%s: agree: both exit %d\n", name_arg, K.status);
			return 0;
		}
		printf("%s: differ: message: model \"%s\", elfload \"%s\"\n", name_arg,
		       oneline(K.err), oneline(E.err));
		return 1;
	}
	printf("%s: differ: verdict: model %s, elfload %s\n", name_arg, K.text, E.text);
	return 1;
}

/* The interpreter's pages are compared where the model loaded one: at
 * AT_BASE, or, for an ET_EXEC one (AT_BASE 0), where its first PT_LOAD
 * is mapped. */
static int interp_loaded(const struct elf *e)
{
	if (K.ibias || E.ibias)
		return 1;
	for (size_t i = 0; i < e->phnum; i++)
		if (e->ph[i].p_type == PT_LOAD && e->ph[i].p_memsz)
			return find_map(&K, e->ph[i].p_vaddr) != 0;
	return 0;
}

static void print_unknown(void)
{
	if (unknown_pages)
		printf("%s: not compared: %llu pages the record has no bytes of\n", name_arg,
		       (unsigned long long)unknown_pages);
}

/* -r: AT_PHDR naming a copy is where elfload's layout put it */
static void drop_phdr_copy(const struct elf *prog)
{
	size_t k = 0;

	for (size_t i = 0; i < ndiffs; i++)
		if (diffs[i].label || strncmp(diffs[i].msg, "auxv AT_PHDR:", 13) || !prog->ok ||
		    loads_hold(prog, prog->phoff))
			diffs[k++] = diffs[i];
	ndiffs = k;
}

/* Both sides stopped at the program: what they left for it. */
static int compare_processes(int quiet, const char *interp_file)
{
	struct elf prog = { 0 }, interp = { 0 };
	char tmp[4096];
	int script;

	if (record_file && !K.stack) {
		if (!quiet)
			printf("%s: agree: both ran (a #! script: the model describes no process)\n",
			       name_arg);
		kill_side(&E);
		return 0;
	}
	if (!record_file)
		collect(&K);
	collect(&E);

	script = is_script(file_arg, tmp, sizeof(tmp));
	if (!script)
		read_elf(file_arg, &prog);
	{
		uint64_t entry, ek = auxv_get(&K, X_AT_ENTRY, 0), ee = auxv_get(&E, X_AT_ENTRY, 0);

		if (entry_of(file_arg, &entry)) {
			K.pbias = ek - entry;
			E.pbias = ee - entry;
		} else {
			K.pbias = ek;	/* no e_entry known: AT_ENTRY itself */
			E.pbias = ee;
		}
		K.ibias = auxv_get(&K, X_AT_BASE, 0);
		E.ibias = auxv_get(&E, X_AT_BASE, 0);
		if (prog.ok && prog.type == ET_EXEC && (K.pbias || E.pbias))
			differ("program bias of an ET_EXEC: kernel 0x%llx, elfload 0x%llx",
			       (unsigned long long)K.pbias, (unsigned long long)E.pbias);
	}

	compare_auxv("auxv", K.auxv, K.nauxv, E.auxv, E.nauxv);
	compare_stack();

	if (prog.ok && prog.ph) {
		kbuf = xmalloc(page_size);
		ebuf = xmalloc(page_size);
		zero = calloc(1, page_size);
		if (!zero)
			fail("out of memory");
		compare_segments(&prog, 0, K.pbias, E.pbias);
		if (!record_file && prog.interp)
			interp_file = prog.interp;
		if (interp_file) {
			read_elf(interp_file, &interp);
			if (interp.ok && interp.ph && (!record_file || interp_loaded(&interp)))
				compare_segments(&interp, 1, K.ibias, E.ibias);
		}
	}

	kill_side(&K);
	kill_side(&E);
	if (!record_file)
		drop_documented(&prog);
	else
		drop_phdr_copy(&prog);
	if (!ndiffs) {
		if (!quiet)
			printf("%s: agree: both ran\n", name_arg);
		if (!quiet)
			print_documented();
		if (!quiet)
			print_unknown();
		return 0;
	}
	print_diffs();
	print_documented();
	print_unknown();
	return 1;
}

/* Neither side at the program, or only one: the kernel's verdict and
 * elfload's. */
static int compare_verdicts(int quiet)
{
	int rc, kno = K.v == V_REFUSED || K.v == V_KILLED, eno = E.v == V_REFUSED || E.v == V_KILLED;
	char tmp[4096];

	if (kno && eno) {
		if (!quiet)
			printf("%s: agree: both refused (kernel: %s; elfload: %s)\n", name_arg,
			       K.brief, E.brief);
		rc = 0;
	} else if (K.v == V_HANG && E.v == V_HANG) {
		if (!quiet)
			printf("%s: agree: both hang\n", name_arg);
		rc = 0;
	} else {
		struct elf e = { 0 };
		int doc;

		if (!is_script(file_arg, tmp, sizeof(tmp)))
			read_elf(file_arg, &e);
		doc = documented_verdict(&e);
		if (doc >= 0) {
			if (!quiet)
				printf("%s: agree but as documented: %s\n", name_arg, documented[doc]);
			rc = 0;
		} else {
			printf("%s: differ: verdict: kernel %s, elfload %s\n", name_arg, K.text, E.text);
			rc = 1;
		}
	}
	kill_side(&K);
	kill_side(&E);
	return rc;
}

int main(int argc, char **argv)
{
	double timeout = 10;
	int quiet = 0, opt, rc;
	const char *interp_file = 0;
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "+t:qr:i:n:h")) != -1) {
		char *end;
		switch (opt) {
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0))
				usage();
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			record_file = optarg;
			break;
		case 'i':
			interp_file = optarg;
			break;
		case 'n':
			name_arg = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2 || (interp_file && !record_file))
		usage();
	file_arg = argv[optind + !record_file];
	if (!name_arg)
		name_arg = file_arg;

	setvbuf(stdout, 0, _IOLBF, 0);
	if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		fail("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;	/* and no SA_NOCLDSTOP: ptrace stops wake us too */
	sigaction(SIGCHLD, &sa, 0);

	if (record_file) {
		load_record();
		run_elfload(argv[optind + 1], argv + optind + 1, timeout);
		rc = record_verdict(quiet);
	} else {
		run_kernel(argv + optind + 1, timeout);
		run_elfload(argv[optind], elfload_argv(argv + optind + 1, argc - optind - 1),
			    timeout);
		rc = K.v != V_RAN || E.v != V_RAN ? compare_verdicts(quiet) : -1;
	}
	if (rc >= 0) {
		kill_side(&E);
		return rc;
	}
	return compare_processes(quiet, interp_file);
}
