/*
 * Planning the final address space. Nothing here touches memory the
 * program will use; it only decides where everything goes, and
 * segments.c turns the decisions into ops for stage2 (common/plan.h).
 *
 *   0                                            window            top
 *   |--[program segments, exactly where p_vaddr says]--...------------|
 *   everything else where area.c's layout puts it, inside the kernel's
 *   default window (--aslr: the kernel's layout)
 *
 * layout.c uses area.c (the addresses, random numbers), never the other
 * way round.
 *
 * Decided in this order, each avoiding what came before:
 *   1. the area's addresses, and the reserved ranges (--reserve, ELFies);
 *   2. the program's segments (ET_DYN: at the area's PIE base);
 *   3. the vDSO moved to its place; what stays mapped: all that is not
 *      stage1's own (vDSO, vvar, ...) and that no segment needs;
 *   4. the new stack: at the area's stack top, or the highest place below;
 *   5. the interpreter: top-down from the area's mmap base, as the kernel;
 *   6. the brk start: the area's (--aslr: the program's end, randomized);
 *   7. the hole: the highest free range below stage1's own link address
 *      (or, failing that, anywhere in the window) that also misses
 *      everything mapped now.
 */
#include <linux/mman.h>
#include "stage1.h"

/* Records what was in the way of what, and what became of it, for
 * --map; returns the record. */
struct collision *note_collision(struct layout *lay, const char *what,
				 uint64_t lo, uint64_t hi, const char *by,
				 uint64_t by_lo, uint64_t by_hi,
				 const char *outcome)
{
	struct collision *c;

	if (lay->ncoll == lay->capcoll) {
		size_t cap = lay->capcoll ? 2 * lay->capcoll : 16;

		lay->coll = xrealloc(lay->coll, lay->ncoll * sizeof(*c), cap * sizeof(*c));
		lay->capcoll = cap;
	}
	c = &lay->coll[lay->ncoll++];
	*c = (struct collision){ what, lo, hi, by, by_lo, by_hi, outcome, 0 };
	return c;
}

const char *seg_name(const struct seg *s)
{
	if (s->owner)
		return str_printf("PT_LOAD %u of %s", s->index, s->owner);
	return str_printf("PT_LOAD %u", s->index);
}

/* All segments placed so far, of the program and of the interpreter, by
 * address: what the stack, the interpreter and the hole must avoid. */
static void add_footprint(struct layout *lay, const struct image *im)
{
	struct seg *all = xalloc((lay->nall + im->nsegs) * sizeof(*all) + 1);
	uint64_t a = 0, b = 0, k = 0;

	while (a < lay->nall || b < im->nsegs) {
		const struct seg *s = b == im->nsegs ||
			(a < lay->nall && lay->all[a].vaddr < im->segs[b].vaddr)
			? &lay->all[a++] : &im->segs[b++];

		/* one inside the one before adds nothing; leaving it out
		 * keeps the ends in order for first_seg_after */
		if (k && seg_hi(s, lay->page) <= seg_hi(&all[k - 1], lay->page))
			continue;
		all[k++] = *s;
	}
	lay->all = all;
	lay->nall = k;
}

