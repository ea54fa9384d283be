# shellcheck shell=bash
# Common paths and helpers for the scripts in this directory. Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PATCHES=${PATCHES:-$TOP/patches}
LINUX=${LINUX:-$BUILD/linux}		# the git tree with the stack applied
BASE_DIR=${BASE_DIR:-$BUILD/base}	# pristine, verified base trees
DL_DIR=${DL_DIR:-$BUILD/dl}		# downloaded .debs
BASE_CONF=${BASE_CONF:-$TOP/scripts/base.conf}

# Fixed identity so that `git am` gives the same commit ids on every machine.
export GIT_COMMITTER_NAME="anon-rmap stack"
export GIT_COMMITTER_EMAIL="anon-rmap-stack@localhost"
export GIT_AUTHOR_NAME="anon-rmap stack"
export GIT_AUTHOR_EMAIL="anon-rmap-stack@localhost"

die() {
	echo "error: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# Print the patch file names listed in patches/series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | awk '{print $1}'
}

# "7.2" for a tree whose top Makefile says VERSION = 7 / PATCHLEVEL = 2.
tree_version() {
	local mk=$1/Makefile v p
	[ -f "$mk" ] || return 1
	v=$(sed -n 's/^VERSION = //p' "$mk" | head -n1)
	p=$(sed -n 's/^PATCHLEVEL = //p' "$mk" | head -n1)
	[ -n "$v" ] && [ -n "$p" ] || return 1
	echo "$v.$p"
}

# Runs "$@" as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}
