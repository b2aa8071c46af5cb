/*
 * The end of --map: what the kernel's execve would do with the program on
 * this machine. It refuses a program header table over 64 KiB (more than
 * 1170 headers, PN_XNUM included); otherwise it runs it. The stack is
 * there before the segments, which go over it where they collide; the
 * interpreter and the vDSO come after them, where nothing is, so only
 * the ranges an ELFie maps itself later land on those:
 *
 *   window ..................... (s390x: the vDSO and vvar, then a page)
 *   stack top .................. the stack, RLIMIT_STACK of it (the stack
 *                                top moves down by up to ARCH_STACK_RND
 *                                with ASLR)
 *   stack top - gap ............ the mmap base: the interpreter below it,
 *                                the vDSO and vvar below that (the base
 *                                moves down by the mmap random range)
 *
 * The window is the kernel's default one (host.c), not the highest user
 * address: nothing goes above it unless a program asks. gap is
 * RLIMIT_STACK plus the guard gap (and the stack's random range with
 * ASLR), at least 128 MiB and at most 5/6 of the stack top, as
 * mm/util.c's mmap_base(). With RLIMIT_STACK unlimited the mmap area
 * starts at ARCH_LEGACY_BASE instead and grows up (the kernel's legacy
 * layout). A position-independent program goes where nothing is; only a
 * fixed-address one can collide.
 */
#include "stage1.h"

#define KERNEL_PHDRS_MAX  65536           /* load_elf_phdrs() */
#define STACK_GUARD_GAP   (1ULL << 20)    /* stack_guard_gap: 256 pages */
#define MMAP_MIN_GAP      (128ULL << 20)

struct region {
	const char *what;
	int before_segments;       /* the kernel puts it there before them */
	uint64_t lo, hi;           /* without ASLR */
	uint64_t rnd_lo, rnd_hi;   /* with ASLR, somewhere in here */
};

static uint64_t span_of(const struct image *im, uint64_t page)
{
	return page_up(image_end(im), page) - page_down(im->segs[0].vaddr, page);
}

/* The vDSO and vvar pages here, however many: they are the same size in
 * every process. */
static uint64_t vdso_size(const struct host *h)
{
	uint64_t n = 0;

	for (size_t i = 0; i < h->nmaps; i++)
		if (is_vdso_like(h->maps[i].name))
			n += h->maps[i].hi - h->maps[i].lo;
	return n;
}

static uint64_t mmap_gap(uint64_t stack, uint64_t pad, uint64_t top)
{
	uint64_t gap = stack + STACK_GUARD_GAP + pad;

	if (gap < MMAP_MIN_GAP)
		gap = MMAP_MIN_GAP;
	if (gap > top / 6 * 5)
		gap = top / 6 * 5;
	return gap;
}

/* Where the kernel puts the stack, the interpreter and the vDSO for this
 * program, with and without ASLR; returns how many regions. */
static int kernel_regions(struct region *r, const struct image *in, const struct host *h)
{
	uint64_t pg = h->page, vdso = vdso_size(h);
	uint64_t top = h->window - (ARCH_VDSO_ABOVE_STACK && vdso ? vdso + pg : 0);
	uint64_t stack = h->stack_limit == ~0ULL ? 8ULL << 20 : h->stack_limit;
	uint64_t stack_rnd = ARCH_STACK_RND(pg), rnd = mmap_random_span(h);
	uint64_t interp = in->path ? span_of(in, pg) : 0;
	uint64_t base, rbase;
	int n = 0;

	r[n++] = (struct region){ "the stack", 1, top - stack, top, top - stack - stack_rnd, top };
	if (ARCH_VDSO_ABOVE_STACK && vdso) {   /* just above the stack's first sp */
		r[n++] = (struct region){ "the vDSO with its vvar", 0, h->window - vdso, h->window,
					  top - stack_rnd, h->window };
		vdso = 0;
	}
	if (h->stack_limit == ~0ULL) {   /* legacy: upwards from TASK_UNMAPPED_BASE */
		base = page_up(ARCH_LEGACY_BASE(h->window), pg);
		if (interp)
			r[n++] = (struct region){ "the interpreter", 0, base, base + interp,
						  base, base + interp + rnd };
		if (vdso)
			r[n++] = (struct region){ "the vDSO with its vvar", 0, base + interp,
						  base + interp + vdso, base,
						  base + interp + vdso + rnd };
		return n;
	}
	base = page_down(top - mmap_gap(h->stack_limit, 0, top), pg);
	rbase = page_down(top - mmap_gap(h->stack_limit, stack_rnd, top), pg);
	if (interp) {
		r[n++] = (struct region){ "the interpreter", 0, base - interp, base,
					  rbase - rnd - interp, rbase };
		base -= interp;
		rbase -= interp;
	}
	if (vdso)
		r[n++] = (struct region){ "the vDSO with its vvar", 0, base - vdso, base,
					  rbase - rnd - vdso, rbase };
	return n;
}

