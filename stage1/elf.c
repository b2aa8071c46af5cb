/* Reading and validating an ELF file. Everything the kernel would
 * refuse, and everything that would make stage2 fail half-way, is refused
 * here with one line naming what is wrong. */
#include <linux/limits.h>
#include "stage1.h"

void read_exact(const struct image *im, void *buf, uint64_t n, uint64_t off,
		const char *what)
{
	long r = pread_full(im->fd, buf, n, off);

	if (r < 0 || (uint64_t)r != n)
		die(EXIT_CANNOT, "cannot read %s: %s", what,
		    r < 0 ? errno_name(r) : "unexpected end of file");
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_386:     return "i386";
	case EM_PPC:     return "ppc";
	case EM_PPC64:   return "ppc64";
	case EM_S390:    return "s390";
	case EM_ARM:     return "arm";
	case EM_X86_64:  return "x86_64";
	case EM_AARCH64: return "aarch64";
	case EM_RISCV:   return "riscv";
	default:         return "unknown";
	}
}

static void check_header(const struct image *im)
{
	const Elf64_Ehdr *e = &im->eh;

	if (e->e_ident[EI_CLASS] != ELFCLASS64)
		die(EXIT_CANNOT, "wrong ELF class: %s, elfload runs ELFCLASS64 programs",
		    e->e_ident[EI_CLASS] == ELFCLASS32 ? "ELFCLASS32" : "invalid");
	if (e->e_ident[EI_DATA] != ARCH_ELF_DATA)
		die(EXIT_CANNOT, "wrong byte order: %s, this machine is %s",
		    e->e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" :
		    e->e_ident[EI_DATA] == ELFDATA2LSB ? "little-endian" : "invalid",
		    ARCH_ELF_DATA == ELFDATA2LSB ? "little-endian" : "big-endian");
	if (e->e_ident[EI_VERSION] != EV_CURRENT || e->e_version != EV_CURRENT)
		die(EXIT_CANNOT, "unsupported ELF version %u", e->e_version);
	if (e->e_type == ET_REL)
		die(EXIT_CANNOT, "relocatable object (ET_REL), not an executable");
	if (e->e_type == ET_CORE)
		die(EXIT_CANNOT, "core file (ET_CORE), not an executable");
	if (e->e_type != ET_EXEC && e->e_type != ET_DYN)
		die(EXIT_CANNOT, "unsupported ELF type %u", e->e_type);
	if (e->e_machine != ARCH_ELF_MACHINE)
		die(EXIT_CANNOT, "wrong machine: built for %s (e_machine %u), this is %s",
		    machine_name(e->e_machine), e->e_machine, ARCH_NAME);
	if (e->e_phentsize != sizeof(Elf64_Phdr))
		die(EXIT_CANNOT, "bad e_phentsize %u (expected %u)",
		    e->e_phentsize, (unsigned)sizeof(Elf64_Phdr));
}

/* e_phnum == PN_XNUM: the real count is sh_info of section header 0. */
static uint64_t count_phdrs(const struct image *im)
{
	Elf64_Shdr sh0;

	if (im->eh.e_phnum != PN_XNUM)
		return im->eh.e_phnum;
	if (!im->eh.e_shoff || im->eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    im->eh.e_shoff > im->size ||
	    im->size - im->eh.e_shoff < sizeof(Elf64_Shdr))
		die(EXIT_CANNOT, "e_phnum is PN_XNUM but section header 0 is missing");
	read_exact(im, &sh0, sizeof(sh0), im->eh.e_shoff, "section header 0");
	return sh0.sh_info;
}

static void check_segment(const struct seg *s, const struct image *im,
			  const struct host *h, uint64_t align)
{
	uint64_t pg = h->layout_page, end = s->vaddr + s->memsz;

	if (s->filesz > s->memsz)
		die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: p_filesz 0x%lx exceeds p_memsz 0x%lx",
		    s->index, s->vaddr, s->filesz, s->memsz);
	if (s->off > im->size || s->filesz > im->size - s->off)
		die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: file data 0x%lx-0x%lx is beyond the end of the file (0x%lx bytes)",
		    s->index, s->vaddr, s->off, s->off + s->filesz, im->size);
	if (end < s->vaddr || end > UINT64_MAX - pg)
		die(EXIT_CANNOT, "PT_LOAD %u: address 0x%lx + size 0x%lx overflows",
		    s->index, s->vaddr, s->memsz);
	if (align > 1 && (align & (align - 1)))
		die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: p_align 0x%lx is not a power of two",
		    s->index, s->vaddr, align);
	if (align > 1 && (s->vaddr - s->off) % align)
		die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: p_offset 0x%lx and p_vaddr are not congruent modulo p_align 0x%lx",
		    s->index, s->vaddr, s->off, align);
}

/* Where the segments ended up (ET_DYN: after the base was chosen) must be
 * below the highest user address, in the pages they are laid out in.
 * Whether the lowest may be mapped the kernel answers at the end
 * (limits.c). */
void check_placement(const struct image *im, struct host *h)
{
	uint64_t L = h->layout_page;

	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];
		uint64_t end = s->vaddr + s->memsz;

		if (s->vaddr < im->bias || end < s->vaddr || end > UINT64_MAX - L)
			die(EXIT_CANNOT, "PT_LOAD %u: base 0x%lx + address 0x%lx overflows",
			    s->index, im->bias, s->vaddr - im->bias);
		if (page_up(end, L) <= h->window)
			continue;
		if (end > user_top(h))
			die(EXIT_CANNOT, "PT_LOAD %u 0x%lx-0x%lx is above the highest user address 0x%lx",
			    s->index, s->vaddr, end, h->top);
		if (page_up(end, L) > h->top)
			die(EXIT_CANNOT, "--page-size %s: PT_LOAD %u 0x%lx-0x%lx ends a 0x%lx-byte page at 0x%lx, above the highest user address 0x%lx",
			    h->layout_page_arg, s->index, s->vaddr, end, L,
			    page_up(end, L), h->top);
	}
}

