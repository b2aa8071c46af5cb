#!/bin/sh
# Installs, with apt-get, whatever `make check` needs and this machine lacks
# (Debian 12): test tools, the cross compilers and C libraries for every
# architecture, qemu-user. Does nothing when everything is there.
set -eu
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
want_file /usr/lib/python3.11/test/test_json/__init__.py libpython3.11-testsuite
for a in aarch64:arm64 riscv64:riscv64 powerpc64le:ppc64el s390x:s390x; do
	t=${a%%:*} d=${a#*:}
	want "$t-linux-gnu-gcc" "gcc-$t-linux-gnu"
	want_file "/usr/$t-linux-gnu/include/stdio.h" "libc6-dev-$d-cross"
done
for q in aarch64 riscv64 ppc64le s390x x86_64; do
	want "qemu-$q" qemu-user
done
[ -n "$need" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "make check needs:$need (run as root, or install them)" >&2
	exit 1
fi
need=$(printf '%s\n' $need | sort -u | tr '\n' ' ')
echo "installing: $need"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
