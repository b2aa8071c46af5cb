#!/usr/bin/env bats
# What execve gives a program, compared with a direct run on this kernel:
# the cases where elfload once differed from it, each with the run that
# shows it. The kview fixture prints what it was given (its segment's
# pages, their protections, whether they take a write, checksums of
# their bytes; AT_PHDR; where AT_RANDOM is); tests/fixtures/mkbad.c bends
# its headers into each case. qemu-user's loader is not the kernel: these
# run natively, here and in the guests (tests/guest).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	native_only "the kernel is the reference"
	D=$BATS_TEST_TMPDIR
}

# same_as_direct PROGRAM ARGS...: elfload's output and status are the
# direct run's, both without randomization, with the same environment
same_as_direct() {
	run env -i K=1 setarch "$(uname -m)" -R "$@"
	local want=$output want_status=$status
	run env -i K=1 "$E" "$@"
	expect "$want" "$want_status"
}

# the page (of the kernel's size) that holds address $1, as kview prints it
kv_page() { printf '%#x' $(($1 & -PAGE)); }

# killed_and_refused PROGRAM REASON: the kernel kills it inside execve
# (SIGSEGV, nothing of it runs); elfload refuses it in one line, REASON
# a pattern
killed_and_refused() {
	run -139 "$1"
	[ -z "$output" ]
	run -126 "$E" "$1"
	[[ "$output" == "elfload: $1: "$2 ]] || { echo "$output"; return 1; }
}

@test "kview: the kernel's view of a plain segment" {
	same_as_direct "$F/kview"
	grep -qx 'page 0x30000000 rw- sum [0-9a-f]* write: ok' <<<"$output"
}

# the cases below: a segment at 0x30000000 of 0x40000 bytes, 0x18800 of
# them from the file; the bss starts on the page after 0x30018800
@test "1. bss pages of a segment without PF_W are read-write (rwx with PF_X)" {
	local bss
	bss=$(kv_page $((0x30018800 + PAGE - 1)))
	same_as_direct "$F/kv-rx-bss"
	grep -qx "page $bss rwx sum [0-9a-f]* write: ok" <<<"$output"
	grep -qx 'page 0x30000000 r-x sum [0-9a-f]* write: signal 11' <<<"$output"
	same_as_direct "$F/kv-r-bss"
	grep -qx "page $(kv_page 0x3003ffff) rw- sum [0-9a-f]* write: ok" <<<"$output"
}

@test "2. the tail of a non-writable segment's last file page keeps the file's bytes" {
	local tail kept zeroed
	tail=$(kv_page 0x30018800)
	same_as_direct "$F/kv-r-bss"
	kept=$(awk -v p="$tail" '$2 == p { print $5 }' <<<"$output")
	same_as_direct "$F/kv-rw-bss"
	zeroed=$(awk -v p="$tail" '$2 == p { print $5 }' <<<"$output")
	# read-only: the whole page is the file's, as its first page is
	[ "$kept" = "$(awk '$2 == "0x30000000" { print $5 }' <<<"$output")" ]
	[ "$kept" != "$zeroed" ]
}

@test "3. the bytes before p_vaddr on a segment's first page are the file's" {
	same_as_direct "$F/kv-midpage"
	grep -qx 'PT_LOAD 0x30000100-0x30030000 filesz 0x18700 flags rw-' <<<"$output"
}

@test "4. AT_PHDR: the last PT_LOAD holding the table's start, as the kernel takes it" {
	same_as_direct "$F/kv-phdr2"
	grep -q '^AT_PHDR 0x60000040 ' <<<"$output"
	# there only the table's first entry is mapped: AT_PHDR names it all
	# the same, and the program reads the rest where it is not
	run -0 "$P" "$E" "$F/kv-phdr-start"
	[ "$output" = "$F/kv-phdr-start: agree: both ran" ]
}

@test "5. AT_RANDOM's bytes right below the platform string, unaligned" {
	same_as_direct "$F/kview"
	grep -q '^AT_RANDOM: [0-9]* bytes below AT_EXECFN' <<<"$output"
}

@test "6. an ELF interpreter of type ET_EXEC: AT_BASE 0" {
	"$F/mkbad-run" interp "$F/kview" "$D/p" "$F/interp-exec"
	same_as_direct "$D/p"
	[ "$output" = "ET_EXEC interpreter: AT_BASE 0x0, AT_ENTRY 0x$(readelf -h "$F/kview" | awk '/Entry/ { sub("0x", "", $4); print $4 }')" ]
}

@test "6. Debian's klibc programs, whose interpreter is ET_EXEC" {
	[ -x /usr/lib/klibc/bin/true ] || skip "no klibc-utils for $ARCH here"
	same_as_direct /usr/lib/klibc/bin/true
	same_as_direct /usr/lib/klibc/bin/cat /proc/self/cmdline
}

