#!/bin/bash
# tests/guest/kernel.sh SOURCE: prints the path of a guest kernel's boot
# image in the cache, fetching or building it the first time.
#
#   debian:DEBARCH   Debian 12's current kernel for DEBARCH (the package
#                    linux-image-DEBARCH depends on), taken from the package
#   build:NAME       built from linux-source-6.1 by build-kernel.sh NAME
#
# Needs: apt-get, dpkg-deb (and for build:, what build-kernel.sh needs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${ELFLOAD_CACHE:-/var/cache/elfload}
. "$here/apt.sh"
case $1 in
build:*) exec "$here/build-kernel.sh" "${1#build:}" ;;
debian:*) debian=${1#debian:} ;;
*) echo "kernel.sh: unknown kernel source $1" >&2; exit 2 ;;
esac

# the image package the meta-package points at, e.g. linux-image-6.1.0-57-arm64
flavour=$debian
[ "$debian" != ppc64el ] || flavour=powerpc64le
apt=$cache/apt/kernel-$debian
private_apt "$apt" "$debian"
# this machine's Debian archive, as it is set up
cp /etc/apt/sources.list.d/debian.sources "$apt/sources/" 2>/dev/null ||
	cp /etc/apt/sources.list "$apt/sources/debian.list"
apt_update_daily "$apt" || [ -n "$(ls "$cache"/kernels/debian-"$debian"/vmlinu* 2>/dev/null)" ]
pkg=$(apt-cache "${apt_opts[@]}" depends "linux-image-$flavour" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
dir=$cache/kernels/debian-$debian
if [ -z "$pkg" ]; then   # no archive now: the image we have
	ls "$dir"/vmlinu* 2>/dev/null | head -n 1 | grep . || { echo "kernel.sh: no $debian kernel" >&2; exit 1; }
	exit 0
fi
if [ "$(cat "$dir/package" 2>/dev/null)" != "$pkg" ]; then
	echo "kernel.sh: $pkg" >&2
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$apt/archives" && apt-get "${apt_opts[@]}" download "$pkg:$debian")
	tmp=$(mktemp -d)
	dpkg-deb -x "$(ls "$apt/archives/${pkg}_"*.deb | head -n 1)" "$tmp"
	img=$(ls "$tmp"/boot/vmlinu* | head -n 1)
	cp "$img" "$dir/"
	basename "$img" | sed 's/^vmlinu[xz]-//' > "$dir/release"
	rm -rf "$tmp" "$apt/archives/${pkg}_"*.deb
	echo "$pkg" > "$dir/package"
fi
ls "$dir"/vmlinu* | head -n 1
