/* Reading and validating an ELF file. Everything the kernel would
 * refuse, and everything that would make stage2 fail half-way, is refused
 * here with one line naming what is wrong. */
#include <linux/limits.h>
#include "stage1.h"

void read_exact(const struct image *im, void *buf, uint64_t n, uint64_t off,
		const char *what)
{
	long r = pread_full(im->fd, buf, n, off);

	if (r >= 0 && (uint64_t)r != n)
		stream_ends_early(im, what, off, n);
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

/* Why a file is not for this machine, in words: what elf_check_arch
 * refused, and what else the header says about where it is from. */
static void die_not_ours(const Elf64_Ehdr *e)
{
	unsigned char cls = e->e_ident[EI_CLASS], data = e->e_ident[EI_DATA];

	if (cls == ELFCLASS32)
		die(EXIT_CANNOT, "wrong ELF class: ELFCLASS32, elfload runs ELFCLASS64 programs");
	if (data != ARCH_ELF_DATA && (data == ELFDATA2LSB || data == ELFDATA2MSB))
		die(EXIT_CANNOT, "wrong byte order: %s, this machine is %s",
		    data == ELFDATA2MSB ? "big-endian" : "little-endian",
		    ARCH_ELF_DATA == ELFDATA2LSB ? "little-endian" : "big-endian");
	if (e->e_machine != ARCH_ELF_MACHINE && e->e_machine != ARCH_ELF_MACHINE_OLD)
		die(EXIT_CANNOT, "wrong machine: built for %s (e_machine %u), this is %s",
		    machine_name(e->e_machine), e->e_machine, ARCH_NAME);
	die(EXIT_CANNOT, "wrong ELF class: invalid (%u), elfload runs ELFCLASS64 programs", cls);
}

/* What the kernel's load_elf_binary checks of the header, and no more:
 * the type, elf_check_arch (e_machine, and on some machines EI_CLASS;
 * never EI_DATA, EI_VERSION or e_version), e_phentsize. */
static void check_header(const struct image *im)
{
	const Elf64_Ehdr *e = &im->eh;

	/* the machine first: in another's file the type reads as garbage */
	if ((e->e_machine != ARCH_ELF_MACHINE && e->e_machine != ARCH_ELF_MACHINE_OLD) ||
	    (ARCH_CHECKS_ELF_CLASS && e->e_ident[EI_CLASS] != ELFCLASS64))
		die_not_ours(e);
	if (e->e_type == ET_REL)
		die(EXIT_CANNOT, "relocatable object (ET_REL), not an executable");
	if (e->e_type == ET_CORE)
		die(EXIT_CANNOT, "core file (ET_CORE), not an executable");
	if (e->e_type != ET_EXEC && e->e_type != ET_DYN)
		die(EXIT_CANNOT, "unsupported ELF type %u", e->e_type);
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

/* What the kernel refuses of a PT_LOAD, or kills the process for once
 * it has mapped it; elfload refuses it in one line. p_align is not
 * looked at: the kernel ignores one that is not a power of two and asks
 * no congruence modulo it, only modulo the page (elfload copies what is
 * not). Data past the end of the file are mapped as the kernel maps
 * them (segments.c). */
static void check_segment(const struct seg *s, const struct host *h)
{
	uint64_t pg = h->layout_page, end = s->vaddr + s->memsz;

	if (s->off + s->filesz < s->off)
		die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: file data at 0x%lx + 0x%lx overflow",
		    s->index, s->vaddr, s->off, s->filesz);
	if (end < s->vaddr || end > UINT64_MAX - pg)
		die(EXIT_CANNOT, "PT_LOAD %u: address 0x%lx + size 0x%lx overflows",
		    s->index, s->vaddr, s->memsz);
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

/* PT_INTERP: the path of the program's interpreter, or 0. As for the
 * kernel, the last byte must be NUL and the path ends at the first. */
static const char *read_interp(const struct image *im)
{
	for (uint64_t i = 0; i < im->phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		char *path;

		if (p->p_type != PT_INTERP)
			continue;
		if (p->p_filesz < 2 || p->p_filesz > PATH_MAX)
			die(EXIT_CANNOT, "bad PT_INTERP size %lu", (uint64_t)p->p_filesz);
		if (p->p_offset > im->size || p->p_filesz > im->size - p->p_offset) {
			stream_ends_early(im, "PT_INTERP", p->p_offset, p->p_filesz);
			die(EXIT_CANNOT, "PT_INTERP is beyond the end of the file");
		}
		path = xalloc(p->p_filesz + 1);
		read_exact(im, path, p->p_filesz, p->p_offset, "PT_INTERP");
		if (path[p->p_filesz - 1])
			die(EXIT_CANNOT, "PT_INTERP is not a NUL-terminated path");
		return path;
	}
	return 0;
}

/* AT_PHDR as the kernel finds it: the last PT_LOAD, in header order,
 * whose file data hold the table's first byte (its end need not be in
 * them). None: elfload maps a copy (handover.c). */
static void find_phdr_addr(struct image *im)
{
	uint64_t lo = im->eh.e_phoff, best = UINT64_MAX;

	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (s->off <= lo && lo - s->off < s->filesz &&
		    (best == UINT64_MAX || s->index > im->segs[best].index))
			best = i;
	}
	if (best != UINT64_MAX)
		im->phdr_addr = im->segs[best].vaddr + (lo - im->segs[best].off);
}

/* The highest address an image's segments reach. */
uint64_t image_end(const struct image *im)
{
	uint64_t end = 0;

	for (uint64_t i = 0; i < im->nsegs; i++)
		if (im->segs[i].vaddr + im->segs[i].memsz > end)
			end = im->segs[i].vaddr + im->segs[i].memsz;
	return end;
}

/* The header as the kernel reads it: the file's first bytes, zeros
 * past its end. */
static void read_header(struct image *im)
{
	unsigned char *id = im->eh.e_ident;

	if (im->size < 4)
		die(EXIT_CANNOT, "not an ELF file");
	read_exact(im, &im->eh,
		   im->size < sizeof(im->eh) ? im->size : sizeof(im->eh), 0,
		   "ELF header");
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		die(EXIT_CANNOT, "not an ELF file");
	if (im->size < sizeof(im->eh))
		stream_ends_early(im, "ELF header", 0, sizeof(im->eh));
	check_header(im);
}

/* A PT_LOAD that maps nothing still must lie below the highest user
 * address: the kernel checks p_vaddr, and kills the process if not. */
static void check_empty_load(const Elf64_Phdr *p, uint64_t i, struct host *h)
{
	if (p->p_vaddr >= h->window && p->p_vaddr >= user_top(h))
		die(EXIT_CANNOT, "PT_LOAD %lu at 0x%lx is above the highest user address 0x%lx",
		    i, (uint64_t)p->p_vaddr, h->top);
}

static void read_segments(struct image *im, struct host *h)
{
	im->segs = xalloc(im->phnum * sizeof(struct seg) + 1);
	im->stack_flags = PF_R | PF_W;
	for (uint64_t i = 0; i < im->phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		struct seg *s = &im->segs[im->nsegs];

		if (p->p_type == PT_GNU_STACK)
			im->stack_flags = p->p_flags & (PF_R | PF_W | PF_X);
		if (p->p_type == PT_TLS)
			im->has_tls = 1;
		if (p->p_type != PT_LOAD)
			continue;
		*s = (struct seg){ .vaddr = p->p_vaddr, .memsz = p->p_memsz,
				   .filesz = p->p_filesz, .off = p->p_offset,
				   .flags = p->p_flags & (PF_R | PF_W | PF_X),
				   .index = (uint32_t)i, .fd = im->fd, .fsize = im->size,
				   .owner = im->is_interp ? im->path : 0 };
		if (s->filesz > s->memsz)
			die(EXIT_CANNOT, "PT_LOAD %u at 0x%lx: p_filesz 0x%lx exceeds p_memsz 0x%lx",
			    s->index, s->vaddr, s->filesz, s->memsz);
		if (!p->p_memsz) {
			check_empty_load(p, i, h);
			continue;
		}
		check_segment(s, h);
		/* the kernel skips an alignment that is not a power of two */
		if (p->p_align > im->align && !(p->p_align & (p->p_align - 1)))
			im->align = p->p_align;
		im->nsegs++;
	}
	if (!im->nsegs)
		die(EXIT_CANNOT, "no PT_LOAD segment");
	/* by address; segments may overlap, as the kernel maps each over
	 * the ones before it (segments.c) */
	sort_by_u64(im->segs, im->nsegs, sizeof(struct seg), offsetof(struct seg, vaddr));
}

void load_elf(struct image *im, struct host *h)
{
	uint64_t tablen;

	read_header(im);
	im->phnum = count_phdrs(im);
	tablen = im->phnum * sizeof(Elf64_Phdr);
	if (im->eh.e_phoff > im->size || tablen > im->size - im->eh.e_phoff) {
		stream_ends_early(im, "program headers", im->eh.e_phoff, tablen);
		die(EXIT_CANNOT, "program headers 0x%lx-0x%lx are beyond the end of the file (0x%lx bytes)",
		    (uint64_t)im->eh.e_phoff, (uint64_t)im->eh.e_phoff + tablen, im->size);
	}
	im->ph = xalloc(tablen + 1);
	read_exact(im, im->ph, tablen, im->eh.e_phoff, "program headers");

	im->interp = read_interp(im);
	/* the kernel would ignore it, and start an interpreter that needs
	 * one: it dies at once (README: What the program sees) */
	if (im->is_interp && im->interp)
		die(EXIT_CANNOT, "has an interpreter of its own (%s)", im->interp);
	read_segments(im, h);
	find_phdr_addr(im);
	im->entry = im->eh.e_entry;
	if (im->eh.e_type == ET_EXEC)
		check_placement(im, h);
}

/* The program must start inside an executable segment, on a page that
 * stays executable: anywhere else it would die by a signal on its first
 * instruction. */
void check_entry(const struct image *im, uint64_t pc, const char *what, uint64_t L)
{
	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (pc < s->vaddr || pc - s->vaddr >= s->memsz)
			continue;
		if (planned_prot(im, pc, L) & PROT_EXEC)
			return;
		if (!(s->flags & PF_X))
			die(EXIT_CANNOT, "%s 0x%lx is in PT_LOAD %u, which is not executable",
			    what, pc, s->index);
		die(EXIT_CANNOT, "%s 0x%lx is in PT_LOAD %u, on a page another PT_LOAD maps over without PF_X",
		    what, pc, s->index);
	}
	die(EXIT_CANNOT, "%s 0x%lx is outside every PT_LOAD segment", what, pc);
}
