/*
 * The ops that put segments in place, once layout.c has decided where
 * everything goes (see common/plan.h for what each op does). What the
 * program finds is what the kernel's elf_load gives it, per page of the
 * layout granule L:
 *
 *   file pages   [page_down(p_vaddr), page_up(p_vaddr + p_filesz)):
 *                the whole file page, also the bytes before p_vaddr and
 *                after the data; file-backed where p_offset and p_vaddr
 *                are congruent modulo L (no copy, however large; pages
 *                past the end of the file fault when touched, as the
 *                kernel's), else copied. p_flags.
 *   the last one, when bss follows in it and the segment is writable:
 *                the kernel zeroes the rest of it, so it is anonymous
 *                with the file's bytes copied in (stage2 never writes to
 *                a page a file backs). Not writable: the kernel cannot
 *                zero it, the file's bytes stay.
 *   bss pages    past the file pages (all of them if p_filesz is 0):
 *                anonymous, read-write whatever p_flags say, executable
 *                with PF_X (vm_brk_flags).
 *
 * A page two segments share is anonymous with the bytes copied in. If
 * their addresses do not overlap, it holds every segment's bytes with
 * the union of their protections, where the kernel would keep only the
 * last segment's page (README: What the program sees). If they overlap,
 * it is the kernel's: the last segment in header order maps its page
 * over the others'.
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

/* Reads the file's bytes for [lo, hi), file offset `off` at lo; what
 * lies past the end of the file stays zero. */