@test "7. a PT_INTERP path with NUL padding after it" {
	local ld
	ld=$(readlink -f "$SYSROOT$(interp_of "$F/dynamic")")
	"$F/mkbad-run" interp-pad "$F/dynamic" "$D/p" "$ld"
	run -0 env -i "$D/p"
	run -0 env -i "$E" "$D/p"
}

# a #! line whose interpreter path fills the 256 bytes the kernel reads
long_path() {
	local p=$1
	while [ ${#p} -lt "$2" ]; do p=/$p; done
	[ ${#p} -eq "$2" ]
	printf %s "$p"
}

@test "8. #! at the 256-byte edge: 255 bytes without a newline" {
	printf '#!%s' "$(long_path "$F/kview" 253)" > "$D/s"
	chmod +x "$D/s"
	[ "$(wc -c < "$D/s")" -eq 255 ]
	same_as_direct "$D/s"
	grep -q '^AT_PHDR' <<<"$output"
}

@test "8. #! at the 256-byte edge: the separating space is byte 255" {
	printf '#!%s -x\n' "$(long_path "$F/kview" 253)" > "$D/s"
	chmod +x "$D/s"
	same_as_direct "$D/s"
	grep -q '^AT_PHDR' <<<"$output"
	# one byte more and the kernel has no end of the name: both refuse
	printf '#!%s -x\n' "$(long_path "$F/kview" 254)" > "$D/s"
	run -126 env -i "$E" "$D/s"
	[ "$output" = "elfload: $D/s: Exec format error" ]
	run -0 "$P" "$E" "$D/s"
	[ "$output" = "$D/s: agree: both refused (kernel: Exec format error; elfload: status 126)" ]
}

@test "9. p_align not a power of two, or more than the congruence" {
	same_as_direct "$F/kv-align3"
	same_as_direct "$F/kv-align-big"
	grep -qx 'page 0x30000000 rw- sum [0-9a-f]* write: ok' <<<"$output"
}

@test "10. EI_CLASS, EI_DATA, EI_VERSION: looked at as this kernel's elf_check_arch does" {
	case $ARCH in
	riscv64|s390x)
		run -126 "$E" "$F/kv-ident"
		[ "$output" = "elfload: $F/kv-ident: wrong ELF class: invalid (0), elfload runs ELFCLASS64 programs" ]
		run ! "$F/kv-ident" ;;
	*)
		same_as_direct "$F/kv-ident"
		grep -q '^AT_PHDR' <<<"$output" ;;
	esac
}

@test "11. a file that ends inside a segment: zeros after its end, a fault a page past it" {
	same_as_direct "$F/kv-cut"
	grep -qx "page $(kv_page $((0x30018800 + PAGE - 1))) rw- read: signal 7" <<<"$output"
}

@test "12. overlapping PT_LOADs: the later maps over the earlier" {
	same_as_direct "$F/kv-overlap2"
	grep -qx 'page 0x30010000 r-- sum [0-9a-f]* write: signal 11' <<<"$output"
}

@test "13. p_memsz 0 with file data, an empty PT_LOAD above the top: killed in execve, refused" {
	killed_and_refused "$F/kv-memsz0" "PT_LOAD $(phdr_index "$F/kview" 0x30000000) at 0x30000000: p_filesz 0x* exceeds p_memsz 0x0"
	killed_and_refused "$F/kv-empty-high" "PT_LOAD $(phdr_index "$F/kv-empty-high" 0xfffffffffffff000) at 0xfffffffffffff000 is above the highest user address 0x*"
}

# The differential test (tests/parity/parity.c): every fixture of this
# build, and here on the host the corpus of other projects' ELF files
# (tests/parity/corpus) and the programs of the fuzzer's inputs, each run
# by the kernel and by elfload to the first instruction, as nobody:
# verdicts, auxv, the stack and every byte and protection of every
# segment's pages agree, but where the README says elfload differs
@test "the kernel and elfload agree on every input, but as the README says" {
	local inputs=("$F"/*)
	[ ! -d "$INPUTS" ] || inputs+=("$INPUTS"/corpus/* "$INPUTS"/fuzz/*)
	run "$BATS_TEST_DIRNAME/parity/run.sh" "$E" "$P" "${inputs[@]}"
	echo "$output" | grep -v ': agree\|: documented' || :
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "parity: ${#inputs[@]} files: ${#inputs[@]} agree, 0 differ" ]]
}

@test "each difference parity.c lets pass is one the README states, in its words" {
	local readme q n=0
	[ -e "$BATS_TEST_DIRNAME/../README.md" ] || skip "no README here"
	readme=$(tr -d '`*' < "$BATS_TEST_DIRNAME/../README.md" | tr '\n' ' ' | tr -s ' ')
	while read -r q; do
		n=$((n + 1))
		grep -qF "$q" <<<"$readme" || { echo "not in the README: $q"; return 1; }
	done < <(grep -o 'README: \\"[^\\]*\\"' "$BATS_TEST_DIRNAME/parity/parity.c" |
		sed 's/README: \\"//; s/\\"$//')
	[ "$n" -ge 9 ]
}
