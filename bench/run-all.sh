#!/bin/bash
# All elfload benchmarks: startup (elfload vs direct execve, targets ratio
# <= 1.5 default / <= 1.25 --aslr), bigseg (1 GiB file-backed data segment:
# startup ratio <= 1.2, VmRSS within +1 MiB), segments (5000 PT_LOADs:
# < 30 ms over a small program). Exit status 1 if any target is missed.
set -euo pipefail
dir=$(dirname "$0")
source "$dir/lib.sh"   # builds elfload (make), the harness and the small program

echo "elfload: $ELFLOAD (sha256 $(sha256sum "$ELFLOAD" | cut -c1-12)," \
	"tree $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'))," \
	"$(nproc) CPUs, kernel $(uname -r)"
failed=()
for b in startup bigseg segments; do
	echo; echo "== $b"
	ELFLOAD=$ELFLOAD "$dir/$b.sh" || failed+=("$b")
done
echo; echo "== startup of /bin/true (dynamically linked)"
ELFLOAD=$ELFLOAD "$dir/startup.sh" /bin/true || failed+=("startup /bin/true")
echo
if ((${#failed[@]})); then echo "FAIL: ${failed[*]}"; exit 1; fi
echo "PASS: all benchmarks"
