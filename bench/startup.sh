#!/bin/bash
# Startup cost of a small static program run by elfload vs a direct execve.
# Paired runs (direct, elfload, elfload --aslr interleaved), median wall time
# of each, fork to waitpid. Targets: elfload / direct <= 1.5 by default,
# <= 1.25 with --aslr (no re-exec); for another PROGRAM only the default's
# (the --aslr ratio is shown, without a target).
#   bench/startup.sh [PROGRAM]     (default: a bundled `int main(){return 0;}`)
#   PAIRS=N (default 200), ELFLOAD=path (default: make, build/$(uname -m)/elfload)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

prog=${1:-$B/small}
out=$B/startup.times
"$B/runtime" 10 "$prog" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" --aslr "$prog" >/dev/null  # warm-up
"$B/runtime" "$PAIRS" "$prog" :: "$ELFLOAD" "$prog" :: "$ELFLOAD" --aslr "$prog" >"$out"

direct=$(median "$out" 1) dflt=$(median "$out" 2) aslr=$(median "$out" 3)
r_dflt=$(calc "$dflt / $direct") r_aslr=$(calc "$aslr / $direct")
echo "startup of $prog, median of $PAIRS paired runs (microseconds):"
printf '  %-22s %9s\n' direct "$direct" "elfload" "$dflt" "elfload --aslr" "$aslr"
echo "  ratio elfload/direct:        $r_dflt (target <= 1.5)"
check "startup elfload/direct = $r_dflt <= 1.5" "$r_dflt <= 1.5"
if [[ -z ${1:-} ]]; then
	echo "  ratio elfload --aslr/direct: $r_aslr (target <= 1.25)"
	check "startup elfload --aslr/direct = $r_aslr <= 1.25" "$r_aslr <= 1.25"
else
	echo "  ratio elfload --aslr/direct: $r_aslr (no target)"
fi
exit $FAILED
