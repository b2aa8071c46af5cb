/*
 * ppc64le (ELFv2) system calls and process entry.
 *
 * Syscall ABI:
 *   - the number goes in r0, the result comes back in r3;
 *   - arguments: r3, r4, r5, r6, r7, r8;
 *   - the instruction is "sc"; it clobbers r0, r4-r12, ctr, xer and cr0;
 *   - errors set the summary-overflow bit of cr0 (CR0.SO) and leave the
 *     positive errno in r3: the macros turn that into -errno.
 *
 * Process entry (what the kernel leaves and arch_start_program recreates):
 *   - r1 points at argc, 16-byte aligned;
 *   - r12 = the entry point (ELFv2 functions compute their TOC from it);
 *   - the other GPRs are 0, and so is the link register;
 *   - with randomization on, the kernel moves the first stack pointer
 *     down by up to a page (arch_align_stack): ARCH_STACK_JITTER.
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <asm/unistd.h>
#include <linux/elf.h>

#define ARCH_NAME "ppc64le"
#define ARCH_ELF_MACHINE EM_PPC64
#define ARCH_ELF_DATA ELFDATA2LSB
/* elf_check_arch: e_machine, and EI_CLASS where the kernel looks at it */
#define ARCH_CHECKS_ELF_CLASS 0
#define ARCH_ELF_MACHINE_OLD ARCH_ELF_MACHINE
/* how far the kernel's arch_align_stack moves the first stack pointer */
#define ARCH_STACK_JITTER(page) (page)
/* does arch_align_stack round the strings' end down to 16 bytes? */
#define ARCH_ALIGNS_STACK 1
#define ARCH_PROBE_PAST_WINDOW_HARMLESS 0   /* a probe past the window may raise the address limit for good */
/* the kernel's layout (arch.h): the window is 128 TiB, the 4 PiB above opt-in */
#define ARCH_WINDOW_END(p2) (p2)
#define ARCH_STACK_RND(pg) ((0x3ffffULL >> (__builtin_ctzll(pg) - 12)) * (pg))
#define ARCH_LEGACY_BASE(w) ((w) / 4)
#define ARCH_ET_DYN_BASE(w) 0x100000000ULL
#define ARCH_MMAP_RND_PAGES (1ULL << 14)
#define ARCH_VDSO_ABOVE_STACK 0

/* what "sc" destroys besides the registers each macro names */
#define SYSCALL_CLOBBERS "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory"

#define my_syscall0(n)							      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3");					      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "=r"(_a), "+r"(_num)				      \
			 :						      \
			 : "r4", "r5", "r6", "r7", "r8", SYSCALL_CLOBBERS);   \
	_a;								      \
})

#define my_syscall1(n, a)						      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num)				      \
			 :						      \
			 : "r4", "r5", "r6", "r7", "r8", SYSCALL_CLOBBERS);   \
	_a;								      \
})

#define my_syscall2(n, a, b)						      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	register long _b __asm__("r4") = (long)(b);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num), "+r"(_b)		      \
			 :						      \
			 : "r5", "r6", "r7", "r8", SYSCALL_CLOBBERS);	      \
	_a;								      \
})

#define my_syscall3(n, a, b, c)						      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	register long _b __asm__("r4") = (long)(b);			      \
	register long _c __asm__("r5") = (long)(c);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num), "+r"(_b), "+r"(_c)	      \
			 :						      \
			 : "r6", "r7", "r8", SYSCALL_CLOBBERS);		      \
	_a;								      \
})

#define my_syscall4(n, a, b, c, d)					      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	register long _b __asm__("r4") = (long)(b);			      \
	register long _c __asm__("r5") = (long)(c);			      \
	register long _d __asm__("r6") = (long)(d);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num), "+r"(_b), "+r"(_c), "+r"(_d) \
			 :						      \
			 : "r7", "r8", SYSCALL_CLOBBERS);		      \
	_a;								      \
})

#define my_syscall5(n, a, b, c, d, e)					      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	register long _b __asm__("r4") = (long)(b);			      \
	register long _c __asm__("r5") = (long)(c);			      \
	register long _d __asm__("r6") = (long)(d);			      \
	register long _e __asm__("r7") = (long)(e);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num), "+r"(_b), "+r"(_c), "+r"(_d), "+r"(_e) \
			 :						      \
			 : "r8", SYSCALL_CLOBBERS);			      \
	_a;								      \
})

#define my_syscall6(n, a, b, c, d, e, f)				      \
({									      \
	register long _num __asm__("r0") = (n);				      \
	register long _a __asm__("r3") = (long)(a);			      \
	register long _b __asm__("r4") = (long)(b);			      \
	register long _c __asm__("r5") = (long)(c);			      \
	register long _d __asm__("r6") = (long)(d);			      \
	register long _e __asm__("r7") = (long)(e);			      \
	register long _f __asm__("r8") = (long)(f);			      \
	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %0, %0\n1:"		      \
			 : "+r"(_a), "+r"(_num), "+r"(_b), "+r"(_c), "+r"(_d), "+r"(_e), "+r"(_f) \
			 :						      \
			 : SYSCALL_CLOBBERS);				      \
	_a;								      \
})

#endif
