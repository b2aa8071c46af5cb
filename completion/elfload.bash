# bash completion for elfload(1) and elfload-gdb(1)          -*- shell-script -*-
#
#   elfload [OPTIONS] [--] PROGRAM|- [ARGS...]
#   elfload-gdb [--qemu ARCH] [--elfload-option OPT]... [GDB-OPTIONS]
#               [--args] PROGRAM [ARGS...]
#
# The options and their values; then PROGRAM as a command, and its
# arguments by PROGRAM's own completion, the way bash-completion does it
# for env or sudo. The links elfload-ARCH complete as elfload. Installed
# as share/bash-completion/completions/elfload, with a link elfload-gdb
# (and elfload-ARCH) to it: bash-completion loads a file by command name.

# The command line up to the cursor in the words the shell passes on,
# with where each begins in COMP_WORDS: COMP_WORDS is cut at '=', ':' and
# the other characters of COMP_WORDBREAKS, a command's argument is not
# (--page-size=4096 is one). Sets _elfload_w (the words; the last is the
# one at the cursor, up to the cursor) and _elfload_at (their first
# indices in COMP_WORDS).
_elfload_words()
{
	local line=${COMP_LINE:0:COMP_POINT} i w new
	_elfload_w=() _elfload_at=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		new=$((i == 0))
		if [[ $line == [[:space:]]* ]]; then
			new=1
			line=${line##+([[:space:]])}
		fi
		if ((i == COMP_CWORD)); then
			w=$line
		else
			while [[ $line && $line != "$w"* ]]; do
				line=${line:1}
				new=1
			done
			line=${line#"$w"}
		fi
		if ((new)) || ((${#_elfload_w[@]} == 0)); then
			_elfload_w+=("$w")
			_elfload_at+=("$i")
		else
			_elfload_w[-1]+=$w
		fi
	done
}

# The options of elfload that take a value
_elfload_valued='@(--argv0|--entry|--interp|--base|--stack-size|--stack-top|--page-size|--reserve)'

# The page sizes --page-size accepts here: the power-of-two multiples of
# the page size, up to 64 KiB (the largest base page of the architectures
# elfload runs on).
_elfload_page_sizes()
{
	local p s
	p=$(getconf PAGESIZE 2>/dev/null)
	[[ $p == +([0-9]) ]] && ((p > 0)) || p=4096
	for ((s = p; s == p || s <= 65536; s *= 2)); do
		echo "$s"
	done
}

# COMPREPLY for the value $cur of elfload's option $1
_elfload_value()
{
	case $1 in
		--page-size)
			COMPREPLY=($(compgen -W '$(_elfload_page_sizes)' -- "$cur"))
			;;
		--interp)
			_filedir
			__ltrim_colon_completions "$cur"
			;;
	esac
}

# Where PROGRAM is among the words (_elfload_w) from index i up to the
# cursor's (n): options that match $1 take the next word as their value,
# $2 ends the options (PROGRAM is the word after it), and an option that
# matches $3 stops the command before any program (status 1). Leaves i
# at the first word not looked at and prog at PROGRAM's index, if found.
_elfload_find_program()
{
	local w
	while ((i < n)); do
		w=${_elfload_w[i]}
		[[ $3 && $w == $3 ]] && return 1
		case $w in
			"$2")
				prog=$((i + 1))
				return
				;;
			$1)
				((i += 2))
				;;
			-?*)
				((i++))
				;;
			*)
				prog=$i
				return
				;;
		esac
	done
}

