/* riscv64 transfers of control that C cannot express.
 *
 * arch_start_program(pc, sp): enter a program as the kernel does: sp = sp
 * (pointing at argc), a0 = 0 and every other GPR zero but t0, which
 * carries the target.
 *
 * arch_call_on_stack(fn, sp, a0, a1): call fn(a0, a1) on the 16-byte
 * aligned stack sp with a zero return address; fn must not return.
 *
 * __riscv_flush_icache(start, end, flags): what libgcc's __clear_cache
 * (behind __builtin___clear_cache) calls to make the instruction cache
 * coherent; it is a system call. */
#include <asm/unistd.h>

	.text
	.globl arch_start_program
	.type arch_start_program, %function
arch_start_program:
	mv	sp, a1
	mv	t0, a0
	li	ra, 0
	li	gp, 0
	li	tp, 0
	li	t1, 0
	li	t2, 0
	li	s0, 0
	li	s1, 0
	li	a0, 0
	li	a1, 0
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a5, 0
	li	a6, 0
	li	a7, 0
	li	s2, 0
	li	s3, 0
	li	s4, 0
	li	s5, 0
	li	s6, 0
	li	s7, 0
	li	s8, 0
	li	s9, 0
	li	s10, 0
	li	s11, 0
	li	t3, 0
	li	t4, 0
	li	t5, 0
	li	t6, 0
	jr	t0

	.globl arch_call_on_stack
	.type arch_call_on_stack, %function
arch_call_on_stack:
	mv	sp, a1
	mv	t0, a0
	mv	a0, a2
	mv	a1, a3
	li	ra, 0
	li	s0, 0
	jr	t0

	.globl __riscv_flush_icache
	.type __riscv_flush_icache, %function
__riscv_flush_icache:
	li	a7, __NR_riscv_flush_icache
	ecall
	ret
	.section .note.GNU-stack, "", %progbits
