/*
 * Whose rights the program runs with: exactly those execve would give it.
 *
 * The kernel runs a set-user-ID file with its owner as effective user
 * (a set-group-ID file with S_IXGRP: its group as effective group), and
 * sets AT_SECURE when the effective IDs then differ from the real ones.
 * It ignores the bits on a nosuid mount and under no_new_privs, and a
 * process traced by someone without the privilege to change IDs keeps
 * its own. A file with capabilities (security.capability) gains those.
 *
 * elfload gives the same IDs where it may: with CAP_SETUID/CAP_SETGID, or
 * when the IDs are among its own already. Where it may not (a set-user-ID
 * root program run by a user, a file with capabilities), it refuses:
 * never a program with rights other than the kernel's.
 */
#include <asm/statfs.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/personality.h>
#include <linux/stat.h>
#include "stage1.h"

/* statfs(2) reports mount flags with MS_*'s bits */
#define ST_NOSUID MS_NOSUID

int capable(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (sys_capget(&hdr, data) < 0)
		return 0;
	return !!(data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

/* Does the kernel ignore the file's set-ID bits and capabilities here? */
static int setid_ignored(const struct image *im)
{
	struct statfs fs;

	if (sys_fstatfs(im->fd, &fs) == 0 && (fs.f_flags & ST_NOSUID))
		return 1;
	return sys_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

/* "TracerPid:\t123" in /proc/self/status: someone ptraces us. */
int being_traced(void)
{
	static const char key[] = "\nTracerPid:\t";
	char buf[4096];
	long fd = sys_openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return 0;
	n = pread_full((int)fd, buf, sizeof(buf) - 1, 0);
	sys_close((int)fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *p = buf; *p; p++)
		if (!memcmp(p, key, sizeof(key) - 1))
			return p[sizeof(key) - 1] != '0';
	return 0;
}

/* May we take id as our effective ID: privileged, or one of our own? */
static int may_take(uint32_t id, long (*getres)(uint32_t *, uint32_t *, uint32_t *),
		    int cap)
{
	uint32_t r, e, s;

	if (getres(&r, &e, &s) == 0 && (id == r || id == e || id == s))
		return 1;
	return capable(cap);
}

static long getresuid_(uint32_t *r, uint32_t *e, uint32_t *s)
{
	return sys_getresuid(r, e, s);
}

static long getresgid_(uint32_t *r, uint32_t *e, uint32_t *s)
{
	return sys_getresgid(r, e, s);
}

/* File capabilities that would raise what we have: refuse, unless we are
 * root (who has them all) or the kernel would not grant them. */
static void check_file_caps(const struct image *im, const struct host *h)
{
	struct vfs_ns_cap_data caps = { 0 };
	long n;

	if (auxv_get(h->auxv, AT_EUID) == 0)
		return;
	n = sys_fgetxattr(im->fd, "security.capability", &caps, sizeof(caps));
	if (n < (long)sizeof(caps.magic_etc) + 8)
		return;
	if (!caps.data[0].permitted && !caps.data[1].permitted)
		return;
	if (setid_ignored(im) || being_traced())
		return;
	die(EXIT_CANNOT, "has file capabilities (security.capability), which elfload cannot give it: run it directly");
}

void decide_credentials(struct image *im, const struct host *h)
{
	uint32_t uid = (uint32_t)auxv_get(h->auxv, AT_UID), gid = (uint32_t)auxv_get(h->auxv, AT_GID);
	uint32_t euid = (uint32_t)auxv_get(h->auxv, AT_EUID), egid = (uint32_t)auxv_get(h->auxv, AT_EGID);
	int is_setid;

	im->run_euid = euid;
	im->run_egid = egid;
	check_file_caps(im, h);
	if ((im->mode & (S_ISUID | S_ISGID)) && !setid_ignored(im)) {
		if (im->mode & S_ISUID)
			im->run_euid = im->uid;
		if ((im->mode & S_ISGID) && (im->mode & S_IXGRP))
			im->run_egid = im->gid;
	}
	/* as the kernel decides it: against the real IDs */
	is_setid = im->run_euid != uid || im->run_egid != gid;
	im->secure = is_setid || auxv_get(h->auxv, AT_SECURE);
	if (is_setid && being_traced() && !capable(CAP_SETUID)) {
		im->run_euid = uid;   /* the kernel's downgrade */
		im->run_egid = gid;
	}
	if (im->run_euid != euid && !may_take(im->run_euid, getresuid_, CAP_SETUID))
		die(EXIT_CANNOT, "set-user-ID to uid %u, which execve would run it as and elfload cannot: run it directly",
		    im->run_euid);
	if (im->run_egid != egid && !may_take(im->run_egid, getresgid_, CAP_SETGID))
		die(EXIT_CANNOT, "set-group-ID to gid %u, which execve would run it as and elfload cannot: run it directly",
		    im->run_egid);
	im->set_ids = im->run_euid != euid || im->run_egid != egid;
}

void take_credentials(const struct image *im)
{
	long r, pers;

	if (!im->set_ids)
		return;
	/* the group first: once the user ID changed, it may not */
	r = sys_setresgid(-1, im->run_egid, im->run_egid);
	if (r == 0)
		r = sys_setresuid(-1, im->run_euid, im->run_euid);
	if (r < 0)
		die(EXIT_CANNOT, "cannot take the set-user-ID or set-group-ID rights: %s",
		    errno_name(r));
	/* what the kernel clears for set-ID programs (PER_CLEAR_ON_SETID) */
	pers = sys_personality(0xffffffff);
	if (pers >= 0 && (pers & PER_CLEAR_ON_SETID))
		sys_personality((unsigned long)pers & ~(unsigned long)PER_CLEAR_ON_SETID);
}
