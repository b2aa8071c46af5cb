/*
 * The oracle: plays the plan stage1 handed over as stage2 would (see
 * common/plan.h) on the model, then checks the process the program would
 * find. It trusts nothing of stage1's but the plan itself, and reads the
 * program's ELF file on its own.
 *
 * A finding is any of: an op the kernel would refuse (and that may not
 * fail), a write stage2 would fault on or that lands on a file's page,
 * stage2 unmapping its own code, stack or plan; then, at the program's
 * first instruction: a segment not mapped, not holding the file's bytes
 * and zeros, or with other protections than its p_flags (a page segments
 * share: the union of theirs); an entry outside executable memory or not
 * where the ELF says; a stack whose argc, argv, envp or auxv differ from
 * what elfload was given; AT_PHDR not showing the program headers; any of
 * stage1's own memory left mapped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/auxvec.h>
#include <linux/elf.h>
#include <linux/mman.h>
#include "plan.h"
#include "fuzz.h"

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n==== elfload fuzz finding: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n==== argv:");
	for (int i = 0; i < W.argc; i++)
		fprintf(stderr, " '%s'", W.argv[i]);
	fprintf(stderr, "\n==== elfload wrote: %.*s\n", (int)fuzz_nout, fuzz_out);
	abort();
}

void fuzz_show(const char *outcome)
{
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "%s: %.*s%s", outcome, (int)fuzz_nout, fuzz_out,
			fuzz_nout ? "" : "\n");
}

/* ---- the hole, where the plan lives ---- */

static const struct hole_view *hv;

static const void *in_hole(uint64_t addr, uint64_t n, const char *what)
{
	if (addr < hv->lo || n > hv->len || addr - hv->lo > hv->len - n)
		fuzz_fail("the plan's %s 0x%lx+0x%lx is outside the hole", what, addr, n);
	return hv->buf + (addr - hv->lo);
}

/* ---- the ELF files, read independently ---- */

struct elf {
	const struct file *f;
	int which;
	Elf64_Ehdr eh;
	uint64_t phnum;
	const uint8_t *ph;    /* phnum * 56 bytes of the file */
};

static void read_elf(struct elf *e, int which)
{
	const struct file *f = which ? &W.interp : &W.prog;

	e->f = f;
	e->which = which;
	if (f->size < sizeof(e->eh))
		fuzz_fail("an ELF file shorter than its header was accepted");
	memcpy(&e->eh, f->data, sizeof(e->eh));
	e->phnum = e->eh.e_phnum;
	if (e->phnum == PN_XNUM) {
		Elf64_Shdr sh0;

		if (e->eh.e_shoff > f->size || f->size - e->eh.e_shoff < sizeof(sh0))
			fuzz_fail("PN_XNUM without section header 0 was accepted");
		memcpy(&sh0, f->data + e->eh.e_shoff, sizeof(sh0));
		e->phnum = sh0.sh_info;
	}
	if (e->eh.e_phoff > f->size || e->phnum * 56 > f->size - e->eh.e_phoff)
		fuzz_fail("program headers beyond the end of the file were accepted");
	e->ph = f->data + e->eh.e_phoff;
}

static Elf64_Phdr phdr(const struct elf *e, uint64_t i)
{
	Elf64_Phdr p;

	memcpy(&p, e->ph + 56 * i, sizeof(p));
	return p;
}

/* ---- stage2 ---- */

static int closed[16];

static const char *file_op(const struct op *op, int *file)
{
	*file = fd_file(op->fd);
	if (*file < 0 || closed[op->fd & 15])
		return "a descriptor stage1 did not open, or closed";
	return 0;
}

static const char *errtext(long r)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "errno %ld", -r);
	return buf;
}

