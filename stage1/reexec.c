/*
 * Address-space randomization decides where the kernel put our stack, the
 * vDSO and where mmap() starts. To get the same layout every run, turn it
 * off for ourselves and start again, as gdb and setarch -R do. The original
 * personality travels in the environment and is restored in the second
 * run, so the program's own children get the randomization they would have
 * had. If the exec fails (no /proc, or a foreign-architecture binary under
 * qemu-user) we go on with the layout we have.
 */
#include <linux/personality.h>
#include "stage1.h"

#define REEXEC_VAR "ELFLOAD_PERSONALITY="
#define PERSONALITY_QUERY 0xffffffff   /* personality(2): only report it */

void reexec_without_aslr(char **argv, char **envp, const long *auxv)
{
	long pers = sys_personality(PERSONALITY_QUERY);
	int envc = 0;
	char **env, *var;

	if (pers < 0 || (pers & ADDR_NO_RANDOMIZE))
		return;
	while (envp[envc])
		envc++;
	env = xalloc((envc + 2) * sizeof(char *));
	memcpy(env, envp, envc * sizeof(char *));
	var = xalloc(sizeof(REEXEC_VAR) + 20);
	memcpy(var, REEXEC_VAR, sizeof(REEXEC_VAR) - 1);
	fmt_hex(var + sizeof(REEXEC_VAR) - 1, (uint64_t)pers, 1);
	env[envc] = var;

	if (sys_personality((unsigned long)pers | ADDR_NO_RANDOMIZE) < 0)
		return;
	sys_execve("/proc/self/exe", argv, env);
	sys_execve((const char *)auxv_get(auxv, AT_EXECFN), argv, env);
	sys_personality((unsigned long)pers);
}

/* Second run: take our marker out of the environment the program will
 * see (the array moves up by one entry, the auxiliary vector behind it
 * stays), and give back the personality the user had. */
void restore_personality(char **envp)
{
	size_t n = sizeof(REEXEC_VAR) - 1;

	for (char **e = envp; *e; e++) {
		uint64_t v;

		if (memcmp(*e, REEXEC_VAR, n))
			continue;
		if (parse_u64(*e + n, 16, &v))
			sys_personality(v);
		do
			e[0] = e[1];
		while (*e++);
		return;
	}
}
