/*
 * The freestanding helpers both stages share: memory and strings, numbers
 * as text and back, reading and writing whole buffers. stage1 links them
 * into its image; stage2 into the blob, where nothing may need a
 * relocation.
 */
#ifndef LIB_H
#define LIB_H

#include "sys.h"

/* Everything here is defined in the same image that uses it: no symbol
 * goes through a GOT, which the stage2 blob could not relocate. (The fuzz
 * harness, tests/fuzz, links stage1 with the C library's string
 * functions instead: LIB_HOSTED.) */
#ifndef LIB_HOSTED
#pragma GCC visibility push(hidden)
#endif

/* string.c: what the compiler may also call on its own */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* fmt.c: v in hex (no prefix, at least `width` digits; buf needs 17
 * bytes) or decimal (21 bytes); they return the length written. */
size_t fmt_hex(char *buf, uint64_t v, int width);
size_t fmt_dec(char *buf, uint64_t v);
/* The number at s in `base` 10 or 16, or with base 0 hex after "0x" and
 * decimal otherwise. Returns where the digits end, or 0 when there are
 * none or the value does not fit 64 bits. */
const char *parse_u64(const char *s, int base, uint64_t *v);

/* errno.c: what strerror(3) says for -err or err */
const char *errno_name(long err);

/* io.c */
/* Write the whole buffer, retrying short writes; errors are dropped. */
void write_all(int fd, const char *buf, size_t n);
/* Read n bytes at offset off, retrying short reads and EINTR. Returns
 * how many were read (fewer only at end of file) or -errno. */
long pread_full(int fd, void *buf, uint64_t n, uint64_t off);

#ifndef LIB_HOSTED
#pragma GCC visibility pop
#endif
#endif
