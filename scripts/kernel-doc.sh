#!/usr/bin/env bash
# The kernel-doc of every .c and .h the series touches (tools/ aside), as the
# 0-day bot checks it: scripts/kernel-doc -none -Wall on the file in the
# applied tree and on the base's version of it. A warning or error the base
# does not have (compared without line numbers) fails the check.
#
# usage: kernel-doc.sh [TREE]   (default build/linux, a tree made by apply.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${1:-$LINUX}
[ -d "$tree/.git" ] || die "kernel-doc: $tree is not an applied tree: run 'make apply' first"
git -C "$tree" rev-parse -q --verify anon-rmap-base >/dev/null ||
	die "kernel-doc: $tree has no anon-rmap-base tag"
base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT

# warnings DIR FILE: FILE's kernel-doc messages, run from DIR, without line
# numbers, sorted.
warnings() {
	(cd "$1" && python3 "$tree/scripts/kernel-doc" -none -Wall "$2" 2>&1) |
		sed -E 's/^([A-Za-z]+: [^ :]+):[0-9]+/\1/' | sort
}

mapfile -t files < <(git -C "$tree" diff --name-only anon-rmap-base HEAD -- '*.c' '*.h' | grep -v '^tools/')
[ ${#files[@]} -gt 0 ] || die "kernel-doc: the series touches no .c or .h file?"
new=0
for f in "${files[@]}"; do
	[ -f "$tree/$f" ] || continue
	if git -C "$tree" cat-file -e "anon-rmap-base:$f" 2>/dev/null; then
		mkdir -p "$base/$(dirname "$f")"
		git -C "$tree" show "anon-rmap-base:$f" >"$base/$f"
		old=$(warnings "$base" "$f")
	else
		old=
	fi
	added=$(comm -13 <(printf '%s\n' "$old" | sed '/^$/d') <(warnings "$tree" "$f"))
	if [ -n "$added" ]; then
		printf '%s\n' "$added" | sed "s|^|kernel-doc: new in $f: |"
		new=$((new + $(printf '%s\n' "$added" | wc -l)))
	fi
done
if [ "$new" = 0 ]; then
	echo "kernel-doc: ${#files[@]} files the series touches, no new warning"
else
	echo "kernel-doc: ${#files[@]} files, $new new warnings or errors (above)"
	exit 1
fi