/* Runs one op; 0 if it succeeds, else why not. */
static const char *run_op(const struct op *op)
{
	struct src s = { 0 };
	const char *err;
	long r = 0;
	int file = -1;

	switch (op->kind & OP_KIND_MASK) {
	case OP_MUNMAP:
		r = model_munmap(op->addr, op->len);
		break;
	case OP_MMAP:
		if (!(op->flags & MAP_FIXED) || !(op->flags & MAP_PRIVATE))
			return "an mmap that is not MAP_FIXED | MAP_PRIVATE";
		if (!(op->flags & MAP_ANONYMOUS) && (err = file_op(op, &file)))
			return err;
		r = model_mmap(op->addr, op->len, (int)op->prot, (int)op->flags, file,
			       op->arg, OWN_OTHER, "");
		break;
	case OP_PREAD:
		if ((err = file_op(op, &file)))
			return err;
		if (op->arg > (file ? W.interp.size : W.prog.size) ||
		    op->len > (file ? W.interp.size : W.prog.size) - op->arg)
			return "a read past the end of a file that did not change";
		s = (struct src){ S_FILE, file, op->arg, 0 };
		return model_write(op->addr, op->len, &s);
	case OP_ZERO:
		s.kind = S_ZERO;
		return model_write(op->addr, op->len, &s);
	case OP_COPY:
		s = (struct src){ S_BYTES, 0, 0, in_hole(op->arg, op->len, "copy source") };
		return model_write(op->addr, op->len, &s);
	case OP_MPROTECT:
		r = model_mprotect(op->addr, op->len, (int)op->prot);
		break;
	case OP_SYNC_ICACHE: {
		static uint8_t scratch[4096];

		for (uint64_t a = op->addr; a < op->addr + op->len; a += sizeof(scratch)) {
			uint64_t n = op->addr + op->len - a;

			if ((err = model_read(a, scratch, n < sizeof(scratch) ? n : sizeof(scratch))))
				return err;
		}
		return 0;
	}
	case OP_PRCTL:
	case OP_TRAP:
	case OP_CAPSET:
		return 0;
	case OP_CLOSE:
		if (fd_file(op->fd) < 0 || closed[op->fd & 15])
			return "close of a descriptor that is not open";
		closed[op->fd & 15] = 1;
		return 0;
	default:
		return "an op stage2 does not know";
	}
	return r < 0 ? errtext(r) : 0;
}

/* stage2's own code and stack stay until the end */
static void check_self(void)
{
	const struct vma *code = model_find(hv->lo);
	const struct vma *stack = model_find(hv->lo + hv->keep_len - 8);

	if (!code || !(code->prot & PROT_EXEC) || code->hi < hv->lo + hv->blob_len)
		fuzz_fail("stage2 would lose its own code");
	if (!stack || !(stack->prot & PROT_WRITE))
		fuzz_fail("stage2 would lose its own stack");
}

static void run_ops(const struct op *ops, uint64_t n, const char *list,
		    const struct plan *p)
{
	const char *err = 0;

	for (uint64_t i = 0; i < n; i++) {
		const struct op *op = &ops[i];

		if ((op->kind & OP_IF_FAILED) && !err)
			continue;
		if (getenv("FUZZ_OPS"))   /* the plan as it is played */
			fprintf(stderr, "%s[%lu] kind %u 0x%lx-0x%lx prot %u flags 0x%x fd %d arg 0x%lx\n",
				list, i, op->kind, op->addr, op->addr + op->len, op->prot,
				op->flags, op->fd, op->arg);
		err = run_op(op);
		if (err && !(op->kind & OP_OPTIONAL))
			fuzz_fail("stage2 would fail at %s[%lu] (kind %u, 0x%lx-0x%lx, fd %d): %s",
				  list, i, op->kind, op->addr, op->addr + op->len, op->fd, err);
		check_self();
		if (!model_find(p->drop) || !model_find(p->drop + p->drop_len - 1))
			fuzz_fail("stage2 would lose the plan while running it");
	}
}

/* ---- the process the program finds ---- */

static uint64_t read_word(uint64_t a, const char *what)
{
	uint64_t v;
	const char *err = model_read(a, &v, 8);

	if (err)
		fuzz_fail("reading %s at 0x%lx: %s", what, a, err);
	return v;
}

static void read_string(uint64_t a, char *buf, size_t size, const char *what)
{
	for (size_t i = 0; i < size; i++) {
		const char *err = model_read(a + i, buf + i, 1);

		if (err)
			fuzz_fail("reading %s at 0x%lx: %s", what, a + i, err);
		if (!buf[i])
			return;
	}
	fuzz_fail("%s at 0x%lx is not a string", what, a);
}