static void add_read(struct layout *lay, const struct seg *s, uint64_t lo,
		     uint64_t hi, uint64_t off)
{
	struct op *p;

	if (off >= s->fsize || lo >= hi)
		return;
	if (hi - lo > s->fsize - off)
		hi = lo + (s->fsize - off);
	p = add_op(lay, OP_PREAD, lo, hi - lo);
	p->fd = s->fd;
	p->arg = off;
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

/* ---- one segment, as the kernel sees it ---- */

static uint64_t file_hi(const struct seg *s, uint64_t L)   /* end of its file pages */
{
	return s->filesz ? page_up(s->vaddr + s->filesz, L) : page_down(s->vaddr, L);
}

static int bss_prot(const struct seg *s)
{
	return PROT_READ | PROT_WRITE | (prot_of(s->flags) & PROT_EXEC);
}

static int congruent(const struct seg *s, uint64_t L)
{
	return ((s->vaddr - s->off) & (L - 1)) == 0;
}

/* The page of file data that the kernel zeroes after the data, or
 * UINT64_MAX: bss follows in it, and the segment is writable. */
static uint64_t zeroed_page(const struct seg *s, uint64_t L)
{
	uint64_t fend = s->vaddr + s->filesz;

	if (!s->filesz || s->memsz == s->filesz || !(fend & (L - 1)) ||
	    !(prot_of(s->flags) & PROT_WRITE))
		return UINT64_MAX;
	return page_down(fend, L);
}

/* The file offset of address a's byte in the segment's file pages. */
static uint64_t file_off(const struct seg *s, uint64_t a)
{
	return s->off - (s->vaddr - a);
}

/* Maps [lo, hi) of the segment's file pages from the file. Where the
 * layout's page is larger than the kernel's (--page-size), the page in
 * which the file ends reads as zeros after it, as on a kernel with such
 * pages: the kernel pages wholly past the end are anonymous there. */
static void map_from_file(struct layout *lay, const struct seg *s, uint64_t lo,
			  uint64_t hi, uint64_t L, uint64_t pg)
{
	int prot = prot_of(s->flags);
	uint64_t eof = file_off(s, lo) < s->fsize ? lo + (s->fsize - file_off(s, lo)) : lo;
	uint64_t cut = page_up(eof, pg), end = page_up(eof, L);

	if (L == pg || cut >= hi || cut == end || eof == lo) {
		add_mmap(lay, lo, hi - lo, prot, s->fd, file_off(s, lo));
		return;
	}
	add_mmap(lay, lo, cut - lo, prot, s->fd, file_off(s, lo));
	add_mmap(lay, cut, (end < hi ? end : hi) - cut, prot, -1, 0);
	if (end < hi)
		add_mmap(lay, end, hi - end, prot, s->fd, file_off(s, end));
}

/* Its file pages in [lo, hi), congruent: mapped from the file, but the
 * one the kernel zeroes after the data, which is copied. */
static void map_file_pages(struct layout *lay, const struct seg *s,
			   uint64_t lo, uint64_t hi, uint64_t L, uint64_t pg)
{
	uint64_t z = zeroed_page(s, L), fend = s->vaddr + s->filesz;
	int prot = prot_of(s->flags);

	/* past the end of the file the kernel cannot zero it either: it
	 * faults when touched, as the mapping does */
	if (z != UINT64_MAX && file_off(s, z) >= s->fsize)
		z = UINT64_MAX;
	if (z < lo || z >= hi) {
		map_from_file(lay, s, lo, hi, L, pg);
		return;
	}
	if (lo < z)
		map_from_file(lay, s, lo, z, L, pg);
	add_mmap(lay, z, L, PROT_READ | PROT_WRITE, -1, 0);
	add_read(lay, s, z, fend, file_off(s, z));
	add_protect(lay, z, L, prot);
	if (z + L < hi)
		map_from_file(lay, s, z + L, hi, L, pg);
}

/* Its file pages in [lo, hi), not congruent (which the kernel refuses):
 * copied, the segment's own bytes and zeros. */
static void copy_file_pages(struct layout *lay, const struct seg *s,
			    uint64_t lo, uint64_t hi)
{
	uint64_t a = s->vaddr > lo ? s->vaddr : lo;
	uint64_t b = s->vaddr + s->filesz < hi ? s->vaddr + s->filesz : hi;

	add_mmap(lay, lo, hi - lo, PROT_READ | PROT_WRITE, -1, 0);
	if (a < b)
		add_read(lay, s, a, b, file_off(s, a));
	add_protect(lay, lo, hi - lo, prot_of(s->flags));
}

/* The pages in [lo, hi) only this segment uses. */
static void load_own_pages(struct layout *lay, const struct seg *s,
			   uint64_t lo, uint64_t hi, uint64_t L, uint64_t pg)
{
	uint64_t fhi = file_hi(s, L) < hi ? file_hi(s, L) : hi, z = zeroed_page(s, L);

	/* data and bss, read-write (as most are): the page the kernel
	 * zeroes and the bss after it are one anonymous mapping */
	if (z + L == fhi && z >= lo && fhi < hi && congruent(s, L) &&
	    prot_of(s->flags) == bss_prot(s) && file_off(s, z) < s->fsize) {
		if (lo < z)
			map_from_file(lay, s, lo, z, L, pg);
		add_mmap(lay, z, hi - z, bss_prot(s), -1, 0);
		add_read(lay, s, z, s->vaddr + s->filesz, file_off(s, z));
		add_protect(lay, z, L, bss_prot(s));
		return;
	}

	if (lo < fhi && congruent(s, L))
		map_file_pages(lay, s, lo, fhi, L, pg);
	else if (lo < fhi)
		copy_file_pages(lay, s, lo, fhi);
	if (fhi < lo)
		fhi = lo;
	if (fhi < hi)
		add_mmap(lay, fhi, hi - fhi, bss_prot(s), -1, 0);
}

/* ---- pages segments share ---- */

/* Which of the segments in vaddr order, `act`, meet another; and the
 * same segments in header order in `who`, the last of which the kernel
 * maps over the others. */
struct sharing {
	const struct seg **who;
	size_t n;
	int overlap;
};

static void order_sharers(const struct seg **act, size_t n, struct sharing *sh)
{
	struct { uint64_t index; const struct seg *s; } *by = xalloc(n * sizeof(*by) + 8);
	uint64_t end = 0;

	sh->overlap = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && act[i]->vaddr < end)
			sh->overlap = 1;
		if (act[i]->vaddr + act[i]->memsz > end)
			end = act[i]->vaddr + act[i]->memsz;
		by[i].index = act[i]->index;
		by[i].s = act[i];
	}
	sort_by_u64(by, n, sizeof(*by), 0);
	for (size_t i = 0; i < n; i++)
		sh->who[i] = by[i].s;
	sh->n = n;
}

/* A page two or more segments share without overlapping, anonymous:
 * every segment's bytes copied in, the union of their protections (the
 * kernel would keep only the last one's page: README). */
static void load_shared_page(struct layout *lay, const struct sharing *sh,
			     uint64_t page, uint64_t L)
{
	int prot = 0;
	char rwx[4];

	add_mmap(lay, page, L, PROT_READ | PROT_WRITE, -1, 0);
	for (size_t i = 0; i < sh->n; i++) {
		const struct seg *s = sh->who[i];
		uint64_t fend = s->vaddr + s->filesz;
		uint64_t a = s->vaddr > page ? s->vaddr : page;
		uint64_t b = fend < page + L ? fend : page + L;

		if (page >= file_hi(s, L)) {
			prot |= bss_prot(s);
			continue;
		}
		prot |= prot_of(s->flags);
		add_read(lay, s, a, b, file_off(s, a));
	}
	add_protect(lay, page, L, prot);
	note_collision(lay, seg_name(sh->who[0]), page, page + L, seg_name(sh->who[sh->n - 1]),
		       page, page + L,
		       str_printf("filled by copying, %s", prot_letters(rwx, prot)))->kind = NOTE_SHARED;
}

