/*
 * A record of what one run of elfload came to, as the fuzz harness saw
 * it on its model of the kernel (tests/fuzz/describe.c writes it), for
 * parity -r to hold against a real run (tests/parity/parity.c reads it):
 * how stage1 ended, and when it reached the program, the program's
 * stack and every mapping with what its pages hold.
 *
 * The file: the 8 bytes of REC_MAGIC, then items, each a struct rec_item
 * and len bytes, padded to 8:
 *
 *   REC_END    a: stage1's exit code, or -1: it reached the program;
 *              the bytes: what it wrote to stderr
 *   REC_ARGV   one string of elfload's argv, in order
 *   REC_ENVP   one string of elfload's environment, in order
 *   REC_PATH   the path the program was opened by (where it was)
 *   REC_STACK  a: the stack pointer, b: the end of the mapping holding
 *              it; the bytes: [a, b)
 *   REC_MAP    a mapping's range [a, b) with what its pages hold: arg is
 *              its PROT_* | REC_ZERO, REC_FAULT or REC_DATA << 8 (the
 *              bytes follow), or REC_UNKNOWN; a mapping comes in as many
 *              items as it has such runs, in address order
 *
 * Both sides are this machine's: x86_64, native byte order.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_MAGIC "ELFLREC1"

enum { REC_END = 1, REC_ARGV, REC_ENVP, REC_STACK, REC_MAP, REC_PATH };
enum { REC_UNKNOWN, REC_ZERO, REC_FAULT, REC_DATA };

struct rec_item {
	uint32_t tag, arg;
	uint64_t a, b, len;
};

static inline int rec_put(FILE *f, uint32_t tag, uint32_t arg, uint64_t a, uint64_t b,
			  const void *bytes, uint64_t len)
{
	static const char pad[8];
	struct rec_item it = { tag, arg, a, b, len };

	if (fwrite(&it, sizeof(it), 1, f) != 1 || (len && fwrite(bytes, len, 1, f) != 1))
		return -1;
	return len & 7 ? (fwrite(pad, 8 - (len & 7), 1, f) == 1 ? 0 : -1) : 0;
}

struct rec {
	char *buf;            /* the whole file */
	size_t len;
	uint64_t next;        /* rec_next's position */
};

/* The record in path, or -1 (errno says why, or 0: not a record). */
static inline int rec_load(struct rec *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, k;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -1;
	r->buf = malloc(cap);
	while (r->buf && (k = fread(r->buf + r->len, 1, cap - r->len, f)) > 0)
		if ((r->len += k) == cap)
			r->buf = realloc(r->buf, cap *= 2);
	fclose(f);
	if (!r->buf)
		return -1;
	r->next = 8;
	if (r->len < 8 || memcmp(r->buf, REC_MAGIC, 8))
		return -1;
	return 0;
}

/* The next item and its bytes; 0 at the end or where the file is cut. */
static inline const struct rec_item *rec_next(struct rec *r, const void **bytes)
{
	const struct rec_item *it;

	if (r->next + sizeof(*it) > r->len)
		return 0;
	it = (const struct rec_item *)(r->buf + r->next);
	if (it->len > r->len - r->next - sizeof(*it))
		return 0;
	*bytes = r->buf + r->next + sizeof(*it);
	r->next += sizeof(*it) + ((it->len + 7) & ~7ULL);
	return it;
}

#endif
