/*
 * Where elfload puts what it places, by default: the same addresses on
 * every run, with ASLR on or off and under a debugger, and away from where
 * traced processes lived. For an address space of about 2^B bytes
 * (x86_64: B = 47; the README draws every architecture's):
 *
 *   2^B            top. The kernel's stack (no ASLR: 0x7ffffffde000...),
 *                  its mmap area (0x7ffff7...: ld.so, the vDSO, the first
 *                  libraries) and PIEs at 2/3 (0x555555554000): avoided
 *                  stage1's image and the hole below it (linker/ARCH.ld)
 *   2^(B-2) + 16M  the vDSO and its vvar pages, moved here with mremap
 *   2^(B-2)        the stack's top; it grows down
 *   3 * 2^(B-4)    the brk heap's start; it grows up
 *   top / 6        the mmap base the re-exec gives the kernel (reexec.c):
 *                  the interpreter goes below it, then whatever the
 *                  program maps, its shared libraries included
 *   2^(B-3)        the base of a PIE (an ET_DYN with an interpreter)
 *                  the program's segments, wherever p_vaddr says
 *
 * Each keeps out of the program's segments and of --reserve ranges (then
 * it moves, and --map says where). With --aslr the kernel's own layout is
 * kept instead, randomized as the kernel randomizes it: where it put
 * elfload's stack, mmap area and vDSO, and, where it would randomize
 * them, a brk start up to BRK_RANDOM past the program's end and the
 * first stack pointer up to ARCH_STACK_JITTER below the strings.
 */
#include "stage1.h"

#define VDSO_ABOVE_STACK (16ULL << 20)

/* Does the kernel randomize this process's layout? Then it moved
 * elfload's own brk start off the end of its image (it does so with
 * randomize_va_space 2 and without ADDR_NO_RANDOMIZE; qemu-user never). */
static int kernel_randomizes(const struct host *h)
{
	extern char _end[];
	long brk = sys_brk(0);

	return brk > 0 && (uint64_t)brk != page_up((uint64_t)_end, h->page);
}

static int get_random(void *buf, size_t n)
{
	/* GRND_INSECURE (Linux 5.6) answers before the kernel's generator
	 * is seeded, as the kernel's own randomization does: early in a
	 * boot, GRND_NONBLOCK would fail and nothing would be random */
	return sys_getrandom(buf, n, GRND_INSECURE) == (long)n ||
	       sys_getrandom(buf, n, GRND_NONBLOCK) == (long)n;
}

/* A start-up needs a few random numbers and AT_RANDOM's 16 bytes: they
 * come from one getrandom call, not one call each. */
int random_bytes(void *buf, size_t n)
{
	static unsigned char pool[64];
	static size_t left;

	if (n > sizeof(pool))
		return get_random(buf, n);
	if (n > left) {
		if (!get_random(pool, sizeof(pool)))
			return 0;
		left = sizeof(pool);
	}
	left -= n;
	memcpy(buf, pool + left, n);
	return 1;
}

uint64_t random_below(uint64_t n)
{
	uint64_t r = 0;

	if (n < 2 || !random_bytes(&r, sizeof(r)))
		return 0;
	return r % n;
}

void plan_area(struct layout *lay, const struct host *h, const struct options *o)
{
	int b = 64 - __builtin_clzll(h->window - 1);   /* 2^b >= window */
	struct area *a = &lay->area;

	a->fixed = !o->aslr;
	if (!a->fixed) {
		a->randomized = kernel_randomizes(h);
		return;
	}
	a->stack_top = 1ULL << (b - 2);
	a->vdso = a->stack_top + VDSO_ABOVE_STACK;
	a->brk = 3ULL << (b - 4);
	a->mmap_top = page_down(h->window / 6, h->page);
	a->pie_base = 1ULL << (b - 3);
}
