/* ppc64le transfers of control that C cannot express.
 *
 * arch_start_program(pc, sp): enter a program as the kernel does: r1 = sp
 * (pointing at argc), r12 = ctr = pc (ELFv2 global entry), every other GPR
 * and the link register zero.
 *
 * arch_call_on_stack(fn, sp, a0, a1): call fn(a0, a1) through its global
 * entry on the 16-byte aligned stack sp, below a 32-byte minimal frame
 * with a null back chain, with a zero return address; fn must not
 * return. */
	.abiversion 2
	.text
	.globl arch_start_program
	.type arch_start_program, @function
arch_start_program:
	mr	1, 4
	mr	12, 3
	mtctr	12
	li	0, 0
	mtlr	0
	li	2, 0
	li	3, 0
	li	4, 0
	li	5, 0
	li	6, 0
	li	7, 0
	li	8, 0
	li	9, 0
	li	10, 0
	li	11, 0
	li	13, 0
	li	14, 0
	li	15, 0
	li	16, 0
	li	17, 0
	li	18, 0
	li	19, 0
	li	20, 0
	li	21, 0
	li	22, 0
	li	23, 0
	li	24, 0
	li	25, 0
	li	26, 0
	li	27, 0
	li	28, 0
	li	29, 0
	li	30, 0
	li	31, 0
	bctr

	.globl arch_call_on_stack
	.type arch_call_on_stack, @function
arch_call_on_stack:
	addi	1, 4, -32
	li	0, 0
	std	0, 0(1)
	mtlr	0
	mr	12, 3
	mtctr	12
	mr	3, 5
	mr	4, 6
	bctr
	.section .note.GNU-stack, "", @progbits
