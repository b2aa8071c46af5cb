/*
 * Would the kernel let stage2 carry the plan out? Every limit it applies
 * to mmap is checked here, before anything is unmapped, for the plan's
 * peak: its end, when stage1 is gone and the segments, the stack, the
 * hole and what stays mapped are all there.
 *
 *   vm.mmap_min_addr   the lowest page planned (asked of the kernel, which
 *                      also knows whether we may go below it)
 *   vm.max_map_count   one mapping per mmap, two more per mprotect
 *   RLIMIT_AS          address space (ulimit -v)
 *   RLIMIT_DATA        private writable memory (ulimit -d)
 *   overcommit         vm.overcommit_memory 0: no single private writable
 *                      mapping larger than RAM and swap; 2: all of them
 *                      within the commit limit; 1: anything
 *
 * Reading a file of /proc/sys costs about a fiftieth of a start-up, so
 * what can matter only to large plans is read only for them: the
 * mapping limit beyond SMALL_MAPS mappings (fewer allowed would stop
 * every dynamically linked program), the overcommit mode for a mapping
 * larger than RAM and swap or for more than SMALL_COMMIT bytes in all,
 * and the lowest page is asked about only below LOW_ADDR (distributions
 * set vm.mmap_min_addr to 4 or 64 KiB).
 */
#include <linux/capability.h>
#include <linux/sysinfo.h>
#include "stage1.h"

#define OVERCOMMIT_GUESS  0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER  2

#define SMALL_MAPS   64
#define SMALL_COMMIT (64ULL << 20)
#define LOW_ADDR     (1ULL << 20)

/* What stage2 adds up to. */
struct peak {
	uint64_t maps, as, data;
	uint64_t commit;        /* private writable: counted by mode 2 */
	uint64_t largest;       /* ... and not MAP_NORESERVE: by mode 0 */
	uint64_t largest_at;
};

static void add_mapping(struct peak *p, uint64_t addr, uint64_t len, int prot,
			int flags)
{
	int priv_w = (prot & PROT_WRITE) && !(flags & MAP_SHARED);

	p->maps++;
	p->as += len;
	if (!priv_w)
		return;
	p->data += len;
	p->commit += len;
	if (!(flags & MAP_NORESERVE) && len > p->largest) {
		p->largest = len;
		p->largest_at = addr;
	}
}

static void count_plan(struct peak *p, const struct layout *lay)
{
	for (size_t i = 0; i < lay->nops; i++) {
		const struct op *op = &lay->ops[i];

		if (op->kind == OP_MMAP)
			add_mapping(p, op->addr, op->len, (int)op->prot, (int)op->flags);
		else if (op->kind == OP_MPROTECT)
			p->maps += 2;   /* at worst it splits one in three */
	}
	add_mapping(p, lay->stack_lo, lay->stack_top - lay->stack_lo,
		    PROT_READ | PROT_WRITE, MAP_NORESERVE);
	/* the hole: code, program headers, stage2's stack and the plan;
	 * mapped writable, so charged */
	p->maps += 3;
	p->as += lay->hole_hi - lay->hole_lo;
	p->commit += lay->hole_hi - lay->hole_lo;
	p->data += lay->hole_hi - lay->hole_lo - lay->blob_len - lay->phdr_len;
	for (size_t i = 0; i < lay->nkept; i++) {
		p->maps++;
		p->as += lay->kept[i].hi - lay->kept[i].lo;
	}
}

/* What a planned address belongs to, for messages. */
static const char *what_is_at(const struct layout *lay, uint64_t a, uint64_t L)
{
	for (uint64_t i = 0; i < lay->nall; i++) {
		const struct seg *s = &lay->all[i];

		if (a >= seg_lo(s, L) && a < seg_hi(s, L))
			return str_printf("%s 0x%lx-0x%lx", seg_name(s), s->vaddr,
					  s->vaddr + s->memsz);
	}
	return "the stack";
}

static uint64_t rlimit(int resource)
{
	uint64_t lim[2] = { ~0ULL, ~0ULL };

	sys_prlimit(resource, lim);
	return lim[0];
}

/* The lowest page of the plan: the kernel refuses EPERM below
 * vm.mmap_min_addr, unless we may map there anyway (CAP_SYS_RAWIO). It
 * is asked; where it cannot answer (qemu-user takes address 0 as no
 * address at all), the sysctl and our capabilities decide. */
