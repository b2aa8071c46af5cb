#!/bin/sh
# regenerate.sh PINBALL2ELF-CHECKOUT: makes log_0.basic.elfie.gz again from
# pinball2elf's own single-threaded example pinball, the way its README
# says. CI does not run this: it needs a pinball2elf work tree
# (github.com/intel/pinball2elf, here made at commit c5ec539), gcc, g++,
# make and binutils; it needs no Pin.
#
# The ELFie is a static x86_64 program whose start-up opens argv[0] and
# maps 421 captured pages itself (sections .pbdmap.ADDR, .pbstck.ADDR), one
# of them at 0x7ffff7ffc000, where a process without ASLR has its vDSO.
# Run directly it exits 14 after printing "Hello world 1"; under
# setarch -R or gdb it dies with SIGSEGV.
#
# Two conversions differ only in the debug sections at the end of the
# file (they name the temporary files); the loaded and captured bytes are
# the same. The committed one has sha256
# d79b515348dcee5fd79f949de0debdf6c34358651575bf1bfecccf76a5557f19.
set -eu
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -C "$src/src" all
cd "$src/examples/ST"
P2E_TEMP=$tmp ../../scripts/pinball2elf.basic.sh pinball.st/log_0
gzip -9 -c pinball.st/log_0.basic.elfie > "$here/log_0.basic.elfie.gz"
echo "wrote $here/log_0.basic.elfie.gz"
