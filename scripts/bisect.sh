#!/usr/bin/env bash
# Run tools/testing/vma at every prefix of the series whose patch touches what
# the harness compiles (bisectability), in the scratch worktree. One build dir
# is reused, so only what a patch changed is rebuilt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What the harness compiles: mm/vma*.{c,h} and the headers and sources under
# tools/ and lib/ that its Makefile and shared.mk pull in.
harness_paths='^(mm/vma[a-z_]*\.[ch]|tools/testing/vma/|tools/testing/shared/|tools/include/|tools/lib/|lib/maple_tree\.c|lib/radix-tree\.c|lib/idr\.c|lib/xarray\.c|include/linux/maple_tree\.h|include/linux/xarray\.h)'

read -r wt commits < <("$TOP/scripts/worktree.sh")
i=0
fail=0
printf '%-4s %-62s %s\n' "#" "patch" "harness"
for c in $commits; do
	i=$((i + 1))
	subj=$(git -C "$wt" log -1 --format=%s "$c")
	if ! grep -qE "$harness_paths" <<<"$(git -C "$wt" diff --name-only "$c~1" "$c")"; then
		printf '%-4s %-62.62s %s\n' "$i" "$subj" "not touched"
		continue
	fi
	git -C "$wt" checkout -q --detach "$c"
	# main.o includes vma.c and the headers: rebuild it whatever changed.
	touch "$wt/tools/testing/vma/main.c"
	if res=$("$TOP/scripts/harness.sh" "$wt" 2>/dev/null); then
		printf '%-4s %-62.62s %s\n' "$i" "$subj" "ok: ${res#harness: }"
	else
		printf '%-4s %-62.62s %s\n' "$i" "$subj" "FAIL"
		sed 's/^/     /' <<<"$res"
		fail=1
	fi
done
exit $fail
