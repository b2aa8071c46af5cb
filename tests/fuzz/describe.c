/*
 * What a run came to, for tests/fuzz/real.py to hold against a real run
 * of elfload (fuzz.h): with FUZZ_DESCRIBE=FILE, a record in the format
 * of tests/parity/record.h, which parity -r compares with the process
 * elfload --stop-at-entry leaves. With FUZZ_DESCRIBE=DIR/ (a trailing
 * slash), one file per input replayed, DIR/1, DIR/2, ..., in the order
 * libFuzzer runs them.
 *
 * The process is every mapping of the model with its protection and,
 * page by page, what it holds: zeros, bytes, or a fault (a file's page
 * wholly past its end). The kernel's own mappings (vvar, vDSO) and the
 * hole are listed without contents: the model has none of their real
 * bytes. Past RECORD_BUDGET bytes of contents, pages are left unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "../parity/record.h"

#define RECORD_BUDGET (64ULL << 20)

static FILE *out;
static unsigned long run_no = 1;
static uint64_t budget;

static FILE *record(void)
{
	const char *name = getenv("FUZZ_DESCRIBE");
	char path[4096];
	size_t n;

	if (out || !name || !*name)
		return out;
	n = strlen(name);
	if (name[n - 1] == '/')
		snprintf(path, sizeof(path), "%s%lu", name, run_no);
	else
		snprintf(path, sizeof(path), "%s", name);
	out = fopen(path, "wb");
	if (!out) {
		perror(path);
		abort();
	}
	fwrite(REC_MAGIC, 8, 1, out);
	for (int i = 0; i < W.argc; i++)
		rec_put(out, REC_ARGV, 0, 0, 0, W.argv[i], strlen(W.argv[i]));
	for (int i = 0; W.envp[i]; i++)
		rec_put(out, REC_ENVP, 0, 0, 0, W.envp[i], strlen(W.envp[i]));
	budget = RECORD_BUDGET;
	return out;
}

/* ---- a mapping's pages, as runs of one kind ---- */

static struct {
	int state, prot;
	uint64_t lo, hi;
	uint8_t *data;
	uint64_t cap;
} run;

static void run_flush(void)
{
	if (run.hi > run.lo)
		rec_put(out, REC_MAP, (uint32_t)(run.prot | run.state << 8), run.lo, run.hi,
			run.data, run.state == REC_DATA ? run.hi - run.lo : 0);
	run.lo = run.hi;
}

/* Adds [lo, hi) of one state (with its bytes, for REC_DATA). */
static void run_add(int state, int prot, uint64_t lo, uint64_t hi, const uint8_t *bytes)
{
	if (state != run.state || prot != run.prot || lo != run.hi) {
		run_flush();
		run.state = state;
		run.prot = prot;
		run.lo = run.hi = lo;
	}
	if (state == REC_DATA) {
		uint64_t n = run.hi - run.lo + (hi - lo);

		if (n > run.cap) {
			run.cap = 2 * n;
			run.data = realloc(run.data, run.cap);
			if (!run.data)
				abort();
		}
		memcpy(run.data + (run.hi - run.lo), bytes, hi - lo);
		budget -= hi - lo;
	}
	run.hi = hi;
}

static int whole_page_zero(uint64_t a, uint64_t *zero_end, uint64_t hi)
{
	struct src s;
	uint64_t n = model_src(a, &s);

	if (s.kind != S_ZERO || n < W.page)
		return 0;
	n &= ~(W.page - 1);
	*zero_end = n > hi - a ? hi : a + n;
	return 1;
}

static void describe_vma(const struct vma *m)
{
	static uint8_t page[1 << 16];
	uint64_t L = W.page, a = m->lo, end;

	if (m->kind == V_SPECIAL || m->owner == OWN_HOLE) {
		run_add(REC_UNKNOWN, m->prot, m->lo, m->hi, 0);
		return;
	}
	while (a < m->hi) {
		if (whole_page_zero(a, &end, m->hi)) {
			run_add(REC_ZERO, m->prot, a, end, 0);
			a = end;
		} else if (budget < L) {
			run_add(REC_UNKNOWN, m->prot, a, a + L, 0);
			a += L;
		} else if (model_peek(a, page, L)) {
			run_add(REC_FAULT, m->prot, a, a + L, 0);
			a += L;
		} else {
			run_add(REC_DATA, m->prot, a, a + L, page);
			a += L;
		}
	}
}

void describe_process(uint64_t sp, uint64_t entry)
{
	const struct vma *stack = model_find(sp);
	static uint8_t bytes[1 << 20];

	(void)entry;
	if (!record())
		return;
	if (stack && stack->hi - sp <= sizeof(bytes) && !model_peek(sp, bytes, stack->hi - sp))
		rec_put(out, REC_STACK, 0, sp, stack->hi, bytes, stack->hi - sp);
	run.state = -1;
	run.lo = run.hi = 0;
	for (size_t i = 0; i < model_count(); i++)
		describe_vma(model_vma(i));
	run_flush();
}

void describe_end(int code, const char *text, size_t n)
{
	if (!record())
		return;
	if (prog_path)
		rec_put(out, REC_PATH, 0, 0, 0, prog_path, strlen(prog_path));
	rec_put(out, REC_END, 0, (uint64_t)(int64_t)code, 0, text, n);
	if (fclose(out))
		abort();
	out = 0;
	run_no++;
}
