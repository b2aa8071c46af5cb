#!/bin/bash
# tests/run.sh BUILD...: runs every bats file against each build (x86_64,
# x86_64-qemu, aarch64, ...: a directory under build/ made by
# `make ARCH=... [QEMU=1] all fixtures`), prints one summary line per build
# and ends with "N passed, M failed". Exit status 0 only if none failed.
# TESTS="static dynamic" runs only those files; BATS_FLAGS go to bats.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
summary=() passed=0 failed=0
for b in "$@"; do
	dir=$top/build/$b
	log=$(mktemp)
	echo "# ---- $b"
	(
		. "$dir/test.env"
		# no test may hang CI: each gets at most 5 minutes
		export BATS_TEST_TIMEOUT=300
		export ARCH RUN SYSROOT GUEST ELFLOAD=$dir/run-elfload FIX=$dir/fixtures
		E=$(realpath "$ELFLOAD") F=$(realpath "$FIX") PAGE=$(getconf PAGESIZE)
		P=$dir/parity INPUTS=$dir/parity-inputs
		export E F PAGE P INPUTS
		bats --tap ${BATS_FLAGS:-} $(if [ -n "${TESTS:-}" ]; then
			for t in $TESTS; do echo "$top/tests/$t.bats"; done
		else echo "$top/tests"; fi)
	) | tee "$log"
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	skipped=$(grep -c '^ok .* # skip' "$log")
	summary+=("$b: $((ok - skipped)) passed / $((ok + notok - skipped)) run ($skipped skipped)")
	passed=$((passed + ok - skipped))
	failed=$((failed + notok))
	rm -f "$log"
done
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
