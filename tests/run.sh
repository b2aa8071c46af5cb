#!/bin/sh
# tests/run.sh ELFLOAD FIXTURES: runs every bats file against one build and
# ends with the line "N passed, M failed". Exit status 0 only if none failed.
set -u
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ELFLOAD=$1 FIX=$2 bats --tap . | tee "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
