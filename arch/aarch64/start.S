/* aarch64 stage1 entry: hand the kernel's stack pointer (argc, argv, envp,
 * auxv) to C. sp is 16-byte aligned already. */
	.text
	.globl _start
	.type _start, %function
_start:
	mov	x29, #0
	mov	x30, #0
	mov	x0, sp
	bl	stage1_main
	brk	#0
	.section .note.GNU-stack, "", %progbits
