#!/usr/bin/env bats
# --map and --verbose: the planned layout as a table.
load helpers

@test "--map prints the layout and exits 0 without running" {
	local page first
	page=$(probe stack-page)
	local stack brk
	run "$E" --map "$F/pin-stack"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^"elfload: $F/pin-stack: layout (page size $(getconf PAGESIZE), window $(window), top 0x"[0-9a-f]+")"$ ]]
	[[ "$output" != *"pinned"* ]]
	first=$(readelf -lW "$F/pin-stack" | awk '$1 == "LOAD" { print $3; exit }')
	grep -q "^0*$(printf %x $((first)))-[0-9a-f]* r[-w][-x]p 00000000 $F/pin-stack *PT_LOAD $(phdr_index "$F/pin-stack" "$first")$" <<<"$output"
	grep -q "^0*$(page_range $page 4096 | sed 's/-/-0*/') rw-p [0-9a-f]* $F/pin-stack *PT_LOAD $(phdr_index "$F/pin-stack" "$page")$" <<<"$output"
	# the stack and the brk heap where the default layout puts them, out
	# of the way of the page at the top of the kernel's stack
	stack=$(area stack)
	brk=$(area brk)
	# (columns as wide as the widest address: leading zeros)
	grep -q "^0*$(printf %x $((0x$stack - 0x800000)))-0*$stack rw-p 00000000 \[stack\] *new stack, 0x800000 bytes$" <<<"$output"
	grep -q "^0*$brk-0*$brk ---p 00000000 \[heap\] *brk start$" <<<"$output"
	! grep -q "stack moved" <<<"$output"
	grep -q "^[0-9a-f]*-[0-9a-f]* r-xp 00000000 \[elfload\] *stage2 code, stays mapped$" <<<"$output"
}

@test "--map rows are sorted by address" {
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -E '^[0-9a-f]+-' <<<"$output" | cut -d- -f1 |
		while read -r a; do echo $((0x$a)); done | sort -n -c
}

@test "--map: the vDSO and vvar move out of the way, together" {
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	local vdso
	vdso=$(area vdso)
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	grep -q "^moved: \[vvar\] [0-9a-f]*-[0-9a-f]*: to 0x$vdso-0x[0-9a-f]*, where elfload's layout puts it$" <<<"$output"
	grep -q "^moved: \[vdso\] [0-9a-f]*-[0-9a-f]*: to 0x[0-9a-f]*-0x[0-9a-f]*, where elfload's layout puts it$" <<<"$output"
	grep -q "^$vdso-[0-9a-f]* r--p 00000000 \[vvar\] *kept$" <<<"$output"
	grep -q " \[vdso\] *kept$" <<<"$output"
}

