/*
 * elfload stage1: the command line, the determinism re-exec, and the
 * hand-over to stage2.
 *
 * Contract with the kernel: _start (arch/ARCH/start.S) passes the initial
 * stack pointer; argc, argv, envp and auxv are read from it.
 * Contract with stage2: see stage2/plan.h.
 */
#include <linux/personality.h>
#include <linux/prctl.h>
#include "elfload.h"
#include "plan.h"
#include "stage2_blob.h"

#define VERSION "0.1.0"
#define STAGE2_STACK (64 << 10)
#define REEXEC_VAR "ELFLOAD_PERSONALITY="

extern const char stage2_blob[], stage2_blob_end[];
char **environ_;

static const char usage_text[] =
"Usage: elfload [OPTIONS] [--] PROGRAM [ARGS...]\n"
"Run PROGRAM at exactly the addresses its program headers name, whatever\n"
"is there now, with the same layout on every run.\n"
"\n"
"  --argv0 NAME        pass NAME as argv[0] instead of PROGRAM\n"
"  --entry SYM|ADDR    call this function as int f(argc, argv, envp) instead\n"
"                      of starting at e_entry; its value is the exit status\n"
"  --interp PATH       use PATH as the ELF interpreter instead of PT_INTERP\n"
"  --base ADDR         load a position-independent PROGRAM at ADDR\n"
"  --map               print the planned layout and exit without running\n"
"  -v, --verbose       print the planned layout on stderr, then run\n"
"  --aslr              keep address-space randomization (default: off, as\n"
"                      under gdb or setarch -R)\n"
"  --stop-at-entry     stop with SIGTRAP once everything is mapped, right\n"
"                      before the program's first instruction (for debuggers)\n"
"  --stack-size SIZE   stack size (default RLIMIT_STACK, 8M if unlimited)\n"
"  --stack-top ADDR    put the top of the stack at ADDR\n"
"  --page-size N       lay segments out as if pages were N bytes\n"
"  -h, --help          show this help and exit\n"
"      --version       show the version and exit\n"
"\n"
"Exit status: PROGRAM's own, or 125 for a bad elfload option, 126 if\n"
"PROGRAM cannot be run, 127 if it cannot be found.\n";

static void print_and_exit(const char *s)
{
	write_all(1, s, strlen(s));
	sys_exit(0);
}

/* SIZE or ADDR: decimal or 0x-hex, with an optional K, M or G. */
static uint64_t parse_num(const char *opt, const char *s, int suffix)
{
	uint64_t v = 0, base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2, base = 16;
	if (!*p)
		usage_error("invalid %s '%s'", opt, s);
	for (; *p; p++) {
		uint64_t d = *p >= '0' && *p <= '9' ? (uint64_t)(*p - '0') :
			     base == 16 && *p >= 'a' && *p <= 'f' ? (uint64_t)(*p - 'a' + 10) :
			     base == 16 && *p >= 'A' && *p <= 'F' ? (uint64_t)(*p - 'A' + 10) : 99;
		int shift = *p == 'K' || *p == 'k' ? 10 : *p == 'M' || *p == 'm' ? 20 :
			    *p == 'G' || *p == 'g' ? 30 : 0;

		if (suffix && shift && !p[1]) {
			if (v > (UINT64_MAX >> shift))
				usage_error("invalid %s '%s'", opt, s);
			return v << shift;
		}
		if (d >= base || v > (UINT64_MAX - d) / base)
			usage_error("invalid %s '%s'", opt, s);
		v = v * base + d;
	}
	return v;
}

/* --name VALUE or --name=VALUE */
static const char *opt_value(char ***argp, char **end, const char *name)
{
	char *a = **argp;
	size_t n = strlen(name);

	if (memcmp(a, name, n))
		return 0;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return 0;
	if (*argp + 1 >= end)
		usage_error("option '%s' requires an argument", name);
	return *++*argp;
}

