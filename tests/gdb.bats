#!/usr/bin/env bats
# Debugging a program loaded by elfload: elfload-gdb stops it before its
# first instruction and gives gdb the program's symbols, so breakpoints,
# backtraces and shared libraries work as with a program the kernel
# started, also when its pages sit where gdb's own no-ASLR layout puts the
# stack. gdb runs natively; --qemu drives gdb-multiarch and qemu-user.
load helpers
bats_require_minimum_version 1.5.0

setup() { native_only "gdb runs natively"; }

GDB=$(dirname "$(realpath "$ELFLOAD")")/elfload-gdb

# debugs FIXTURE WANT...: break at add_up, continue, bt, continue; the
# breakpoint is hit in add_up called from main, and the program then exits
# normally after printing WANT.
debugs() {
	local fixture=$1
	shift
	run "$GDB" "$@" -batch -ex 'break add_up' -ex continue -ex bt -ex continue "$fixture"
	[ "$status" -eq 0 ]
	[[ "$output" == *"elfload: stopped before the program's first instruction"* ]]
	grep -q '^Breakpoint 1, .*add_up ' <<<"$output"
	grep -q '^#0  .*add_up ' <<<"$output"
	grep -q '^#1  .* in main ' <<<"$output"
	grep -q '^\[Inferior 1 (process [0-9]*) exited normally\]$' <<<"$output"
}

@test "--stop-at-entry stops with SIGTRAP once the program is mapped" {
	run gdb -nx -batch -ex run -ex 'info proc mappings' --args "$E" --stop-at-entry "$F/pin-stack"
	[[ "$output" == *"Program received signal SIGTRAP"* ]]
	# everything is mapped: the program's pinned page is there
	grep -q "$(printf 0x%x $(($(probe stack-page) & -PAGE))) .* $F/pin-stack$" <<<"$output"
}

@test "a static program with a page where gdb puts the stack" {
	debugs "$F/pin-stack"
	[[ "$output" == *"pinned $(probe stack-page) sum 10"* ]]
}

@test "a dynamic program: breakpoints, backtrace, shared libraries" {
	run "$GDB" -batch -ex 'break add_up' -ex continue -ex bt -ex 'info sharedlibrary' -ex continue "$F/stack-dyn"
	[ "$status" -eq 0 ]
	grep -q '^Breakpoint 1, .*add_up ' <<<"$output"
	grep -q '^#1  .* in main ' <<<"$output"
	grep -q 'libc\.so\.6$' <<<"$output"
	[[ "$output" == *"trace (none) (unset) sum 10 pages 0"* ]]
	grep -q 'exited normally\]$' <<<"$output"
}

@test "a PIE: symbols where elfload put it" {
	debugs "$F/pie"
}

