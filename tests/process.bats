#!/usr/bin/env bats
# What the program sees of its process: the same argv, environment and
# auxiliary vector as from the kernel, and the same from outside
# (/proc/PID/auxv, cmdline, environ, comm).
load helpers

# qemu-user answers /proc/self/{auxv,cmdline,environ,comm} itself, from
# what it gave the guest, and keeps its own view of the stack and brk
kernel_views() { if [ -n "$RUN" ]; then grep -v '^proc \|^comm '; else cat; fi; }

@test "argv, envp and auxv are those of a direct run" {
	local direct
	direct=$(env -i A=1 B='two words' $RUN "$F/auxv" x 'y z' 3>&- | kernel_views)
	run env -i A=1 B='two words' "$E" "$F/auxv" x 'y z' 3>&-
	[ "$status" -eq 0 ]
	[ "$(kernel_views <<<"$output")" = "$direct" ]
	[[ "$output" == *"sp aligned 1"* ]]
	[[ "$output" == *"fd 3 closed"* ]]
	native_only "qemu-user answers /proc/self itself"
	# and the run checked itself against /proc
	[[ "$output" == *"proc auxv matches"* ]]
	[[ "$output" == *"proc cmdline matches"* ]]
	[[ "$output" == *"proc environ matches"* ]]
	[[ "$output" == *"comm auxv"* ]]
}

@test "the same without ASLR and with a large environment" {
	local big direct
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	direct=$(env -i BIG="$big" $(command -v setarch) "$(uname -m)" -R $RUN "$F/auxv" a | kernel_views)
	run env -i BIG="$big" $(command -v setarch) "$(uname -m)" -R "$E" "$F/auxv" a
	[ "$status" -eq 0 ]
	[ "$(kernel_views <<<"$output")" = "$direct" ]
}

@test "--argv0 replaces argv[0] only" {
	run env -i "$E" --argv0 traced-run "$F/auxv" q
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "argv[0] traced-run" ]
	[ "${lines[3]}" = "argv[1] q" ]
	[[ "$output" == *"auxv 31 $F/auxv"* ]]   # AT_EXECFN stays the file
}

@test "the environment is elfload's own, marker variables removed" {
	run env -i ONLY=1 "$E" "$F/auxv"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^env ' <<<"$output")" -eq 1 ]
	[ "${lines[3]}" = "env ONLY=1" ]
}

@test "the program's children get ASLR back" {
	native_only "the personality is qemu's"
	# elfload turns randomization off for itself only: the program runs
	# with the caller's personality, so what it starts is randomized
	run "$E" "$F/personality"
	expect "personality 0x0" 0
	run setarch "$(uname -m)" -R "$E" "$F/personality"
	expect "personality 0x40000" 0
}

@test "--entry SYMBOL calls f(argc, argv, envp) and exits with its value" {
	run env -i A=1 "$E" --entry traced "$F/entry" x
	[ "$status" -eq 23 ]
	run env -i "$E" --entry traced "$F/entry"
	[ "$status" -eq 10 ]
}

@test "--entry says what it skips: TLS set-up, the dynamic linker; nothing when nothing is skipped" {
	run env -i "$E" --entry traced "$F/entry"
	[ "${lines[0]}" = "elfload: $F/entry: warning: --entry traced skips the C library's start-up, which sets up thread-local storage (PT_TLS; errno, stdio and the stack protector use it)" ]
	[ "$status" -eq 10 ]
	run "$E" --map --entry main "$F/dynamic"
	[ "$status" -eq 0 ]
	grep -qx "elfload: $F/dynamic: warning: --entry main skips the C library's start-up and the dynamic linker: nothing from a shared library may be called" <<<"$output"
	run "$E" --map --entry fmt_dec "$F/pie-nolibc"
	[ "$status" -eq 0 ]
	no_line warning
	# a refusal stays one line: the warning comes only once nothing can be refused
	run "$E" --entry traced --stack-top 0x1000 "$F/entry"
	[ "$status" -eq 126 ] && [ "${#lines[@]}" -eq 1 ]
}

