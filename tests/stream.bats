#!/usr/bin/env bats
# A program on a pipe: `elfload -` and a PROGRAM that names a pipe
# (/dev/stdin, <(...)) read it whole into a sealed memfd and run it as
# the kernel runs a memfd given to fexecve (the fexec fixture does that
# directly, to compare with).
load helpers
bats_require_minimum_version 1.5.0

# qemu-user answers /proc/self/{auxv,cmdline,environ,comm} itself, and
# runs fexecve's program outside the emulator
kernel_views() { if [ -n "$RUN" ]; then grep -v '^proc \|^comm '; else cat; fi; }

# $output is $1, or both are shown, line by line
output_is() {
	[ "$output" = "$1" ] && return 0
	diff <(echo "$1") <(echo "$output") | sed 's/^/# /'
	return 1
}

@test "elfload - runs the program on standard input as fexecve runs a memfd" {
	run -0 env -i A=1 "$E" - x 'y z' 3>&- < <(cat "$F/auxv")
	grep -qx 'argv\[0\] -' <<<"$output"
	grep -qx 'argv\[2\] y z' <<<"$output"
	grep -qx 'auxv 31 /dev/fd/3' <<<"$output"   # AT_EXECFN
	grep -qx 'fd 3 closed' <<<"$output"
	native_only "fexecve of a memfd under qemu-user leaves the emulator"
	local direct
	direct=$(cat "$F/auxv" | env -i A=1 "$F/fexec" stdin - x 'y z' 3>&-)
	output_is "$direct"
	grep -q '^comm ' <<<"$output"
	grep -qx 'proc cmdline matches' <<<"$output"
}

@test "zcat fixture.gz | elfload -: a Microprobe ELF kept compressed" {
	local gz
	gz=$(ls "$BATS_TEST_DIRNAME/microprobe/$ARCH-small.elf.gz" 2>/dev/null) ||
		skip "no Microprobe ELF for $ARCH"
	run bash -c 'zcat "$1" | "$2" -' - "$gz" "$E"
	expect "microprobe $ARCH-small: every page right" 42
	run bash -c 'zcat "$1" | "$2" --page-size 65536 -' - "$gz" "$E"
	expect "microprobe $ARCH-small: every page right" 42
}

@test "the program's exit status and output, as from the file" {
	run bash -c 'cat "$1" | "$2" -' - "$F/plain" "$E"
	expect "$("$E" "$F/plain")" 0
	run -126 bash -c 'cat "$1" | "$2" - 2>&1' - "$F/bad-filesz" "$E"
	[ "$output" = "$("$E" "$F/bad-filesz" 2>&1 | sed "s|^elfload: $F/bad-filesz: |elfload: -: |")" ]
}

@test "programs on pipes in turn: each runs its own code, not the last one's" {
	# a memfd's pages go back to the kernel at exit, and the next memfd
	# gets them: each run must see only what its own pipe brought
	local i plain
	plain=$("$E" "$F/plain")
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run -0 bash -c 'cat "$1" | "$2" -' - "$F/plain" "$E"
		[ "$output" = "$plain" ]
		run -0 bash -c 'cat "$1" | "$2" -' - "$F/ids" "$E"
		[[ "$output" == "uid "* ]]
	done
}

@test "a pipe that closes early, or brings nothing, is refused in one line" {
	local size
	size=$(stat -c %s "$F/plain")
	run bash -c 'head -c 10 "$1" | "$2" -' - "$F/plain" "$E"
	expect "elfload: -: ends early: 10 bytes read, 64 needed for ELF header" 126
	run -126 bash -c 'head -c 100 "$1" | "$2" -' - "$F/plain" "$E"
	[[ "$output" == "elfload: -: ends early: 100 bytes read, "*" needed for program headers" ]]
	# the writer dies half-way: what came is a program without its end
	run -126 bash -c '{ head -c $(($3 / 2)) "$1"; exit 1; } | "$2" -' - "$F/plain" "$E" "$size"
	[[ "$output" =~ ^"elfload: -: ends early: $((size / 2)) bytes read, "[0-9]+" needed for PT_LOAD "[0-9]+$ ]]
	run "$E" - < /dev/null
	expect "elfload: -: nothing to read: the program is empty" 126
	run bash -c ': | "$1" /dev/stdin' - "$E"
	expect "elfload: /dev/stdin: nothing to read: the program is empty" 126
}

@test "/dev/stdin from a file is the file, as execve runs it" {
	local direct
	direct=$(env -i A=1 $RUN /dev/stdin x < "$F/auxv" 3>&- | kernel_views)
	run -0 env -i A=1 "$E" /dev/stdin x < "$F/auxv" 3>&-
	[ "$(kernel_views <<<"$output")" = "$direct" ]
	grep -qx 'auxv 31 /dev/stdin' <<<"$output"
}

