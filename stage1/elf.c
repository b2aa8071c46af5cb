/* Finding, opening and validating the program. Everything the kernel
 * would refuse, and everything that would make stage2 fail half-way, is
 * refused here with one line naming what is wrong. */
#include <linux/stat.h>
#include "elfload.h"

extern char **environ_;

/* Opens path if it is an executable regular file; else returns -errno.
 * The type and size come from the open descriptor: qemu-user translates
 * paths (-L) for open and access, not for every stat call. */
static long open_executable(const char *path, uint64_t *size)
{
	struct statx st;
	long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return fd;
	r = sys_statx((int)fd, "", AT_EMPTY_PATH,
		      STATX_TYPE | STATX_MODE | STATX_SIZE, &st);
	if (r >= 0 && (st.stx_mode & 0170000) == 0040000)
		r = -EISDIR;
	if (r >= 0) {   /* may we execute what we opened? */
		r = sys_faccessat2((int)fd, "", X_OK, AT_EMPTY_PATH);
		if (r == -ENOSYS || r == -EINVAL)   /* before Linux 5.8 */
			r = sys_faccessat(path, X_OK);
	}
	if (r >= 0 && (st.stx_mode & 0170000) != 0100000)
		r = -EACCES;
	if (r < 0) {
		sys_close((int)fd);
		return r;
	}
	*size = st.stx_size;
	return fd;
}

static const char *getenv_(const char *name)
{
	size_t n = strlen(name);
	char **e;

	for (e = environ_; *e; e++)
		if (!memcmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return 0;
}

/* PATH search with execvp's rules: a name with a slash is used as it is;
 * otherwise the first executable regular file along PATH wins, and a
 * non-executable match only decides the error if nothing else is found.
 * Returns the open descriptor or -errno. */
static long resolve(struct image *im, const char *name)
{
	const char *path = getenv_("PATH");
	size_t nlen = strlen(name);
	long first_err = -ENOENT;

	if (!*name)
		return -ENOENT;
	for (const char *p = name; *p; p++)
		if (*p == '/') {
			im->path = name;
			return open_executable(name, &im->size);
		}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = path;
		size_t dlen;
		char *cand;
		long fd;

		while (*colon && *colon != ':')
			colon++;
		dlen = colon - path;
		cand = xalloc(dlen + nlen + 3);
		if (dlen) {
			memcpy(cand, path, dlen);
			cand[dlen++] = '/';
		}
		memcpy(cand + dlen, name, nlen + 1);
		fd = open_executable(cand, &im->size);
		if (fd >= 0) {
			im->path = cand;
			return fd;
		}
		if (fd != -ENOENT && fd != -ENOTDIR && first_err == -ENOENT)
			first_err = fd;
		path = *colon ? colon + 1 : colon;
	}
	return first_err;
}

static void opened(struct image *im, long fd)
{
	if (fd < 0)
		die(fd == -ENOENT || fd == -ENOTDIR ? EXIT_MISSING : EXIT_CANNOT,
		    "%s", errno_name(fd));
	im->fd = (int)fd;
}

void open_program(struct image *im, const char *name)
{
	die_prefix = name;
	opened(im, resolve(im, name));
}

/* The interpreter is used by the path the program names, as the kernel
 * does: no PATH search, and it must be an executable regular file. */
void open_interp(struct image *im, const char *path)
{
	im->path = path;
	im->is_interp = 1;
	opened(im, open_executable(path, &im->size));
}

