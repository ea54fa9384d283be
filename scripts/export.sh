#!/usr/bin/env bash
# Rewrite patches/*.patch and patches/series from the commits in build/linux
# (anon-rmap-base..HEAD). The options are fixed so that a commit that did not
# change exports to a byte-identical file.
#
# The cover letter keeps its subject and text; its shortlog and diffstat are
# regenerated.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
cd "$LINUX"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes: commit them (e.g. git commit --fixup) first"
total=$(git rev-list --count anon-rmap-base..HEAD)
[ "$total" -gt 0 ] || die "build/linux has no commits on top of the base"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git format-patch -q --zero-commit --no-signature --abbrev=12 --numbered \
	--subject-prefix=PATCH --filename-max-length=64 -o "$tmp" anon-rmap-base..HEAD

# Cover letter: the header and text we wrote, then the generated summary.
cover=$PATCHES/0000-cover-letter.patch
{
	if [ -f "$cover" ]; then
		sed -e "s|^Subject: \[PATCH [0-9]*/[0-9]*\]|Subject: [PATCH $(printf "%0${#total}d" 0)/$total]|" \
			-e '/^[^ ].* ([0-9]*):$/,$d' "$cover"
	else
		printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
		printf 'Subject: [PATCH %0*d/%d] *** SUBJECT ***\n\n*** TEXT ***\n\n' "${#total}" 0 "$total"
	fi
	git shortlog anon-rmap-base..HEAD
	git diff --stat=72 --summary anon-rmap-base..HEAD
	echo
	# The base, as format-patch --base would name it; there is no
	# upstream commit id to give, as the tree is Debian's source package.
	base=$(git log -1 --format=%s anon-rmap-base | sed -n 's/^Base: Linux \([0-9.]*\) (\(.*\))$/v\1 (Debian linux-source, version \2)/p')
	[ -n "$base" ] || die "export: the base commit's subject names no version"
	echo "base-commit: $base"
	echo
} >"$tmp/cover"

# The poster's identity, if one is set (see SIGNOFF in lib.sh).
if [ "$SIGNOFF" != "$TEAM_SIGNOFF" ]; then
	sed -i -e "s|^From: $TEAM_SIGNOFF\$|From: $SIGNOFF|" \
		-e "s|^Signed-off-by: $TEAM_SIGNOFF\$|Signed-off-by: $SIGNOFF|" "$tmp"/*.patch "$tmp/cover"
fi

find "$PATCHES" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
mv "$tmp/cover" "$cover"
mv "$tmp"/*.patch "$PATCHES/"
# quilt's series lists patches only: the cover letter has no diff to push.
patch_files >"$PATCHES/series"

# Record the exported state so that `make apply` knows nothing is lost.
cd "$TOP"
series_id >"$tmp/sid"
read -r b _ _ <"$LINUX/.git/anon-rmap-stamp" 2>/dev/null || b=unknown
echo "$b $(cat "$tmp/sid") $(git -C "$LINUX" rev-parse HEAD)" >"$LINUX/.git/anon-rmap-stamp"
log "export: $total patches written to patches/"
git -C "$TOP" status --short -- patches/ >&2 || true
