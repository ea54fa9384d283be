#!/usr/bin/env bash
# Series hygiene: patches/series and the patch files agree, every patch applies
# with `git am` and with `quilt push`, and checkpatch --strict finds no error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fail=0

# 1. series <-> files (the cover letter is not a patch: quilt could not push it)
listed=$(series_patches | sort)
present=$(patch_files | sort)
[ -f "$PATCHES/0000-cover-letter.patch" ] || { echo "series: patches/0000-cover-letter.patch is missing"; fail=1; }
if [ "$listed" != "$present" ]; then
	echo "series: patches/series and patches/*.patch differ:"
	diff <(echo "$listed") <(echo "$present") | sed -n 's/^</  only in series:/p; s/^>/  not in series:/p'
	fail=1
else
	echo "series: $(echo "$listed" | wc -l) patches, all listed, plus the cover letter"
fi

# 2. git am, one commit per patch
read -r wt commits < <("$TOP/scripts/worktree.sh")
n=$(wc -w <<<"$commits")
echo "git am: $n patches applied, one commit each"

# 3. quilt push, on a copy of just the files the series touches
q=$(mktemp -d)
trap 'rm -rf "$q"' EXIT
series_patches | while read -r p; do
	sed -n 's|^--- a/||p; s|^+++ b/||p' "$PATCHES/$p"
done | sort -u | while read -r f; do
	if git -C "$wt" cat-file -e "anon-rmap-base:$f" 2>/dev/null; then
		mkdir -p "$q/tree/$(dirname "$f")"
		git -C "$wt" show "anon-rmap-base:$f" >"$q/tree/$f"
	fi
done
mkdir -p "$q/tree"
if out=$(cd "$q/tree" && QUILT_PATCHES="$PATCHES" QUILT_PC=.pc quilt push -a -q 2>&1); then
	echo "quilt push: $(grep -c '^Applying patch' <<<"$out") patches applied"
	# Same result as git am?
	bad=$(cd "$q/tree" && find . -path ./.pc -prune -o -type f -print | sed 's|^\./||' |
		while read -r f; do
			cmp -s "$f" <(git -C "$wt" show "HEAD:$f" 2>/dev/null) || echo "$f"
		done)
	if [ -n "$bad" ]; then
		echo "quilt push: result differs from git am in: $bad"
		fail=1
	fi
else
	echo "quilt push: failed:"
	tail -n 5 <<<"$out" | sed 's/^/  /'
	fail=1
fi

# 4. checkpatch --strict: no errors (warnings and checks are listed). One
# checkpatch per core; the reports are printed in series order. /usr/bin
# first: spdxcheck.py needs Debian's python3-ply, not another python.
mkdir -p "$q/checkpatch"
series_patches | while read -r p; do
	if grep -q '^diff --git ' "$PATCHES/$p"; then echo "$p"; fi
done | xargs -r -P "$(nproc)" -I{} bash -c \
	'cd "$1" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --terse --no-summary "$2/$3" >"$4/$3" 2>&1 || true' \
	_ "$wt" "$PATCHES" {} "$q/checkpatch"
series_patches | while read -r p; do
	[ -f "$q/checkpatch/$p" ] || continue
	res=$(cat "$q/checkpatch/$p")
	e=$(grep -c 'ERROR:' <<<"$res" || true)
	w=$(grep -c 'WARNING:' <<<"$res" || true)
	c=$(grep -c 'CHECK:' <<<"$res" || true)
	printf 'checkpatch: %-66s %s errors, %s warnings, %s checks\n' "$p" "$e" "$w" "$c"
	grep -E 'ERROR:|WARNING:' <<<"$res" | sed 's/^/  /' || true
	[ "$e" = 0 ] || echo FAIL >>"$q/checkpatch-failed"
done
[ -f "$q/checkpatch-failed" ] && fail=1

exit $fail
