#!/bin/sh
# Build a small Linux 6.1 kernel for running the tests natively under
# qemu-system, booted with an initramfs only (no disks, no modules).
#
#   tests/guest/build-kernel.sh riscv64       # -M virt -cpu rv64, Sv39/48/57
#   tests/guest/build-kernel.sh aarch64-64k   # -M virt -cpu max, 64K pages, 52-bit VA
#
# Prints the image path, $CACHE/kernels/NAME/Image, on stdout (beside it:
# "release", the output of `make kernelrelease`).  CACHE is
# ${ELFLOAD_CACHE:-/var/cache/elfload}.  Does nothing if the image is there
# and its inputs (this script, the config fragment, the patch, the
# linux-source and cross-compiler versions) are unchanged.
#
# Needs these Debian 12 packages: linux-source-6.1, gcc-riscv64-linux-gnu
# (riscv64) or gcc-aarch64-linux-gnu (aarch64-64k), gcc and libc6-dev (for
# the kernel's host tools), make, bc, flex, bison, patch, xz-utils.  These
# configs need no libssl-dev, libelf-dev or cpio (no module signing, objtool,
# BTF or built-in initramfs).
#
# The extracted source tree (~1.4 GiB) is deleted after a successful build:
# a tinyconfig-based kernel builds from scratch in minutes, and keeping two
# trees would not fit the cache's ~2 GiB budget.  After a failed build it is
# left for inspection (see build.log); the next run starts afresh.
set -eu

name=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
cache=${ELFLOAD_CACHE:-/var/cache/elfload}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
case $name in
riscv64)
	arch=riscv cross=riscv64-linux-gnu- image=arch/riscv/boot/Image
	patch=$here/riscv-satp-mode.patch ;;
aarch64-64k)
	arch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image
	patch= ;;
*)
	echo "usage: $0 riscv64|aarch64-64k" >&2; exit 2 ;;
esac
fragment=$here/$name.config
out=$cache/kernels/$name
work=$cache/work/$name
log=$out/build.log
say() { echo "build-kernel $name: $*" >&2; }

mkdir -p "$out"
# One build per kernel at a time; a second caller waits and then finds the
# image up to date.
exec 9>"$out/.lock"
flock 9

# The stamp identifies the inputs; it is written only after a good build.
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
	stat -c '%s %Y' "$tarball")
stamp=$( { cat "$here/build-kernel.sh" "$fragment" ${patch:+"$patch"}; echo "$srcver";
	"${cross}gcc" -dumpfullversion; } | sha256sum | cut -d' ' -f1)
if [ -f "$out/Image" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out/Image"
	exit 0
fi
rm -f "$out/stamp"

say "extracting $(basename "$tarball")"
rm -rf "$work"
mkdir -p "$work"
tar -xf "$tarball" -C "$work"
src=$(echo "$work"/linux-source-*)
if [ -n "$patch" ]; then
	say "applying $(basename "$patch")"
	patch -d "$src" -p1 --quiet --forward <"$patch"
fi

say "configuring (tinyconfig + $(basename "$fragment"))"
mk() { make -C "$src" -s ARCH=$arch CROSS_COMPILE=$cross "$@"; }
mk tinyconfig >"$log" 2>&1
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$fragment" \
	>>"$log" 2>&1
mk olddefconfig >>"$log" 2>&1
# Kconfig silently drops options whose dependencies are unmet: insist.
bad=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)/\1/p' \
	-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1=n/p' "$fragment" |
while IFS= read -r want; do
	opt=${want%%=*}
	got=$(grep -E "^($opt=|# $opt is not set)" "$src/.config" || true)
	case $got in "# "*|"") got=$opt=n ;; esac
	[ "$got" = "$want" ] || echo "$want (got $got)"
done)
if [ -n "$bad" ]; then
	say "config fragment not honoured:"; echo "$bad" >&2; exit 1
fi

say "building $image (make -j$(nproc), log in $log)"
if ! mk -j"$(nproc)" Image >>"$log" 2>&1; then
	tail -n 30 "$log" >&2; say "build failed"; exit 1
fi

say "installing $out/Image"
cp "$src/$image" "$out/Image.new"
mv "$out/Image.new" "$out/Image"
mk kernelrelease >"$out/release"
cp "$src/.config" "$out/config"
echo "$stamp" >"$out/stamp"
rm -rf "$work"
echo "$out/Image"
