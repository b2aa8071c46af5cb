#!/usr/bin/env bats
# Dynamically linked and position-independent programs: the interpreter
# is loaded the way the kernel loads it, and the program's pinned pages
# stay exactly where they are.
load helpers

@test "a dynamic trace-shaped program with 1500 pinned pages (the kernel refuses it)" {
	# 28 with the page over the vDSO, 17 where there is no vDSO to pin over
	local want="trace a1 me sum $([ "$(probe vvar)" != 0x0 ] && echo 28 || echo 17) pages 1125750"
	TRACE_WHO=me run "$E" "$F/trace-dyn" a1
	expect "$want" 0
	TRACE_WHO=me run elfload_noaslr "$F/trace-dyn" a1
	expect "$want" 0
	native_only "qemu-user has its own ELF loader, and no gdb here"
	run "$F/trace-dyn" a1
	[ "$status" -eq 126 ]
	[[ "$output" == *"Exec format error"* ]]
	TRACE_WHO=me under_gdb "$E" "$F/trace-dyn" a1
	[[ "$output" == *"$want"* ]]
	[[ "$output" == *"exited normally"* ]]
}

@test "its pinned pages get the same /proc/self/maps lines every run" {
	local a b c stack vvar self
	a=$(SHOW_MAPS=1 "$E" "$F/trace-dyn" | grep -F "$F/trace-dyn")
	b=$(SHOW_MAPS=1 elfload_noaslr "$F/trace-dyn" | grep -F "$F/trace-dyn")
	c=$b
	[ -n "$RUN" ] || c=$(SHOW_MAPS=1 gdb -nx -batch -ex run --args "$E" "$F/trace-dyn" 2>/dev/null | grep -F "$F/trace-dyn")
	[ -n "$a" ]
	[ "$a" = "$b" ]
	[ "$a" = "$c" ]
	stack=$(probe stack-page)
	vvar=$(probe vvar)
	self=$(loader_base)
	# (on 64 KiB pages they are copied, not mapped from the file: no name)
	((PAGE == 4096)) || a=$(SHOW_MAPS=1 "$E" "$F/trace-dyn")
	grep -q "^$(page_range $stack 4096) rw-p " <<<"$a"
	[ "$vvar" = 0x0 ] || grep -q "^$(page_range $vvar 1 | cut -d- -f1)-[0-9a-f]* rw-p " <<<"$a"
	grep -q "^$(page_range $((0x$self + 0x1000)) 4096) rw-p " <<<"$a"
	# on 4 KiB pages, each pinned page is a mapping of its own
	(( $(getconf PAGESIZE) > 4096 )) || [ "$(grep -c ' rw-p ' <<<"$a")" -gt 1500 ]
}

@test "a page at the top of the no-ASLR stack: the kernel runs it wrong, elfload right" {
	TRACE_WHO=me run elfload_noaslr "$F/stack-dyn" a1
	expect "trace a1 me sum 10 pages 0" 0
	native_only "qemu-user has its own ELF loader"
	# the kernel maps the page over its stack, argv and environment included
	# (a small environment: all of the strings on the stack's top page)
	run env -i TRACE_WHO=me setarch "$(uname -m)" -R "$F/stack-dyn" a1
	[ "$status" -eq 0 ]
	[ "$output" != "trace a1 me sum 10 pages 0" ]
	TRACE_WHO=me under_gdb "$E" "$F/stack-dyn" a1
	[[ "$output" == *"trace a1 me sum 10 pages 0"* ]]
}

# ld_view OUTPUT FILE: from a dynamic program's LD_SHOW_AUXV=1 SHOW_MAPS=1
# output, its AT_BASE, AT_SYSINFO_EHDR (the last ones: the C library of
# setarch or qemu prints its own first) and where the first mapping of
# its interpreter, FILE, starts, a line each, hex without 0x
ld_view() {
	awk -v ld="$2" '$1 == "AT_BASE:" { b = $2 } $1 == "AT_SYSINFO_EHDR:" { v = $2 }
		$6 == ld && !lo { sub(/-.*/, "", $1); lo = $1 }
		END { sub(/^0x/, "", b); sub(/^0x/, "", v); print b; print v; print lo }' <<<"$1"
}