_elfload()
{
	local cur prev words cword
	_init_completion || return

	local _elfload_w _elfload_at
	_elfload_words
	local n=$((${#_elfload_w[@]} - 1)) i=1 prog=
	cur=${_elfload_w[n]}
	COMPREPLY=()

	# where PROGRAM is, if it comes before the cursor; nothing after an
	# option that stops elfload before it
	_elfload_find_program "$_elfload_valued" -- '@(-h|--help|--version)' || return

	if [[ $prog ]]; then
		if ((prog < n)) && [[ ${_elfload_w[prog]} == - ]]; then
			# PROGRAM read from standard input: its arguments
			_filedir
			__ltrim_colon_completions "$cur"
		else
			_command_offset "${_elfload_at[prog]}"
		fi
		return
	fi
	if ((i > n)); then
		_elfload_value "${_elfload_w[n - 1]}"
		return
	fi
	case $cur in
		--*=*)
			local opt=${cur%%=*}
			cur=${cur#*=}
			[[ $opt == $_elfload_valued ]] && _elfload_value "$opt"
			;;
		-*)
			COMPREPLY=($(compgen -W '--argv0 --entry --interp --base --map
				-v --verbose --aslr --stop-at-entry --stack-size --stack-top
				--page-size --reserve --userns -h --help --version -- -' \
				-- "$cur"))
			;;
		*)
			_command_offset "${_elfload_at[n]}"
			;;
	esac
} &&
	complete -F _elfload elfload elfload-aarch64 elfload-ppc64le elfload-riscv64 \
		elfload-s390x elfload-x86_64

# The architectures elfload-gdb --qemu knows, from the table it reads
# (next to it in a build, in share/elfload when installed).
_elfload_gdb_arches()
{
	local gdb dir f
	gdb=$(type -P -- "$1" 2>/dev/null)
	if [[ $gdb ]]; then
		dir=$(dirname -- "$gdb")
		for f in "$dir/arches" "$dir/../share/elfload/arches"; do
			if [[ -f $f ]]; then
				awk '/^[a-z]/ { print $1 }' "$f"
				return
			fi
		done
	fi
	echo aarch64 ppc64le riscv64 s390x x86_64
}

# COMPREPLY for the value $cur of elfload-gdb's option $2 ($1: the command)
_elfload_gdb_value()
{
	case $2 in
		--qemu)
			COMPREPLY=($(compgen -W '$(_elfload_gdb_arches "$1")' -- "$cur"))
			;;
		--elfload-option)
			if [[ $cur == --*=* ]]; then
				local opt=${cur%%=*}
				cur=${cur#*=}
				[[ $opt == $_elfload_valued ]] && _elfload_value "$opt"
			else
				# all but those that would stop elfload before the program
				COMPREPLY=($(compgen -W '--argv0= --entry= --interp= --base=
					--map -v --verbose --aslr --stack-size= --stack-top=
					--page-size= --reserve= --userns' -- "$cur"))
				[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
			fi
			;;
		-x | -ix | --command | --init-command | -s | -se | -e | -c | -tty)
			_filedir
			__ltrim_colon_completions "$cur"
			;;
		-cd | --cd | -d | --directory)
			_filedir -d
			__ltrim_colon_completions "$cur"
			;;
	esac
}

# gdb's options that take a value
_elfload_gdb_valued='@(-ex|-iex|-x|-ix|-cd|-d|-tty|-s|-se|-e|-c|--eval-command|--init-eval-command|--command|--init-command|--directory|--cd)'

_elfload_gdb()
{
	local cur prev words cword
	_init_completion || return

	local _elfload_w _elfload_at
	_elfload_words
	local n=$((${#_elfload_w[@]} - 1)) i=1 prog= lead=1
	cur=${_elfload_w[n]}
	COMPREPLY=()

	# elfload-gdb's own options first, then gdb's, up to --args or PROGRAM
	((n > 1)) && [[ ${_elfload_w[1]} == @(-h|--help|--version) ]] && return
	while ((i < n)) && [[ ${_elfload_w[i]} == @(--qemu|--elfload-option) ]]; do
		((i += 2))
	done
	((i >= n)) || lead=0
	_elfload_find_program "$_elfload_gdb_valued" --args

	if [[ $prog ]]; then
		_command_offset "${_elfload_at[prog]}"
		return
	fi
	if ((i > n)); then
		_elfload_gdb_value "$1" "${_elfload_w[n - 1]}"
		return
	fi
	case $cur in
		--*=*)
			local opt=${cur%%=*}
			cur=${cur#*=}
			_elfload_gdb_value "$1" "$opt"
			;;
		-*)
			local opts='-batch -ex -iex -x -ix -cd -d -tty -s -se -e -c -q -nx
				-nh -readnow -readnever --batch --eval-command
				--init-eval-command --command --init-command --directory --cd
				--quiet --nx --nh --readnow --readnever --args'
			((lead)) && opts+=' --qemu --elfload-option'
			((n == 1)) && opts+=' -h --help --version'
			COMPREPLY=($(compgen -W "$opts" -- "$cur"))
			;;
		*)
			_command_offset "${_elfload_at[n]}"
			;;
	esac
} &&
	complete -F _elfload_gdb elfload-gdb

# ex: filetype=sh
