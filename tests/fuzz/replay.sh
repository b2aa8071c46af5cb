#!/bin/sh
# replay.sh FUZZER DIR...: every input in the DIRs through the harness,
# once each, in one process. Fails on the first finding, and shows it.
set -eu
fuzzer=$1
shift
files=$(for d in "$@"; do [ -d "$d" ] && find "$d" -type f; done | sort)
[ -n "$files" ] || { echo "replay: no inputs in $*" >&2; exit 1; }
echo "replaying $(echo "$files" | wc -l) inputs through $fuzzer"
log=$(mktemp)
status=0
# shellcheck disable=SC2086
"$fuzzer" -runs=1 -rss_limit_mb=4096 -timeout=30 $files >"$log" 2>&1 || status=$?
grep -v '^Running: \|^Executed \|^INFO: \|^\*\*\*\|^$' "$log" || true
rm -f "$log"
exit "$status"
