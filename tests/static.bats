#!/usr/bin/env bats
# Fixed-address static programs whose segments sit where the kernel, or
# elfload itself, already has something: each must run correctly with ASLR
# on, under setarch -R and under gdb, and get the same layout every time.
# (Under qemu-user: twice, and without gdb.)
load helpers

# runs_everywhere FIXTURE FIRST-LINE: the fixture prints FIRST-LINE and
# exits 0 via elfload in all three settings.
runs_everywhere() {
	run "$E" "$F/$1"
	expect "$2" 0
	run elfload_noaslr "$F/$1"
	expect "$2" 0
	[ -z "$RUN" ] || return 0
	under_gdb "$E" "$F/$1"
	[[ "$output" == *"$2"* ]]
	[[ "$output" == *"exited normally"* ]]
}

# same_maps FIXTURE: the whole /proc/self/maps of the program (address,
# permissions, offset, name) is the same with ASLR on, under setarch -R
# and under gdb. Leaves it in $maps for further checks.
maps_of() {
	SHOW_MAPS=1 "$@" 2>&1 | grep -E '^[0-9a-f]+-[0-9a-f]+ ' | awk '{ print $1, $2, $3, $6 }'
}
same_maps() {
	local a b c
	a=$(maps_of "$E" "$F/$1")
	b=$(maps_of elfload_noaslr "$F/$1")
	c=$b
	[ -n "$RUN" ] || c=$(maps_of gdb -nx -batch -ex run --args "$E" "$F/$1")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ] || {
		diff <(echo "$a") <(echo "$b"); diff <(echo "$a") <(echo "$c"); return 1; }
	maps=$a
}

@test "a page pinned at the top of the no-ASLR stack" {
	local page
	page=$(probe stack-page)
	runs_everywhere pin-stack "pinned $page sum 10"
	same_maps pin-stack
	grep -qx "$(page_range $page 4096) rw-p [0-9a-f]* $F/pin-stack" <<<"$maps"
	# the new stack is where the default layout puts it, out of the way
	grep -qx "[0-9a-f]*-$(area stack) rw-p 00000000 \(\[stack\]\)\?" <<<"$maps"
}

@test "pages pinned over the vvar and vDSO of a no-ASLR run" {
	local vvar span
	vvar=$(probe vvar)
	[ "$vvar" != 0x0 ] || skip "no vDSO here"
	span=$(probe vdso-span)
	runs_everywhere pin-vdso "pinned $vvar sum 10"
	same_maps pin-vdso
	grep -qx "${vvar#0x}-$(printf %x $((vvar + span))) rw-p [0-9a-f]* $F/pin-vdso" <<<"$maps"
	# the vDSO is elsewhere: the default layout moved it out of their way
	grep -q "^$(area vdso)-[0-9a-f]* r--p 00000000 \[vvar\]$" <<<"$maps"
	grep -q ' \[vdso\]$' <<<"$maps"
}

@test "a page pinned inside elfload's own image" {
	local base
	base=$(loader_base)
	runs_everywhere pin-self "pinned 0x$(printf %x $((0x$base + 0x1000))) sum 10"
	same_maps pin-self
	grep -qx "$(page_range $((0x$base + 0x1000)) 4096) rw-p [0-9a-f]* $F/pin-self" <<<"$maps"
}

