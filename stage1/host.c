/* What the machine looks like from inside this process: the page size,
 * the lowest and highest addresses a mapping may use, the kernel's default
 * window, and everything that is mapped now. /proc is used when it is
 * there; without it, stage1 falls back on what it knows of itself (its
 * link range, its stack, the vDSO).
 *
 *   top ......... the highest address a mapping may have: 2^47 on x86_64,
 *                 2^52 on ppc64le (64 KiB pages) or aarch64 (52-bit VA),
 *                 2^64 on s390x (once its page tables have grown)
 *   window ...... where the kernel puts the stack without ASLR, and below
 *                 which every mmap(NULL) lands: 2^47 on x86_64 and
 *                 ppc64le, 2^48 on aarch64, 4 TiB on s390x, the top on
 *                 riscv64; elfload's default layout stays below it
 */
#include <linux/stat.h>
#include "stage1.h"

extern char __executable_start[], _end[];

uint64_t auxv_get(const long *auxv, long type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return (uint64_t)auxv[1];
	return 0;
}


/* The start of a small file (/proc, /proc/sys), or -errno. */
static long read_file(const char *path, char *buf, size_t size)
{
	long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return fd;
	r = pread_full((int)fd, buf, size, 0);
	sys_close((int)fd);
	return r;
}

/* Parse /proc/self/maps into ranges whose names point into the text.
 * Returns the number of bytes read, -1 when bufsize was too small, or
 * -errno. Everything it allocates sits together: the few pages touched
 * are few page faults. */
static int read_maps(struct range **out, size_t *nout, size_t size)
{
	char *buf = xalloc(size), *p = buf;
	long len = read_file("/proc/self/maps", buf, size - 1);
	size_t n = 0, lines = 0;
	struct range *r;

	if (len < 0)
		return (int)len;
	if ((size_t)len >= size - 1)
		return -1;
	buf[len] = 0;
	for (char *q = buf; *q; q++)
		lines += *q == '\n';
	*out = r = xalloc((lines + 1) * sizeof(*r));
	while (*p) {
		char *eol = p, *f;

		while (*eol && *eol != '\n')
			eol++;
		if (*eol)
			*eol++ = 0;
		/* "lo-hi perms ...": a line the kernel wrote */
		f = (char *)parse_u64(p, 16, &r[n].lo);
		f = f ? (char *)parse_u64(f + 1, 16, &r[n].hi) : 0;
		if (!f)
			break;
		r[n].perms = ++f;
		/* perms, offset, dev and inode; the name (maybe empty) follows */
		for (int field = 0; *f && field < 4; field++) {
			while (*f && *f != ' ')
				f++;
			while (*f == ' ')
				f++;
		}
		r[n].name = f;
		n++;
		p = eol;
	}
	*nout = n;
	return (int)len;
}

/* How far the kernel moves the mmap base and a PIE at random (in bytes):
 * 2^vm.mmap_rnd_bits pages, or the architecture's range where there is
 * no such sysctl. */
uint64_t mmap_random_span(const struct host *h)
{
	uint64_t bits = read_sysctl("/proc/sys/vm/mmap_rnd_bits", 64);

	return (bits < 64 ? 1ULL << bits : ARCH_MMAP_RND_PAGES) * h->page;
}

uint64_t read_sysctl(const char *path, uint64_t dflt)
{
	char buf[32];
	long n = read_file(path, buf, sizeof(buf) - 1);
	uint64_t v;

	if (n <= 0)
		return dflt;
	buf[n] = 0;
	return parse_u64(buf, 10, &v) ? v : dflt;
}

