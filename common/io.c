/* Whole reads and writes for both stages (see lib.h). */
#include "lib.h"

void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		long r = sys_write(fd, buf, n);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			return;
		buf += r;
		n -= r;
	}
}

long pread_full(int fd, void *buf, uint64_t n, uint64_t off)
{
	char *p = buf;

	while (n) {
		long r = sys_pread(fd, p, n, off);

		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			break;
		p += r;
		off += r;
		n -= r;
	}
	return p - (char *)buf;
}
