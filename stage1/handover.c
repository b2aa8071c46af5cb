/*
 * Handing over to stage2: the hole is mapped, the blob copied to its start
 * and the plan written behind it (the layout of the hole is drawn in
 * common/plan.h), and stage2 called on its own stack there. Until that
 * call everything can still fail cleanly; stage2 then unmaps stage1.
 *
 *   plan area:  struct plan | name | stack image | prctl_mm_map x2 |
 *               comm | ops[] | unmaps[]
 */
#include <linux/capability.h>
#include "stage1.h"
#include "stage2_blob.h"

extern const char stage2_blob[], stage2_blob_end[];

/* Carves the plan area into its parts, in order: written at buf, they
 * will be at addr. */
struct carver {
	char *buf;
	uint64_t addr, used, size;
};

static void *carve(struct carver *c, uint64_t n, uint64_t *addr)
{
	void *p = c->buf + c->used;

	n = (n + 15) & ~15ULL;
	if (n > c->size - c->used)
		die(EXIT_CANNOT, "internal error: the plan does not fit the loader's hole");
	if (addr)
		*addr = c->addr + c->used;
	c->used += n;
	return p;
}

static char *carve_string(struct carver *c, const char *s, uint64_t *addr)
{
	size_t n = strlen(s) + 1;
	char *p = carve(c, n < 16 ? 16 : n, addr);

	memcpy(p, s, n);
	return p;
}

/* The munmap ops for [lo, hi) less the hole and the kept vDSO/vvar. */
static uint64_t unmap_range(struct op *ops, uint64_t k, uint64_t cap,
			    uint64_t lo, uint64_t hi, const struct layout *lay)
{
	while (lo < hi) {
		uint64_t cut = hi, next = hi;

		/* the lowest range to keep that meets [lo, hi) */
		if (lay->hole_lo < cut && lay->hole_hi > lo)
			cut = lay->hole_lo, next = lay->hole_hi;
		for (size_t j = 0; j < lay->nkept; j++)
			if (lay->kept[j].lo < cut && lay->kept[j].hi > lo)
				cut = lay->kept[j].lo, next = lay->kept[j].hi;
		if (cut > lo && k && ops[k - 1].addr + ops[k - 1].len == lo) {
			ops[k - 1].len += cut - lo;   /* one call for neighbours */
		} else if (cut > lo) {
			if (k == cap)
				die(EXIT_CANNOT, "too many mappings to undo");
			ops[k++] = (struct op){ .kind = OP_MUNMAP, .fd = -1,
						.addr = lo, .len = cut - lo };
		}
		lo = next;
	}
	return k;
}

/* Everything stage1 found mapped, and every chunk it mapped since, goes;
 * the program's segments replace the rest with MAP_FIXED anyway. */
static uint64_t plan_unmaps(struct op *ops, uint64_t cap,
			    const struct layout *lay, const struct host *h)
{
	const struct range *r;
	size_t n, k = 0;

	for (size_t i = 0; i < h->nmaps; i++)
		if (h->maps[i].lo < known_top(h))
			k = unmap_range(ops, k, cap, h->maps[i].lo,
					h->maps[i].hi < known_top(h) ? h->maps[i].hi : known_top(h),
					lay);
	r = arena_ranges(&n);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < h->nmaps && !(h->maps[j].lo <= r[i].lo && r[i].hi <= h->maps[j].hi))
			j++;
		if (j == h->nmaps) /* mapped after /proc/self/maps was read */
			k = unmap_range(ops, k, cap, r[i].lo, r[i].hi, lay);
	}
	return k;
}

/* What the kernel shows in /proc/PID/stat and uses for brk: the code and
 * data ranges computed the way binfmt_elf does. */
