/*
 * Where elfload puts what it places, by default: the same addresses on
 * every run, with ASLR on or off and under a debugger, and away from where
 * traced processes lived. For an address space of about 2^B bytes
 * (x86_64: B = 47; the README draws every architecture's):
 *
 *   2^B            top. The kernel's stack (no ASLR: 0x7ffffffde000...),
 *                  its mmap area (0x7ffff7...: ld.so, the vDSO, the first
 *                  libraries) and PIEs at 2/3 (0x555555554000): avoided
 *                  stage1's image and the hole below it (linker/ARCH.ld)
 *   2^(B-2) + 16M  the vDSO and its vvar pages, moved here with mremap
 *   2^(B-2)        the stack's top; it grows down
 *   3 * 2^(B-4)    the brk heap's start; it grows up
 *   top / 6        the mmap base the re-exec gives the kernel (reexec.c):
 *                  the interpreter goes below it, then whatever the
 *                  program maps, its shared libraries included
 *   2^(B-3)        the base of a PIE (an ET_DYN with an interpreter)
 *                  the program's segments, wherever p_vaddr says
 *
 * Each keeps out of the program's segments and of --reserve ranges (then
 * it moves, and --map says where). With --aslr the kernel's own layout is
 * kept instead, randomized as the kernel randomizes it: where it put
 * elfload's stack, mmap area and vDSO, and, where it would randomize
 * them, a brk start up to BRK_RANDOM past the program's end and the
 * first stack pointer up to ARCH_STACK_JITTER below the strings.
 */
#include <linux/mman.h>
#include "stage1.h"

#define VDSO_ABOVE_STACK (16ULL << 20)

/* Does the kernel randomize this process's layout? Then it moved
 * elfload's own brk start off the end of its image (it does so with
 * randomize_va_space 2 and without ADDR_NO_RANDOMIZE; qemu-user never). */
static int kernel_randomizes(const struct host *h)
{
	extern char _end[];
	long brk = sys_brk(0);

	return brk > 0 && (uint64_t)brk != page_up((uint64_t)_end, h->page);
}

uint64_t random_below(uint64_t n)
{
	uint64_t r = 0;

	if (n < 2 || sys_getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		return 0;
	return r % n;
}

void plan_area(struct layout *lay, const struct host *h, const struct options *o)
{
	int b = 64 - __builtin_clzll(h->top - 1);   /* 2^b >= top */
	struct area *a = &lay->area;

	a->fixed = !o->aslr;
	if (!a->fixed) {
		a->randomized = kernel_randomizes(h);
		return;
	}
	a->stack_top = 1ULL << (b - 2);
	a->vdso = a->stack_top + VDSO_ABOVE_STACK;
	a->brk = 3ULL << (b - 4);
	a->mmap_top = page_down(h->top / 6, h->page);
	a->pie_base = 1ULL << (b - 3);
}

/* The vDSO and its vvar pages as one block [lo, hi) in h->maps, the
 * index of its first line and how many; 0 if there is none, or if it is
 * not in one piece. */
static size_t vdso_block(const struct host *h, size_t *first)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nmaps; i++) {
		if (!is_vdso_like(h->maps[i].name))
			continue;
		if (n && h->maps[i].lo != h->maps[i - 1].hi)
			return 0;
		if (!n)
			*first = i;
		n++;
	}
	return n;
}

/* Nothing of the program, of the reserved ranges, or mapped now (but the
 * block itself) in [lo, hi)? */
static int free_for_vdso(const struct layout *lay, const struct host *h,
			 uint64_t lo, uint64_t hi, size_t first, size_t n)
{
	struct range by;

	if (hi > h->top || taken_by(lay, lo, hi, &by))
		return 0;
	for (size_t i = 0; i < h->nmaps; i++)
		if ((i < first || i >= first + n) && h->maps[i].lo < hi && lo < h->maps[i].hi)
			return 0;
	return 1;
}

/* Moves the vDSO and vvar to their place in the area, keeping their
 * distance (the vDSO's code reads vvar relative to itself), and tells
 * everything that knew where they were: h->maps, AT_SYSINFO_EHDR. The
 * kernel lets special mappings move whole (CRIU relies on it); if it
 * refuses the first, they stay and may be kept or dropped like any
 * mapping; if it refuses a later one, the block is split and useless:
 * all of it goes, AT_SYSINFO_EHDR with it. */
void move_vdso(struct layout *lay, struct host *h)
{
	size_t first = 0, n = vdso_block(h, &first);
	uint64_t lo, hi, delta;

	if (!lay->area.fixed || !h->have_proc || !n)
		return;
	lo = h->maps[first].lo;
	hi = h->maps[first + n - 1].hi;
	if (lo == lay->area.vdso ||
	    !free_for_vdso(lay, h, lay->area.vdso, lay->area.vdso + (hi - lo), first, n))
		return;
	delta = lay->area.vdso - lo;
	for (size_t i = first; i < first + n; i++) {
		struct range *m = &h->maps[i];
		long r = sys_mremap(m->lo, m->hi - m->lo, m->hi - m->lo,
				    MREMAP_MAYMOVE | MREMAP_FIXED, m->lo + delta);

		if (r < 0) {
			if (i > first)
				lay->vdso_broken = 1;
			return;
		}
		note_collision(lay, m->name, m->lo, m->hi, 0, 0, 0,
			       str_printf("to 0x%lx-0x%lx, where elfload's layout puts it",
					  m->lo + delta, m->hi + delta))->kind = NOTE_MOVED;
		m->lo += delta;
		m->hi += delta;
		if (h->vdso >= m->lo - delta && h->vdso < m->hi - delta)
			h->vdso += delta;
	}
	sort_by_u64(h->maps, h->nmaps, sizeof(*h->maps), offsetof(struct range, lo));
}
