/* --entry SYMBOL: a function's address from the program's .symtab or
 * .dynsym, read from the file (they need not be in any segment), and the
 * warning that the C library's start-up is skipped when it matters. */
#include "stage1.h"

/* The address of `name`: a number, or a function in .symtab/.dynsym. */
uint64_t find_symbol(const struct image *im, const char *name)
{
	const Elf64_Ehdr *e = &im->eh;
	uint64_t shnum = e->e_shnum, v = 0;
	Elf64_Shdr *sh;
	const char *end = parse_u64(name, 0, &v);

	if (end && !*end)
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

/* --entry skips the C library's start-up and the dynamic linker: say so
 * when the program has what only they set up, before it crashes on it. */
void warn_entry(const struct options *o, const struct image *im, const struct image *in)
{
	if (!o->entry || (!im->has_tls && !in->path))
		return;
	warn("warning: --entry %s skips the C library's start-up%s%s%s", o->entry,
	     im->has_tls ? ", which sets up thread-local storage (PT_TLS; errno, stdio "
			   "and the stack protector use it)" : "",
	     im->has_tls && in->path ? "," : "",
	     in->path ? " and the dynamic linker: nothing from a shared library may be called" : "");
}
