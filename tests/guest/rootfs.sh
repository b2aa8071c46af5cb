#!/bin/bash
# tests/guest/rootfs.sh ARCH: prints the path of ARCH's guest root, a
# gzipped cpio archive in the cache, made once: a small Debian system of
# ARCH's own binaries for the suite to run in (bash, busybox, coreutils,
# util-linux's setarch and setpriv, binutils' readelf and nm, gdb, the C
# library that dynamically linked programs load), plus bats from this
# machine (it is shell). The packages come from Debian 12; riscv64's from
# Debian 13, the first release that has it. apt-get works on a private
# state directory in the cache: this machine's own package lists and
# architectures are left alone.
#
# Needs: apt-get, dpkg-deb, cpio, gzip, bats; ELFLOAD_CACHE (default
# /var/cache/elfload) is where everything goes.
set -euo pipefail
arch=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"
cache=${ELFLOAD_CACHE:-/var/cache/elfload}
read -r triplet debian < <(awk -v a="$arch" '$1 == a { print $2, $3 }' "$here/../../arch/arches")
[ -n "${debian:-}" ] || { echo "rootfs.sh: unknown architecture $arch" >&2; exit 2; }
suite=bookworm gdb=gdb-minimal
# (Debian 13's gdb-minimal is only a name for gdb)
[ "$arch" != riscv64 ] || suite=trixie gdb=gdb

# What the suite calls, by package; the libraries they need are added
# from their dependencies.
TOOLS="bash-static busybox-static coreutils util-linux libc-bin mawk sed grep findutils
	diffutils gzip debianutils binutils-${triplet//_/-} $gdb"
out=$cache/root/$arch.cpio.gz
stamp=$(echo "$suite $TOOLS $(sha256sum "$0" | cut -c1-16) $(dpkg-query -W -f '${Version}' bats)" | sha256sum | cut -c1-16)
if [ -s "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

apt=$cache/apt/$arch
private_apt "$apt" "$debian"
mkdir -p "$cache/root"
echo "deb [arch=$debian signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_uri) $suite main" \
	> "$apt/sources/debian.list"
echo "rootfs.sh: $arch: Debian $suite's packages" >&2
apt-get "${apt_opts[@]}" update
# the tools and every library they depend on, transitively
pkgs=$(apt-get "${apt_opts[@]}" install -s --no-install-recommends $TOOLS | sed -n 's/^Inst \([^ :]*\).*/\1/p')
keep=$(for p in $pkgs; do
	case " $(echo $TOOLS) " in *" $p "*) echo "$p"; continue ;; esac
	case $p in lib*|zlib1g|gcc-*-base) echo "$p" ;; esac
done)
(cd "$apt/archives" && apt-get "${apt_opts[@]}" download $keep)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# merged /usr, as Debian 12 and 13 systems have
mkdir -p "$root"/usr/{bin,sbin,lib} "$root"/{proc,sys,dev,tmp,etc,root}
for d in bin sbin lib; do ln -s usr/$d "$root/$d"; done
[ "$arch" != x86_64 ] || { mkdir -p "$root/usr/lib64"; ln -s usr/lib64 "$root/lib64"; }
for p in $keep; do
	dpkg-deb --fsys-tarfile "$(ls "$apt/archives/${p}_"*.deb | head -n 1)" |
		tar -x --keep-directory-symlink -C "$root"
done
[ -x "$root/usr/bin/bash-static" ] || { echo "rootfs.sh: $arch: no bash-static in the root" >&2; exit 1; }
ln -sf bash-static "$root/usr/bin/bash"
ln -sf bash "$root/usr/bin/sh"
# what Debian's alternatives would do
ln -sf mawk "$root/usr/bin/awk"
ln -sf which.debianutils "$root/usr/bin/which"
for t in readelf nm objdump; do ln -sf "$triplet-$t" "$root/usr/bin/$t"; done
# busybox for what the packages above lack (mount, poweroff, ...)
for a in mount umount poweroff hostname ip timeout ps pkill pgrep; do
	[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
# bats is shell: this machine's copy
dpkg -L bats | grep -v '^/usr/share' | while read -r f; do
	[ -f "$f" ] && install -D -m "$(stat -c %a "$f")" "$f" "$root$f"
done
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\n' > "$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"
chmod 755 "$root"   # it becomes /: everyone must get through it
rm -rf "$root"/usr/share/{doc,man,info,locale,lintian}
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$stamp" > "$out.stamp"
echo "$out"