/* The first placed segment whose pages reach past lo, or nall. */
static uint64_t first_seg_after(const struct layout *lay, uint64_t lo, uint64_t L)
{
	uint64_t a = 0, b = lay->nall;

	while (a < b) {
		uint64_t m = a + (b - a) / 2;

		if (seg_hi(&lay->all[m], L) <= lo)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* The placed segment that overlaps [lo, hi), or 0. */
static const struct seg *seg_in(const struct layout *lay, uint64_t lo,
				uint64_t hi, uint64_t L)
{
	uint64_t i = first_seg_after(lay, lo, L);

	return i < lay->nall && seg_lo(&lay->all[i], L) < hi ? &lay->all[i] : 0;
}

/* The reserved range that overlaps [lo, hi), or 0. */
static const struct range *reserved_in(const struct layout *lay, uint64_t lo,
				       uint64_t hi)
{
	for (size_t i = 0; i < lay->nreserved; i++)
		if (lay->reserved[i].lo < hi && lo < lay->reserved[i].hi)
			return &lay->reserved[i];
	return 0;
}

int taken_by(const struct layout *lay, uint64_t lo, uint64_t hi, struct range *by)
{
	const struct seg *s = seg_in(lay, lo, hi, lay->page);
	const struct range *r = reserved_in(lay, lo, hi);

	if (s)
		*by = (struct range){ s->vaddr, s->vaddr + s->memsz, seg_name(s), 0 };
	else if (r)
		*by = (struct range){ r->lo, r->hi, "reserved", 0 };
	return s || r;
}

/* Is this mapping wholly stage1's scratch memory? It goes with stage1,
 * so whatever lands on it is no collision worth naming. */
static int in_arena(const struct range *m)
{
	size_t n;
	const struct range *r = arena_ranges(&n);

	for (size_t k = 0; k < n; k++)
		if (m->lo >= r[k].lo && m->hi <= r[k].hi)
			return 1;
	return 0;
}

/* Is this mapping stage1's own: its image, its stack (and a guard page
 * right below it, as qemu-user makes one), its brk heap, its memory? */
static int is_ours(const struct host *h, size_t i)
{
	extern char __executable_start[], _end[];
	const struct range *m = &h->maps[i], *next = i + 1 < h->nmaps ? m + 1 : 0;

	if (m->lo < (uint64_t)_end && m->hi > (uint64_t)__executable_start)
		return 1;
	if (!strcmp(m->name, "[stack]") || !strcmp(m->name, "[heap]"))
		return 1;
	if (next && !strcmp(next->name, "[stack]") && m->hi == next->lo &&
	    m->perms && !memcmp(m->perms, "---", 3))
		return 1;
	return in_arena(m);
}

/* Keep m, less any of stage1's memory that the kernel (or qemu) showed as
 * one line with it. */
static void keep(struct layout *lay, const struct range *m)
{
	size_t n;
	const struct range *a = arena_ranges(&n);
	struct range r = *m;

	for (size_t k = 0; k < n && r.lo < r.hi; k++) {
		if (a[k].hi <= r.lo || a[k].lo >= r.hi)
			continue;
		if (a[k].lo > r.lo) {   /* the part below stays, go on above */
			lay->kept[lay->nkept] = r;
			lay->kept[lay->nkept++].hi = a[k].lo;
		}
		r.lo = a[k].hi;
	}
	if (r.lo < r.hi)
		lay->kept[lay->nkept++] = r;
}

/* What stage2 leaves mapped: everything that is not stage1's own and that
 * neither a segment nor a reserved range needs: the vDSO and its vvar
 * pages, qemu-user's signal trampolines, whatever else the kernel
 * provides. The vDSO reads vvar, so if any of them must go they all go,
 * AT_SYSINFO_EHDR with them, and --map names each. */
static void decide_kept(struct layout *lay, const struct host *h)
{
	int vdso_ok = !lay->vdso_broken;
	struct range vby = { 0, 0, "a move half done", 0 };   /* why the vDSO goes */
	size_t na;

	for (size_t i = 0; i < h->nmaps; i++)
		if (is_vdso_like(h->maps[i].name) &&
		    taken_by(lay, h->maps[i].lo, h->maps[i].hi, &vby))
			vdso_ok = 0;
	arena_ranges(&na);
	lay->kept = xalloc((h->nmaps + 1) * (na + 1) * sizeof(*lay->kept));
	for (size_t i = 0; i < h->nmaps; i++) {
		const struct range *m = &h->maps[i];
		int vdso = is_vdso_like(m->name), taken;
		struct range by;

		if (m->lo >= known_top(h))
			continue;
		taken = taken_by(lay, m->lo, m->hi, &by);
		if (taken && !in_arena(m))
			note_collision(lay, m->name, m->lo, m->hi, by.name, by.lo, by.hi,
				       vdso ? "unmapped; AT_SYSINFO_EHDR dropped" : "unmapped");
		else if (vdso && !vdso_ok)
			note_collision(lay, m->name, m->lo, m->hi, vby.name, vby.lo, vby.hi,
				       "unmapped with the vDSO");
		if (!taken && !is_ours(h, i) && (vdso_ok || !vdso))
			keep(lay, m);
	}
	lay->keep_vdso = vdso_ok && h->vdso;
}

/* What [lo, hi) runs into: a segment or a kept mapping (the lowest start
 * among them, to retry below it), or UINT64_MAX when the range is free
 * (0 is where a segment may start). */
static uint64_t obstacle(const struct layout *lay, uint64_t lo, uint64_t hi,
			 uint64_t L)
{
	const struct seg *s = seg_in(lay, lo, hi, L);
	uint64_t below = s ? seg_lo(s, L) : UINT64_MAX;

	for (size_t i = 0; i < lay->nreserved; i++)
		if (lay->reserved[i].lo < hi && lo < lay->reserved[i].hi &&
		    lay->reserved[i].lo < below)
			below = lay->reserved[i].lo;
	for (size_t i = 0; i < lay->nkept; i++)
		if (lay->kept[i].lo < hi && lo < lay->kept[i].hi &&
		    lay->kept[i].lo < below)
			below = lay->kept[i].lo;
	return below;
}

static struct range *busy_ranges(const struct layout *lay,
				 const struct host *h, int now, size_t *n);
static uint64_t highest_fit(const struct range *r, size_t n, uint64_t size,
			    uint64_t floor, uint64_t limit, uint64_t pg,
			    uint64_t align);

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

	if (hi > h->window || taken_by(lay, lo, hi, &by))
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
static void move_vdso(struct layout *lay, struct host *h)
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

		if (sys_failed(r)) {
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

/* The new stack: at --stack-top, else at the area's place for it (with
 * --aslr, where the kernel had it), or the highest place below that
 * nothing is in the way of, or failing that the highest free place. */
static void place_stack(struct layout *lay, struct host *h,
			const struct options *o)
{
	uint64_t L = h->layout_page, size, want, top, guard = L;
	/* the stack stays in the window unless --stack-top says otherwise */
	uint64_t limit = o->stack_top_arg && o->stack_top > h->window ? user_top(h) : h->window;
	/* what the user gave that decided the size, for messages */
	const char *by = o->stack_size_arg ? str_printf("--stack-size %s: ", o->stack_size_arg) : "";

	if (o->stack_size > limit - h->min_addr)
		die(EXIT_CANNOT, "%sa 0x%lx-byte stack does not fit in the address space",
		    by, o->stack_size);
	if (o->stack_top_arg && o->stack_top > limit)
		die(EXIT_CANNOT, "--stack-top %s: above the highest user address 0x%lx",
		    o->stack_top_arg, limit);
	size = page_up(o->stack_size, h->page);
	want = top = o->stack_top_arg ? page_up(o->stack_top, h->page) :
		     lay->area.fixed ? lay->area.stack_top : h->stack_top;
	if (o->stack_top_arg && want < size + guard + h->min_addr)
		die(EXIT_CANNOT, "--stack-top %s: a 0x%lx-byte stack does not fit below it",
		    o->stack_top_arg, size);
	for (;;) {
		uint64_t b;

		if (top < size + guard + h->min_addr) {
			size_t n;
			struct range *busy = busy_ranges(lay, h, 0, &n);
			uint64_t at = highest_fit(busy, n, size + guard, h->min_addr, h->window,
						  h->page, h->page);

			if (!at)
				die(EXIT_CANNOT, "%sno room for a 0x%lx-byte stack", by, size);
			top = at + guard + size;
			break;
		}
		b = obstacle(lay, top - size - guard, top, L);
		if (b == UINT64_MAX)
			break;
		if (o->stack_top_arg) {
			struct range by = { 0, 0, "the vDSO", 0 };

			taken_by(lay, top - size - guard, top, &by);
			die(EXIT_CANNOT, "--stack-top %s: the stack 0x%lx-0x%lx overlaps %s",
			    o->stack_top_arg, top - size, top, by.name);
		}
		top = page_down(b, h->page);
	}
	lay->stack_lo = top - size;
	lay->stack_top = top;
	if (top != want) {
		struct range by = { 0, 0, "[vdso]", 0 };

		taken_by(lay, want - size - guard, want, &by);
		note_collision(lay, "[stack]", want - size, want, by.name, by.lo, by.hi,
			       str_printf("stack moved to 0x%lx-0x%lx", lay->stack_lo, top));
	}
}

/* What a new range must avoid, sorted and merged into disjoint ranges:
 * the placed segments, what stays mapped, the new stack (once placed)
 * and, with `now`, everything mapped now. */
static struct range *busy_ranges(const struct layout *lay,
				 const struct host *h, int now, size_t *n)
{
	size_t k = 0, m = 0;
	struct range *r = xalloc((h->nmaps + lay->nkept + lay->nreserved + lay->nall + 1) *
				 sizeof(*r));
	uint64_t L = h->layout_page;

	for (size_t i = 0; i < h->nmaps; i++)
		if (now && h->maps[i].lo < known_top(h))
			r[k++] = h->maps[i];
	for (size_t i = 0; i < lay->nkept; i++)
		r[k++] = lay->kept[i];
	for (size_t i = 0; i < lay->nreserved; i++)
		r[k++] = lay->reserved[i];
	for (uint64_t i = 0; i < lay->nall; i++)
		r[k++] = (struct range){ seg_lo(&lay->all[i], L),
					 seg_hi(&lay->all[i], L), 0, 0 };
	if (lay->stack_top)
		r[k++] = (struct range){ lay->stack_lo - L, lay->stack_top, 0, 0 };
	sort_by_u64(r, k, sizeof(*r), offsetof(struct range, lo));
	for (size_t i = 0; i < k; i++) {
		if (m && r[i].lo <= r[m - 1].hi) {
			if (r[i].hi > r[m - 1].hi)
				r[m - 1].hi = r[i].hi;
		} else {
			r[m++] = r[i];
		}
	}
	*n = m;
	return r;
}

/* The highest start, a multiple of `align`, for `size` bytes with a free
 * page on either side, inside [floor, limit) and between the disjoint
 * sorted busy ranges r[]; 0 if nothing fits. */
static uint64_t highest_fit(const struct range *r, size_t n, uint64_t size,
			    uint64_t floor, uint64_t limit, uint64_t pg,
			    uint64_t align)
{
	for (size_t i = n + 1; i-- > 0;) {
		uint64_t lo = i ? r[i - 1].hi : floor;
		uint64_t hi = i < n ? r[i].lo : limit;
		uint64_t at;

		if (lo < floor)
			lo = floor;
		if (hi > limit)
			hi = limit;
		if (hi <= lo || hi - lo < size + 2 * pg)
			continue;
		at = page_down(hi - pg - size, align);
		if (at >= lo + pg)
			return at;
	}
	return 0;
}

/* The lowest start, a multiple of pg, at or above `floor` with `size`
 * bytes free below `limit` between the disjoint sorted busy ranges r[];
 * 0 if nothing fits. */
static uint64_t lowest_fit(const struct range *r, size_t n, uint64_t size,
			   uint64_t floor, uint64_t limit, uint64_t pg)
{
	for (size_t i = 0; i <= n; i++) {
		uint64_t lo = page_up(i && r[i - 1].hi > floor ? r[i - 1].hi : floor, pg);
		uint64_t hi = i < n ? r[i].lo : limit;

		if (hi > limit)
			hi = limit;
		if (hi > lo && hi - lo >= size)
			return lo;
	}
	return 0;
}

/* Where the kernel's mmap() would start looking, top-down: the area's
 * mmap base; with --aslr, below the vDSO (it went first in stage1's mmap
 * area), or well below the stack. */
static uint64_t mmap_top(const struct layout *lay, const struct host *h)
{
	uint64_t top = 0;

	if (lay->area.fixed)
		return lay->area.mmap_top;
	for (size_t i = 0; i < h->nmaps; i++)
		if (is_vdso_like(h->maps[i].name) && (!top || h->maps[i].lo < top))
			top = h->maps[i].lo;
	return top ? top : page_down(h->stack_top - STACK_MMAP_GAP, h->page);
}

/* An ET_DYN image without a fixed place goes where the kernel would map
 * it with mmap(NULL): the highest free range below the mmap area's top.
 * Returns its base (what p_vaddr 0 becomes). */
static uint64_t place_dyn(struct layout *lay, const struct image *im,
			  const struct host *h)
{
	uint64_t L = h->layout_page, align = im->align > L ? im->align : L;
	uint64_t lo = page_down(im->segs[0].vaddr, L);
	uint64_t size = page_up(image_end(im), L) - lo;
	size_t n;
	struct range *busy = busy_ranges(lay, h, 0, &n);
	uint64_t at = highest_fit(busy, n, size, h->min_addr, mmap_top(lay, h), L, align);

	if (!at)
		at = highest_fit(busy, n, size, h->min_addr, h->window, L, align);
	if (!at)
		die(EXIT_CANNOT, "no room for %s (0x%lx bytes)", im->path, size);
	return at - lo;
}

void place_hole(struct layout *lay, const struct host *h, uint64_t size)
{
	extern char __executable_start[];
	size_t n;
	struct range *busy = busy_ranges(lay, h, 1, &n);
	uint64_t pg = h->page, lo;

	size = page_up(size, pg);
	lo = highest_fit(busy, n, size, h->min_addr,
			 page_down((uint64_t)__executable_start, pg), pg, pg);
	if (!lo)
		lo = highest_fit(busy, n, size, h->min_addr, h->window, pg, pg);
	if (!lo)
		die(EXIT_CANNOT, "no room for the loader: no free 0x%lx-byte range that misses every segment",
		    size);
	lay->hole_lo = lo;
	lay->hole_hi = lo + size;
}

/* ET_DYN programs: --base, else, for a program that has an interpreter,
 * the area's PIE base (with --aslr, the kernel's: 2/3 of the address space,
 * randomized), else, like the kernel with a static-PIE or an interpreter
 * run directly, in the mmap area. Returns the bias (the address p_vaddr 0
 * gets). */
static uint64_t program_base(struct layout *lay, const struct image *im,
			     const struct host *h, const struct options *o,
			     int has_interp)
{
	uint64_t first = page_down(im->segs[0].vaddr, h->layout_page);
	uint64_t align = im->align > h->page ? im->align : h->page, base;

	if (o->has_base) {
		if (o->base & (h->page - 1))
			die(EXIT_CANNOT, "not a multiple of the page size 0x%lx",
			    h->page);
		return o->base - first;
	}
	if (!has_interp)
		return place_dyn(lay, im, h);
	if (lay->area.fixed)
		return page_up(lay->area.pie_base, align) - first;
	base = ARCH_ET_DYN_BASE(h->window);
	if (lay->area.randomized)
		base += random_below(mmap_random_span(h) / h->page) * h->page;
	return page_down(base, align) - first;
}

/* The kernel's arch_randomize_brk: up to BRK_RANDOM further, in pages,
 * unless that lands on something (the kernel's brk would stop there). */
static uint64_t randomize_brk(const struct layout *lay, const struct host *h, uint64_t brk)
{
	uint64_t r = brk + random_below(BRK_RANDOM / h->page) * h->page;

	if (r < brk || r >= known_top(h) - h->page ||
	    obstacle(lay, r, r + h->page, h->page) != UINT64_MAX)
		return brk;
	return r;
}

/* The brk heap starts at the area's place for it, unless something is
 * in the way there: then at the lowest place above it with BRK_ROOM free
 * (after the highest segment, as the kernel puts it, could be the top).
 * With --aslr it goes where the kernel puts it: after the program's
 * highest segment, randomized; for a program without interpreter loaded
 * in the mmap area (static-PIE, ld.so run directly), where ET_DYN
 * programs would have gone, out of the way of the mappings around it. */
static uint64_t program_brk(struct layout *lay, const struct image *im,
			    const struct host *h, int has_interp)
{
	uint64_t brk = page_up(image_end(im), h->page), want = lay->area.brk;
	struct range by = { 0, 0, "what stays mapped", 0 };

	if (lay->area.fixed) {
		if (!taken_by(lay, want, want + h->page, &by) &&
		    obstacle(lay, want, want + h->page, h->page) == UINT64_MAX &&
		    (want >= lay->stack_top || want + h->page <= lay->stack_lo))
			return want;
		size_t n;
		struct range *busy = busy_ranges(lay, h, 0, &n);
		uint64_t at = lowest_fit(busy, n, BRK_ROOM, want + h->page, h->window, lay->page);

		if (at)
			brk = at;
		note_collision(lay, "[heap]", want, want + h->page, by.name, by.lo, by.hi,
			       str_printf("brk start moved to 0x%lx", brk));
	} else if (im->eh.e_type == ET_DYN && !has_interp) {
		brk = page_down(ARCH_ET_DYN_BASE(h->window), h->page);
	}
	if (lay->area.randomized)
		brk = randomize_brk(lay, h, brk);
	return brk < known_top(h) ? brk : known_top(h) - h->page;
}

/* The interpreter, top-down from where mmap() starts, out of the way of
 * everything placed before it; an ET_EXEC one at its addresses. */
static void place_interp(struct layout *lay, struct image *in,
			 struct host *h)
{
	die_context = str_printf("interpreter %s", in->path);
	/* an ET_EXEC interpreter goes where it says, as the kernel maps it:
	 * over the program if they meet, AT_BASE 0 */
	if (in->eh.e_type == ET_DYN)
		relocate(in, place_dyn(lay, in, h));
	check_placement(in, h);
	check_entry(in, in->entry, "entry point", h->layout_page);
	die_context = 0;
	add_footprint(lay, in);
}

/* The ranges nothing of elfload's may go to: --reserve, and the pages the
 * program maps itself (an ELFie's, elfie.c), on whole pages. */
static void reserve(struct layout *lay, const struct options *o,
		    const struct image *im, const struct host *h)
{
	size_t n = o->nreserve + im->nown;

	lay->reserved = xalloc((n + 1) * sizeof(*lay->reserved));
	for (size_t i = 0; i < n; i++) {
		struct range r = i < o->nreserve ? o->reserve[i] : im->own[i - o->nreserve];

		r.lo = page_down(r.lo, h->page);
		r.hi = r.hi > UINT64_MAX - h->page ? page_down(UINT64_MAX, h->page) :
		       page_up(r.hi, h->page);
		lay->reserved[lay->nreserved++] = r;
	}
	sort_by_u64(lay->reserved, lay->nreserved, sizeof(struct range),
		    offsetof(struct range, lo));
}

uint64_t plan_layout(struct layout *lay, struct image *im, struct image *in,
		     struct host *h, const struct options *o)
{
	uint64_t pc;

	lay->page = h->layout_page;
	plan_area(lay, h, o);
	reserve(lay, o, im, h);
	lay->drop_caps = o->userns;
	if (o->userns && im->set_ids)
		die(EXIT_CANNOT, "--userns: a set-user-ID or set-group-ID program cannot have "
		    "its IDs in a user namespace; run it without --userns");
	if (o->has_base && im->eh.e_type != ET_DYN)
		die(EXIT_CANNOT, "--base: not a position-independent program (ET_EXEC)");
	if (im->eh.e_type == ET_DYN) {
		if (o->has_base)
			die_context = str_printf("--base %s", o->base_arg);
		relocate(im, program_base(lay, im, h, o, !!in->path));
		check_placement(im, h);
		die_context = 0;
	}
	add_footprint(lay, im);
	pc = o->entry ? find_symbol(im, o->entry) : im->entry;
	check_entry(im, pc, o->entry ? "--entry" : "entry point", h->layout_page);
	move_vdso(lay, h);
	decide_kept(lay, h);
	place_stack(lay, h, o);
	if (in->path) {
		place_interp(lay, in, h);
		if (!o->entry)
			pc = in->entry;
	}
	lay->brk = program_brk(lay, im, h, !!in->path);
	return pc;
}
