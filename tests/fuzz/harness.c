/*
 * One fuzz run: the input decoded into a machine and elfload's arguments,
 * stage1_main run on them, and its end judged. stage1 ends in one of two
 * ways: it exits (refusing with one line and 125, 126 or 127, or after
 * --map, --help, --version with 0), or it calls enter_stage2, whose
 * stand-in here hands the plan to the oracle. Anything else is a finding,
 * as are the sanitizers' reports.
 */
#include <setjmp.h>
#include <string.h>
#include "stage1.h"
#include "fuzz.h"

#define REACHED 1000   /* fuzz_exit's code when the oracle accepted a plan */

void fuzz_mem_reset(void);

static jmp_buf out;
static int exit_code;

void fuzz_exit(int code)
{
	exit_code = code;
	longjmp(out, 1);
}

/* launch.c's two functions, on the model and a buffer */
char *map_hole(const struct layout *lay)
{
	uint64_t len = lay->hole_hi - lay->hole_lo;
	long r = model_mmap(lay->hole_lo, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0,
			    OWN_HOLE, "");
	uint8_t *buf = hole_buffer(len);
	struct src s = { S_BYTES, 0, 0, buf };

	if (r < 0)
		die(EXIT_CANNOT, "cannot map the loader at 0x%lx: %s", lay->hole_lo,
		    errno_name(r));
	if (model_write(lay->hole_lo, len, &s))
		fuzz_fail("the hole cannot be written");
	return (char *)buf;
}

void enter_stage2(const struct layout *lay, uint64_t plan_addr)
{
	struct hole_view hv = { hole_buffer(0), lay->hole_lo, lay->hole_hi - lay->hole_lo,
				lay->blob_len, lay->keep_len, lay->page };
	long r = model_mprotect(lay->hole_lo, lay->blob_len, PROT_READ | PROT_EXEC);

	if (r == 0 && lay->phdr_len)
		r = model_mprotect(lay->hole_lo + lay->blob_len, lay->phdr_len, PROT_READ);
	if (r < 0)
		die(EXIT_CANNOT, "cannot protect the loader's code: %s", errno_name(r));
	oracle_run(&hv, plan_addr);
	fuzz_exit(REACHED);
}

static int verbose(void)
{
	for (int i = 1; i < W.argc; i++)
		if (!strcmp(W.argv[i], "-v") || !strcmp(W.argv[i], "--verbose"))
			return 1;
	return 0;
}

/* A refusal is one line on stderr, "elfload: ..." (after the layout with
 * --verbose); a usage error adds the pointer to --help. */
static void judge(void)
{
	static const char usage[] = "Try 'elfload --help' for more information.\n";
	const char *last;
	size_t n = fuzz_nout;

	if (exit_code == REACHED || exit_code == 0)
		return;
	if (exit_code < 125 || exit_code > 127)
		fuzz_fail("elfload exits %d", exit_code);
	if (!n || fuzz_out[n - 1] != '\n')
		fuzz_fail("exit %d without a message", exit_code);
	if (exit_code == 125) {
		if (n < sizeof(usage) || memcmp(fuzz_out + n - sizeof(usage) + 1, usage, sizeof(usage) - 1))
			fuzz_fail("a usage error without its pointer to --help");
		n -= sizeof(usage) - 1;
	}
	fuzz_out[n - 1] = 0;
	last = strrchr(fuzz_out, '\n');
	last = last ? last + 1 : fuzz_out;
	if (strncmp(last, "elfload: ", 9))
		fuzz_fail("exit %d, and the last line is not elfload's message", exit_code);
	if (last != fuzz_out && !verbose())
		fuzz_fail("exit %d with more than one line", exit_code);
}

/* The mappings the process started with: a refusal leaves every one of
 * them as it was (the vDSO and its vvar may have moved, as stage1 moves
 * them before it knows all): nothing was unmapped before it. */
static struct vma before[512];
static size_t nbefore;

static void note_mappings(void)
{
	nbefore = model_count() < 512 ? model_count() : 512;
	for (size_t i = 0; i < nbefore; i++)
		before[i] = *model_vma(i);
}

static int same_size_named(const struct vma *v)
{
	for (size_t i = 0; i < model_count(); i++) {
		const struct vma *m = model_vma(i);

		if (m->name && !strcmp(m->name, v->name) && m->hi - m->lo == v->hi - v->lo)
			return 1;
	}
	return 0;
}

static void check_untouched(void)
{
	for (size_t i = 0; i < nbefore; i++) {
		const struct vma *v = &before[i], *m;

		if (v->kind == V_SPECIAL) {
			if (!same_size_named(v))
				fuzz_fail("refused, and %s is gone", v->name);
			continue;
		}
		for (uint64_t a = v->lo; a < v->hi; a = m->hi)
			if (!(m = model_find(a)) || m->prot != v->prot)
				fuzz_fail("refused, and 0x%lx of %s 0x%lx-0x%lx is %s", a,
					  v->name ? v->name : "a mapping", v->lo, v->hi,
					  m ? "changed" : "unmapped");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long *sp;

	decode_input(data, size);
	oracle_begin();
	model_reset();
	kernel_reset();
	fuzz_mem_reset();
	die_prefix = "";
	die_context = 0;
	sp = memory_reset();
	note_mappings();
	exit_code = -1;
	if (!setjmp(out))
		stage1_main(sp);
	fuzz_show(exit_code == REACHED ? "reached the program" :
		  exit_code == 0 ? "exit 0" : "refused");
	describe_end(exit_code == REACHED ? -1 : exit_code, fuzz_out, fuzz_nout);
	oracle_check_end(exit_code == REACHED, exit_code);
	if (exit_code != REACHED)
		check_untouched();
	judge();
	return 0;
}
