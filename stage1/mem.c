/* stage1's allocator: a bump pointer over anonymous mappings. Nothing is
 * ever freed one by one; stage2 unmaps all of it at once. */
#include "elfload.h"

#define CHUNK (1UL << 20)

static char *cur, *end;

void *xalloc(size_t n)
{
	char *p;

	n = (n + 15) & ~(size_t)15;
	if (n > (size_t)(end - cur)) {
		size_t len = n > CHUNK ? n : CHUNK;
		long r = sys_mmap(0, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (r < 0)
			die(EXIT_CANNOT, "out of memory (%s)", errno_name(r));
		if (n == len)   /* a big one: keep the current chunk's tail */
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
