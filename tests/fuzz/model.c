/*
 * The address space of the process, as the kernel keeps it: sorted,
 * disjoint mappings, and what each byte holds. stage2's writes are kept
 * as disjoint sorted records on top of the mappings: a later write
 * replaces what it covers, unmapping drops what was there.
 *
 * The rules are the kernel's (mm/mmap.c, mm/mprotect.c, mm/util.c) as far
 * as a loader can meet them: alignment, the top of the address space,
 * vm.mmap_min_addr (but for root), MAP_FIXED_NOREPLACE, special mappings
 * that cannot be split, vm.max_map_count, RLIMIT_AS, RLIMIT_DATA and the
 * three overcommit modes. Neighbouring mappings are never merged, so the
 * mapping count is the highest the kernel could reach.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mman.h>
#include "fuzz.h"

struct vma_ex {
	struct vma v;
	int accounted;        /* charged against the commit limit */
};

struct wr {
	uint64_t lo, hi;
	struct src s;         /* at lo */
};

static struct vma_ex *v;
static size_t nv, capv;
static struct wr *w;
static size_t nw, capw;

#define PAGE_UP(a) (((a) + W.page - 1) & ~(W.page - 1))

void model_reset(void)
{
	nv = nw = 0;
}

size_t model_count(void) { return nv; }
const struct vma *model_vma(size_t i) { return &v[i].v; }

