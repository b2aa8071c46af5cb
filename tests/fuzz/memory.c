/*
 * The real memory stage1 reads and writes during a fuzz run, at fixed
 * addresses so that every run of an input is the same: its first stack,
 * the vDSO's header, its arena (what its mmap(NULL) calls return) and the
 * buffer the hole's contents are written to. Each run starts from zeros.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/auxvec.h>
#include <linux/elf.h>
#include "fuzz.h"
#include "image.h"

extern char __executable_start[];
static uint64_t arena_cur = ARENA_TOP, arena_low = ARENA_TOP, hole_used;

static void map_fixed(uint64_t at, uint64_t len)
{
	void *p = mmap((void *)at, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)at) {
		fprintf(stderr, "fuzz harness: cannot map 0x%lx\n", (unsigned long)at);
		abort();
	}
}

static void map_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	map_fixed(FAKE_STACK_TOP - FAKE_STACK_SIZE, FAKE_STACK_SIZE);
	map_fixed(FAKE_VDSO, 6 << 16);
	map_fixed(ARENA_TOP - ARENA_SIZE, ARENA_SIZE);
	map_fixed(HOLE_BUF, HOLE_BUF_SIZE);
}

static void wipe(uint64_t lo, uint64_t hi)
{
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void *arena_take(uint64_t len)
{
	len = (len + 0xffff) & ~0xffffULL;   /* on a page of every size */
	if (len > arena_cur - (ARENA_TOP - ARENA_SIZE))
		return 0;
	arena_cur -= len;
	if (arena_cur < arena_low)
		arena_low = arena_cur;
	return (void *)arena_cur;
}

uint8_t *hole_buffer(uint64_t len)
{
	if (len > HOLE_BUF_SIZE)
		fuzz_fail("a hole of 0x%lx bytes", (unsigned long)len);
	if (len > hole_used)
		hole_used = len;
	return (uint8_t *)HOLE_BUF;
}

/* The vDSO's ELF header and one PT_LOAD, which is all stage1 reads of it. */
static void fake_vdso(uint64_t at)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)at;
	Elf64_Phdr *p = (Elf64_Phdr *)(at + sizeof(*e));

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_phoff = sizeof(*e);
	e->e_phnum = 1;
	p->p_type = PT_LOAD;
	p->p_memsz = 2 * W.page;
}

uint64_t first_auxv[64];

/* strings at the top, then auxv, envp, argv, argc, as create_elf_tables */
static long *fake_stack(void)
{
	char *s = (char *)FAKE_STACK_TOP - 8;
	char *argv[40], *envp[8];
	uint64_t auxv[64], *sp;
	int na = 0, i, nenv;
	char *execfn, *platform, *random;

#define PUSH_STRING(str) (s -= strlen(str) + 1, strcpy(s, str), s)
	execfn = PUSH_STRING("/usr/local/bin/elfload");
	for (nenv = 0; W.envp[nenv]; nenv++)
		envp[nenv] = PUSH_STRING(W.envp[nenv]);
	envp[nenv] = 0;
	for (i = W.argc - 1; i >= 0; i--)
		argv[i] = PUSH_STRING(W.argv[i]);
	argv[W.argc] = 0;
	s = (char *)((uint64_t)s & ~15ULL);
	platform = PUSH_STRING("x86_64");
	random = s -= 16;   /* right below, unaligned */
	memset(random, 0x3c, 16);
#define AUX(t, v) (auxv[na++] = (t), auxv[na++] = (uint64_t)(v))
	if (W.have_vdso)
		AUX(AT_SYSINFO_EHDR, FAKE_VDSO + 4 * W.page);
	AUX(AT_HWCAP, 0x178bfbff);
	if (!W.no_pagesz)
		AUX(AT_PAGESZ, W.page);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, 0x400040);
	AUX(AT_PHENT, 56);
	AUX(AT_PHNUM, 4);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, 0x401000);
	AUX(AT_UID, W.uid);
	AUX(AT_EUID, W.euid);
	AUX(AT_GID, W.gid);
	AUX(AT_EGID, W.egid);
	AUX(AT_SECURE, W.uid != W.euid);
	AUX(AT_RANDOM, random);
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, platform);
	AUX(AT_NULL, 0);
	memcpy(first_auxv, auxv, na * 8);
	sp = (uint64_t *)(((uint64_t)s - 8 * (na + nenv + W.argc + 4)) & ~15ULL);
	sp[0] = (uint64_t)W.argc;
	memcpy(sp + 1, argv, (W.argc + 1) * 8);
	memcpy(sp + 2 + W.argc, envp, (nenv + 1) * 8);
	memcpy(sp + 3 + W.argc + nenv, auxv, na * 8);
	return (long *)sp;
}

long *memory_reset(void)
{
	uint64_t P = W.page, image = (uint64_t)__executable_start & ~(P - 1);
	/* the real elfload's size, where the harness's code is: the
	 * address-space limits count it */
	uint64_t text = image + ((ELFLOAD_TEXT_SIZE + P - 1) & ~(P - 1));
	uint64_t data = image + (ELFLOAD_DATA_VADDR - ELFLOAD_TEXT_VADDR);
	uint64_t end = (data + ELFLOAD_DATA_SIZE + P - 1) & ~(P - 1);
	uint64_t stack = W.rlim_stack < (128 << 10) ? W.rlim_stack : (128 << 10);

	map_once();
	wipe(FAKE_STACK_TOP - FAKE_STACK_SIZE, FAKE_STACK_TOP);
	wipe(FAKE_VDSO, FAKE_VDSO + (6 << 16));
	wipe(arena_low, ARENA_TOP);
	wipe(HOLE_BUF, HOLE_BUF + hole_used);
	arena_cur = arena_low = ARENA_TOP;
	hole_used = 0;

	model_add(image, text, PROT_READ | PROT_EXEC, V_ANON, OWN_STAGE1,
		  "/usr/local/bin/elfload");
	data = (data & ~(P - 1)) > text ? (data & ~(P - 1)) : text;   /* larger pages */
	if (end > data)
		model_add(data, end, PROT_READ | PROT_WRITE, V_ANON, OWN_STAGE1,
			  "/usr/local/bin/elfload");
	stack = (stack + P - 1) & ~(P - 1);
	model_add(FAKE_STACK_TOP - stack, FAKE_STACK_TOP, PROT_READ | PROT_WRITE, V_ANON,
		  OWN_STAGE1, "[stack]");
	/* qemu-user's pages above the stack, which /proc shows as part of it */
	if (W.above_stack)
		model_add(FAKE_STACK_TOP, FAKE_STACK_TOP + 2 * P, PROT_READ | PROT_WRITE,
			  V_ANON, OWN_OTHER, "[stack]");
	for (uint64_t i = 0; W.crowded && i < 200; i++)   /* a process with libraries */
		model_add(0x7f0000000000 + i * (1 << 20), 0x7f0000000000 + i * (1 << 20) + P,
			  PROT_READ, V_ANON, OWN_OTHER, "/lib/x86_64-linux-gnu/libcrowd.so");
	if (W.have_vdso) {
		model_add(FAKE_VDSO, FAKE_VDSO + 4 * P, PROT_READ, V_SPECIAL, OWN_OTHER, "[vvar]");
		model_add(FAKE_VDSO + 4 * P, FAKE_VDSO + 6 * P, PROT_READ | PROT_EXEC, V_SPECIAL,
			  OWN_OTHER, "[vdso]");
		fake_vdso(FAKE_VDSO + 4 * P);
	}
	return fake_stack();
}
