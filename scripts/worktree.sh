#!/usr/bin/env bash
# Print the path of a scratch worktree of build/linux, at the base, with every
# patch of patches/series applied by `git am` as its own commit. Used by the
# checks, so that they test patches/ as it is and never touch build/linux.
# Prints "<path> <commit>..." (the commit of each patch, in order) on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
wt=${WORKTREE:-$BUILD/check-tree}

# A worktree left over from an earlier build/linux is useless: start again.
if [ -e "$wt" ] && ! grep -qxF "worktree $wt" <<<"$(git -C "$LINUX" worktree list --porcelain)"; then
	rm -rf "$wt"
fi
if [ ! -e "$wt" ]; then
	log "worktree: creating $wt (about 30 s)"
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -q --detach "$wt" anon-rmap-base
fi
cd "$wt"
git am --abort >/dev/null 2>&1 || true
# -f: a scratch tree may hold an edit (INJECT, a killed mutation run).
git checkout -q -f --detach anon-rmap-base
git reset -q --hard anon-rmap-base
am_series || exit 1
echo "$wt $(git rev-list --reverse anon-rmap-base..HEAD | tr '\n' ' ')"
