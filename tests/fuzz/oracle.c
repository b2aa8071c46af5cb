/*
 * The oracle: plays the plan stage1 handed over as stage2 would (see
 * common/plan.h) on the model, then checks the process the program would
 * find. It trusts nothing of stage1's but the plan itself, and reads the
 * program's ELF file on its own.
 *
 * A finding is any of: an op the kernel would refuse (and that may not
 * fail), a write stage2 would fault on or that lands on a file's page,
 * stage2 unmapping its own code, stack or plan; then, at the program's
 * first instruction: a segment's page not mapped, or not holding the
 * bytes and protection the kernel's elf_load leaves there (below); an
 * entry outside executable memory or not where the ELF says; a stack
 * whose argc, argv, envp or auxv differ from what elfload was given;
 * AT_PHDR not where the kernel puts it, or, where it names a copy, not
 * showing the program headers; any of stage1's own memory left mapped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/auxvec.h>
#include <linux/capability.h>
#include <linux/prctl.h>
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

/* ---- prctl and capset, as the kernel answers them ---- */

static struct prctl_mm_map mm_set;   /* the last PR_SET_MM_MAP that took */
static int mm_taken;
static const struct op *trap_at;

#define SAVED_AUXV_BYTES (2 * (20 + 3 + 1) * 8)   /* mm->saved_auxv */
#define CAP_LAST 40

/* PR_SET_MM_MAP (kernel/sys.c): any process may set the map of its own
 * memory if it is valid; the exe link needs CAP_SYS_ADMIN (or
 * CAP_CHECKPOINT_RESTORE), a descriptor and a regular file */
static long mm_map_valid(const struct prctl_mm_map *m)
{
	const uint64_t v[] = { m->start_code, m->end_code, m->start_data, m->end_data,
			       m->start_brk, m->brk, m->start_stack, m->arg_start,
			       m->arg_end, m->env_start, m->env_end };

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		if (v[i] >= W.top || v[i] < W.min_addr)
			return -EINVAL;
	if (!(m->start_code < m->end_code) || !(m->start_data <= m->end_data) ||
	    !(m->start_brk <= m->brk) || !(m->arg_start <= m->arg_end) ||
	    !(m->env_start <= m->env_end))
		return -EINVAL;
	return 0;
}

static int over_data_limit(const struct prctl_mm_map *m)
{
	return W.rlim_data != UINT64_MAX &&
	       (m->brk - m->start_brk) + (m->end_data - m->start_data) > W.rlim_data;
}

static long set_mm_map(const struct op *op)
{
	struct prctl_mm_map m;
	static uint8_t auxv[SAVED_AUXV_BYTES];
	long r;

	if (op->len != sizeof(m))
		return -EINVAL;
	if (model_read(op->addr, &m, sizeof(m)))
		return -EFAULT;
	if ((r = mm_map_valid(&m)) < 0)
		fuzz_fail("the mm map stage1 wrote is not valid: code 0x%llx-0x%llx, data "
			  "0x%llx-0x%llx, brk 0x%llx-0x%llx, stack 0x%llx, arguments 0x%llx-0x%llx, "
			  "environment 0x%llx-0x%llx", m.start_code, m.end_code, m.start_data,
			  m.end_data, m.start_brk, m.brk, m.start_stack, m.arg_start, m.arg_end,
			  m.env_start, m.env_end);
	if (over_data_limit(&m))   /* the data limit may leave no room */
		return -EINVAL;
	if (m.auxv_size && (!m.auxv || m.auxv_size > sizeof(auxv)))
		return -EINVAL;
	if (m.auxv_size && model_read((uint64_t)m.auxv, auxv, m.auxv_size))
		return -EFAULT;
	if (m.exe_fd != (uint32_t)-1) {
		if (W.euid != 0)
			return -EPERM;
		if (fd_file((int)m.exe_fd) < 0 || closed[m.exe_fd & 15])
			return -EBADF;
		if (((fd_file((int)m.exe_fd) ? W.interp.mode : W.prog.mode) & 0170000) != 0100000)
			return -EACCES;
	}
	mm_set = m;
	mm_taken = 1;
	return 0;
}

static long set_name(uint64_t a)
{
	char c;

	for (int i = 0; i < 16; i++) {
		if (model_read(a + i, &c, 1))
			return -EFAULT;
		if (!c)
			break;
	}
	return 0;
}