struct seen {
	uint64_t auxv[64];    /* by AT_ type, +1: 0 when missing */
	uint64_t argc;
};

static int has_option(const char *name)
{
	for (int i = 1; i < W.argc; i++)
		if (!strncmp(W.argv[i], name, strlen(name)))
			return 1;
	return 0;
}

static void check_stack(uint64_t sp, struct seen *sn)
{
	static char s[8192];
	uint64_t a, argc, k = 0;
	int envc = 0;

	if (sp & 15)
		fuzz_fail("the stack pointer 0x%lx is not 16-byte aligned", sp);
	argc = read_word(sp, "argc");
	if (argc < 1 || argc > (uint64_t)W.argc - 1)
		fuzz_fail("argc %lu, elfload had %d arguments", argc, W.argc);
	sn->argc = argc;
	for (uint64_t i = 0; i < argc; i++) {
		const char *want = W.argv[W.argc - argc + i];

		read_string(read_word(sp + 8 + 8 * i, "argv[]"), s, sizeof(s), "an argument");
		if (strcmp(s, want) && !(i == 0 && has_option("--argv0")))
			fuzz_fail("argv[%lu] is '%s', not '%s'", i, s, want);
	}
	if (read_word(sp + 8 + 8 * argc, "argv's NULL"))
		fuzz_fail("argv does not end in NULL");
	/* elfload's environment, less the re-exec's marker */
	const char *env[8];
	int n = 0;

	for (int i = 0; W.envp[i]; i++)
		if (strncmp(W.envp[i], "ELFLOAD_REEXEC=", 15))
			env[n++] = W.envp[i];
	env[n] = 0;
	for (a = sp + 16 + 8 * argc; (k = read_word(a, "envp[]")); a += 8, envc++) {
		read_string(k, s, sizeof(s), "an environment string");
		if (!env[envc] || strcmp(s, env[envc]))
			fuzz_fail("environment entry %d is '%s'", envc, s);
	}
	if (env[envc])
		fuzz_fail("the environment lost '%s'", env[envc]);
	for (a += 8;; a += 16) {
		uint64_t t = read_word(a, "auxv"), v = read_word(a + 8, "auxv");

		if (t == AT_NULL)
			break;
		if (t < 63)
			sn->auxv[t] = v + 1;
		if (a > sp + 65536)
			fuzz_fail("no AT_NULL in the auxiliary vector");
	}
}

