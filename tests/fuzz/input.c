/*
 * The fuzz input, as bytes:
 *
 *   16 bytes   the machine: each byte picks one setting from a short list
 *              (0 everywhere: a plain x86_64 machine, elfload run by root)
 *   u16 + n    elfload's options, NUL-separated (little-endian length)
 *   u32 + n    the program
 *   the rest   the interpreter, if any
 *
 * elfload's argv is "elfload" OPTIONS... "/p" "a1": whatever the options
 * leave, the program is opened wherever stage1 looks first.
 */
#include <string.h>
#include "fuzz.h"

struct world W;
static char opts[4097];

#define PICK(table, byte) table[(byte) % (sizeof(table) / sizeof(table[0]))]
#define NONE UINT64_MAX

static const uint64_t pages[] = { 4096, 16384, 65536 };
static const uint64_t tops[] = { 0x7ffffffff000, 0x800000000000, 0x1000000000000,
				 0x100000000000000 };
static const uint64_t min_addrs[] = { 4096, 65536, 32768, 0 };
static const uint64_t map_counts[] = { 65530, 20000, 2000, 600, 200, 64 };
static const uint64_t stacks[] = { 8 << 20, NONE, 64 << 10, 1ULL << 30, 100 << 20 };
static const uint64_t as_limits[] = { NONE, 64 << 20, 1ULL << 30, 16ULL << 30, 12 << 20,
				      256 << 20 };
static const uint64_t data_limits[] = { NONE, 1ULL << 30, 32 << 20, 8 << 20 };
static const uint64_t rams[] = { 24ULL << 30, 1ULL << 30, 256ULL << 30, 64 << 20 };
/* stage1 reads the commit limit for plans of more than 64 MiB: below
 * that, it takes the machine to have that much left (limits.c) */
static const uint64_t commits[] = { 16ULL << 30, 1ULL << 30, 200 << 20, 128 << 20 };
/* the file's type and permissions */
static const uint32_t modes[] = { 0100755, 0100644, 0104755, 0102755, 0106755,
				  0100700, 0040755, 0010755, 0100111, 0100070 };
static const uint32_t owners[] = { 0, 1000, 65534 };
/* real and effective IDs of the caller */
static const uint32_t callers[][2] = { { 0, 0 }, { 1000, 1000 }, { 1000, 0 },
				       { 0, 1000 }, { 65534, 65534 } };

static uint64_t take(const uint8_t **d, size_t *n, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes && *n; i++, (*d)++, (*n)--)
		v |= (uint64_t)**d << (8 * i);
	return v;
}

static void files(const uint8_t *d, size_t n, const uint8_t *p)
{
	uint64_t len = take(&d, &n, 4);

	if (len > n)
		len = n;
	W.prog = (struct file){ d, len, PICK(modes, p[11]), PICK(owners, p[12]),
				PICK(owners, p[12]), 1 };
	d += len;
	n -= len;
	W.interp = (struct file){ d, n, PICK(modes, p[13]), 0, 0, n > 0 };
}

void decode_input(const uint8_t *d, size_t n)
{
	uint8_t p[16] = { 0 };
	size_t olen, k = 0;

	memset(&W, 0, sizeof(W));
	for (size_t i = 0; i < 16 && n; i++, d++, n--)
		p[i] = *d;
	W.have_proc = !(p[0] & 1);
	W.have_vdso = !(p[0] & 2);
	W.traced = !!(p[0] & 8);
	W.nnp = !!(p[0] & 16);
	W.nosuid = !!(p[0] & 32);
	W.personality = p[0] & 64 ? 0 : 0x40000;   /* ADDR_NO_RANDOMIZE */
	W.page = PICK(pages, p[1]);
	W.top = PICK(tops, p[2]);
	W.overcommit = p[3] % 3;
	W.min_addr = PICK(min_addrs, p[4]);
	W.max_map_count = PICK(map_counts, p[5]);
	W.rlim_stack = PICK(stacks, p[6]);
	W.rlim_as = PICK(as_limits, p[7]);
	W.rlim_data = PICK(data_limits, p[8]);
	W.ram_swap = PICK(rams, p[9]);
	W.commit_left = PICK(commits, p[10]);
	W.uid = PICK(callers, p[14])[0];
	W.euid = PICK(callers, p[14])[1];
	W.gid = W.egid = W.uid;
	W.root = W.euid == 0;
	W.second_run = p[15] & 1;
	W.above_stack = !!(p[15] & 2);
	W.no_pagesz = !!(p[15] & 4);
	W.crowded = !!(p[15] & 8);
	W.no_faccessat2 = !!(p[15] & 16);
	W.swapped = !!(p[15] & 32);
	if (W.no_pagesz)
		W.page = 4096;   /* what stage1 then assumes */
	if (W.second_run)
		W.personality = 0x40000;
	if (!W.have_proc) {   /* what stage1 then takes the sysctls to be */
		W.overcommit = 0;
		W.max_map_count = map_counts[0];
	}

	olen = take(&d, &n, 2);
	if (olen > n)
		olen = n;
	if (olen > sizeof(opts) - 1)
		olen = sizeof(opts) - 1;
	memcpy(opts, d, olen);
	opts[olen] = 0;
	d += olen;
	n -= olen;

	W.argv[W.argc++] = "elfload";
	while (k < olen && W.argc < 32) {
		W.argv[W.argc++] = opts + k;
		k += strlen(opts + k) + 1;
	}
	W.argv[W.argc++] = "/p";
	W.argv[W.argc++] = "a1";
	W.argv[W.argc] = 0;
	k = 0;
	if (!(p[15] & 64))
		W.envp[k++] = "PATH=/bin:/usr/bin";
	W.envp[k++] = "HOME=/root";
	if (W.second_run)
		W.envp[k++] = "ELFLOAD_REEXEC=40000,800000";
	W.envp[k++] = "A=1";
	W.envp[k] = 0;
	files(d, n, p);
}
