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
# installed tree first in PATH and XDG_DATA_DIRS. The completion is found
# by bash-completion's own lookup, and must be the function of the
# command's name ($2: _elfload, _elfload_gdb). COMP_WORDS is cut as bash
# cuts it: at blanks, and around each run of "=" and ":", which are words
# of their own ("--page-size=4096" is "--page-size" "=" "4096").
complete_line() {
	bash --norc --noprofile -c '
		export XDG_DATA_DIRS=$1/share:/usr/share PATH=$1/bin:$2:$PATH
		. /usr/share/bash-completion/bash_completion
		complete -W "alpha beta" mycmd
		line=$3 cmd=${3%% *}
		__load_completion "$cmd" || { echo "no completion for $cmd"; exit 1; }
		want="complete -F ${4:-_elfload} $cmd"
		[ "$(complete -p "$cmd")" = "$want" ] || { echo "not $want: $(complete -p "$cmd")"; exit 1; }
		COMP_WORDS=() rest=$line
		while [[ $rest ]]; do
			[[ $rest =~ ^[[:space:]]+|^[=:]+|^[^=:[:space:]]+ ]]
			[[ $BASH_REMATCH == [[:space:]]* ]] || COMP_WORDS+=("$BASH_REMATCH")
			rest=${rest:${#BASH_REMATCH}}
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
		# no completion is under way for compopt, which only sets how
		# readline shows the words
		compopt() { :; }
		${4:-_elfload} "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort -u
	' - "$PREFIX_DIR" "$BATS_FILE_TMPDIR/bin" "$1" "${2:-}"
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
	run complete_line "elfload --stack-top="
	expect "" 0
	run complete_line "elfload --argv0 "
	expect "" 0
	# files after --interp, in both forms
	run complete_line "elfload --interp /bin/s"
	[ "$status" -eq 0 ]
	grep -qx /bin/sh <<<"$output"
	run complete_line "elfload --interp=/bin/s"
	[ "$status" -eq 0 ]
	grep -qx /bin/sh <<<"$output"
	# once elfload has stopped at --help, nothing
	run complete_line "elfload --help "
	expect "" 0
}

@test "completion: elfload-ARCH as elfload, through the installed link" {
	run complete_line "elfload-aarch64 --ma"
	expect "--map" 0
	run complete_line "elfload-aarch64 --ver"
	expect "--verbose
--version" 0
	run complete_line "elfload-s390x -v mycmd be"
	expect "beta" 0
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
	# PROGRAM at the cursor after a value given as --opt=VALUE
	run complete_line "elfload --page-size=4096 setar"
	[ "$status" -eq 0 ]
	grep -qx setarch <<<"$output"
	# a value bash cuts at ":" is still one word
	run complete_line "elfload --argv0 a:b mycmd al"
	expect "alpha" 0
	run complete_line "elfload --reserve=0x1000-0x2000 --map mycmd "
	expect "alpha
beta" 0
	# PROGRAM from standard input: its arguments are files
	run complete_line "elfload - /bin/s"
	[ "$status" -eq 0 ]
	grep -qx /bin/sh <<<"$output"
	run complete_line "elfload --map - --ma"
	[ "$status" -eq 0 ]
	no_line "^--map$"
	# after the program's name, its options, not elfload's
	run complete_line "elfload mycmd --ma"
	expect "" 0
	# a real one: setarch's own completion, as for setarch itself
	[ -f /usr/share/bash-completion/completions/setarch ] || skip "no setarch completion"
	run complete_line "elfload setarch "
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ "$output" = "$(complete_line "setarch " _setarch_module)" ]
}

@test "completion: elfload-gdb's --qemu architectures, then PROGRAM and its arguments" {
	run complete_line "elfload-gdb --qemu " _elfload_gdb
	expect "aarch64
ppc64le
riscv64
s390x
x86_64" 0
	run complete_line "elfload-gdb --qemu riscv64 -batch mycmd al" _elfload_gdb
	expect "alpha" 0
	run complete_line "elfload-gdb --qemu riscv64 -batch -ex bt mycmd al" _elfload_gdb
	expect "alpha" 0
	run complete_line "elfload-gdb --args mycmd be" _elfload_gdb
	expect "beta" 0
	run complete_line "elfload-gdb --elfload-option --base=0x10000 -x /dev/null mycmd al" _elfload_gdb
	expect "alpha" 0
	# --qemu and --elfload-option only before gdb's options
	run complete_line "elfload-gdb --qemu aarch64 --elf" _elfload_gdb
	expect "--elfload-option" 0
	run complete_line "elfload-gdb -batch --elf" _elfload_gdb
	expect "" 0
}

@test "completion: elfload-gdb's --elfload-option takes elfload's options, gdb's take theirs" {
	run complete_line "elfload-gdb --elfload-option --ma" _elfload_gdb
	expect "--map" 0
	run complete_line "elfload-gdb --elfload-option --stack-" _elfload_gdb
	expect "--stack-size=
--stack-top=" 0
	local p sizes=
	for ((p = $(getconf PAGESIZE); p <= 65536; p *= 2)); do sizes+="$p"$'\n'; done
	run complete_line "elfload-gdb --elfload-option --page-size=" _elfload_gdb
	expect "$(sort <<<"$sizes" | sed '/^$/d')" 0
	run complete_line "elfload-gdb -ex " _elfload_gdb
	expect "" 0
	run complete_line "elfload-gdb -x /bin/s" _elfload_gdb
	[ "$status" -eq 0 ]
	grep -qx /bin/sh <<<"$output"
	run complete_line "elfload-gdb -batch -ie" _elfload_gdb
	expect "-iex" 0
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
