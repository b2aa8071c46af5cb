#!/bin/bash
# Startup cost of a small static program run by elfload vs a direct execve.
# Paired runs (direct, elfload, elfload --aslr interleaved), fork to
# waitpid; each ratio is the median of the paired ratios, with its
# quartiles (lib.sh's judge). A gate first: the program run by elfload
# must check out. Targets: elfload / direct <= 1.5 by default,
# <= 1.25 with --aslr (no re-exec); for another PROGRAM only the default's
# (the --aslr ratio is shown, without a target).
#   bench/startup.sh [PROGRAM]     (default: a bundled `int main(){return 0;}`)
#   PAIRS=N (default 200), ELFLOAD=path (default: make, build/$(uname -m)/elfload)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

prog=${1:-$B/small}
out=$B/startup.times
if [[ -z ${1:-} ]]; then
	gate "elfload runs the program as the kernel does (data, bss, AT_PHDR, AT_RANDOM, argv), with and without --aslr" \
		test "$("$ELFLOAD" "$prog" check)/$("$ELFLOAD" --aslr "$prog" check)/$("$prog" check)" = "ok/ok/ok"
else
	gate "elfload runs $prog with its direct run's output and status" \
		test "$("$ELFLOAD" "$prog"; echo "status $?")" = "$("$prog"; echo "status $?")"
fi
"$B/runtime" 10 "$prog" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" --aslr "$prog" >/dev/null  # warm-up
"$B/runtime" "$PAIRS" "$prog" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" --aslr "$prog" >"$out"

direct=$(median "$out" 1) dflt=$(median "$out" 2) aslr=$(median "$out" 3)
r_dflt=$(paired "$out" '$2 / $1') r_aslr=$(paired "$out" '$3 / $1')
echo "startup of $prog, median of $PAIRS paired runs (microseconds):"
printf '  %-22s %9s\n' direct "$direct" "elfload" "$dflt" "elfload --aslr" "$aslr"
echo "  ratio elfload/direct, median of the paired ratios (quartiles): ${r_dflt%% *} (${r_dflt#* }) (target <= 1.5)"
judge "startup elfload/direct" "$r_dflt" 1.5
if [[ -z ${1:-} ]]; then
	echo "  ratio elfload --aslr/direct: ${r_aslr%% *} (${r_aslr#* }) (target <= 1.25)"
	judge "startup elfload --aslr/direct" "$r_aslr" 1.25
else
	echo "  ratio elfload --aslr/direct: ${r_aslr%% *} (${r_aslr#* }) (no target)"
fi
exit $FAILED
