/*
 * The only code that touches the hole at its real address: mapping it,
 * and entering stage2 there once handover.c has filled it. Until the
 * call, everything can still fail cleanly. (tests/fuzz replaces these two
 * functions to play the plan on a model of the address space instead.)
 */
#include "stage1.h"
#include "stage2_blob.h"

char *map_hole(const struct layout *lay)
{
	long r = sys_mmap(lay->hole_lo, lay->hole_hi - lay->hole_lo,
			  PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (sys_failed(r) || (uint64_t)r != lay->hole_lo)
		die(EXIT_CANNOT, "cannot map the loader at 0x%lx: %s", lay->hole_lo,
		    sys_failed(r) ? errno_name(r) : "address taken");
	return (char *)r;
}

static void protect(uint64_t lo, uint64_t len, int prot)
{
	long r = sys_mprotect(lo, len, prot);

	if (r < 0)
		die(EXIT_CANNOT, "cannot protect the loader's code: %s", errno_name(r));
}

void enter_stage2(const struct layout *lay, uint64_t plan_addr)
{
	protect(lay->hole_lo, lay->blob_len, PROT_READ | PROT_EXEC);
	if (lay->phdr_len)
		protect(lay->hole_lo + lay->blob_len, lay->phdr_len, PROT_READ);
	__builtin___clear_cache((char *)lay->hole_lo, (char *)lay->hole_lo + lay->blob_len);
	arch_call_on_stack(lay->hole_lo + STAGE2_OFF_stage2_main,
			   lay->hole_lo + lay->keep_len, plan_addr, 0);
}