/* the first mapping that ends above a */
static size_t first_after(uint64_t a)
{
	size_t lo = 0, hi = nv;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (v[m].v.hi <= a)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

const struct vma *model_find(uint64_t a)
{
	size_t i = first_after(a);

	return i < nv && v[i].v.lo <= a ? &v[i].v : 0;
}

static void insert_at(size_t i, const struct vma_ex *x)
{
	if (nv == capv) {
		capv = capv ? 2 * capv : 64;
		v = realloc(v, capv * sizeof(*v));
	}
	memmove(v + i + 1, v + i, (nv - i) * sizeof(*v));
	v[i] = *x;
	nv++;
}

static void remove_at(size_t i, size_t k)
{
	memmove(v + i, v + i + k, (nv - i - k) * sizeof(*v));
	nv -= k;
}

/* Cuts the mapping around a in two at a. */
static long split_at(uint64_t a)
{
	size_t i = first_after(a);
	struct vma_ex hi;

	if (i == nv || v[i].v.lo >= a)
		return 0;
	if (v[i].v.kind == V_SPECIAL)
		return -EINVAL;
	if (nv >= W.max_map_count)
		return -ENOMEM;
	hi = v[i];
	hi.v.lo = a;
	if (hi.v.kind == V_FILE)
		hi.v.off += a - v[i].v.lo;
	v[i].v.hi = a;
	insert_at(i + 1, &hi);
	return 0;
}

/* ---- writes ---- */

static struct src src_plus(const struct src *s, uint64_t d)
{
	struct src r = *s;

	if (r.kind == S_FILE)
		r.off += d;
	if (r.kind == S_BYTES)
		r.bytes += d;
	return r;
}

static size_t first_wr_after(uint64_t a)
{
	size_t lo = 0, hi = nw;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (w[m].hi <= a)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static void wr_insert_at(size_t i, const struct wr *x)
{
	if (nw == capw) {
		capw = capw ? 2 * capw : 64;
		w = realloc(w, capw * sizeof(*w));
	}
	memmove(w + i + 1, w + i, (nw - i) * sizeof(*w));
	w[i] = *x;
	nw++;
}

/* Forgets what was written to [lo, hi). */
static void wr_clear(uint64_t lo, uint64_t hi)
{
	size_t i = first_wr_after(lo);

	while (i < nw && w[i].lo < hi) {
		struct wr *x = &w[i];

		if (x->lo < lo && x->hi > hi) {          /* a hole in the middle */
			struct wr tail = { hi, x->hi, src_plus(&x->s, hi - x->lo) };

			x->hi = lo;
			wr_insert_at(i + 1, &tail);
			return;
		}
		if (x->lo < lo) {
			x->hi = lo;
			i++;
		} else if (x->hi > hi) {
			x->s = src_plus(&x->s, hi - x->lo);
			x->lo = hi;
			return;
		} else {
			memmove(w + i, w + i + 1, (nw - i - 1) * sizeof(*w));
			nw--;
		}
	}
}

/* Removes [lo, hi) from the address space: mappings and writes. */
static long unmap_range(uint64_t lo, uint64_t hi)
{
	size_t i;
	long r;

	/* a special mapping goes whole or not at all */
	i = first_after(lo);
	if (i < nv && v[i].v.kind == V_SPECIAL && v[i].v.lo < lo && v[i].v.hi > lo)
		return -EINVAL;
	i = first_after(hi);
	if (i < nv && v[i].v.kind == V_SPECIAL && v[i].v.lo < hi && v[i].v.hi > hi)
		return -EINVAL;
	if ((r = split_at(lo)) < 0 || (r = split_at(hi)) < 0)
		return r;
	i = first_after(lo);
	while (i < nv && v[i].v.lo < hi)
		remove_at(i, 1);
	wr_clear(lo, hi);
	return 0;
}

/* ---- limits ---- */

struct sums {
	uint64_t total, data, commit;
};

static int is_data(int prot, int flags)
{
	(void)flags;
	return (prot & PROT_WRITE) != 0;   /* all mappings here are private */
}

static void sums_in(uint64_t lo, uint64_t hi, struct sums *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = first_after(lo); i < nv && v[i].v.lo < hi; i++) {
		uint64_t a = v[i].v.lo > lo ? v[i].v.lo : lo;
		uint64_t b = v[i].v.hi < hi ? v[i].v.hi : hi;

		s->total += b - a;
		if (is_data(v[i].v.prot, v[i].v.flags))
			s->data += b - a;
		if (v[i].accounted)
			s->commit += b - a;
	}
}

static void sums_all(struct sums *s)
{
	sums_in(0, UINT64_MAX, s);
}

/* Would charging `len` more bytes be refused by the overcommit rules? */
static int commit_refused(uint64_t len, uint64_t already)
{
	if (W.overcommit == 1)
		return 0;
	if (W.overcommit == 0)
		return len > W.ram_swap;
	return already + len > W.commit_left;
}

long model_mmap(uint64_t addr, uint64_t len, int prot, int flags, int file,
		uint64_t off, int owner, const char *name)
{
	struct sums all, old;
	struct vma_ex x;
	int account;
	long r;

	if (!len || (addr & (W.page - 1)) || (file >= 0 && (off & (W.page - 1))))
		return -EINVAL;
	len = PAGE_UP(len);
	if (addr + len < addr || addr + len > W.top)
		return -ENOMEM;
	if (addr < W.min_addr && !W.root)
		return -EPERM;
	if (flags & MAP_FIXED_NOREPLACE) {
		size_t i = first_after(addr);

		if (i < nv && v[i].v.lo < addr + len)
			return -EEXIST;
	}
	if (nv > W.max_map_count)
		return -ENOMEM;
	sums_all(&all);
	sums_in(addr, addr + len, &old);
	if (all.total - old.total + len > W.rlim_as)
		return -ENOMEM;
	if (is_data(prot, flags) && all.data - old.data + len > W.rlim_data)
		return -ENOMEM;
	account = (prot & PROT_WRITE) && !((flags & MAP_NORESERVE) && W.overcommit != 2);
	if (account && commit_refused(len, all.commit - old.commit))
		return -ENOMEM;
	if ((r = unmap_range(addr, addr + len)) < 0)
		return r;
	x.v = (struct vma){ addr, addr + len, prot, flags & MAP_NORESERVE,
			    file >= 0 ? V_FILE : V_ANON, owner, file, off, name };
	x.accounted = account;
	insert_at(first_after(addr), &x);
	return 0;
}

void model_add(uint64_t lo, uint64_t hi, int prot, int kind, int owner,
	       const char *name)
{
	struct vma_ex x = { { lo, hi, prot, 0, kind, owner, -1, 0, name },
			    kind == V_ANON && (prot & PROT_WRITE) };

	insert_at(first_after(lo), &x);
}

long model_mremap(uint64_t old, uint64_t len, uint64_t new_len, int flags, uint64_t to)
{
	size_t i = first_after(old);
	struct vma_ex x;
	long r;

	if ((old & (W.page - 1)) || (to & (W.page - 1)) || !len || new_len != len ||
	    !(flags & MREMAP_FIXED) || !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* one whole mapping, as elfload moves them, and not onto itself */
	if (i == nv || v[i].v.lo != old || v[i].v.hi != old + len)
		return -EINVAL;
	if (to < old + len && old < to + len)
		return -EINVAL;
	if (to + len > W.top || to + len < to)
		return -ENOMEM;
	x = v[i];
	remove_at(i, 1);
	wr_clear(old, old + len);
	if ((r = unmap_range(to, to + len)) < 0)
		return r;
	x.v.lo = to;
	x.v.hi = to + len;
	insert_at(first_after(to), &x);
	return (long)to;
}

long model_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (W.page - 1)) || !len)
		return -EINVAL;
	len = PAGE_UP(len);
	if (addr + len < addr || addr + len > W.top)
		return -EINVAL;
	return unmap_range(addr, addr + len);
}

