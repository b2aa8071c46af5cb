/* A program with a SIZE-byte initialized (file-backed, .data) array.
 * With "rss" it prints its resident set size in KiB; with "check" it
 * reads a byte of every page of the array (its first and last bytes
 * are set, the rest zero) and prints "ok" if each is right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIZE
#define SIZE 4096
#endif

volatile char data[SIZE] = { 1, [SIZE - 1] = 2 };	/* volatile: kept, and read for real */

static int check(void)
{
	for (long i = 4096; i < SIZE - 1; i += 4096)
		if (data[i])
			return 5;
	if (data[SIZE - 1] != 2)
		return 5;
	puts("ok");
	return 0;
}

int main(int argc, char **argv)
{
	char line[256];
	FILE *f;

	if (data[0] != 1)		/* touches the first page only */
		return 3;
	if (argc < 2)
		return 0;
	if (!strcmp(argv[1], "check"))
		return check();
	if (!(f = fopen("/proc/self/status", "r")))
		return 4;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			printf("%ld\n", strtol(line + 6, NULL, 10));
	fclose(f);
	return 0;
}