# the start of the first mapping of libc in maps OUTPUT, hex without 0x
libc_at() { awk '/\/libc\.so/ { sub(/-.*/, "", $1); print $1; exit }' <<<"$1"; }

@test "the interpreter is loaded below the vDSO; AT_BASE says where" {
	local ld file base hi view direct mine
	ld=$(interp_of "$F/dynamic")
	file=$(readlink -f "$SYSROOT$ld")
	run "$E" --map "$F/dynamic"
	[ "$status" -eq 0 ]
	base=$(grep -E " $ld +PT_LOAD [0-9]+$" <<<"$output" | head -1 | cut -d- -f1 | sed 's/^0*//')
	hi=$(grep -E " $ld +PT_LOAD [0-9]+$" <<<"$output" | tail -1 | awk '{ print $1 }' | cut -d- -f2 | sed 's/^0*//')
	[ -n "$base" ]
	# Where: elfload's own choice, not the kernel's (README, Dynamically
	# linked programs: "in elfload's layout, just below top/6", the mmap
	# base of The layout's table, 2^B / 6 of the kernel's window). The
	# kernel puts it at the top of its mmap area, under the stack.
	(( 0x$hi <= 0x$(area mmap) ))
	(( 0x$hi > 0x$(area mmap) - 0x100000 ))
	# What the kernel does and elfload must do too: AT_BASE is where the
	# interpreter's first page is. A direct run, and elfload's, each in
	# its own maps
	# (setarch itself must not see LD_SHOW_AUXV: it fails with it)
	if [ -n "$RUN" ]; then
		LD_SHOW_AUXV=1 SHOW_MAPS=1 run direct_noaslr "$F/dynamic"
	else
		run setarch "$(uname -m)" -R env LD_SHOW_AUXV=1 SHOW_MAPS=1 "$F/dynamic"
	fi
	[ "$status" -eq 0 ]
	direct=$(ld_view "$output" "$file")
	[ -n "$(sed -n 1p <<<"$direct")" ]
	[ "$(sed -n 1p <<<"$direct")" = "$(sed -n 3p <<<"$direct")" ]
	LD_SHOW_AUXV=1 SHOW_MAPS=1 run "$E" "$F/dynamic"
	[ "$status" -eq 0 ]
	mine=$output
	view=$(ld_view "$output" "$file")
	[ "$(sed -n 1p <<<"$view")" = "$base" ]
	[ "$(sed -n 3p <<<"$view")" = "$base" ]
	# the same AT_BASE for another program with the same interpreter
	run "$E" "$F/auxv-dyn"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n'"auxv 7 0x$base"$'\n'* ]]
	native_only "qemu-user has no vDSO, and its own mmap"
	# below the vDSO, which elfload moved to 2^(B-2) + 16 MiB (README,
	# The layout; the kernel puts its vDSO right below the interpreter)
	(( 0x$hi <= 0x$(area vdso) ))
	(( 0x$hi <= 0x$(sed -n 2p <<<"$view") ))
	# and the shared libraries below it, as in a direct run: the
	# interpreter maps them top-down from under itself
	[ -n "$(libc_at "$mine")" ]
	(( 0x$(libc_at "$mine") < 0x$base ))
	run env SHOW_MAPS=1 setarch "$(uname -m)" -R "$F/dynamic"
	[ "$status" -eq 0 ]
	[ -n "$(libc_at "$output")" ]
	(( 0x$(libc_at "$output") < 0x$(sed -n 1p <<<"$direct") ))
}