static void parse_options(struct options *o, int argc, char **argv)
{
	char **a = argv + 1, **end = argv + argc;
	const char *v;

	for (; a < end; a++) {
		if (!strcmp(*a, "--")) {
			a++;
			break;
		}
		if ((*a)[0] != '-' || !(*a)[1])
			break;
		if (!strcmp(*a, "-h") || !strcmp(*a, "--help"))
			print_and_exit(usage_text);
		else if (!strcmp(*a, "--version"))
			print_and_exit("elfload " VERSION "\n");
		else if (!strcmp(*a, "-v") || !strcmp(*a, "--verbose"))
			o->verbose = 1;
		else if (!strcmp(*a, "--map"))
			o->map = 1;
		else if (!strcmp(*a, "--aslr"))
			o->aslr = 1;
		else if (!strcmp(*a, "--stop-at-entry"))
			o->stop_at_entry = 1;
		else if ((v = opt_value(&a, end, "--argv0")))
			o->argv0 = v;
		else if ((v = opt_value(&a, end, "--entry")))
			o->entry = v;
		else if ((v = opt_value(&a, end, "--interp")))
			o->interp = v;
		else if ((v = opt_value(&a, end, "--base"))) {
			o->base = parse_num("--base", v, 0);
			o->has_base = 1;
		}
		else if ((v = opt_value(&a, end, "--stack-size"))) {
			o->stack_size = parse_num("--stack-size", v, 1);
			if (!o->stack_size)
				usage_error("invalid --stack-size '%s'", v);
		} else if ((v = opt_value(&a, end, "--stack-top")))
			o->stack_top = parse_num("--stack-top", v, 0);
		else if ((v = opt_value(&a, end, "--page-size")))
			o->page_size = parse_num("--page-size", v, 1);
		else
			usage_error("unknown option '%s'", *a);
	}
	if (a >= end)
		usage_error("no PROGRAM given");
	o->program = *a;
	o->args = a + 1;
	o->nargs = (int)(end - a - 1);
}

static long *find_auxv(char **envp)
{
	while (*envp)
		envp++;
	return (long *)(envp + 1);
}

/*
 * Address-space randomization decides where the kernel put our stack, the
 * vDSO and where mmap() starts. To get the same layout every run, turn it
 * off for ourselves and start again, as gdb and setarch -R do. The original
 * personality travels in the environment and is restored in the second
 * run, so the program's own children get the randomization they would have
 * had. If the exec fails (no /proc, or a foreign-architecture binary under
 * qemu-user) we go on with the layout we have.
 */
static void reexec_without_aslr(char **argv, char **envp, const long *auxv)
{
	long pers = sys_personality(0xffffffff);
	int envc = 0;
	char **env, *var;

	if (pers < 0 || (pers & ADDR_NO_RANDOMIZE))
		return;
	while (envp[envc])
		envc++;
	env = xalloc((envc + 2) * sizeof(char *));
	memcpy(env, envp, envc * sizeof(char *));
	var = xalloc(sizeof(REEXEC_VAR) + 20);
	memcpy(var, REEXEC_VAR, sizeof(REEXEC_VAR) - 1);
	fmt_hex(var + sizeof(REEXEC_VAR) - 1, (uint64_t)pers, 1);
	env[envc] = var;

	if (sys_personality((unsigned long)pers | ADDR_NO_RANDOMIZE) < 0)
		return;
	sys_execve("/proc/self/exe", argv, env);
	sys_execve((const char *)auxv_get(auxv, AT_EXECFN), argv, env);
	sys_personality((unsigned long)pers);
}

/* Second run: take our marker out of the environment the program will
 * see, and give back the personality the user had. */
static void restore_personality(char **envp)
{
	size_t n = sizeof(REEXEC_VAR) - 1;

	for (char **e = envp; *e; e++) {
		uint64_t v = 0;
		const char *p;

		if (memcmp(*e, REEXEC_VAR, n))
			continue;
		for (p = *e + n; *p; p++)
			v = v << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
		sys_personality(v);
		do
			e[0] = e[1];
		while (*e++);
		return;
	}
}

