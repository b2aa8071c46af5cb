#!/usr/bin/env bats
# Every input elfload refuses: one line "elfload: PROGRAM: reason", exit
# 127 when PROGRAM cannot be found, 126 when it cannot be run. Never a
# signal: all of it is decided before anything is unmapped.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	PIN=0x30000000                   # where pin-base pins its page
	PIX=$(phdr_index "$F/pin-base" $PIN)
}

refuses() { # refuses STATUS MESSAGE ARGS...
	local want_status=$1 want=$2
	shift 2
	run -"$want_status" "$E" "$@"
	expect "$want" "$want_status"
}

@test "missing program: 127" {
	refuses 127 "elfload: $F/nonexistent: No such file or directory" "$F/nonexistent"
}

@test "program not on PATH: 127" {
	PATH=/nonexistent refuses 127 "elfload: no-such-command: No such file or directory" no-such-command
}

@test "program found on PATH" {
	PATH="$F:$PATH" run "$E" pin-base
	expect "pinned $PIN sum 10" 0
}

@test "not executable: 126" {
	refuses 126 "elfload: $F/noexec: Permission denied" "$F/noexec"
}

@test "a directory: 126" {
	refuses 126 "elfload: $F: Is a directory" "$F"
}

@test "not an ELF file: 126" {
	refuses 126 "elfload: $F/notelf: not an ELF file" "$F/notelf"
}

@test "EI_CLASS 32 on a 64-bit machine's program: refused where the kernel looks at it" {
	# elsewhere it runs, as run directly (tests/parity.bats, 10.)
	case $ARCH in
	riscv64|s390x)
		refuses 126 "elfload: $F/bad-class32: wrong ELF class: ELFCLASS32, elfload runs ELFCLASS64 programs" "$F/bad-class32" ;;
	*)	run -0 "$E" "$F/bad-class32" ;;
	esac
}

@test "a genuine 32-bit program" {
	[ "$ARCH" = x86_64 ] || skip "built for i386 only"
	refuses 126 "elfload: $F/elf32: wrong ELF class: ELFCLASS32, elfload runs ELFCLASS64 programs" "$F/elf32"
}

@test "wrong byte order" {
	local mine=little other=big
	[ "$ARCH" != s390x ] || { mine=big; other=little; }
	refuses 126 "elfload: $F/bad-byteorder: wrong byte order: $other-endian, this machine is $mine-endian" "$F/bad-byteorder"
}

@test "wrong machine: one elfload is not built for" {
	refuses 126 "elfload: $F/bad-machine: wrong machine: built for arm (e_machine 40), this is $ARCH" "$F/bad-machine"
}

@test "relocatable object" {
	refuses 126 "elfload: $F/rel.o: relocatable object (ET_REL), not an executable" "$F/rel.o"
}

@test "core file" {
	refuses 126 "elfload: $F/bad-core: core file (ET_CORE), not an executable" "$F/bad-core"
}

@test "an ELF header cut short reads as the kernel reads it: zeros past the end" {
	refuses 126 "elfload: $F/bad-short-header: bad e_phentsize 0 (expected 56)" "$F/bad-short-header"
}

@test "truncated program headers" {
	local n
	n=$(readelf -h "$F/pin-base" | awk '/Number of program headers/ { print $5 }')
	refuses 126 "elfload: $F/bad-short-phdrs: program headers 0x40-0x$(printf %x $((64 + 56 * n))) are beyond the end of the file (0xb0 bytes)" "$F/bad-short-phdrs"
}

@test "bad e_phentsize" {
	refuses 126 "elfload: $F/bad-phentsize: bad e_phentsize 32 (expected 56)" "$F/bad-phentsize"
}

@test "no PT_LOAD" {
	refuses 126 "elfload: $F/bad-noload: no PT_LOAD segment" "$F/bad-noload"
}

@test "p_filesz > p_memsz names the segment" {
	refuses 126 "elfload: $F/bad-filesz: PT_LOAD $PIX at $PIN: p_filesz 0x2000 exceeds p_memsz 0x1000" "$F/bad-filesz"
}

@test "data beyond the end of the file: mapped as the kernel maps them, a fault when touched" {
	native_only "the kernel is the reference"
	run -135 "$F/bad-beyond"
	run -135 "$E" "$F/bad-beyond"
}

@test "address overflow" {
	refuses 126 "elfload: $F/bad-overflow: PT_LOAD $PIX: address 0xfffffffffffff000 + size 0x2000 overflows" "$F/bad-overflow"
}

