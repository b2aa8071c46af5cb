#!/usr/bin/env bats
# Another architecture's program, run by name: elfload hands it to
# qemu-ARCH with that architecture's elfload (stage1/foreign.c), found in
# the installed tree. The host's build only: the programs of the other
# builds are run through an installed tree made once for this file.
load helpers
bats_require_minimum_version 1.5.0

TOP=$(realpath "$BATS_TEST_DIRNAME/..")

setup_file() {
	install_for_file || return
}

setup() {
	native_only "about the host's installed tree"
	[ -z "$GUEST" ] || skip "about the host's installed tree"
	P=$PREFIX_DIR
	[ -x "$P/bin/elfload" ] || skip "make install ARCH=all failed"
	# nothing but the installed tree and the system's own tools
	SYSPATH=/usr/local/bin:/usr/bin:/bin
}

triplet() { awk -v a="$1" '$1 == a { print $2 }' "$TOP/arch/arches"; }
# ARCH's fixture NAME: beside this build's ($F is a real path)
fixture() { echo "$(dirname "$(dirname "$F")")/$1/fixtures/$2"; }

# runs `elfload ARGS` from the installed tree, then the explicit qemu
# command the README gives for ARCH: the same output and status, left in
# $output and $status
same_as_explicit() {
	local arch=$1 out st
	shift
	run env -i PATH="$SYSPATH" "$P/bin/elfload" "$@"
	out=$output st=$status
	run env -i PATH="$SYSPATH" "qemu-$arch" -L "/usr/$(triplet "$arch")" \
		"$P/lib/elfload/$arch/elfload" "$@"
	if [ "$out" != "$output" ] || [ "$st" -ne "$status" ]; then
		printf 'elfload (status %s):\n%s\nexplicit (status %s):\n%s\n' \
			"$st" "$out" "$status" "$output"
		return 1
	fi
}

@test "a riscv64 and a ppc64le program run by name: as the explicit qemu command" {
	local arch
	for arch in riscv64 ppc64le; do
		[ -x "$(fixture $arch auxv)" ] || skip "no $arch build"
		same_as_explicit $arch "$(fixture $arch plain)"
		[ "$status" -eq 0 ]
		[[ "$output" == "pinned 0x"*" sum 10" ]]
		same_as_explicit $arch "$(fixture $arch auxv)" a 'b c'
		[ "$status" -eq 0 ]
		grep -qx "auxv 31 $(fixture $arch auxv)" <<<"$output"
		grep -qx 'argv\[2\] b c' <<<"$output"
		# dynamically linked: the sysroot is /usr/TRIPLET
		same_as_explicit $arch "$(fixture $arch dynamic)" x
		[ "$status" -eq 0 ]
		same_as_explicit $arch --map "$(fixture $arch pin-stack)"
		[ "$status" -eq 0 ]
		grep -q " PT_LOAD 1$" <<<"$output"
		# a refusal: the other elfload's line and status
		same_as_explicit $arch "$(fixture $arch bad-filesz)"
		[ "$status" -eq 126 ]
		[[ "$output" == "elfload: $(fixture $arch bad-filesz): "* ]]
		# a program's own exit status
		same_as_explicit $arch "$(fixture $arch microprobe-$arch-small)"
		[ "$status" -eq 42 ]
		# a #! script whose interpreter is the other architecture's
		printf '#!%s -i\n' "$(fixture $arch auxv)" > "$BATS_TEST_TMPDIR/s-$arch"
		chmod +x "$BATS_TEST_TMPDIR/s-$arch"
		same_as_explicit $arch "$BATS_TEST_TMPDIR/s-$arch" y
		[ "$status" -eq 0 ]
		grep -qx "argv\[2\] $BATS_TEST_TMPDIR/s-$arch" <<<"$output"
	done
}

@test "zcat fixture.gz | elfload -: a riscv64 Microprobe ELF from a pipe" {
	local gz=$TOP/tests/microprobe/riscv64-small.elf.gz
	run bash -c 'zcat "$1" | env -i PATH="$2" "$3" -' - "$gz" "$SYSPATH" "$P/bin/elfload"
	expect "microprobe riscv64-small: every page right" 42
	# what the other elfload reads is the pipe, as it would read it itself
	run bash -c 'cat "$1" | env -i PATH="$2" "$3" - q 3>&-' - "$(fixture ppc64le auxv)" \
		"$SYSPATH" "$P/bin/elfload"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$(fixture ppc64le auxv)" | env -i PATH="$SYSPATH" qemu-ppc64le \
		"$P/lib/elfload/ppc64le/elfload" - q 3>&-)" ]
	grep -qx 'argv\[0\] -' <<<"$output"
	run bash -c 'env -i PATH="$1" "$2" <(cat "$3")' - "$SYSPATH" "$P/bin/elfload" \
		"$(fixture s390x plain)"
	[ "$status" -eq 0 ]
	[[ "$output" == "pinned 0x"*" sum 10" ]]
	# and no feeder is left behind
	! pgrep -f "$P/bin/elfload" >/dev/null
}