static const char *prctl_op(const struct op *op)
{
	long r;

	switch (op->flags) {
	case PR_SET_MM:
		if (op->arg != PR_SET_MM_MAP)
			fuzz_fail("stage2 would call PR_SET_MM %lu, which the model does not know",
				  op->arg);
		r = set_mm_map(op);
		break;
	case PR_SET_NAME:
		r = set_name(op->arg);
		break;
	case PR_CAPBSET_DROP:   /* CAP_SETPCAP */
		r = op->arg > CAP_LAST ? -EINVAL : W.euid ? -EPERM : 0;
		break;
	case PR_CAP_AMBIENT:
		r = op->arg == PR_CAP_AMBIENT_CLEAR_ALL && !op->addr && !op->len ? 0 : -EINVAL;
		break;
	default:
		fuzz_fail("stage2 would call prctl %u, which the model does not know", op->flags);
	}
	return r < 0 ? errtext(r) : 0;
}

/* capset: a version the kernel knows, this process, and no capability
 * it does not have (root has them all, anyone else none) */
static const char *capset_op(const struct op *op)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2] = { { 0 } };
	int n;

	if (model_read(op->addr, &h, sizeof(h)))
		return errtext(-EFAULT);
	if (h.version != _LINUX_CAPABILITY_VERSION_1 && h.version != _LINUX_CAPABILITY_VERSION_2 &&
	    h.version != _LINUX_CAPABILITY_VERSION_3)
		return errtext(-EINVAL);
	if (h.pid != 0)
		return errtext(-EPERM);
	n = h.version == _LINUX_CAPABILITY_VERSION_1 ? 1 : 2;
	if (model_read(op->arg, d, n * sizeof(*d)))
		return errtext(-EFAULT);
	for (int i = 0; i < n; i++)
		if ((d[i].effective & ~d[i].permitted) ||
		    (W.euid && (d[i].permitted | d[i].inheritable)))
			return errtext(-EPERM);
	return 0;
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

		/* it reads every byte: readable anonymous memory cannot
		 * fault, so only the rest is read here */
		for (uint64_t a = op->addr, end = op->addr + op->len, n; a < end; a += n) {
			const struct vma *m = model_find(a);

			n = end - a < sizeof(scratch) ? end - a : sizeof(scratch);
			if (m && m->kind == V_ANON && (m->prot & PROT_READ)) {
				n = (m->hi < end ? m->hi : end) - a;
				continue;
			}
			if ((err = model_read(a, scratch, n)))
				return err;
		}
		return 0;
	}
	case OP_PRCTL:
		return prctl_op(op);
	case OP_TRAP:   /* kill(getpid(), SIGTRAP): it cannot fail */
		trap_at = op;
		return 0;
	case OP_CAPSET:
		return capset_op(op);
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
	uint64_t list[128];   /* the pairs in their order, AT_NULL left out */
	size_t nlist;
	uint64_t argc;
	uint64_t args, args_end, env_end;   /* where the strings are */
};

/* elfload's command line read on its own: its options up to PROGRAM (or
 * "--"), and the values of --argv0 and --entry; the program's arguments
 * are the rest. */
static struct {
	int program;          /* W.argv[program] is PROGRAM */
	const char *argv0, *entry;
	int aslr, map, help, version, stop;
} cmd;

static void read_command_line(void)
{
	static const char *const with_value[] = { "--argv0", "--entry", "--interp", "--base",
		"--stack-size", "--stack-top", "--reserve", "--page-size" };
	int i = 1;

	memset(&cmd, 0, sizeof(cmd));
	for (; i < W.argc; i++) {
		const char *a = W.argv[i], *v = 0;
		size_t k;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		for (k = 0; k < sizeof(with_value) / sizeof(*with_value); k++) {
			size_t n = strlen(with_value[k]);

			if (!strncmp(a, with_value[k], n) && (a[n] == '=' || !a[n])) {
				v = a[n] ? a + n + 1 : i + 1 < W.argc ? W.argv[++i] : "";
				break;
			}
		}
		if (v && !strncmp(a, "--argv0", 7))
			cmd.argv0 = v;
		if (v && !strncmp(a, "--entry", 7))
			cmd.entry = v;
		cmd.aslr |= !strcmp(a, "--aslr");
		cmd.map |= !strcmp(a, "--map");
		cmd.help |= !strcmp(a, "--help") || !strcmp(a, "-h");
		cmd.version |= !strcmp(a, "--version");
		cmd.stop |= !strcmp(a, "--stop-at-entry");
	}
	cmd.program = i;
}

/* binfmt_script's reading of a #! line, on the first 256 bytes of the
 * file (zeros past its end): 0 if the kernel refuses it, else the
 * interpreter's name and its argument (empty if none) */