long model_mprotect(uint64_t addr, uint64_t len, int prot)
{
	uint64_t a = addr, hi;
	struct sums all;
	uint64_t charge = 0, data = 0;
	long r;

	if (addr & (W.page - 1))
		return -EINVAL;
	len = PAGE_UP(len);
	if (!len)
		return 0;
	hi = addr + len;
	if (hi < addr)
		return -ENOMEM;
	for (size_t i = first_after(a); a < hi; i++) {
		if (i == nv || v[i].v.lo > a)
			return -ENOMEM;            /* a gap */
		a = v[i].v.hi;
	}
	for (size_t i = first_after(addr); i < nv && v[i].v.lo < hi; i++) {
		uint64_t lo = v[i].v.lo > addr ? v[i].v.lo : addr;
		uint64_t up = v[i].v.hi < hi ? v[i].v.hi : hi;

		if (v[i].v.kind == V_SPECIAL && (v[i].v.lo < addr || v[i].v.hi > hi))
			return -EINVAL;
		if ((prot & PROT_WRITE) && !(v[i].v.prot & PROT_WRITE)) {
			data += up - lo;
			if (!v[i].accounted)
				charge += up - lo;
		}
	}
	sums_all(&all);
	if (data && all.data + data > W.rlim_data)
		return -ENOMEM;
	if (charge && commit_refused(charge, all.commit))
		return -ENOMEM;
	if ((r = split_at(addr)) < 0 || (r = split_at(hi)) < 0)
		return r;
	for (size_t i = first_after(addr); i < nv && v[i].v.lo < hi; i++) {
		if ((prot & PROT_WRITE) && !(v[i].v.prot & PROT_WRITE))
			v[i].accounted = 1;
		v[i].v.prot = prot;
	}
	return 0;
}

const char *model_write(uint64_t lo, uint64_t len, const struct src *s)
{
	uint64_t a = lo, hi = lo + len;
	struct wr x = { lo, hi, *s };

	if (!len)
		return 0;
	if (hi < lo)
		return "a write wraps around the address space";
	for (size_t i = first_after(a); a < hi; i++) {
		if (i == nv || v[i].v.lo > a)
			return "a write to memory that is not mapped (SIGSEGV)";
		if (!(v[i].v.prot & PROT_WRITE))
			return "a write to memory that is not writable (SIGSEGV)";
		if (v[i].v.kind != V_ANON)
			return "a write to a page a file backs (SIGBUS if the file shrinks)";
		a = v[i].v.hi;
	}
	wr_clear(lo, hi);
	wr_insert_at(first_wr_after(lo), &x);
	return 0;
}

