/* stage1's allocator: a bump pointer over anonymous mappings. Nothing is
 * ever freed one by one; stage2 unmaps all of it at once. Each new chunk
 * is at least as large as all before it together, so MAX_ARENA_CHUNKS
 * cover more memory than any machine has, while at most half of what is
 * mapped goes unused. */
#include "stage1.h"

#define CHUNK (1UL << 20)

static char *cur, *end;
static struct range chunks[MAX_ARENA_CHUNKS]; /* every mapping made here, for stage2 */
static size_t nchunks;
static uint64_t total;

static void remember(uint64_t lo, uint64_t len)
{
	struct range *last = nchunks ? &chunks[nchunks - 1] : 0;

	total += len;
	if (last && last->hi == lo)
		last->hi += len;
	else if (last && last->lo == lo + len)   /* mmap goes top-down */
		last->lo = lo;
	else if (nchunks < MAX_ARENA_CHUNKS)
		chunks[nchunks++] = (struct range){ lo, lo + len, "[elfload]", 0 };
	else
		die(EXIT_CANNOT, "out of memory (%lu bytes in %d pieces)", total,
		    MAX_ARENA_CHUNKS);
}

/* Where the first chunk is asked for: right behind stage1's image. There
 * it shares the image's page tables, where one out in the mmap area needs
 * new ones, and stage2 unmaps the two with one call. Only a hint: where
 * that range is taken, the chunk goes where mmap(NULL) puts it. Aligned
 * for 4 KiB pages; with larger ones the kernel rounds the hint up. */
static uint64_t first_chunk_hint(void)
{
	extern char _end[];

	return ((uint64_t)_end + 4095) & ~4095ULL;
}

const struct range *arena_ranges(size_t *n)
{
	*n = nchunks;
	return chunks;
}

void *xalloc(size_t n)
{
	char *p;

	if (n > (SIZE_MAX >> 2))
		die(EXIT_CANNOT, "out of memory (%lu bytes asked for)", (uint64_t)n);
	n = (n + 15) & ~(size_t)15;
	if (n > (size_t)(end - cur)) {
		size_t len = n > CHUNK ? (n + CHUNK - 1) & ~(CHUNK - 1) : CHUNK;
		long r;

		if (len < total)
			len = total;
		r = sys_mmap(nchunks ? 0 : first_chunk_hint(), len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sys_failed(r))
			die(EXIT_CANNOT, "out of memory (%s)", errno_name(r));
		remember((uint64_t)r, len);
		if (len - n < (size_t)(end - cur))   /* keep the larger tail */
			return (void *)r;
		cur = (char *)r;
		end = cur + len;
	}
	p = cur;
	cur += n;
	return p;   /* fresh anonymous memory is already zero */
}

void *xrealloc(void *old, size_t oldn, size_t n)
{
	void *p = xalloc(n);

	memcpy(p, old, oldn < n ? oldn : n);
	return p;
}

const char *str_printf(const char *fmt, ...)
{
	struct out o = { .fd = -1 };
	va_list ap;
	char *s;

	va_start(ap, fmt);
	out_vprintf(&o, fmt, ap);
	va_end(ap);
	s = xalloc(o.n + 1);
	memcpy(s, o.buf, o.n);
	return s;
}