static uint64_t default_stack_size(void)
{
	uint64_t lim[2] = { 0, 0 };

	if (sys_prlimit(RLIMIT_STACK, lim) < 0 || lim[0] == ~0ULL ||
	    lim[0] < (128 << 10))
		return 8 << 20;
	return lim[0];
}

static void fresh_random(unsigned char out[16], const long *auxv)
{
	const unsigned char *old = (const unsigned char *)auxv_get(auxv, AT_RANDOM);

	if (sys_getrandom(out, 16, GRND_NONBLOCK) == 16)
		return;
	for (int i = 0; i < 16; i++) /* no getrandom: reuse ours, mixed */
		out[i] = (unsigned char)((old ? old[i] : 0) ^ (0x9e * (i + 1)));
}

/* The auxiliary vector the program gets: ours, describing the program
 * instead of elfload. Entries the kernel added that we know nothing about
 * pass through unchanged. */
static long *program_auxv(const long *auxv, const struct image *im,
			  uint64_t interp_base, const struct layout *lay)
{
	size_t n = 0;
	long *out;

	while (auxv[2 * n] != AT_NULL)
		n++;
	out = xalloc((n + 1) * 2 * sizeof(long));
	n = 0;
	for (; auxv[0] != AT_NULL; auxv += 2) {
		long t = auxv[0], v = auxv[1];

		switch (t) {
		case AT_PHDR:   v = (long)im->phdr_addr; break;
		case AT_PHENT:  v = sizeof(Elf64_Phdr); break;
		case AT_PHNUM:  v = (long)im->phnum; break;
		case AT_ENTRY:  v = (long)im->entry; break;
		case AT_BASE:   v = (long)interp_base; break;
		case AT_FLAGS:  v = 0; break;
		case AT_SECURE: v = 0; break;
		case AT_EXECFD: continue;
		case AT_SYSINFO_EHDR:
			if (!lay->keep_vdso)
				continue;
			break;
		}
		out[2 * n] = t;
		out[2 * n + 1] = v;
		n++;
	}
	out[2 * n] = AT_NULL;
	out[2 * n + 1] = 0;
	return out;
}

/* ET_DYN programs: --base, else where the kernel puts a program that has
 * an interpreter (2/3 of the address space, randomized with --aslr), else,
 * like the kernel with a static-PIE or an interpreter run directly, in the
 * mmap area. Returns the bias (the address p_vaddr 0 gets). */
static uint64_t program_base(struct layout *lay, const struct image *im,
			     struct host *h, const struct options *o,
			     int has_interp)
{
	uint64_t first = page_down(im->segs[0].vaddr, h->layout_page);
	uint64_t align = im->align > h->page ? im->align : h->page, base;

	if (o->has_base) {
		if (o->base & (h->page - 1))
			die(EXIT_CANNOT, "--base 0x%lx: not a multiple of the page size 0x%lx",
			    o->base, h->page);
		return o->base - first;
	}
	if (!has_interp)
		return place_dyn(lay, im, h);
	base = h->top / 3 * 2;
	if (o->aslr) {
		uint64_t r = 0;

		sys_getrandom(&r, sizeof(r), 1);
		base += (r & ((1 << 28) - 1)) * h->page;
	}
	return page_down(base, align) - first;
}

/* The brk heap starts after the program's highest segment, as the kernel
 * places it; for a program without interpreter loaded in the mmap area
 * (static-PIE, ld.so run directly) it goes where ET_DYN programs would
 * have gone, out of the way of the mappings around it. */
static uint64_t program_brk(const struct image *im, const struct host *h,
			    int has_interp)
{
	const struct seg *last = &im->segs[im->nsegs - 1];
	uint64_t brk = page_up(last->vaddr + last->memsz, h->page);

	if (im->eh.e_type == ET_DYN && !has_interp)
		brk = page_down(h->top / 3 * 2, h->page);
	return brk < h->top ? brk : h->top - h->page;
}