@test "the emulator: qemu-ARCH on PATH, or ELFLOAD_QEMU; the sysroot only for a PT_INTERP there" {
	local log=$BATS_TEST_TMPDIR/qemu.log
	cat > "$BATS_TEST_TMPDIR/myqemu" <<-EOF
	#!/bin/sh
	echo "\$*" >> "$log"
	exec qemu-riscv64 "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/myqemu"
	run env -i PATH="$SYSPATH" ELFLOAD_QEMU="$BATS_TEST_TMPDIR/myqemu" \
		"$P/bin/elfload" --argv0 n "$(fixture riscv64 plain)" a
	[ "$status" -eq 0 ]
	run env -i PATH="$SYSPATH" ELFLOAD_QEMU="$BATS_TEST_TMPDIR/myqemu" \
		"$P/bin/elfload" --map "$(fixture riscv64 dynamic)"
	[ "$status" -eq 0 ]
	run env -i PATH="$SYSPATH" ELFLOAD_QEMU="$BATS_TEST_TMPDIR/myqemu" \
		QEMU_LD_PREFIX=/usr/riscv64-linux-gnu "$P/bin/elfload" "$(fixture riscv64 dynamic)"
	[ "$status" -eq 0 ]
	# by name, along PATH
	run env -i PATH="$BATS_TEST_TMPDIR:$SYSPATH" ELFLOAD_QEMU=myqemu \
		"$P/bin/elfload" "$(fixture riscv64 plain)"
	[ "$status" -eq 0 ]
	[ "$(cat "$log")" = "$P/bin/../lib/elfload/riscv64/elfload --argv0 n $(fixture riscv64 plain) a
-L /usr/riscv64-linux-gnu $P/bin/../lib/elfload/riscv64/elfload --map $(fixture riscv64 dynamic)
$P/bin/../lib/elfload/riscv64/elfload $(fixture riscv64 dynamic)
$P/bin/../lib/elfload/riscv64/elfload $(fixture riscv64 plain)" ]
	# -v says what runs, before the other elfload's layout
	run env -i PATH="$SYSPATH" "$P/bin/elfload" -v "$(fixture riscv64 plain)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "elfload: $(fixture riscv64 plain): running /usr/bin/qemu-riscv64 $P/bin/../lib/elfload/riscv64/elfload -v $(fixture riscv64 plain)" ]
	[[ "${lines[1]}" == "elfload: $(fixture riscv64 plain): layout "* ]]
}

@test "no emulator or no loader for the architecture: one line, 126, nothing run" {
	local f
	f=$(fixture riscv64 plain)
	run env -i PATH="$P/bin" "$P/bin/elfload" "$f"
	expect "elfload: $f: a riscv64 program, and no qemu-riscv64 on PATH: install qemu-user (or qemu-user-static), or name the emulator in ELFLOAD_QEMU" 126
	run env -i PATH="$SYSPATH" ELFLOAD_QEMU=/no/such/qemu "$P/bin/elfload" "$f"
	expect "elfload: $f: a riscv64 program, and ELFLOAD_QEMU /no/such/qemu is not an executable file" 126
	# the native loader alone, without the others
	mkdir -p "$BATS_TEST_TMPDIR/alone/bin"
	cp "$P/bin/elfload" "$BATS_TEST_TMPDIR/alone/bin/"
	run env -i PATH="$SYSPATH" "$BATS_TEST_TMPDIR/alone/bin/elfload" "$f"
	expect "elfload: $f: a riscv64 program, and no riscv64 elfload beside this one ($BATS_TEST_TMPDIR/alone/bin/../lib/elfload/riscv64/elfload): make install ARCH=all installs it" 126
	# a script's interpreter: the script's name, and the interpreter's
	printf '#!%s\n' "$f" > "$BATS_TEST_TMPDIR/s"
	chmod +x "$BATS_TEST_TMPDIR/s"
	run env -i PATH="$P/bin" "$P/bin/elfload" "$BATS_TEST_TMPDIR/s"
	expect "elfload: $BATS_TEST_TMPDIR/s: interpreter $f: a riscv64 program, and no qemu-riscv64 on PATH: install qemu-user (or qemu-user-static), or name the emulator in ELFLOAD_QEMU" 126
}

@test "a build tree: build/ARCH/elfload beside build/HOST/elfload" {
	run env -i PATH="$SYSPATH" "$TOP/build/$ARCH/elfload" "$(fixture aarch64 plain)"
	[ "$status" -eq 0 ]
	[[ "$output" == "pinned 0x"*" sum 10" ]]
	run env -i PATH="$SYSPATH" "$TOP/build/$ARCH/elfload" -v "$(fixture aarch64 plain)"
	[ "${lines[0]}" = "elfload: $(fixture aarch64 plain): running /usr/bin/qemu-aarch64 $TOP/build/$ARCH/../aarch64/elfload -v $(fixture aarch64 plain)" ]
}

@test "elfload-gdb picks --qemu from the program's e_machine" {
	unshare -n true 2>/dev/null || skip "no network namespaces here"
	run "$P/bin/elfload-gdb" -batch -ex 'break add_up' -ex continue -ex bt \
		-ex continue "$(fixture riscv64 pin-stack)"
	[ "$status" -eq 0 ]
	grep -q '^Breakpoint 1, .*add_up ' <<<"$output"
	grep -q '^#1  .* in main ' <<<"$output"
	grep -q '^\[Inferior 1 (process [0-9]*) exited normally\]$' <<<"$output"
}
