/*
 * The fuzz harness's arch/ARCH/syscall.h: x86_64's (numbers, machine, byte
 * order, its constants), except that every system call stage1 makes goes
 * to fuzz_syscall(), a model of the kernel (tests/fuzz/kernel.c).
 */
#ifndef FUZZ_SYSCALL_H
#define FUZZ_SYSCALL_H

#include "../../arch/x86_64/syscall.h"

long fuzz_syscall(long n, long a, long b, long c, long d, long e, long f);

#undef my_syscall0
#undef my_syscall1
#undef my_syscall2
#undef my_syscall3
#undef my_syscall4
#undef my_syscall5
#undef my_syscall6
#define my_syscall0(n)                fuzz_syscall((n), 0, 0, 0, 0, 0, 0)
#define my_syscall1(n, a)             fuzz_syscall((n), (long)(a), 0, 0, 0, 0, 0)
#define my_syscall2(n, a, b)          fuzz_syscall((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define my_syscall3(n, a, b, c)       fuzz_syscall((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define my_syscall4(n, a, b, c, d)    fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define my_syscall5(n, a, b, c, d, e) fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define my_syscall6(n, a, b, c, d, e, f) \
	fuzz_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#endif
