/*
 * stage1: everything that can fail happens here, before the point of no
 * return. It reads and validates the program, looks at what is mapped now,
 * plans the final address space, and hands stage2 a finished plan
 * (common/plan.h).
 *
 * One file per job; main.c tells the story of a run in their order:
 *   cli.c      the command line          reexec.c   randomization off
 *   host.c     what the machine is like   open.c     finding the program
 *   stream.c   a program on a pipe        foreign.c  another architecture's
 *   elf.c      reading and validating     symbol.c   --entry SYMBOL
 *   elfie.c    pages an ELFie maps itself
 *   layout.c   where everything goes      segments.c the ops that map them
 *   stack.c    the program's first stack  handover.c filling the hole
 *   launch.c   mapping it, the jump
 *   area.c     elfload's own addresses   limits.c   what the kernel allows
 *   report.c   --map and --verbose
 *   creds.c    set-user-ID and -group-ID
 *   out.c      messages and dying         mem.c      memory until stage2
 *   sort.c     the one sort
 */
#ifndef STAGE1_H
#define STAGE1_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include <linux/resource.h>
#include "arch.h"
#include "lib.h"
#include "plan.h"

/* What the kernel does by default, where stage1 must assume it. */
#define KERNEL_STACK_LIMIT   (8ULL << 20)  /* RLIMIT_STACK's default (_STK_LIM) */
#define KERNEL_MMAP_MIN_ADDR 65536ULL      /* vm.mmap_min_addr, as distributions set it */
#define KERNEL_MAX_MAP_COUNT 65530ULL      /* vm.max_map_count's default */
/* Below this RLIMIT_STACK the program gets the default instead: the
 * strings and vectors alone may need that much. */
#define MIN_STACK_SIZE       (128ULL << 10)
/* How far below the stack the kernel starts the mmap area at least
 * (mmap_base's gap, with room for its random offset), and how much of a
 * stack is guessed to exist without /proc. */
#define STACK_MMAP_GAP       (256ULL << 20)
/* With --aslr, how far past the program's end the kernel starts the brk
 * heap at most: every architecture's arch_randomize_brk for 64-bit tasks
 * (x86_64 since Linux 6.9; 32 MiB before). */
#define BRK_RANDOM           (1ULL << 30)
/* When the layout's brk start is taken: the room a new one must have free
 * above it, for the heap to grow into. */
#define BRK_ROOM             (64ULL << 20)
/* vvar's pages sit right below the vDSO; no header gives their number,
 * and no kernel has had more than this many. */
#define VVAR_MAX_PAGES       16
/* stage2's own stack, kept in the hole */
#define STAGE2_STACK         (64 << 10)
#define HOLE_PLAN_STEP       (1 << 20)   /* the plan's part of the hole, rounded */

/* p is a power of two: a page size, an alignment */
static inline uint64_t page_down(uint64_t a, uint64_t p) { return a & ~(p - 1); }
static inline uint64_t page_up(uint64_t a, uint64_t p) { return (a + p - 1) & ~(p - 1); }

/* PF_R/PF_W/PF_X as PROT_*; a stack is always readable and writable */
static inline int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}
static inline int stack_prot(uint32_t pf)
{
	return prot_of(pf) | PROT_READ | PROT_WRITE;
}
/* "rwx", "r-x", ... as /proc/PID/maps writes them; buf gets 4 bytes */
static inline char *prot_letters(char *buf, int prot)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = 0;
	return buf;
}

void stage1_main(long *sp) __attribute__((noreturn));

/* ---- out.c: formatted output and fatal errors ---- */
struct out {
	int fd;               /* -1: collect the first 4 KiB in buf */
	size_t n;
	char buf[4096];
};
#define OUT_FORMAT(f, a) __attribute__((format(printf, f, a)))
void out_printf(struct out *o, const char *fmt, ...) OUT_FORMAT(2, 3);
void out_vprintf(struct out *o, const char *fmt, va_list ap);
void out_flush(struct out *o);
/* How many columns out_printf's %s takes for s (control characters escaped). */
size_t out_width(const char *s);
/* "elfload: PROGRAM: reason", exit status `code`. */
void die(int code, const char *fmt, ...) __attribute__((noreturn)) OUT_FORMAT(2, 3);
/* "elfload: PROGRAM: reason", and carry on: only once nothing can be
 * refused any more, since a refusal is one line. */
