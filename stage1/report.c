/* --map and --verbose: the plan as a table in the style of
 * /proc/PID/maps, one row per mapping by address (columns as wide as the
 * widest address and name), then the reserved ranges, what was moved,
 * every collision that was resolved, what the kernel would do with the
 * program (verdict.c), and a summary line. */
#include <linux/capability.h>
#include "stage1.h"

struct row {
	uint64_t lo, hi, off;
	char perms[5];        /* "rwxp" */
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

static int hex_digits(uint64_t v)
{
	char buf[16];

	return (int)fmt_hex(buf, v, 1);
}

static void print_rows(struct out *o, const struct row *r, size_t n)
{
	int aw = 8, nw = 20;

	for (size_t i = 0; i < n; i++) {
		if (hex_digits(r[i].hi) > aw)
			aw = hex_digits(r[i].hi);
		if ((int)out_width(r[i].name) > nw)
			nw = (int)out_width(r[i].name);
	}
	for (size_t i = 0; i < n; i++)
		out_printf(o, "%0*lx-%0*lx %s %08lx %-*s %s\n", aw, r[i].lo, aw, r[i].hi,
			   r[i].perms, r[i].off, nw, r[i].name, r[i].what);
}

void print_layout(int fd, const struct layout *lay, const struct image *im,
		  const struct image *in, struct host *h)
{
	struct out o = { .fd = fd };
	uint64_t L = h->layout_page, k = lay->hole_lo;
	struct row *r = xalloc((lay->nall + lay->nkept + 8) * sizeof(*r));
	size_t n = 0;
	uint64_t resolved = 0;
	char perms[5] = "---p";

	for (uint64_t i = 0; i < lay->nall; i++) {
		const struct seg *s = &lay->all[i];
		int congruent = ((s->vaddr - s->off) & (L - 1)) == 0;

		prot_letters(perms, prot_of(s->flags))[3] = 'p';
		add_row(r, &n, seg_lo(s, L), seg_hi(s, L), perms,
			s->filesz && congruent ? page_down(s->off, L) : 0,
			s->owner ? s->owner : im->path,
			str_printf("PT_LOAD %u%s", s->index,
				   !s->filesz ? " (anonymous)" :
				   congruent ? "" : " (copied)"));
	}
	add_row(r, &n, lay->brk, lay->brk, "---p", 0, "[heap]", "brk start");
	prot_letters(perms, stack_prot(im->stack_flags))[3] = 'p';
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

	sort_by_u64(r, n, sizeof(*r), offsetof(struct row, lo));
	out_printf(&o, "elfload: %s: layout (page size %lu, window 0x%lx, top 0x%lx)\n",
		   im->path, L, h->window, user_top(h));
	for (size_t i = 0; i < im->nscripts; i++)
		out_printf(&o, "script: %s\n", im->scripts[i]);
	print_rows(&o, r, n);
	for (size_t i = 0; i < lay->nreserved; i++)
		out_printf(&o, "reserved: %lx-%lx %s\n", lay->reserved[i].lo,
			   lay->reserved[i].hi, lay->reserved[i].name);
	for (size_t i = 0; i < lay->ncoll; i++) {
		const struct collision *c = &lay->coll[i];

		if (c->kind == NOTE_MOVED)
			out_printf(&o, "moved: %s %lx-%lx: %s\n", c->what, c->lo, c->hi,
				   c->outcome);
		else
			out_printf(&o, "%s: %s %lx-%lx %s %s %lx-%lx: %s\n",
				   c->kind == NOTE_SHARED ? "note" : "collision", c->what,
				   c->lo, c->hi, c->kind == NOTE_SHARED ?
				   "shares a page with" : "is in the way of", c->by,
				   c->by_lo, c->by_hi, c->outcome);
		if (c->kind != NOTE_MOVED && c->kind != NOTE_SHARED)
			resolved++;
	}
	print_verdict(&o, im, in, h);
	out_printf(&o, "summary: %lu segment%s, %lu mapping%s, %lu collision%s resolved\n",
		   lay->nall, lay->nall == 1 ? "" : "s", (uint64_t)n, n == 1 ? "" : "s",
		   resolved, resolved == 1 ? "" : "s");
	out_flush(&o);
}

/* PR_SET_MM_MAP sets the exe link only for CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE in our user namespace; --userns makes one. */
void note_exe(const struct options *o)
{
	struct out e = { .fd = 2 };

	if (o->userns || capable(CAP_SYS_ADMIN) || capable(CAP_CHECKPOINT_RESTORE))
		return;
	out_printf(&e, "elfload: %s: note: /proc/self/exe will name elfload, not the program "
		   "($ORIGIN, programs that find or re-run themselves through it); "
		   "--userns makes it the program\n", o->program);
	out_flush(&e);
}
