/* aarch64 transfers of control that C cannot express.
 *
 * arch_start_program(pc, sp): enter a program as the kernel does: sp = sp
 * (pointing at argc), x0 = 0 and every other GPR zero but x16, which
 * carries the target.
 *
 * arch_call_on_stack(fn, sp, a0, a1): call fn(a0, a1) on the 16-byte
 * aligned stack sp with a zero return address; fn must not return.
 *
 * __clear_cache(start, end): what __builtin___clear_cache calls: clean
 * the data cache and invalidate the instruction cache over the range, by
 * the line sizes CTR_EL0 gives. (libgcc's keeps them in a static variable,
 * which the stage2 blob cannot have.) */
	.text
	.globl arch_start_program
	.type arch_start_program, %function
arch_start_program:
	mov	sp, x1
	mov	x16, x0
	mov	x0, #0
	mov	x1, #0
	mov	x2, #0
	mov	x3, #0
	mov	x4, #0
	mov	x5, #0
	mov	x6, #0
	mov	x7, #0
	mov	x8, #0
	mov	x9, #0
	mov	x10, #0
	mov	x11, #0
	mov	x12, #0
	mov	x13, #0
	mov	x14, #0
	mov	x15, #0
	mov	x17, #0
	mov	x18, #0
	mov	x19, #0
	mov	x20, #0
	mov	x21, #0
	mov	x22, #0
	mov	x23, #0
	mov	x24, #0
	mov	x25, #0
	mov	x26, #0
	mov	x27, #0
	mov	x28, #0
	mov	x29, #0
	mov	x30, #0
	br	x16

	.globl arch_call_on_stack
	.type arch_call_on_stack, %function
arch_call_on_stack:
	mov	sp, x1
	mov	x16, x0
	mov	x0, x2
	mov	x1, x3
	mov	x29, #0
	mov	x30, #0
	br	x16

	.globl __clear_cache
	.type __clear_cache, %function
__clear_cache:
	mrs	x3, ctr_el0
	ubfx	x4, x3, #16, #4		/* DminLine: log2(words) */
	mov	x5, #4
	lsl	x4, x5, x4		/* data line size in bytes */
	sub	x5, x4, #1
	bic	x2, x0, x5
1:	dc	cvau, x2
	add	x2, x2, x4
	cmp	x2, x1
	b.lo	1b
	dsb	ish
	and	x4, x3, #0xf		/* IminLine */
	mov	x5, #4
	lsl	x4, x5, x4
	sub	x5, x4, #1
	bic	x2, x0, x5
2:	ic	ivau, x2
	add	x2, x2, x4
	cmp	x2, x1
	b.lo	2b
	dsb	ish
	isb
	ret
	.section .note.GNU-stack, "", %progbits
