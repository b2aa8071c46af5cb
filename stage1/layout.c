/*
 * Planning the final address space. Nothing here touches memory the
 * program will use; it only decides, and records the decisions as ops for
 * stage2 (see stage2/plan.h).
 *
 *   0                                                               top
 *   |--[program segments, exactly where p_vaddr says]--...--[stack]--|
 *              ^ brk starts at the end of the highest segment
 *
 * Decided in this order, each avoiding what came before:
 *   1. the program's segments (ET_DYN: where the kernel would put them);
 *   2. what stays mapped: all that is not stage1's own (vDSO, vvar, ...)
 *      and that no segment needs;
 *   3. the new stack: where the kernel had it, or the highest place below;
 *   4. the interpreter: top-down from where mmap() starts, as the kernel;
 *   5. the hole: the highest free range below stage1's own link address
 *      (or, failing that, anywhere) that also misses everything mapped now.
 */
#include "elfload.h"

static uint64_t seg_lo(const struct seg *s, uint64_t L) { return page_down(s->vaddr, L); }
static uint64_t seg_hi(const struct seg *s, uint64_t L) { return page_up(s->vaddr + s->memsz, L); }

struct op *last_op(struct layout *lay)
{
	return lay->nops ? &lay->ops[lay->nops - 1] : 0;
}

void add_op(struct layout *lay, uint32_t kind, uint64_t addr, uint64_t len)
{
	if (lay->nops == lay->capops) {
		size_t cap = lay->capops ? lay->capops * 2 : 256;

		lay->ops = xrealloc(lay->ops, lay->capops * sizeof(struct op),
				    cap * sizeof(struct op));
		lay->capops = cap;
	}
	lay->ops[lay->nops++] = (struct op){ .kind = kind, .fd = -1,
					      .addr = addr, .len = len };
}

/* mmap ops that continue the previous one (same file, contiguous address
 * and offset, same protection) are merged: thousands of pinned pages that
 * sit side by side in memory and file cost one syscall and one VMA. */
static void add_mmap(struct layout *lay, uint64_t addr, uint64_t len, int prot,
		     int fd, uint64_t off)
{
	struct op *p = last_op(lay);
	int flags = MAP_PRIVATE | MAP_FIXED | (fd < 0 ? MAP_ANONYMOUS : 0);

	if (p && p->kind == OP_MMAP && p->fd == fd && p->prot == (uint32_t)prot &&
	    p->flags == (uint32_t)flags && p->addr + p->len == addr &&
	    (fd < 0 || p->arg + p->len == off)) {
		p->len += len;
		return;
	}
	add_op(lay, OP_MMAP, addr, len);
	p = last_op(lay);
	p->prot = prot;
	p->flags = flags;
	p->fd = fd;
	p->arg = fd < 0 ? 0 : off;
}

static void add_pread(struct layout *lay, int fd, const struct seg *s,
		      uint64_t lo, uint64_t hi)
{
	uint64_t a = s->vaddr > lo ? s->vaddr : lo;
	uint64_t b = s->vaddr + s->filesz < hi ? s->vaddr + s->filesz : hi;

	if (a >= b)
		return;
	add_op(lay, OP_PREAD, a, b - a);
	last_op(lay)->fd = fd;
	last_op(lay)->arg = s->off + (a - s->vaddr);
}

static void add_protect(struct layout *lay, uint64_t lo, uint64_t len, int prot)
{
	if (prot != (PROT_READ | PROT_WRITE)) {
		add_op(lay, OP_MPROTECT, lo, len);
		last_op(lay)->prot = prot;
	}
	if (prot & PROT_EXEC)
		add_op(lay, OP_SYNC_ICACHE, lo, len);
}

static void note(struct layout *lay, const char *what, uint64_t lo, uint64_t hi,
		 const char *by, uint64_t by_lo, uint64_t by_hi, const char *outcome)
{
	struct collision *c;

	lay->coll = xrealloc(lay->coll, lay->ncoll * sizeof(*c),
			     (lay->ncoll + 1) * sizeof(*c));
	c = &lay->coll[lay->ncoll++];
	*c = (struct collision){ what, lo, hi, by, by_lo, by_hi, outcome, 0 };
}

