#!/bin/bash
# tests/guest/qemu.sh ARCH: prints the qemu-system command that boots
# ARCH's guests: the program, and where its firmware is when that is not
# the system's.
#
#   s390x   QEMU 10 from Debian 12's backports (qemu-system-s390x and its
#           firmware, qemu-system-data), unpacked into the cache
#   others  this machine's qemu-system-ARCH (Debian 12's QEMU 7.2)
#
# Why s390x differs: QEMU 7.2's s390x emulation looks for translated code
# only at the first byte of what MVC, MVCOS or XC write, and keeps
# running the old translation of the rest of the page. The guest kernel
# fills a new file's or memfd's pages with those instructions, so a
# program written and then run (cp then exec, the kernel's own fexecve of
# a memfd, elfload of a pipe) crashes with SIGSEGV or SIGILL in tens of
# runs in a hundred there when the page last held other code. QEMU 8.0
# on checks the whole write.
#
# Needs: apt-get, dpkg-deb, ldd.
set -euo pipefail
arch=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${ELFLOAD_CACHE:-/var/cache/elfload}
case $arch in
s390x) ;;
ppc64le) echo qemu-system-ppc64; exit 0 ;;
*) echo "qemu-system-$arch"; exit 0 ;;
esac

. "$here/apt.sh"
apt=$cache/apt/qemu
dir=$cache/qemu/$arch
private_apt "$apt"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_uri) bookworm-backports main" \
	> "$apt/sources/backports.list"
apt_update_daily "$apt" || [ -x "$dir/usr/bin/qemu-system-$arch" ]
version=$(apt-cache "${apt_opts[@]}" show "qemu-system-$arch" 2>/dev/null |
	sed -n 's/^Version: //p' | head -n 1)
if [ -n "$version" ] && [ "$(cat "$dir/version" 2>/dev/null)" != "$version" ]; then
	echo "qemu.sh: qemu-system-$arch $version (bookworm-backports)" >&2
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$apt/archives" && apt-get "${apt_opts[@]}" download \
		"qemu-system-$arch=$version" "qemu-system-data=$version")
	for deb in "$apt/archives/qemu-system-$arch"_*.deb "$apt/archives/qemu-system-data"_*.deb; do
		dpkg-deb -x "$deb" "$dir"
	done
	rm -f "$apt/archives/"*.deb
	echo "$version" > "$dir/version"
fi
bin=$dir/usr/bin/qemu-system-$arch
[ -x "$bin" ] || { echo "qemu.sh: no qemu-system-$arch from bookworm-backports" >&2; exit 1; }
# its libraries are Debian 12's, those the system's QEMU uses
missing=$(ldd "$bin" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' | tr '\n' ' ')
[ -z "$missing" ] || { echo "qemu.sh: $bin needs $missing" >&2; exit 1; }
echo "$bin -L $dir/usr/share/qemu"
