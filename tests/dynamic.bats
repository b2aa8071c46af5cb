#!/usr/bin/env bats
# Dynamically linked and position-independent programs: the interpreter
# is loaded the way the kernel loads it, and the program's pinned pages
# stay exactly where they are.
load helpers

@test "a dynamic trace-shaped program with 1500 pinned pages (the kernel refuses it)" {
	local want="trace a1 me sum 28 pages 1125750"
	run "$F/trace-dyn" a1
	[ "$status" -eq 126 ]
	[[ "$output" == *"Exec format error"* ]]
	TRACE_WHO=me run "$E" "$F/trace-dyn" a1
	expect "$want" 0
	TRACE_WHO=me run no_aslr "$E" "$F/trace-dyn" a1
	expect "$want" 0
	TRACE_WHO=me under_gdb "$E" "$F/trace-dyn" a1
	[[ "$output" == *"$want"* ]]
	[[ "$output" == *"exited normally"* ]]
}

@test "its pinned pages get the same /proc/self/maps lines every run" {
	local a b c stack vvar self
	a=$(SHOW_MAPS=1 "$E" "$F/trace-dyn" | grep -F "$F/trace-dyn")
	b=$(SHOW_MAPS=1 no_aslr "$E" "$F/trace-dyn" | grep -F "$F/trace-dyn")
	c=$(SHOW_MAPS=1 gdb -nx -batch -ex run --args "$E" "$F/trace-dyn" 2>/dev/null | grep -F "$F/trace-dyn")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]
	stack=$(no_aslr "$F/probe" stack-page)
	vvar=$(no_aslr "$F/probe" vvar)
	self=$(nm "$E" | awk '$3 == "__executable_start" { print $1 }' | sed 's/^0*//')
	grep -q "^${stack#0x}-$(printf %x $((stack + 4096))) rw-p " <<<"$a"
	grep -q "^${vvar#0x}-[0-9a-f]* rw-p " <<<"$a"
	grep -q "^$(printf %x $((0x$self + 0x1000)))-$(printf %x $((0x$self + 0x2000))) rw-p " <<<"$a"
	[ "$(grep -c ' rw-p ' <<<"$a")" -gt 1500 ]
}

@test "a page at the top of the no-ASLR stack: the kernel runs it wrong, elfload right" {
	# the kernel maps the page over its stack, argv and environment included
	TRACE_WHO=me run no_aslr "$F/stack-dyn" a1
	[ "$status" -eq 0 ]
	[ "$output" != "trace a1 me sum 10 pages 0" ]
	TRACE_WHO=me run no_aslr "$E" "$F/stack-dyn" a1
	expect "trace a1 me sum 10 pages 0" 0
	TRACE_WHO=me under_gdb "$E" "$F/stack-dyn" a1
	[[ "$output" == *"trace a1 me sum 10 pages 0"* ]]
}

@test "the interpreter is loaded below the vDSO; AT_BASE says where" {
	run "$E" --map "$F/trace-dyn"
	[ "$status" -eq 0 ]
	local ld base
	ld=$(readelf -lW "$F/trace-dyn" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	base=$(grep -F " $ld PT_LOAD 0" <<<"$output" | cut -d- -f1)
	[ -n "$base" ]
	run "$E" "$F/auxv-dyn"
	[[ "$output" == *"auxv 7 0x$base"* ]]
}

@test "argv, envp and auxv of a dynamic program are those of a direct run (but AT_BASE)" {
	local direct
	direct=$(env -i A=1 setarch "$(uname -m)" -R "$F/auxv-dyn" x | grep -v '^auxv 7 ')
	run env -i A=1 setarch "$(uname -m)" -R "$E" "$F/auxv-dyn" x
	[ "$status" -eq 0 ]
	[ "$(grep -v '^auxv 7 ' <<<"$output")" = "$direct" ]
}

@test "a PIE goes where the kernel puts it without ASLR" {
	run "$E" "$F/pie"
	expect "pinned 0x$(printf %x $((0x555555554000 + 0x$(nm "$F/pie" | awk '$3 == "pinned" { print $1 }')))) sum 10" 0
	[ "$output" = "$(no_aslr "$F/pie")" ]
}

@test "--base puts a PIE where asked" {
	run "$E" --base 0x10000000 "$F/pie"
	expect "pinned 0x$(printf %x $((0x10000000 + 0x$(nm "$F/pie" | awk '$3 == "pinned" { print $1 }')))) sum 10" 0
}

@test "--aslr randomizes a PIE's base" {
	local a b
	a=$("$E" --aslr "$F/pie")
	b=$("$E" --aslr "$F/pie")
	[ "$a" != "$b" ]
}

@test "a static-PIE relocates itself" {
	run "$E" "$F/staticpie"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
	run "$E" --map "$F/staticpie"
	! grep -q interpreter <<<"$output"
}

@test "a musl static program" {
	run "$E" "$F/musl-tls"
	expect "tls 42" 0
}

@test "--interp overrides PT_INTERP" {
	local ld
	ld=$(readelf -lW "$F/pie" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	cp "$(readlink -f "$ld")" "$BATS_TEST_TMPDIR/ld.so"
	run "$E" --interp "$BATS_TEST_TMPDIR/ld.so" --map "$F/pie"
	grep -q " $BATS_TEST_TMPDIR/ld.so PT_LOAD 0$" <<<"$output"
	run "$E" --interp "$BATS_TEST_TMPDIR/ld.so" "$F/pie"
	[ "$status" -eq 0 ]
}

@test "the ELF interpreter run directly" {
	local ld
	ld=$(readelf -lW /bin/true | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	run "$E" "$ld" /bin/true
	expect "" 0
	run "$E" "$ld" /bin/echo hello
	expect "hello" 0
	run "$E" "$ld" --list /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"libc.so.6"* ]]
}
