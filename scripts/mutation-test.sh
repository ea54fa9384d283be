#!/usr/bin/env bash
# Tests must fail when the code they test is broken. Apply known bugs, one at a
# time, to the fully patched scratch worktree, and require the tests to fail:
#   - tools/testing/vma for each mutation (about 40 s each);
#   - with KUNIT=1, also the KUnit suites for the mutations marked "kunit"
#     (built in build/linux, restored afterwards; a few minutes each).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# name | file | sed expression | also under KUnit?
mutations=(
	"vma_add_pgoff adds one page too many|mm/vma.h|s/^\tvma->vm_pgoff += delta;$/\tvma->vm_pgoff += delta + 1;/|kunit"
	"merge with prev ignores page offsets|mm/vma.c|s/if (vma_end_pgoff(vmg->prev) == vmg->pgoff)/if (vmg->prev)/|"
	"split does not move the upper half's offset|mm/vma.c|s/^\t\tvma_add_pgoff(new, PHYS_PFN(addr - vma->vm_start));$/\t\t;/|kunit"
)

read -r wt _ < <("$TOP/scripts/worktree.sh")
caught=0 missed=0

mutate() {	# tree file sed: apply, and check that it changed something
	local tree=$1 file=$2 expr=$3
	sed -i "$expr" "$tree/$file"
	! git -C "$tree" diff --quiet -- "$file" || die "mutation '$expr' no longer matches $file"
}

for m in "${mutations[@]}"; do
	IFS='|' read -r name file expr kunit <<<"$m"
	mutate "$wt" "$file" "$expr"
	touch "$wt/tools/testing/vma/main.c"
	if ASAN_OPTIONS=detect_leaks=0 "$TOP/scripts/harness.sh" "$wt" >"$BUILD/mutation.log" 2>&1; then
		echo "MISSED harness: $name"
		missed=$((missed + 1))
	else
		echo "caught harness: $name: $(grep -m1 'Assert FAILED\|FAILED' "$wt/tools/testing/vma/.run.err" || grep -m1 harness: "$BUILD/mutation.log")"
		caught=$((caught + 1))
	fi
	git -C "$wt" checkout -q -- "$file"

	if [ "${KUNIT:-0}" = 1 ] && [ "$kunit" = kunit ]; then
		[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] ||
			die "build/linux has uncommitted changes: not mutating it"
		trap 'git -C "$LINUX" checkout -q -- "$file"' EXIT
		mutate "$LINUX" "$file" "$expr"
		if "$TOP/scripts/kunit.sh" >"$BUILD/mutation-kunit.log" 2>&1; then
			echo "MISSED kunit: $name"
			missed=$((missed + 1))
		else
			echo "caught kunit: $name: $(grep -E '^[0-9]+ passed' "$BUILD/mutation-kunit.log" || tail -n1 "$BUILD/mutation-kunit.log")"
			caught=$((caught + 1))
		fi
		git -C "$LINUX" checkout -q -- "$file"
		trap - EXIT
	fi
done
# Leave the worktree's harness built from unmutated sources.
touch "$wt/tools/testing/vma/main.c"

echo "mutation: $caught caught, $missed missed"
[ "$missed" = 0 ]
