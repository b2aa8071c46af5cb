/*
 * Raw system calls, for both stages and nothing else: no libc anywhere.
 * The instruction and its registers are the arch's (arch/ARCH/syscall.h,
 * my_syscallN); the numbers come from <asm/unistd.h>.
 *
 * Every wrapper returns the kernel's value: >= 0 on success, -errno on
 * failure.
 */
#ifndef SYS_H
#define SYS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/errno.h>
#include "syscall.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define X_OK 1   /* access(2)'s, which no uapi header has */

static inline long sys_read(int fd, void *buf, size_t n)
{ return my_syscall3(__NR_read, fd, buf, n); }
static inline long sys_write(int fd, const void *buf, size_t n)
{ return my_syscall3(__NR_write, fd, buf, n); }
static inline long sys_pread(int fd, void *buf, size_t n, uint64_t off)
{ return my_syscall4(__NR_pread64, fd, buf, n, off); }
static inline long sys_openat(int dir, const char *path, int flags)
{ return my_syscall4(__NR_openat, dir, path, flags, 0); }
static inline long sys_close(int fd)
{ return my_syscall1(__NR_close, fd); }
/* mmap and mremap return an address, which may be above 2^63 (s390x
 * maps there): only -4095..-1 is an error. */
static inline int sys_failed(long r) { return (unsigned long)r > -4096UL; }
static inline long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags,
			    int fd, uint64_t off)
{
#ifdef ARCH_SYS_MMAP   /* the arch passes mmap's arguments its own way */
	return arch_sys_mmap(addr, len, prot, flags, fd, off);
#else
	return my_syscall6(__NR_mmap, addr, len, prot, flags, fd, off);
#endif
}
static inline long sys_munmap(uint64_t addr, uint64_t len)
{ return my_syscall2(__NR_munmap, addr, len); }
static inline long sys_mprotect(uint64_t addr, uint64_t len, int prot)
{ return my_syscall3(__NR_mprotect, addr, len, prot); }
static inline long sys_prctl(int op, long a, long b, long c, long d)
{ return my_syscall5(__NR_prctl, op, a, b, c, d); }
static inline long sys_personality(unsigned long p)
{ return my_syscall1(__NR_personality, p); }
static inline long sys_execve(const char *path, char **argv, char **envp)
{ return my_syscall3(__NR_execve, path, argv, envp); }
static inline long sys_brk(uint64_t addr)
{ return my_syscall1(__NR_brk, addr); }
static inline long sys_getrandom(void *buf, size_t n, unsigned flags)
{ return my_syscall3(__NR_getrandom, buf, n, flags); }
static inline long sys_prlimit(int res, void *old)
{ return my_syscall4(__NR_prlimit64, 0, res, 0, old); }
static inline long sys_prlimit_set(int res, const void *new)
{ return my_syscall4(__NR_prlimit64, 0, res, new, 0); }
static inline long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len,
			      int flags, uint64_t new_addr)
{ return my_syscall5(__NR_mremap, old, old_len, new_len, flags, new_addr); }
static inline long sys_rt_sigaction(int sig, const void *act, void *old)
{ return my_syscall4(__NR_rt_sigaction, sig, act, old, 8); }
static inline long sys_faccessat(const char *path, int mode)
{ return my_syscall4(__NR_faccessat, AT_FDCWD, path, mode, 0); }
static inline long sys_faccessat2(int fd, const char *path, int mode, int flags)
{ return my_syscall4(__NR_faccessat2, fd, path, mode, flags); }
static inline long sys_statx(int fd, const char *path, int flags,
			     unsigned mask, void *buf)
{ return my_syscall5(__NR_statx, fd, path, flags, mask, buf); }
static inline long sys_sysinfo(void *info)
{ return my_syscall1(__NR_sysinfo, info); }
static inline long sys_fstatfs(int fd, void *buf)
{ return my_syscall2(__NR_fstatfs, fd, buf); }
static inline long sys_fgetxattr(int fd, const char *name, void *buf, size_t n)
{ return my_syscall4(__NR_fgetxattr, fd, name, buf, n); }
static inline long sys_capget(void *hdr, void *data)
{ return my_syscall2(__NR_capget, hdr, data); }
static inline long sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s)
{ return my_syscall3(__NR_getresuid, r, e, s); }
static inline long sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s)
{ return my_syscall3(__NR_getresgid, r, e, s); }
static inline long sys_setresuid(long r, long e, long s)
{ return my_syscall3(__NR_setresuid, r, e, s); }
static inline long sys_setresgid(long r, long e, long s)
{ return my_syscall3(__NR_setresgid, r, e, s); }
static inline long sys_capset(uint64_t hdr, uint64_t data)
{ return my_syscall2(__NR_capset, hdr, data); }
static inline long sys_unshare(unsigned long flags)
{ return my_syscall1(__NR_unshare, flags); }
static inline long sys_memfd_create(const char *name, unsigned flags)
{ return my_syscall2(__NR_memfd_create, name, flags); }
static inline long sys_fcntl(int fd, int cmd, long arg)
{ return my_syscall3(__NR_fcntl, fd, cmd, arg); }
static inline long sys_ioctl(int fd, unsigned long req, void *arg)
{ return my_syscall3(__NR_ioctl, fd, req, arg); }
static inline long sys_readlink(const char *path, char *buf, size_t n)
{ return my_syscall4(__NR_readlinkat, AT_FDCWD, path, buf, n); }
static inline long sys_pipe2(int *fds, int flags)
{ return my_syscall2(__NR_pipe2, fds, flags); }
static inline long sys_dup3(int old, int new, int flags)
{ return my_syscall3(__NR_dup3, old, new, flags); }
/* clone3's arguments are the same struct on every architecture, where
 * clone's order differs */
static inline long sys_clone3(void *args, size_t size)
{ return my_syscall2(__NR_clone3, args, size); }
static inline long sys_wait4(long pid, int *status, int options)
{ return my_syscall4(__NR_wait4, pid, status, options, 0); }
static inline long sys_getpid(void)
{ return my_syscall0(__NR_getpid); }
static inline long sys_kill(long pid, int sig)
{ return my_syscall2(__NR_kill, pid, sig); }
static inline __attribute__((noreturn)) void sys_exit(int status)
{
	for (;;)
		my_syscall1(__NR_exit_group, status);
}

#endif
