#!/usr/bin/env bats
# The command line: help, version, usage errors (exit 125).
load helpers

@test "--help prints usage and exits 0" {
	run "$E" --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: elfload [OPTIONS] [--] PROGRAM [ARGS...]" ]
}

# the version the Makefile builds
version() { sed -n 's/^VERSION := //p' "$BATS_TEST_DIRNAME/../Makefile"; }

@test "--version names the version, the architecture and the page size" {
	run "$E" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"elfload $(version) ($ARCH, page size "[0-9]+")"$ ]]
	native_only "qemu-user chooses the page size"
	[ "$output" = "elfload $(version) ($ARCH, page size $(getconf PAGESIZE))" ]
}

@test "no program is a usage error" {
	run "$E"
	expect "elfload: no PROGRAM given
Try 'elfload --help' for more information." 125
}

@test "unknown option is a usage error" {
	run "$E" --bogus "$F/plain"
	expect "elfload: unknown option '--bogus'
Try 'elfload --help' for more information." 125
}

@test "option without its argument" {
	run "$E" --stack-size
	expect "elfload: option '--stack-size' requires an argument
Try 'elfload --help' for more information." 125
}

@test "bad numbers are usage errors" {
	run "$E" --stack-size 12q "$F/plain"
	expect "elfload: invalid --stack-size '12q'
Try 'elfload --help' for more information." 125
	run "$E" --stack-top 0xzz "$F/plain"
	expect "elfload: invalid --stack-top '0xzz'
Try 'elfload --help' for more information." 125
	run "$E" --page-size $((3 * $(getconf PAGESIZE))) "$F/plain"
	expect "elfload: invalid --page-size $((3 * $(getconf PAGESIZE))): not a power-of-two multiple of the page size $(getconf PAGESIZE)
Try 'elfload --help' for more information." 125
}

@test "options after PROGRAM belong to the program" {
	run "$E" "$F/auxv" --map -v
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "argc 3" ]
	[ "${lines[3]}" = "argv[1] --map" ]
	[ "${lines[4]}" = "argv[2] -v" ]
}

@test "-- ends the options" {
	run "$E" -- "$F/auxv" x
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "argc 2" ]
}

@test "--opt=value form" {
	run "$E" --argv0=renamed "$F/auxv"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "argv[0] renamed" ]
}

