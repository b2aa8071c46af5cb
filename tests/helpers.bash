# Shared by all test files. ELFLOAD and FIX come from `make check`;
# running bats by hand works from the top of the tree after `make fixtures`.
: "${ELFLOAD:=$BATS_TEST_DIRNAME/../build/$(uname -m)/elfload}"
: "${FIX:=$BATS_TEST_DIRNAME/../build/$(uname -m)/fixtures}"
E=$(realpath "$ELFLOAD")
F=$(realpath "$FIX")

# The lines of /proc/self/maps that belong to file $1, from output $2.
own_maps() {
	printf '%s\n' "$2" | grep -F " $1" | awk '{ print $1, $2, $3 }'
}

# Asserts that the last command printed exactly $1 and exited with $2.
expect() {
	if [ "$output" != "$1" ] || [ "$status" -ne "$2" ]; then
		printf 'expected status %s, output:\n%s\n' "$2" "$1"
		printf 'got status %s, output:\n%s\n' "$status" "$output"
		return 1
	fi
}

no_aslr() { setarch "$(uname -m)" -R "$@"; }

# Runs under gdb the way a user debugging it would; leaves gdb's output
# (with the program's) in $output.
under_gdb() {
	run gdb -nx -batch -ex run --args "$@"
}
