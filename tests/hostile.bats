#!/usr/bin/env bats
# Inputs and circumstances built to break elfload. Each is refused before
# anything is unmapped, with one line and status 125/126/127, or loaded
# and run: never a death of elfload by a signal, never a hang, never a
# failure after the point of no return.
load helpers
bats_require_minimum_version 1.5.0

# elfload and the fixtures where nobody may read them (a checkout may be
# private), run as nobody: natively or under qemu, at most 10 s
setup_file() {
	share_files "$(realpath "$FIX")"
}

teardown_file() { rm -rf "$SHARED"; }

E_NOBODY() { timeout 10 "${NOBODY[@]}" $RUN "$SHARED/elfload" "$@"; }

# teardown runs whether the test passed or not: the sysctls go back,
# then the lock is let go, and the suite's shared hold taken again
teardown() {
	[ -z "${saved_overcommit_memory:-}" ] || echo "$saved_overcommit_memory" > /proc/sys/vm/overcommit_memory
	[ -z "${saved_max_map_count:-}" ] || echo "$saved_max_map_count" > /proc/sys/vm/max_map_count
	[ -z "${sysctl_lock:-}" ] || exec {sysctl_lock}>&-
	[ -z "${sysctl_lock:-}" ] || [ -z "${ELFLOAD_SUITE_LOCK:-}" ] || flock -s "$ELFLOAD_SUITE_LOCK"
}

# set_sysctl NAME VALUE: set vm.NAME for this test (restored by teardown),
# or skip where it cannot be changed. The first one takes the lock every
# suite on this machine holds shared while it runs (tests/run.sh), alone:
# it lets go of its own suite's hold, then waits until no other suite
# runs, so that none sees the machine's sysctls changed under it.
set_sysctl() {
	local f=/proc/sys/vm/$1 was
	native_only "changes a sysctl of this machine"
	if [ -z "${sysctl_lock:-}" ]; then
		[ -z "${ELFLOAD_SUITE_LOCK:-}" ] || flock -u "$ELFLOAD_SUITE_LOCK"
		exec {sysctl_lock}>>/tmp/elfload-sysctl.lock
		flock -w 1800 "$sysctl_lock" || {
			echo "another suite held the sysctl lock for 30 minutes" >&2
			return 1
		}
	fi
	was=$(cat "$f")
	{ echo "$2" > "$f"; } 2>/dev/null || skip "vm.$1 cannot be changed here"
	eval "saved_$1=\$was"
}

# every run below is elfload's as nobody, on copies in $SHARED/fixtures

@test "--page-size above the page size: bss after file data, no SIGBUS" {
	local ps s=$SHARED/fixtures
	for ps in $((2 * PAGE)) $((4 * PAGE)) $((16 * PAGE)); do
		run E_NOBODY --page-size $ps "$s/dynamic"
		[ "$status" -eq 0 ] && [[ "$output" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]] ||
			{ echo "--page-size $ps: $status $output"; return 1; }
	done
	# one RWX segment: the whole 256-byte file, then bss
	for ps in $PAGE $((4 * PAGE)) $((16 * PAGE)); do
		run E_NOBODY --stop-at-entry --page-size $ps "$s/tiny"
		[ "$status" -eq 133 ] || { echo "--page-size $ps: $status $output"; return 1; }
	done
}

@test "--page-size 65536 with a segment in the top page is refused, not failed" {
	native_only "the top page differs under qemu-user"
	local page top s=$SHARED/fixtures
	page=$(probe stack-page)
	top=$(printf %x $((page + 4096)))
	# where the window ends on a 64 KiB boundary, the page fits
	if (( (0x$top & 0xffff) == 0 )); then
		run E_NOBODY --page-size 65536 "$s/pin-stack"
		expect "pinned $page sum 10" 0
		return
	fi
	run -126 E_NOBODY --page-size 65536 "$s/pin-stack"
	expect "elfload: $s/pin-stack: --page-size 65536: PT_LOAD $(phdr_index "$s/pin-stack" "$page") ${page}-0x$top ends a 0x10000-byte page at 0x$(printf %x $(( (0x$top + 0xffff) & ~0xffff ))), above the highest user address 0x$top" 126
}

