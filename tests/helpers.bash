# Shared by all test files. tests/run.sh sets ARCH, ELFLOAD (how to start
# elfload: the binary, or a script running it under qemu-user), FIX (the
# fixtures, built for ARCH), RUN (the prefix that starts a program of
# ARCH directly: empty natively, "setarch -R qemu-ARCH -L SYSROOT" else)
# SYSROOT (where ARCH's C library is, from arch/arches; empty natively)
# and GUEST (the kernel of tests/guest/guests the suite runs on, booted
# under qemu-system; empty on this machine).
: "${ARCH:=$(uname -m)}"
: "${ELFLOAD:=$BATS_TEST_DIRNAME/../build/$ARCH/run-elfload}"
: "${FIX:=$BATS_TEST_DIRNAME/../build/$ARCH/fixtures}"
: "${RUN:=}"
: "${SYSROOT:=}"
: "${GUEST:=}"
# (tests/run.sh resolves these once: every test loads this file, and
# under emulation each command started costs)
: "${E:=$(realpath "$ELFLOAD")}"
: "${F:=$(realpath "$FIX")}"
ELF=${ELFLOAD%/*}/elfload   # the loader binary itself, for nm

# A program of ARCH, started the way the kernel (or qemu) would.
direct() { $RUN "$@"; }
# The same without address-space randomization. Under qemu-user, RUN
# already turns it off for qemu, which then lays the guest out the same
# way every time.
direct_noaslr() { if [ -n "$RUN" ]; then $RUN "$@"; else setarch "$(uname -m)" -R "$@"; fi; }
elfload_noaslr() { if [ -n "$RUN" ]; then "$E" "$@"; else setarch "$(uname -m)" -R "$E" "$@"; fi; }
# Where a run without ASLR has things: stack-page, vvar, vdso-span, vdso-end.
probe() { direct_noaslr "$F/probe" "$1"; }

# Skips unless the fixture $1 was built for ARCH; $2 says why it may not be.
has_fixture() { [ -e "$F/$1" ] || skip "no $1 for $ARCH: $2"; }

native_only() { [ -z "$RUN" ] || skip "under qemu-user: ${1:-needs the real kernel}"; }
host_arch_only() { [ "$ARCH" = "$(uname -m)" ] || skip "runs programs of this machine"; }

# The interpreter an ELF file names.
interp_of() { readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p'; }

# Where elfload's own image starts (hex, no 0x).
loader_base() { nm "$ELF" | awk '$3 == "__executable_start" { print $1 }' | sed 's/^0*//'; }

# The index of the program header that loads address $2 in file $1.
phdr_index() {
	local n=0 type off va rest
	while read -r type off va rest; do
		[ "$type" = LOAD ] && [ $((va)) -eq $(($2)) ] && echo "$n"
		n=$((n + 1))
	done < <(readelf -lW "$1" | sed -n '/^  Type/,/^$/p' | grep '^  [A-Z]' | tail -n +2)
}

# The kernel's page size: 4096, or 65536 on ppc64le and 64 KiB aarch64
: "${PAGE:=$(getconf PAGESIZE)}"

# The kernel's pages that hold [ADDR, ADDR + SIZE), as /proc/PID/maps
# shows a range: "lo-hi" in hex without 0x.
page_range() { printf '%x-%x\n' $(($1 & -PAGE)) $((($1 + $2 + PAGE - 1) & -PAGE)); }

# Asserts that the last command printed exactly $1 and exited with $2.
expect() {
	if [ "$output" != "$1" ] || [ "$status" -ne "$2" ]; then
		printf 'expected status %s, output:\n%s\n' "$2" "$1"
		printf 'got status %s, output:\n%s\n' "$status" "$output"
		return 1
	fi
}

# Asserts that no line of $output matches the grep pattern $1 (a bare
# "! grep" in the middle of a test asserts nothing: set -e skips it).
no_line() {
	if grep -q -- "$1" <<<"$output"; then
		printf 'no line should match %s, output:\n%s\n' "$1" "$output"
		return 1
	fi
}

# Runs under gdb the way a user debugging it would; leaves gdb's output
# (with the program's) in $output.
under_gdb() {
	native_only "gdb runs natively"
	run gdb -nx -batch -ex run --args "$@"
}

# A directory every user may enter, for running things as nobody (bats'
# own temporary directories are private). Removed by the caller.
shared_tmp() {
	local d
	d=$(mktemp -d /tmp/elfload-test.XXXXXX)
	chmod 755 "$d"
	echo "$d"
}

# share_files FILE... : a shared_tmp() in $SHARED (exported) holding a copy
# of elfload and of each FILE (directories whole), readable by everyone.
share_files() {
	SHARED=$(shared_tmp)
	export SHARED
	cp "$(realpath "$(dirname "$FIX")/elfload")" "$SHARED/elfload"
	cp -r "$@" "$SHARED/"
	chmod -R a+rX "$SHARED"
}

# The words that run a command as an unprivileged user: nobody when we
# are root, else ourselves.
NOBODY=()
[ "$EUID" -ne 0 ] || NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
unprivileged() { "${NOBODY[@]}" "$@"; }

# Asserts that the last command either reached the program (SIGTRAP of
# --stop-at-entry, status 133) or was refused: status 125, 126 or 127 and
# one line "elfload: ...". Anything else, a signal or a hang, fails.
reached_or_refused() {
	case $status in
	133) return 0 ;;
	125|126|127)
		[[ "$output" == "elfload: "* && "$output" != *$'\n'* ]] && return 0 ;;
	esac
	printf 'status %s, output:\n%s\n' "$status" "$output"
	return 1
}

