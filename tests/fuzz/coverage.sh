#!/bin/sh
# coverage.sh BUILD DIR...: stage1's line and branch coverage when every
# input in the DIRs runs through the harness built for coverage
# (BUILD/fuzz-stage1-cov). Prints llvm-cov's table and its TOTAL line.
set -eu
b=$1
shift
rm -f "$b"/cov-*.profraw
files=$(for d in "$@"; do [ -d "$d" ] && find "$d" -type f; done | sort)
# shellcheck disable=SC2086
LLVM_PROFILE_FILE="$b/cov-%p.profraw" "$b/fuzz-stage1-cov" -runs=1 $files >/dev/null 2>&1
llvm-profdata merge -sparse "$b"/cov-*.profraw -o "$b/cov.profdata"
srcs=$(ls stage1/*.c | grep -v 'stage1/launch.c')
# shellcheck disable=SC2086
llvm-cov report "$b/fuzz-stage1-cov" -instr-profile="$b/cov.profdata" $srcs
