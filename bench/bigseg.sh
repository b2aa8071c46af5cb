#!/bin/bash
# Cost of a 1 GiB file-backed initialized data segment under elfload: the
# same program with `volatile char data[1 GiB] = {1}` (in .data, so the
# file is ~1 GiB) and with a 4 KiB array, both run via elfload, paired.
# Targets: median startup big / small <= 1.2, and the big one's VmRSS
# within +1 MiB of the small one's (the segment must be mapped, not read).
# The 1 GiB file is built into build/bench/ and deleted at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

small=$B/bigseg-4k big=$B/bigseg-1g out=$B/bigseg.times
trap 'rm -f "$big"' EXIT
build "$small" "$ROOT/bench/bigseg.c" -DSIZE=4096
build "$big" "$ROOT/bench/bigseg.c" -DSIZE='(1<<30)'
echo "$(basename "$big"): $(stat -c %s "$big") bytes;" \
	"data segment: $(readelf -lW "$big" | awk '$1 == "LOAD" && $7 == "RW" { print "filesz", $5, "memsz", $6 }')"

gate "via elfload, both hold their data (the check walks every page)" \
	test "$("$ELFLOAD" "$small" check; "$ELFLOAD" "$big" check)" = "$(printf 'ok\nok')"

# warm-up: the first run may have to bring the file into the page cache
"$B/runtime" 10 "$ELFLOAD" "$small" :: "$ELFLOAD" "$big" >/dev/null
! command -v fincore >/dev/null ||   # the file was just written by ld: all cached
	echo "page cache after warm-up: $(fincore -nb -o RES "$big" | tr -d ' ') of its bytes resident"
"$B/runtime" "$PAIRS" "$ELFLOAD" "$small" :: "$ELFLOAD" "$big" >"$out"
t_small=$(median "$out" 1) t_big=$(median "$out" 2)
ratio=$(paired "$out" '$2 / $1')

rss_small=$("$ELFLOAD" "$small" rss) rss_big=$("$ELFLOAD" "$big" rss)
rss_diff=$((rss_big - rss_small))

echo "elfload startup, median of $PAIRS paired runs (microseconds):"
printf '  %-22s %9s\n' "4 KiB data" "$t_small" "1 GiB data" "$t_big"
echo "  ratio 1 GiB / 4 KiB, median of the paired ratios: ${ratio%% *} (quartiles ${ratio#* }) (target <= 1.2)"
echo "VmRSS via elfload (KiB): 4 KiB data $rss_small, 1 GiB data $rss_big," \
	"difference $rss_diff (target <= 1024)"
echo "  (direct execve, for reference: 4 KiB data $("$small" rss), 1 GiB data $("$big" rss))"
judge "bigseg startup ratio" "$ratio" 1.2
check "bigseg VmRSS difference $rss_diff KiB <= 1024 KiB" "$rss_diff <= 1024"
exit $FAILED
