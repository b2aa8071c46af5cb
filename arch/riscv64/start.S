/* riscv64 stage1 entry: hand the kernel's stack pointer (argc, argv, envp,
 * auxv) to C. Everything is linked without relaxation, so gp is unused. */
	.text
	.globl _start
	.type _start, %function
_start:
	li	ra, 0
	li	s0, 0
	mv	a0, sp
	andi	sp, sp, -16
	call	stage1_main
	ebreak
	.section .note.GNU-stack, "", %progbits
