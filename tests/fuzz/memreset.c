/* stage1's allocator, built here so that the harness can forget what it
 * holds between runs (its state is static). */
#include "../../stage1/mem.c"

void fuzz_mem_reset(void)
{
	cur = end = 0;
	nchunks = 0;
	total = 0;
}