void warn(const char *fmt, ...) OUT_FORMAT(1, 2);
/* "elfload: reason" plus a pointer to --help, exit EXIT_USAGE. */
void usage_error(const char *fmt, ...) __attribute__((noreturn)) OUT_FORMAT(1, 2);
extern const char *die_prefix;  /* the PROGRAM of die() messages */
extern const char *die_context; /* what in it, e.g. its interpreter, or 0 */

struct range {
	uint64_t lo, hi;
	const char *name;
	const char *perms;    /* "r-xp" as in /proc/self/maps, or 0 */
};

/* ---- mem.c: memory that lives until stage2 unmaps it ---- */
#define MAX_ARENA_CHUNKS 64
void *xalloc(size_t n);          /* zeroed, 16-byte aligned */
void *xrealloc(void *p, size_t old, size_t n);
const struct range *arena_ranges(size_t *n); /* all mappings made for it */
/* A formatted string in that memory. */
const char *str_printf(const char *fmt, ...) OUT_FORMAT(1, 2);

/* ---- sort.c ---- */
/* Sorts n elements of `size` bytes by the uint64_t at `key` in each,
 * stably; fast when they are sorted already, as program headers are. */
void sort_by_u64(void *base, size_t n, size_t size, size_t key);

/* ---- the program ---- */
struct seg {
	uint64_t vaddr, memsz, filesz, off;
	uint32_t flags; /* PF_R | PF_W | PF_X */
	uint32_t index; /* program header index, for messages */
	int fd;         /* the file it comes from */
	uint64_t fsize; /* and that file's size */
	const char *owner; /* 0: the program; else the interpreter's path */
};

struct image {
	const char *path;     /* as opened */
	int fd;
	uint64_t size;        /* file size */
	uint32_t mode, uid, gid; /* the file's, for set-user-ID and -group-ID */
	uint32_t run_euid, run_egid; /* the effective IDs it runs with */
	int set_ids;          /* they are not elfload's own */
	int secure;           /* AT_SECURE */
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t phnum;       /* the real count, PN_XNUM resolved */
	struct seg *segs;     /* the PT_LOADs with memsz > 0, by address */
	uint64_t nsegs;
	uint64_t phdr_addr;   /* AT_PHDR in the program, 0: not mapped */
	uint32_t stack_flags; /* PT_GNU_STACK p_flags; PF_R|PF_W if absent */
	const char *interp;   /* PT_INTERP, or 0 */
	int has_tls;          /* PT_TLS: the C library's start-up sets it up */
	int is_interp;        /* this image is an interpreter */
	uint64_t align;       /* the largest p_align */
	uint64_t bias;        /* ET_DYN: where it was put; 0 for ET_EXEC */
	uint64_t entry;       /* e_entry + bias */
	struct range *own;    /* pages it maps itself (an ELFie's, elfie.c) */
	size_t nown;
	/* what it is run as: a #! script's rewriting (script.c) */
	char **argv;
	int argc;
	const char *execfn;   /* AT_EXECFN, the name: the file execve was given */
	const char *comm;     /* the process's name, if not execfn's last part */
	struct stream *stream; /* it came on a pipe (stream.c), or 0 */
	const char **scripts; /* each script on the way, for --map */
	size_t nscripts;
};

