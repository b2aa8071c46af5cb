#!/usr/bin/env bats
# The default layout (stage1/area.c): what elfload places goes to the same
# addresses on every run, away from where a traced process without ASLR
# had its stack, vDSO, ld.so, libraries, PIE and heap; --reserve keeps
# more ranges free.
load helpers
bats_require_minimum_version 1.5.0

@test "stack, brk heap and vDSO where the default layout puts them, on every run" {
	local maps
	maps=$(SHOW_MAPS=1 "$E" "$F/plain" | grep -E '^[0-9a-f]+-')
	# (qemu-user's maps show no [stack] label for the guest's stack)
	grep -Eq "^[0-9a-f]*-$(area stack) rw-p 00000000 00:00 0 *(\[stack\])?$" <<<"$maps"
	native_only "qemu-user keeps its own brk and has no vDSO"
	grep -q "^$(area brk)-[0-9a-f]* rw-p 00000000 00:00 0 *\[heap\]$" <<<"$maps"
	grep -q "^$(area vdso)-[0-9a-f]* r--p 00000000 00:00 0 *\[vvar\]$" <<<"$maps"
	[ "$maps" = "$(SHOW_MAPS=1 setarch "$(uname -m)" -R "$E" "$F/plain" | grep -E '^[0-9a-f]+-')" ]
}

@test "the window is where the kernel puts the stack without ASLR; the top, where mappings may go" {
	native_only "qemu-user has no window of its own"
	local top
	run "$E" --map "$F/plain"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *", window $(window), top "* ]]
	# the kernel maps a page right below the top (or has one there), and
	# nothing at it
	top=${lines[0]##* top }
	top=${top%")"}
	[ "$(direct "$F/probe" map $((top - $(getconf PAGESIZE))))" != "refused" ]
	[ "$(direct "$F/probe" map $top)" = "refused" ]
}

@test "shared libraries load below a sixth of the window, not under the stack" {
	native_only "qemu-user chooses where mmap(NULL) goes"
	local top libc
	top=$(($(window)))
	libc=$(SHOW_MAPS=1 "$E" "$F/dynamic" | awk '/libc\.so/ { print $1; exit }')
	[ -n "$libc" ]
	(( 0x${libc%-*} < top / 6 ))
	# a direct run without ASLR has them near the top
	libc=$(SHOW_MAPS=1 setarch "$(uname -m)" -R "$F/dynamic" | awk '/libc\.so/ { print $1; exit }')
	(( 0x${libc%-*} > top / 2 ))
}

@test "clock_gettime still goes through the moved vDSO" {
	native_only "qemu-user has no vDSO"
	command -v strace >/dev/null || skip "no strace"
	run strace -f -qq -e trace=clock_gettime "$E" "$F/clock"
	expect "clock_gettime 1000, vDSO present" 0
	# as directly: no clock_gettime system call at all
	run strace -f -qq -e trace=clock_gettime "$F/clock"
	expect "clock_gettime 1000, vDSO present" 0
}

@test "a program that replaces a page where the kernel puts the vDSO without ASLR" {
	native_only "qemu-user has no vDSO"
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	# the kernel refuses to split its special mapping (x86_64: EINVAL for
	# both; aarch64: ENOMEM for the mmap). On 64 KiB pages the page is
	# the whole vDSO, which it lets go
	run setarch "$(uname -m)" -R "$F/remap"
	if ((PAGE == 4096)); then
		[ "$status" -eq 1 ]
		[[ "${lines[0]}" == "munmap Invalid argument" ]]
		[[ "${lines[1]}" == "mmap "@(Invalid argument|Cannot allocate memory) ]]
	fi
	run "$E" "$F/remap"
	expect "munmap ok
mmap ok" 0
	run setarch "$(uname -m)" -R "$E" "$F/remap"
	expect "munmap ok
mmap ok" 0
	under_gdb "$E" "$F/remap"
	[[ "$output" == *"munmap ok"*"mmap ok"* ]]
}

