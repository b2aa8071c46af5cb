#!/usr/bin/env bats
# Shell completion as installed: a real bash with bash-completion loaded
# finds elfload's completion in the installed tree (by its own lookup,
# XDG_DATA_DIRS) and completes command lines with it. The host's build
# only: this is about the checkout, not an architecture.
load helpers
bats_require_minimum_version 1.5.0

TOP=$(realpath "$BATS_TEST_DIRNAME/..")

setup_file() {
	install_for_file || return
	# a command with a completion of its own, to complete as a PROGRAM
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	printf '#!/bin/sh\n' > "$BATS_FILE_TMPDIR/bin/mycmd"
	chmod +x "$BATS_FILE_TMPDIR/bin/mycmd"
}

setup() {
	native_only "about the checkout, once"
	[ -z "$GUEST" ] || skip "about the checkout, once: in the host's build"
	[ -f /usr/share/bash-completion/bash_completion ] || skip "no bash-completion"
	[ -x "$PREFIX_DIR/bin/elfload" ] || skip "make install ARCH=all failed"
}

# What bash completes at the end of LINE ($1), one word a line, sorted
# and without repeats (PATH may name a directory twice), with the
# installed tree first in PATH and XDG_DATA_DIRS.
complete_line() {
	bash --norc --noprofile -c '
		export XDG_DATA_DIRS=$1/share:/usr/share PATH=$1/bin:$2:$PATH
		. /usr/share/bash-completion/bash_completion
		complete -W "alpha beta" mycmd
		line=$3
		read -ra w <<<"$line"
		[[ $line == *" " ]] && w+=("")
		__load_completion "${w[0]}" || { echo "no completion for ${w[0]}"; exit 1; }
		fn=$(complete -p "${w[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no function for ${w[0]}"; exit 1; }
		# the words as bash makes them: "=" one of its own
		COMP_WORDS=()
		for x in "${w[@]}"; do
			if [[ $x == --*=* ]]; then COMP_WORDS+=("${x%%=*}" = "${x#*=}")
			else COMP_WORDS+=("$x"); fi
		done
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
		"$fn" "${w[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
		printf "%s\n" "${COMPREPLY[@]}" | sort -u
	' - "$PREFIX_DIR" "$BATS_FILE_TMPDIR/bin" "$1"
}

@test "completion: elfload's options, and the values --page-size takes" {
	run complete_line "elfload --st"
	expect "--stack-size
--stack-top
--stop-at-entry" 0
	local p sizes=
	for ((p = $(getconf PAGESIZE); p <= 65536; p *= 2)); do sizes+="$p"$'\n'; done
	sizes=$(sort <<<"$sizes" | sed '/^$/d')
	run complete_line "elfload --page-size "
	expect "$sizes" 0
	run complete_line "elfload --page-size="
	expect "$sizes" 0
	# a range, a number, a name: nothing to offer, not even files
	run complete_line "elfload --reserve "
	expect "" 0
	run complete_line "elfload --base 0x"
	expect "" 0
	run complete_line "elfload-gdb --elfload-option --ma"
	expect "--map" 0
	run complete_line "elfload-aarch64 --ver"
	expect "--verbose
--version" 0
}

@test "completion: PROGRAM as a command, its arguments through its own completion" {
	run complete_line "elfload --map setar"
	[ "$status" -eq 0 ]
	grep -qx setarch <<<"$output"
	run complete_line "elfload -v mycmd al"
	expect "alpha" 0
	run complete_line "elfload --interp /bin/sh --map mycmd be"
	expect "beta" 0
	run complete_line "elfload --stack-size=8M mycmd "
	expect "alpha
beta" 0
	run complete_line "elfload -- mycmd al"
	expect "alpha" 0
	# a real one: setarch's own completion, as for setarch itself
	[ -f /usr/share/bash-completion/completions/setarch ] || skip "no setarch completion"
	run complete_line "elfload setarch "
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ "$output" = "$(complete_line "setarch ")" ]
}

@test "completion: elfload-gdb's --qemu architectures, then PROGRAM and its arguments" {
	run complete_line "elfload-gdb --qemu "
	expect "aarch64
ppc64le
riscv64
s390x
x86_64" 0
	run complete_line "elfload-gdb --qemu riscv64 -batch -ex bt mycmd al"
	expect "alpha" 0
	run complete_line "elfload-gdb --args mycmd be"
	expect "beta" 0
}

@test "completion: installed under every name it completes; make uninstall removes it" {
	local p=$BATS_TEST_TMPDIR/p c=share/bash-completion/completions
	run make -C "$TOP" install ARCH=all PREFIX="$p"
	[ "$status" -eq 0 ]
	[ "$(cd "$p/$c" && ls)" = "elfload
elfload-aarch64
elfload-gdb
elfload-ppc64le
elfload-riscv64
elfload-s390x" ]
	[ "$(readlink "$p/$c/elfload-gdb")" = elfload ]
	cmp "$TOP/completion/elfload.bash" "$p/$c/elfload"
	run make -C "$TOP" uninstall ARCH=all PREFIX="$p"
	[ "$status" -eq 0 ]
	[ ! -e "$p/share/bash-completion" ]
}
