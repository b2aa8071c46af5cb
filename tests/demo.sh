#!/bin/sh
# make demo: a trace-shaped program the kernel cannot load, run by the
# kernel and by elfload, side by side.
set -u
E=$1 F=$2
echo "A program with $(readelf -lW "$F/pages5000" | grep -c LOAD) PT_LOAD segments, 5000 of them one pinned page each,"
echo "as a trace-to-benchmark tool writes them:"
printf '  %-36s ' "kernel (execve):"; out=$("$F/pages5000" 2>&1); echo "${out##*: }  (exit status $?)"
printf '  %-36s ' "elfload:"; out=$("$E" "$F/pages5000" 2>&1); echo "$out  (exit status $?)"
echo
page=$(setarch "$(uname -m)" -R "$F/probe" stack-page)
echo "A program with a data page pinned at $page, where the stack of a"
echo "run without ASLR (setarch -R, gdb) begins:"
printf '  %-36s ' "elfload, ASLR on:"; out=$("$E" "$F/pin-stack" 2>&1); echo "$out  (exit status $?)"
printf '  %-36s ' "elfload, under setarch -R:"; out=$(setarch "$(uname -m)" -R "$E" "$F/pin-stack" 2>&1); echo "$out  (exit status $?)"
echo
echo "Its layout, as elfload plans it (elfload --map):"
"$E" --map "$F/pin-stack" | sed 's/^/  /'
