/*
 * The kernel lays a process out when it starts it: where the stack, the
 * vDSO and the mmap base (below which every mmap(NULL) lands, shared
 * libraries included) go. To make that layout the same on every run, and
 * out of the way of traced programs, elfload starts itself again, once:
 *
 *   - with ADDR_NO_RANDOMIZE, as gdb and setarch -R do, so that nothing
 *     moves between runs, with ASLR on or off, under gdb or not;
 *   - with RLIMIT_STACK raised as far as it may go (finite), so that the
 *     kernel sets the mmap base as low as it ever does, a sixth of the
 *     address space up (its largest stack gap is five sixths): shared
 *     libraries then load there, not where a process without ASLR had
 *     them, just below the stack.
 *
 * Both travel in the environment and are given back in the second run:
 * the program gets the caller's personality (its own children are
 * randomized as usual) and stack limit, but keeps the mmap base. If the
 * exec fails (no /proc, or a foreign-architecture binary under qemu-user)
 * we go on with the layout we have.
 *
 * Under an emulator (qemu-user) there is no re-exec: the emulator lays
 * the guest out itself, and an exec would go to the host kernel, which
 * runs a binary of its own architecture natively, outside the emulator.
 */
#include <linux/personality.h>
#include "stage1.h"

#define REEXEC_VAR "ELFLOAD_REEXEC="
#define PERSONALITY_QUERY 0xffffffff   /* personality(2): only report it */
/* Large enough for the kernel's largest stack gap on any machine, and
 * not RLIM_INFINITY, which some take to mean the legacy bottom-up layout. */
#define HUGE_STACK_LIMIT (1ULL << 62)

/* "ELFLOAD_REEXEC=PERSONALITY,STACKLIMIT" in hex */
static char *marker(long pers, uint64_t stack)
{
	char *var = xalloc(sizeof(REEXEC_VAR) + 40), *p;

	memcpy(var, REEXEC_VAR, sizeof(REEXEC_VAR) - 1);
	p = var + sizeof(REEXEC_VAR) - 1;
	p += fmt_hex(p, (uint64_t)pers, 1);
	*p++ = ',';
	fmt_hex(p, stack, 1);
	return var;
}

void reexec_once(char **argv, char **envp, const long *auxv)
{
	long pers = sys_personality(PERSONALITY_QUERY);
	uint64_t lim[2] = { 0, 0 }, huge[2];
	int envc = 0;
	char **env;

	for (; envp[envc]; envc++)
		if (!memcmp(envp[envc], REEXEC_VAR, sizeof(REEXEC_VAR) - 1))
			return;   /* this is the second run */
	if (pers < 0 || sys_prlimit(RLIMIT_STACK, lim) < 0 || run_by_emulator(auxv))
		return;
	env = xalloc((envc + 2) * sizeof(char *));
	memcpy(env, envp, envc * sizeof(char *));
	env[envc] = marker(pers, lim[0]);

	huge[0] = lim[1] < HUGE_STACK_LIMIT ? lim[1] : HUGE_STACK_LIMIT;
	huge[1] = lim[1];
	if (sys_personality((unsigned long)pers | ADDR_NO_RANDOMIZE) < 0)
		return;
	sys_prlimit_set(RLIMIT_STACK, huge);
	sys_execve("/proc/self/exe", argv, env);
	sys_execve((const char *)auxv_get(auxv, AT_EXECFN), argv, env);
	sys_prlimit_set(RLIMIT_STACK, lim);
	sys_personality((unsigned long)pers);
}

/* Second run: take our marker out of the environment the program will
 * see (the array moves up by one entry, the auxiliary vector behind it
 * stays), and give back the personality and stack limit the user had. */
int restore_caller(char **envp)
{
	size_t n = sizeof(REEXEC_VAR) - 1;

	for (char **e = envp; *e; e++) {
		uint64_t pers, lim[2], now[2];
		const char *p;

		if (memcmp(*e, REEXEC_VAR, n))
			continue;
		p = parse_u64(*e + n, 16, &pers);
		if (p && *p == ',' && parse_u64(p + 1, 16, &lim[0]) &&
		    sys_prlimit(RLIMIT_STACK, now) == 0) {
			lim[1] = now[1];
			sys_prlimit_set(RLIMIT_STACK, lim);
			sys_personality(pers);
		}
		do
			e[0] = e[1];
		while (*e++);
		return 1;
	}
	return 0;
}