static const char *basename_(const char *p)
{
	const char *b = p;

	for (; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

/* Carves the plan area into its parts, in order. */
struct carver {
	char *base;
	uint64_t used, size;
};

static void *carve(struct carver *c, uint64_t n, uint64_t *addr)
{
	void *p = c->base + c->used;

	n = (n + 15) & ~15ULL;
	if (n > c->size - c->used)
		die(EXIT_CANNOT, "internal error: the plan does not fit the loader's hole");
	if (addr)
		*addr = (uint64_t)p;
	c->used += n;
	return p;
}

static char *carve_string(struct carver *c, const char *s, uint64_t *addr)
{
	size_t n = strlen(s) + 1;
	char *p = carve(c, n < 16 ? 16 : n, addr);

	memcpy(p, s, n);
	return p;
}

/* The munmap ops for [lo, hi) less the hole and the kept vDSO/vvar. */
static uint64_t unmap_range(struct op *ops, uint64_t k, uint64_t cap,
			    uint64_t lo, uint64_t hi, const struct layout *lay)
{
	while (lo < hi) {
		uint64_t cut = hi, next = hi;

		/* the lowest range to keep that meets [lo, hi) */
		if (lay->hole_lo < cut && lay->hole_hi > lo)
			cut = lay->hole_lo, next = lay->hole_hi;
		for (size_t j = 0; j < lay->nkept; j++)
			if (lay->kept[j].lo < cut && lay->kept[j].hi > lo)
				cut = lay->kept[j].lo, next = lay->kept[j].hi;
		if (cut > lo && k && ops[k - 1].addr + ops[k - 1].len == lo) {
			ops[k - 1].len += cut - lo;   /* one call for neighbours */
		} else if (cut > lo) {
			if (k == cap)
				die(EXIT_CANNOT, "too many mappings to undo");
			ops[k++] = (struct op){ .kind = OP_MUNMAP, .fd = -1,
						.addr = lo, .len = cut - lo };
		}
		lo = next;
	}
	return k;
}

/* Everything stage1 found mapped, and every chunk it mapped since, goes;
 * the program's segments replace the rest with MAP_FIXED anyway. */
static uint64_t plan_unmaps(struct op *ops, uint64_t cap,
			    const struct layout *lay, const struct host *h)
{
	const struct range *r;
	size_t n, k = 0;

	for (size_t i = 0; i < h->nmaps; i++)
		if (h->maps[i].lo < h->top)
			k = unmap_range(ops, k, cap, h->maps[i].lo,
					h->maps[i].hi < h->top ? h->maps[i].hi : h->top,
					lay);
	r = arena_ranges(&n);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < h->nmaps && !(h->maps[j].lo <= r[i].lo && r[i].hi <= h->maps[j].hi))
			j++;
		if (j == h->nmaps) /* mapped after /proc/self/maps was read */
			k = unmap_range(ops, k, cap, r[i].lo, r[i].hi, lay);
	}
	return k;
}

/* What the kernel shows in /proc/PID/stat and uses for brk: the code and
 * data ranges computed the way binfmt_elf does. */