static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static int shebang(const struct file *f, char *name, char *arg)
{
	char buf[257] = { 0 }, *end, *last = buf + 255, *n, *sep, *a = 0;

	memcpy(buf, f->data, f->size < 256 ? f->size : 256);
	end = memchr(buf, '\n', 256);
	if (!end) {   /* the name must end by the buffer's last byte */
		for (n = buf + 2; n <= last && spacetab(*n); n++)
			;
		if (n > last)
			return 0;
		while (n <= last && !spacetab(*n) && *n)
			n++;
		if (n > last)
			return 0;
		end = last;
	}
	while (spacetab(end[-1]))
		end--;
	*end = 0;
	for (n = buf + 2; n < end && spacetab(*n); n++)
		;
	if (n == end)
		return 0;
	for (sep = n; *sep && !spacetab(*sep); sep++)
		;
	if (*sep)
		for (a = sep; spacetab(*a); a++)
			;
	*sep = 0;
	strcpy(name, n);
	strcpy(arg, a ? a : "");
	return 1;
}

/* The argv the program must find: PROGRAM (or --argv0) and its
 * arguments; for a #! script, the interpreter, its argument, the
 * script's path, then the script's arguments (--argv0 replaces the
 * first). Returns argc. */
static uint64_t want_argv(const char **want)
{
	static char name[257], arg[257];
	uint64_t n = 0;

	if (W.prog.size >= 2 && W.prog.data[0] == '#' && W.prog.data[1] == '!') {
		if (!shebang(&W.prog, name, arg))
			fuzz_fail("a #! line the kernel refuses was run");
		want[n++] = name;
		if (*arg)
			want[n++] = arg;
		want[n++] = prog_path ? prog_path : "?";
	} else {
		want[n++] = W.argv[cmd.program];
	}
	for (int i = cmd.program + 1; i < W.argc; i++)
		want[n++] = W.argv[i];
	if (cmd.argv0)
		want[0] = cmd.argv0;
	return n;
}

/* One string of argv or envp: it must be what was given, and follow the
 * one before it; returns its end. */
static uint64_t check_string(uint64_t ptr, uint64_t after, const char *want,
			     const char *what, uint64_t i)
{
	static char s[8192];

	read_string(ptr, s, sizeof(s), what);
	if (strcmp(s, want))
		fuzz_fail("%s %lu is '%s', not '%s'", what, i, s, want);
	if (after && ptr != after)
		fuzz_fail("%s %lu at 0x%lx, not right after the one before (0x%lx)", what, i,
			  ptr, after);
	return ptr + strlen(s) + 1;
}

static void check_stack(uint64_t sp, struct seen *sn)
{
	const char *want[48], *env[8];
	uint64_t a, argc, k, at = 0;
	int envc = 0, n = 0;

	if (sp & 15)
		fuzz_fail("the stack pointer 0x%lx is not 16-byte aligned", sp);
	argc = read_word(sp, "argc");
	if (cmd.program >= W.argc || argc != want_argv(want))
		fuzz_fail("argc %lu, the program was given %lu arguments", argc,
			  cmd.program >= W.argc ? 0 : want_argv(want));
	sn->argc = argc;
	for (uint64_t i = 0; i < argc; i++) {
		uint64_t ptr = read_word(sp + 8 + 8 * i, "argv[]");

		if (!i)
			sn->args = ptr;
		at = check_string(ptr, at, want[i], "argument", i);
	}
	sn->args_end = at;
	if (read_word(sp + 8 + 8 * argc, "argv's NULL"))
		fuzz_fail("argv does not end in NULL");
	/* elfload's environment, less the re-exec's marker */
	for (int i = 0; W.envp[i]; i++)
		if (strncmp(W.envp[i], "ELFLOAD_REEXEC=", 15))
			env[n++] = W.envp[i];
	env[n] = 0;
	for (a = sp + 16 + 8 * argc; (k = read_word(a, "envp[]")); a += 8, envc++) {
		if (!env[envc])
			fuzz_fail("the environment has more than it was given");
		at = check_string(k, at, env[envc], "environment entry", (uint64_t)envc);
	}
	if (env[envc])
		fuzz_fail("the environment lost '%s'", env[envc]);
	sn->env_end = at;
	for (a += 8;; a += 16) {
		uint64_t t = read_word(a, "auxv"), v = read_word(a + 8, "auxv");

		if (t == AT_NULL)
			break;
		if (t < 63)
			sn->auxv[t] = v + 1;
		if (sn->nlist == 64 || a > sp + 65536)
			fuzz_fail("no AT_NULL in the auxiliary vector");
		sn->list[2 * sn->nlist] = t;
		sn->list[2 * sn->nlist + 1] = v;
		sn->nlist++;
	}
}

static uint64_t aux(const struct seen *sn, int t, int need)
{
	if (!sn->auxv[t] && need)
		fuzz_fail("the auxiliary vector has no entry %d", t);
	return sn->auxv[t] ? sn->auxv[t] - 1 : 0;
}