@test "a FIFO or a device as PROGRAM or interpreter is refused at once" {
	local fifo s=$SHARED/fixtures
	fifo=$SHARED/fifo
	mkfifo "$fifo"
	chmod 755 "$fifo"
	run -126 E_NOBODY "$fifo"
	expect "elfload: $fifo: Permission denied" 126
	run -126 E_NOBODY --interp "$fifo" "$s/pie"
	expect "elfload: $s/pie: interpreter $fifo: Permission denied" 126
	# as PT_INTERP
	"$F/mkbad-run" interp "$s/pie" "$SHARED/pie-fifo" "$fifo"
	run -126 E_NOBODY "$SHARED/pie-fifo"
	expect "elfload: $SHARED/pie-fifo: interpreter $fifo: Permission denied" 126
	[ "$(id -u)" -eq 0 ] || skip "mknod needs root"
	mknod "$SHARED/zero" c 1 5
	chmod 755 "$SHARED/zero"
	run -126 E_NOBODY "$SHARED/zero"
	expect "elfload: $SHARED/zero: Permission denied" 126
}

@test "3200 and 25600 segments sharing pages load, 2 and 16 to a page" {
	run E_NOBODY "$SHARED/fixtures/shared3200"
	expect "pages 1600 sum 1280800" 0
	run E_NOBODY "$SHARED/fixtures/shared25600"
	expect "pages 1600 sum 1280800" 0
}

# limited NAME VALUE ARGS...: elfload under ulimit -NAME VALUE
limited() {
	local opt=$1 value=$2
	shift 2
	"${NOBODY[@]}" bash -c 'ulimit "$0" "$1"; shift; exec "$@"' "$opt" "$value" \
		"$SHARED/elfload" "$@"
}

@test "RLIMIT_AS (ulimit -v): refused up front, loaded at exactly enough" {
	native_only "qemu-user needs more address space than the limit leaves"
	local need s=$SHARED/fixtures
	run -126 limited -v 3000 "$s/plain"
	[[ "$output" =~ ^"elfload: $s/plain: needs "([0-9]+)" KiB of address space, RLIMIT_AS (ulimit -v) allows 3000 KiB"$ ]]
	need=${BASH_REMATCH[1]}
	run -133 limited -v "$need" --stop-at-entry "$s/plain"
	run -126 limited -v $((need - 1)) --stop-at-entry "$s/plain"
	# the 1 GiB bss
	run -126 limited -v 300000 "$s/bigbss"
	[[ "$output" =~ ^"elfload: $s/bigbss: needs "[0-9]+" KiB of address space, RLIMIT_AS (ulimit -v) allows 300000 KiB"$ ]]
	# and when the limit leaves no room even for elfload's own memory
	run -126 limited -v 500 /bin/true
	expect "elfload: /bin/true: out of memory (Cannot allocate memory)" 126
}

@test "RLIMIT_DATA (ulimit -d): refused up front" {
	native_only "qemu-user needs more memory than the limit leaves"
	local s=$SHARED/fixtures
	run -126 limited -d 100000 "$s/bigbss"
	[[ "$output" =~ ^"elfload: $s/bigbss: needs "[0-9]+" KiB of private writable memory, RLIMIT_DATA (ulimit -d) allows 100000 KiB"$ ]]
}