static void check_lowest(const struct layout *lay, const struct host *h)
{
	uint64_t L = h->layout_page, lo = lay->stack_lo;
	const struct seg *s = lay->nall ? &lay->all[0] : 0;
	uint64_t min;
	long r;

	if (s && seg_lo(s, L) < lo)
		lo = seg_lo(s, L);
	if (lo >= LOW_ADDR)
		return;
	r = probe_page(lo, h->page);
	if (r != -EPERM && r != 1)
		return;
	min = read_sysctl("/proc/sys/vm/mmap_min_addr", KERNEL_MMAP_MIN_ADDR);
	if (r == 1 && (lo >= min || capable(CAP_SYS_RAWIO)))
		return;
	if (lo == lay->stack_lo)
		die(EXIT_CANNOT, "the stack 0x%lx-0x%lx is below vm.mmap_min_addr (0x%lx)",
		    lay->stack_lo, lay->stack_top, min);
	if (L > h->page && s->vaddr >= min)
		die(EXIT_CANNOT, "--page-size %s: %s 0x%lx-0x%lx starts a 0x%lx-byte page at 0x%lx, below vm.mmap_min_addr (0x%lx)",
		    h->layout_page_arg, seg_name(s), s->vaddr, s->vaddr + s->memsz,
		    L, lo, min);
	die(EXIT_CANNOT, "%s 0x%lx-0x%lx is below vm.mmap_min_addr (0x%lx)",
	    seg_name(s), s->vaddr, s->vaddr + s->memsz, min);
}

/* "Name:   1234 kB" from /proc/meminfo, in bytes; 0 if not there. */
static uint64_t meminfo(const char *text, const char *name)
{
	size_t n = strlen(name);
	uint64_t v = 0;

	for (const char *p = text; *p; p++) {
		if ((p == text || p[-1] == '\n') && !memcmp(p, name, n)) {
			for (p += n; *p == ' '; p++)
				;
			return parse_u64(p, 10, &v) ? v << 10 : 0;
		}
	}
	return 0;
}

/* The private writable memory stage1 holds now, which stage2 gives back
 * before it maps anything. */
static uint64_t own_commit(const struct host *h)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < h->nmaps; i++)
		if (h->maps[i].perms && !memcmp(h->maps[i].perms, "rw-p", 4))
			sum += h->maps[i].hi - h->maps[i].lo;
	return sum;
}

static void check_commit(const struct peak *p, const struct layout *lay,
			 const struct host *h)
{
	struct sysinfo si;
	uint64_t mode, ram_swap;

	if (sys_sysinfo(&si) < 0)
		return;
	ram_swap = ((uint64_t)si.totalram + si.totalswap) * (si.mem_unit ? si.mem_unit : 1);
	if (p->largest <= ram_swap && p->commit <= SMALL_COMMIT)
		return;
	mode = read_sysctl("/proc/sys/vm/overcommit_memory", OVERCOMMIT_GUESS);
	if (mode == OVERCOMMIT_GUESS && p->largest > ram_swap)
		die(EXIT_CANNOT, "%s needs 0x%lx bytes of memory, more than RAM and swap (0x%lx bytes) with vm.overcommit_memory 0",
		    what_is_at(lay, p->largest_at, h->layout_page), p->largest, ram_swap);
	if (mode == OVERCOMMIT_NEVER) {
		char *text = xalloc(16384);
		long n;
		long fd = sys_openat(AT_FDCWD, "/proc/meminfo", O_RDONLY | O_CLOEXEC);
		uint64_t left;

		if (fd < 0)
			return;
		n = pread_full((int)fd, text, 16383, 0);
		sys_close((int)fd);
		if (n <= 0)
			return;
		left = meminfo(text, "CommitLimit:") + own_commit(h);
		left = left > meminfo(text, "Committed_AS:") ? left - meminfo(text, "Committed_AS:") : 0;
		if (p->commit > left)
			die(EXIT_CANNOT, "needs %lu KiB of memory, the commit limit leaves %lu KiB (vm.overcommit_memory 2)",
			    p->commit >> 10, left >> 10);
	}
}

void check_limits(const struct layout *lay, const struct host *h)
{
	struct peak p = { 0 };
	uint64_t max;

	check_lowest(lay, h);
	count_plan(&p, lay);
	max = p.maps > SMALL_MAPS ?
		read_sysctl("/proc/sys/vm/max_map_count", KERNEL_MAX_MAP_COUNT) : SMALL_MAPS;
	if (p.maps > max)
		die(EXIT_CANNOT, "needs %lu mappings, vm.max_map_count allows %lu",
		    p.maps, max);
	max = rlimit(RLIMIT_AS);
	if (p.as > max)
		die(EXIT_CANNOT, "needs %lu KiB of address space, RLIMIT_AS (ulimit -v) allows %lu KiB",
		    p.as >> 10, max >> 10);
	max = rlimit(RLIMIT_DATA);
	if (p.data > max)
		die(EXIT_CANNOT, "needs %lu KiB of private writable memory, RLIMIT_DATA (ulimit -d) allows %lu KiB",
		    p.data >> 10, max >> 10);
	check_commit(&p, lay, h);
}
