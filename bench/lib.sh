# Shared by the bench/*.sh scripts: paths, building, statistics.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build/bench
if [[ -z ${ELFLOAD:-} ]]; then        # set ELFLOAD to benchmark another build
	make -s -C "$ROOT" >&2
	ELFLOAD=$ROOT/build/$(uname -m)/elfload
fi
PAIRS=${PAIRS:-200}
mkdir -p "$B"

# build OUT SRC [GCC FLAGS...]: a static, non-PIE program
build() { local out=$1 src=$2; shift 2; gcc -static -O2 "$@" -o "$out" "$src"; }

gcc -O2 -Wall -Wextra -o "$B/runtime" "$ROOT/bench/runtime.c"
build "$B/small" "$ROOT/bench/small.c"

# median FILE COLUMN: median of one column of runtime's output
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g |
	awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# paired FILE EXPR: the median, first and third quartile (nearest rank) of
# EXPR over the rows of runtime's output, one pair of runs a row: EXPR in
# awk, $1, $2, ... the row's times (e.g. "$2 / $1", a paired ratio)
paired() { awk "{ print $2 }" "$1" | sort -g |
	awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2,
		v[int((NR - 1) * 0.25) + 1], v[int((NR - 1) * 0.75) + 1] }'; }

# judge NAME "MEDIAN Q1 Q3" TARGET: PASS when three runs in four meet the
# target (the third quartile does), PASS but within the noise when only
# the median does, else FAIL; a smaller value is better
judge() {
	local med q1 q3
	read -r med q1 q3 <<<"$2"
	if awk "BEGIN { exit !($q3 <= $3) }"; then
		echo "PASS: $1: $med (quartiles $q1-$q3) <= $3"
	elif awk "BEGIN { exit !($med <= $3) }"; then
		echo "PASS (within the noise): $1: $med <= $3, but the third quartile $q3 is not"
	else
		echo "FAIL: $1: $med (quartiles $q1-$q3) > $3"; FAILED=1
	fi
}

# gate WHAT CMD...: a correctness check the benchmark stands on: without
# it, no timing counts, and the benchmark fails
gate() {
	local what=$1
	shift
	if "$@"; then echo "checked: $what"; else echo "FAIL: $what"; exit 1; fi
}

# calc EXPR: floating-point arithmetic
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

# check NAME CONDITION: print and remember a PASS/FAIL line
FAILED=0
check() { if awk "BEGIN { exit !($2) }"; then echo "PASS: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
