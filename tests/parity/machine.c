/* machine: run a command on the machine a fuzz input describes, as far
 * as this one can take it (tests/fuzz/real.py, under parity -r).
 *
 *   machine ROOT UID EUID GID PERSONALITY NNP STACK AS DATA PATH ARGV...
 *
 * The resource limits STACK, AS and DATA (bytes, or "-": unlimited; soft
 * and hard alike), then the personality (hex), ROOT as the root
 * directory and the working one, no supplementary groups, real GID and
 * effective and saved GID (both GID: the harness's callers have one
 * group), real UID and effective and saved UID EUID, and with NNP 1 no
 * new privileges; then PATH with ARGV (ARGV[0] included) and this
 * environment. Run as root.
 * Exit status 127 and a line on stderr if a step fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "machine: %s: %s\n", what, strerror(errno));
	exit(127);
}

static void limit(int res, const char *v, const char *what)
{
	struct rlimit r;

	r.rlim_cur = r.rlim_max = strcmp(v, "-") ? strtoull(v, 0, 0) : RLIM_INFINITY;
	if (setrlimit(res, &r) < 0)
		die(what);
}

int main(int argc, char **argv)
{
	uid_t uid, euid;
	gid_t gid;

	if (argc < 12) {
		fprintf(stderr, "usage: machine ROOT UID EUID GID PERSONALITY NNP STACK AS DATA PATH ARGV...\n");
		return 127;
	}
	uid = (uid_t)strtoul(argv[2], 0, 0);
	euid = (uid_t)strtoul(argv[3], 0, 0);
	gid = (gid_t)strtoul(argv[4], 0, 0);
	limit(RLIMIT_STACK, argv[7], "RLIMIT_STACK");
	limit(RLIMIT_AS, argv[8], "RLIMIT_AS");
	limit(RLIMIT_DATA, argv[9], "RLIMIT_DATA");
	if (personality(strtoul(argv[5], 0, 16)) < 0)
		die("personality");
	if (chroot(argv[1]) < 0 || chdir("/") < 0)
		die(argv[1]);
	if (setgroups(0, 0) < 0 || setresgid(gid, gid, gid) < 0)
		die("the group IDs");
	if (setresuid(uid, euid, euid) < 0)
		die("the user IDs");
	if (!strcmp(argv[6], "1") && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	execv(argv[10], argv + 11);
	die(argv[10]);
}
