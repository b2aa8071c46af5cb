/*
 * stage1: everything that can fail happens here, before the point of no
 * return. It reads and validates the program, looks at what is mapped now,
 * plans the final address space, and hands stage2 a finished plan.
 */
#ifndef ELFLOAD_H
#define ELFLOAD_H

#include <stdint.h>
#include <stddef.h>
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include <linux/resource.h>
#include "sys.h"
#include "plan.h"

#define EXIT_USAGE   125 /* elfload's own command line is wrong */
#define EXIT_CANNOT  126 /* the program cannot be run */
#define EXIT_MISSING 127 /* the program cannot be found */

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

/* ---- out.c: formatted output and fatal errors ---- */
struct out {
	int fd;
	size_t n;
	char buf[4096];
};
void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_flush(struct out *o);
const char *errno_name(long err);
/* "elfload: PROGRAM: reason", exit status `code`. */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* "elfload: reason" plus a pointer to --help, exit 125. */
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
extern const char *die_prefix;  /* the PROGRAM of die() messages */
extern const char *die_context; /* what in it, e.g. its interpreter, or 0 */
/* A formatted string in memory that lives until stage2. */
const char *str_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

struct range {
	uint64_t lo, hi;
	const char *name;
	const char *perms;    /* "r-xp" as in /proc/self/maps, or 0 */
};

/* ---- mem.c: memory that lives until stage2 unmaps it ---- */
void *xalloc(size_t n);          /* zeroed, 16-byte aligned */
void *xrealloc(void *p, size_t old, size_t n);
const struct range *arena_ranges(size_t *n); /* all mappings made for it */

/* ---- the program ---- */
struct seg {
	uint64_t vaddr, memsz, filesz, off;
	uint32_t flags; /* PF_R | PF_W | PF_X */
	uint32_t index; /* program header index, for messages */
	int fd;         /* the file it comes from */
	const char *owner; /* 0: the program; else the interpreter's path */
};

struct image {
	const char *path;     /* as opened */
	int fd;
	uint64_t size;        /* file size */
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t phnum;       /* the real count, PN_XNUM resolved */
	struct seg *segs;     /* the PT_LOADs with memsz > 0, by address */
	uint64_t nsegs;
	uint64_t phdr_addr;   /* AT_PHDR in the program, 0: not mapped */
	uint32_t stack_flags; /* PT_GNU_STACK p_flags; PF_R|PF_W if absent */
	const char *interp;   /* PT_INTERP, or 0 */
	int is_interp;        /* this image is an interpreter */
	uint64_t align;       /* the largest p_align */
	uint64_t bias;        /* ET_DYN: where it was put; 0 for ET_EXEC */
	uint64_t entry;       /* e_entry + bias */
};

/* ---- the machine, as stage1 finds it ---- */
struct host {
	uint64_t page;       /* the kernel's page size (AT_PAGESZ) */
	uint64_t layout_page; /* the granule segments are laid out in */
	uint64_t min_addr;   /* vm.mmap_min_addr (see mmap_min_addr()) */
	int min_addr_read;
	uint64_t top;        /* one past the highest user address */
	struct range *maps;  /* what is mapped now */
	size_t nmaps;
	int have_proc;       /* maps came from /proc/self/maps */
	uint64_t stack_top;  /* end of the stack the kernel gave stage1 */
	uint64_t vdso;       /* AT_SYSINFO_EHDR or 0 */
	long *auxv;          /* the kernel's auxv for stage1 */
};

/* ---- command line ---- */
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
	int map, verbose, aslr, stop_at_entry;
};

/* ---- elf.c ---- */
void open_program(struct image *im, const char *name);
void open_interp(struct image *im, const char *path);
void check_placement(const struct image *im, struct host *h);
void relocate(struct image *im, uint64_t bias);
void load_elf(struct image *im, struct host *h);
void check_entry(const struct image *im, uint64_t pc, const char *what);
uint64_t find_symbol(const struct image *im, const char *name);

/* ---- host.c ---- */
void probe_host(struct host *h, long *auxv, long *sp, char *strings_end);
uint64_t auxv_get(const long *auxv, long type);
uint64_t mmap_min_addr(struct host *h, uint64_t addr);
uint64_t max_map_count(void);

/* ---- layout.c ---- */
struct collision {
	const char *what;     /* the thing that was in the way */
	uint64_t lo, hi;
	const char *by;       /* what it was in the way of */
	uint64_t by_lo, by_hi;
	const char *outcome;
	int shared;           /* a page shared by segments, not a collision */
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
	size_t ncoll;
	uint64_t blob_len;    /* stage2 code, page-rounded */
	uint64_t phdr_len;    /* the phdr copy behind the code, or 0 */
};

void plan_segments(struct layout *lay, const struct image *im,
		   const struct host *h);
void add_footprint(struct layout *lay, const struct image *im);
void decide_kept(struct layout *lay, const struct host *h);
void place_stack(struct layout *lay, const struct host *h,
		 const struct options *o);
uint64_t place_dyn(struct layout *lay, const struct image *im,
		   const struct host *h);
void place_hole(struct layout *lay, const struct host *h, uint64_t size);
void print_layout(int fd, const struct layout *lay, const struct image *im,
		  const struct host *h);
void add_op(struct layout *lay, uint32_t kind, uint64_t addr, uint64_t len);
struct op *last_op(struct layout *lay);

/* ---- stack.c ---- */
struct stack_image {
	char *buf;            /* the bytes of [sp, top) */
	uint64_t top, sp, len;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv, auxv_len;
};
void build_stack(struct stack_image *st, uint64_t top, char **argv, int argc,
		 char **envp, const char *execfn, long *aux,
		 const unsigned char random[16]);

#endif