@test "argv, envp and auxv of a dynamic program are those of a direct run (but where elfload puts things)" {
	# what elfload's layout places elsewhere: the PIE (AT_PHDR, AT_ENTRY),
	# the interpreter (AT_BASE) and the vDSO (AT_SYSINFO_EHDR); qemu-user
	# also answers /proc/self itself, from what it gave the guest
	local direct skip='^auxv [379] \|^auxv 33 '
	[ -z "$RUN" ] || skip='^auxv [379] \|^auxv 33 \|^proc \|^comm '
	direct=$(env -i A=1 $(command -v setarch) "$(uname -m)" -R $RUN "$F/auxv-dyn" x | grep -v "$skip")
	run env -i A=1 $(command -v setarch) "$(uname -m)" -R "$E" "$F/auxv-dyn" x
	[ "$status" -eq 0 ]
	[ "$(grep -v "$skip" <<<"$output")" = "$direct" ]
}

@test "a PIE goes to the default layout's place for PIEs, not to the kernel's 2/3" {
	local base
	base=$("$E" --map "$F/pie" | grep -F " $F/pie " | head -1 | cut -d- -f1 | sed "s/^0*//")
	[ "$base" = "$(area pie)" ]
	run "$E" "$F/pie"
	expect "pinned 0x$(printf %x $((0x$base + 0x$(nm "$F/pie" | awk '$3 == "pinned" { print $1 }')))) sum 10" 0
	native_only "qemu-user puts PIEs elsewhere"
	[ "$ARCH" != x86_64 ] || [ "$base" = 100000000000 ]
	# the kernel, without ASLR, at 2/3 (x86_64: 0x555555554000)
	[ "$output" != "$(direct_noaslr "$F/pie")" ]
}

@test "--base puts a PIE where asked" {
	run "$E" --base 0x10000000 "$F/pie"
	expect "pinned 0x$(printf %x $((0x10000000 + 0x$(nm "$F/pie" | awk '$3 == "pinned" { print $1 }')))) sum 10" 0
}

@test "--aslr randomizes a PIE's base" {
	native_only "qemu-user lays the guest out the same way every time"
	local a b
	a=$("$E" --aslr "$F/pie")
	b=$("$E" --aslr "$F/pie")
	[ "$a" != "$b" ]
}

@test "a static-PIE relocates itself" {
	cmp -s "$F/staticpie" "$F/plain" && skip "this C library has no static-PIE support"
	run "$E" "$F/staticpie"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
	run "$E" --map "$F/staticpie"
	! grep -q interpreter <<<"$output"
}

@test "a static-PIE without C library, its AT_PHDR right" {
	run "$E" "$F/pie-nolibc"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"static-pie at 0x"[0-9a-f]+", AT_PHDR right"$ ]]
	[ "$output" != "static-pie at 0x0, AT_PHDR right" ]
}

@test "a musl static program" {
	has_fixture musl-tls "musl-gcc builds for this machine only"
	run "$E" "$F/musl-tls"
	expect "tls 42" 0
}

@test "--interp overrides PT_INTERP" {
	local ld
	ld=$(interp_of "$F/pie")
	cp "$(readlink -f "$SYSROOT$ld")" "$BATS_TEST_TMPDIR/ld.so"
	run "$E" --interp "$BATS_TEST_TMPDIR/ld.so" --map "$F/pie"
	grep -qE " $BATS_TEST_TMPDIR/ld.so +PT_LOAD [0-9]+$" <<<"$output"
	run "$E" --interp "$BATS_TEST_TMPDIR/ld.so" "$F/pie"
	[ "$status" -eq 0 ]
}

@test "the ELF interpreter run directly" {
	host_arch_only
	local ld
	ld=$(interp_of /bin/true)
	run "$E" "$ld" /bin/true
	expect "" 0
	run "$E" "$ld" /bin/echo hello
	expect "hello" 0
	run "$E" "$ld" --list /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"libc.so.6"* ]]
}
