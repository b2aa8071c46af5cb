/*
 * The contract between stage1 and stage2.
 *
 * stage1 maps the hole (one free range that collides with nothing mapped now
 * and with no part of the program's layout), copies the stage2 blob to its
 * start, writes a struct plan behind it and calls
 *
 *     stage2_main(plan)      on the stack that ends at hole_base + keep_len
 *
 * Every address in the plan is final: the plan lives where stage1 wrote it.
 *
 *     hole_base  +----------------------+
 *                | stage2 code     r-x  |  kept: code may still run (the
 *                | phdr copy       r--  |  --entry shim) and AT_PHDR may
 *                | stage2 stack    rw-  |  point at the phdr copy
 *     +keep_len  +----------------------+
 *                | struct plan, ops,    |  unmapped by stage2 just before
 *                | strings, stack image |  the jump
 *     hole_end   +----------------------+
 *
 * stage2 runs unmaps[] (everything stage1 had mapped, except the hole and a
 * kept vDSO), then ops[] (program segments, stack, prctl, close), unmaps the
 * plan area and enters the program. A failing op ends the process with one
 * line on stderr and status EXIT_CANNOT unless the op is OP_OPTIONAL.
 *
 * stage2 never touches a page that a file backs: it writes (OP_PREAD,
 * OP_ZERO, OP_COPY) only to anonymous memory. A file that shrinks after
 * stage1 read it then makes an OP_PREAD come up short, which stage2
 * reports, instead of a SIGBUS that would kill it.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdint.h>

/* elfload's own exit statuses; otherwise the program's is elfload's */
#define EXIT_USAGE   125 /* elfload's own command line is wrong */
#define EXIT_CANNOT  126 /* the program cannot be run */
#define EXIT_MISSING 127 /* the program cannot be found */

#define PLAN_MAGIC 0x6e616c7064616f6cULL /* "loadplan" */

enum op_kind {
	OP_MUNMAP = 1,   /* munmap(addr, len) */
	OP_MMAP,         /* mmap(addr, len, prot, flags, fd, arg) == addr */
	OP_PREAD,        /* read len bytes at file offset arg to addr */
	OP_ZERO,         /* memset(addr, 0, len) */
	OP_COPY,         /* memcpy(addr, arg, len) */
	OP_MPROTECT,     /* mprotect(addr, len, prot) */
	OP_SYNC_ICACHE,  /* make [addr, addr+len) coherent for execution */
	OP_PRCTL,        /* prctl(flags, arg, addr, len, 0) */
	OP_CLOSE,        /* close(fd) */
	OP_TRAP,         /* stop here for a debugger: SIGTRAP to ourselves;
			    with flags OP_TRAP_IGNORED, while SIGTRAP is
			    ignored, so that passed on it does nothing */
	OP_CAPSET,       /* capset(addr: its header, arg: its data) */
};
#define OP_KIND_MASK 0xff
#define OP_TRAP_IGNORED 1
#define OP_OPTIONAL  0x100 /* failure is ignored: the kernel may refuse */
#define OP_IF_FAILED 0x200 /* run only if the op before failed */

struct op {
	uint32_t kind;
	int32_t fd;
	uint32_t prot;
	uint32_t flags;
	uint64_t addr;
	uint64_t len;
	uint64_t arg;
};

struct plan {
	uint64_t magic;
	uint64_t name;        /* char *: the program, for error messages */
	uint64_t interp;      /* char *: its interpreter, or 0 */
	int64_t interp_fd;    /* the interpreter's descriptor, or -1 */
	uint64_t unmaps;      /* struct op[nunmaps] */
	uint64_t nunmaps;
	uint64_t ops;         /* struct op[nops] */
	uint64_t nops;
	uint64_t entry;       /* where the program starts */
	uint64_t sp;          /* its initial stack pointer (points at argc) */
	uint64_t call;        /* nonzero: call entry as int f(argc, argv, envp) */
	uint64_t drop;        /* [drop, drop + drop_len): the plan area */
	uint64_t drop_len;
};

/* The blob's entry point; stage1 finds it at STAGE2_OFF_stage2_main. */
void stage2_main(struct plan *plan) __attribute__((noreturn));

#endif
