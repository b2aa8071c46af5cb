/*
 * riscv64 system calls and process entry.
 *
 * Syscall ABI:
 *   - the number goes in a7, the result comes back in a0;
 *   - arguments: a0, a1, a2, a3, a4, a5;
 *   - the instruction is "ecall"; only a0 changes;
 *   - errors come back as -4095..-1 in a0.
 *
 * Process entry (what the kernel leaves and arch_start_program recreates):
 *   - sp points at argc, 16-byte aligned;
 *   - a0 = 0 (no function for atexit), the other GPRs are 0 as well;
 *   - the first stack pointer is where the strings end: riscv
 *     has no arch_align_stack to move it at random or align it
 *     (ARCH_STACK_JITTER 0, ARCH_ALIGNS_STACK 0;
 *     measured on Linux 6.1).
 *
 * Instruction caches: __builtin___clear_cache calls libgcc's __clear_cache,
 * which asks the kernel through __riscv_flush_icache (jump.S).
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <asm/unistd.h>
#include <linux/elf.h>

#define ARCH_NAME "riscv64"
#define ARCH_ELF_MACHINE EM_RISCV
#define ARCH_ELF_DATA ELFDATA2LSB
/* elf_check_arch: e_machine, and EI_CLASS where the kernel looks at it */
#define ARCH_CHECKS_ELF_CLASS 1
#define ARCH_ELF_MACHINE_OLD ARCH_ELF_MACHINE
/* how far the kernel's arch_align_stack moves the first stack pointer */
#define ARCH_STACK_JITTER(page) 0
/* does arch_align_stack round the strings' end down to 16 bytes? */
#define ARCH_ALIGNS_STACK 0
#define ARCH_PROBE_PAST_WINDOW_HARMLESS 0   /* a probe past the window may raise the address limit for good */
/* the kernel's layout (arch.h): Linux 6.1 has no smaller window than TASK_SIZE */
#define ARCH_WINDOW_END(p2) (p2)
#define ARCH_STACK_RND(pg) ((0x3ffffULL >> (__builtin_ctzll(pg) - 12)) * (pg))
#define ARCH_LEGACY_BASE(w) ((w) / 3)
#define ARCH_ET_DYN_BASE(w) ((w) / 3 * 2)
#define ARCH_MMAP_RND_PAGES (1ULL << 18)
#define ARCH_VDSO_ABOVE_STACK 0

#define my_syscall0(n)							      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _ret __asm__("a0");				      \
	__asm__ volatile("ecall"					      \
			 : "=r"(_ret)					      \
			 : "r"(_num)					      \
			 : "memory");					      \
	_ret;								      \
})

#define my_syscall1(n, a)						      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_num)					      \
			 : "memory");					      \
	_a;								      \
})

#define my_syscall2(n, a, b)						      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	register long _b __asm__("a1") = (long)(b);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_b), "r"(_num)				      \
			 : "memory");					      \
	_a;								      \
})

#define my_syscall3(n, a, b, c)						      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	register long _b __asm__("a1") = (long)(b);			      \
	register long _c __asm__("a2") = (long)(c);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_b), "r"(_c), "r"(_num)			      \
			 : "memory");					      \
	_a;								      \
})

#define my_syscall4(n, a, b, c, d)					      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	register long _b __asm__("a1") = (long)(b);			      \
	register long _c __asm__("a2") = (long)(c);			      \
	register long _d __asm__("a3") = (long)(d);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_b), "r"(_c), "r"(_d), "r"(_num)		      \
			 : "memory");					      \
	_a;								      \
})

#define my_syscall5(n, a, b, c, d, e)					      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	register long _b __asm__("a1") = (long)(b);			      \
	register long _c __asm__("a2") = (long)(c);			      \
	register long _d __asm__("a3") = (long)(d);			      \
	register long _e __asm__("a4") = (long)(e);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_b), "r"(_c), "r"(_d), "r"(_e), "r"(_num)      \
			 : "memory");					      \
	_a;								      \
})

#define my_syscall6(n, a, b, c, d, e, f)				      \
({									      \
	register long _num __asm__("a7") = (n);				      \
	register long _a __asm__("a0") = (long)(a);			      \
	register long _b __asm__("a1") = (long)(b);			      \
	register long _c __asm__("a2") = (long)(c);			      \
	register long _d __asm__("a3") = (long)(d);			      \
	register long _e __asm__("a4") = (long)(e);			      \
	register long _f __asm__("a5") = (long)(f);			      \
	__asm__ volatile("ecall"					      \
			 : "+r"(_a)					      \
			 : "r"(_b), "r"(_c), "r"(_d), "r"(_e), "r"(_f), "r"(_num) \
			 : "memory");					      \
	_a;								      \
})

#endif