static void read_exact(const struct image *im, void *buf, uint64_t len,
		       uint64_t off, const char *what)
{
	char *p = buf;

	while (len) {
		long r = sys_pread(im->fd, p, len, off);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			die(EXIT_CANNOT, "cannot read %s: %s", what,
			    r ? errno_name(r) : "unexpected end of file");
		p += r;
		off += r;
		len -= r;
	}
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case 3:   return "i386";
	case 20:  return "ppc";
	case 21:  return "ppc64";
	case 22:  return "s390";
	case 40:  return "arm";
	case 62:  return "x86_64";
	case 183: return "aarch64";
	case 243: return "riscv";
	default:  return "unknown";
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
 * usable addresses. */
void check_placement(const struct image *im, struct host *h)
{
	uint64_t pg = h->layout_page;

	for (uint64_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];
		uint64_t end = s->vaddr + s->memsz;

		if (s->vaddr < im->bias || end < s->vaddr || end > UINT64_MAX - pg)
			die(EXIT_CANNOT, "PT_LOAD %u: base 0x%lx + address 0x%lx overflows",
			    s->index, im->bias, s->vaddr - im->bias);
		if (page_down(s->vaddr, pg) < mmap_min_addr(h, page_down(s->vaddr, pg)))
			die(EXIT_CANNOT, "PT_LOAD %u 0x%lx-0x%lx is below vm.mmap_min_addr (0x%lx)",
			    s->index, s->vaddr, end, h->min_addr);
		if (end > h->top)
			die(EXIT_CANNOT, "PT_LOAD %u 0x%lx-0x%lx is above the highest user address 0x%lx",
			    s->index, s->vaddr, end, h->top);
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
		if (p->p_filesz < 2 || p->p_filesz > 4096)
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

static void sort_segments(struct seg *s, uint64_t n)
{
	/* Program headers are sorted by p_vaddr in practice; insertion sort
	 * is linear then, and a shell-sort gap sequence keeps the rare
	 * unsorted table from going quadratic. */
	static const uint64_t gaps[] = { 1743, 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		uint64_t gap = gaps[g];

		for (uint64_t i = gap; i < n; i++) {
			struct seg t = s[i];
			uint64_t j = i;

			for (; j >= gap && s[j - gap].vaddr > t.vaddr; j -= gap)
				s[j] = s[j - gap];
			s[j] = t;
		}
	}
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

	sort_segments(im->segs, im->nsegs);
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

/* The address of `name`: a number, or a function in .symtab/.dynsym. */
uint64_t find_symbol(const struct image *im, const char *name)
{
	const Elf64_Ehdr *e = &im->eh;
	uint64_t shnum = e->e_shnum, v = 0;
	Elf64_Shdr *sh;
	const char *p = name;
	int base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2, base = 16;
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
			*p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : 99;

		if (d >= base)
			break;
		v = v * base + d;
	}
	if (!*p && p != name)
		return v;   /* an address is taken as it is, base included */

	if (!e->e_shoff || e->e_shentsize != sizeof(Elf64_Shdr))
		die(EXIT_CANNOT, "--entry %s: the program has no section headers", name);
	if (!shnum) {
		Elf64_Shdr sh0;

		read_exact(im, &sh0, sizeof(sh0), e->e_shoff, "section headers");
		shnum = sh0.sh_size;
	}
	if (e->e_shoff > im->size || shnum > (im->size - e->e_shoff) / sizeof(Elf64_Shdr))
		die(EXIT_CANNOT, "section headers are beyond the end of the file");
	sh = xalloc(shnum * sizeof(*sh));
	read_exact(im, sh, shnum * sizeof(*sh), e->e_shoff, "section headers");

	for (uint64_t i = 0; i < shnum; i++) {
		const Elf64_Shdr *ss = &sh[i], *st;
		size_t nlen = strlen(name);
		Elf64_Sym *syms;
		char *str;
		uint64_t n;

		if (ss->sh_type != SHT_SYMTAB && ss->sh_type != SHT_DYNSYM)
			continue;
		if (ss->sh_link >= shnum || ss->sh_entsize != sizeof(Elf64_Sym))
			continue;
		st = &sh[ss->sh_link];
		if (ss->sh_offset > im->size || ss->sh_size > im->size - ss->sh_offset ||
		    st->sh_offset > im->size || st->sh_size > im->size - st->sh_offset)
			die(EXIT_CANNOT, "symbol table is beyond the end of the file");
		syms = xalloc(ss->sh_size + 1);
		str = xalloc(st->sh_size + 1);
		read_exact(im, syms, ss->sh_size, ss->sh_offset, "symbol table");
		read_exact(im, str, st->sh_size, st->sh_offset, "string table");
		n = ss->sh_size / sizeof(Elf64_Sym);
		for (uint64_t k = 0; k < n; k++) {
			const Elf64_Sym *s = &syms[k];

			if (s->st_shndx == SHN_UNDEF || !s->st_value ||
			    s->st_name >= st->sh_size ||
			    st->sh_size - s->st_name < nlen + 1)
				continue;
			if (!memcmp(str + s->st_name, name, nlen + 1))
				return s->st_value + im->bias;
		}
	}
	die(EXIT_CANNOT, "--entry %s: no such symbol in the program", name);
}
