/* x86_64 stage1 entry: hand the kernel's stack pointer (argc, argv, envp,
 * auxv) to C. rsp is 16-byte aligned here; the call pushes the return
 * address, so stage1_main starts with the alignment the ABI expects. */
	.text
	.globl _start
	.type _start, @function
_start:
	xor  %ebp, %ebp
	mov  %rsp, %rdi
	and  $-16, %rsp
	call stage1_main
	hlt
	.section .note.GNU-stack, "", @progbits
