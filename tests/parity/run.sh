#!/bin/bash
# run.sh ELFLOAD PARITY FILE...: runs `parity ELFLOAD FILE` on each FILE
# (see parity.c) and prints its lines, then one summary line
# "parity: N files: A agree, D differ" (", F failed" when parity itself
# failed or timed out on some). Exit status 1 if any differ or failed.
#
# Each FILE is copied, mode 755, into a directory of its own under a fresh
# scratch directory (mode 755) and run there as ./NAME, with a fixed
# environment, so that the output is the same from run to run; as root,
# parity runs as nobody (ELFLOAD is copied there too, for nobody to run;
# alone there, it refuses another architecture's program as the kernel
# does, where beside its installed siblings it would hand it to qemu-user).
# Each parity run gets at most 60 seconds.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: run.sh ELFLOAD PARITY FILE..." >&2
	exit 2
fi
elfload=$1 parity=$2
shift 2

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
chmod 755 "$scratch"
cp "$elfload" "$scratch/elfload"
cp "$parity" "$scratch/parity"
chmod 755 "$scratch/elfload" "$scratch/parity"

# util-linux's setpriv: a busybox one earlier in PATH takes no IDs
setpriv=setpriv
for p in /usr/bin/setpriv /bin/setpriv; do [ ! -x "$p" ] || { setpriv=$p; break; }; done
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	as_user=("$setpriv" --reuid=nobody --regid=nogroup --clear-groups --)
fi

n=0 agree=0 differ=0 failed=0
for f in "$@"; do
	n=$((n + 1))
	name=$(basename "$f")
	dir=$scratch/$n
	mkdir -m 755 "$dir"
	if ! cp "$f" "$dir/$name" || ! chmod 755 "$dir/$name"; then
		failed=$((failed + 1))
		echo "$f: cannot copy it"
		rm -rf "$dir"
		continue
	fi
	rc=0
	(cd "$dir" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C \
		timeout -k 5 60 "${as_user[@]}" "$scratch/parity" "$scratch/elfload" "./$name") || rc=$?
	case $rc in
	0) agree=$((agree + 1)) ;;
	1) differ=$((differ + 1)) ;;
	124 | 137) failed=$((failed + 1)); echo "./$name: parity timed out" ;;
	*) failed=$((failed + 1)); echo "./$name: parity failed (status $rc)" ;;
	esac
	rm -rf "$dir"
done

summary="parity: $n file$([ "$n" -eq 1 ] || echo s): $agree agree, $differ differ"
[ "$failed" -eq 0 ] || summary="$summary, $failed failed"
echo "$summary"
[ "$differ" -eq 0 ] && [ "$failed" -eq 0 ]
