# bash completion for elfload, elfload-ARCH and elfload-gdb (installed as
# PREFIX/share/bash-completion/completions/elfload, the other names
# linked to it). Needs bash-completion's helpers.
#
#   elfload [OPTIONS] [--] PROGRAM|- [ARGS...]
#     options, with their values where those are a list; PROGRAM as a
#     command; ARGS through PROGRAM's own completion, as env and sudo do

# elfload's options that take a value, and all of them (elfload --help)
_elfload_valued='--argv0 --entry --interp --base --stack-size --stack-top --page-size --reserve'
_elfload_options="$_elfload_valued --map -v --verbose --aslr --stop-at-entry --userns -h --help --version"

# The sizes --page-size takes: the page size times a power of two, up to
# 64 KiB, the largest base page of the architectures elfload runs on.
_elfload_page_sizes()
{
	local p
	p=$(getconf PAGESIZE 2>/dev/null) || p=4096
	while ((p <= 65536)); do
		printf '%s\n' "$p"
		((p *= 2))
	done
}

# COMPREPLY for the value of option $1 (the word being completed is $2)
_elfload_value()
{
	case $1 in
	--page-size) COMPREPLY=($(compgen -W "$(_elfload_page_sizes)" -- "$2")) ;;
	--interp) _filedir ;;
	*) COMPREPLY=() ;;   # a name, a symbol, an address, a range: no list
	esac
}

# The index of PROGRAM in COMP_WORDS, or past the cursor when it is not
# there yet: options start at word 1, $1 lists those that take a value,
# and $2 ends them (the next word is PROGRAM). "--opt=VALUE" is three
# words there ("=" breaks words).
_elfload_program_index()
{
	local i=1 w
	while ((i < COMP_CWORD)); do
		w=${COMP_WORDS[i]}
		if [[ $w == "$2" ]]; then
			echo $((i + 1))
			return
		fi
		case $w in
		-) echo "$i"; return ;;
		-*)
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				((i += 2))
			elif [[ " $1 " == *" $w "* ]]; then
				((i++))
			fi ;;
		*) echo "$i"; return ;;
		esac
		((i++))
	done
	echo $((COMP_CWORD + 1))
}

# Completes the program and its arguments when the cursor is there:
# returns 1 if it is still among the options.
_elfload_program()
{
	local prog=$1
	((prog <= COMP_CWORD)) || return 1
	if [[ ${COMP_WORDS[prog]} == - ]] && ((prog < COMP_CWORD)); then
		_filedir   # the arguments of a program on standard input
	else
		_command_offset "$prog"
	fi
}

_elfload()
{
	local cur prev words cword
	_init_completion -n = || return
	_elfload_program "$(_elfload_program_index "$_elfload_valued" --)" && return
	if [[ $cur == --*=* ]]; then
		_elfload_value "${cur%%=*}" "${cur#*=}"
	elif [[ " $_elfload_valued " == *" $prev "* ]]; then
		_elfload_value "$prev" "$cur"
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_elfload_options --" -- "$cur"))
	else
		_command_offset "$cword"
	fi
}

# gdb's options that take a value, as elfload-gdb passes them on
_elfload_gdb_valued='--qemu --elfload-option -ex -iex -x -ix -cd -d -tty -s -se -e -c --eval-command --init-eval-command --command --init-command --directory --cd'

_elfload_gdb()
{
	local cur prev words cword arches dir
	_init_completion || return
	_elfload_program "$(_elfload_program_index "$_elfload_gdb_valued" --args)" && return
	case $prev in
	--qemu)
		dir=$(dirname "$(type -P "${words[0]}" 2>/dev/null || echo ./x)")
		arches=$(awk '/^[a-z]/ { print $1 }' "$dir/../share/elfload/arches" 2>/dev/null)
		[[ -n $arches ]] || arches='aarch64 ppc64le riscv64 s390x x86_64'
		COMPREPLY=($(compgen -W "$arches" -- "$cur"))
		return ;;
	--elfload-option)
		COMPREPLY=($(compgen -W "$_elfload_options" -- "$cur"))
		return ;;
	-x|-ix|--command|--init-command|-s|-se|-e|-c) _filedir; return ;;
	-cd|--cd|-d|--directory) _filedir -d; return ;;
	-ex|-iex|--eval-command|--init-eval-command|-tty) COMPREPLY=(); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "--qemu --elfload-option --args -h --help --version \
			-batch -ex -iex -x -ix -cd -d -tty -q -nx -nh" -- "$cur"))
	else
		_command_offset "$cword"
	fi
}

complete -F _elfload elfload elfload-x86_64 elfload-aarch64 elfload-riscv64 elfload-ppc64le elfload-s390x
complete -F _elfload_gdb elfload-gdb
