#!/usr/bin/env bats
# #! scripts, run as the kernel's binfmt_script runs them.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
}

# has_argv FIRST WORD...: the program printed argv[FIRST] = WORD, and
# each next WORD as the next argument
has_argv() {
	local i=$1 w
	shift
	for w; do
		grep -qxF "argv[$i] $w" <<<"$output" || { echo "no argv[$i] $w"; return 1; }
		i=$((i + 1))
	done
}

# script NAME LINE: an executable file NAME in $D whose first line is LINE
script() {
	printf '%s\necho never\n' "$2" > "$D/$1"
	chmod +x "$D/$1"
}

@test "a script runs as execve runs it: INTERP ARG SCRIPT ARGS; AT_EXECFN and the name are the script's" {
	script s "#!$F/auxv -o  two words  "
	run env -i A=1 "$E" "$D/s" x
	[ "$status" -eq 0 ]
	grep -qx "argc 4" <<<"$output"
	has_argv 0 "$F/auxv" "-o  two words" "$D/s" x
	grep -qx "auxv 31 $D/s" <<<"$output"
	native_only "qemu-user runs no script directly"
	[ "$output" = "$(env -i A=1 "$D/s" x)" ]
	grep -qx "comm s" <<<"$output"
}

@test "PATH finds a script, as env finds it" {
	script s "#!$F/auxv"
	run env -i PATH="$D" "$E" s x
	[ "$status" -eq 0 ]
	has_argv 1 "$D/s" x
}

@test "scripts nest five deep, as the kernel's; a sixth is refused" {
	script s1 "#!$F/auxv"
	for i in 2 3 4 5 6; do script "s$i" "#!$D/s$((i - 1)) a$i"; done
	run env -i "$E" "$D/s5"
	[ "$status" -eq 0 ]
	has_argv 1 "$D/s1" a2 "$D/s2"
	has_argv 9 "$D/s5"
	if [ -z "$RUN" ]; then [ "$output" = "$(env -i "$D/s5")" ]; fi
	run "$E" "$D/s6"
	expect "elfload: $D/s6: Too many levels of symbolic links" 126
	native_only "qemu-user runs no script directly"
	run "$D/s6"
	[ "$status" -eq 126 ] && [[ "$output" == *"Too many levels of symbolic links"* ]]
}

@test "bad scripts: one line and execve's status" {
	script missing "#!/no/such/interpreter"
	run -127 "$E" "$D/missing"
	expect "elfload: $D/missing: interpreter /no/such/interpreter: No such file or directory" 127
	script notexec "#!$D/data"
	echo data > "$D/data"
	run "$E" "$D/notexec"
	expect "elfload: $D/notexec: interpreter $D/data: Permission denied" 126
	script empty "#!   "
	run "$E" "$D/empty"
	expect "elfload: $D/empty: Exec format error" 126
	# a name that does not end within the 256 bytes the kernel reads
	printf '#!/%0300d' 0 > "$D/long"
	chmod +x "$D/long"
	run "$E" "$D/long"
	expect "elfload: $D/long: Exec format error" 126
	script notmine "#!$F/auxv"
	chmod -x "$D/notmine"
	run "$E" "$D/notmine"
	expect "elfload: $D/notmine: Permission denied" 126
	script notelf "#!$D/data"
	chmod +x "$D/data"
	run "$E" "$D/notelf"
	expect "elfload: $D/notelf: interpreter $D/data: not an ELF file" 126
}

@test "--map names each script; --argv0 replaces the interpreter's argv[0]" {
	script s1 "#!$F/auxv -x"
	script s2 "#!$D/s1"
	run "$E" --map "$D/s2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "elfload: $F/auxv: layout (page size $(getconf PAGESIZE), window ${lines[0]##*window }" ]
	[ "${lines[1]}" = "script: $D/s2: #!$D/s1" ]
	[ "${lines[2]}" = "script: $D/s1: #!$F/auxv -x" ]
	run "$E" --argv0 zero "$D/s2" y
	[ "$status" -eq 0 ]
	has_argv 0 zero -x "$D/s1" "$D/s2" y
}

@test "a script whose interpreter is a program with pinned pages" {
	script s "#!$F/pin-stack"
	run "$E" "$D/s"
	expect "pinned $(probe stack-page) sum 10" 0
}
