#!/bin/bash
# tests/guest/run.sh [NAME...]: boots each kernel of tests/guest/guests
# (all of them by default) under qemu-system and runs the bats suite
# inside, natively, against build/guest-NAME. Prints every guest's test
# lines, then one summary line per guest and "N passed, M failed".
#
# For each guest, once per kernel (cached in ELFLOAD_CACHE, default
# /var/cache/elfload): the kernel (kernel.sh), the root (rootfs.sh), the
# emulator where it is not the system's (qemu.sh), and a first boot that
# asks the kernel where a run without ASLR puts the stack and the vDSO:
# the fixtures pin pages there. Then the build, made
# here with the cross compiler, and the boot that runs the suite. Two
# guests boot at a time (each emulated on one core).
#
# The guests run the bats files about loading and layout (GUEST_TESTS
# below; each file is minutes under emulation): static and dynamic
# programs, PIEs, scripts, the layout, --map and its verdict, Microprobe's
# ELFs, the process a program gets, what the kernel gives compared with
# what elfload gives (parity), a program on a pipe against the kernel's
# fexecve (stream). TESTS="FILE..." runs those instead,
# TESTS=all every file; SCRIPT=FILE runs a script instead (below).
#
# A guest passes only if it printed its end line with status 0: qemu's
# own exit status says nothing (it exits 0 after a kernel panic).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${ELFLOAD_CACHE:-/var/cache/elfload}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-1800}   # seconds a suite may take in a guest
cd "$top" || exit 2
GUEST_TESTS="static dynamic script layout map microprobe process parity stream"
TESTS=${TESTS-$GUEST_TESTS}
[ "$TESTS" != all ] || TESTS=

guests() { awk '/^[a-z]/ { print }' "$here/guests"; }
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(guests | awk '{ print $1 }')

# qemu for ARCH: the machine, and the console the kernel writes to (the
# program is qemu.sh's, in build/guest-NAME/qemu)
qemu_for() {
	case $1 in
	# pointer authentication with QEMU's own cipher, not QARMA: the same
	# instructions, emulated many times faster
	aarch64) echo "-M virt -cpu max,pauth-impdef=on ttyAMA0" ;;
	ppc64le) echo "-M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off -cpu power9 hvc0" ;;
	s390x) echo "-M s390-ccw-virtio -cpu max ttysclp0" ;;
	riscv64) echo "-M virt -bios default ttyS0" ;;
	x86_64) echo "-M q35 -cpu max,+la57 ttyS0" ;;
	esac
}

# boot NAME MODE LOG: boots the guest with its root and the project
boot() {
	local name=$1 mode=$2 log=$3 arch kernel cmdline q console initrd
	read -r _ arch kernel cmdline < <(guests | awk -v n="$name" '$1 == n')
	[ "$cmdline" != - ] || cmdline=
	q=($(cat "build/guest-$name/qemu") $(qemu_for "$arch"))
	console=${q[-1]}
	unset 'q[-1]'
	initrd=$(mktemp)
	# the root, then the project: the kernel unpacks both, in order
	{ cat "$(cat "build/guest-$name/rootfs")"
	  tmp=$(mktemp -d)
	  mkdir -p "$tmp/elfload/build"
	  chmod 755 "$tmp"   # it becomes / again
	  install -m 755 "$here/init" "$tmp/init"
	  cp -r tests Makefile "$tmp/elfload/"
	  [ -z "${SCRIPT:-}" ] || cp "$SCRIPT" "$tmp/elfload/script"
	  cp -r "build/guest-$name" "$tmp/elfload/build/"
	  rm -rf "$tmp/elfload/build/guest-$name"/{obj1,obj2,*.log}
	  (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1)
	  rm -rf "$tmp"; } > "$initrd"
	timeout "$BOOT_TIMEOUT" "${q[@]}" -smp 1 -m 2G -nographic -nic none -no-reboot \
		-kernel "$(cat "build/guest-$name/kernel")" -initrd "$initrd" \
		-append "console=$console panic=-1 quiet mitigations=off $cmdline elfload.mode=$mode elfload.build=guest-$name${TESTS:+ elfload.tests=${TESTS// /,}}" \
		</dev/null >"$log" 2>&1
	rm -f "$initrd"
	tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
	grep -q '^guest: end 0$' "$log"
}

