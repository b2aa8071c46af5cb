/* x86_64 transfers of control that C cannot express.
 *
 * arch_start_program(pc, sp): enter a program as the kernel does: rsp = sp
 * (pointing at argc), every GPR zero (rdx = 0: no atexit function), DF clear.
 * The target travels on the new stack below argc, where nothing lives yet.
 *
 * arch_call_on_stack(fn, sp, a0, a1): call fn(a0, a1) on the 16-byte aligned
 * stack sp with a zero return address; fn must not return. */
	.text
	.globl arch_start_program
	.type arch_start_program, @function
arch_start_program:
	mov  %rsi, %rsp
	push %rdi
	cld
	xor  %eax, %eax
	xor  %ebx, %ebx
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %ebp, %ebp
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d
	xor  %r12d, %r12d
	xor  %r13d, %r13d
	xor  %r14d, %r14d
	xor  %r15d, %r15d
	ret

	.globl arch_call_on_stack
	.type arch_call_on_stack, @function
arch_call_on_stack:
	mov  %rsi, %rsp
	mov  %rdi, %rax
	mov  %rdx, %rdi
	mov  %rcx, %rsi
	xor  %ebp, %ebp
	push $0
	jmp  *%rax
	.section .note.GNU-stack, "", @progbits
