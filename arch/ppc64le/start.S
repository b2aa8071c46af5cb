/* ppc64le stage1 entry: find our TOC from where we are (not trusting r12),
 * make a minimal frame, and hand the kernel's stack pointer (argc, argv,
 * envp, auxv) to C. */
	.abiversion 2
	.text
	.globl _start
	.type _start, @function
_start:
	bcl	20, 31, 1f
1:	mflr	12
	addis	2, 12, (.TOC. - 1b)@ha
	addi	2, 2, (.TOC. - 1b)@l
	mr	3, 1
	clrrdi	1, 1, 4
	li	0, 0
	mtlr	0
	stdu	0, -32(1)
	bl	stage1_main
	nop
	trap
	.section .note.GNU-stack, "", @progbits