# prepare NAME: kernel, root, the kernel's no-ASLR addresses, the build
prepare() {
	local name=$1 arch kernel cmdline b=build/guest-$1 key probed
	read -r _ arch kernel cmdline < <(guests | awk -v n="$name" '$1 == n')
	[ -n "$arch" ] || { echo "guest: no guest $name in tests/guest/guests" >&2; return 1; }
	mkdir -p "$b"
	"$here/kernel.sh" "$kernel" > "$b/kernel" && "$here/rootfs.sh" "$arch" > "$b/rootfs" &&
		"$here/qemu.sh" "$arch" > "$b/qemu" || return 1
	make --no-print-directory ARCH="$arch" GUEST="$name" all "$b/fixtures/probe" \
		"$b/fixtures/plain" >/dev/null || return 1
	# the answers depend on the kernel, the emulated machine and what the
	# probe asks, not on where the probe was built
	key=$(cat "$(cat "$b/kernel")" tests/fixtures/probe.c "$here/init" <(echo "$arch $cmdline") \
		<($(cut -d' ' -f1 "$b/qemu") --version | head -n 1) |
		sha256sum | cut -c1-16)
	probed=$cache/probed/$name-$key
	if [ ! -s "$probed" ]; then
		echo "guest: $name: first boot, for the kernel's no-ASLR addresses" >&2
		if ! boot "$name" probe "$b/probe.log"; then
			echo "guest: $name: the probe boot failed:" >&2
			tail -n 40 "$b/probe.log" >&2
			return 1
		fi
		mkdir -p "$cache/probed"
		sed -n 's/^guest: probe //p' "$b/probe.log" > "$probed"
	fi
	cmp -s "$probed" "$b/probed" 2>/dev/null || cp "$probed" "$b/probed"
	make --no-print-directory ARCH="$arch" GUEST="$name" fixtures >/dev/null
}

failed=0 ready=()
for n in "${names[@]}"; do
	echo "guest: preparing $n" >&2
	rm -f "build/guest-$n/suite.log"
	if prepare "$n"; then ready+=("$n"); else failed=1; echo "guest: $n: not ready" >&2; fi
done

# SCRIPT=FILE: runs FILE in each guest instead of the suite, and shows
# what it printed (for looking into a kernel by hand)
if [ -n "${SCRIPT:-}" ]; then
	for n in "${ready[@]}"; do
		boot "$n" script "build/guest-$n/script.log"
		sed -n 's/^guest: //p' "build/guest-$n/script.log"
	done
	exit 0
fi

# two at a time; each writes build/guest-NAME/suite.log
export -f boot guests qemu_for
export here BOOT_TIMEOUT TESTS
start=$SECONDS
printf '%s\n' "${ready[@]}" | xargs -P 2 -I{} bash -c 'boot {} suite build/guest-{}/suite.log; echo "guest: {} finished" >&2'

summary=() passed=0 fails=0
for n in "${names[@]}"; do
	log=build/guest-$n/suite.log
	if [ ! -s "$log" ]; then
		echo "# ---- guest-$n"
		summary+=("guest-$n: not run"); failed=1; continue
	fi
	sed -n 's/^guest: //p' "$log" | grep -v '^end '
	if ! grep -q '^guest: end ' "$log"; then
		echo "# the guest did not finish; its last lines:"
		tail -n 30 "$log" | sed 's/^/# /'
		failed=1
	fi
	grep -q '^guest: end 0$' "$log" || failed=1
	line=$(sed -n "s/^guest: \(guest-$n: .*\)/\1/p" "$log")
	summary+=("${line:-guest-$n: no result}")
	p=$(sed -n 's/^guest: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log")
	f=$(sed -n 's/^guest: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log")
	passed=$((passed + ${p:-0})) fails=$((fails + ${f:-0}))
done
printf '%s\n' "${summary[@]}"
echo "guests: $((SECONDS - start)) s"
echo "$passed passed, $fails failed"
[ "$failed" -eq 0 ] && [ "$fails" -eq 0 ] && [ "$passed" -gt 0 ]
