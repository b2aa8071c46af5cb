#!/usr/bin/env bats
# --map and --verbose: the planned layout as a table.
load helpers

@test "--map prints the layout and exits 0 without running" {
	local page first
	page=$(probe stack-page)
	run "$E" --map "$F/pin-stack"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "elfload: $F/pin-stack: layout (page size 4096)" ]
	[[ "$output" != *"pinned"* ]]
	first=$(readelf -lW "$F/pin-stack" | awk '$1 == "LOAD" { print $3; exit }')
	grep -q "^$(printf %08x $((first)))-[0-9a-f]* r[-w][-x]p 00000000 $F/pin-stack *PT_LOAD $(phdr_index "$F/pin-stack" "$first")$" <<<"$output"
	grep -q "^${page#0x}-$(printf %x $((page + 4096))) rw-p [0-9a-f]* $F/pin-stack *PT_LOAD $(phdr_index "$F/pin-stack" "$page")$" <<<"$output"
	grep -q "^$(printf %x $((page - 0x800000)))-${page#0x} rw-p 00000000 \[stack\] *new stack, 0x800000 bytes$" <<<"$output"
	grep -q "^collision: \[stack\] [0-9a-f]*-[0-9a-f]* is in the way of PT_LOAD [0-9]* ${page#0x}-$(printf %x $((page + 4096))): stack moved to 0x$(printf %x $((page - 0x800000)))-$page$" <<<"$output"
	grep -q "^[0-9a-f]*-[0-9a-f]* r-xp 00000000 \[elfload\] *stage2 code, stays mapped$" <<<"$output"
}

@test "--map rows are sorted by address" {
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -E '^[0-9a-f]+-' <<<"$output" | cut -d- -f1 |
		while read -r a; do echo $((0x$a)); done | sort -n -c
}

@test "--map names what was in the way: the vDSO" {
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -q '^collision: \[vdso\] .* is in the way of PT_LOAD 4 .*: unmapped; AT_SYSINFO_EHDR dropped$' <<<"$output"
	! grep -q ' kept$' <<<"$output"
}

@test "--map names what was in the way: elfload itself" {
	run "$E" --map "$F/pin-self"
	[ "$status" -eq 0 ]
	local base
	base=$(loader_base)
	grep -q "^collision: $ELF $base-[0-9a-f]* is in the way of PT_LOAD [0-9]* $(printf %x $((0x$base + 0x1000)))-$(printf %x $((0x$base + 0x2000))): unmapped$" <<<"$output"
}

@test "--map shows the program-header copy" {
	host_arch_only
	run "$E" --map "$F/phdr-moved"
	[ "$status" -eq 0 ]
	grep -q ' r--p 00000000 \[elfload\] *copy of the program headers (AT_PHDR)$' <<<"$output"
}

@test "-v prints the same table on stderr, then runs" {
	local table
	table=$("$E" --map "$F/pin-stack")
	run bash -c "'$E' -v '$F/pin-stack' 2>/dev/null"
	expect "pinned $(probe stack-page) sum 10" 0
	run bash -c "'$E' --verbose '$F/pin-stack' 2>&1 >/dev/null"
	expect "$table" 0
}

@test "the layout is the same on every run" {
	[ "$("$E" --map "$F/pages5000")" = "$("$E" --map "$F/pages5000")" ]
	[ "$("$E" --map "$F/pin-stack")" = "$(elfload_noaslr --map "$F/pin-stack")" ]
}