static const char *seg_name(const struct seg *s)
{
	if (s->owner)
		return str_printf("PT_LOAD %u of %s", s->index, s->owner);
	return str_printf("PT_LOAD %u", s->index);
}

/* A page that two or more segments share (their alignment is finer than
 * the page size): map it anonymous, copy every segment's bytes in, and
 * give it the union of their protections. */
static void load_shared_page(struct layout *lay, const struct image *im,
			     uint64_t first, uint64_t page, uint64_t L)
{
	int prot = 0;
	uint64_t j;

	add_mmap(lay, page, L, PROT_READ | PROT_WRITE, -1, 0);
	for (j = first; j < im->nsegs && seg_lo(&im->segs[j], L) <= page; j++) {
		if (seg_hi(&im->segs[j], L) <= page)
			continue;
		add_pread(lay, im->segs[j].fd, &im->segs[j], page, page + L);
		prot |= prot_of(im->segs[j].flags);
	}
	add_protect(lay, page, L, prot);
	note(lay, seg_name(&im->segs[first]), page, page + L,
	     seg_name(&im->segs[j - 1]), page, page + L,
	     str_printf("filled by copying, %c%c%c",
			prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-',
			prot & PROT_EXEC ? 'x' : '-'));
	lay->coll[lay->ncoll - 1].shared = 1;
}

/* The pages only this segment uses: file-backed where offset and address
 * are congruent modulo the page size (no copy, however large), copied
 * otherwise; the bss is anonymous memory, its first partial page zeroed. */
static void load_own_pages(struct layout *lay, const struct seg *s,
			   uint64_t lo, uint64_t hi, uint64_t L)
{
	int prot = prot_of(s->flags);
	uint64_t fend = s->vaddr + s->filesz;

	if (lo >= hi)
		return;
	if (s->filesz && ((s->vaddr - s->off) & (L - 1)) == 0) {
		uint64_t fhi = page_up(fend, L) < hi ? page_up(fend, L) : hi;
		int zero = s->memsz > s->filesz && (fend & (L - 1)) && page_up(fend, L) <= hi;

		if (lo < fhi) {
			add_mmap(lay, lo, fhi - lo, zero ? prot | PROT_WRITE : prot,
				 s->fd, s->off + lo - s->vaddr);
			if (zero) {
				add_op(lay, OP_ZERO, fend, page_up(fend, L) - fend);
				if (!(prot & PROT_WRITE)) {
					add_op(lay, OP_MPROTECT, page_down(fend, L), L);
					last_op(lay)->prot = prot;
				}
			}
		}
		if (fhi < hi)
			add_mmap(lay, fhi > lo ? fhi : lo, hi - (fhi > lo ? fhi : lo),
				 prot, -1, 0);
	} else if (s->filesz) {
		add_mmap(lay, lo, hi - lo, PROT_READ | PROT_WRITE, -1, 0);
		add_pread(lay, s->fd, s, lo, hi);
		add_protect(lay, lo, hi - lo, prot);
	} else {
		add_mmap(lay, lo, hi - lo, prot, -1, 0);
	}
}

void plan_segments(struct layout *lay, const struct image *im,
		   const struct host *h)
{
	uint64_t L = h->layout_page, last_shared = 0;

	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];
		uint64_t lo = seg_lo(s, L), hi = seg_hi(s, L);
		int shared_lo = i > 0 && seg_hi(&im->segs[i - 1], L) > lo;
		int shared_hi = i + 1 < im->nsegs && seg_lo(&im->segs[i + 1], L) < hi;

		if (shared_lo)
			lo += L;
		if (shared_hi)
			hi -= L;
		if (lo < hi)
			load_own_pages(lay, s, lo, hi, L);
		if (shared_hi && seg_lo(&im->segs[i + 1], L) != last_shared) {
			uint64_t first = i;

			last_shared = seg_lo(&im->segs[i + 1], L);
			while (first > 0 && seg_hi(&im->segs[first - 1], L) > last_shared)
				first--;
			load_shared_page(lay, im, first, last_shared, L);
		}
	}
}

/* All segments placed so far, of the program and of the interpreter, by
 * address: what the stack, the interpreter and the hole must avoid. */