static void fill_mm_map(struct prctl_mm_map *mm, const struct image *im,
			const struct layout *lay, const struct stack_image *st,
			uint64_t top)
{
	uint64_t code_lo = UINT64_MAX, code_hi = 0;

	*mm = (struct prctl_mm_map){
		.start_brk = lay->brk, .brk = lay->brk,
		.start_stack = st->sp,
		.arg_start = st->arg_start, .arg_end = st->arg_end,
		.env_start = st->env_start, .env_end = st->env_end,
		.auxv = (__u64 *)st->auxv, .auxv_size = (uint32_t)st->auxv_len,
		.exe_fd = (uint32_t)-1,
	};
	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if ((s->flags & PF_X) && s->vaddr < code_lo)
			code_lo = s->vaddr;
		if ((s->flags & PF_X) && s->vaddr + s->filesz > code_hi)
			code_hi = s->vaddr + s->filesz;
		if (s->vaddr > mm->start_data)
			mm->start_data = s->vaddr;
		if (s->vaddr + s->filesz > mm->end_data)
			mm->end_data = s->vaddr + s->filesz;
	}
	if (code_lo == UINT64_MAX)
		code_lo = im->segs[0].vaddr;
	mm->start_code = code_lo;
	mm->end_code = code_hi > code_lo ? code_hi : code_lo + 1;
	if (mm->end_data < mm->start_data)
		mm->end_data = mm->start_data;
	/* the kernel takes only addresses below the top: a segment that ends
	 * there is described as ending a byte short */
	if (mm->end_code >= top)
		mm->end_code = top - 1;
	if (mm->end_data >= top)
		mm->end_data = top - 1;
	if (mm->start_data > mm->end_data)
		mm->start_data = mm->end_data;
}

static void protect(uint64_t lo, uint64_t len, int prot)
{
	long r = sys_mprotect(lo, len, prot);

	if (r < 0)
		die(EXIT_CANNOT, "cannot protect the loader's code: %s", errno_name(r));
}

/* Every mmap op becomes at least one mapping: more than vm.max_map_count
 * allows would fail half-way through stage2. The sysctl is read only for
 * programs that come near its default, and room is left for the stack,
 * the libraries and the program's own mappings. */
static void check_map_count(const struct layout *lay)
{
	uint64_t n = 0, max;

	for (size_t i = 0; i < lay->nops; i++)
		n += lay->ops[i].kind == OP_MMAP;
	if (n < 16384)
		return;
	max = max_map_count();
	if (n + 1024 > max)
		die(EXIT_CANNOT, "needs %lu mappings, vm.max_map_count allows %lu",
		    n, max);
}

/* Where everything goes: the program (ET_DYN: where the kernel would put
 * it), what stays mapped, the stack, the interpreter, in the order in
 * which each constrains the next; then the ops that load the segments.
 * Returns where the process starts. */
static uint64_t plan_layout(struct layout *lay, struct image *im,
			    struct image *in, struct host *h,
			    const struct options *o)
{
	uint64_t pc;

	if (o->has_base && im->eh.e_type != ET_DYN)
		die(EXIT_CANNOT, "--base: not a position-independent program (ET_EXEC)");
	if (im->eh.e_type == ET_DYN) {
		relocate(im, program_base(lay, im, h, o, !!in->path));
		check_placement(im, h);
	}
	add_footprint(lay, im);
	pc = o->entry ? find_symbol(im, o->entry) : im->entry;
	check_entry(im, pc, o->entry ? "--entry" : "entry point");
	decide_kept(lay, h);
	place_stack(lay, h, o);
	if (in->path) {
		die_context = str_printf("interpreter %s", in->path);
		relocate(in, place_dyn(lay, in, h));
		check_placement(in, h);
		check_entry(in, in->entry, "entry point");
		die_context = 0;
		add_footprint(lay, in);
		if (!o->entry)
			pc = in->entry;
	}
	plan_segments(lay, im, h);
	if (in->path)
		plan_segments(lay, in, h);
	check_map_count(lay);
	lay->brk = program_brk(im, h, !!in->path);
	return pc;
}

/* The ops that follow the segments: the stack and its contents, what the
 * process looks like from outside, closing our descriptors. */