/* Pages [lo, hi) that overlapping segments reach: the kernel's, the last
 * segment's in header order, mapped over the others. */
static void load_overlapped(struct layout *lay, const struct sharing *sh,
			    uint64_t lo, uint64_t hi, uint64_t L, uint64_t pg)
{
	const struct seg *last = sh->who[sh->n - 1];

	load_own_pages(lay, last, lo, hi, L, pg);
	note_collision(lay, seg_name(sh->who[0]), lo, hi, seg_name(last), lo, hi,
		       str_printf("mapped over by %s, as the kernel does", seg_name(last)))->kind = NOTE_SHARED;
}

/* The protection the page holding a ends up with, as planned here;
 * 0 where no segment is. */
int planned_prot(const struct image *im, uint64_t a, uint64_t L)
{
	const struct seg **act = xalloc(im->nsegs * sizeof(*act) + 8);
	struct sharing sh = { xalloc(im->nsegs * sizeof(*act) + 8), 0, 0 };
	uint64_t page = page_down(a, L);
	size_t n = 0;
	int prot = 0;

	for (uint64_t j = 0; j < im->nsegs; j++)
		if (seg_lo(&im->segs[j], L) <= page && seg_hi(&im->segs[j], L) > page)
			act[n++] = &im->segs[j];
	order_sharers(act, n, &sh);
	for (size_t i = sh.overlap ? n - 1 : 0; i < n; i++)
		prot |= page >= file_hi(sh.who[i], L) ? bss_prot(sh.who[i]) :
			prot_of(sh.who[i]->flags);
	return prot;
}

/* ---- all of an image's segments ---- */

/* Segments [first, last) whose pages meet, as one, swept in ranges that
 * the same segments reach: one segment's are its own; overlapping
 * segments', the last one's; else, a single page they share. */
static void load_cluster(struct layout *lay, const struct image *im,
			 uint64_t first, uint64_t last, uint64_t L, uint64_t pg)
{
	uint64_t n = last - first, nb = 0, next = first, *b = xalloc(2 * n * sizeof(*b) + 8);
	const struct seg **act = xalloc(n * sizeof(*act) + 8);
	struct sharing sh = { xalloc(n * sizeof(*act) + 8), 0, 0 };
	size_t nact = 0;

	for (uint64_t j = first; j < last; j++) {
		b[nb++] = seg_lo(&im->segs[j], L);
		b[nb++] = seg_hi(&im->segs[j], L);
	}
	sort_by_u64(b, nb, sizeof(*b), 0);
	for (uint64_t k = 0; k + 1 < nb; k++) {
		uint64_t lo = b[k], hi = b[k + 1];
		size_t kept = 0;

		if (lo == hi)
			continue;
		for (size_t i = 0; i < nact; i++)   /* still reaching lo, in order */
			if (seg_hi(act[i], L) > lo)
				act[kept++] = act[i];
		nact = kept;
		for (; next < last && seg_lo(&im->segs[next], L) <= lo; next++)
			if (seg_hi(&im->segs[next], L) > lo)
				act[nact++] = &im->segs[next];
		if (nact == 1) {
			load_own_pages(lay, act[0], lo, hi, L, pg);
			continue;
		}
		order_sharers(act, nact, &sh);
		if (sh.overlap)
			load_overlapped(lay, &sh, lo, hi, L, pg);
		else   /* apart, they share one page (two that reach the
			* next one too would overlap) */
			for (uint64_t page = lo; page < hi; page += L)
				load_shared_page(lay, &sh, page, L);
	}
}

static void plan_segments(struct layout *lay, const struct image *im,
			  const struct host *h)
{
	uint64_t L = h->layout_page;

	for (uint64_t i = 0; i < im->nsegs;) {
		uint64_t j = i + 1, hi = seg_hi(&im->segs[i], L);

		while (j < im->nsegs && seg_lo(&im->segs[j], L) < hi) {
			if (seg_hi(&im->segs[j], L) > hi)
				hi = seg_hi(&im->segs[j], L);
			j++;
		}
		if (j == i + 1)
			load_own_pages(lay, &im->segs[i], seg_lo(&im->segs[i], L), hi, L, h->page);
		else
			load_cluster(lay, im, i, j, L, h->page);
		i = j;
	}
}

void plan_loading(struct layout *lay, const struct image *im,
		  const struct image *in, const struct host *h)
{
	plan_segments(lay, im, h);
	if (in->path)
		plan_segments(lay, in, h);
}