uint64_t model_src(uint64_t a, struct src *s)
{
	size_t i = first_wr_after(a);
	size_t k = first_after(a);
	uint64_t end;

	if (i < nw && w[i].lo <= a) {
		*s = src_plus(&w[i].s, a - w[i].lo);
		return w[i].hi - a;
	}
	end = i < nw ? w[i].lo : UINT64_MAX;   /* the next write */
	if (k == nv || v[k].v.lo > a) {
		s->kind = S_NONE;
		end = k < nv && v[k].v.lo < end ? v[k].v.lo : end;
		return end - a;
	}
	if (v[k].v.hi < end)
		end = v[k].v.hi;
	if (v[k].v.kind == V_FILE) {
		s->kind = S_FILE;
		s->file = v[k].v.file;
		s->off = v[k].v.off + (a - v[k].v.lo);
	} else {
		s->kind = S_ZERO;
	}
	return end - a;
}

static const struct file *file_of(int f)
{
	return f == 0 ? &W.prog : &W.interp;
}

/* Bytes of a file as a mapping shows them: zero past its end in its last
 * page, a SIGBUS beyond. */
static const char *file_bytes(int f, uint64_t off, uint8_t *out, uint64_t n)
{
	const struct file *fl = file_of(f);

	for (uint64_t k = 0; k < n; k++) {
		uint64_t o = off + k;

		if (o < fl->size)
			out[k] = fl->data[o];
		else if (o < PAGE_UP(fl->size))
			out[k] = 0;
		else
			return "a read of a file page past its end (SIGBUS)";
	}
	return 0;
}

static const char *read_bytes(uint64_t a, void *buf, uint64_t n, int any_prot)
{
	uint8_t *out = buf;

	while (n) {
		struct src s;
		uint64_t run = model_src(a, &s);
		const struct vma *m = model_find(a);
		const char *err;

		if (s.kind == S_NONE || !m)
			return "a read of memory that is not mapped (SIGSEGV)";
		if (!(m->prot & PROT_READ) && !any_prot)
			return "a read of memory that is not readable (SIGSEGV)";
		if (run > n)
			run = n;
		if (s.kind == S_ZERO)
			memset(out, 0, run);
		else if (s.kind == S_BYTES)
			memcpy(out, s.bytes, run);
		else if ((err = file_bytes(s.file, s.off, out, run)))
			return err;
		out += run;
		a += run;
		n -= run;
	}
	return 0;
}

const char *model_read(uint64_t a, void *buf, uint64_t n)
{
	return read_bytes(a, buf, n, 0);
}

const char *model_peek(uint64_t a, void *buf, uint64_t n)
{
	return read_bytes(a, buf, n, 1);
}

/* Neighbours of one name and protection show as one line, as qemu-user
 * shows its pages above the stack as part of [stack]. */
size_t model_maps_text(char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < nv && n < size; i++) {
		const struct vma *m = &v[i].v;
		uint64_t hi = m->hi;
		int k;

		while (i + 1 < nv && v[i + 1].v.lo == hi && v[i + 1].v.prot == m->prot &&
		       m->name && v[i + 1].v.name && !strcmp(m->name, "[stack]") &&
		       !strcmp(v[i + 1].v.name, m->name))
			hi = v[++i].v.hi;
		k = snprintf(buf + n, size - n, "%lx-%lx %c%c%cp %08lx 00:00 0 %s%s\n",
				 m->lo, hi, m->prot & PROT_READ ? 'r' : '-',
				 m->prot & PROT_WRITE ? 'w' : '-',
				 m->prot & PROT_EXEC ? 'x' : '-',
				 m->kind == V_FILE ? m->off : 0,
				 m->name ? "                          " : "",
				 m->name ? m->name : "");

		if (k < 0 || (size_t)k >= size - n)
			break;
		n += (size_t)k;
	}
	return n;
}
