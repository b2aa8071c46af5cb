/* The one sort stage1 needs: segments, ranges and --map rows, all by an
 * address. A bottom-up merge sort: stable, never quadratic whatever the
 * order of 65535 program headers, and a single pass when they come
 * sorted, as they almost always do. */
#include "stage1.h"

static uint64_t key_of(const char *base, size_t i, size_t size, size_t key)
{
	uint64_t k;

	memcpy(&k, base + i * size + key, sizeof(k));
	return k;
}

static int sorted(const char *base, size_t n, size_t size, size_t key)
{
	for (size_t i = 1; i < n; i++)
		if (key_of(base, i - 1, size, key) > key_of(base, i, size, key))
			return 0;
	return 1;
}

/* Merges the sorted runs [lo, mid) and [mid, hi) of `from` into `to`. */
static void merge(const char *from, char *to, size_t lo, size_t mid, size_t hi,
		  size_t size, size_t key)
{
	size_t a = lo, b = mid;

	for (size_t k = lo; k < hi; k++) {
		int take_a = b >= hi || (a < mid && key_of(from, a, size, key) <=
						    key_of(from, b, size, key));

		memcpy(to + k * size, from + (take_a ? a++ : b++) * size, size);
	}
}

void sort_by_u64(void *base, size_t n, size_t size, size_t key)
{
	char *from = base, *to, *t;

	if (sorted(base, n, size, key))
		return;
	to = xalloc(n * size);
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;

			merge(from, to, lo, mid, hi, size, key);
		}
		t = from, from = to, to = t;
	}
	if (from != base)
		memcpy(base, from, n * size);
}