@test "--reserve keeps ranges free: the stack, brk and vDSO move out, --map says so" {
	local stack brk vdso lo brk1
	stack=$(area stack) brk=$(area brk) vdso=$(area vdso)
	lo=$(printf %x $((0x$stack - 0x100000)))   # from 1 MiB below the stack's top to the vDSO
	brk1=$(printf %x $((0x$brk + 1)))          # one byte: its page
	run "$E" --reserve "0x$lo-0x$vdso" --reserve "0x$brk-0x$brk1" --map "$F/plain"
	[ "$status" -eq 0 ]
	grep -qx "reserved: $lo-$vdso --reserve 0x$lo-0x$vdso" <<<"$output"
	grep -qx "reserved: $brk-$(printf %x $((0x$brk + PAGE))) --reserve 0x$brk-0x$brk1" <<<"$output"
	grep -q "^collision: \[stack\] [0-9a-f]*-$stack is in the way of reserved $lo-$vdso: stack moved to 0x[0-9a-f]*-0x$lo$" <<<"$output"
	grep -q "^collision: \[heap\] $brk-[0-9a-f]* is in the way of reserved $brk-[0-9a-f]*: brk start moved to 0x[0-9a-f]*$" <<<"$output"
	run "$E" --reserve "0x$lo-0x$vdso" "$F/plain"
	expect "pinned 0x$(nm "$F/plain" | awk '$3 == "pinned" { print $1 }' | sed 's/^0*//') sum 10" 0
}

@test "--reserve takes LO-HI, LO below HI" {
	local v
	for v in 5-2 0x1000 0x1000- -0x1000 0xzz-0x2000 0x1000-0x1000; do
		run -125 "$E" --reserve "$v" "$F/plain"
		expect "elfload: invalid --reserve '$v': not LO-HI with LO below HI
Try 'elfload --help' for more information." 125
	done
}

@test "segments sharing a page from three file pages: elfload keeps each one's bytes" {
	# the kernel maps each segment's file page over the one before, so
	# only the last one's bytes are left, and the sum goes wrong
	run "$E" "$F/thirds"
	expect "pages 1600 sum 1280800" 0
	native_only "qemu-user has its own ELF loader"
	# (on 64 KiB pages it cannot even map them: the program is killed)
	run "$F/thirds"
	((PAGE > 4096)) || [ "$status" -eq 0 ]
	[ "$output" != "pages 1600 sum 1280800" ]
}

@test "--aslr keeps the kernel's layout: PIE at 2/3, randomized; the stack and vDSO where the kernel put them" {
	native_only "qemu-user lays the guest out the same way every time"
	local a b base w
	a=$("$E" --aslr --map "$F/pie" | grep -F " $F/pie " | head -1 | cut -d- -f1 | sed "s/^0*//")
	b=$("$E" --aslr --map "$F/pie" | grep -F " $F/pie " | head -1 | cut -d- -f1 | sed "s/^0*//")
	[ "$a" != "$b" ]
	# at or above where the kernel puts it without ASLR (ELF_ET_DYN_BASE)
	base=$(SHOW_MAPS=1 setarch "$(uname -m)" -R "$F/pie" | awk -v f="$F/pie" '$6 == f { print $1; exit }')
	(( 0x$a >= 0x${base%-*} ))
	# Both without randomization (setarch -R), the program sees the top
	# page of its stack, its vvar, the end of its vDSO and the stack's top
	# where a direct run of it has them
	for w in stack-page vvar vdso-end window; do
		run setarch "$(uname -m)" -R "$E" --aslr "$F/probe" "$w"
		[ "$status" -eq 0 ]
		[ "$output" = "$(probe "$w")" ]
	done
	# and the same brk start and stack pointer's place in its page
	run env SHOW_START=1 setarch "$(uname -m)" -R "$E" --aslr "$F/plain"
	[ "$status" -eq 0 ]
	# (both started through env: bash puts the path of what it starts in
	# the environment as $_, and its length moves the stack pointer)
	[ "${lines[0]}" = "$(env SHOW_START=1 setarch "$(uname -m)" -R "$F/plain" | head -1)" ]
	# (with ASLR, each run its own: only that nothing was moved)
	run "$E" --aslr --map "$F/plain"
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\nmoved: '* ]]
}

@test "--aslr without randomization (setarch -R): the PIE where a direct run has it" {
	native_only "qemu-user lays the guest out the same way every time"
	local direct
	# what the kernel does not randomize, elfload does not either
	direct=$(setarch "$(uname -m)" -R "$F/pie")
	[[ "$direct" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
	run setarch "$(uname -m)" -R "$E" --aslr "$F/pie"
	expect "$direct" 0
}
