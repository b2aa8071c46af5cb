#!/usr/bin/env bats
# ELFs made by Microprobe's mp_mpt2elf from ChopStiX-shaped MPTs
# (tests/microprobe: the MPTs, their states, regenerate.sh). Each sums
# every page it was given, prints a message stored on one of them and
# exits 42 if every byte is right. For riscv64 and ppc64le, at the page
# size the machine has and as on a 64 KiB-page machine.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	case $ARCH in
	riscv64|ppc64le) ;;
	*) skip "Microprobe fixtures are made for riscv64 and ppc64le" ;;
	esac
}

# runs NAME: the fixture through elfload, both page layouts
runs() {
	local f=$F/microprobe-$ARCH-$1 ps
	[ -x "$f" ] || skip "no $ARCH-$1 here"
	for ps in "" "--page-size 65536"; do
		run "$E" $ps "$f"
		expect "microprobe $ARCH-$1: every page right" 42
	done
}

@test "Microprobe: a few pages" {
	runs small
}

@test "Microprobe: 1200 pages, more program headers than the kernel takes" {
	runs pages1200
	run "$E" --map "$F/microprobe-$ARCH-pages1200"
	grep -q "^kernel: execve refuses it: a program header table of [0-9]* bytes, over 65536 (Exec format error)$" <<<"$output"
}

@test "Microprobe: the no-ASLR stack top, the interpreter and elfload's own places, over terabytes" {
	case $ARCH in
	riscv64)
		runs sv39
		if (( $(window) > 0x7fff00001000 )); then runs sv48; else
			# Sv39: its 47-bit pages are not user addresses
			run -126 "$E" "$F/microprobe-riscv64-sv48"
			[[ "$output" == "elfload: $F/microprobe-riscv64-sv48: PT_LOAD "*" is above the highest user address 0x4000000000" ]]
		fi ;;
	ppc64le) runs top47 ;;
	esac
	[ -n "$RUN" ] || return 0
	# qemu-user's own loader reserves the whole span, and fails at once
	local big=$F/microprobe-$ARCH-$([ "$ARCH" = riscv64 ] && echo sv48 || echo top47)
	run -255 timeout 20 $RUN "$big"
	[[ "$output" == *"Cannot allocate memory"* ]]
}

@test "Microprobe: the 47-bit no-ASLR stack top and interpreter pages, on the real kernel" {
	native_only "qemu-user keeps its own stack and libraries on those pages"
	(( $(window) >= 1 << 47 )) || skip "the window ends below 2^47 here"
	runs "$([ "$ARCH" = riscv64 ] && echo sv48-stack || echo top47-stack)"
	# where the window ends at 2^47, the kernel's own stack goes right
	# there without ASLR (Sv57's is elsewhere)
	run "$E" --map "$F/microprobe-$ARCH-$([ "$ARCH" = riscv64 ] && echo sv48-stack || echo top47-stack)"
	if (( ($(window) + PAGE) >> 47 == 1 )); then
		grep -q "^kernel: without ASLR (setarch -R, gdb) the stack goes at " <<<"$output"
	else
		grep -qx "kernel: execve runs it; none of its segments is where the stack goes, with ASLR or without (the interpreter and the vDSO go where nothing is)" <<<"$output"
	fi
}

@test "Microprobe: a wrong byte on a page shows" {
	local f=$BATS_TEST_TMPDIR/wrong
	sed 's/every page right/every page Right/' "$F/microprobe-$ARCH-small" > "$f"
	chmod +x "$f"
	run -1 "$E" "$f"
	expect "microprobe $ARCH-small: every page Right" 1
}