static void add_process_ops(struct layout *lay, struct carver *c,
			    const struct image *im, const struct image *in,
			    const struct stack_image *st, const struct host *h,
			    int stop_at_entry)
{
	struct prctl_mm_map *mm, *mm_exe;
	uint64_t a, a_exe;

	add_op(lay, OP_MMAP, lay->stack_lo, lay->stack_top - lay->stack_lo);
	last_op(lay)->prot = stack_prot(im->stack_flags);
	last_op(lay)->flags = MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE;
	add_op(lay, OP_COPY, st->sp, st->len);
	memcpy(carve(c, st->len, &last_op(lay)->arg), st->buf, st->len);

	/* /proc/PID/exe as well, where we may (CAP_SYS_ADMIN); else the rest */
	mm = carve(c, sizeof(*mm), &a);
	fill_mm_map(mm, im, lay, st, h->top);
	mm_exe = carve(c, sizeof(*mm), &a_exe);
	*mm_exe = *mm;
	mm_exe->exe_fd = (uint32_t)im->fd;
	add_op(lay, OP_PRCTL | OP_OPTIONAL, a_exe, sizeof(*mm));
	last_op(lay)->flags = PR_SET_MM;
	last_op(lay)->arg = PR_SET_MM_MAP;
	add_op(lay, OP_PRCTL | OP_OPTIONAL | OP_IF_FAILED, a, sizeof(*mm));
	last_op(lay)->flags = PR_SET_MM;
	last_op(lay)->arg = PR_SET_MM_MAP;
	add_op(lay, OP_PRCTL | OP_OPTIONAL, 0, 0);
	last_op(lay)->flags = PR_SET_NAME;
	carve_string(c, basename_(im->path), &last_op(lay)->arg);

	add_op(lay, OP_CLOSE, 0, 0);
	last_op(lay)->fd = im->fd;
	if (in->path) {
		add_op(lay, OP_CLOSE, 0, 0);
		last_op(lay)->fd = in->fd;
	}
	if (stop_at_entry)
		add_op(lay, OP_TRAP, 0, 0);
}

/* How big the hole must be: the blob, the phdr copy, stage2's stack, and
 * behind them the plan with everything it carries. */
static uint64_t hole_size(struct layout *lay, const struct image *im,
			  const struct host *h, const struct stack_image *st,
			  uint64_t unmap_cap)
{
	lay->blob_len = page_up(STAGE2_SIZE, h->page);
	lay->phdr_len = im->phdr_addr ? 0 :
		page_up(im->phnum * sizeof(Elf64_Phdr), h->page);
	lay->keep_len = lay->blob_len + lay->phdr_len + STAGE2_STACK;
	return lay->keep_len + sizeof(struct plan) + 16 +
	       strlen(im->path) + 32 +                     /* name, comm */
	       st->len + 16 +                              /* stack image */
	       2 * (sizeof(struct prctl_mm_map) + 16) +
	       (lay->nops + 10) * sizeof(struct op) + 16 + /* ops and ours */
	       unmap_cap * sizeof(struct op) + 16;
}

/* The program headers where no segment maps them: a copy in the hole,
 * which AT_PHDR then names. */
static void copy_phdrs(const struct layout *lay, struct image *im,
		       struct stack_image *st)
{
	uint64_t *aux = (uint64_t *)(st->buf + (st->auxv - st->sp));

	im->phdr_addr = lay->hole_lo + lay->blob_len;
	memcpy((void *)im->phdr_addr, im->ph, im->phnum * sizeof(Elf64_Phdr));
	for (; aux[0] != AT_NULL; aux += 2)
		if (aux[0] == AT_PHDR)
			aux[1] = im->phdr_addr;
}

