/*
 * The ops that put segments in place, once layout.c has decided where
 * everything goes (see common/plan.h for what each op does). Per page of
 * the layout granule L:
 *
 *   a page only one segment uses   file-backed mmap where p_offset and
 *                                  p_vaddr are congruent modulo L (no
 *                                  copy, however large), else copied;
 *                                  the bss anonymous, its first partial
 *                                  page zeroed
 *   a page two segments share      anonymous, every segment's bytes
 *                                  copied in, the union of their
 *                                  protections
 */
#include "stage1.h"

static struct op *last_op(struct layout *lay)
{
	return lay->nops ? &lay->ops[lay->nops - 1] : 0;
}

struct op *add_op(struct layout *lay, uint32_t kind, uint64_t addr, uint64_t len)
{
	if (lay->nops == lay->capops) {
		size_t cap = lay->capops ? lay->capops * 2 : 256;

		lay->ops = xrealloc(lay->ops, lay->capops * sizeof(struct op),
				    cap * sizeof(struct op));
		lay->capops = cap;
	}
	lay->ops[lay->nops] = (struct op){ .kind = kind, .fd = -1,
					    .addr = addr, .len = len };
	return &lay->ops[lay->nops++];
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
	p = add_op(lay, OP_MMAP, addr, len);
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
	struct op *p;

	if (a >= b)
		return;
	p = add_op(lay, OP_PREAD, a, b - a);
	p->fd = fd;
	p->arg = s->off + (a - s->vaddr);
}

/* Copied bytes that will run are made coherent while the pages are still
 * read-write: cleaning the data cache reads them, which a page without
 * PROT_READ would forbid. */
static void add_protect(struct layout *lay, uint64_t lo, uint64_t len, int prot)
{
	if (prot & PROT_EXEC)
		add_op(lay, OP_SYNC_ICACHE, lo, len);
	if (prot != (PROT_READ | PROT_WRITE))
		add_op(lay, OP_MPROTECT, lo, len)->prot = prot;
}

/* A page that two or more segments share (their alignment is finer than
 * the page size): map it anonymous, copy every segment's bytes in, and
 * give it the union of their protections. */
static void load_shared_page(struct layout *lay, const struct image *im,
			     uint64_t first, uint64_t page, uint64_t L)
{
	int prot = 0;
	uint64_t j;
	char rwx[4];

	add_mmap(lay, page, L, PROT_READ | PROT_WRITE, -1, 0);
	for (j = first; j < im->nsegs && seg_lo(&im->segs[j], L) <= page; j++) {
		if (seg_hi(&im->segs[j], L) <= page)
			continue;
		add_pread(lay, im->segs[j].fd, &im->segs[j], page, page + L);
		prot |= prot_of(im->segs[j].flags);
	}
	add_protect(lay, page, L, prot);
	note_collision(lay, seg_name(&im->segs[first]), page, page + L,
		       seg_name(&im->segs[j - 1]), page, page + L,
		       str_printf("filled by copying, %s", prot_letters(rwx, prot)))->kind = NOTE_SHARED;
}

/* The pages only this segment uses, [lo, hi). Its whole pages of file
 * data are file-backed where p_offset and p_vaddr are congruent modulo L
 * (no copy, however large); the rest is anonymous, and the page in which
 * the file data end gets its bytes copied in when zeros follow in it, so
 * that stage2 never writes to a page a file backs (common/plan.h). A
 * segment that is not congruent is copied. pg is the kernel's page. */
static void load_own_pages(struct layout *lay, const struct seg *s,
			   uint64_t lo, uint64_t hi, uint64_t L, uint64_t pg)
{
	const int rw = PROT_READ | PROT_WRITE;
	int prot = prot_of(s->flags);
	uint64_t fend = s->vaddr + s->filesz, mapped = lo;

	if (lo >= hi)
		return;
	if (s->filesz && ((s->vaddr - s->off) & (L - 1)) == 0) {
		/* through the last page of file data when nothing follows
		 * it, else up to it */
		uint64_t fhi = s->memsz > s->filesz ? page_down(fend, pg) : page_up(fend, pg);

		mapped = fhi < lo ? lo : fhi > hi ? hi : fhi;
		if (lo < mapped)
			add_mmap(lay, lo, mapped - lo, prot, s->fd, s->off + lo - s->vaddr);
	}
	if (s->filesz && fend > mapped && mapped < hi) {
		uint64_t copy_hi = page_up(fend, pg) < hi ? page_up(fend, pg) : hi;
		/* what ends up read-write anyway is mapped in the same call */
		uint64_t rw_hi = prot == rw ? hi : copy_hi;

		add_mmap(lay, mapped, rw_hi - mapped, rw, -1, 0);
		add_pread(lay, s->fd, s, mapped, copy_hi);
		add_protect(lay, mapped, copy_hi - mapped, prot);
		mapped = rw_hi;
	}
	if (mapped < hi)
		add_mmap(lay, mapped, hi - mapped, prot, -1, 0);
}

static void plan_segments(struct layout *lay, const struct image *im,
		   const struct host *h)
{
	uint64_t L = h->layout_page, last_shared = UINT64_MAX; /* none yet: 0 is a page too */

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
			load_own_pages(lay, s, lo, hi, L, h->page);
		if (shared_hi && seg_lo(&im->segs[i + 1], L) != last_shared) {
			uint64_t first = i;

			last_shared = seg_lo(&im->segs[i + 1], L);
			while (first > 0 && seg_hi(&im->segs[first - 1], L) > last_shared)
				first--;
			load_shared_page(lay, im, first, last_shared, L);
		}
	}
}

void plan_loading(struct layout *lay, const struct image *im,
		  const struct image *in, const struct host *h)
{
	plan_segments(lay, im, h);
	if (in->path)
		plan_segments(lay, in, h);
}
