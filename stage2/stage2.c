/*
 * stage2: runs from the hole with nothing of stage1 left to return to.
 * It only executes the plan stage1 wrote (see common/plan.h) with raw
 * syscalls; every decision was made, and every input validated, before it
 * started.
 */
#include <linux/signal.h>
#include "arch.h"
#include "lib.h"
#include "plan.h"

static const char *op_name(uint32_t kind)
{
	switch (kind & OP_KIND_MASK) {
	case OP_MUNMAP:   return "munmap";
	case OP_MMAP:     return "mmap";
	case OP_PREAD:    return "read";
	case OP_MPROTECT: return "mprotect";
	case OP_PRCTL:    return "prctl";
	case OP_CLOSE:    return "close";
	case OP_CAPSET:   return "capset";
	default:          return "operation";
	}
}

/* run_op's answer when a file ended before the bytes stage1 saw in it */
#define FILE_CHANGED 1

/* A message line, built in pieces: paths may be as long as PATH_MAX. */
struct line {
	char buf[2 * 4096 + 256];
	size_t n;
};

static void put(struct line *l, const char *s)
{
	while (*s && l->n < sizeof(l->buf) - 1)
		l->buf[l->n++] = *s++;
}

static void put_hex(struct line *l, uint64_t v)
{
	char num[17];

	num[fmt_hex(num, v, 1)] = 0;
	put(l, "0x");
	put(l, num);
}

/* One line on stderr, then exit EXIT_CANNOT: past the point of no return
 * there is nothing to go back to. */
static __attribute__((noreturn)) void fail(const struct plan *p,
					   const struct op *op, long err)
{
	struct line l = { .n = 0 };

	put(&l, "elfload: ");
	put(&l, (const char *)p->name);
	put(&l, ": ");
	if (err == FILE_CHANGED) {
		if (p->interp && op->fd == (int32_t)p->interp_fd) {
			put(&l, "interpreter ");
			put(&l, (const char *)p->interp);
			put(&l, ": ");
		}
		put(&l, "the file changed while it was being loaded");
	} else {
		put(&l, op_name(op->kind));
		put(&l, " ");
		put_hex(&l, op->addr);
		put(&l, "-");
		put_hex(&l, op->addr + op->len);
		put(&l, " failed: ");
		put(&l, errno_name(err));
	}
	put(&l, "\n");
	write_all(2, l.buf, l.n);
	sys_exit(EXIT_CANNOT);
}

/* A short read means the file shrank since stage1 looked at it. */
static long read_fully(int fd, void *dst, uint64_t len, uint64_t off)
{
	long r = pread_full(fd, dst, len, off);

	return r < 0 ? r : (uint64_t)r == len ? 0 : FILE_CHANGED;
}

/* SIGTRAP to ourselves: a debugger stops here. Ignored while it is raised,
 * a signal the debugger passes on is dropped instead of killing us; the
 * disposition the program inherits is given back right after. The
 * kernel's struct sigaction starts with the handler everywhere, the rest
 * zero is no flags and an empty mask. */
static long trap(int ignored)
{
	uint64_t ign[4] = { (uint64_t)SIG_IGN, 0, 0, 0 }, old[4];
	long r;

	if (ignored && sys_rt_sigaction(SIGTRAP, ign, old) < 0)
		ignored = 0;
	r = sys_kill(sys_getpid(), SIGTRAP);
	if (ignored)
		sys_rt_sigaction(SIGTRAP, old, 0);
	return r;
}

static long run_op(const struct op *op)
{
	long r;

	switch (op->kind & OP_KIND_MASK) {
	case OP_MUNMAP:
		return sys_munmap(op->addr, op->len);
	case OP_MMAP:
		r = sys_mmap(op->addr, op->len, op->prot, op->flags, op->fd,
			     op->arg);
		if (sys_failed(r))
			return r;
		return (uint64_t)r == op->addr ? 0 : -EEXIST;
	case OP_PREAD:
		return read_fully(op->fd, (void *)op->addr, op->len, op->arg);
	case OP_ZERO:
		memset((void *)op->addr, 0, op->len);
		return 0;
	case OP_COPY:
		memcpy((void *)op->addr, (const void *)op->arg, op->len);
		return 0;
	case OP_MPROTECT:
		return sys_mprotect(op->addr, op->len, op->prot);
	case OP_SYNC_ICACHE:
		__builtin___clear_cache((char *)op->addr,
					(char *)op->addr + op->len);
		return 0;
	case OP_PRCTL:
		return sys_prctl(op->flags, op->arg, op->addr, op->len, 0);
	case OP_CLOSE:
		return sys_close(op->fd);
	case OP_TRAP:
		return trap(op->flags & OP_TRAP_IGNORED);
	case OP_CAPSET:
		return sys_capset(op->addr, op->arg);
	}
	return -EINVAL;
}

static void run_ops(const struct plan *p, const struct op *op, uint64_t n)
{
	long r = 0;

	for (; n--; op++) {
		if ((op->kind & OP_IF_FAILED) && r == 0)
			continue;
		r = run_op(op);
		if (r != 0 && !(op->kind & OP_OPTIONAL))
			fail(p, op, r);
	}
}

/* --entry: the program's function runs on the program's stack as
 * f(argc, argv, envp); its return value becomes the exit status. */
static __attribute__((noreturn, used)) void call_entry(uint64_t fn, uint64_t sp)
{
	long argc = *(long *)sp;
	char **argv = (char **)(sp + sizeof(long));
	char **envp = argv + argc + 1;
	int (*f)(int, char **, char **) = (int (*)(int, char **, char **))fn;

	sys_exit(f((int)argc, argv, envp));
}

void stage2_main(struct plan *p)
{
	uint64_t entry, sp, call;

	if (p->magic != PLAN_MAGIC)
		sys_exit(EXIT_CANNOT);
	run_ops(p, (const struct op *)p->unmaps, p->nunmaps);
	run_ops(p, (const struct op *)p->ops, p->nops);

	entry = p->entry;
	sp = p->sp;
	call = p->call;
	sys_munmap(p->drop, p->drop_len);

	if (call)
		arch_call_on_stack((uint64_t)call_entry, sp, entry, sp);
	arch_start_program(entry, sp);
}
