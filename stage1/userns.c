/*
 * --userns: the program runs in a user namespace of its own, with its user
 * and group IDs mapped to themselves. There elfload holds every
 * capability, which is what PR_SET_MM_MAP wants before it lets
 * /proc/PID/exe name the program (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 * in the caller's user namespace); stage2 then drops them all, bounding
 * and ambient sets included, before the program's first instruction.
 *
 * What the program sees differently (README, "What the program sees"):
 * files and groups of IDs outside the map show as the overflow IDs
 * (nobody, nogroup), setgroups() is denied, and a set-user-ID program it
 * starts runs with the caller's IDs.
 */
#include <linux/capability.h>
#include <linux/sched.h>
#include "stage1.h"

/* Writes text to a /proc/self file, as a user namespace is set up: in one
 * write, as the kernel takes an ID map only whole. */
static long write_proc(const char *path, const char *text)
{
	long fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return fd;
	r = sys_write((int)fd, text, strlen(text));
	sys_close((int)fd);
	return r < 0 ? r : 0;
}

void enter_userns(void)
{
	uint32_t ruid, euid, suid, rgid, egid, sgid;
	long r;

	if (sys_getresuid(&ruid, &euid, &suid) < 0 || sys_getresgid(&rgid, &egid, &sgid) < 0)
		die(EXIT_CANNOT, "--userns: cannot read our IDs");
	r = sys_unshare(CLONE_NEWUSER);
	if (r < 0)
		die(EXIT_CANNOT, "--userns: cannot make a user namespace: %s", errno_name(r));
	/* only a map of the effective IDs may be written without privilege
	 * in the parent namespace, and only once setgroups is denied */
	if ((r = write_proc("/proc/self/setgroups", "deny")) < 0 ||
	    (r = write_proc("/proc/self/uid_map", str_printf("%u %u 1\n", euid, euid))) < 0 ||
	    (r = write_proc("/proc/self/gid_map", str_printf("%u %u 1\n", egid, egid))) < 0)
		die(EXIT_CANNOT, "--userns: cannot map our IDs in the user namespace: %s",
		    errno_name(r));
}

/* Every capability goes once the exe link is set: the bounding set (one
 * op per capability; those this kernel does not have fail, harmlessly),
 * the ambient set, then the effective, permitted and inheritable sets. */
void add_drop_caps(struct layout *lay, uint64_t hdr_addr, uint64_t data_addr)
{
	struct op *op;

	for (int cap = 0; cap < CAPS_TO_DROP; cap++) {
		op = add_op(lay, OP_PRCTL | OP_OPTIONAL, 0, 0);
		op->flags = PR_CAPBSET_DROP;
		op->arg = (uint64_t)cap;
	}
	op = add_op(lay, OP_PRCTL | OP_OPTIONAL, 0, 0);
	op->flags = PR_CAP_AMBIENT;
	op->arg = PR_CAP_AMBIENT_CLEAR_ALL;
	op = add_op(lay, OP_CAPSET, hdr_addr, 0);
	op->arg = data_addr;
}
