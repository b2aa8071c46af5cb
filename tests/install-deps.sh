#!/bin/sh
# Installs, with apt-get, whatever `make check` needs and this machine lacks
# (Debian 12): test tools, the cross compilers and C libraries for every
# architecture in arch/arches, qemu-user. Does nothing when everything is
# there.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
need=""
want() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
want_file() { [ -e "$1" ] || need="$need $2"; }
want bats bats
want gdb gdb
want gdb-multiarch gdb-multiarch
want ip iproute2
want musl-gcc musl-tools
want setarch util-linux
want unshare util-linux
want busybox busybox-static
want python3 python3
want strace strace
want man man-db
want groff groff-base
want_file /usr/share/bash-completion/bash_completion bash-completion
# an ET_EXEC ELF interpreter, as Debian ships it (tests/parity.bats)
want_file /usr/lib/klibc/bin/true klibc-utils
# the fuzz harness: clang with libFuzzer and the sanitizers; llvm-cov
want clang clang
want llvm-cov llvm
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
	[ "$(uname -m)" != x86_64 ] || need="$need libclang-rt-14-dev"
want_file /usr/lib/python3.11/test/test_json/__init__.py libpython3.11-testsuite
# the guests (tests/guest): qemu-system, and what the kernels' builds need
want qemu-system-aarch64 qemu-system-arm
want qemu-system-ppc64 qemu-system-ppc
want qemu-system-riscv64 qemu-system-misc
want qemu-system-s390x qemu-system-misc
want qemu-system-x86_64 qemu-system-x86
want_file /usr/share/seabios/bios-256k.bin seabios
want_file /usr/src/linux-source-6.1.tar.xz linux-source-6.1
want cpio cpio
want make make
want patch patch
want bc bc
want flex flex
want bison bison
host=$(uname -m)
while read -r name triplet debian _; do
	case $name in [a-z]*) ;; *) continue ;; esac
	want "qemu-$name" qemu-user
	[ "$name" != "$host" ] || continue
	want "$triplet-gcc" "gcc-$triplet"
	want_file "/usr/$triplet/include/stdio.h" "libc6-dev-$debian-cross"
done < "$top/arch/arches"
[ -n "$need" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "make check needs:$need (run as root, or install them)" >&2
	exit 1
fi
need=$(printf '%s\n' $need | sort -u | tr '\n' ' ')
echo "installing: $need"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