void stage1_main(long *sp) __attribute__((noreturn));
void stage1_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1, **pargv;
	long *auxv = find_auxv(envp), *paux;
	struct options o = { 0 };
	struct image im = { 0 }, in = { 0 };
	struct host h = { 0 };
	struct layout lay = { 0 };
	struct stack_image st;
	unsigned char rnd[16];
	uint64_t pc, hole_len, unmap_cap, plan_addr;
	struct carver c;
	struct plan *plan;
	const char *execfn, *interp;
	char *end_strings;
	int pargc;
	long r;

	environ_ = envp;
	parse_options(&o, argc, argv);
	if (!o.aslr)
		reexec_without_aslr(argv, envp, auxv);
	restore_personality(envp);

	end_strings = (char *)auxv_get(auxv, AT_EXECFN);
	end_strings = end_strings ? end_strings + strlen(end_strings) + 1 : (char *)sp;
	if (o.page_size) {
		uint64_t real = auxv_get(auxv, AT_PAGESZ);

		if (o.page_size & (o.page_size - 1) || (real && o.page_size % real))
			usage_error("invalid --page-size %lu: not a power-of-two multiple of the page size %lu",
				    o.page_size, real);
		h.layout_page = o.page_size;
	}
	if (!o.stack_size)
		o.stack_size = default_stack_size();
	probe_host(&h, auxv, sp, end_strings);

	open_program(&im, o.program);
	execfn = im.path;
	load_elf(&im, &h);
	interp = o.interp ? o.interp : im.interp;
	if (interp) {
		die_context = str_printf("interpreter %s", interp);
		open_interp(&in, interp);
		load_elf(&in, &h);
		die_context = 0;
	}

	pc = plan_layout(&lay, &im, &in, &h, &o);

	pargc = o.nargs + 1;
	pargv = xalloc((pargc + 1) * sizeof(char *));
	pargv[0] = (char *)(o.argv0 ? o.argv0 : o.program);
	memcpy(pargv + 1, o.args, o.nargs * sizeof(char *));
	paux = program_auxv(auxv, &im, in.bias, &lay);
	fresh_random(rnd, auxv);
	build_stack(&st, lay.stack_top, pargv, pargc, envp, execfn, paux, rnd);

	unmap_cap = (h.nmaps + 64 + 1) * (lay.nkept + 2);
	hole_len = hole_size(&lay, &im, &h, &st, unmap_cap);
	place_hole(&lay, &h, hole_len);

	if (o.map || o.verbose)
		print_layout(o.map ? 1 : 2, &lay, &im, &h);
	if (o.map)
		sys_exit(0);

	/* point of no return is in stage2; this still can fail cleanly */
	r = sys_mmap(lay.hole_lo, lay.hole_hi - lay.hole_lo, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (r < 0 || (uint64_t)r != lay.hole_lo)
		die(EXIT_CANNOT, "cannot map the loader at 0x%lx: %s", lay.hole_lo,
		    r < 0 ? errno_name(r) : "address taken");
	memcpy((void *)lay.hole_lo, stage2_blob, stage2_blob_end - stage2_blob);
	if (lay.phdr_len)
		copy_phdrs(&lay, &im, &st);

	c = (struct carver){ (char *)lay.hole_lo + lay.keep_len, 0,
			     lay.hole_hi - lay.hole_lo - lay.keep_len };
	plan = carve(&c, sizeof(*plan), &plan_addr);
	plan->magic = PLAN_MAGIC;
	carve_string(&c, o.program, &plan->name);
	add_process_ops(&lay, &c, &im, &in, &st, &h, o.stop_at_entry);

	plan->ops = (uint64_t)carve(&c, lay.nops * sizeof(struct op), 0);
	memcpy((void *)plan->ops, lay.ops, lay.nops * sizeof(struct op));
	plan->nops = lay.nops;
	plan->entry = pc;
	plan->sp = st.sp;
	plan->call = !!o.entry;
	plan->drop = lay.hole_lo + lay.keep_len;
	plan->drop_len = lay.hole_hi - plan->drop;
	plan->unmaps = (uint64_t)carve(&c, unmap_cap * sizeof(struct op), 0);
	plan->nunmaps = plan_unmaps((struct op *)plan->unmaps, unmap_cap, &lay, &h);

	protect(lay.hole_lo, lay.blob_len, PROT_READ | PROT_EXEC);
	if (lay.phdr_len)
		protect(lay.hole_lo + lay.blob_len, lay.phdr_len, PROT_READ);
	__builtin___clear_cache((char *)lay.hole_lo, (char *)lay.hole_lo + lay.blob_len);
	arch_call_on_stack(lay.hole_lo + STAGE2_OFF_stage2_main,
			   lay.hole_lo + lay.keep_len, plan_addr, 0);
}
