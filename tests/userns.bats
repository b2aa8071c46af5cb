#!/usr/bin/env bats
# /proc/self/exe for users without CAP_SYS_ADMIN, and --userns. Natively
# only: qemu-user answers readlink("/proc/self/exe") itself, with the file
# it was started on.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	share_files "$FIX/ids"
	# the program and its library apart from elfload: $ORIGIN must be theirs
	mkdir "$SHARED/prog"
	cp "$FIX/origin" "$FIX/liborigin.so" "$SHARED/prog/"
	chmod -R a+rX "$SHARED"
}

teardown_file() { rm -rf "$SHARED"; }

setup() {
	native_only "qemu-user answers /proc/self/exe itself"
	host_arch_only
}

E_USER() { unprivileged "$SHARED/elfload" "$@"; }

userns_allowed() {
	unprivileged unshare -U true 2>/dev/null || skip "user namespaces are not allowed to users here"
}

@test "as a user, /proc/self/exe names elfload: \$ORIGIN fails, and -v says why" {
	run -127 E_USER "$SHARED/prog/origin"
	[ "$status" -eq 127 ]
	[[ "$output" == *"liborigin.so: cannot open shared object file"* ]]
	run -127 E_USER -v "$SHARED/prog/origin"
	grep -qx "elfload: $SHARED/prog/origin: note: /proc/self/exe will name elfload, not the program (\$ORIGIN, programs that find or re-run themselves through it); --userns makes it the program" <<<"$output"
}

@test "--userns: /proc/self/exe names the program, \$ORIGIN works, the user's IDs, no capability" {
	userns_allowed
	run E_USER --userns "$SHARED/prog/origin"
	[ "$status" -eq 0 ]
	[ "$output" = "found liborigin.so
exe $SHARED/prog/origin
uid $(unprivileged id -u)
CapEff:	0000000000000000
CapBnd:	0000000000000000" ]
	# -v has nothing to say about it then
	run E_USER --userns -v "$SHARED/prog/origin"
	! grep -q "note:" <<<"$output"
}

@test "--userns as root: IDs kept, every capability dropped" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	run "$E" --userns "$SHARED/prog/origin"
	[ "$status" -eq 0 ]
	[ "$output" = "found liborigin.so
exe $SHARED/prog/origin
uid 0
CapEff:	0000000000000000
CapBnd:	0000000000000000" ]
}

@test "--userns side effects: files of other users show as nobody; set-user-ID children gain nothing" {
	userns_allowed
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a set-user-ID root program"
	cp "$SHARED/ids" "$SHARED/ids-root"
	chmod u+s "$SHARED/ids-root"
	# directly, the set-user-ID bit makes the child root
	run E_USER /bin/sh -c "$SHARED/ids-root"
	[[ "$output" == "uid 65534 0 0 "* ]]
	# in the user namespace, root is not mapped: it runs as the user
	run E_USER --userns /bin/sh -c "$SHARED/ids-root"
	[[ "$output" == "uid 65534 65534 65534 "* ]]
	# root's files: owned by the overflow user (nobody) there
	run E_USER --userns /usr/bin/stat -c %u /etc/passwd
	[ "$output" = 65534 ]
	run E_USER /usr/bin/stat -c %u /etc/passwd
	[ "$output" = 0 ]
}

@test "--userns with a set-user-ID program is refused, --map too" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a program of another user"
	cp "$SHARED/ids" "$SHARED/ids-nobody"
	chown nobody:nogroup "$SHARED/ids-nobody"
	chmod u+s "$SHARED/ids-nobody"
	local want="elfload: $SHARED/ids-nobody: --userns: a set-user-ID or set-group-ID program cannot have its IDs in a user namespace; run it without --userns"
	run "$E" --userns "$SHARED/ids-nobody"
	expect "$want" 126
	run "$E" --userns --map "$SHARED/ids-nobody"
	expect "$want" 126
	run "$E" "$SHARED/ids-nobody"
	expect "uid 0 65534 65534 gid 0 0 0 secure 1
auxv uid 0 euid 65534 gid 0 egid 0" 0
}

@test "--userns where no user namespace may be made: one line, 126" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to chroot"
	# the kernel refuses a user namespace to a process in a chroot
	local root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root"
	cp "$SHARED/elfload" "$F/plain" "$root/"
	run -126 chroot "$root" /elfload --userns /plain
	expect "elfload: /plain: --userns: cannot make a user namespace: Operation not permitted" 126
	# without it, the same program runs there
	run chroot "$root" /elfload /plain
	[ "$status" -eq 0 ]
}