/* ET_DYN: everything moves by the chosen base. */
void relocate(struct image *im, uint64_t bias)
{
	im->bias = bias;
	for (uint64_t i = 0; i < im->nsegs; i++)
		im->segs[i].vaddr += bias;
	if (im->phdr_addr)
		im->phdr_addr += bias;
	im->entry += bias;
}

/* PT_INTERP: the path of the program's interpreter, or 0. */
static const char *read_interp(const struct image *im)
{
	for (uint64_t i = 0; i < im->phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		char *path;

		if (p->p_type != PT_INTERP)
			continue;
		if (p->p_filesz < 2 || p->p_filesz > PATH_MAX)
			die(EXIT_CANNOT, "bad PT_INTERP size %lu", (uint64_t)p->p_filesz);
		if (p->p_offset > im->size || p->p_filesz > im->size - p->p_offset)
			die(EXIT_CANNOT, "PT_INTERP is beyond the end of the file");
		path = xalloc(p->p_filesz + 1);
		read_exact(im, path, p->p_filesz, p->p_offset, "PT_INTERP");
		if (path[p->p_filesz - 1] || strlen(path) != p->p_filesz - 1)
			die(EXIT_CANNOT, "PT_INTERP is not a NUL-terminated path");
		return path;
	}
	return 0;
}

static void find_phdr_addr(struct image *im)
{
	uint64_t lo = im->eh.e_phoff, hi = lo + im->phnum * sizeof(Elf64_Phdr);

	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (s->off <= lo && hi <= s->off + s->filesz) {
			im->phdr_addr = s->vaddr + (lo - s->off);
			return;
		}
	}
}

void load_elf(struct image *im, struct host *h)
{
	unsigned char *id = im->eh.e_ident;
	uint64_t tablen;

	if (im->size < 4)
		die(EXIT_CANNOT, "not an ELF file");
	read_exact(im, &im->eh,
		   im->size < sizeof(im->eh) ? im->size : sizeof(im->eh), 0,
		   "ELF header");
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		die(EXIT_CANNOT, "not an ELF file");
	if (im->size < sizeof(im->eh))
		die(EXIT_CANNOT, "truncated ELF header (%lu bytes)", im->size);
	check_header(im);

	im->phnum = count_phdrs(im);
	tablen = im->phnum * sizeof(Elf64_Phdr);
	if (im->eh.e_phoff > im->size || tablen > im->size - im->eh.e_phoff)
		die(EXIT_CANNOT, "program headers 0x%lx-0x%lx are beyond the end of the file (0x%lx bytes)",
		    (uint64_t)im->eh.e_phoff, (uint64_t)im->eh.e_phoff + tablen, im->size);
	im->ph = xalloc(tablen + 1);
	read_exact(im, im->ph, tablen, im->eh.e_phoff, "program headers");

	im->interp = read_interp(im);
	if (im->is_interp && im->eh.e_type != ET_DYN)
		die(EXIT_CANNOT, "not a shared object (ET_DYN), cannot be an interpreter");
	if (im->is_interp && im->interp)
		die(EXIT_CANNOT, "has an interpreter of its own (%s)", im->interp);

	im->segs = xalloc(im->phnum * sizeof(struct seg) + 1);
	im->stack_flags = PF_R | PF_W;
	for (uint64_t i = 0; i < im->phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		struct seg *s = &im->segs[im->nsegs];

		if (p->p_type == PT_GNU_STACK)
			im->stack_flags = p->p_flags & (PF_R | PF_W | PF_X);
		if (p->p_type == PT_TLS)
			im->has_tls = 1;
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		s->vaddr = p->p_vaddr;
		s->memsz = p->p_memsz;
		s->filesz = p->p_filesz;
		s->off = p->p_offset;
		s->flags = p->p_flags & (PF_R | PF_W | PF_X);
		s->index = (uint32_t)i;
		s->fd = im->fd;
		s->owner = im->is_interp ? im->path : 0;
		check_segment(s, im, h, p->p_align);
		if (p->p_align > im->align)
			im->align = p->p_align;
		im->nsegs++;
	}
	if (!im->nsegs)
		die(EXIT_CANNOT, "no PT_LOAD segment");

	sort_by_u64(im->segs, im->nsegs, sizeof(struct seg), offsetof(struct seg, vaddr));
	for (uint64_t i = 1; i < im->nsegs; i++) {
		const struct seg *a = &im->segs[i - 1], *b = &im->segs[i];

		if (b->vaddr < a->vaddr + a->memsz)
			die(EXIT_CANNOT, "PT_LOAD %u 0x%lx-0x%lx overlaps PT_LOAD %u 0x%lx-0x%lx",
			    b->index, b->vaddr, b->vaddr + b->memsz,
			    a->index, a->vaddr, a->vaddr + a->memsz);
	}
	find_phdr_addr(im);
	im->entry = im->eh.e_entry;
	if (im->eh.e_type == ET_EXEC)
		check_placement(im, h);
}

/* The program must start inside an executable segment: anywhere else it
 * would die by a signal on its first instruction. */
void check_entry(const struct image *im, uint64_t pc, const char *what)
{
	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (pc >= s->vaddr && pc < s->vaddr + s->memsz) {
			if (!(s->flags & PF_X))
				die(EXIT_CANNOT, "%s 0x%lx is in PT_LOAD %u, which is not executable",
				    what, pc, s->index);
			return;
		}
	}
	die(EXIT_CANNOT, "%s 0x%lx is outside every PT_LOAD segment", what, pc);
}
