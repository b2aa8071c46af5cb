/*
 * x86_64 system calls and process entry.
 *
 * Syscall ABI:
 *   - the number goes in rax, the result comes back in rax;
 *   - arguments: rdi, rsi, rdx, r10, r8, r9;
 *   - the instruction is "syscall"; it clobbers rcx and r11 (and memory);
 *   - errors come back as -4095..-1 in rax.
 *
 * Process entry (what the kernel leaves and arch_start_program recreates):
 *   - rsp points at argc, 16-byte aligned;
 *   - rdx = 0 (no function for atexit), the other GPRs are 0 as well;
 *   - the direction flag is clear;
 *   - with randomization on, the kernel moves the first stack pointer
 *     down by up to 8 KiB (arch_align_stack): ARCH_STACK_JITTER.
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <asm/unistd.h>
#include <linux/elf.h>

#define ARCH_NAME "x86_64"
#define ARCH_ELF_MACHINE EM_X86_64
#define ARCH_ELF_DATA ELFDATA2LSB
/* elf_check_arch: e_machine, and EI_CLASS where the kernel looks at it */
#define ARCH_CHECKS_ELF_CLASS 0
#define ARCH_ELF_MACHINE_OLD ARCH_ELF_MACHINE
/* how far the kernel's arch_align_stack moves the first stack pointer */
#define ARCH_STACK_JITTER(page) 8192
/* does arch_align_stack round the strings' end down to 16 bytes? */
#define ARCH_ALIGNS_STACK 1
#define ARCH_PROBE_PAST_WINDOW_HARMLESS 1   /* a probe past the window leaves the address limit as it was */
/* the kernel's layout (arch.h): the page below 2^47 is never mapped */
#define ARCH_WINDOW_END(p2) ((p2) - 4096)
#define ARCH_STACK_RND(pg) (0x3fffffULL * (pg))
#define ARCH_LEGACY_BASE(w) ((w) / 3)
#define ARCH_ET_DYN_BASE(w) ((w) / 3 * 2)
#define ARCH_MMAP_RND_PAGES (1ULL << 28)
#define ARCH_VDSO_ABOVE_STACK 0

#define my_syscall0(n)                                                        \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	__asm__ volatile("syscall" : "+r"(_ret) : : "rcx", "r11", "memory");  \
	_ret;                                                                 \
})

#define my_syscall1(n, a)                                                     \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	__asm__ volatile("syscall" : "+r"(_ret) : "r"(_a)                     \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#define my_syscall2(n, a, b)                                                  \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	register long _b __asm__("rsi") = (long)(b);                          \
	__asm__ volatile("syscall" : "+r"(_ret) : "r"(_a), "r"(_b)            \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#define my_syscall3(n, a, b, c)                                               \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	register long _b __asm__("rsi") = (long)(b);                          \
	register long _c __asm__("rdx") = (long)(c);                          \
	__asm__ volatile("syscall" : "+r"(_ret) : "r"(_a), "r"(_b), "r"(_c)   \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#define my_syscall4(n, a, b, c, d)                                            \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	register long _b __asm__("rsi") = (long)(b);                          \
	register long _c __asm__("rdx") = (long)(c);                          \
	register long _d __asm__("r10") = (long)(d);                          \
	__asm__ volatile("syscall" : "+r"(_ret)                               \
			 : "r"(_a), "r"(_b), "r"(_c), "r"(_d)                 \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#define my_syscall5(n, a, b, c, d, e)                                         \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	register long _b __asm__("rsi") = (long)(b);                          \
	register long _c __asm__("rdx") = (long)(c);                          \
	register long _d __asm__("r10") = (long)(d);                          \
	register long _e __asm__("r8") = (long)(e);                           \
	__asm__ volatile("syscall" : "+r"(_ret)                               \
			 : "r"(_a), "r"(_b), "r"(_c), "r"(_d), "r"(_e)        \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#define my_syscall6(n, a, b, c, d, e, f)                                      \
({                                                                            \
	register long _ret __asm__("rax") = (n);                              \
	register long _a __asm__("rdi") = (long)(a);                          \
	register long _b __asm__("rsi") = (long)(b);                          \
	register long _c __asm__("rdx") = (long)(c);                          \
	register long _d __asm__("r10") = (long)(d);                          \
	register long _e __asm__("r8") = (long)(e);                           \
	register long _f __asm__("r9") = (long)(f);                           \
	__asm__ volatile("syscall" : "+r"(_ret)                               \
			 : "r"(_a), "r"(_b), "r"(_c), "r"(_d), "r"(_e),       \
			   "r"(_f)                                            \
			 : "rcx", "r11", "memory");                           \
	_ret;                                                                 \
})

#endif
