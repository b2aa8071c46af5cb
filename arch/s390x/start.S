/* s390x stage1 entry: hand the kernel's stack pointer (argc, argv, envp,
 * auxv) to C, below the 160-byte register save area the ABI wants. */
	.text
	.globl _start
	.type _start, @function
_start:
	lgr	%r2, %r15
	aghi	%r15, -160
	xc	0(8, %r15), 0(%r15)
	lghi	%r14, 0
	brasl	%r14, stage1_main
	j	.
	.section .note.GNU-stack, "", @progbits
