#!/bin/sh
# make demo: trace-shaped programs the kernel refuses or runs wrongly, run
# by the kernel and by elfload, side by side.
set -u
export TRACE_WHO=me
E=$1 F=$2
noaslr() { setarch "$(uname -m)" -R "$@"; }
row() { # row LABEL COMMAND...: the command's last line and exit status
	label=$1
	shift
	out=$("$@" 2>&1)
	printf '  %-34s %s  (exit status %s)\n' "$label" "${out##*: }" "$?"
}

echo "1. A dynamically linked program with $(readelf -lW "$F/trace-dyn" | grep -c LOAD) PT_LOAD segments, 1500 of"
echo "   them single pinned pages, as a trace-to-benchmark tool writes them:"
row "kernel (execve):" "$F/trace-dyn" a1
row "elfload:" "$E" "$F/trace-dyn" a1
row "elfload under setarch -R:" noaslr "$E" "$F/trace-dyn" a1
echo
page=$(noaslr "$F/probe" stack-page)
echo "2. A dynamically linked program with a data page at $page, where"
echo "   the stack of a run without ASLR (setarch -R, gdb) begins. It prints"
echo "   its first argument and \$TRACE_WHO; expected: trace a1 me sum 10 pages 0"
row "kernel, ASLR on:" "$F/stack-dyn" a1
row "kernel under setarch -R:" noaslr "$F/stack-dyn" a1
row "elfload under setarch -R:" noaslr "$E" "$F/stack-dyn" a1
if command -v gdb >/dev/null; then
echo
echo "3. The same program under gdb (gdb turns ASLR off, so its stack lands on the page):"
row "gdb -ex run:" sh -c "gdb -nx -batch -ex run --args '$F/stack-dyn' a1 2>/dev/null | grep '^trace'"
row "elfload-gdb -ex continue:" sh -c "'$(dirname "$E")/elfload-gdb' -nx -batch -ex continue --args '$F/stack-dyn' a1 2>/dev/null | grep '^trace'"
fi
echo
echo "4. The layout elfload plans for it (elfload --map):"
"$E" --map "$F/stack-dyn" | sed 's/^/  /'
