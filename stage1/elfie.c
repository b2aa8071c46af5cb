/*
 * pinball2elf's ELFies map most of their captured memory themselves: their
 * start-up code opens argv[0] and, page by page, munmaps and mmaps
 * (MAP_FIXED) what sections named ".pbdmap.ADDR" and ".pbstck.ADDR" hold
 * (pinball2elf's lit2elf.cpp; ADDR in lowercase hex, the sections not
 * allocated, sh_addr and sh_size their range). No program header names
 * those pages, so elfload would not know to keep them free: these ranges
 * are reserved as --reserve ranges are.
 */
#include "stage1.h"

static int elfie_section(const char *name)
{
	return !memcmp(name, ".pbdmap.", 8) || !memcmp(name, ".pbstck.", 8);
}

/* Could a section hold captured pages? Those are not allocated but have
 * an address, which no ordinary non-allocated section (.symtab,
 * .comment, .debug_*) has. */
static int captured(const Elf64_Shdr *s)
{
	return !(s->sh_flags & SHF_ALLOC) && s->sh_addr && s->sh_size &&
	       s->sh_addr + s->sh_size > s->sh_addr;
}

static int any_captured(const Elf64_Shdr *sh, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (captured(&sh[i]))
			return 1;
	return 0;
}

/* The section headers and their string table, or 0 when there are none
 * or they do not fit the file: they are not needed to run. */
static Elf64_Shdr *read_sections(const struct image *im, uint64_t *n, char **names,
				 uint64_t *names_len)
{
	const Elf64_Ehdr *e = &im->eh;
	Elf64_Shdr *sh;
	const Elf64_Shdr *str;

	*n = e->e_shnum;
	if (!e->e_shoff || e->e_shentsize != sizeof(Elf64_Shdr) || !*n ||
	    e->e_shoff > im->size || *n > (im->size - e->e_shoff) / sizeof(Elf64_Shdr) ||
	    e->e_shstrndx >= *n)
		return 0;
	sh = xalloc(*n * sizeof(*sh));
	if (pread_full(im->fd, sh, *n * sizeof(*sh), e->e_shoff) != (long)(*n * sizeof(*sh)))
		return 0;
	if (!any_captured(sh, *n))
		return 0;   /* the common case: no need to read the names */
	str = &sh[e->e_shstrndx];
	if (str->sh_offset > im->size || str->sh_size > im->size - str->sh_offset)
		return 0;
	*names_len = str->sh_size;
	*names = xalloc(*names_len + 1);
	if (pread_full(im->fd, *names, *names_len, str->sh_offset) != (long)*names_len)
		return 0;
	return sh;
}

void find_own_pages(struct image *im)
{
	uint64_t n, len = 0;
	char *names = 0;
	Elf64_Shdr *sh = read_sections(im, &n, &names, &len);

	for (uint64_t i = 0; sh && i < n; i++) {
		const Elf64_Shdr *s = &sh[i];

		if (!captured(s) || s->sh_name >= len || len - s->sh_name < 9 ||
		    !elfie_section(names + s->sh_name))
			continue;
		if (!im->own)
			im->own = xalloc(n * sizeof(*im->own));
		im->own[im->nown++] = (struct range){ s->sh_addr, s->sh_addr + s->sh_size,
						      names + s->sh_name, 0 };
	}
}
