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
	[[ "$output" != *"stack moved"* ]]
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

# The kernel: lines of the last --map ($output): exactly the lines of $1,
# in order, where +([0-9a-f]) stands for an address no direct run shows
# (how far ASLR may move the stack or the mmap base: the kernel's random
# ranges, which a run without randomization does not show, and one with
# it shows differently every time).
verdict_is() {
	local got
	shopt -s extglob
	got=$(grep '^kernel: ' <<<"$output" || :)
	if [[ "$got" != $1 ]]; then
		printf 'want these kernel: lines:\n%s\ngot:\n%s\n' "$1" "$got"
		return 1
	fi
}

# The PT_LOAD of file $1 that loads address $2: "PT_LOAD N LO-HI", LO-HI
# its p_vaddr to p_vaddr + p_memsz in hex, as the verdict names it
load_at() {
	local n
	n=$(phdr_index "$1" "$2")
	[ -n "$n" ] || return 1
	readelf -lW "$1" | awk -v a="$(printf '0x%016x' $(($2)))" '$1 == "LOAD" && $3 == a { print $6 }' |
		{ read -r memsz; printf 'PT_LOAD %s %x-%x\n' "$n" $(($2)) $(($2 + memsz)); }
}

# The kernel's stack as the verdict sees it: RLIMIT_STACK below the top a
# direct run without ASLR has (the lines say "LO-TOP", in hex)
kernel_stack() {
	local top lim
	top=$(stack_top)
	[ -n "$top" ]
	lim=$(ulimit -s)
	[ "$lim" != unlimited ] || skip "RLIMIT_STACK unlimited: the kernel's legacy layout"
	printf '%x-%s\n' $((0x$top - lim * 1024)) "$top"
}

HEX='+([0-9a-f])'

# verdict_on_stack_page FILE PAGE: --map's verdict for FILE, whose
# segment holds PAGE, the top page of the kernel's stack without ASLR
verdict_on_stack_page() {
	run "$E" --map "$1"
	[ "$status" -eq 0 ]
	verdict_is "$NOASLR the stack goes at $(kernel_stack), where 1 segment is: $(load_at "$1" "$2")
kernel: with ASLR the stack goes somewhere in $HEX-$(stack_top): 1 segment is there, hit on some runs and not on others"
}

RUNS_IT="kernel: execve runs it; none of its segments is where the stack goes, with ASLR or without (the interpreter and the vDSO go where nothing is)"
NOASLR="kernel: without ASLR (setarch -R, gdb)"

@test "--map ends with the kernel's verdict: a table over 64 KiB or PN_XNUM is refused, as a direct run is" {
	local n
	n=$(readelf -hW "$F/shared3200" | awk '/Number of program headers/ { print $5 }')
	run "$E" --map "$F/shared3200"
	[ "$status" -eq 0 ]
	verdict_is "kernel: execve refuses it: a program header table of $((n * 56)) bytes, over 65536 (Exec format error)"
	# (xnum is pin-base with e_phnum PN_XNUM and the count in sh_info)
	n=$(readelf -hW "$F/pin-base" | awk '/Number of program headers/ { print $5 }')
	run "$E" --map "$F/xnum"
	[ "$status" -eq 0 ]
	verdict_is "kernel: execve refuses it: e_phnum is PN_XNUM, $n program headers (Exec format error)"
	native_only "qemu-user's own loader, not the kernel's, runs programs here"
	run "$F/shared3200"
	[ "$status" -eq 126 ]
	[[ "$output" == *"Exec format error"* ]]
	run "$F/xnum"
	[ "$status" -eq 126 ]
	[[ "$output" == *"Exec format error"* ]]
}

@test "--map's verdict: the no-ASLR stack on a static program's page; a direct run loses its environment" {
	native_only "the kernel's layout, not qemu-user's"
	local page
	page=$(probe stack-page)
	verdict_on_stack_page "$F/pin-stack" "$page"
	# the page is the top of the kernel's stack: the segment replaces the
	# strings there, the environment among them (a small one, all of it
	# on that page). elfload keeps it: the program sees EXIT_WITH and
	# exits 3
	run env -i EXIT_WITH=3 setarch "$(uname -m)" -R "$E" "$F/pin-stack"
	[ "$status" -eq 3 ]
	[ "$output" = "pinned $page sum 10" ]
	run env -i EXIT_WITH=3 setarch "$(uname -m)" -R "$F/pin-stack"
	[ "$status" -ne 3 ]
	if ((PAGE == 4096)); then
		# on 4 KiB pages it runs, without its environment: a wrong exit
		# status, 0
		[ "$status" -eq 0 ]
		[ "$output" = "pinned $page sum 10" ]
	fi
}