# The kernel's default window (stage1/host.c), in hex: where a run
# without ASLR has the top of its stack, or of its vDSO where that sits
# above the stack (s390x), as a direct run of the probe shows. Under
# qemu-user, which has no window of its own, elfload takes the emulator's
# whole space, which is the host kernel's: the top of the stack a direct
# run of one of this machine's own programs gets without ASLR.
window() {
	if [ -n "$RUN" ]; then
		setarch "$(uname -m)" -R cat /proc/self/maps |
			awk '$6 == "[stack]" { sub(/.*-/, "", $1); print "0x" $1 }'
	else
		probe window
	fi
}

# The end of the stack of a direct run without ASLR (hex, no 0x): the top
# the kernel gives a program. Natively only: qemu-user's maps name no
# [stack].
stack_top() {
	SHOW_MAPS=1 direct_noaslr "$F/plain" | awk '$6 == "[stack]" { sub(/.*-/, "", $1); print $1 }'
}

# Where elfload's default layout puts what it places, in the kernel's
# window (stage1/area.c): area stack|vdso|brk|pie|mmap, in hex without 0x.
# The window comes from a direct run (above), not from elfload.
area() {
	local top b=0
	top=$(($(window)))
	[ "$top" -gt 0 ] || return 1
	while (( (1 << b) < top )); do b=$((b + 1)); done
	case $1 in
	stack) printf %x $((1 << (b - 2))) ;;
	vdso) printf %x $(((1 << (b - 2)) + (16 << 20))) ;;
	brk) printf %x $((3 << (b - 4))) ;;
	pie) printf %x $((1 << (b - 3))) ;;
	mmap) printf %x $((top / 6 & -PAGE)) ;;
	esac
}

# setup_file() of the files about the host's installed tree: make install
# ARCH=all, once for the file, into $PREFIX_DIR (exported); nothing in
# the other builds, which skip those files.
install_for_file() {
	[ -z "$RUN" ] && [ -z "$GUEST" ] || return 0
	export PREFIX_DIR=$BATS_FILE_TMPDIR/prefix
	make -C "$(realpath "$BATS_TEST_DIRNAME/..")" install ARCH=all PREFIX="$PREFIX_DIR" >/dev/null
}
