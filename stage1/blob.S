/* The stage2 blob, as bytes inside stage1. */
	.section .rodata
	.balign 64
	.globl stage2_blob, stage2_blob_end
stage2_blob:
	.incbin STAGE2_BIN
stage2_blob_end:
	.section .note.GNU-stack, "", %progbits