long probe_page(uint64_t a, uint64_t page)
{
	long r = sys_mmap(a, page, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (sys_failed(r))
		return r;
	sys_munmap((uint64_t)r, page);
	return (uint64_t)r == a ? 0 : 1;
}

/* Is the page at a a valid user address? Used ones are (EEXIST), free
 * ones map; beyond the top the kernel says ENOMEM or EINVAL. -1: the flag
 * was ignored and another address came back. */
static int page_exists(uint64_t a, uint64_t page)
{
	long r = probe_page(a, page);

	return r == 0 || r == -EEXIST ? 1 : r == 1 ? -1 : 0;
}

/* One past the highest user address. User address spaces are 2^N bytes,
 * sometimes minus a page (x86_64; s390x's 2^64). The stack sits near the
 * top, so start with N from its address and go up while 2^N is still
 * inside: probed 1/16 below it, where no host mapping of qemu-user sits
 * in the way. near_only: 0 when the top lies past that first 2^N, before
 * the probe goes on up. */
static uint64_t probe_top(uint64_t page, uint64_t stack_top, int near_only)
{
	int bits = 64 - __builtin_clzll(stack_top - 1);
	uint64_t end;

	while (bits < 64) {
		uint64_t below_next = (bits == 63 ? 0 : 1ULL << (bits + 1)) -
				      (1ULL << (bits + 1 - 4));

		/* another address than asked for (qemu-user beyond the
		 * guest's reach) also means it is not there */
		if (page_exists(below_next, page) <= 0)
			break;
		if (near_only)
			return 0;   /* it lies further up: not known at once */
		bits++;
	}
	end = bits == 64 ? 0 : 1ULL << bits;   /* 2^64 wraps to 0 */
	return bits < 64 && page_exists(end - page, page) == 1 ? end : end - page;
}

uint64_t user_top(struct host *h)
{
	if (!h->top)
		h->top = probe_top(h->page, h->stack_top, 0);
	return h->top;
}

uint64_t known_top(const struct host *h)
{
	return h->top ? h->top : h->window;
}

/* The window ends at the power of two above the stack the kernel gave us
 * (ASLR moves the stack down by a few GiB at most, the window is 256 GiB
 * and more). Under an emulator the guest's stack is the emulator's
 * choice: the window is then the whole of the top. */
static uint64_t kernel_window(const struct host *h)
{
	int bits = 64 - __builtin_clzll(h->stack_top - 1);

	return ARCH_WINDOW_END(1ULL << bits);
}

static uint64_t default_window(struct host *h)
{
	return h->emulated ? user_top(h) : kernel_window(h);
}

/* Whether the top is where the kernel's window ends: then the window is
 * the same whether an emulator runs us or not, and the emulator check
 * (two lookups in /proc, a large part of a start-up) can be left out.
 * Only where a probe leaves nothing behind (ARCH_PROBE_PAST_WINDOW_
 * HARMLESS: x86_64, where with 4-level page tables both of its mmap
 * calls are refused at once past 2^47 less a page, the window's end;
 * with 5-level ones the first one maps, and the check is made).
 * Elsewhere a probe past the window may make the kernel raise the
 * process's address limit for good (s390x, ppc64le). Sets the top when
 * it is the window's end, as user_top would. */
static int top_ends_window(struct host *h)
{
	uint64_t top;

	if (!ARCH_PROBE_PAST_WINDOW_HARMLESS)
		return 0;
	top = probe_top(h->page, h->stack_top, 1);
	if (!top || top != kernel_window(h))
		return 0;
	h->top = top;
	return 1;
}

int run_by_emulator(const long *auxv)
{
	const char *execfn = (const char *)auxv_get(auxv, AT_EXECFN);
	char path[64] = "/proc/self/task/", *p = path + 16;
	struct statx me, kernel;

	/* the kernel's view is the task's exe link, by a path qemu-user does
	 * not answer itself (it does /proc/self/exe); where either cannot be
	 * seen, we are not emulated */
	p += fmt_dec(p, (uint64_t)sys_getpid());
	memcpy(p, "/exe", 5);
	if (!execfn ||
	    sys_statx(AT_FDCWD, execfn, 0, STATX_INO, &me) < 0 ||
	    sys_statx(AT_FDCWD, path, 0, STATX_INO, &kernel) < 0)
		return 0;
	return me.stx_ino != kernel.stx_ino ||
	       me.stx_dev_major != kernel.stx_dev_major ||
	       me.stx_dev_minor != kernel.stx_dev_minor;
}

/* The vDSO's extent from its own program headers. */
int is_vdso_like(const char *name)
{
	return !memcmp(name, "[vdso]", 6) || !memcmp(name, "[vvar", 5);
}

static uint64_t vdso_end(uint64_t base)
{
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + e->e_phoff);
	uint64_t end = 0;

	for (int i = 0; i < e->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	return base + end;
}

/* Without /proc: stage1's own image, its stack, and the vDSO with room
 * below it for the vvar pages, which no header describes. */
static void guess_maps(struct host *h, long *sp, uint64_t strings_end)
{
	uint64_t pg = h->page;
	uint64_t stack = h->stack_limit < STACK_MMAP_GAP ? h->stack_limit : STACK_MMAP_GAP;

	h->maps = xalloc(3 * sizeof(*h->maps));
	h->maps[0] = (struct range){ page_down((uint64_t)__executable_start, pg),
				     page_up((uint64_t)_end, pg), "[elfload]", 0 };
	h->stack_top = page_up(strings_end, pg);
	h->maps[1] = (struct range){ page_down((uint64_t)sp, pg) - stack,
				     h->stack_top, "[stack]", 0 };
	h->nmaps = 2;
	if (h->vdso) {
		uint64_t lo = h->vdso - VVAR_MAX_PAGES * pg;

		/* s390x has it right above the stack: the room below is not vvar */
		if (h->vdso >= h->stack_top && lo < h->stack_top)
			lo = h->stack_top;
		h->maps[h->nmaps++] = (struct range){ lo, page_up(vdso_end(h->vdso), pg),
						      "[vdso]", 0 };
	}
}

/* Where the kernel wrote the last string on our stack: AT_EXECFN's end,
 * or, without it, the stack pointer (still on the stack's top pages). */
static uint64_t strings_end(const long *auxv, long *sp)
{
	const char *execfn = (const char *)auxv_get(auxv, AT_EXECFN);

	return execfn ? (uint64_t)execfn + strlen(execfn) + 1 : (uint64_t)sp;
}

/* RLIMIT_STACK's soft limit; ~0 for none, and when it cannot be read */
static uint64_t stack_limit(void)
{
	uint64_t lim[2] = { ~0ULL, ~0ULL };

	if (sys_prlimit(RLIMIT_STACK, lim) < 0)
		return ~0ULL;
	return lim[0];
}

/* The stack ends where the kernel wrote the last string. A [stack] line
 * reaching higher holds more than the stack: qemu-user keeps its signal
 * trampolines there, in pages it shows as part of it. Those are split
 * off, to be left alone like any mapping that is not ours. */
static void split_stack(struct host *h, uint64_t strings_top)
{
	for (size_t i = 0; i < h->nmaps; i++) {
		struct range *m = &h->maps[i];

		if (strcmp(m->name, "[stack]"))
			continue;
		h->stack_top = m->hi;
		if (strings_top > m->lo && strings_top < m->hi) {
			struct range *r = xalloc((h->nmaps + 1) * sizeof(*r));

			memcpy(r, h->maps, (i + 1) * sizeof(*r));
			memcpy(r + i + 2, h->maps + i + 1, (h->nmaps - i - 1) * sizeof(*r));
			r[i + 1] = (struct range){ strings_top, m->hi, "[above stack]", m->perms };
			r[i].hi = h->stack_top = strings_top;
			h->maps = r;
			h->nmaps++;
		}
		return;
	}
	h->stack_top = strings_top;
}

void probe_host(struct host *h, long *sp, char **envp, long *auxv)
{
	uint64_t strings = strings_end(auxv, sp);
	size_t size = 4096;
	int r;

	h->envp = envp;
	h->auxv = auxv;
	h->page = auxv_get(auxv, AT_PAGESZ);
	if (!h->page || (h->page & (h->page - 1)))
		h->page = 4096;   /* the smallest there is */
	if (!h->layout_page)
		h->layout_page = h->page;
	h->vdso = auxv_get(auxv, AT_SYSINFO_EHDR);
	h->min_addr = KERNEL_MMAP_MIN_ADDR;
	h->stack_limit = stack_limit();

	while ((r = read_maps(&h->maps, &h->nmaps, size)) == -1)
		size *= 4;
	h->have_proc = r >= 0;
	if (!h->have_proc)
		guess_maps(h, sp, strings);
	split_stack(h, page_up(strings, h->page));
	h->emulated = !h->second_run && !top_ends_window(h) && run_by_emulator(auxv);
	h->window = default_window(h);
}