static int vdso_left(void)
{
	for (size_t i = 0; i < model_count(); i++)
		if (model_vma(i)->name && !strcmp(model_vma(i)->name, "[vdso]"))
			return 1;
	return 0;
}

/* The auxiliary vector, in the kernel's order: elfload's own (the first
 * stack's) with the entries about the program describing this one
 * (checked on their own below), AT_EXECFD gone, and AT_SYSINFO_EHDR
 * gone only with the vDSO; every other entry passes through as it was. */
static void check_auxv(const struct seen *sn)
{
	size_t j = 0;

	for (size_t i = 0; first_auxv[2 * i] != AT_NULL; i++) {
		uint64_t t = first_auxv[2 * i], v = first_auxv[2 * i + 1], got;

		if (t == AT_EXECFD)
			continue;
		if (t == AT_SYSINFO_EHDR && (j == sn->nlist || sn->list[2 * j] != t)) {
			if (vdso_left())
				fuzz_fail("AT_SYSINFO_EHDR is left out, and the vDSO is still mapped");
			continue;
		}
		if (j == sn->nlist || sn->list[2 * j] != t)
			fuzz_fail("auxv entry %zu is %s%lu, the kernel's order has %lu there", j,
				  j == sn->nlist ? "missing, " : "", j == sn->nlist ? 0 : sn->list[2 * j], t);
		got = sn->list[2 * j + 1];
		j++;
		switch (t) {
		case AT_PHDR: case AT_PHENT: case AT_PHNUM: case AT_BASE: case AT_ENTRY:
		case AT_UID: case AT_EUID: case AT_GID: case AT_EGID: case AT_SECURE:
		case AT_RANDOM: case AT_EXECFN: case AT_PLATFORM: case AT_BASE_PLATFORM:
		case AT_SYSINFO_EHDR:
			break;
		case AT_FLAGS:
			if (got)
				fuzz_fail("AT_FLAGS is 0x%lx", got);
			break;
		default:
			if (got != v)
				fuzz_fail("auxv entry %lu is 0x%lx, it was 0x%lx", t, got, v);
		}
	}
	if (j != sn->nlist)
		fuzz_fail("the auxiliary vector has %zu entries, the kernel's %zu", sn->nlist, j);
}

/* The strings at the top of the stack, as create_elf_tables leaves them:
 * arguments and environment, then AT_EXECFN's string and 8 zero bytes
 * up to the top (on a page); below the arguments, aligned to 16 (less a
 * gap of up to 8 KiB with --aslr), AT_PLATFORM's string, and right
 * below that, unaligned, AT_RANDOM's 16 bytes (what getrandom gave). */
static void check_strings(const struct seen *sn)
{
	static const uint8_t model_random[16] = { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
						  0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 };
	uint64_t execfn = aux(sn, AT_EXECFN, 1), plat = aux(sn, AT_PLATFORM, 1), top, below;
	uint8_t rnd[16];
	char s[4200];

	read_string(execfn, s, sizeof(s), "AT_EXECFN");
	if (!prog_path || strcmp(s, prog_path))
		fuzz_fail("AT_EXECFN is '%s', not '%s'", s, prog_path ? prog_path : "?");
	if (execfn != sn->env_end)
		fuzz_fail("AT_EXECFN at 0x%lx, not right after the environment (0x%lx)", execfn,
			  sn->env_end);
	top = execfn + strlen(s) + 1 + 8;
	if (read_word(top - 8, "the stack's last word") || top & (W.page - 1))
		fuzz_fail("the stack's strings end at 0x%lx, not 8 zero bytes below a page", top);
	read_string(plat, s, sizeof(s), "AT_PLATFORM");
	if (strcmp(s, "x86_64"))
		fuzz_fail("AT_PLATFORM is '%s'", s);
	below = sn->args & ~15ULL;
	if (plat + 7 != below && !(cmd.aslr && plat + 7 < below && below - (plat + 7) <= 8192 &&
				      !((plat + 7) & 15)))
		fuzz_fail("AT_PLATFORM's string ends at 0x%lx, the arguments start at 0x%lx",
			  plat + 7, sn->args);
	if (aux(sn, AT_RANDOM, 1) != plat - 16)
		fuzz_fail("AT_RANDOM 0x%lx is not right below AT_PLATFORM 0x%lx",
			  aux(sn, AT_RANDOM, 1), plat);
	if (model_read(plat - 16, rnd, 16) || memcmp(rnd, model_random, 16))
		fuzz_fail("AT_RANDOM's bytes are not the ones getrandom gave");
}

