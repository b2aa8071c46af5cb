#!/usr/bin/env bats
# Programs nobody here wrote, each compared with a direct run. They are
# this machine's programs: run natively and under qemu-user for this
# machine's architecture only.
load helpers

setup() { host_arch_only; }

same_as_direct() {
	local direct dstatus
	direct=$(direct "$@" 2>&1) && dstatus=0 || dstatus=$?
	run "$E" "$@"
	expect "$direct" "$dstatus"
}

@test "/bin/true and /bin/false" {
	same_as_direct /bin/true
	same_as_direct /bin/false
}

@test "/bin/ls -l of a directory nothing else touches" {
	# files of fixed sizes and times, made for this test: the listing
	# cannot change between the two runs
	local d=$BATS_TEST_TMPDIR/listing
	mkdir -p "$d/sub"
	printf 'abc' > "$d/three"
	head -c 5000 /dev/zero > "$d/five-thousand"
	ln -s three "$d/link"
	touch -h -d @86400 "$d/three" "$d/five-thousand" "$d/link" "$d/sub"
	same_as_direct /bin/ls -l --time-style=+%F "$d"
	[[ "$output" == *" 5000 1970-01-02 five-thousand"* ]]
}

@test "/bin/sh -c 'echo abc | tr a-c x-z'" {
	same_as_direct /bin/sh -c 'echo abc | tr a-c x-z'
	[ "$output" = "xyz" ]
}

@test "the system's own #! scripts, found on PATH: zcat, which" {
	native_only "qemu-user runs no script directly"
	printf 'compressed\n' | gzip > "$BATS_TEST_TMPDIR/t.gz"
	same_as_direct zcat "$BATS_TEST_TMPDIR/t.gz"
	same_as_direct which ls
}

@test "busybox applets" {
	local bb
	bb=$(command -v busybox)
	same_as_direct "$bb" echo hello
	same_as_direct "$bb" sh -c 'i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo $i'
	same_as_direct "$bb" wc -c /etc/os-release
	same_as_direct "$bb" sha256sum /etc/os-release
	same_as_direct "$bb" ls /
}

@test "python3 runs json, math and threading tests of its own test suite" {
	native_only "minutes under emulation"
	[ -x /usr/bin/python3 ] || skip "no python3 on this system"
	run "$E" /usr/bin/python3 -m unittest test.test_json test.test_math test.test_threading
	[ "$status" -eq 0 ]
	[[ "$output" == *"Ran "*" tests in "* ]]
	[[ "${lines[-1]}" == "OK"* ]]
}