@test "a bss larger than RAM and swap: refused with vm.overcommit_memory 0, loaded with 1" {
	local ram f s=$SHARED/fixtures
	ram=$(awk '/^MemTotal|^SwapTotal/ { s += $2 } END { printf "%d", s * 1024 }' /proc/meminfo)
	[ "$ram" -lt $((1 << 40)) ] || skip "this machine has a terabyte"
	set_sysctl overcommit_memory 0
	run -126 E_NOBODY "$s/bss1t"
	[[ "$output" =~ ^"elfload: $s/bss1t: PT_LOAD "[0-9]+" 0x30000000-0x10030000000 needs 0x"[0-9a-f]+" bytes of memory, more than RAM and swap (0x"[0-9a-f]+" bytes) with vm.overcommit_memory 0"$ ]]
	for f in bss44 bss46; do
		run -126 E_NOBODY "$s/$f"
		[[ "$output" == *" more than RAM and swap "* ]]
	done
	echo 1 > /proc/sys/vm/overcommit_memory
	for f in bss1t bss44 bss46; do
		run E_NOBODY --stop-at-entry "$s/$f"
		[ "$status" -eq 133 ] || { echo "$f: $status $output"; return 1; }
	done
}

@test "vm.max_map_count lowered: refused up front, --map too" {
	local s=$SHARED/fixtures
	# one mapping a pinned page on 4 KiB pages; fewer where they share
	local n=50[0-9][0-9]
	((PAGE == 4096)) || n='[0-9]+'
	set_sysctl max_map_count 600
	run -126 E_NOBODY "$s/pages5000"
	[[ "$output" =~ ^"elfload: $s/pages5000: needs "$n" mappings, vm.max_map_count allows 600"$ ]]
	run -126 E_NOBODY --map "$s/pages5000"
	[[ "${lines[-1]}" =~ ^"elfload: $s/pages5000: needs "$n" mappings, vm.max_map_count allows 600"$ ]]
}

@test "a file that shrinks while it is loaded: one line, 126" {
	native_only "gdb runs natively"
	# stop elfload right before it enters stage2 and cut the file: the
	# bytes stage2 copies (the page where the data end) are gone
	cp "$F/plain" "$BATS_TEST_TMPDIR/shrinks"
	run gdb -nx -batch -ex 'break enter_stage2' -ex run \
		-ex "shell truncate -s 4096 '$BATS_TEST_TMPDIR/shrinks'" -ex continue \
		--args "$ELF" --aslr "$BATS_TEST_TMPDIR/shrinks"
	grep -qx "elfload: $BATS_TEST_TMPDIR/shrinks: the file changed while it was being loaded" <<<"$output"
	grep -q 'exited with code 0176\]$' <<<"$output"
	# the same for the interpreter
	cp "$(readlink -f "$SYSROOT$(interp_of "$F/pie")")" "$BATS_TEST_TMPDIR/ld.so"
	run gdb -nx -batch -ex 'break enter_stage2' -ex run \
		-ex "shell truncate -s 4096 '$BATS_TEST_TMPDIR/ld.so'" -ex continue \
		--args "$ELF" --aslr --interp "$BATS_TEST_TMPDIR/ld.so" "$F/pie"
	grep -qx "elfload: $F/pie: interpreter $BATS_TEST_TMPDIR/ld.so: the file changed while it was being loaded" <<<"$output"
	grep -q 'exited with code 0176\]$' <<<"$output"
}

