/*
 * elfload stage1: one run, from the kernel's stack pointer to stage2.
 *
 * Contract with the kernel: _start (arch/ARCH/start.S) passes the initial
 * stack pointer; argc, argv, envp and auxv are read from it.
 * Contract with stage2: see common/plan.h.
 *
 *   read the options             cli.c
 *   re-exec, laid out anew       reexec.c   (once; then the caller's settings back)
 *   look at the machine          host.c
 *   open and check the program   open.c, stream.c, script.c, elf.c, elfie.c (and its interpreter)
 *   or hand it to qemu-user      foreign.c  (another architecture's program)
 *   plan where everything goes   layout.c, segments.c
 *   build the program's stack    stack.c
 *   find room for stage2         handover.c
 *   check the kernel's limits    limits.c
 *   show the plan (--map, -v)    report.c
 *   hand over                    handover.c: nothing can fail after this
 */
#include "stage1.h"

static long *find_auxv(char **envp)
{
	while (*envp)
		envp++;
	return (long *)(envp + 1);
}

/* The program, and the interpreter it (or --interp) names, read and
 * checked; `in` stays empty for a program without one. */
static void load_program(struct image *im, struct image *in,
			 const struct options *o, struct host *h, char **argv)
{
	const char *interp;

	open_program(im, o->program, h);
	follow_scripts(im, o);
	hand_over_foreign(im, o, h, argv);
	load_elf(im, h);
	check_stream_complete(im);
	die_context = 0;
	find_own_pages(im);
	decide_credentials(im, h);
	interp = o->interp ? o->interp : im->interp;
	if (!interp)
		return;
	die_context = str_printf("interpreter %s", interp);
	open_interp(in, interp);
	load_elf(in, h);
	die_context = 0;
}

void stage1_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	long *auxv = find_auxv(envp);   /* before the environment shrinks */
	struct options o = { 0 };
	struct host h = { 0 };
	struct image im = { 0 }, in = { 0 };
	struct layout lay = { 0 };
	struct stack_image st;
	uint64_t pc;

	parse_options(&o, argc, argv);
	die_prefix = o.program;   /* what every message names from now on */
	if (!o.aslr)
		reexec_once(argv, envp, auxv);
	h.second_run = restore_caller(envp);
	probe_host(&h, sp, envp, auxv);
	apply_options(&o, &h);
	load_program(&im, &in, &o, &h, argv);

	pc = plan_layout(&lay, &im, &in, &h, &o);
	plan_loading(&lay, &im, &in, &h);
	build_stack(&st, &im, &in, &lay, &h);
	plan_hole(&lay, &im, &in, &h, &st);
	check_limits(&lay, &h);
	warn_entry(&o, &im, &in);   /* nothing is refused from here on */

	if (o.map || o.verbose)
		print_layout(o.map ? 1 : 2, &lay, &im, &in, &h);
	if (o.verbose)
		note_exe(&o);
	if (o.map)
		sys_exit(0);
	if (o.userns)
		enter_userns();
	hand_over(&lay, &im, &in, &st, &h, &o, pc);
}
