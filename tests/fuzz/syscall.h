/*
 * The fuzz harness's arch/ARCH/syscall.h: every system call stage1 makes
 * goes to fuzz_syscall(), a model of the kernel (tests/fuzz/kernel.c).
 * Numbers, machine and byte order are the host's, x86_64.
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <asm/unistd.h>
#include <linux/elf.h>

#define ARCH_NAME "x86_64"
#define ARCH_ELF_MACHINE EM_X86_64
#define ARCH_ELF_DATA ELFDATA2LSB
#define ARCH_STACK_JITTER(page) 8192
#define ARCH_STACK_RND_PAGES 0x3fffffULL

long fuzz_syscall(long n, long a, long b, long c, long d, long e, long f);

#define my_syscall0(n)                fuzz_syscall((n), 0, 0, 0, 0, 0, 0)
#define my_syscall1(n, a)             fuzz_syscall((n), (long)(a), 0, 0, 0, 0, 0)
#define my_syscall2(n, a, b)          fuzz_syscall((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define my_syscall3(n, a, b, c)       fuzz_syscall((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define my_syscall4(n, a, b, c, d)    fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define my_syscall5(n, a, b, c, d, e) fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define my_syscall6(n, a, b, c, d, e, f) \
	fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#endif
