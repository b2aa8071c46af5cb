#!/bin/bash
# Cost of loading many segments: a static program with N=5000 separate,
# non-adjacent one-page PT_LOAD segments (one 8-byte variable per page,
# 0x2000 apart from 0x10000000), which the kernel refuses to exec (its
# program header table is over 64 KiB). Loading is what elfload does before
# the program's first instruction: measured with the program linked without
# libc (_start exits at once), as the median wall time via elfload minus
# that of a small program, paired. Target: < 30 ms. Also shown: the same
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

nload=$(readelf -lW "$prog" | grep -c '^ *LOAD')
phsize=$(readelf -hW "$prog" | awk '/Number of program headers/ { n = $NF } /Size of program headers/ { s = $(NF-1) } END { print n * s }')
echo "$(basename "$prog"): $nload PT_LOAD headers, program header table $phsize bytes"
echo -n "direct execve: "
if "$prog" 2>&1; then echo "ran (unexpected)"; fi | sed 's/^.*line [0-9]*: //'
echo -n "via elfload, checking all $N pages: "
"$ELFLOAD" "$prog" check && echo "exit status 0, all values right"

cmds=("$ELFLOAD" "$B/small" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" "$B/small-nolibc" :: "$ELFLOAD" "$prog-nolibc")
"$B/runtime" 5 "${cmds[@]}" >/dev/null   # warm-up
"$B/runtime" "$PAIRS" "${cmds[@]}" >"$out"
t_small=$(median "$out" 1) t_segs=$(median "$out" 2) t_small0=$(median "$out" 3) t_segs0=$(median "$out" 4)
diff_ms=$(calc "($t_segs - $t_small) / 1000") diff0_ms=$(calc "($t_segs0 - $t_small0) / 1000")

echo "elfload wall time, median of $PAIRS paired runs (microseconds):"
printf '  %-22s %9s\n' "small program" "$t_small" "$N segments" "$t_segs"
echo "  cost of $N segments, glibc's start-up walking them included: $diff_ms ms"
echo "without libc, same runs interleaved (microseconds):"
printf '  %-22s %9s\n' "small program" "$t_small0" "$N segments" "$t_segs0"
echo "  cost of loading $N segments: $diff0_ms ms (target < 30 ms)"
check "segments: loading $N segments costs $diff0_ms ms < 30 ms" "$diff0_ms < 30"
exit $FAILED