@test "set-user-ID and set-group-ID: the kernel's credentials, or a refusal" {
	native_only "qemu-user runs set-user-ID programs with the caller's credentials"
	[ "$(id -u)" -eq 0 ] || skip "making set-user-ID files of other users needs root"
	local f d=$SHARED
	cp "$F/ids" "$d/ids-nobody"
	chown nobody:nogroup "$d/ids-nobody"
	chmod 6755 "$d/ids-nobody"
	cp "$F/ids" "$d/ids-root"
	chmod 4755 "$d/ids-root"
	cp "$F/ids" "$d/ids-root-group"
	chmod 2755 "$d/ids-root-group"
	# root runs a program that is set-user-ID and -group-ID to nobody:
	# effective IDs nobody's, real ones root's, AT_SECURE, as execve does
	run "$d/elfload" "$d/ids-nobody"
	expect "$("$d/ids-nobody")" 0
	[ "$output" = "uid 0 65534 65534 gid 0 65534 65534 secure 1
auxv uid 0 euid 65534 gid 0 egid 65534" ]
	# nobody runs set-user-ID root and set-group-ID root: refused
	run -126 E_NOBODY "$d/ids-root"
	expect "elfload: $d/ids-root: set-user-ID to uid 0, which execve would run it as and elfload cannot: run it directly" 126
	run -126 E_NOBODY "$d/ids-root-group"
	expect "elfload: $d/ids-root-group: set-group-ID to gid 0, which execve would run it as and elfload cannot: run it directly" 126
	# IDs it has already: nothing to change
	run E_NOBODY "$d/ids-nobody"
	expect "uid 65534 65534 65534 gid 65534 65534 65534 secure 0
auxv uid 65534 euid 65534 gid 65534 egid 65534" 0
	# real and effective IDs that differ, and a program set-user-ID to one
	# of them: the IDs and AT_SECURE as execve gives them
	local mixed="setpriv --ruid=65534 --rgid=65534 --clear-groups --"
	run $mixed "$d/elfload" "$d/ids-nobody"
	expect "$($mixed "$d/ids-nobody")" 0
	mixed="setpriv --euid=65534 --"
	run $mixed "$d/elfload" "$d/ids-root"
	expect "$($mixed "$d/ids-root")" 0
	# execute permission is the effective IDs': a program only its owner,
	# root, may run, run with a real ID that is not root's
	cp "$F/ids" "$d/ids-0700"
	chmod 0700 "$d/ids-0700"
	mixed="setpriv --ruid=65534 --rgid=65534 --clear-groups --"
	run $mixed "$d/elfload" "$d/ids-0700"
	expect "$($mixed "$d/ids-0700")" 0
	# traced by an unprivileged debugger, the kernel keeps the caller's IDs
	for f in ids-root ids-root-group; do
		run unprivileged gdb -nx -batch -ex run --args "$d/elfload" "$d/$f"
		grep -qx "$(unprivileged gdb -nx -batch -ex run --args "$d/$f" | grep '^uid')" <<<"$output"
	done
}

@test "messages name what the user gave" {
	run -125 "$E" --page-size 0 "$F/plain"
	expect "elfload: invalid --page-size 0: not a power-of-two multiple of the page size $(getconf PAGESIZE)
Try 'elfload --help' for more information." 125
	run -126 "$E" --stack-size 1048576G "$F/plain"
	expect "elfload: $F/plain: --stack-size 1048576G: a 0x4000000000000-byte stack does not fit in the address space" 126
	run -126 "$E" --stack-top 0xffffffffffffffff "$F/plain"
	[[ "$output" =~ ^"elfload: $F/plain: --stack-top 0xffffffffffffffff: above the highest user address 0x"[0-9a-f]+$ ]]
	# names are shown on one line whatever they hold
	run -127 "$E" "$(printf 'no\nsuch\tprogram\001')"
	expect 'elfload: no\nsuch\tprogram\x01: No such file or directory' 127
	run -126 E_NOBODY --page-size 1G "$SHARED/fixtures/plain"
	[[ "$output" =~ ^"elfload: $SHARED/fixtures/plain: --page-size 1G: PT_LOAD "[0-9]+" 0x"[0-9a-f]+-0x[0-9a-f]+" starts a 0x40000000-byte page at 0x0, below vm.mmap_min_addr (0x"[0-9a-f]+")"$ ]]
}

@test "every defective fixture, as nobody under --stop-at-entry: reached or refused" {
	local f s=$SHARED/fixtures huge=
	# qemu-user takes minutes over a terabyte mapping, where the
	# machine lets one be made (vm.overcommit_memory 1), and dies by
	# SIGSEGV making bad-fill's 128 TiB one
	[ -n "$RUN" ] || huge="$s/bss1t $s/bss44 $s/bss46"
	for f in "$s"/bad-* "$s"/notelf "$s"/rel.o "$s"/noexec "$s"/interp-* "$s"/tiny \
		 $huge "$s"/xnum "$s"/unaligned; do
		[ -z "$RUN" ] || [ "$f" != "$s/bad-fill" ] || continue
		output=$(E_NOBODY --stop-at-entry "$f" 2>&1) && status=0 || status=$?
		reached_or_refused || { echo "$f"; return 1; }
	done
}
