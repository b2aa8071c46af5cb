#!/bin/sh
# regenerate.sh MICROPROBE-WORK-TREE RXJSON-DIR: makes the MPTs and the
# ELFs of tests/microprobe again. CI does not run this: it needs
# Microprobe (github.com/IBM/microprobe, made here at commit aaafd93), its
# Python dependencies from Debian (python3-yaml python3-six
# python3-fasteners python3-cachetools, run with /usr/bin/python3), the
# rxjson module (RXJSON-DIR/rxjson/Rx.py: python/Rx.py of
# github.com/rjbs/Rx at commit 51cb924, converted with python3 -m lib2to3,
# and an empty __init__.py), and Debian's riscv64 and ppc64le cross
# compilers.
#
#   gen-mpt.py             the MPTs, as ChopStiX's chop-trace2mpt writes
#                          them: raw code words, a state of registers and
#                          whole pages (NAME.mpt, NAME.state.gz)
#   mp_mpt2elf.py          each MPT to a dynamically linked ELF, one
#                          PT_LOAD per page, pinned by a linker script
#   gzip -9n               NAME.elf.gz, what the Makefile unpacks
set -eu
mp=$(cd "$1" && pwd)
rx=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export PYTHONPATH="$mp/src:$rx"
export MICROPROBEDATA="$mp/targets/"
MICROPROBETEMPLATES=$(find "$mp/targets" -type d -name templates -printf '%p;')
MICROPROBEWRAPPERS=$(find "$mp/targets" -type d -name wrappers -printf '%p;')
export MICROPROBETEMPLATES MICROPROBEWRAPPERS

/usr/bin/python3 "$here/gen-mpt.py" "$here" > "$tmp/names"
while read -r name; do
	case $name in
	riscv64-*) target=riscv_v22-riscv_generic-riscv64_linux_gcc cc=riscv64-linux-gnu-gcc ;;
	ppc64le-*) target=power_v300-power9-ppc64le_linux_gcc cc=powerpc64le-linux-gnu-gcc ;;
	esac
	cp "$here/$name.mpt" "$here/$name.state.gz" "$tmp/"
	/usr/bin/python3 "$mp/targets/generic/tools/mp_mpt2elf.py" -T "$target" \
		-t "$tmp/$name.mpt" -O "$tmp/$name.s" --compiler "$cc" >/dev/null 2>&1
	gzip -9n < "$tmp/$name.elf" > "$here/$name.elf.gz"
	echo "wrote $here/$name.elf.gz"
done < "$tmp/names"
