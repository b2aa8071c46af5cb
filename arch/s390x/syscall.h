/*
 * s390x system calls and process entry.
 *
 * Syscall ABI:
 *   - the number goes in r1, the result comes back in r2;
 *   - arguments: r2, r3, r4, r5, r6, r7;
 *   - the instruction is "svc 0"; it changes r2 and the condition code;
 *   - errors come back as -4095..-1 in r2;
 *   - mmap is the old form: one pointer to its six arguments.
 *
 * Process entry (what the kernel leaves and arch_start_program recreates):
 *   - r15 points at argc;
 *   - r14 = 0 (no function for atexit), the other GPRs are 0 as well;
 *   - with randomization on, the kernel moves the first stack pointer
 *     down by up to a page (arch_align_stack): ARCH_STACK_JITTER.
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <asm/unistd.h>
#include <linux/elf.h>

#define ARCH_NAME "s390x"
#define ARCH_ELF_MACHINE EM_S390
#define ARCH_ELF_DATA ELFDATA2MSB
/* elf_check_arch: e_machine, and EI_CLASS where the kernel looks at it */
#define ARCH_CHECKS_ELF_CLASS 1
#define ARCH_ELF_MACHINE_OLD 0xA390 /* EM_S390_OLD, also taken */
/* how far the kernel's arch_align_stack moves the first stack pointer */
#define ARCH_STACK_JITTER(page) (page)
/* does arch_align_stack round the strings' end down to 16 bytes? */
#define ARCH_ALIGNS_STACK 1
#define ARCH_PROBE_PAST_WINDOW_HARMLESS 0   /* a probe past the window may raise the address limit for good */
/* the kernel's layout (arch.h): the window is the 4 TiB that 3-level page
 * tables reach (VDSO_LIMIT); they grow only for a mapping above it */
#define ARCH_WINDOW_END(p2) (p2)
#define ARCH_STACK_RND(pg) (0x3ff80ULL * (pg))
#define ARCH_LEGACY_BASE(w) ((w) / 2)
#define ARCH_ET_DYN_BASE(w) ((w) / 3 * 2 & ~0xffffffffULL)
#define ARCH_MMAP_RND_PAGES 0x3ff81ULL
#define ARCH_VDSO_ABOVE_STACK 1

#define my_syscall0(n)							      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _ret __asm__("2");				      \
	__asm__ volatile("svc 0"					      \
			 : "=r"(_ret)					      \
			 : "d"(_num)					      \
			 : "memory", "cc");				      \
	_ret;								      \
})

#define my_syscall1(n, a)						      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_num)					      \
			 : "memory", "cc");				      \
	_a;								      \
})

#define my_syscall2(n, a, b)						      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	register long _b __asm__("3") = (long)(b);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_b), "d"(_num)				      \
			 : "memory", "cc");				      \
	_a;								      \
})

#define my_syscall3(n, a, b, c)						      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	register long _b __asm__("3") = (long)(b);			      \
	register long _c __asm__("4") = (long)(c);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_b), "d"(_c), "d"(_num)			      \
			 : "memory", "cc");				      \
	_a;								      \
})

#define my_syscall4(n, a, b, c, d)					      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	register long _b __asm__("3") = (long)(b);			      \
	register long _c __asm__("4") = (long)(c);			      \
	register long _d __asm__("5") = (long)(d);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_b), "d"(_c), "d"(_d), "d"(_num)		      \
			 : "memory", "cc");				      \
	_a;								      \
})

#define my_syscall5(n, a, b, c, d, e)					      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	register long _b __asm__("3") = (long)(b);			      \
	register long _c __asm__("4") = (long)(c);			      \
	register long _d __asm__("5") = (long)(d);			      \
	register long _e __asm__("6") = (long)(e);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_b), "d"(_c), "d"(_d), "d"(_e), "d"(_num)      \
			 : "memory", "cc");				      \
	_a;								      \
})

#define my_syscall6(n, a, b, c, d, e, f)				      \
({									      \
	register long _num __asm__("1") = (n);				      \
	register long _a __asm__("2") = (long)(a);			      \
	register long _b __asm__("3") = (long)(b);			      \
	register long _c __asm__("4") = (long)(c);			      \
	register long _d __asm__("5") = (long)(d);			      \
	register long _e __asm__("6") = (long)(e);			      \
	register long _f __asm__("7") = (long)(f);			      \
	__asm__ volatile("svc 0"					      \
			 : "+d"(_a)					      \
			 : "d"(_b), "d"(_c), "d"(_d), "d"(_e), "d"(_f), "d"(_num) \
			 : "memory", "cc");				      \
	_a;								      \
})

/* s390x's mmap takes a pointer to its arguments. */
#define ARCH_SYS_MMAP
static inline long arch_sys_mmap(unsigned long addr, unsigned long len,
				 long prot, long flags, long fd, long off)
{
	unsigned long args[6] = { addr, len, (unsigned long)prot,
				  (unsigned long)flags, (unsigned long)fd,
				  (unsigned long)off };

	return my_syscall1(__NR_mmap, args);
}

#endif