@test "segment below vm.mmap_min_addr: refused for a user, mapped for root, as the kernel does" {
	local d
	d=$(shared_tmp)
	cp "$F/bad-low" "$(realpath "$ELF")" "$d/"
	run -126 timeout 10 "${NOBODY[@]}" $RUN "$d/elfload" "$d/bad-low"
	expect "elfload: $d/bad-low: PT_LOAD $PIX 0x0-0x1000 is below vm.mmap_min_addr (0x$(printf %x "$(cat /proc/sys/vm/mmap_min_addr)"))" 126
	# the kernel, run directly by the same user, kills it inside execve
	if [ -z "$RUN" ]; then
		cp "$P" "$d/"
		run -0 timeout 20 "${NOBODY[@]}" "$d/parity" "$d/elfload" "$d/bad-low"
		[ "$output" = "$d/bad-low: agree: both refused (kernel: killed: SIGSEGV; elfload: status 126)" ]
	fi
	rm -rf "$d"
	# root may map there (CAP_SYS_RAWIO): the kernel does, and so does elfload
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	run "$E" --map "$F/bad-low"
	grep -q "^0*-0*$(printf %x $PAGE) rw-p [0-9a-f]* $F/bad-low *PT_LOAD $PIX$" <<<"$output"
	native_only "the kernel's own run is compared natively"
	run -0 "$P" "$E" "$F/bad-low"
	[ "$output" = "$F/bad-low: agree: both ran" ]
}

@test "segment above the highest user address" {
	local top
	top=$("$E" --map "$F/plain" | sed -n '1s/.* top \(0x[0-9a-f]*\))$/\1/p')
	# bash reads a top above 2^63 (s390x: 2^64 less a page) as negative
	(( top > 0 )) || skip "2^63 is a user address here (top $top)"
	run -126 "$E" "$F/bad-high"
	[[ "$output" == "elfload: $F/bad-high: PT_LOAD $PIX 0x8000000000000000-0x8000000000001000 is above the highest user address $top" ]]
}

@test "offset and address not congruent modulo the page: killed by the kernel, copied by elfload" {
	# README: What the program sees; the program finds its data 8 bytes off
	native_only "the kernel is the reference"
	run -139 "$F/bad-congruence"
	run -1 "$E" "$F/bad-congruence"
}

@test "missing interpreter: 127" {
	refuses 127 "elfload: $F/interp-missing: interpreter /no/such/ld.so: No such file or directory" "$F/interp-missing"
	refuses 127 "elfload: $F/pie: interpreter /nonexistent: No such file or directory" --interp /nonexistent "$F/pie"
}

@test "an interpreter with an interpreter of its own" {
	refuses 126 "elfload: $F/pie: interpreter $F/pie: has an interpreter of its own ($(interp_of "$F/pie"))" --interp "$F/pie" "$F/pie"
}

@test "an interpreter for another machine" {
	local other="arm (e_machine 40)"
	refuses 126 "elfload: $F/pie: interpreter $F/interp-machine: wrong machine: built for $other, this is $ARCH" --interp "$F/interp-machine" "$F/pie"
}

@test "an interpreter that is not executable" {
	refuses 126 "elfload: $F/pie: interpreter $F/noexec: Permission denied" --interp "$F/noexec" "$F/pie"
}

@test "--base for a fixed-address program" {
	refuses 126 "elfload: $F/plain: --base: not a position-independent program (ET_EXEC)" --base $PIN "$F/plain"
}

@test "--base not on a page boundary" {
	refuses 126 "elfload: $F/pie: --base 0x10000001: not a multiple of the page size $(printf 0x%x $PAGE)" --base 0x10000001 "$F/pie"
}

@test "nothing that is refused dies by a signal" {
	# bad-fill is valid without --stack-size (it then runs, and crashes on
	# its own); bad-low is mapped for root; bad-beyond, bad-congruence
	# and, but on riscv64 and s390x, bad-class32 run as above; every
	# other defect must end in status 126
	for f in "$F"/bad-* "$F/notelf" "$F/rel.o" "$F/noexec" "$F/interp-machine"; do
		case ${f#"$F/"} in bad-fill|bad-low|bad-beyond|bad-congruence) continue ;; esac
		case $ARCH:${f#"$F/"} in riscv64:*|s390x:*) ;; *:bad-class32) continue ;; esac
		run "$E" "$f"
		[ "$status" -eq 126 ] || { echo "$f: status $status"; return 1; }
	done
}

@test "more mappings than vm.max_map_count allows: refused; exactly enough: runs" {
	native_only "changes a sysctl of this machine"
	has_fixture pages20000 "built for this machine only (its link takes minutes elsewhere)"
	local was need
	was=$(cat /proc/sys/vm/max_map_count)
	{ echo 20000 > /proc/sys/vm/max_map_count; } 2>/dev/null ||
		skip "vm.max_map_count cannot be changed here"
	saved_max_map_count=$was
	run -126 "$E" "$F/pages20000"
	[[ "$output" =~ ^"elfload: $F/pages20000: needs "(200[0-9][0-9])" mappings, vm.max_map_count allows 20000"$ ]]
	need=${BASH_REMATCH[1]}
	echo "$need" > /proc/sys/vm/max_map_count
	run "$E" --stop-at-entry "$F/pages20000"
	echo "$saved_max_map_count" > /proc/sys/vm/max_map_count
	[ "$status" -eq 133 ]
	run "$E" "$F/pages20000"
	expect "pages 20000 sum 200010000" 0
}

teardown() {
	[ -z "${saved_max_map_count:-}" ] || echo "$saved_max_map_count" > /proc/sys/vm/max_map_count
}
