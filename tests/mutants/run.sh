#!/bin/bash
# tests/mutants/run.sh [NAME...]: the mutation check (make mutants). Each
# fault in tests/mutants/faults is a small deliberate bug: a sed script
# for one file of stage1, stage2, common or arch. For each (or the NAMEs
# given), in a copy of this tree with the fault applied:
#
#   1. the fault must apply: the file changes, and elfload still builds;
#   2. the fuzzer's inputs are replayed through the harness built from
#      the copy (tests/fuzz/replay.sh);
#   3. if that passes, the native suite runs, a file at a time, against
#      the copy's elfload and this tree's fixtures (for a fault in
#      arch/ARCH, that architecture's suite under qemu-user too).
#
# The copy with no fault planted goes first: it must pass, with the
# suites of the host and of each architecture the faults name. A fault is
# caught when 2 or 3 fails. One line each:
#   caught  NAME  by the fuzz replay | by tests/FILE.bats
#   MISSED  NAME
# and a count; exit status 1 if any fault does not apply or is missed.
# Needs this tree's builds (make all fixtures, for each ARCH a fault names)
# and the fuzz seeds (make fuzz-replay): make mutants makes them.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
faults=$top/tests/mutants/faults
work=$(mktemp -d /tmp/elfload-mutants.XXXXXX)
trap 'rm -rf "$work"' EXIT
host=$(uname -m)
# cheap and likely first: the suites that look at the process
order="process static errors parity layout map dynamic script stream cli hostile realworld
	pinball microprobe gdb userns install foreign completion"

# run_suite COPY BUILD: the bats files one at a time; prints the first
# that fails. A fault may make elfload hang where a test does not bound
# it (bats cannot stop a test whose program holds its output): a file
# that takes over 15 minutes fails, with everything it started.
run_suite() {
	local copy=$1 b=$2 t out
	for t in $order; do
		out=$(TESTS=$t timeout -k 10 900 "$copy/tests/run.sh" "$b" 2>&1)
		# a file may skip all its tests here: its count, not the status
		case $(tail -n 1 <<<"$out") in
		*" passed, 0 failed") ;;
		*) echo "tests/$t.bats ($(grep -m 1 '^not ok' <<<"$out" || echo "cut short"))"
		   mkdir -p "$top/build/mutants"
		   echo "$out" > "$top/build/mutants/${copy##*/}-$t-$b.log"
		   return 0 ;;
		esac
	done
	return 1
}

# link_build COPY BUILD: the copy's build dir BUILD gets this tree's test
# programs and settings, and its own elfload
link_build() {
	local copy=$1 b=$2 d a f
	d=$copy/build/$b
	mkdir -p "$d"
	for f in fixtures parity parity-inputs test.env; do
		[ ! -e "$top/build/$b/$f" ] || ln -sfn "$top/build/$b/$f" "$d/$f"
	done
	# the other architectures' loaders, which elfload-gdb --qemu finds
	# next to this one (the copy's where it built them, else copies of
	# this tree's: a build in the copy must not write through a link),
	# and their test programs
	for a in $(awk '/^[a-z]/ { print $1 }' "$top/arch/arches"); do
		[ -e "$top/build/$a/elfload" ] || continue
		mkdir -p "$copy/build/$a"
		[ -e "$copy/build/$a/elfload" ] || cp "$top/build/$a/elfload" "$copy/build/$a/elfload"
		[ -e "$copy/build/$a/fixtures" ] || ln -s "$top/build/$a/fixtures" "$copy/build/$a/fixtures"
	done
	# how the tests start the copy's elfload (under qemu-user: a wrapper
	# that names it)
	make -s -C "$copy" ARCH="${b%-qemu}" $(case $b in *-qemu) echo QEMU=1 ;; esac) \
		"build/$b/run-elfload" >/dev/null 2>&1
}

mutate() {
	local name=$1 file=$2 script=$3 arch=$4 copy=$work/$1 by=
	mkdir -p "$copy"
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$copy" -xf -
	sed -i -e "$script" "$copy/$file"
	if cmp -s "$top/$file" "$copy/$file"; then
		echo "STALE   $name: the fault does not apply to $file"
		return 2
	fi
	if ! make -s -C "$copy" all >/dev/null 2>&1; then
		echo "STALE   $name: the copy does not build"
		return 2
	fi
	if ! make -s -C "$copy" build/fuzz/fuzz-stage1 >/dev/null 2>&1; then
		by="its build of the fuzz harness"
	elif ! "$copy/tests/fuzz/replay.sh" "$copy/build/fuzz/fuzz-stage1" "$top/build/fuzz/seeds" \
		"$top/tests/fuzz/corpus" "$top/tests/fuzz/regressions" >/dev/null 2>&1; then
		by="the fuzz replay"
	else
		link_build "$copy" "$host"
		by=$(run_suite "$copy" "$host")
		if [ -z "$by" ] && [ "$arch" != - ] && [ "$arch" != "$host" ]; then
			rm -f "$copy/build/$arch/elfload"   # the copy's own, this time
			make -s -C "$copy" ARCH="$arch" all >/dev/null 2>&1
			link_build "$copy" "$arch"
			by=$(run_suite "$copy" "$arch")
			by=${by:+$by ($arch)}
		fi
	fi
	rm -rf "$copy"
	if [ -n "$by" ]; then
		echo "caught  $name  by $by"
	else
		echo "MISSED  $name"
		return 1
	fi
}

# First the copy with no fault: everything must pass there, or a fault
# would be "caught" by what fails anyway.
baseline() {
	local copy=$work/baseline a by
	mkdir -p "$copy"
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$copy" -xf -
	make -s -C "$copy" all build/fuzz/fuzz-stage1 >/dev/null 2>&1 || { echo "the copy does not build"; return 1; }
	"$copy/tests/fuzz/replay.sh" "$copy/build/fuzz/fuzz-stage1" "$top/build/fuzz/seeds" \
		"$top/tests/fuzz/corpus" "$top/tests/fuzz/regressions" >/dev/null 2>&1 ||
		{ echo "the fuzz replay fails"; return 1; }
	for a in "$host" $(awk -F '\t' '/^[a-z]/ && $3 != "-" { print $3 }' "$faults" | sort -u); do
		[ "$a" = "$host" ] || { rm -f "$copy/build/$a/elfload"
			make -s -C "$copy" ARCH="$a" all >/dev/null 2>&1; }
		link_build "$copy" "$a"
		by=$(run_suite "$copy" "$a")
		[ -z "$by" ] || { echo "$by fails ($a)"; return 1; }
	done
	rm -rf "$copy"
}
if ! why=$(baseline); then
	echo "mutants: with no fault planted, $why: nothing to measure" >&2
	exit 2
fi
n=0 caught=0 bad=0
# the faults on fd 3: the suites read standard input (elfload -)
while IFS=$'\t' read -r -u 3 name file arch script; do
	case $name in ''|'#'*) continue ;; esac
	[ $# -eq 0 ] || [[ " $* " == *" $name "* ]] || continue
	n=$((n + 1))
	if mutate "$name" "$file" "$script" "$arch" </dev/null; then caught=$((caught + 1)); else bad=$((bad + 1)); fi
done 3< "$faults"
echo "mutants: $n faults, $caught caught, $bad missed or stale"
[ "$bad" -eq 0 ] && [ "$n" -gt 0 ]