@test "--entry ADDR" {
	local addr
	addr=0x$(nm "$F/entry" | awk '$3 == "traced" { print $1 }')
	run env -i A=1 "$E" --entry "$addr" "$F/entry" x
	[ "$status" -eq 23 ]
}

@test "--stack-top and --stack-size place the stack" {
	# (inside every window: Sv39's is 256 GiB)
	run env SHOW_MAPS=1 "$E" --stack-top 0x3000000000 --stack-size 1M "$F/plain"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n'"2ffff00000-3000000000 rw-p 00000000 00:00 0"* ]]
}

# the line of /proc/self/maps in $output that is the stack --map planned
stack_line() {
	local range
	# (--map's columns are as wide as the widest address: leading zeros)
	range=$("$E" "$@" --map "$F/plain" | awk '$4 == "[stack]" { print $1 }' | sed 's/^0*//; s/-0*/-/')
	grep "^$range " <<<"$output"
}

@test "the stack size follows RLIMIT_STACK" {
	run bash -c "ulimit -s 2048; SHOW_MAPS=1 '$E' '$F/plain'"
	[ "$status" -eq 0 ]
	local line lo hi
	line=$(grep '\[stack\]' <<<"$output" || true)
	[ -n "$line" ] || line=$(ulimit -s 2048; stack_line)
	lo=${line%%-*}; hi=${line#*-}; hi=${hi%% *}
	[ $((0x$hi - 0x$lo)) -eq $((2048 * 1024)) ]
}

@test "the stack grows as the kernel's: to RLIMIT_STACK, and on and on when unlimited" {
	# 8 MiB: 7 MiB of recursion fits, 9 MiB does not, as directly
	run bash -c "ulimit -s 8192; '$E' '$F/recurse' 7"
	expect "recursed 7 MiB" 0
	run bash -c "ulimit -s 8192; exec '$E' '$F/recurse' 9"
	[ "$status" -eq 139 ]
	[[ "$output" != *recursed* ]]
	run bash -c "ulimit -s 8192; exec $RUN '$F/recurse' 9"
	[ "$status" -eq 139 ]
	# unlimited: far beyond the 8 MiB mapped at first (qemu-user gives a
	# guest run directly 8 MiB, however unlimited)
	if [ -n "$RUN" ] && [ "$ARCH" = s390x ]; then
		skip "qemu-s390x checks stores against its own page table: no stack grows there"
	fi
	run bash -c "ulimit -s unlimited; '$E' '$F/recurse' 64"
	expect "recursed 64 MiB" 0
	run bash -c "ulimit -s unlimited; '$E' '$F/recurse' 256"
	expect "recursed 256 MiB" 0
	run bash -c "ulimit -s unlimited; '$E' --aslr '$F/recurse' 256"
	expect "recursed 256 MiB" 0
}

@test "a non-executable stack unless PT_GNU_STACK asks" {
	run env SHOW_MAPS=1 "$E" "$F/plain"
	[[ "$(stack_line)" == *" rw-p "* ]]
}

@test "without /proc, elfload still loads at the right addresses" {
	native_only "qemu-user needs /proc itself"
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	local page
	page=$(probe stack-page)
	run unshare -m sh -c "mount -t tmpfs none /proc && '$E' '$F/pin-stack' && '$E' '$F/pin-self'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pinned $page sum 10" ]
}

teardown() { [ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true; }

@test "the program runs where elfload runs: under qemu-user, in the same emulator" {
	# the host kernel's view of the process, from outside: natively the
	# program (as root, elfload names it), under qemu-user the emulator,
	# which an exec of elfload's own would have left
	local line want
	coproc SLEEPER { exec "$E" "$F/sleeper" 3>&-; }
	pid=$SLEEPER_PID
	read -r -t 30 line <&"${SLEEPER[0]}"
	[ "$line" = ready ]
	if [ -n "$RUN" ]; then
		want=$(realpath "$(command -v "qemu-$ARCH")")
	elif [ "$(id -u)" -eq 0 ]; then
		want=$F/sleeper
	else
		want=$(realpath "$ELF")
	fi
	[ "$(readlink /proc/$pid/exe)" = "$want" ]
}