@test "/dev/stdin from a pipe: a memfd, where execve refuses the pipe" {
	run -126 bash -c 'cat "$1" | exec /dev/stdin' - "$F/plain"
	[[ "$output" == *"Permission denied"* ]]
	run -0 bash -c 'cat "$1" | env -i A=1 "$2" /dev/stdin x 3>&-' - "$F/auxv" "$E"
	grep -qx 'argv\[0\] /dev/stdin' <<<"$output"
	grep -qx 'auxv 31 /dev/fd/3' <<<"$output"
	native_only "fexecve of a memfd under qemu-user leaves the emulator"
	output_is "$(cat "$F/auxv" | env -i A=1 "$F/fexec" stdin /dev/stdin x 3>&-)"
}

@test "<(...): the pipe bash names /dev/fd/N" {
	run -0 env -i A=1 "$E" <(cat "$F/auxv") x
	grep -q '^argv\[0\] /dev/fd/[0-9]*$' <<<"$output"
	grep -qx 'argv\[1\] x' <<<"$output"
	grep -q '^auxv 31 /dev/fd/[0-9]*$' <<<"$output"
	native_only "qemu-user answers /proc/self/comm itself"
	if grep -q '^comm memfd:' <<<"$output"; then
		# Linux 6.14 on: the memfd's name, the pipe's last part
		grep -qx "comm memfd:$(sed -n 's|^argv\[0\] /dev/fd/||p' <<<"$output")" <<<"$output"
	else
		grep -qx "comm $(sed -n 's|^auxv 31 /dev/fd/||p' <<<"$output")" <<<"$output"
	fi
}

@test "--argv0 and --map work on a pipe; --map shows the memfd" {
	run -0 bash -c 'cat "$1" | env -i "$2" --argv0 named - 3>&-' - "$F/auxv" "$E"
	grep -qx 'argv\[0\] named' <<<"$output"
	grep -qx 'auxv 31 /dev/fd/3' <<<"$output"
	run -0 bash -c 'cat "$1" | "$2" --map - 3>&-' - "$F/plain" "$E"
	# the same plan, the file named as the memfd (columns fit the names)
	[ "$(tr -s ' ' <<<"$output")" = "$("$E" --map "$F/plain" | sed "s|$F/plain|/dev/fd/3|" | tr -s ' ')" ]
}

@test "a #! script on a pipe: its interpreter reads it at /dev/fd/N, left open" {
	run -0 bash -c 'printf "#!%s -a\n" "$1" | env -i "$2" - q 3>&-' - "$F/auxv" "$E"
	grep -qx "argv\[0\] $F/auxv" <<<"$output"
	grep -qx 'argv\[1\] -a' <<<"$output"
	grep -qx 'argv\[2\] /dev/fd/3' <<<"$output"
	grep -qx 'argv\[3\] q' <<<"$output"
	grep -qx 'fd 3 open' <<<"$output"
	native_only "fexecve of a memfd under qemu-user leaves the emulator"
	# the kernel cannot run a script in a close-on-exec memfd (its
	# interpreter could not open it): elfload leaves the memfd open
	run bash -c 'printf "#!%s -a\n" "$1" | env -i "$2" stdin - q 3>&-' - "$F/auxv" "$F/fexec"
	expect "fexec: fexecve: No such file or directory" 126
}

@test "set-user-ID bits do not apply to a program on a pipe, as with fexecve" {
	native_only "qemu-user runs set-user-ID programs with the caller's credentials"
	[ "$(id -u)" -eq 0 ] || skip "making a set-user-ID file of another user needs root"
	local d direct
	d=$(shared_tmp)
	cp "$F/ids" "$d/ids-nobody"
	chown nobody:nogroup "$d/ids-nobody"
	chmod 6755 "$d/ids-nobody"
	run "$E" "$d/ids-nobody"
	[[ "$output" == "uid 0 65534 65534 "* ]]
	direct=$(cat "$d/ids-nobody" | "$F/fexec" stdin -)
	run bash -c 'cat "$1" | "$2" -' - "$d/ids-nobody" "$E"
	expect "$direct" 0
	[[ "$output" == "uid 0 0 0 gid 0 0 0 secure 0"* ]]
	rm -rf "$d"
}

@test "standard input that is a terminal or a directory is refused" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	run -126 script -qec "$E -" /dev/null
	[ "$(tr -d '\r' <<<"$output")" = "elfload: -: standard input is a terminal: give the program on a pipe" ]
	run "$E" - < /
	expect "elfload: -: standard input: Is a directory" 126
}
