#!/bin/bash
# tests/run.sh BUILD...: runs every bats file against each build (x86_64,
# x86_64-qemu, aarch64, ...: a directory under build/ made by
# `make ARCH=... [QEMU=1] all fixtures`), prints one summary line per build
# and ends with "N passed, M failed". Exit status 0 only if none failed.
# TESTS="static dynamic" runs only those files; BATS_FLAGS go to bats. A
# failing test shows what each of its `run`s printed (--verbose-run).
#
# A build counts as failed, besides its failed tests, when its test.env is
# missing, when bats itself fails, or when the TAP stream ends before the
# plan's count ("1..N"): a suite cut short is not a pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
summary=() passed=0 failed=0
for b in "$@"; do
	dir=$top/build/$b
	log=$(mktemp)
	echo "# ---- $b"
	if [ ! -f "$dir/test.env" ]; then
		echo "not ok 1 $b: no $dir/test.env (make ARCH=... all fixtures makes it)"
		summary+=("$b: no test.env")
		failed=$((failed + 1))
		rm -f "$log"
		continue
	fi
	(
		. "$dir/test.env"
		# no test may hang CI: each gets at most 5 minutes
		export BATS_TEST_TIMEOUT=300
		# every suite holds the sysctl lock shared while it runs; a test
		# that changes a sysctl of the machine trades that for the lock
		# alone (tests/hostile.bats), so that no other suite runs a
		# test meanwhile
		exec 9>>/tmp/elfload-sysctl.lock
		flock -s 9
		export ELFLOAD_SUITE_LOCK=9
		export ARCH RUN SYSROOT GUEST ELFLOAD=$dir/run-elfload FIX=$dir/fixtures
		E=$(realpath "$ELFLOAD") F=$(realpath "$FIX") PAGE=$(getconf PAGESIZE)
		P=$dir/parity INPUTS=$dir/parity-inputs
		export E F PAGE P INPUTS
		bats --tap --verbose-run ${BATS_FLAGS:-} $(if [ -n "${TESTS:-}" ]; then
			for t in $TESTS; do echo "$top/tests/$t.bats"; done
		else echo "$top/tests"; fi)
		echo "# bats exit status $?"
	) 2>&1 | tee "$log"
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	skipped=$(grep -c '^ok .* # skip' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
	bats_status=$(sed -n 's/^# bats exit status \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	problem=
	if [ -z "$plan" ] || [ $((ok + notok)) -ne "$plan" ]; then
		problem="ran $((ok + notok)) of the plan's ${plan:-none}"
	elif [ "${bats_status:-1}" -ne 0 ] && [ "$notok" -eq 0 ]; then
		problem="bats failed (status ${bats_status:-unknown}) with no test failed"
	fi
	if [ -n "$problem" ]; then
		echo "not ok $b: $problem"
		notok=$((notok + 1))
	fi
	summary+=("$b: $((ok - skipped)) passed / $((ok + notok - skipped)) run ($skipped skipped)${problem:+, $problem}")
	passed=$((passed + ok - skipped))
	failed=$((failed + notok))
	rm -f "$log"
done
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
