#!/usr/bin/env bash
# Make build/linux a git repository of the base with one commit per patch of
# patches/series (git am). Running it again with nothing changed does nothing.
#
# It refuses to throw away work in build/linux that `make export` has not yet
# written back to patches/ (FORCE=1 overrides).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$("$TOP/scripts/fetch.sh")
# One word naming the base: "7.2.13-1@<tarball sha256>", or "src:<path>".
if [ -f "$base/.anon-rmap-base" ]; then
	base_id=$(tr ' ' '@' <"$base/.anon-rmap-base")
else
	base_id="src:$base"
fi
stamp=$LINUX/.git/anon-rmap-stamp

want_id="$base_id $(series_id)"

# A repository left half-made or half-deleted by an interrupted run: redo it.
if [ -d "$LINUX/.git" ] && ! git -C "$LINUX" rev-parse -q --verify anon-rmap-base >/dev/null; then
	log "apply: $LINUX is not a complete repository, recreating it"
	rm -rf "$LINUX"
fi

if [ -d "$LINUX/.git" ]; then
	cd "$LINUX"
	if [ -f "$stamp" ]; then
		read -r rec_base rec_series rec_head <"$stamp"
	else
		rec_base="" rec_series="" rec_head=""
	fi
	dirty=$(git status --porcelain --untracked-files=no | sed -n 1p)
	head=$(git rev-parse HEAD)
	if [ -z "$dirty" ] && [ "$want_id $head" = "$rec_base $rec_series $rec_head" ]; then
		log "apply: $(git rev-list --count anon-rmap-base..HEAD) patches already applied in $LINUX, nothing to do"
		exit 0
	fi
	if [ "${FORCE:-0}" != 1 ] && { [ -n "$dirty" ] || { [ -n "$rec_head" ] && [ "$head" != "$rec_head" ]; }; }; then
		die "build/linux has changes that are not in patches/ (uncommitted edits or new commits): run 'make export' first, or FORCE=1 to discard them"
	fi
	if [ "$rec_base" != "$base_id" ]; then
		log "apply: $LINUX was made from another base (${rec_base:-unknown}), recreating it from $base_id"
		cd "$TOP"
		rm -rf "$LINUX"
	fi
fi

if [ ! -d "$LINUX/.git" ]; then
	log "apply: creating a git repository of the base in $LINUX (about 1-2 min)"
	rm -rf "$LINUX.tmp"
	mkdir -p "$LINUX.tmp"
	rsync -a --exclude=/.git --exclude=/.anon-rmap-base "$base/" "$LINUX.tmp/"
	(
		cd "$LINUX.tmp"
		git init -q -b base
		git config gc.auto 0
		git config core.abbrev 12
		git add -A -f
		GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
			git commit -q -m "Base: Linux $(make -s kernelversion 2>/dev/null || tree_version .) (${base_id%%@*})"
		git tag anon-rmap-base
	)
	mv "$LINUX.tmp" "$LINUX"
fi

cd "$LINUX"
git checkout -q -B stack anon-rmap-base
git reset -q --hard anon-rmap-base
if ! am_series; then
	git reset -q --hard anon-rmap-base
	rm -f "$stamp"
	exit 1
fi
n=$(git rev-list --count anon-rmap-base..HEAD)

echo "$want_id $(git rev-parse HEAD)" >"$stamp"
log "apply: $n patches applied on ${base_id%%@*} in $LINUX"
git --no-pager log --oneline anon-rmap-base..HEAD | tac | sed 's/^/    /' >&2
