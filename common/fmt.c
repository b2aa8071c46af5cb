/* Numbers as text and back, for both stages (see lib.h). */
#include "lib.h"

size_t fmt_hex(char *buf, uint64_t v, int width)
{
	char tmp[16];
	size_t n = 0, i;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < (size_t)width && n < sizeof(tmp))
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t fmt_dec(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static int digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
}

const char *parse_u64(const char *s, int base, uint64_t *v)
{
	const char *p;

	if (!base) {
		base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
		if (base == 16)
			s += 2;
	}
	*v = 0;
	for (p = s; digit(*p) < base; p++) {
		uint64_t d = (uint64_t)digit(*p);

		if (*v > (UINT64_MAX - d) / (uint64_t)base)
			return 0;
		*v = *v * (uint64_t)base + d;
	}
	return p == s ? 0 : p;
}