/* What PR_SET_MM_MAP told the kernel, where it took it: /proc/PID/
 * cmdline, environ, auxv and stat read these. */
static void check_mm(const struct seen *sn, uint64_t sp, uint64_t image_end)
{
	static uint8_t auxv[SAVED_AUXV_BYTES];

	if (!mm_taken)
		return;
	if (mm_set.arg_start != sn->args || mm_set.arg_end != sn->args_end ||
	    mm_set.env_start != sn->args_end || mm_set.env_end != sn->env_end)
		fuzz_fail("the mm map's arguments 0x%llx-0x%llx, environment 0x%llx-0x%llx; "
			  "the stack's 0x%lx-0x%lx, 0x%lx-0x%lx", mm_set.arg_start,
			  mm_set.arg_end, mm_set.env_start, mm_set.env_end, sn->args,
			  sn->args_end, sn->args_end, sn->env_end);
	if (mm_set.start_stack != sp)
		fuzz_fail("the mm map's start_stack 0x%llx, the stack pointer 0x%lx",
			  mm_set.start_stack, sp);
	if (mm_set.auxv_size != (sn->nlist + 1) * 16 || model_peek((uint64_t)mm_set.auxv, auxv, mm_set.auxv_size) ||
	    memcmp(auxv, sn->list, sn->nlist * 16))
		fuzz_fail("the mm map's auxv is not the program's");
	/* a program that reaches the top of the window leaves no room: the
	 * brk is then its own last page, as the kernel takes no brk at the
	 * top itself */
	if (mm_set.start_brk != mm_set.brk || !mm_set.brk || mm_set.brk & (W.page - 1) ||
	    (model_find(mm_set.brk) && mm_set.brk + W.page < image_end))
		fuzz_fail("the brk starts at 0x%llx (0x%llx): not one free page",
			  mm_set.start_brk, mm_set.brk);
}

/* The kernel's secureexec: the effective IDs the program gets (the
 * file's where its set-ID bits count: not on a nosuid mount, not with
 * no_new_privs; set-group-ID needs the group's execute bit) are not the
 * real ones, or elfload itself was started secure (Linux 6.18 also
 * counts a change of the effective IDs, which elfload's own AT_SECURE
 * shows). A tracer without the privilege downgrades the IDs afterwards,
 * which does not change the decision. */
static uint32_t first_euid, first_egid;

static int secure_exec(const struct file *f)
{
	int bits = !W.nosuid && !W.nnp, own = 0;
	uint32_t euid = bits && (f->mode & 04000) ? f->uid : first_euid;
	uint32_t egid = bits && (f->mode & 02010) == 02010 ? f->gid : first_egid;

	for (size_t i = 0; first_auxv[2 * i] != AT_NULL; i++)
		if (first_auxv[2 * i] == AT_SECURE)
			own = !!first_auxv[2 * i + 1];
	return euid != W.uid || egid != W.gid || own;
}

