#!/usr/bin/env bats
# A genuine ELFie: pinball2elf's conversion of its own example pinball
# (tests/pinball/regenerate.sh). Its start-up maps 421 captured pages
# itself, one where a process without ASLR has its vDSO: under setarch -R
# and gdb the kernel's layout makes it crash; elfload's default layout
# keeps out of its way, whatever the ASLR setting.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	[ "$ARCH" = x86_64 ] || skip "the ELFie is an x86_64 program"
	ELFIE=$F/elfie
}

# the ELFie's last line and its status: "Hello world 1", 14
hello() {
	[ "$status" -eq 14 ] && [ "${lines[-1]}" = "Hello world 1" ] ||
		{ printf 'status %s, output:\n%s\n' "$status" "$output"; return 1; }
}

@test "the ELFie runs under elfload, with ASLR on and off, and with --aslr" {
	native_only "qemu-user cannot run the ELFie, not even directly"
	run "$E" "$ELFIE"
	hello
	run elfload_noaslr "$ELFIE"
	hello
	run "$E" --aslr "$ELFIE"
	hello
}

@test "directly, the kernel runs it right only with ASLR" {
	native_only "qemu-user has its own ELF loader"
	run "$ELFIE"
	hello
	run setarch "$(uname -m)" -R "$ELFIE"
	[ "$status" -eq 139 ]
}

@test "--map's account of execve counts the pages it maps itself, and a direct run bears it out" {
	native_only "the account is of this machine's kernel; qemu-user has no vDSO"
	run -0 "$E" --map "$ELFIE"
	grep -qx "kernel: without ASLR (setarch -R, gdb) the vDSO with its vvar goes at 7ffff7ff7000-7ffff7fff000, where 1 segment is: the range it maps itself 7ffff7ffc000-7ffff7fff000" <<<"$output"
	no_line "^kernel: execve runs it"
	run -139 setarch "$(uname -m)" -R "$ELFIE"
}

@test "its own pages are reserved by themselves: --map lists them" {
	run "$E" --map "$ELFIE"
	[ "$status" -eq 0 ]
	grep -qx "reserved: 7ffff7ffc000-7ffff7fff000 .pbdmap.7ffff7ffc000" <<<"$output"
	grep -qx "reserved: 7fffffffc000-7fffffffe000 .pbstck.7fffffffc000" <<<"$output"
	# one line for each of its .pbdmap/.pbstck sections
	[ "$(grep -c '^reserved: ' <<<"$output")" -eq "$(readelf -SW "$ELFIE" | grep -c ' \.pb\(dmap\|stck\)\.')" ]
}

@test "under elfload-gdb, whatever gdb's disable-randomization says" {
	native_only "gdb runs natively"
	local gdb=$(dirname "$(realpath "$ELFLOAD")")/elfload-gdb
	run "$gdb" -batch -ex continue "$ELFIE"
	[[ "$output" == *"Hello world 1"* ]]
	grep -q 'exited with code 016\]$' <<<"$output"
	run "$gdb" -batch -iex 'set disable-randomization off' -ex continue "$ELFIE"
	[[ "$output" == *"Hello world 1"* ]]
	grep -q 'exited with code 016\]$' <<<"$output"
	# and gdb alone crashes it
	run gdb -nx -batch -ex run "$ELFIE"
	[[ "$output" == *"SIGSEGV"* ]]
}
