/*
 * The program's initial stack, laid out as the kernel's create_elf_tables
 * does, built in stage1's memory with the addresses it will have at `top`:
 *
 *   top      -> 8 zero bytes
 *               execfn string (AT_EXECFN)
 *               environment strings, argument strings (arg_start..env_end)
 *               [--aslr: a random gap, as the kernel's arch_align_stack]
 *               [align 16, ARCH_ALIGNS_STACK] platform strings,
 *               16 random bytes (AT_RANDOM), not aligned
 *               auxv pairs, AT_NULL
 *               envp[], NULL
 *               argv[], NULL
 *   sp       -> argc                      (sp is 16-byte aligned)
 */
#include "stage1.h"

static size_t strings_len(char **v, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	return len;
}

static int count(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

/* Copies n strings to addr (and to the image), storing their final
 * addresses in ptrs[]. Returns the address past the last one. */
static uint64_t put_strings(struct stack_image *st, uint64_t addr, char **v,
			    int n, uint64_t *ptrs)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		memcpy(st->buf + (addr - st->sp), v[i], len);
		ptrs[i] = addr;
		addr += len;
	}
	return addr;
}

static void fresh_random(unsigned char out[16], const long *auxv)
{
	const unsigned char *old = (const unsigned char *)auxv_get(auxv, AT_RANDOM);

	if (random_bytes(out, 16))
		return;
	for (int i = 0; i < 16; i++) /* no getrandom: reuse ours, mixed */
		out[i] = (unsigned char)((old ? old[i] : 0) ^ (0x9e * (i + 1)));
}

/* The auxiliary vector the program gets: ours, describing the program
 * instead of elfload. Entries the kernel added that we know nothing about
 * pass through unchanged. */
static long *program_auxv(const long *auxv, const struct image *im,
			  uint64_t interp_base, const struct layout *lay,
			  uint64_t vdso)
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
		case AT_SECURE: v = im->secure; break;
		case AT_EUID:   v = im->run_euid; break;   /* set-user-ID's */
		case AT_EGID:   v = im->run_egid; break;
		case AT_EXECFD: continue;
		case AT_SYSINFO_EHDR:   /* where it is now, if it stays */
			if (!lay->keep_vdso)
				continue;
			v = (long)vdso;
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

/* Lays out the stack image. aux: the final auxv pairs up to AT_NULL;
 * AT_PLATFORM and AT_BASE_PLATFORM still point at their strings; this
 * sets them, AT_RANDOM and AT_EXECFN to the copies on the new stack. */
static void lay_out(struct stack_image *st, uint64_t top, char **argv, int argc,
		    char **envp, const char *execfn, long *aux,
		    const unsigned char random[16], uint64_t jitter)
{
	int envc = count(envp), naux = 0;
	const char *plat = (const char *)auxv_get(aux, AT_PLATFORM);
	const char *bplat = (const char *)auxv_get(aux, AT_BASE_PLATFORM);
	size_t alen = strings_len(argv, argc), elen = strings_len(envp, envc);
	size_t flen = strlen(execfn) + 1;
	uint64_t p, plat_at = 0, bplat_at = 0, rand_at, *w;

	while (aux[2 * naux] != AT_NULL)
		naux++;
	naux++;

	p = top - 8 - flen - elen - alen;
	st->arg_start = p;
	st->arg_end = p + alen;
	st->env_start = p + alen;
	st->env_end = p + alen + elen;
	p -= jitter;                 /* the kernel's arch_align_stack */
	if (ARCH_ALIGNS_STACK)
		p &= ~15ULL;
	if (plat)
		p = plat_at = p - (strlen(plat) + 1);
	if (bplat)
		p = bplat_at = p - (strlen(bplat) + 1);
	p = rand_at = p - 16;        /* right below, unaligned as the kernel leaves it */
	p -= (uint64_t)naux * 16 + (uint64_t)(1 + argc + 1 + envc + 1) * 8;
	p &= ~15ULL;   /* any padding ends up between auxv and the bytes above */
	st->auxv = p + (uint64_t)(1 + argc + 1 + envc + 1) * 8;
	st->auxv_len = (uint64_t)naux * 16;

	st->top = top;
	st->sp = p;
	st->len = top - p;
	st->buf = xalloc(st->len);

	w = (uint64_t *)st->buf;
	*w++ = (uint64_t)argc;
	put_strings(st, st->arg_start, argv, argc, w);
	w += argc;
	*w++ = 0;
	put_strings(st, st->env_start, envp, envc, w);
	w += envc;
	*w++ = 0;
	memcpy(st->buf + (st->env_end - p), execfn, flen);
	if (plat)
		memcpy(st->buf + (plat_at - p), plat, strlen(plat) + 1);
	if (bplat)
		memcpy(st->buf + (bplat_at - p), bplat, strlen(bplat) + 1);
	memcpy(st->buf + (rand_at - p), random, 16);

	for (int i = 0; i < naux; i++) {
		long t = aux[2 * i], v = aux[2 * i + 1];

		if (t == AT_PLATFORM)
			v = (long)plat_at;
		else if (t == AT_BASE_PLATFORM)
			v = (long)bplat_at;
		else if (t == AT_RANDOM)
			v = (long)rand_at;
		else if (t == AT_EXECFN)
			v = (long)st->env_end;
		aux[2 * i + 1] = v;
		*w++ = (uint64_t)t;
		*w++ = (uint64_t)v;
	}
}

void build_stack(struct stack_image *st, const struct image *im,
		 const struct image *in, const struct layout *lay,
		 const struct host *h)
{
	unsigned char rnd[16];
	uint64_t jitter = lay->area.randomized ? random_below(ARCH_STACK_JITTER(h->page)) : 0;

	fresh_random(rnd, h->auxv);
	lay_out(st, lay->stack_top, im->argv, im->argc, h->envp,
		im->execfn, program_auxv(h->auxv, im, in->bias, lay, h->vdso), rnd, jitter);
}
