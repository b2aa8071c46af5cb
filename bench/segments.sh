#!/bin/bash
# Cost of loading many segments: a static program with N=5000 separate,
# non-adjacent one-page PT_LOAD segments (one 8-byte variable per page,
# 0x2000 apart from 0x10000000), which the kernel refuses to exec (its
# program header table is over 64 KiB). Loading is what elfload does before
# the program's first instruction: measured with the program linked without
# libc (_start exits at once), as the median of the paired differences in
# wall time via elfload from a small program's. Target: < 30 ms. Gates:
# both builds have the segments, and elfload loads every page's value
# right. Also shown: the same
# with glibc, whose own start-up walks all 5000 program headers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${NSEGS:-5000}
src=$B/segments.c lds=$B/segments.ld prog=$B/segments out=$B/segments.times
{
	for ((i = 0; i < N; i++)); do
		echo "__attribute__((section(\".pg$i\"), aligned(4096))) volatile long pg$i = $i + 1;"
	done
	echo "static volatile long *const pg[] = {"
	for ((i = 0; i < N; i++)); do echo "&pg$i,"; done
	echo "};"
	echo "/* with an argument: check that every page holds its value */"
	echo "int main(int argc, char **argv) { (void)argv; if (argc > 1)"
	echo "  for (long i = 0; i < $N; i++) if (*pg[i] != i + 1) return 5;"
	echo "  return 0; }"
} >"$src"
{
	echo "SECTIONS {"
	for ((i = 0; i < N; i++)); do
		printf '  .pg%d 0x%x : { *(.pg%d) }\n' "$i" $((0x10000000 + i * 0x2000)) "$i"
	done
	echo "} INSERT AFTER .bss;"
} >"$lds"
build "$prog" "$src" -Wl,-T,"$lds"
build "$prog-nolibc" "$src" -nostdlib -Wl,-T,"$lds" "$ROOT/bench/exit0.c"
build "$B/small-nolibc" "$ROOT/bench/exit0.c" -nostdlib

for p in "$prog" "$prog-nolibc"; do
	nload=$(readelf -lW "$p" | grep -c '^ *LOAD')
	phsize=$(readelf -hW "$p" | awk '/Number of program headers/ { n = $NF } /Size of program headers/ { s = $(NF-1) } END { print n * s }')
	echo "$(basename "$p"): $nload PT_LOAD headers, program header table $phsize bytes"
	gate "$(basename "$p") has $N segments of its own and more" test "$nload" -gt "$N"
done
echo -n "direct execve: "
if "$prog" 2>&1; then echo "ran (unexpected)"; fi | sed 's/^.*line [0-9]*: //'
gate "via elfload, all $N pages hold their values" "$ELFLOAD" "$prog" check

cmds=("$ELFLOAD" "$B/small" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" "$B/small-nolibc" :: "$ELFLOAD" "$prog-nolibc")
"$B/runtime" 5 "${cmds[@]}" >/dev/null   # warm-up
"$B/runtime" "$PAIRS" "${cmds[@]}" >"$out"
t_small=$(median "$out" 1) t_segs=$(median "$out" 2) t_small0=$(median "$out" 3) t_segs0=$(median "$out" 4)
d=$(paired "$out" '($2 - $1) / 1000') d0=$(paired "$out" '($4 - $3) / 1000')

echo "elfload wall time, median of $PAIRS paired runs (microseconds):"
printf '  %-22s %9s\n' "small program" "$t_small" "$N segments" "$t_segs"
echo "  cost of $N segments, glibc's start-up walking them included:" \
	"${d%% *} ms (quartiles ${d#* })"
echo "without libc, same runs interleaved (microseconds):"
printf '  %-22s %9s\n' "small program" "$t_small0" "$N segments" "$t_segs0"
echo "  cost of loading $N segments, median of the paired differences:" \
	"${d0%% *} ms (quartiles ${d0#* }) (target < 30 ms)"
judge "segments: the cost of loading $N segments in ms" "$d0" 30
exit $FAILED
