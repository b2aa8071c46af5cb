#!/usr/bin/env bats
# --map and --verbose: the planned layout as a table.
load helpers

@test "--map prints the layout and exits 0 without running" {
	run "$E" --map "$F/pin-stack"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "elfload: $F/pin-stack: layout (page size 4096)" ]
	[[ "$output" != *"pinned"* ]]
	grep -qx "00400000-00401000 r--p 00000000 $F/pin-stack PT_LOAD 0" <<<"$output"
	grep -qx "7fffffffe000-7ffffffff000 rw-p [0-9a-f]* $F/pin-stack PT_LOAD 4" <<<"$output"
	grep -q '^7fffff7fe000-7fffffffe000 rw-p 00000000 \[stack\] *new stack, 0x800000 bytes$' <<<"$output"
	grep -q "^collision: \[stack\] 7fffff7ff000-7ffffffff000 is in the way of PT_LOAD 4 7fffffffe000-7ffffffff000: stack moved to 0x7fffff7fe000-0x7fffffffe000$" <<<"$output"
	grep -q "^[0-9a-f]*-[0-9a-f]* r-xp 00000000 \[elfload\] *stage2 code, stays mapped$" <<<"$output"
}

@test "--map rows are sorted by address" {
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -E '^[0-9a-f]+-' <<<"$output" | cut -d- -f1 |
		while read -r a; do echo $((0x$a)); done | sort -n -c
}

@test "--map names what was in the way: the vDSO" {
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -q '^collision: \[vdso\] .* is in the way of PT_LOAD 4 .*: unmapped; AT_SYSINFO_EHDR dropped$' <<<"$output"
	! grep -q ' kept$' <<<"$output"
}

@test "--map names what was in the way: elfload itself" {
	run "$E" --map "$F/pin-self"
	[ "$status" -eq 0 ]
	grep -q "^collision: $E 6f0000000000-[0-9a-f]* is in the way of PT_LOAD 4 6f0000001000-6f0000002000: unmapped$" <<<"$output"
}

@test "--map shows the program-header copy" {
	run "$E" --map "$F/phdr-moved"
	[ "$status" -eq 0 ]
	grep -q ' r--p 00000000 \[elfload\] *copy of the program headers (AT_PHDR)$' <<<"$output"
}

@test "-v prints the same table on stderr, then runs" {
	local table
	table=$("$E" --map "$F/pin-stack")
	run bash -c "'$E' -v '$F/pin-stack' 2>/dev/null"
	expect "pinned 0x7fffffffe000 sum 10" 0
	run bash -c "'$E' --verbose '$F/pin-stack' 2>&1 >/dev/null"
	expect "$table" 0
}

@test "the layout is the same on every run" {
	[ "$("$E" --map "$F/pages5000")" = "$("$E" --map "$F/pages5000")" ]
	[ "$("$E" --map "$F/pin-stack")" = "$(no_aslr "$E" --map "$F/pin-stack")" ]
}