@test "a PIE whose last page is where gdb puts the stack (--base)" {
	local page end base
	page=$(probe stack-page)
	end=$(readelf -lW "$F/pie" | awk '$1 == "LOAD" { a = $3; s = $6 } END { print a, s }')
	end=$(( (${end% *} + ${end#* } + PAGE - 1) & -PAGE ))
	base=$(printf '0x%x' $(((page + 4096 + PAGE - 1 & -PAGE) - end)))
	debugs "$F/pie" --elfload-option --base="$base"
	[[ "$output" == *"pinned 0x"* ]]
	run "$E" --base="$base" --map "$F/pie"
	grep -q "^[0-9a-f]*-$(printf %x $((page + 4096 + PAGE - 1 & -PAGE))) rw-p .* $F/pie *PT_LOAD" <<<"$output"
}

@test "the dynamic trace-shaped program, 1500 pinned pages, with --args" {
	TRACE_WHO=me run "$GDB" -batch -ex 'break add_up' -ex continue -ex bt -ex continue --args "$F/trace-dyn" a1
	[ "$status" -eq 0 ]
	grep -q '^Breakpoint 1, .*add_up ' <<<"$output"
	grep -q '^#1  .* in main ' <<<"$output"
	[[ "$output" == *"trace a1 me sum 28 pages 1125750"* ]]
	grep -q 'exited normally\]$' <<<"$output"
}

@test "gdb options and program arguments pass through" {
	run "$GDB" -q -batch -ex 'print 6*7' -ex continue --args "$F/auxv" one two
	[ "$status" -eq 0 ]
	grep -q '^\$1 = 42$' <<<"$output"
	grep -q '^argv\[2\] two$' <<<"$output"
}

@test "paths and arguments with spaces and quotes pass through as they are" {
	local dir="$BATS_TEST_TMPDIR/a b'c\"d"
	mkdir -p "$dir"
	cp "$F/auxv" "$dir/pro g"
	run "$GDB" -batch -ex 'break main' -ex continue -ex continue --args "$dir/pro g" 'x y' "q'u\"o" '$HOME' '*'
	[ "$status" -eq 0 ]
	grep -q '^Breakpoint 1, main ' <<<"$output"
	grep -qxF "argv[0] $dir/pro g" <<<"$output"
	grep -qxF 'argv[1] x y' <<<"$output"
	grep -qxF "argv[2] q'u\"o" <<<"$output"
	grep -qxF 'argv[3] $HOME' <<<"$output"
	grep -qxF 'argv[4] *' <<<"$output"
}

teardown() { [ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true; }

@test "attaching with gdb -p finds the program's symbols" {
	local line
	coproc SLEEPER { exec "$E" "$F/sleeper" 3>&-; }
	pid=$SLEEPER_PID
	read -r -t 20 line <&"${SLEEPER[0]}"
	[ "$line" = ready ]
	# /proc/PID/exe names the program (elfload may change it as root),
	# and /proc/PID/auxv describes it
	[ "$(readlink /proc/$pid/exe)" = "$F/sleeper" ]
	run gdb -nx -batch -p "$pid" -ex bt
	grep -q ' in wait_here ' <<<"$output"
	grep -q ' in main ' <<<"$output"
	run gdb -nx -batch -p "$pid" -ex 'info auxv' "$F/sleeper"
	grep -q "AT_ENTRY .* $(readelf -h "$F/sleeper" | awk '/Entry point/ { print $4 }')$" <<<"$output"
}

@test "--qemu aarch64: gdb-multiarch against qemu-aarch64 -g, on loopback" {
	local a=$(dirname "$F")/../aarch64
	[ -x "$a/elfload" ] && [ -e "$a/fixtures/pie" ] || skip "no aarch64 build"
	unshare -n true 2>/dev/null || skip "no network namespaces here"
	debugs "$a/fixtures/pin-stack" --qemu aarch64
	debugs "$a/fixtures/pie" --qemu aarch64
	debugs "$a/fixtures/stack-dyn" --qemu aarch64
	# a fixed-address program's shared libraries are followed
	run "$GDB" --qemu aarch64 -batch -ex 'break add_up' -ex continue \
		-ex 'info sharedlibrary' -ex continue "$a/fixtures/stack-dyn"
	grep -q 'lib/libc\.so\.6$' <<<"$output"
	# names and arguments with spaces and quotes
	local dir="$BATS_TEST_TMPDIR/a b'c\"d"
	mkdir -p "$dir"
	cp "$a/fixtures/auxv" "$dir/pro g"
	run "$GDB" --qemu aarch64 -batch -ex 'break main' -ex continue -ex continue --args "$dir/pro g" 'x y' "q'u\"o"
	grep -q '^Breakpoint 1, main ' <<<"$output"
	grep -qxF "argv[0] $dir/pro g" <<<"$output"
	grep -qxF 'argv[1] x y' <<<"$output"
	grep -qxF "argv[2] q'u\"o" <<<"$output"
}

@test "a static-PIE" {
	cmp -s "$F/staticpie" "$F/plain" && skip "this C library has no static-PIE support"
	debugs "$F/staticpie"
}

@test "its stop, passed on to the program, does not kill it" {
	run "$GDB" -batch -ex 'handle SIGTRAP nostop noprint pass' -ex continue "$F/plain"
	[[ "$output" == *"pinned 0x"* ]]
	grep -q 'exited normally\]$' <<<"$output"
	! grep -q 'terminated with signal SIGTRAP' <<<"$output"
}

@test "the same layout whatever gdb's disable-randomization says" {
	local on off
	on=$("$GDB" -batch -ex 'info proc mappings' "$F/pin-stack" 2>/dev/null | grep -E '^ +0x')
	off=$("$GDB" -batch -iex 'set disable-randomization off' -ex 'info proc mappings' \
		"$F/pin-stack" 2>/dev/null | grep -E '^ +0x')
	[ -n "$on" ] && [ "$on" = "$off" ]
}

@test "elfload-gdb without a program, or with one that is not there" {
	run -125 "$GDB" -batch
	[ "$output" = "usage: elfload-gdb [--qemu ARCH] [--elfload-option OPT]... [GDB-OPTIONS] [--args] PROGRAM [ARGS...]
Try 'elfload-gdb --help' for more information." ]
	PATH=/usr/bin:/bin run -127 "$GDB" no-such-program
	[ "$output" = "elfload-gdb: no-such-program: not found" ]
}

@test "--qemu riscv64 and ppc64le: a Microprobe ELF, stopped at its traced code" {
	unshare -n true 2>/dev/null || skip "no network namespaces here"
	local a f
	for a in riscv64 ppc64le; do
		f=$(dirname "$F")/../$a/fixtures/microprobe-$a-small
		[ -x "$f" ] || skip "no $a build"
		run "$GDB" --qemu $a -batch -ex 'break *0x10000000' -ex continue -ex continue "$f"
		grep -q '^Breakpoint 1, 0x0*10000000 in CODE_START ()$' <<<"$output"
		grep -qx "microprobe $a-small: every page right" <<<"$output"
		grep -q '^\[Inferior 1 (process [0-9]*) exited with code 052\]$' <<<"$output"
	done
}
