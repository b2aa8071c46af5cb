#!/usr/bin/env bats
# What a user installs and reads: make install and uninstall, the manual
# pages, elfload-gdb explaining itself, a quiet build. The host's build
# only: these are about this checkout, not about an architecture.
load helpers
bats_require_minimum_version 1.5.0

TOP=$(realpath "$BATS_TEST_DIRNAME/..")
GDB=$(dirname "$(realpath "$ELFLOAD")")/elfload-gdb

setup() {
	native_only "about the checkout, once"
	[ -z "$GUEST" ] || skip "about the checkout, once: in the host's build"
}

version() { sed -n 's/^VERSION := //p' "$TOP/Makefile"; }

# the files (and links) under a directory, relative to it, sorted
files_under() { (cd "$1" && find . ! -type d | sed 's|^\./||' | sort); }

@test "make install ARCH=all: every loader where elfload-gdb finds it, the manual pages; uninstall leaves nothing" {
	local p=$BATS_TEST_TMPDIR/p a want
	for a in aarch64 riscv64 ppc64le s390x; do
		[ -x "$TOP/build/$a/elfload" ] || skip "no $a build"
	done
	run make -C "$TOP" install ARCH=all PREFIX="$p"
	[ "$status" -eq 0 ]
	want="bin/elfload
bin/elfload-aarch64
bin/elfload-gdb
bin/elfload-ppc64le
bin/elfload-riscv64
bin/elfload-s390x
lib/elfload/aarch64/elfload
lib/elfload/ppc64le/elfload
lib/elfload/riscv64/elfload
lib/elfload/s390x/elfload
share/bash-completion/completions/elfload
share/bash-completion/completions/elfload-aarch64
share/bash-completion/completions/elfload-gdb
share/bash-completion/completions/elfload-ppc64le
share/bash-completion/completions/elfload-riscv64
share/bash-completion/completions/elfload-s390x
share/elfload/arches
share/elfload/elfload.gdb
share/man/man1/elfload-gdb.1
share/man/man1/elfload.1"
	[ "$(files_under "$p")" = "$want" ]
	run "$p/bin/elfload" --version
	[[ "$output" == "elfload $(version) ($ARCH, page size "* ]]
	run qemu-aarch64 "$p/bin/elfload-aarch64" --version
	[[ "$output" == "elfload $(version) (aarch64, page size "* ]]
	run "$p/bin/elfload-gdb" --version
	expect "elfload-gdb $(version)" 0
	run make -C "$TOP" uninstall ARCH=all PREFIX="$p"
	[ "$status" -eq 0 ]
	[ -z "$(files_under "$p")" ]
}

@test "the installed elfload-gdb debugs an aarch64 program with the installed aarch64 loader" {
	# --qemu keeps qemu's gdb port in a network namespace of its own
	unshare -n true 2>/dev/null || skip "no network namespaces here"
	local p=$BATS_TEST_TMPDIR/prefix
	run make -C "$TOP" install ARCH=all PREFIX="$p"
	[ "$status" -eq 0 ]
	run "$p/bin/elfload-gdb" --qemu aarch64 -batch -ex 'break add_up' -ex continue -ex bt \
		-ex continue "$TOP/build/aarch64/fixtures/pin-stack"
	[ "$status" -eq 0 ]
	grep -q '^Breakpoint 1, .*add_up ' <<<"$output"
	grep -q '^#1  .* in main ' <<<"$output"
	grep -q '^\[Inferior 1 (process [0-9]*) exited normally\]$' <<<"$output"
}

