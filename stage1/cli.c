/* The command line: elfload's options up to PROGRAM, the rest is the
 * program's. A wrong option is a usage error (EXIT_USAGE). */
#include "stage1.h"


static const char usage_text[] =
"Usage: elfload [OPTIONS] [--] PROGRAM [ARGS...]\n"
"Run PROGRAM (an ELF file, or a #! script) at exactly the addresses its\n"
"program headers name, whatever is there now, with the same layout on\n"
"every run.\n"
"PROGRAM - reads the program from standard input; one on a pipe\n"
"(/dev/stdin, <(zcat prog.gz)) is read whole first, then run as fexecve\n"
"runs a memfd. A program of another architecture elfload is built for\n"
"runs under qemu-ARCH with that architecture's elfload.\n"
"\n"
"  --argv0 NAME        pass NAME as argv[0] instead of PROGRAM\n"
"  --entry SYM|ADDR    call this function as int f(argc, argv, envp) instead\n"
"                      of starting at e_entry; its value is the exit status.\n"
"                      It skips the C library's start-up and the dynamic\n"
"                      linker: no TLS, stdio or shared library in it\n"
"  --interp PATH       use PATH as the ELF interpreter instead of PT_INTERP\n"
"  --base ADDR         load a position-independent PROGRAM at ADDR\n"
"  --map               print the planned layout and exit without running\n"
"  -v, --verbose       print the planned layout on stderr, then run\n"
"  --aslr              keep the kernel's layout, randomized (default: a fixed\n"
"                      layout away from where traced programs had pages)\n"
"  --stop-at-entry     stop with SIGTRAP once everything is mapped, right\n"
"                      before the program's first instruction (for debuggers)\n"
"  --stack-size SIZE   the stack mapped at first: default RLIMIT_STACK, or 8M\n"
"                      if that is unlimited or under 128K; it grows as the\n"
"                      kernel's, to RLIMIT_STACK (K, M, G suffixes)\n"
"  --stack-top ADDR    put the top of the stack at ADDR\n"
"  --page-size N       lay segments out as if pages were N bytes, a power-of-\n"
"                      two multiple of the real page size\n"
"  --reserve LO-HI     keep [LO, HI) free of all that elfload places\n"
"                      (repeatable; an ELFie's own pages are kept free\n"
"                      by themselves)\n"
"  --userns            run PROGRAM in a user namespace of its own, IDs mapped\n"
"                      to themselves, so that /proc/self/exe names it; then\n"
"                      without capabilities\n"
"  -h, --help          show this help and exit\n"
"      --version       show the version and exit\n"
"\n"
"Exit status: PROGRAM's own, or 125 for a bad elfload option, 126 if\n"
"PROGRAM cannot be run, 127 if it cannot be found.\n"
"Environment: PATH finds PROGRAM and qemu-ARCH; ELFLOAD_QEMU names the\n"
"emulator instead; QEMU_LD_PREFIX is its sysroot (default /usr/TRIPLET\n"
"when it holds the program's interpreter).\n"
"make install adds bash completion for the options, PROGRAM and its own\n"
"arguments. See elfload(1).\n";

static void print_and_exit(const char *s)
{
	write_all(1, s, strlen(s));
	sys_exit(0);
}

/* "elfload 0.2.0 (x86_64, page size 4096)": the architecture it was built
 * for and the page size it finds (AT_PAGESZ, after the environment). */
static const char *version_text(char **envp)
{
	while (*envp)
		envp++;
	return str_printf("elfload %s (%s, page size %lu)\n", ELFLOAD_VERSION, ARCH_NAME,
			  auxv_get((const long *)(envp + 1), AT_PAGESZ));
}

/* SIZE or ADDR: decimal or 0x-hex, a SIZE with an optional K, M or G. */
static uint64_t parse_num(const char *opt, const char *s, int suffix)
{
	uint64_t v;
	const char *end = parse_u64(s, 0, &v);
	int shift = 0;

	if (end && suffix && end[0] && !end[1])
		shift = *end == 'K' || *end == 'k' ? 10 :
			*end == 'M' || *end == 'm' ? 20 :
			*end == 'G' || *end == 'g' ? 30 : 0;
	if (!end || (*end && !shift) || v > (UINT64_MAX >> shift))
		usage_error("invalid %s '%s'", opt, s);
	return v << shift;
}

