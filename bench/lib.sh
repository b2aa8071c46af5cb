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

# calc EXPR: floating-point arithmetic
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

# check NAME CONDITION: print and remember a PASS/FAIL line
FAILED=0
check() { if awk "BEGIN { exit !($2) }"; then echo "PASS: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
