/*
 * runtime: time commands, interleaved, with CLOCK_MONOTONIC.
 *
 *   runtime [-e STATUS] ROUNDS CMD1 [ARGS...] [:: CMD2 [ARGS...]]...
 *
 * Each round runs every command once (the starting command rotates from
 * round to round, so no command is always first) and prints one line with
 * the wall time of each run, in microseconds, in command order. A run is
 * fork + execve + waitpid, timed from just before fork to just after
 * waitpid. The children's stdout goes to /dev/null; stderr is kept. Every
 * run must exit with STATUS (default 0), or runtime stops with status 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double run(char **argv, int devnull, int expect)
{
	double t0 = now_us(), t1;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		dup2(devnull, 1);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != expect) {
		fprintf(stderr, "runtime: '%s", argv[0]);
		for (char **a = argv + 1; *a; a++)
			fprintf(stderr, " %s", *a);
		if (WIFEXITED(status))
			fprintf(stderr, "' exited with %d, expected %d\n",
				WEXITSTATUS(status), expect);
		else
			fprintf(stderr, "' killed by signal %d\n", WTERMSIG(status));
		exit(1);
	}
	return t1 - t0;
}

int main(int argc, char **argv)
{
	char **cmd[64];
	int ncmd = 0, expect = 0, rounds, devnull;

	if (argc > 2 && !strcmp(argv[1], "-e")) {
		expect = atoi(argv[2]);
		argv += 2, argc -= 2;
	}
	if (argc < 3 || (rounds = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: runtime [-e STATUS] ROUNDS CMD [ARGS...] [:: CMD [ARGS...]]...\n");
		return 2;
	}
	cmd[ncmd++] = argv + 2;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "::")) {
			argv[i] = NULL;
			if (ncmd == 64 || i + 1 >= argc) {
				fprintf(stderr, "runtime: bad command list\n");
				return 2;
			}
			cmd[ncmd++] = argv + i + 1;
		}
	devnull = open("/dev/null", O_WRONLY);
	if (devnull < 0) {
		perror("/dev/null");
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		double t[64];

		for (int k = 0; k < ncmd; k++) {
			int c = (r + k) % ncmd;

			t[c] = run(cmd[c], devnull, expect);
		}
		for (int c = 0; c < ncmd; c++)
			printf("%.1f%c", t[c], c + 1 < ncmd ? ' ' : '\n');
	}
	return 0;
}