/* The program's pages in [lo, hi) that go over what the kernel put
 * there: its segments where that came before them (segs), and the ranges
 * an ELFie maps itself (elfie.c), which come after everything. How many,
 * and the first in *first. */
static uint64_t segments_in(const struct image *im, uint64_t lo, uint64_t hi,
			    struct range *first, int segs)
{
	uint64_t n = 0;

	for (uint64_t i = 0; segs && i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (s->vaddr < hi && lo < s->vaddr + s->memsz && !n++)
			*first = (struct range){ s->vaddr, s->vaddr + s->memsz,
						 seg_name(s), 0 };
	}
	for (size_t i = 0; i < im->nown; i++) {
		const struct range *r = &im->own[i];

		if (r->lo < hi && lo < r->hi && !n++)
			*first = (struct range){ r->lo, r->hi, "the range it maps itself", 0 };
	}
	return n;
}

static void report_region(struct out *o, const struct region *r, const struct image *im)
{
	struct range s;
	uint64_t fixed = segments_in(im, r->lo, r->hi, &s, r->before_segments), maybe;

	if (fixed)
		out_printf(o, "kernel: without ASLR (setarch -R, gdb) %s goes at %lx-%lx, where "
			   "%lu segment%s: %s %lx-%lx%s\n", r->what, r->lo, r->hi, fixed,
			   fixed == 1 ? " is" : "s are", s.name, s.lo, s.hi,
			   fixed > 1 ? ", ..." : "");
	maybe = segments_in(im, r->rnd_lo, r->rnd_hi, &s, r->before_segments);
	if (maybe)
		out_printf(o, "kernel: with ASLR %s goes somewhere in %lx-%lx: %lu segment%s "
			   "there, hit on some runs and not on others\n", r->what, r->rnd_lo,
			   r->rnd_hi, maybe, maybe == 1 ? " is" : "s are");
}

void print_verdict(struct out *o, const struct image *im, const struct image *in,
		   const struct host *h)
{
	uint64_t table = (uint64_t)im->eh.e_phnum * sizeof(Elf64_Phdr);
	struct region r[3];
	int n, hits = 0;
	struct range s;

	if (im->eh.e_phnum == PN_XNUM || table > KERNEL_PHDRS_MAX) {
		out_printf(o, "kernel: execve refuses it: %s (Exec format error)\n",
			   im->eh.e_phnum == PN_XNUM ?
			   str_printf("e_phnum is PN_XNUM, %lu program headers", im->phnum) :
			   str_printf("a program header table of %lu bytes, over %u",
				      table, KERNEL_PHDRS_MAX));
		return;
	}
	if (im->eh.e_type == ET_DYN) {
		out_printf(o, "kernel: execve runs it where nothing is: it is position-independent\n");
		return;
	}
	n = kernel_regions(r, in, h);
	for (int i = 0; i < n; i++) {
		hits += !!segments_in(im, r[i].rnd_lo, r[i].rnd_hi, &s, r[i].before_segments);
		report_region(o, &r[i], im);
	}
	if (!hits)
		out_printf(o, "kernel: execve runs it; none of its segments is where the stack "
			   "goes, with ASLR or without%s\n", im->nown ?
			   ", nor any range it maps itself where the stack, the interpreter or the vDSO go" :
			   " (the interpreter and the vDSO go where nothing is)");
}