static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void fill_mm_map(struct prctl_mm_map *mm, const struct image *im,
			const struct layout *lay, const struct stack_image *st,
			const struct host *h)
{
	uint64_t top = known_top(h);
	uint64_t code_lo = UINT64_MAX, code_hi = 0;

	*mm = (struct prctl_mm_map){
		.start_brk = lay->brk, .brk = lay->brk,
		.start_stack = st->sp,
		.arg_start = st->arg_start, .arg_end = st->arg_end,
		.env_start = st->env_start, .env_end = st->env_end,
		.auxv = (__u64 *)st->auxv, .auxv_size = (uint32_t)st->auxv_len,
		.exe_fd = (uint32_t)-1,
	};
	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if ((s->flags & PF_X) && s->vaddr < code_lo)
			code_lo = s->vaddr;
		if ((s->flags & PF_X) && s->vaddr + s->filesz > code_hi)
			code_hi = s->vaddr + s->filesz;
		if (s->vaddr > mm->start_data)
			mm->start_data = s->vaddr;
		if (s->vaddr + s->filesz > mm->end_data)
			mm->end_data = s->vaddr + s->filesz;
	}
	if (code_lo == UINT64_MAX)
		code_lo = im->segs[0].vaddr;
	mm->start_code = code_lo;
	mm->end_code = code_hi > code_lo ? code_hi : code_lo + 1;
	if (mm->end_data < mm->start_data)
		mm->end_data = mm->start_data;
	/* the kernel takes only addresses from mmap_min_addr to below the
	 * top: a segment that ends at the top is described as ending a byte
	 * short, one that starts below mmap_min_addr (root may map there) as
	 * starting at it */
	mm->start_code = clamp(mm->start_code, h->min_addr, top - 2);
	mm->end_code = clamp(mm->end_code, mm->start_code + 1, top - 1);
	mm->end_data = clamp(mm->end_data, h->min_addr, top - 1);
	mm->start_data = clamp(mm->start_data, h->min_addr, mm->end_data);
}

/* capset's header and its data, all zero: no capability left. */
#define CAPSET_DATA (_LINUX_CAPABILITY_U32S_3 * sizeof(struct __user_cap_data_struct))
#define CAPSET_ARGS (sizeof(struct __user_cap_header_struct) + CAPSET_DATA + 32) /* + carve()s rounding */
static void drop_caps(struct layout *lay, struct carver *c)
{
	struct __user_cap_header_struct *hdr;
	uint64_t hdr_addr, data_addr;

	hdr = carve(c, sizeof(*hdr), &hdr_addr);
	hdr->version = _LINUX_CAPABILITY_VERSION_3;
	hdr->pid = 0;
	memset(carve(c, CAPSET_DATA, &data_addr), 0, CAPSET_DATA);
	add_drop_caps(lay, hdr_addr, data_addr);
}

/* The ops that follow the segments: the stack and its contents, what the
 * process looks like from outside, closing our descriptors. */
static void add_process_ops(struct layout *lay, struct carver *c,
			    const struct image *im, const struct image *in,
			    const struct stack_image *st, const struct host *h,
			    int stop_at_entry)
{
	struct prctl_mm_map *mm, *mm_exe;
	uint64_t a, a_exe;
	struct op *op;

	op = add_op(lay, OP_MMAP, lay->stack_lo, lay->stack_top - lay->stack_lo);
	op->prot = stack_prot(im->stack_flags);
	op->flags = MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_GROWSDOWN;
	op = add_op(lay, OP_COPY, st->sp, st->len);
	memcpy(carve(c, st->len, &op->arg), st->buf, st->len);

	/* /proc/PID/exe as well, where we may (CAP_SYS_ADMIN); else the rest */
	mm = carve(c, sizeof(*mm), &a);
	fill_mm_map(mm, im, lay, st, h);
	mm_exe = carve(c, sizeof(*mm), &a_exe);
	*mm_exe = *mm;
	mm_exe->exe_fd = (uint32_t)im->fd;
	op = add_op(lay, OP_PRCTL | OP_OPTIONAL, a_exe, sizeof(*mm));
	op->flags = PR_SET_MM;
	op->arg = PR_SET_MM_MAP;
	op = add_op(lay, OP_PRCTL | OP_OPTIONAL | OP_IF_FAILED, a, sizeof(*mm));
	op->flags = PR_SET_MM;
	op->arg = PR_SET_MM_MAP;
	op = add_op(lay, OP_PRCTL | OP_OPTIONAL, 0, 0);
	op->flags = PR_SET_NAME;
	carve_string(c, im->comm ? im->comm : last_part(im->execfn), &op->arg);

	if (lay->drop_caps)
		drop_caps(lay, c);
	add_op(lay, OP_CLOSE, 0, 0)->fd = im->fd;
	if (in->path)
		add_op(lay, OP_CLOSE, 0, 0)->fd = in->fd;
	/* under a debugger, the trap must not reach the program if it is
	 * passed on (handle SIGTRAP pass): stage2 ignores it while raising it */
	if (stop_at_entry)
		add_op(lay, OP_TRAP, 0, 0)->flags = being_traced() ? OP_TRAP_IGNORED : 0;
}

/* How big the hole must be: the blob, the phdr copy, stage2's stack, and
 * behind them the plan with everything it carries; then where it goes. */
