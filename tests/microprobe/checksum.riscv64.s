# The traced region of every Microprobe fixture, riscv64. a0 holds the
# address of the list the state puts in memory:
#   0: number of pages  8: expected sum  16: message  24: its length
#   32: the address of each page
# It folds every 8-byte word of every page into acc = acc * 31 + word,
# writes the message, and exits 42 if acc is the expected sum, else 1.
	mv	s0, a0
	ld	s1, 0(s0)
	addi	s2, s0, 32
	li	s3, 0
pages:
	beqz	s1, done
	ld	t0, 0(s2)
	li	t1, 512
words:
	ld	t2, 0(t0)
	slli	t3, s3, 5
	sub	s3, t3, s3
	add	s3, s3, t2
	addi	t0, t0, 8
	addi	t1, t1, -1
	bnez	t1, words
	addi	s2, s2, 8
	addi	s1, s1, -1
	j	pages
done:
	li	a0, 1
	ld	a1, 16(s0)
	ld	a2, 24(s0)
	li	a7, 64
	ecall
	ld	t0, 8(s0)
	li	a0, 42
	beq	s3, t0, out
	li	a0, 1
out:
	li	a7, 94
	ecall
