# Sourced by kernel.sh, rootfs.sh and qemu.sh: apt-get on a private state
# directory in the cache, so that this machine's own package lists and
# architectures are left alone.

# debian_uri: the Debian archive this machine is set up with
debian_uri() {
	local uri
	uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list)
	echo "$uri"
}

# private_apt DIR [DEBARCH]: sets apt_opts for apt-get and apt-cache to
# keep their state in DIR, read the sources in DIR/sources/ (emptied: the
# caller writes them) and, given DEBARCH, take that architecture's packages
private_apt() {
	rm -rf "$1/sources"
	mkdir -p "$1/lists/partial" "$1/archives/partial" "$1/sources"
	apt_opts=(-o Dir::Etc::SourceList=/nonexistent -o "Dir::Etc::SourceParts=$1/sources"
		-o "Dir::State::Lists=$1/lists" -o "Dir::Cache=$1" -o Dir::State::status=/dev/null
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
	[ -z "${2:-}" ] || apt_opts+=(-o "APT::Architecture=$2" -o "APT::Architectures=$2")
}

# apt_update_daily DIR: one look at the archive a day at most (what the
# cache holds serves until then); fails if that look fails
apt_update_daily() {
	[ -n "$(find "$1/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ] ||
		apt-get "${apt_opts[@]}" update
}