/* ---- the machine, as stage1 finds it ---- */
struct host {
	uint64_t page;       /* the kernel's page size (AT_PAGESZ) */
	uint64_t layout_page; /* the granule segments are laid out in */
	const char *layout_page_arg; /* --page-size as given, or 0 */
	uint64_t min_addr;   /* nothing is placed below (see limits.c) */
	uint64_t window;     /* the end of the kernel's default window: its
			      * stack top without ASLR; mmap(NULL) stays below */
	uint64_t top;        /* one past the highest user address; 0 until
			      * user_top() asks the kernel */
	int emulated;        /* run by an emulator (qemu-user) */
	int second_run;      /* reexec.c's: the kernel started it, no emulator */
	struct range *maps;  /* what is mapped now */
	size_t nmaps;
	int have_proc;       /* maps came from /proc/self/maps */
	uint64_t stack_top;  /* end of the stack the kernel gave stage1 */
	uint64_t stack_limit; /* RLIMIT_STACK, ~0 if unlimited */
	uint64_t vdso;       /* AT_SYSINFO_EHDR or 0 */
	long *auxv;          /* the kernel's auxv for stage1 */
	char **envp;         /* elfload's environment, the program's too */
};

/* ---- cli.c: the command line ---- */
struct options {
	const char *program;  /* as given */
	char **args;          /* program arguments after PROGRAM */
	int nargs;
	const char *argv0;    /* --argv0 */
	const char *entry;    /* --entry */
	const char *interp;   /* --interp */
	uint64_t base;        /* --base */
	int has_base;
	uint64_t stack_size;
	uint64_t stack_top;
	uint64_t page_size;   /* --page-size */
	/* the numbers as given, for messages; 0 if not */
	const char *base_arg, *stack_size_arg, *stack_top_arg, *page_size_arg;
	struct range *reserve;  /* --reserve, named after how they were given */
	size_t nreserve;
	int map, verbose, aslr, stop_at_entry, userns;
};
void parse_options(struct options *o, int argc, char **argv);
/* The options that depend on the machine: --page-size, the stack size. */
void apply_options(struct options *o, struct host *h);

/* ---- reexec.c ---- */
void reexec_once(char **argv, char **envp, const long *auxv);
/* 1 in the re-exec's run, after giving back the caller's settings */
int restore_caller(char **envp);

/* ---- host.c ---- */
void probe_host(struct host *h, long *sp, char **envp, long *auxv);
/* One past the highest user address, asked of the kernel the first time:
 * only what lies above the window needs it (on s390x, asking grows the
 * page tables for good). known_top: that, or the window if not asked. */
uint64_t user_top(struct host *h);
uint64_t known_top(const struct host *h);
/* Does the kernel run another executable than the file we were started
 * from? Then an emulator (qemu-user) runs us. */
int run_by_emulator(const long *auxv);
/* Is this mapping the vDSO or one of its vvar pages ("[vvar]",
 * "[vvar_vclock]", ...)? */
int is_vdso_like(const char *name);
uint64_t auxv_get(const long *auxv, long type);
/* How far the kernel moves the mmap base and a PIE at random, in bytes */
uint64_t mmap_random_span(const struct host *h);
/* A number from a file such as /proc/sys/vm/X, or dflt if unreadable */
uint64_t read_sysctl(const char *path, uint64_t dflt);
/* Asks the kernel whether a page could be mapped at a, without keeping
 * it (MAP_FIXED_NOREPLACE): 0 yes, -EEXIST taken, 1 the flag was ignored,
 * else the kernel's -errno (-EPERM below vm.mmap_min_addr). */
long probe_page(uint64_t a, uint64_t page);

/* ---- open.c ---- */
void open_program(struct image *im, const char *name, const struct host *h);
void open_interp(struct image *im, const char *path);
/* A #! line's interpreter: as the kernel opens it, not an ELF interpreter. */
void open_script_interp(struct image *im, const char *path);

/* "c" of "/a/b/c": what the kernel names a process after */
const char *last_part(const char *path);
/* The value of NAME in envp, or 0. */
const char *getenv_(char **envp, const char *name);
/* PATH (or execvp's default), and its next candidate for name, or 0. */
const char *search_path(char **envp);
const char *next_in_path(const char **path, const char *name);

/* ---- stream.c: a program on a pipe ---- */
struct statx;
struct stream {
	int memfd;            /* what was read, sealed */
	uint64_t ino;         /* the pipe it came on: which descriptor */
	uint32_t dev_major, dev_minor;
};
/* Is what fd names a pipe that is open already? */
int is_open_stream(int fd, const struct statx *st);
/* A memfd for a program named name; then fd read whole into it and
 * sealed, and im becomes that file. */