/* The end of the program's highest segment, on a page */
static uint64_t image_end(const struct elf *e, uint64_t bias)
{
	uint64_t end = 0;

	for (uint64_t i = 0; i < e->phnum; i++) {
		Elf64_Phdr ph = phdr(e, i);

		if (ph.p_type == PT_LOAD && ph.p_vaddr + ph.p_memsz + bias > end)
			end = ph.p_vaddr + ph.p_memsz + bias;
	}
	return (end + W.page - 1) & ~(W.page - 1);
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* ---- what the kernel's elf_load leaves, page by page of L ----
 *
 * Each PT_LOAD in header order maps its file pages (the whole page, from
 * the file; past the end of the file a page faults) and, where bss
 * follows, anonymous pages read-write (rwx with PF_X); it zeroes the
 * rest of its last file page if it is writable. A later segment's pages
 * replace an earlier one's. elfload differs where the README says so: a
 * page segments share without overlapping holds every segment's own
 * bytes with the union of their protections; a segment not congruent
 * modulo L (which the kernel refuses) gets its own bytes and zeros. */

struct kseg {
	uint64_t lo, end, fend, off, index;   /* with the bias */
	int prot;
};

static uint64_t pdown(uint64_t a, uint64_t L) { return a & ~(L - 1); }
static uint64_t pup(uint64_t a, uint64_t L) { return (a + L - 1) & ~(L - 1); }
static uint64_t k_file_hi(const struct kseg *k, uint64_t L)
{
	return k->fend > k->lo ? pup(k->fend, L) : pdown(k->lo, L);
}
static int k_bss_prot(const struct kseg *k)
{
	return PROT_READ | PROT_WRITE | (k->prot & PROT_EXEC);
}
static int k_congruent(const struct kseg *k, uint64_t L)
{
	return ((k->lo - k->off) & (L - 1)) == 0;
}
/* the page whose end the kernel zeroes, or 1 (no page) */
static uint64_t k_zeroed(const struct kseg *k, uint64_t L)
{
	if (k->fend == k->lo || k->end == k->fend || !(k->fend & (L - 1)) ||
	    !(k->prot & PROT_WRITE))
		return 1;
	return pdown(k->fend, L);
}

static size_t kernel_segs(const struct elf *e, uint64_t bias, struct kseg *out)
{
	size_t n = 0;

	for (uint64_t i = 0; i < e->phnum; i++) {
		Elf64_Phdr p = phdr(e, i);

		if (p.p_type != PT_LOAD || !p.p_memsz)
			continue;
		if (p.p_filesz > p.p_memsz || p.p_offset + p.p_filesz < p.p_offset ||
		    p.p_vaddr + bias + p.p_memsz < p.p_vaddr + bias)
			fuzz_fail("%s PT_LOAD %lu is not loadable, and was accepted",
				  e->which ? "interpreter" : "program", i);
		out[n++] = (struct kseg){ p.p_vaddr + bias, p.p_vaddr + bias + p.p_memsz,
					  p.p_vaddr + bias + p.p_filesz, p.p_offset, i,
					  prot_of(p.p_flags) };
	}
	return n;
}

/* The bytes [a, b) of one of k's file pages as k's mapping has them
 * (bytes has the page's, at page): the file's, zeros past its end and
 * where the kernel zeroes the page's end. */
static void k_bytes(const struct elf *e, const struct kseg *k, uint64_t page, uint64_t a,
		    uint64_t b, uint64_t L, uint8_t *bytes)
{
	uint64_t off = k->off - (k->lo - a), n;

	if (page == k_zeroed(k, L) && b > k->fend)
		b = k->fend > a ? k->fend : a;
	n = off < e->f->size ? e->f->size - off : 0;   /* none before offset 0 either */
	if (n > b - a)
		n = b - a;
	if (n)
		memcpy(bytes + (a - page), e->f->data + off, n);
	memset(bytes + (a - page) + n, 0, b - a - n);
}

/* The image's segments by address, with the highest end up to each:
 * who reaches a page is found without looking at them all. */
static struct kseg *by_lo;
static uint64_t *max_end;
static size_t nby;

static int cmp_lo(const void *x, const void *y)
{
	const struct kseg *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo ? 1 : a->index < b->index ? -1 : 1;
}

static void index_segs(const struct kseg *ks, size_t n)
{
	static struct kseg sorted[65536 + 1];
	static uint64_t ends[65536 + 1];

	memcpy(sorted, ks, n * sizeof(*ks));
	qsort(sorted, n, sizeof(*sorted), cmp_lo);
	for (size_t i = 0; i < n; i++)
		ends[i] = i && ends[i - 1] > sorted[i].end ? ends[i - 1] : sorted[i].end;
	by_lo = sorted;
	max_end = ends;
	nby = n;
}

static int cmp_index(const void *x, const void *y)
{
	const struct kseg *a = *(const struct kseg *const *)x, *b = *(const struct kseg *const *)y;

	return a->index < b->index ? -1 : 1;
}

/* The segments whose pages reach page, in header order. */
static size_t reaching(uint64_t page, uint64_t L, const struct kseg **who)
{
	size_t lo = 0, hi = nby, m = 0;

	while (lo < hi) {   /* the first whose pages start past page */
		size_t mid = lo + (hi - lo) / 2;

		if (pdown(by_lo[mid].lo, L) <= page)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0 && pup(max_end[lo], L) > page)
		if (pup(by_lo[lo].end, L) > page)
			who[m++] = &by_lo[lo];
	qsort(who, m, sizeof(*who), cmp_index);
	return m;
}

/* The page as the kernel leaves it: its bytes and protection, and
 * whether touching it faults (a file page wholly past the file's end). */
static void want_page(const struct elf *e, uint64_t page, uint64_t L, uint8_t *bytes,
		      int *prot, int *fault)
{
	static const struct kseg *who[65536 + 1];
	size_t m = reaching(page, L, who), over = 0;

	for (size_t i = 0; i < m && !over; i++)
		for (size_t j = i + 1; j < m; j++)
			over |= who[i]->lo < who[j]->end && who[j]->lo < who[i]->end;
	memset(bytes, 0, L);
	*prot = *fault = 0;
	for (size_t i = (m > 1 && over) ? m - 1 : 0; i < m; i++) {
		const struct kseg *k = who[i];
		int whole = m == 1 || over;
		uint64_t a = page, b = page + L;

		if (page >= k_file_hi(k, L)) {
			*prot |= k_bss_prot(k);
			continue;
		}
		*prot |= k->prot;
		if (whole && k_congruent(k, L) && k->off - (k->lo - page) >= e->f->size)
			*fault = 1;
		if (!(whole && k_congruent(k, L))) {
			a = k->lo > page ? k->lo : page;
			b = k->fend < page + L ? k->fend : page + L;
		}
		if (a < b)
			k_bytes(e, k, page, a, b, L, bytes);
	}
}

static void check_page(const struct elf *e, uint64_t page, uint64_t L)
{
	static uint8_t want[1 << 16], got[1 << 16];
	const char *who = e->which ? "interpreter" : "program", *err;
	int prot, fault;

	want_page(e, page, L, want, &prot, &fault);
	for (uint64_t a = page; a < page + L;) {
		const struct vma *m = model_find(a);

		if (!m)
			fuzz_fail("%s page 0x%lx: 0x%lx is not mapped", who, page, a);
		if (m->prot != prot)
			fuzz_fail("%s page 0x%lx: protection %d, the kernel's %d", who, page,
				  m->prot, prot);
		a = m->hi;
	}
	err = model_peek(page, got, L);
	if (fault && !err)
		fuzz_fail("%s page 0x%lx: past the end of the file, and readable", who, page);
	if (fault)
		return;
	if (err)
		fuzz_fail("%s page 0x%lx: %s", who, page, err);
	if (!memcmp(want, got, L))
		return;
	for (uint64_t i = 0; i < L; i++)
		if (want[i] != got[i])
			fuzz_fail("%s page 0x%lx: at +0x%lx 0x%02x, the kernel's 0x%02x", who, page,
				  i, got[i], want[i]);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Every page of the image's segments, once: all of them up to a number,
 * then the first and last pages of each segment and where its file data
 * end. */
#define CHECK_PAGES 256
static void check_image(const struct elf *e, uint64_t bias, uint64_t L)
{
	static struct kseg ks[65536 + 1];
	static uint64_t pages[8 * 65536 + CHECK_PAGES];
	size_t n, np = 0;
	uint64_t total = 0;

	if (bias & (W.page - 1))
		fuzz_fail("%s loaded at 0x%lx, not on a page", e->which ? "interpreter" : "program",
			  bias);
	n = kernel_segs(e, bias, ks);
	index_segs(ks, n);
	for (size_t i = 0; i < n; i++)
		total += (pup(ks[i].end, L) - pdown(ks[i].lo, L)) / L;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = pdown(ks[i].lo, L), hi = pup(ks[i].end, L);

		for (uint64_t pg = lo; pg < hi; pg += L) {
			if (total > CHECK_PAGES && pg > lo + L && pg + 2 * L < hi &&
			    pg != pdown(ks[i].fend, L))
				pg = hi - 2 * L;
			pages[np++] = pg;
		}
	}
	qsort(pages, np, sizeof(*pages), cmp_u64);
	for (size_t i = 0; i < np; i++)
		if (!i || pages[i] != pages[i - 1])
			check_page(e, pages[i], L);
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
	static struct seen sn;
	struct elf prog, interp;
	uint64_t bias, phdr_at, want_phdr, want_pc;
	static uint8_t table[65536 * 56];
	const struct vma *m;
	const char *err;

	memset(&sn, 0, sizeof(sn));
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
	/* the IDs the program runs with (the model took stage1's setresuid
	 * and setresgid), and AT_SECURE where they differ, as the kernel's
	 * secureexec */
	if (aux(&sn, AT_UID, 0) != W.uid || aux(&sn, AT_EUID, 0) != W.euid ||
	    aux(&sn, AT_GID, 0) != W.gid || aux(&sn, AT_EGID, 0) != W.egid)
		fuzz_fail("AT_UID/EUID/GID/EGID %lu/%lu/%lu/%lu, the process has %u/%u/%u/%u",
			  aux(&sn, AT_UID, 0), aux(&sn, AT_EUID, 0), aux(&sn, AT_GID, 0),
			  aux(&sn, AT_EGID, 0), W.uid, W.euid, W.gid, W.egid);
	if (aux(&sn, AT_SECURE, 1) != (uint64_t)secure_exec(prog.f))
		fuzz_fail("AT_SECURE is %lu, with IDs %u/%u/%u/%u", aux(&sn, AT_SECURE, 1),
			  W.uid, W.euid, W.gid, W.egid);
	check_auxv(&sn);
	check_strings(&sn);
	check_mm(&sn, p->sp, image_end(&prog, bias));
	/* the kernel names the program headers in the last PT_LOAD whose
	 * file data hold the table's first byte, whatever its p_flags and
	 * wherever the table ends; elfload maps a copy where none does */
	phdr_at = aux(&sn, AT_PHDR, 1);
	want_phdr = 0;
	for (uint64_t i = 0; i < prog.phnum; i++) {
		Elf64_Phdr ph = phdr(&prog, i);

		if (ph.p_type == PT_LOAD && ph.p_memsz && ph.p_offset <= prog.eh.e_phoff &&
		    prog.eh.e_phoff - ph.p_offset < ph.p_filesz)
			want_phdr = ph.p_vaddr + bias + (prog.eh.e_phoff - ph.p_offset);
	}
	if (want_phdr && phdr_at != want_phdr)
		fuzz_fail("AT_PHDR 0x%lx, the kernel's 0x%lx", phdr_at, want_phdr);
	if (!want_phdr && (err = model_peek(phdr_at, table, prog.phnum * 56)))
		fuzz_fail("AT_PHDR 0x%lx: %s", phdr_at, err);
	if (!want_phdr && memcmp(table, prog.ph, prog.phnum * 56))
		fuzz_fail("AT_PHDR 0x%lx does not show the program headers", phdr_at);
	if (aux(&sn, AT_SYSINFO_EHDR, 0) &&
	    (!(m = model_find(aux(&sn, AT_SYSINFO_EHDR, 0))) || !m->name ||
	     strcmp(m->name, "[vdso]") || m->lo != aux(&sn, AT_SYSINFO_EHDR, 0)))
		fuzz_fail("AT_SYSINFO_EHDR points at no vDSO's start");
	check_image(&prog, bias, L);

	want_pc = prog.eh.e_entry + bias;
	if (p->interp) {
		read_elf(&interp, which_file(p, 1));
		check_image(&interp, aux(&sn, AT_BASE, 1), L);
		want_pc = interp.eh.e_entry + aux(&sn, AT_BASE, 1);
	} else if (aux(&sn, AT_BASE, 0)) {
		fuzz_fail("AT_BASE 0x%lx without an interpreter", aux(&sn, AT_BASE, 0));
	}
	if (!cmd.entry && p->entry != want_pc)
		fuzz_fail("the program starts at 0x%lx, not at 0x%lx", p->entry, want_pc);
	if (!(m = model_find(p->entry)) || !(m->prot & PROT_EXEC))
		fuzz_fail("the entry 0x%lx is not in executable memory", p->entry);

	for (size_t i = 0; i < model_count(); i++)
		if (model_vma(i)->owner == OWN_STAGE1)
			fuzz_fail("stage1's mapping 0x%lx-0x%lx is left behind",
				  model_vma(i)->lo, model_vma(i)->hi);
	check_self();
}

/* --stop-at-entry, and only it, stops the program: after every op that
 * changes memory, ignoring SIGTRAP while it raises it where stage1 found
 * a tracer (which would pass it on) */
static void check_trap(const struct plan *p)
{
	const struct op *ops = in_hole(p->ops, p->nops * sizeof(struct op), "ops");

	if (!cmd.stop != !trap_at)
		fuzz_fail("%s", cmd.stop ? "--stop-at-entry, and no trap" : "a trap without --stop-at-entry");
	if (!trap_at)
		return;
	if ((trap_at->flags == OP_TRAP_IGNORED) != (W.traced && W.have_proc))
		fuzz_fail("the trap is %signored, and the process is %straced",
			  trap_at->flags ? "" : "not ", W.traced ? "" : "not ");
	for (const struct op *op = trap_at + 1; op < ops + p->nops; op++)
		if ((op->kind & OP_KIND_MASK) != OP_CLOSE)
			fuzz_fail("an op of kind %u after the trap", op->kind);
}

/* How stage1 ended, against its options: exit 0 only for --map, --help
 * or --version, and never the program with one of them. */
void oracle_begin(void)
{
	read_command_line();
	first_euid = W.euid;
	first_egid = W.egid;
}

void oracle_check_end(int reached, int code)
{
	int informs = cmd.map || cmd.help || cmd.version;

	if (reached && informs)
		fuzz_fail("the program runs, with --map, --help or --version");
	if (!reached && code == 0 && !informs)
		fuzz_fail("exit 0 without --map, --help or --version");
}

void oracle_run(const struct hole_view *view, uint64_t plan_addr)
{
	const struct plan *p;

	hv = view;
	memset(closed, 0, sizeof(closed));
	mm_taken = 0;
	trap_at = 0;
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
	check_trap(p);
	/* a #! script: what runs is the model's other file (the script's
	 * interpreter, and that ELF's own interpreter too) */
	check_process(p, hv->page);
	describe_process(p->sp, p->entry);
}