static uint64_t aux(const struct seen *sn, int t, int need)
{
	if (!sn->auxv[t] && need)
		fuzz_fail("the auxiliary vector has no entry %d", t);
	return sn->auxv[t] ? sn->auxv[t] - 1 : 0;
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* The union of the protections of the image's segments that reach into
 * the layout page around [lo, hi). */
static int union_prot(const struct elf *e, uint64_t bias, uint64_t lo, uint64_t hi,
		      uint64_t L)
{
	int prot = 0;

	lo &= ~(L - 1);
	hi = (hi + L - 1) & ~(L - 1);
	for (uint64_t i = 0; i < e->phnum; i++) {
		Elf64_Phdr p = phdr(e, i);

		if (p.p_type == PT_LOAD && p.p_memsz && p.p_vaddr + bias < hi &&
		    p.p_vaddr + bias + p.p_memsz > lo)
			prot |= prot_of(p.p_flags);
	}
	return prot;
}

static const char *compare(const struct src *want, const struct src *got, uint64_t n)
{
	static uint8_t a[65536], b[65536];
	const struct file *gf = got->file ? &W.interp : &W.prog;

	if (got->kind == S_NONE)
		return "not mapped";
	if (got->kind == S_FILE && got->off + n > ((gf->size + W.page - 1) & ~(W.page - 1)))
		return "a file page past the end of the file (SIGBUS)";
	if (want->kind == S_ZERO && got->kind == S_ZERO)
		return 0;
	if (want->kind == S_FILE && got->kind == S_FILE && want->file == got->file &&
	    want->off == got->off)
		return 0;
	while (n) {
		uint64_t k = n < sizeof(a) ? n : sizeof(a);
		const struct file *wf = want->file ? &W.interp : &W.prog;

		for (uint64_t i = 0; i < k; i++) {
			uint64_t wo = want->off + i, go = got->off + i;

			a[i] = want->kind == S_FILE ? wf->data[wo] : 0;
			if (got->kind == S_BYTES)
				b[i] = got->bytes[i];
			else if (got->kind == S_FILE)
				b[i] = go < gf->size ? gf->data[go] : 0;
			else
				b[i] = 0;
		}
		if (memcmp(a, b, k))
			return "the bytes differ from the file's";
		n -= k;
	}
	return 0;
}

static void check_segment(const struct elf *e, uint64_t bias, const Elf64_Phdr *p,
			  uint64_t L, uint64_t i)
{
	uint64_t lo = p->p_vaddr + bias, end = lo + p->p_memsz, fend = lo + p->p_filesz;
	uint64_t pg = W.page, a;
	const char *who = e->which ? "interpreter" : "program";

	if (p->p_filesz > p->p_memsz || p->p_offset > e->f->size ||
	    p->p_filesz > e->f->size - p->p_offset || end < lo)
		fuzz_fail("%s PT_LOAD %lu is not loadable, and was accepted", who, i);

	/* contents: the file's bytes, then zeros */
	for (a = lo; a < end;) {
		struct src got, want = { S_ZERO, e->which, 0, 0 };
		uint64_t run = model_src(a, &got), n;
		const char *err;

		n = end - a;
		if (a < fend) {
			want = (struct src){ S_FILE, e->which, p->p_offset + (a - lo), 0 };
			n = fend - a;
		}
		if (run < n)
			n = run;
		if ((err = compare(&want, &got, n)))
			fuzz_fail("%s PT_LOAD %lu 0x%lx-0x%lx: at 0x%lx: %s", who, i, lo, end, a, err);
		a += n;
	}
	/* protections, page by page of the machine */
	for (a = lo & ~(pg - 1); a < end;) {
		const struct vma *m = model_find(a);
		int want = prot_of(p->p_flags), all;
		uint64_t b;

		if (!m)
			fuzz_fail("%s PT_LOAD %lu: 0x%lx is not mapped", who, i, a);
		b = m->hi < end ? m->hi : end;
		all = union_prot(e, bias, a, b, L);
		if ((m->prot & want) != want || (m->prot & ~all))
			fuzz_fail("%s PT_LOAD %lu 0x%lx-0x%lx: 0x%lx-0x%lx has protection %d, wants %d (at most %d)",
				  who, i, lo, end, a, b, m->prot, want, all);
		a = m->hi;
	}
}

static void check_image(const struct elf *e, uint64_t bias, uint64_t L)
{
	if (bias & (W.page - 1))
		fuzz_fail("%s loaded at 0x%lx, not on a page", e->which ? "interpreter" : "program",
			  bias);
	for (uint64_t i = 0; i < e->phnum; i++) {
		Elf64_Phdr p = phdr(e, i);

		if (p.p_type == PT_LOAD && p.p_memsz)
			check_segment(e, bias, &p, L, i);
	}
}

/* Which file stage1 took as the program (n 0) and as its interpreter
 * (n 1): the plan closes their descriptors in that order. */
static int which_file(const struct plan *p, int n)
{
	const struct op *ops = in_hole(p->ops, p->nops * sizeof(struct op), "ops");

	for (uint64_t i = 0; i < p->nops; i++)
		if ((ops[i].kind & OP_KIND_MASK) == OP_CLOSE && n-- == 0)
			return fd_file(ops[i].fd) == 1;
	fuzz_fail("the plan does not close the %s", n ? "interpreter" : "program");
}

static void check_process(const struct plan *p, uint64_t L)
{
	struct seen sn = { { 0 }, 0 };
	struct elf prog, interp;
	uint64_t bias, phdr_at, want_pc;
	static uint8_t table[65536 * 56];
	const struct vma *m;
	const char *err;
	char s[4200];

	check_stack(p->sp, &sn);
	read_elf(&prog, which_file(p, 0));
	bias = aux(&sn, AT_ENTRY, 1) - prog.eh.e_entry;
	if (prog.eh.e_type == ET_EXEC && bias)
		fuzz_fail("AT_ENTRY 0x%lx is not e_entry 0x%lx", aux(&sn, AT_ENTRY, 1),
			  (uint64_t)prog.eh.e_entry);
	if (aux(&sn, AT_PHNUM, 1) != prog.phnum || aux(&sn, AT_PHENT, 1) != 56)
		fuzz_fail("AT_PHNUM %lu / AT_PHENT %lu, the file has %lu", aux(&sn, AT_PHNUM, 1),
			  aux(&sn, AT_PHENT, 1), prog.phnum);
	if (!W.no_pagesz && aux(&sn, AT_PAGESZ, 1) != W.page)
		fuzz_fail("AT_PAGESZ changed");
	/* the kernel names the program headers where a segment maps them,
	 * whatever its p_flags: readable or not is the program's affair */
	phdr_at = aux(&sn, AT_PHDR, 1);
	if ((err = model_peek(phdr_at, table, prog.phnum * 56)))
		fuzz_fail("AT_PHDR 0x%lx: %s", phdr_at, err);
	if (memcmp(table, prog.ph, prog.phnum * 56))
		fuzz_fail("AT_PHDR 0x%lx does not show the program headers", phdr_at);
	read_string(aux(&sn, AT_EXECFN, 1), s, sizeof(s), "AT_EXECFN");
	if (!prog_path || strcmp(s, prog_path))
		fuzz_fail("AT_EXECFN is '%s', not '%s'", s, prog_path ? prog_path : "?");
	if (aux(&sn, AT_SYSINFO_EHDR, 0) &&
	    (!(m = model_find(aux(&sn, AT_SYSINFO_EHDR, 0))) || !m->name || strcmp(m->name, "[vdso]")))
		fuzz_fail("AT_SYSINFO_EHDR points at no vDSO");
	check_image(&prog, bias, L);

	want_pc = prog.eh.e_entry + bias;
	if (p->interp) {
		read_elf(&interp, which_file(p, 1));
		check_image(&interp, aux(&sn, AT_BASE, 1), L);
		want_pc = interp.eh.e_entry + aux(&sn, AT_BASE, 1);
	} else if (aux(&sn, AT_BASE, 0)) {
		fuzz_fail("AT_BASE 0x%lx without an interpreter", aux(&sn, AT_BASE, 0));
	}
	if (!has_option("--entry") && p->entry != want_pc)
		fuzz_fail("the program starts at 0x%lx, not at 0x%lx", p->entry, want_pc);
	if (!(m = model_find(p->entry)) || !(m->prot & PROT_EXEC))
		fuzz_fail("the entry 0x%lx is not in executable memory", p->entry);

	for (size_t i = 0; i < model_count(); i++)
		if (model_vma(i)->owner == OWN_STAGE1)
			fuzz_fail("stage1's mapping 0x%lx-0x%lx is left behind",
				  model_vma(i)->lo, model_vma(i)->hi);
	check_self();
}

void oracle_run(const struct hole_view *view, uint64_t plan_addr)
{
	const struct plan *p;

	hv = view;
	memset(closed, 0, sizeof(closed));
	p = in_hole(plan_addr, sizeof(*p), "struct plan");
	if (p->magic != PLAN_MAGIC)
		fuzz_fail("the plan has no magic");
	if (p->nunmaps > hv->len / sizeof(struct op) || p->nops > hv->len / sizeof(struct op))
		fuzz_fail("the plan has more ops than its hole holds");
	in_hole(p->name, 1, "name");
	run_ops(in_hole(p->unmaps, p->nunmaps * sizeof(struct op), "unmaps"), p->nunmaps,
		"unmaps", p);
	run_ops(in_hole(p->ops, p->nops * sizeof(struct op), "ops"), p->nops, "ops", p);
	model_munmap(p->drop, p->drop_len);
	/* a #! script: what runs is the model's other file, its interpreter
	 * twice over; the ops were checked, the process is not described */
	if (W.prog.size >= 2 && W.prog.data[0] == '#' && W.prog.data[1] == '!')
		return;
	check_process(p, hv->page);
}