@test "--map names every mapping that goes, [vvar] too" {
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	local vdso from
	vdso=$(area vdso)
	# where the kernel put the vDSO for elfload, before it moved it
	from=$("$E" --map "$F/plain" | sed -n 's/^moved: \[vdso\] \([0-9a-f]*-[0-9a-f]*\):.*/\1/p')
	[ -n "$from" ]
	# reserved there and where it would move: it must go, and vvar with it
	run "$E" --reserve "0x${from%-*}-0x${from#*-}" --reserve "0x$vdso-0x$(printf %x $((0x$vdso + 0x100000)))" \
		--map "$F/plain"
	[ "$status" -eq 0 ]
	grep -qx "reserved: $from --reserve 0x${from%-*}-0x${from#*-}" <<<"$output"
	grep -qx "collision: \[vdso\] $from is in the way of reserved $from: unmapped; AT_SYSINFO_EHDR dropped" <<<"$output"
	grep -q "^collision: \[vvar\] [0-9a-f]*-[0-9a-f]* is in the way of reserved $from: unmapped with the vDSO$" <<<"$output"
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
	has_fixture phdr-moved "musl-gcc builds for this machine only"
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

# the rows of --map's output
rows() { grep -E '^[0-9a-f]+-[0-9a-f]+ ' <<<"$output"; }

@test "--map ends with the kernel's verdict: a table over 64 KiB or PN_XNUM is refused" {
	local n
	n=$(readelf -hW "$F/shared3200" | awk '/Number of program headers/ { print $5 }')
	run "$E" --map "$F/shared3200"
	[ "$status" -eq 0 ]
	grep -qx "kernel: execve refuses it: a program header table of $((n * 56)) bytes, over 65536 (Exec format error)" <<<"$output"
	run "$E" --map "$F/xnum"
	grep -qx "kernel: execve refuses it: e_phnum is PN_XNUM, [0-9]* program headers (Exec format error)" <<<"$output"
	native_only "qemu-user's own loader, not the kernel's, runs programs here"
	run "$F/shared3200"
	[ "$status" -eq 126 ]
}

@test "--map: where the kernel's stack and vDSO go without ASLR, and may go with it" {
	native_only "the kernel's layout, not qemu-user's"
	local page vvar end
	page=$(probe stack-page)
	run "$E" --map "$F/pin-stack"
	grep -q "^kernel: without ASLR (setarch -R, gdb) the stack goes at [0-9a-f]*-[0-9a-f]*, where 1 segment is: PT_LOAD [0-9]* ${page#0x}-$(printf %x $((page + 4096)))$" <<<"$output"
	grep -q "^kernel: with ASLR the stack goes somewhere in [0-9a-f]*-[0-9a-f]*: 1 segment is there, hit on some runs and not on others$" <<<"$output"
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	# exactly where a run without ASLR has it
	vvar=$(probe vvar) end=$(probe vdso-end)
	run "$E" --map "$F/pin-vdso"
	grep -q "^kernel: without ASLR (setarch -R, gdb) the vDSO with its vvar goes at ${vvar#0x}-${end#0x}, where 1 segment is: PT_LOAD [0-9]* " <<<"$output"
}

@test "--map's verdict agrees with the kernel's run without ASLR" {
	native_only "the kernel's layout, not qemu-user's"
	# a page at the no-ASLR stack top: the kernel maps it over its stack,
	# and the program computes a wrong result
	run "$E" --map "$F/stack-dyn"
	grep -q "^kernel: without ASLR (setarch -R, gdb) the stack goes at [0-9a-f]*-[0-9a-f]*, where 1 segment is: " <<<"$output"
	TRACE_WHO=me run direct_noaslr "$F/stack-dyn" a1
	[ "$output" != "trace a1 me sum 10 pages 0" ]
	# nothing there: it runs right
	run "$E" --map "$F/plain"
	grep -qx "kernel: execve runs it; none of its segments is where the stack, the interpreter or the vDSO go, with ASLR or without" <<<"$output"
	run direct_noaslr "$F/plain"
	[[ "$output" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
}

@test "--map: a program the kernel runs right, and a position-independent one" {
	run "$E" --map "$F/plain"
	grep -qx "kernel: execve runs it; none of its segments is where the stack, the interpreter or the vDSO go, with ASLR or without" <<<"$output"
	run "$E" --map "$F/pie"
	grep -qx "kernel: execve runs it where nothing is: it is position-independent" <<<"$output"
}

@test "--map columns stay aligned, whatever the names and addresses; a summary line counts" {
	local long=$BATS_TEST_TMPDIR/a-program-with-a-name-far-longer-than-twenty-characters
	cp "$F/pin-stack" "$long"
	run "$E" --map "$long"
	[ "$status" -eq 0 ]
	# 8- and 12-digit addresses, short and long names: one width each
	[ "$(rows | awk '{ print length($1) }' | sort -u | wc -l)" -eq 1 ]
	[ "$(rows | awk '{ print match($0, / (PT_LOAD|kept|brk start|new stack|stage2|plan|copy)/) }' | sort -u | wc -l)" -eq 1 ]
	grep -qx "summary: $(rows | grep -c ' PT_LOAD ') segments, $(rows | wc -l) mappings, $(grep -c '^collision: ' <<<"$output") collisions\? resolved" <<<"$output"
	# -v prints the same on stderr, then runs
	local map=$output
	run "$E" -v "$long"
	[ "${output%%$'\n'pinned*}" = "$map" ]
}
