/* Buffered, printf-shaped output for a program without libc. Understands
 * %s %c %d %ld %u %lu %x %lx with an optional '0' flag, width and '-'.
 * What %s prints comes from outside: its control characters are escaped. */
#include "stage1.h"

const char *die_prefix = "";
const char *die_context;

void out_flush(struct out *o)
{
	if (o->fd < 0)
		return; /* a string: keep the first 4 KiB */
	write_all(o->fd, o->buf, o->n);
	o->n = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	while (n--) {
		if (o->n == sizeof(o->buf) - 1) {
			if (o->fd < 0)
				return;
			out_flush(o);
		}
		o->buf[o->n++] = *s++;
	}
}

/* A string from outside (a path, an argument) as text: its control
 * characters, which would break a one-line message or a --map row, as
 * \n, \t or \xNN. Returns its length so; with !o, only measures. */
static size_t put_text(struct out *o, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[4] = { '\\', c == '\n' ? 'n' : c == '\t' ? 't' : 'x',
			      "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15] };
		size_t k = e[1] == 'x' ? 4 : 2;

		if (c >= 0x20 && c != 0x7f) {
			e[0] = (char)c;
			k = 1;
		}
		if (o)
			put(o, e, k);
		n += k;
	}
	return n;
}

static void pad(struct out *o, char c, long n)
{
	while (n-- > 0)
		put(o, &c, 1);
}

void out_vprintf(struct out *o, const char *fmt, va_list ap)
{
	char num[24];

	for (; *fmt; fmt++) {
		int zero = 0, left = 0, lng = 0;
		long width = 0;
		size_t n = 0;
		const char *s = num;

		if (*fmt != '%') {
			put(o, fmt, 1);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++)
			*fmt == '0' ? (zero = 1) : (left = 1);
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		for (; *fmt == 'l'; fmt++)
			lng = 1;
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = put_text(0, s);
			if (!left)
				pad(o, ' ', width - (long)n);
			put_text(o, s);
			if (left)
				pad(o, ' ', width - (long)n);
			continue;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			n = 1;
			break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0) {
				num[n++] = '-';
				v = -v;
			}
			n += fmt_dec(num + n, (uint64_t)v);
			break;
		}
		case 'u':
			n = fmt_dec(num, lng ? va_arg(ap, unsigned long)
					     : va_arg(ap, unsigned int));
			break;
		case 'x':
			n = fmt_hex(num, lng ? va_arg(ap, unsigned long)
					     : va_arg(ap, unsigned int), 1);
			break;
		default:
			put(o, fmt, 1);
			continue;
		}
		if (!left)
			pad(o, zero ? '0' : ' ', width - (long)n);
		put(o, s, n);
		if (left)
			pad(o, ' ', width - (long)n);
	}
}

size_t out_width(const char *s)
{
	return put_text(0, s);
}

void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

/* "elfload: PROGRAM: [context: ]" then the message and a newline. */
static void say(const char *fmt, va_list ap)
{
	struct out o = { .fd = 2 };

	out_printf(&o, "elfload: %s: ", die_prefix);
	if (die_context)
		out_printf(&o, "%s: ", die_context);
	out_vprintf(&o, fmt, ap);
	put(&o, "\n", 1);
	out_flush(&o);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	sys_exit(code);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

void usage_error(const char *fmt, ...)
{
	struct out o = { .fd = 2 };
	va_list ap;

	out_printf(&o, "elfload: ");
	va_start(ap, fmt);
	out_vprintf(&o, fmt, ap);
	va_end(ap);
	out_printf(&o, "\nTry 'elfload --help' for more information.\n");
	out_flush(&o);
	sys_exit(EXIT_USAGE);
}