void add_footprint(struct layout *lay, const struct image *im)
{
	struct seg *all = xalloc((lay->nall + im->nsegs) * sizeof(*all) + 1);
	uint64_t a = 0, b = 0, k = 0;

	while (a < lay->nall || b < im->nsegs)
		all[k++] = b == im->nsegs ||
			   (a < lay->nall && lay->all[a].vaddr < im->segs[b].vaddr)
			   ? lay->all[a++] : im->segs[b++];
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

static int is_vdso_like(const char *name)
{
	return !memcmp(name, "[vdso]", 6) || !memcmp(name, "[vvar", 5);
}

/* Is this mapping stage1's own: its image, its stack (and a guard page
 * right below it, as qemu-user makes one), its brk heap, its memory? */
static int is_ours(const struct host *h, size_t i)
{
	extern char __executable_start[], _end[];
	const struct range *m = &h->maps[i], *next = i + 1 < h->nmaps ? m + 1 : 0;
	const struct range *r;
	size_t n;

	if (m->lo < (uint64_t)_end && m->hi > (uint64_t)__executable_start)
		return 1;
	if (!strcmp(m->name, "[stack]") || !strcmp(m->name, "[heap]"))
		return 1;
	if (next && !strcmp(next->name, "[stack]") && m->hi == next->lo &&
	    m->perms && !memcmp(m->perms, "---", 3))
		return 1;
	r = arena_ranges(&n);
	for (size_t k = 0; k < n; k++)
		if (m->lo >= r[k].lo && m->hi <= r[k].hi)
			return 1;
	return 0;
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
 * no segment needs: the vDSO and its vvar pages, qemu-user's signal
 * trampolines, whatever else the kernel provides. The vDSO reads vvar, so
 * if a segment needs any of them all go, and AT_SYSINFO_EHDR with them. */
void decide_kept(struct layout *lay, const struct host *h)
{
	uint64_t L = h->layout_page;
	int vdso_ok = 1;

	for (size_t i = 0; i < h->nmaps; i++)
		if (is_vdso_like(h->maps[i].name) &&
		    seg_in(lay, h->maps[i].lo, h->maps[i].hi, L))
			vdso_ok = 0;
	size_t na;

	arena_ranges(&na);
	lay->kept = xalloc((h->nmaps + 1) * (na + 1) * sizeof(*lay->kept));
	for (size_t i = 0; i < h->nmaps; i++) {
		const struct range *m = &h->maps[i];
		const struct seg *s;
		int vdso = is_vdso_like(m->name);

		if (m->lo >= h->top)
			continue;
		s = seg_in(lay, m->lo, m->hi, L);
		if (s)
			note(lay, m->name, m->lo, m->hi, seg_name(s), s->vaddr,
			     s->vaddr + s->memsz,
			     vdso ? "unmapped; AT_SYSINFO_EHDR dropped" : "unmapped");
		if (!s && !is_ours(h, i) && (vdso_ok || !vdso))
			keep(lay, m);
	}
	lay->keep_vdso = vdso_ok && h->vdso;
}

/* What [lo, hi) runs into: a segment or a kept mapping (the lowest start
 * among them, to retry below it), or 0 when the range is free. */
static uint64_t obstacle(const struct layout *lay, uint64_t lo, uint64_t hi,
			 uint64_t L)
{
	const struct seg *s = seg_in(lay, lo, hi, L);
	uint64_t below = s ? seg_lo(s, L) : UINT64_MAX;

	for (size_t i = 0; i < lay->nkept; i++)
		if (lay->kept[i].lo < hi && lo < lay->kept[i].hi &&
		    lay->kept[i].lo < below)
			below = lay->kept[i].lo;
	return below == UINT64_MAX ? 0 : below;
}

void place_stack(struct layout *lay, const struct host *h,
		 const struct options *o)
{
	uint64_t L = h->layout_page, size = page_up(o->stack_size, h->page);
	uint64_t want = o->stack_top ? page_up(o->stack_top, h->page) : h->stack_top;
	uint64_t top = want, guard = L;

	if (want > h->top || want < size + h->min_addr)
		die(EXIT_CANNOT, "--stack-top 0x%lx: a 0x%lx-byte stack does not fit below it",
		    want, size);
	for (;;) {
		uint64_t b;

		if (top < size + guard + h->min_addr)
			die(EXIT_CANNOT, "no room for a 0x%lx-byte stack below 0x%lx",
			    size, want);
		b = obstacle(lay, top - size - guard, top, L);
		if (!b)
			break;
		if (o->stack_top) {
			const struct seg *s = seg_in(lay, top - size - guard, top, L);

			die(EXIT_CANNOT, "--stack-top 0x%lx: the stack 0x%lx-0x%lx overlaps %s",
			    want, top - size, top,
			    s ? seg_name(s) : "the vDSO");
		}
		top = page_down(b, h->page);
	}
	lay->stack_lo = top - size;
	lay->stack_top = top;
	if (top != want) {
		const struct seg *s = seg_in(lay, want - size - guard, want, L);

		note(lay, "[stack]", want - size, want,
		     s ? seg_name(s) : "[vdso]", s ? s->vaddr : 0,
		     s ? s->vaddr + s->memsz : 0,
		     str_printf("stack moved to 0x%lx-0x%lx", lay->stack_lo, top));
	}
}

static void sort_ranges(struct range *r, size_t n)
{
	for (size_t gap = n / 2; gap; gap /= 2)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && r[j - gap].lo > r[j].lo; j -= gap) {
				struct range t = r[j];

				r[j] = r[j - gap];
				r[j - gap] = t;
			}
}

/* What a new range must avoid, sorted and merged into disjoint ranges:
 * the placed segments, what stays mapped, the new stack (once placed)
 * and, with `now`, everything mapped now. */
static struct range *busy_ranges(const struct layout *lay,
				 const struct host *h, int now, size_t *n)
{
	size_t k = 0, m = 0;
	struct range *r = xalloc((h->nmaps + lay->nkept + lay->nall + 1) * sizeof(*r));
	uint64_t L = h->layout_page;

	for (size_t i = 0; i < h->nmaps; i++)
		if (now && h->maps[i].lo < h->top)
			r[k++] = h->maps[i];
	for (size_t i = 0; i < lay->nkept; i++)
		r[k++] = lay->kept[i];
	for (uint64_t i = 0; i < lay->nall; i++)
		r[k++] = (struct range){ seg_lo(&lay->all[i], L),
					 seg_hi(&lay->all[i], L), 0, 0 };
	if (lay->stack_top)
		r[k++] = (struct range){ lay->stack_lo - L, lay->stack_top, 0, 0 };
	sort_ranges(r, k);
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

/* Where the kernel's mmap() would start looking, top-down: below the vDSO
 * (it went first in stage1's mmap area), or well below the stack. */
static uint64_t mmap_top(const struct host *h)
{
	uint64_t top = 0;

	for (size_t i = 0; i < h->nmaps; i++)
		if (is_vdso_like(h->maps[i].name) && (!top || h->maps[i].lo < top))
			top = h->maps[i].lo;
	return top ? top : page_down(h->stack_top - (256 << 20), h->page);
}

/* An ET_DYN image without a fixed place goes where the kernel would map
 * it with mmap(NULL): the highest free range below the mmap area's top.
 * Returns its base (what p_vaddr 0 becomes). */
uint64_t place_dyn(struct layout *lay, const struct image *im,
		   const struct host *h)
{
	uint64_t L = h->layout_page, align = im->align > L ? im->align : L;
	uint64_t lo = page_down(im->segs[0].vaddr, L);
	uint64_t size = page_up(im->segs[im->nsegs - 1].vaddr +
			    im->segs[im->nsegs - 1].memsz, L) - lo;
	size_t n;
	struct range *busy = busy_ranges(lay, h, 0, &n);
	uint64_t at = highest_fit(busy, n, size, h->min_addr, mmap_top(h), L, align);

	if (!at)
		at = highest_fit(busy, n, size, h->min_addr, h->top, L, align);
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
		lo = highest_fit(busy, n, size, h->min_addr, h->top, pg, pg);
	if (!lo)
		die(EXIT_CANNOT, "no room for the loader: no free 0x%lx-byte range that misses every segment",
		    size);
	lay->hole_lo = lo;
	lay->hole_hi = lo + size;
}

static void perms_of(char *p, int prot, char kind)
{
	p[0] = prot & PROT_READ ? 'r' : '-';
	p[1] = prot & PROT_WRITE ? 'w' : '-';
	p[2] = prot & PROT_EXEC ? 'x' : '-';
	p[3] = kind;
	p[4] = 0;
}

struct row {
	uint64_t lo, hi, off;
	char perms[5];
	const char *name, *what;
};

static void add_row(struct row *r, size_t *n, uint64_t lo, uint64_t hi,
		    const char *perms, uint64_t off, const char *name,
		    const char *what)
{
	r[*n] = (struct row){ lo, hi, off, { 0 }, name, what };
	memcpy(r[*n].perms, perms, 4);
	++*n;
}

/* The plan as a table in the style of /proc/PID/maps, by address, then
 * every collision that was resolved. */
void print_layout(int fd, const struct layout *lay, const struct image *im,
		  const struct host *h)
{
	struct out o = { .fd = fd };
	uint64_t L = h->layout_page, k = lay->hole_lo;
	struct row *r = xalloc((lay->nall + lay->nkept + 8) * sizeof(*r));
	size_t n = 0;
	char perms[5];

	for (uint64_t i = 0; i < lay->nall; i++) {
		const struct seg *s = &lay->all[i];
		int congruent = ((s->vaddr - s->off) & (L - 1)) == 0;

		perms_of(perms, prot_of(s->flags), 'p');
		add_row(r, &n, seg_lo(s, L), seg_hi(s, L), perms,
			s->filesz && congruent ? page_down(s->off, L) : 0,
			s->owner ? s->owner : im->path,
			str_printf("PT_LOAD %u%s", s->index,
				   !s->filesz ? " (anonymous)" :
				   congruent ? "" : " (copied)"));
	}
	add_row(r, &n, lay->brk, lay->brk, "---p", 0, "[heap]", "brk start");
	perms_of(perms, stack_prot(im->stack_flags), 'p');
	add_row(r, &n, lay->stack_lo, lay->stack_top, perms, 0, "[stack]",
		str_printf("new stack, 0x%lx bytes", lay->stack_top - lay->stack_lo));
	for (size_t i = 0; i < lay->nkept; i++)
		add_row(r, &n, lay->kept[i].lo, lay->kept[i].hi,
			lay->kept[i].perms ? lay->kept[i].perms : "r--p", 0,
			lay->kept[i].name, "kept");
	add_row(r, &n, k, k + lay->blob_len, "r-xp", 0, "[elfload]",
		"stage2 code, stays mapped");
	k += lay->blob_len;
	if (lay->phdr_len) {
		add_row(r, &n, k, k + lay->phdr_len, "r--p", 0, "[elfload]",
			"copy of the program headers (AT_PHDR)");
		k += lay->phdr_len;
	}
	add_row(r, &n, k, lay->hole_lo + lay->keep_len, "rw-p", 0, "[elfload]",
		"stage2 stack, stays mapped");
	add_row(r, &n, lay->hole_lo + lay->keep_len, lay->hole_hi, "rw-p", 0,
		"[elfload]", "plan, unmapped before the jump");

	for (size_t i = 1; i < n; i++)   /* insertion sort: few rows out of order */
		for (size_t j = i; j > 0 && r[j - 1].lo > r[j].lo; j--) {
			struct row t = r[j];

			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	out_printf(&o, "elfload: %s: layout (page size %lu)\n", im->path, L);
	for (size_t i = 0; i < n; i++)
		out_printf(&o, "%08lx-%08lx %s %08lx %-20s %s\n", r[i].lo, r[i].hi,
			   r[i].perms, r[i].off, r[i].name, r[i].what);
	for (size_t i = 0; i < lay->ncoll; i++) {
		const struct collision *c = &lay->coll[i];

		out_printf(&o, "%s: %s %lx-%lx %s %s %lx-%lx: %s\n",
			   c->shared ? "note" : "collision", c->what, c->lo,
			   c->hi, c->shared ? "shares a page with" :
			   "is in the way of", c->by, c->by_lo, c->by_hi,
			   c->outcome);
	}
	out_flush(&o);
}