long new_memfd(const char *name);
void read_stream(struct image *im, int fd, long memfd, const char *name);
/* PROGRAM "-": standard input, as read_stream. */
void read_stdin(struct image *im);
/* Refuses a program from a pipe that lacks what it names: the n bytes
 * at off for `what`, or its segments' data. */
void stream_ends_early(const struct image *im, const char *what, uint64_t off, uint64_t n);
void check_stream_complete(const struct image *im);

/* ---- foreign.c ---- */
/* A program of another architecture elfload is built for: runs
 * qemu-ARCH with that architecture's elfload in our place; or returns. */
void hand_over_foreign(struct image *im, const struct options *o,
		       const struct host *h, char **argv);

/* ---- script.c ---- */
/* Sets im->argv, argc and execfn; while im is a #! script, rewrites them
 * and opens its interpreter in its place. */
void follow_scripts(struct image *im, const struct options *o);

/* ---- creds.c ---- */
/* Do we have capability cap (CAP_*) in our effective set? */
int capable(int cap);
/* Does a debugger (or anything) ptrace us? */
int being_traced(void);
/* The IDs execve would run the program with, or a refusal. */
void decide_credentials(struct image *im, const struct host *h);
/* Takes them; the last thing before stage2. */
void take_credentials(const struct image *im);

/* ---- elf.c ---- */
/* Reads n bytes at off or dies naming `what`. */
void read_exact(const struct image *im, void *buf, uint64_t n, uint64_t off,
		const char *what);
void load_elf(struct image *im, struct host *h);
/* The highest address its segments reach (they may overlap). */
uint64_t image_end(const struct image *im);
void check_placement(const struct image *im, struct host *h);
void relocate(struct image *im, uint64_t bias);
void check_entry(const struct image *im, uint64_t pc, const char *what, uint64_t L);

/* ---- elfie.c ---- */
/* The pages a pinball2elf ELFie maps itself, as im->own. */
void find_own_pages(struct image *im);

/* ---- symbol.c ---- */
uint64_t find_symbol(const struct image *im, const char *name);
void warn_entry(const struct options *o, const struct image *im, const struct image *in);

/* ---- layout.c ---- */
/* What --map tells besides the table: what was in the way of what and
 * what became of it; a page segments share; what the default layout moved */
enum { NOTE_COLLISION, NOTE_SHARED, NOTE_MOVED };
struct collision {
	const char *what;     /* the thing that was in the way */
	uint64_t lo, hi;
	const char *by;       /* what it was in the way of */
	uint64_t by_lo, by_hi;
	const char *outcome;
	int kind;
};

/* Where elfload puts what it places (area.c) */
struct area {
	int fixed;            /* the default layout; 0: the kernel's (--aslr) */
	int randomized;       /* --aslr, and the kernel randomizes: so does elfload */
	uint64_t stack_top, vdso, brk, mmap_top, pie_base;
};

struct layout {
	struct seg *all;      /* every placed segment, by address */
	uint64_t nall;
	struct op *ops;       /* load ops, in order */
	size_t nops, capops;
	uint64_t stack_lo, stack_top;
	uint64_t hole_lo, hole_hi, keep_len;
	uint64_t brk;
	int keep_vdso;
	struct range *kept;   /* mappings stage2 leaves: vDSO, vvar, ... */
	size_t nkept;
	struct collision *coll;
	size_t ncoll, capcoll;
	uint64_t blob_len;    /* stage2 code, page-rounded */
	uint64_t phdr_len;    /* the phdr copy behind the code, or 0 */
	uint64_t page;        /* the granule segments are laid out in */
	uint64_t unmap_cap;   /* room for this many munmap ops in the plan */
	struct area area;
	int vdso_broken;      /* moving it failed half-way: it must go */
	int drop_caps;        /* --userns: stage2 drops every capability */
	struct range *reserved; /* --reserve, and what an ELFie maps itself */
	size_t nreserved;
};

/* Where everything goes; returns where the process starts. The ops
 * that load the segments follow from it (segments.c). */
