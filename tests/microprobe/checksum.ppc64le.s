# The traced region of every Microprobe fixture, ppc64le. r3 holds the
# address of the list the state puts in memory:
#   0: number of pages  8: expected sum  16: message  24: its length
#   32: the address of each page
# It folds every 8-byte word of every page into acc = acc * 31 + word,
# writes the message, and exits 42 if acc is the expected sum, else 1.
	mr	14, 3
	ld	15, 0(14)
	addi	16, 14, 32
	li	17, 0
pages:
	cmpdi	15, 0
	beq	done
	ld	18, 0(16)
	li	19, 512
	mtctr	19
words:
	ld	20, 0(18)
	mulli	17, 17, 31
	add	17, 17, 20
	addi	18, 18, 8
	bdnz	words
	addi	16, 16, 8
	addi	15, 15, -1
	b	pages
done:
	li	3, 1
	ld	4, 16(14)
	ld	5, 24(14)
	li	0, 4
	sc
	ld	21, 8(14)
	li	3, 42
	cmpd	17, 21
	beq	out
	li	3, 1
out:
	li	0, 234
	sc
