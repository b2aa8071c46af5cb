/*
 * What every arch/ARCH directory provides, and nothing more:
 *
 *   syscall.h  my_syscall0..my_syscall6 (the instruction, its registers and
 *              clobbers), ARCH_NAME, ARCH_ELF_MACHINE (an EM_* constant),
 *              ARCH_ELF_MACHINE_OLD (another it takes, or the same),
 *              ARCH_ELF_DATA, ARCH_CHECKS_ELF_CLASS (1 where elf_check_arch
 *              looks at EI_CLASS too), ARCH_STACK_JITTER(page) and
 *              ARCH_ALIGNS_STACK (arch_align_stack),
 *              ARCH_PROBE_PAST_WINDOW_HARMLESS, the kernel's layout
 *              (below) and, where mmap takes its arguments another way,
 *              ARCH_SYS_MMAP with arch_sys_mmap(); its comment gives the
 *              register state at process entry
 *   start.S    stage1's _start: stage1_main(the kernel's stack pointer)
 *   jump.S     the two transfers of control below, which C cannot express
 *
 * Everything else is shared C.
 *
 * The kernel's layout, from its asm/processor.h and asm/elf.h, for the
 * default window (host.c) and --map's account of what execve does
 * (verdict.c). W is the window's end, p2 the power of two above the stack
 * the kernel gave us, pg the page size:
 *
 *   ARCH_WINDOW_END(p2)    DEFAULT_MAP_WINDOW: the stack top without ASLR,
 *                          below which mmap(NULL) stays
 *   ARCH_STACK_RND(pg)     how far ASLR moves the stack top down at most,
 *                          in bytes (STACK_RND_MASK)
 *   ARCH_LEGACY_BASE(W)    TASK_UNMAPPED_BASE: where mmap starts, bottom-up,
 *                          with RLIMIT_STACK unlimited
 *   ARCH_ET_DYN_BASE(W)    ELF_ET_DYN_BASE: where a PIE goes
 *   ARCH_MMAP_RND_PAGES    the mmap base's random range in pages, where
 *                          vm.mmap_rnd_bits cannot be read
 *   ARCH_VDSO_ABOVE_STACK  1 where the vDSO ends the window, with the
 *                          stack top a page below it; else 0
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>
#include "syscall.h"

/* Enter a program as the kernel does: the stack pointer at argc, the
 * registers the ABI prescribes at process entry, all others zero. */
void arch_start_program(uint64_t pc, uint64_t sp) __attribute__((noreturn));

/* Call fn(a0, a1) on the 16-byte aligned stack sp with a zero return
 * address (and whatever frame the ABI wants below it); fn must not return. */
void arch_call_on_stack(uint64_t fn, uint64_t sp, uint64_t a0, uint64_t a1)
	__attribute__((noreturn));

#endif
