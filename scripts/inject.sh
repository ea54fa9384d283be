#!/usr/bin/env bash
# Inject one known bug of bugs/list into a kernel tree.
#
# usage: inject.sh TREE NAME   apply the bug named NAME (or the one bug whose
#                              name contains NAME) to TREE, and check that
#                              it changed its file
#        inject.sh --list      print the bugs as "name|file|sed|tests"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bugs() { grep -v -e '^#' -e '^[[:space:]]*$' "$TOP/bugs/list"; }

if [ "${1:-}" = --list ]; then
	bugs
	exit 0
fi
[ $# = 2 ] || die "usage: inject.sh TREE NAME | inject.sh --list"
tree=$1 want=$2
[ -d "$tree" ] || die "inject: no tree at $tree"

# awk reads bugs/list itself: piped from grep, its early exit would kill
# grep with SIGPIPE, and pipefail would fail the lookup now and then.
match=$(awk -F'|' -v w="$want" '!/^#/ && $1 == w { print; exit }' "$TOP/bugs/list")
if [ -z "$match" ]; then
	match=$(awk -F'|' -v w="$want" '!/^#/ && index($1, w)' "$TOP/bugs/list")
	[ -n "$match" ] || die "inject: no bug named like '$want' in bugs/list"
	[ "$(wc -l <<<"$match")" = 1 ] ||
		die "inject: '$want' names several bugs:$(cut -d'|' -f1 <<<"$match" | sed 's/^/\n  /')"
fi
IFS='|' read -r name file expr _ <<<"$match"
sed -i "$expr" "$tree/$file"
! git -C "$tree" diff --quiet -- "$file" || die "inject: '$name' no longer matches $file"
log "inject: $name ($file)"