/* --reserve LO-HI: two addresses, the first below the second */
static void add_reserve(struct options *o, const char *v, int max)
{
	uint64_t lo, hi;
	const char *p = parse_u64(v, 0, &lo);

	if (!p || *p != '-' || !(p = parse_u64(p + 1, 0, &hi)) || *p || lo >= hi)
		usage_error("invalid --reserve '%s': not LO-HI with LO below HI", v);
	if (!o->reserve)
		o->reserve = xalloc(max * sizeof(*o->reserve));
	o->reserve[o->nreserve++] = (struct range){ lo, hi, str_printf("--reserve %s", v), 0 };
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

static int is(const char *a, const char *name)
{
	return !strcmp(a, name);
}

void parse_options(struct options *o, int argc, char **argv)
{
	char **a = argv + 1, **end = argv + argc;
	const char *v;

	for (; a < end; a++) {
		if (is(*a, "--")) {
			a++;
			break;
		}
		if ((*a)[0] != '-' || !(*a)[1])
			break;
		if (is(*a, "-h") || is(*a, "--help"))
			print_and_exit(usage_text);
		else if (is(*a, "--version"))
			print_and_exit(version_text(argv + argc + 1));
		else if (is(*a, "-v") || is(*a, "--verbose"))
			o->verbose = 1;
		else if (is(*a, "--map"))
			o->map = 1;
		else if (is(*a, "--aslr"))
			o->aslr = 1;
		else if (is(*a, "--stop-at-entry"))
			o->stop_at_entry = 1;
		else if (is(*a, "--userns"))
			o->userns = 1;
		else if ((v = opt_value(&a, end, "--argv0")))
			o->argv0 = v;
		else if ((v = opt_value(&a, end, "--entry")))
			o->entry = v;
		else if ((v = opt_value(&a, end, "--interp")))
			o->interp = v;
		else if ((v = opt_value(&a, end, "--base"))) {
			o->base = parse_num("--base", v, 0);
			o->base_arg = v;
			o->has_base = 1;
		} else if ((v = opt_value(&a, end, "--stack-size"))) {
			o->stack_size = parse_num("--stack-size", v, 1);
			o->stack_size_arg = v;
			if (!o->stack_size)
				usage_error("invalid --stack-size '%s'", v);
		} else if ((v = opt_value(&a, end, "--stack-top"))) {
			o->stack_top = parse_num("--stack-top", v, 0);
			o->stack_top_arg = v;
		} else if ((v = opt_value(&a, end, "--reserve"))) {
			add_reserve(o, v, argc);
		} else if ((v = opt_value(&a, end, "--page-size"))) {
			o->page_size = parse_num("--page-size", v, 1);
			o->page_size_arg = v;
		} else
			usage_error("unknown option '%s'", *a);
	}
	if (a >= end)
		usage_error("no PROGRAM given");
	o->program = *a;
	o->args = a + 1;
	o->nargs = (int)(end - a - 1);
}

/* The stack the kernel would give: RLIMIT_STACK, or its default when
 * there is no limit or one too small to hold much. */
static uint64_t default_stack_size(const struct host *h)
{
	if (h->stack_limit == ~0ULL || h->stack_limit < MIN_STACK_SIZE)
		return KERNEL_STACK_LIMIT;
	return h->stack_limit;
}

void apply_options(struct options *o, struct host *h)
{
	if (o->page_size_arg) {
		if (!o->page_size || o->page_size & (o->page_size - 1) ||
		    o->page_size % h->page)
			usage_error("invalid --page-size %s: not a power-of-two multiple of the page size %lu",
				    o->page_size_arg, h->page);
		h->layout_page = o->page_size;
		h->layout_page_arg = o->page_size_arg;
	}
	if (!o->stack_size)
		o->stack_size = default_stack_size(h);
}