void plan_hole(struct layout *lay, const struct image *im,
	       const struct image *in, const struct host *h,
	       const struct stack_image *st)
{
	uint64_t size;

	/* a munmap op per mapping now and per arena chunk, each maybe cut
	 * in pieces by every range that stays */
	lay->unmap_cap = (h->nmaps + MAX_ARENA_CHUNKS + 1) * (lay->nkept + 2);
	lay->blob_len = page_up(STAGE2_SIZE, h->page);
	lay->phdr_len = im->phdr_addr ? 0 :
		page_up(im->phnum * sizeof(Elf64_Phdr), h->page);
	lay->keep_len = lay->blob_len + lay->phdr_len + STAGE2_STACK;
	size = sizeof(struct plan) + 16 +
	       5 * strlen(im->execfn) + 32 +               /* name (escaped), comm */
	       (in->path ? 4 * strlen(in->path) + 16 : 0) + /* interpreter */
	       st->len + 16 +                              /* stack image */
	       2 * (sizeof(struct prctl_mm_map) + 16) +
	       (lay->nops + 10 + (lay->drop_caps ? DROP_CAPS_OPS : 0)) *
	       sizeof(struct op) + 16 +                    /* ops and ours */
	       (lay->drop_caps ? CAPSET_ARGS : 0) +        /* capset's, carved */
	       lay->unmap_cap * sizeof(struct op) + 16;
	/* what stays mapped goes where the hole starts, and the hole's
	 * place follows its size: in steps of HOLE_PLAN_STEP, so that a
	 * slightly larger environment (gdb adds LINES and COLUMNS) leaves
	 * the program's layout as it is */
	place_hole(lay, h, lay->keep_len + page_up(size, HOLE_PLAN_STEP));
}

/* The program headers where no segment maps them: a copy in the hole,
 * which AT_PHDR then names. */
static void copy_phdrs(const struct layout *lay, char *hole, struct image *im,
		       struct stack_image *st)
{
	uint64_t *aux = (uint64_t *)(st->buf + (st->auxv - st->sp));

	im->phdr_addr = lay->hole_lo + lay->blob_len;
	memcpy(hole + lay->blob_len, im->ph, im->phnum * sizeof(Elf64_Phdr));
	for (; aux[0] != AT_NULL; aux += 2)
		if (aux[0] == AT_PHDR)
			aux[1] = im->phdr_addr;
}

/* The plan: where it starts, the ops after the segments, the unmaps. */
static uint64_t write_plan(struct layout *lay, struct carver *c,
			   const struct image *im, const struct image *in,
			   const struct stack_image *st, const struct host *h,
			   const struct options *o, uint64_t pc)
{
	uint64_t plan_addr;
	struct plan *plan = carve(c, sizeof(*plan), &plan_addr);

	plan->magic = PLAN_MAGIC;
	/* as stage1's messages show them: control characters escaped */
	carve_string(c, str_printf("%s", o->program), &plan->name);
	plan->interp_fd = -1;
	if (in->path) {
		carve_string(c, str_printf("%s", in->path), &plan->interp);
		plan->interp_fd = in->fd;
	}
	add_process_ops(lay, c, im, in, st, h, o->stop_at_entry);

	memcpy(carve(c, lay->nops * sizeof(struct op), &plan->ops), lay->ops,
	       lay->nops * sizeof(struct op));
	plan->nops = lay->nops;
	plan->entry = pc;
	plan->sp = st->sp;
	plan->call = !!o->entry;
	plan->drop = lay->hole_lo + lay->keep_len;
	plan->drop_len = lay->hole_hi - plan->drop;
	plan->nunmaps = plan_unmaps(carve(c, lay->unmap_cap * sizeof(struct op),
					  &plan->unmaps),
				    lay->unmap_cap, lay, h);
	return plan_addr;
}

void hand_over(struct layout *lay, struct image *im, const struct image *in,
	       struct stack_image *st, const struct host *h,
	       const struct options *o, uint64_t pc)
{
	char *hole = map_hole(lay);
	struct carver c = { hole + lay->keep_len, lay->hole_lo + lay->keep_len, 0,
			    lay->hole_hi - lay->hole_lo - lay->keep_len };
	uint64_t plan_addr;

	memcpy(hole, stage2_blob, stage2_blob_end - stage2_blob);
	if (lay->phdr_len)
		copy_phdrs(lay, hole, im, st);
	plan_addr = write_plan(lay, &c, im, in, st, h, o, pc);
	take_credentials(im);
	enter_stage2(lay, plan_addr);
}