@test "--map's verdict: the no-ASLR stack on a dynamic program's page; a direct run prints a wrong result" {
	native_only "the kernel's layout, not qemu-user's"
	local page
	page=$(probe stack-page)
	verdict_on_stack_page "$F/stack-dyn" "$page"
	# (a small environment: all of the strings on the stack's top page)
	run env -i TRACE_WHO=me setarch "$(uname -m)" -R "$E" "$F/stack-dyn" a1
	expect "trace a1 me sum 10 pages 0" 0
	# the kernel maps the page over its stack's strings: the program runs
	# to the end (status 0) and prints its argument and environment wrong
	run env -i TRACE_WHO=me setarch "$(uname -m)" -R "$F/stack-dyn" a1
	[ "$status" -eq 0 ]
	[ "$output" != "trace a1 me sum 10 pages 0" ]
}

@test "--map's verdict: a segment where the no-ASLR vDSO would be; the kernel puts the vDSO elsewhere, as a direct run shows" {
	native_only "the kernel's layout, not qemu-user's"
	[ "$(probe vvar)" != 0x0 ] || skip "no vDSO here"
	local vvar end want maps
	vvar=$(probe vvar) end=$(probe vdso-end)
	run "$E" --map "$F/pin-vdso"
	[ "$status" -eq 0 ]
	# the kernel maps the vDSO after the program's segments, where
	# nothing is: the verdict names only the stack, which with ASLR may
	# reach the page (its top moves down by up to 1 GiB, 16 GiB on
	# x86_64); on s390x the vDSO sits above the stack, out of its reach
	if (( vvar > 0x$(stack_top) )); then
		want=$RUNS_IT
	else
		want="kernel: with ASLR the stack goes somewhere in $HEX-$(stack_top): 1 segment is there, hit on some runs and not on others"
	fi
	verdict_is "$want"
	run elfload_noaslr "$F/pin-vdso"
	expect "pinned $vvar sum 10" 0
	# a direct run: the segment where the vDSO would have gone, the vDSO
	# right below it, and the program runs right
	SHOW_MAPS=1 run direct_noaslr "$F/pin-vdso"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pinned $vvar sum 10" ]
	maps=$(grep -E '^[0-9a-f]+-' <<<"$output")
	grep -q "^${vvar#0x}-${end#0x} rw-p [0-9a-f]* [0-9a-f:]* [0-9]* *$F/pin-vdso$" <<<"$maps"
	if (( vvar < 0x$(stack_top) )); then
		[ "$(awk '$6 == "[vdso]" { sub(/.*-/, "", $1); print $1 }' <<<"$maps")" = "${vvar#0x}" ]
	fi
}

@test "--map's verdict: programs execve runs right, and a direct run gives the same output" {
	local f want
	for f in pie dynamic; do
		run "$E" --map "$F/$f"
		[ "$status" -eq 0 ]
		verdict_is "kernel: execve runs it where nothing is: it is position-independent"
		# (each where its loader puts it: only the address differs)
		run direct_noaslr "$F/$f"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
	done
	for f in plain pin-base pin-self; do
		# (qemu-user keeps mappings of its own where pin-self's page is)
		[ "$f" != pin-self ] || native_only "qemu-user cannot map pin-self's page"
		run "$E" --map "$F/$f"
		[ "$status" -eq 0 ]
		verdict_is "$RUNS_IT"
		run elfload_noaslr "$F/$f"
		[ "$status" -eq 0 ]
		want=$output
		[[ "$want" =~ ^"pinned 0x"[0-9a-f]+" sum 10"$ ]]
		run direct_noaslr "$F/$f"
		expect "$want" 0
		# with ASLR too: a fixed-address program prints the same
		run direct "$F/$f"
		expect "$want" 0
	done
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
