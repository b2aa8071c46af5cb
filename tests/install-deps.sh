#!/bin/sh
# Installs, with apt-get, whatever `make check` needs and this machine lacks
# (Debian 12). Does nothing when everything is there.
set -eu
need=""
want() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
want bats bats
want gdb gdb
want musl-gcc musl-tools
want setarch util-linux
want unshare util-linux
want busybox busybox-static
[ -f /usr/lib/python3.11/test/test_json/__init__.py ] || need="$need libpython3.11-testsuite"
want python3 python3
[ -n "$need" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "make check needs:$need (run as root, or install them)" >&2
	exit 1
fi
echo "installing:$need"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