@test "a page pinned where the kernel's heap would start; malloc still works" {
	runs_everywhere pin-heap "pinned 0x$(nm "$F/pin-heap" | awk '$3 == "pinned" { print $1 }' | sed 's/^0*//') sum 10"
	native_only "qemu-user keeps its own brk"
	same_maps pin-heap
	# the brk heap starts where the default layout puts it, not after the
	# highest segment where the kernel would
	grep -q "^$(area brk)-[0-9a-f]* rw-p 00000000 \[heap\]$" <<<"$maps"
	# and with --aslr, after the highest segment, as the kernel puts it
	# (without randomization: else up to 1 GiB further, see below)
	local end
	end=$(readelf -lW "$F/pin-heap" | awk '$1 == "LOAD" { a = $3; s = $6 } END { print a, s }')
	end=$(printf %08x $(( (${end% *} + ${end#* } + PAGE - 1) & -PAGE )))
	grep -q "^$end-[0-9a-f]* rw-p 00000000 \[heap\]$" <<<"$(maps_of elfload_noaslr --aslr "$F/pin-heap")"
}

@test "5000 separate pinned pages (the kernel refuses the program)" {
	[ "$(readelf -lW "$F/pages5000" | grep -c LOAD)" -gt 5000 ]
	runs_everywhere pages5000 "pages 5000 sum 12502500"
	native_only "qemu-user has its own ELF loader"
	run "$F/pages5000"
	[ "$status" -eq 126 ]
	[[ "$output" == *"Exec format error"* ]]
}

@test "e_phnum = PN_XNUM, count in section header 0 (the kernel refuses it)" {
	[ "$ARCH" = x86_64 ] || skip "this C library's static start-up reads e_phnum (PN_XNUM) itself"
	runs_everywhere xnum "pinned 0x30000000 sum 10"
	native_only "qemu-user has its own ELF loader"
	run "$F/xnum"
	[ "$status" -eq 126 ]
}

@test "a 1 GiB bss" {
	runs_everywhere bigbss "bss zero 1 ends 1 2"
}

@test "R, RX and RW pinned pages get exactly their protections" {
	local rx
	rx=$(nm "$F/perms" | awk '$3 == "pin_rx" { print $1 }' | sed 's/^0*//')
	runs_everywhere perms "r 0x50000000 rx 0x$rx rw 0x50020000 result 78"
	same_maps perms
	# (on 64 KiB pages they are copied, not mapped from the file: no name)
	grep -Eqx "50000000-[0-9a-f]* r--p [0-9a-f]* ?($F/perms)?" <<<"$maps"
	grep -Eqx "50010000-[0-9a-f]* r-xp [0-9a-f]* ?($F/perms)?" <<<"$maps"
	grep -Eqx "50020000-[0-9a-f]* rw-p [0-9a-f]* ?($F/perms)?" <<<"$maps"
}

@test "TLS, stack protector, getauxval, malloc, signals and threads" {
	run "$E" "$F/features"
	expect "tls 42
pagesz $(getconf PAGESIZE)
random present
stack protector canary
malloc ok
signal 10
threads 166" 0
}

@test "AT_RANDOM's bytes are fresh in every run, as the kernel's are" {
	local a b d1 d2
	a=$(SHOW_RANDOM=1 "$E" "$F/features" | sed -n 4p)
	b=$(SHOW_RANDOM=1 "$E" "$F/features" | sed -n 4p)
	[[ "$a" =~ ^[0-9a-f]{32}$ ]]
	[ "$a" != "$b" ]
	[ "$a" != "$(printf '0%.0s' {1..32})" ]
	# a direct run: the same line, other bytes again
	d1=$(SHOW_RANDOM=1 direct "$F/features" | sed -n 4p)
	d2=$(SHOW_RANDOM=1 direct "$F/features" | sed -n 4p)
	[[ "$d1" =~ ^[0-9a-f]{32}$ ]]
	[ "$d1" != "$d2" ]
}

@test "--aslr keeps randomization: the stack moves between runs" {
	native_only "qemu-user lays the guest out the same way every time"
	local a b
	a=$(SHOW_MAPS=1 "$E" --aslr "$F/plain" | grep '\[stack\]')
	b=$(SHOW_MAPS=1 "$E" --aslr "$F/plain" | grep '\[stack\]')
	[ -n "$a" ]
	[ "$a" != "$b" ]
	# and the program's own segments stay put
	[ "$(maps_of "$E" --aslr "$F/pin-stack" | grep pin-stack)" = \
	  "$(maps_of "$E" "$F/pin-stack" | grep pin-stack)" ]
}

# 16 runs each of `run`: how many different brk starts and stack offsets
starts() {
	local i
	for i in $(seq 16); do SHOW_START=1 "$@" "$F/plain" | head -1; done
}
distinct() { sort -u | wc -l; }

@test "--aslr randomizes the brk start and the stack's offset in its page as a direct run does" {
	local d e end brk col dn en
	d=$(starts direct) e=$(starts "$E" --aslr)
	# the kernel randomizes each or not (qemu-user does not): elfload likewise
	for col in 2 4; do
		dn=$(awk "{ print \$$col }" <<<"$d" | distinct)
		en=$(awk "{ print \$$col }" <<<"$e" | distinct)
		if [ "$dn" -gt 1 ]; then [ "$en" -gt 4 ]; else [ "$en" -eq 1 ]; fi
	done
	# without --aslr, and under setarch -R with it, nothing moves
	[ "$(starts "$E" | distinct)" -eq 1 ]
	[ "$(starts elfload_noaslr --aslr | distinct)" -eq 1 ]
	# the brk up to 1 GiB past the program's end (plus its TLS block);
	# under qemu-user the brk heap is qemu's
	if [ -n "$RUN" ]; then return; fi
	end=$((0x$(nm "$F/plain" | awk '$3 == "_end" { print $1 }')))
	for brk in $(awk '{ print $2 }' <<<"$e"); do
		[ $((brk)) -ge "$end" ]
		[ $((brk)) -lt $((end + (1 << 30) + (1 << 20))) ]
	done
}

@test "the program's exit status is elfload's" {
	EXIT_WITH=42 run "$E" "$F/plain"
	[ "$status" -eq 42 ]
}

@test "program headers no PT_LOAD maps are copied for AT_PHDR (musl finds TLS there)" {
	has_fixture musl-tls "musl-gcc builds for this machine only"
	run "$E" "$F/musl-tls"
	expect "tls 42" 0
	# the kernel gives AT_PHDR = 0 for this one and the program crashes
	run direct "$F/phdr-moved"
	[ "$status" -gt 128 ]
	run "$E" "$F/phdr-moved"
	expect "tls 42" 0
	run "$E" --map "$F/phdr-moved"
	grep -q " r--p 00000000 \[elfload\] *copy of the program headers (AT_PHDR)$" <<<"$output"
}

@test "a segment whose file offset is not page-aligned is copied (the kernel crashes it)" {
	runs_everywhere unaligned "pinned 0x30000000 sum 10"
	run "$E" --map "$F/unaligned"
	grep -qx "0*$(page_range 0x30000000 4096 | sed 's/-/-0*/') rw-p 00000000 $F/unaligned *PT_LOAD $(phdr_index "$F/unaligned" 0x30000000) (copied)" <<<"$output"
	native_only "qemu-user has its own ELF loader"
	run "$F/unaligned"
	[ "$status" -gt 128 ]
}

@test "PT_GNU_STACK with PF_X gives an executable stack" {
	run env SHOW_MAPS=1 "$E" "$F/execstack"
	[ "$status" -eq 0 ]
	local range
	# (--map's columns are as wide as the widest address: leading zeros)
	range=$("$E" --map "$F/execstack" | awk '$4 == "[stack]" { print $1 }' | sed 's/^0*//; s/-0*/-/')
	[[ "$(grep "^$range " <<<"$output")" == *" rwxp "* ]]
}

@test "segments aligned to 4 KiB, laid out for 64 KiB pages (--page-size 65536)" {
	run "$E" --page-size 65536 "$F/aligned4k"
	expect "pinned 0x$(nm "$F/aligned4k" | awk '$3 == "pinned" { print $1 }' | sed 's/^0*//') sum 10" 0
	run "$E" --page-size 65536 --verbose "$F/aligned4k"
	[ "$status" -eq 0 ]
	# pages two segments share are filled by copying, and said so
	[[ "$output" == *"elfload: $F/aligned4k: layout (page size 65536, window "* ]]
	grep -q '^note: PT_LOAD [0-9]* [0-9a-f]*-[0-9a-f]* shares a page with PT_LOAD [0-9]* [0-9a-f]*-[0-9a-f]*: filled by copying, r[-w][-x]$' <<<"$output"
	# and every mapping starts and ends on a 64 KiB boundary
	! grep -E '^[0-9a-f]+-[0-9a-f]+ ' <<<"$output" | grep -F "$F/aligned4k" | grep -vE '^[0-9a-f]*0000-[0-9a-f]*0000 '
}

@test "under qemu-user, without the setarch the suite adds, the layout is still the same" {
	[ -n "$RUN" ] || skip "a native run"
	local qemu=(${RUN#* -R })   # qemu-ARCH -L SYSROOT, without setarch
	local a b
	a=$(SHOW_MAPS=1 "${qemu[@]}" "$ELF" "$F/pin-stack")
	b=$(SHOW_MAPS=1 "${qemu[@]}" "$ELF" "$F/pin-stack")
	[ "${a%%$'\n'*}" = "pinned $(probe stack-page) sum 10" ]
	[ "$a" = "$b" ]
}

@test "elfload loads elfload: every page of it is where the loader already is" {
	run "$E" "$ELF" "$ELF" "$F/pin-self"
	expect "pinned 0x$(printf %x $((0x$(loader_base) + 0x1000))) sum 10" 0
}