uint64_t plan_layout(struct layout *lay, struct image *im, struct image *in,
		     struct host *h, const struct options *o);
void place_hole(struct layout *lay, const struct host *h, uint64_t size);
struct collision *note_collision(struct layout *lay, const char *what,
				 uint64_t lo, uint64_t hi, const char *by,
				 uint64_t by_lo, uint64_t by_hi,
				 const char *outcome);
const char *seg_name(const struct seg *s);
/* Does a segment or a reserved range meet [lo, hi)? Then *by is it, named
 * for messages ("PT_LOAD 3", "reserved"). */
int taken_by(const struct layout *lay, uint64_t lo, uint64_t hi, struct range *by);
static inline uint64_t seg_lo(const struct seg *s, uint64_t L) { return page_down(s->vaddr, L); }
static inline uint64_t seg_hi(const struct seg *s, uint64_t L) { return page_up(s->vaddr + s->memsz, L); }

/* ---- area.c ---- */
void plan_area(struct layout *lay, const struct host *h, const struct options *o);
/* n random bytes in buf; 0 if the kernel gives none */
int random_bytes(void *buf, size_t n);
/* A random number below n (0 without getrandom): --aslr's randomization. */
uint64_t random_below(uint64_t n);

/* ---- segments.c: the ops that load the segments ---- */
/* The ops for the program's segments and its interpreter's. */
void plan_loading(struct layout *lay, const struct image *im,
		  const struct image *in, const struct host *h);
/* The protection the page of granule L holding a gets; 0: no segment. */
int planned_prot(const struct image *im, uint64_t a, uint64_t L);
struct op *add_op(struct layout *lay, uint32_t kind, uint64_t addr, uint64_t len);

/* ---- stack.c ---- */
struct stack_image {
	char *buf;            /* the bytes of [sp, top) */
	uint64_t top, sp, len;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv, auxv_len;
};
/* The program's first stack, at the top `lay` planned: its argv and
 * AT_EXECFN (im's, script.c), elfload's environment, and elfload's
 * auxiliary vector rewritten to describe the program. */
void build_stack(struct stack_image *st, const struct image *im,
		 const struct image *in, const struct layout *lay,
		 const struct host *h);

/* ---- userns.c ---- */
/* --userns: into a user namespace of our own, our IDs mapped to themselves. */
void enter_userns(void);
/* The ops that drop every capability; hdr and data: capset's, carved. */
void add_drop_caps(struct layout *lay, uint64_t hdr_addr, uint64_t data_addr);
#define CAPS_TO_DROP  64                  /* every bit of a capability set */
#define DROP_CAPS_OPS (CAPS_TO_DROP + 2)  /* and the ambient set, and capset */

/* ---- handover.c ---- */
/* Sizes the hole for everything stage2 needs and places it. */
void plan_hole(struct layout *lay, const struct image *im,
	       const struct image *in, const struct host *h,
	       const struct stack_image *st);
/* Maps the hole, fills it and calls stage2: the point of no return. */
void hand_over(struct layout *lay, struct image *im, const struct image *in,
	       struct stack_image *st, const struct host *h,
	       const struct options *o, uint64_t pc) __attribute__((noreturn));

/* ---- limits.c ---- */
/* Refuses a plan the kernel would not let stage2 carry out. */
void check_limits(const struct layout *lay, const struct host *h);

/* ---- launch.c ---- */
/* Maps the hole where lay says; returns where to write its contents. */
char *map_hole(const struct layout *lay);
/* Protects stage2's code and calls it with the plan at plan_addr. */
void enter_stage2(const struct layout *lay, uint64_t plan_addr)
	__attribute__((noreturn));

/* ---- report.c ---- */
void print_layout(int fd, const struct layout *lay, const struct image *im,
		  const struct image *in, struct host *h);
/* ---- verdict.c ---- */
/* --map's last words: what execve would do with the program here. */
void print_verdict(struct out *o, const struct image *im, const struct image *in,
		   const struct host *h);

/* For -v: that /proc/self/exe will name elfload, and what that breaks. */
void note_exe(const struct options *o);

#endif
