# shellcheck shell=bash
# Common paths and helpers for the scripts in this directory. Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PATCHES=${PATCHES:-$TOP/patches}
LINUX=${LINUX:-$BUILD/linux}		# the git tree with the stack applied
KUNIT_OUT=${KUNIT_OUT:-$BUILD/kunit-x86_64}	# its x86_64 KUnit kernel (kunit.sh)
BASE_DIR=${BASE_DIR:-$BUILD/base}	# pristine, verified base trees
DL_DIR=${DL_DIR:-$BUILD/dl}		# downloaded .debs
BASE_CONF=${BASE_CONF:-$TOP/scripts/base.conf}

# The identity the patches carry (From: and Signed-off-by:), in one place.
# The commits keep the team identity; `make export` writes SIGNOFF instead.
# Posting needs a real person's sign-off (DCO): set ANON_RMAP_SIGNOFF to
# "Name <email>" and run `make export`.
TEAM_SIGNOFF="anon-rmap developers <anon-rmap@example.org>"
# shellcheck disable=SC2034	# used by export.sh, which sources this file
SIGNOFF=${ANON_RMAP_SIGNOFF:-$TEAM_SIGNOFF}

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

# Compile through ccache (the gcc symlinks in /usr/lib/ccache). The cache lives
# outside the checkout, so that `make distclean` keeps it, and paths are hashed
# relative to the checkout.
use_ccache() {
	export PATH="/usr/lib/ccache:$PATH"
	export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/anon-rmap-stack/ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}
	export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
	export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
	mkdir -p "$CCACHE_DIR"
}

# bench_setup NAME TOOL OUT: what a guest benchmark needs before it boots: the
# guest's Debian packages, build/linux, virtme-ng, and tools/TOOL built into
# OUT. NAME prefixes the error.
bench_setup() {
	"$TOP/scripts/guest-deps.sh"
	[ -d "$LINUX/.git" ] || "$TOP/scripts/apply.sh"
	"$TOP/scripts/vng-setup.sh" >/dev/null
	mkdir -p "$3"
	make -s -C "$TOP/tools/$2" O="$3" >/dev/null ||
		die "$1: building tools/$2 failed"
}

# struct_size STRUCT OBJ: the size in bytes of struct STRUCT in the debug
# info of OBJ, as pahole reports it; nothing if OBJ has no such struct.
struct_size() {
	pahole -C "$1" "$2" | sed -n 's|.*/\* size: \([0-9]*\),.*|\1|p'
}

# Print the patch files present in patches/ (not the cover letter), sorted.
patch_files() {
	local f
	for f in "$PATCHES"/*.patch; do
		f=${f##*/}
		[ "$f" = 0000-cover-letter.patch ] || echo "$f"
	done
}

# Print the patch file names listed in patches/series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | awk '{print $1}'
}

# One hash of everything that decides what applying the series gives.
series_id() {
	(cd "$PATCHES" && cat series && series_patches | xargs -r cat) | sha256sum | awk '{print $1}'
}

# The hunk of patch $1 that touches $2 at base line $3, as its @@ line.
hunk_at() {
	awk -v f="$2" -v l="$3" '
		/^\+\+\+ / { cur = substr($2, 3) }
		/^@@ / && cur == f {
			split($2, a, ","); s = -a[1]; n = (a[2] == "" ? 1 : a[2])
			if (l >= s && l <= s + n) { print; exit }
		}' "$1"
}

# In the current git tree, `git am` every patch of patches/series, one commit
# each (the cover letter has no diff and is skipped). On a patch that does not
# apply: abort the am, print one error line naming the patch and the hunk, and
# return 1, leaving the tree where the caller can reset it.
am_series() {
	local p f out at hunk
	git am --abort >/dev/null 2>&1 || true
	while read -r p; do
		f=$PATCHES/$p
		[ -f "$f" ] || { echo "error: patches/series names $p, which does not exist" >&2; return 1; }
		grep -q '^diff --git ' "$f" || continue
		if ! out=$(git am -q --committer-date-is-author-date "$f" 2>&1); then
			git am --abort >/dev/null 2>&1 || true
			at=$(printf '%s\n' "$out" | sed -n 's/^error: patch failed: //p' | head -n1)
			if [ -n "$at" ]; then
				hunk=$(hunk_at "$f" "${at%:*}" "${at##*:}")
				echo "error: $p does not apply: hunk ${hunk:-?} at $at" >&2
			else
				echo "error: $p does not apply: $(printf '%s\n' "$out" | grep -m1 -i 'error\|fatal' || printf '%s\n' "$out" | head -n1)" >&2
			fi
			return 1
		fi
	done < <(series_patches)
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