@test "make install with DESTDIR, the host's loader only; uninstall with the same" {
	local d=$BATS_TEST_TMPDIR/d
	run make -C "$TOP" install DESTDIR="$d" PREFIX=/usr
	[ "$status" -eq 0 ]
	[ "$(files_under "$d/usr")" = "bin/elfload
bin/elfload-gdb
share/bash-completion/completions/elfload
share/bash-completion/completions/elfload-gdb
share/elfload/arches
share/elfload/elfload.gdb
share/man/man1/elfload-gdb.1
share/man/man1/elfload.1" ]
	run "$d/usr/bin/elfload" "$F/plain"
	expect "pinned 0x$(nm "$F/plain" | awk '$3 == "pinned" { print $1 }' | sed 's/^0*//') sum 10" 0
	run make -C "$TOP" uninstall DESTDIR="$d" PREFIX=/usr
	[ -z "$(files_under "$d")" ]
}

@test "the manual pages render without a warning and carry the version" {
	local page
	for page in elfload elfload-gdb; do
		run groff -man -ww -z "$TOP/man/$page.1"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		run env MANWIDTH=80 man -l "$TOP/man/$page.1"
		[ "$status" -eq 0 ]
		grep -q '^NAME$' <<<"$output"
		grep -q '^EXIT STATUS$' <<<"$output"
		grep -q '^ENVIRONMENT$' <<<"$output"
		grep -q "^\.TH .* \"elfload $(version)\"" "$TOP/man/$page.1"
	done
	run env MANWIDTH=80 man -l "$TOP/man/elfload.1"
	grep -q '^DIFFERENCES FROM THE KERNEL$' <<<"$output"
	grep -q '^WHAT STAYS MAPPED$' <<<"$output"
	grep -q '^EXAMPLES$' <<<"$output"
}

# The long options a text names: --help's option lines, the README's
# usage table, the manual page's OPTIONS section.
help_options() {
	"$@" --help | grep -E '^  +-' | awk '{ print $1, $2 }' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
man_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$TOP/man/$1.1" | grep -E '^\.(B|BI|BR) ' |
		sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
readme_options() {
	sed -n '/^| option | meaning |/,/^$/p' "$TOP/README.md" | cut -d'|' -f2 |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

@test "--help, the README and the manual page name the same options" {
	[ -n "$(help_options "$E")" ]
	[ "$(help_options "$E")" = "$(man_options elfload)" ]
	[ "$(help_options "$E")" = "$(readme_options)" ]
	[ "$(help_options "$GDB")" = "$(man_options elfload-gdb)" ]
}

@test "elfload-gdb --help and --version on stdout, status 0" {
	run "$GDB" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: elfload-gdb "* ]]
	grep -q -- '--qemu ARCH' <<<"$output"
	grep -q '^  ELFLOAD_BIN ' <<<"$output"
	run "$GDB" --version
	expect "elfload-gdb $(version)" 0
}

@test "elfload-gdb: a program elfload refuses gives elfload's line and status; a missing loader is named" {
	run -126 "$GDB" -batch "$F/notelf"
	expect "elfload: $F/notelf: not an ELF file" 126
	run -126 "$GDB" -batch "$F/bad-filesz"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "elfload: $F/bad-filesz: "* ]]
	ELFLOAD_BIN=/no/such/elfload run -127 "$GDB" -batch "$F/plain"
	expect "elfload-gdb: ELFLOAD_BIN /no/such/elfload: not an executable file" 127
	# elfload-gdb alone, with none of the loaders it looks for
	local d=$BATS_TEST_TMPDIR/alone
	mkdir -p "$d/bin"
	cp "$GDB" "$(dirname "$GDB")/elfload.gdb" "$(dirname "$GDB")/arches" "$d/bin/"
	run -127 "$d/bin/elfload-gdb" -batch "$F/plain"
	expect "elfload-gdb: no elfload: none of $d/bin/elfload" 127
	run -127 "$d/bin/elfload-gdb" --qemu aarch64 -batch "$F/plain"
	expect "elfload-gdb: no elfload for aarch64: none of $d/bin/../aarch64/elfload $d/bin/../lib/elfload/aarch64/elfload $d/bin/elfload-aarch64" 127
}

@test "a quiet build: one short line a step, the commands with V=1" {
	local src=$BATS_TEST_TMPDIR/src line
	mkdir -p "$src"
	(cd "$TOP" && tar cf - --exclude=./build --exclude=./.git .) | (cd "$src" && tar xf -)
	# as from a shell: not with the flags of a make that runs this suite
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" --no-print-directory
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 10 ]
	while IFS= read -r line; do
		[[ "$line" =~ ^"  "[A-Z]+" "+build/[^\ ]+$ ]] || { echo "not a short line: $line"; return 1; }
	done <<<"$output"
	grep -qx "  CC     build/$ARCH/obj1/stage1/elf.o" <<<"$output"
	grep -qx "  LD     build/$ARCH/elfload" <<<"$output"
	rm "$src/build/$ARCH/obj1/stage1/elf.o"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" --no-print-directory V=1
	[ "$status" -eq 0 ]
	grep -q -- "gcc .* -c -o build/$ARCH/obj1/stage1/elf.o stage1/elf.c" <<<"$output"
	! grep -q '^  CC ' <<<"$output"
}
