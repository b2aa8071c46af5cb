/*
 * The fuzz harness: stage1's real sources, built with clang's libFuzzer,
 * ASan and UBSan, against a model of the kernel instead of the real one.
 *
 *   input.c    the fuzz input: a machine, elfload's arguments, the
 *              program and its interpreter
 *   model.c    the address space: mappings, what each byte holds, and the
 *              kernel's rules for mmap, munmap and mprotect
 *   kernel.c   every system call stage1 makes, answered from the model
 *   oracle.c   the plan stage1 hands over, played as stage2 would play it,
 *              and checked: nothing may fail or fault, and the program
 *              must find its segments, entry, stack and auxv right
 *   harness.c  LLVMFuzzerTestOneInput, and the stand-ins for launch.c
 *
 * Where stage1 reads or writes memory itself (its arena, its first stack,
 * the vDSO's header, the hole) the harness gives it real memory at fixed
 * addresses, so that every run is the same.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stddef.h>

/* ---- input.c ---- */
struct file {
	const uint8_t *data;
	uint64_t size;
	uint32_t mode, uid, gid;
	int present;
};

struct world {
	uint64_t page, top, min_addr, max_map_count;
	uint64_t ram_swap;
	uint64_t commit_left;   /* vm.overcommit_memory 2: what the process may commit */
	int overcommit, have_proc, have_vdso, root, traced, nnp, nosuid;
	/* rarer circumstances: stage1's second run (the re-exec's marker in
	 * the environment), pages above the stack (as qemu-user keeps), no
	 * AT_PAGESZ, many other mappings, no faccessat2, the program swapped
	 * for a FIFO between two opens */
	int second_run, above_stack, no_pagesz, crowded, no_faccessat2, swapped;
	uint64_t rlim_stack, rlim_as, rlim_data;
	uint32_t uid, euid, gid, egid;
	long personality;
	int argc;
	char *argv[40];
	char *envp[8];
	uint64_t nextra;          /* `crowded`: other mappings, 64 KiB apart */
	struct file prog, interp;
};
extern struct world W;
void decode_input(const uint8_t *data, size_t size);

/* ---- model.c ---- */
enum { V_ANON, V_FILE, V_SPECIAL };
enum { OWN_STAGE1 = 1, OWN_OTHER, OWN_HOLE };
enum { S_ZERO, S_FILE, S_BYTES, S_NONE };

struct vma {
	uint64_t lo, hi;
	int prot, flags;      /* PROT_*, MAP_NORESERVE of the mmap */
	int kind, owner;
	int file;             /* 0 program, 1 interpreter */
	uint64_t off;         /* file offset at lo */
	const char *name;
};

/* What a byte holds: zero, a file's byte, or a byte in memory. */
struct src {
	int kind;
	int file;
	uint64_t off;
	const uint8_t *bytes;
};

void model_reset(void);
size_t model_count(void);
const struct vma *model_vma(size_t i);
const struct vma *model_find(uint64_t a);
/* The kernel's mmap, munmap and mprotect, rules and limits included;
 * they return 0 or -errno. */
long model_mmap(uint64_t addr, uint64_t len, int prot, int flags, int file,
		uint64_t off, int owner, const char *name);
long model_munmap(uint64_t addr, uint64_t len);
long model_mremap(uint64_t old, uint64_t len, uint64_t new_len, int flags, uint64_t to);
/* A mapping the process starts with, whatever the limits say; V_SPECIAL
 * for the kernel's own (vvar, vDSO), which cannot be split. */
void model_add(uint64_t lo, uint64_t hi, int prot, int kind, int owner,
	       const char *name);
long model_mprotect(uint64_t addr, uint64_t len, int prot);
/* Writes by stage2: 0, or a description of why it would fault. */
const char *model_write(uint64_t lo, uint64_t len, const struct src *s);
/* The source of the byte at a and how many bytes on it stays the same
 * kind (with offsets moving along); S_NONE where nothing is mapped. */
uint64_t model_src(uint64_t a, struct src *s);
/* Reads n bytes, returning 0, or what would fault. */
const char *model_read(uint64_t a, void *buf, uint64_t n);
/* The same, whatever the protections say (mapped is enough). */
const char *model_peek(uint64_t a, void *buf, uint64_t n);
/* /proc/self/maps as the kernel would print it */
size_t model_maps_text(char *buf, size_t size);

/* ---- kernel.c ---- */
void kernel_reset(void);
extern char fuzz_out[8192];        /* what stage1 wrote, stdout and stderr */
extern size_t fuzz_nout;
extern const char *prog_path;      /* the program as stage1 opened it */
int fd_file(int fd);               /* 0, 1, or -1: not a file we gave */

/* ---- oracle.c ---- */
/* What the oracle needs of stage1's layout: the hole, and the granule
 * segments were laid out in (--page-size), for the union rule. */
struct hole_view {
	const uint8_t *buf;   /* the hole's bytes, as stage1 wrote them */
	uint64_t lo, len, blob_len, keep_len, page;
};
void oracle_run(const struct hole_view *hv, uint64_t plan_addr);
/* Before a run: elfload's command line, read on its own. After it: the
 * exit status against the options. */
void oracle_begin(void);
void oracle_check_end(int reached, int code);
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* With FUZZ_SHOW set: what an input did, on stderr. */
void fuzz_show(const char *outcome);

/* ---- describe.c: with FUZZ_DESCRIBE=FILE set, what a run came to,
 * written to FILE for tests/fuzz/real.py to hold against the real
 * kernel: the process the program finds (called once the oracle has
 * played the plan, with the plan's stack pointer and entry), and how
 * stage1 ended (its exit code, or -1 when it reached the program, and
 * what it wrote) ---- */
void describe_process(uint64_t sp, uint64_t entry);
void describe_end(int code, const char *out, size_t n);

/* ---- harness.c ---- */
void fuzz_exit(int code) __attribute__((noreturn));

/* ---- memory.c: real memory at fixed addresses ---- */
#define FAKE_STACK_TOP  0x600000000000ULL
#define FAKE_STACK_SIZE (1ULL << 20)
#define FAKE_VDSO       0x5fff00000000ULL  /* vvar: 4 pages, then the vDSO */
#define ARENA_TOP       0x580000000000ULL
#define ARENA_SIZE      (8ULL << 30)
#define HOLE_BUF        0x400000000000ULL
#define HOLE_BUF_SIZE   (1ULL << 30)
void *arena_take(uint64_t len);    /* top-down, like mmap; 0 when full */
/* Fresh memory and model for a run: stage1's image, its first stack
 * (built as the kernel builds it, for W), the vDSO. Returns the stack
 * pointer the kernel would hand to _start. */
long *memory_reset(void);
uint8_t *hole_buffer(uint64_t len);
/* the auxiliary vector of that first stack, pairs up to AT_NULL */
extern uint64_t first_auxv[64];

#endif
