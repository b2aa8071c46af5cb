/* s390x transfers of control that C cannot express.
 *
 * arch_start_program(pc, sp): enter a program as the kernel does: r15 = sp
 * (pointing at argc), r14 = 0 and every other GPR zero but r1, which
 * carries the target.
 *
 * arch_call_on_stack(fn, sp, a0, a1): call fn(a0, a1) on the stack sp,
 * below the 160-byte register save area (null back chain), with a zero
 * return address; fn must not return. */
	.text
	.globl arch_start_program
	.type arch_start_program, @function
arch_start_program:
	lgr	%r15, %r3
	lgr	%r1, %r2
	lghi	%r0, 0
	lghi	%r2, 0
	lghi	%r3, 0
	lghi	%r4, 0
	lghi	%r5, 0
	lghi	%r6, 0
	lghi	%r7, 0
	lghi	%r8, 0
	lghi	%r9, 0
	lghi	%r10, 0
	lghi	%r11, 0
	lghi	%r12, 0
	lghi	%r13, 0
	lghi	%r14, 0
	br	%r1

	.globl arch_call_on_stack
	.type arch_call_on_stack, @function
arch_call_on_stack:
	lgr	%r1, %r2
	lgr	%r15, %r3
	aghi	%r15, -160
	xc	0(8, %r15), 0(%r15)
	lgr	%r2, %r4
	lgr	%r3, %r5
	lghi	%r14, 0
	br	%r1
	.section .note.GNU-stack, "", @progbits
