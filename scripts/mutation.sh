#!/usr/bin/env bash
# Tests must fail when the code they test is broken. Apply known bugs, one at a
# time, to the fully patched scratch worktree, and require the tests named for
# each to fail:
#   - "harness": tools/testing/vma (about 40 s each);
#   - "kunit": with KUNIT=1, the KUnit suites, built from the mutated worktree
#     in a build dir of its own (build/kunit-mutation: the first build is
#     cold, ~10 min; then a few minutes each). build/linux is never touched.
#     Without KUNIT=1 these are skipped.
#   - "selftest": with KUNIT=1, the stack's mm selftests (scripts/selftest.sh)
#     in that same mutated KUnit kernel, whose own suites must still pass.
# MATCH=text runs only the bugs whose name contains text (e.g. MATCH=KSM).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# name | file | sed expression (no '|': it splits the fields) | tests that must catch it
mutations=(
	"vma_add_pgoff adds one page too many|mm/vma.h|s/^\tvma->vm_pgoff += delta;$/\tvma->vm_pgoff += delta + 1;/|harness kunit"
	"merges ignore virtual page offsets|mm/vma.c|s/^\treturn is_cow_mapping(vmg->vm_flags);$/\treturn false;/|harness"
	"split does not move the upper half's offset|mm/vma.c|s/^\t\tvma_add_pgoff(new, PHYS_PFN(addr - vma->vm_start));$/\t\t;/|harness kunit"
	"copy_vma keeps the virtual offset of an unfaulted VMA|mm/vma.c|s/^\tif (!vma->anon_vma)$/\tif (0)/|harness kunit"
	"CoW'd folios indexed by file offset|mm/rmap.c|s/^\tfolio->index = linear_virt_page_index(vma, address);$/\tfolio->index = linear_page_index(vma, address);/|kunit"
	"KSM records the offset of the VMA's first page|mm/ksm.c|s/^\trmap_item->pgoff = linear_virt_page_index(vma,$/\trmap_item->pgoff = vma_start_virt_pgoff(vma) + 0 * (/|selftest"
	"KSM walk keys by the page's address|mm/ksm.c|/^void rmap_walk_ksm/,/^}/s/^\t\tconst pgoff_t pgoff = rmap_item->pgoff;$/\t\tconst pgoff_t pgoff = PHYS_PFN(addr);/|selftest"
	"anon_vma_tree_t loses its type|tools/testing/vma/include/dup.h|s/^\treturn (anon_vma_tree_t)((unsigned long)ptr . type);$/\treturn (anon_vma_tree_t)((unsigned long)ptr);/|harness"
	"a split does not clone the anon_vma|mm/vma.c|s/^\t\terr = anon_vma_clone(new, vma, VMA_OP_SPLIT);$/\t\terr = 0;/|harness"
	"anon_rmap iteration starts a page late|mm/internal.h|/^\titer->avc = anon_vma_interval_tree_iter_first(\&anon_vma->rb_root,$/{n;s/^\t\t\t\t\t\t      start, last);$/\t\t\t\t\t\t      start + 1, last + 1);/}|kunit"
	"unlink_anon_vmas() does not wait for lazy walkers|mm/rmap.c|s/refcount_read(\&vma->vm_memref) <= 1);$/refcount_read(\&vma->vm_memref) <= 99);/|kunit"
	"vma_get() revives a released VMA|include/linux/mm.h|s/^\tif (refcount_inc_not_zero_acquire(\&vma->vm_memref))$/\tif ((refcount_inc_not_zero_acquire(\&vma->vm_memref), 1))/|kunit"
	"a failed vma_get() writes the released count|include/linux/mm.h|/^static inline struct vm_area_struct \*vma_get/,/^}/s/^\t\treturn vma;$/\t\treturn vma;\n\trefcount_set(\&vma->vm_memref, 0x60000000);/|kunit"
	"a split's upgrade is counted as a merge's|mm/vma.c|s/^\t\terr = vma_upgrade_anon_vma_lazy(vma, SPLIT);$/\t\terr = vma_upgrade_anon_vma_lazy(vma, MERGE);/|harness"
	"a split through a large folio keeps a lazy VMA lazy|mm/vma.c|s/^\t\terr = vma_upgrade_anon_vma_lazy(vma, SPLIT);$/\t\terr = 0;/|harness"
	"a split upgrades every lazy VMA|mm/vma.c|s/^\tlazy = anon_vma_lazy_may_split(vma, addr, new_below);$/\tlazy = false;/|harness"
	"a lazy split renames a part of any size|mm/rmap.c|s/^\tif (split_off > ANON_VMA_LAZY_SPLIT_PAGES \&\&$/\tif (0 \&\&/|kunit"
	"the part split off a lazy VMA keeps its name|mm/vma.c|s/^\t\tvma_set_anon_vma_lazy(new);$/\t\t;/|harness"
	"a lazy split renames no folio|mm/rmap.c|s/^\tanon_vma_lazy_rename_range(vma, new->vm_start, new->vm_end, \&rename);$/\t;/|kunit"
	"a lazy split ignores a folio across it|mm/rmap.c|/^bool anon_vma_lazy_may_split/,/^}/s/^\t\t\t\t   \&crossing) == 0;$/\t\t\t\t   \&crossing) >= 0;/|kunit"
	"a merge that lowers a lazy VMA's start upgrades it|mm/vma.c|s/^\treturn vmg->anon_vma .. (vmg->middle \&\& vmg->middle->anon_vma);$/\treturn true;/|harness kunit"
	"copy_vma() copies a lazy VMA as it is|mm/vma.c|s/^\tif (vma_upgrade_anon_vma_lazy(vma, MOVE))$/\tif (0)/|harness"
	"an unfaulted VMA takes a lazy VMA's value|mm/vma.c|s/^\t\tret = vma_upgrade_anon_vma_lazy(src, MERGE);$/\t\tret = 0;/|harness"
	"a lazy VMA counts as a fork child|mm/vma.c|s/vma->anon_vma \&\& !vma_is_anon_vma_lazy(vma) \&\&$/vma->anon_vma \&\&/|harness"
	"a lazy stack grows down as it is|mm/vma.c|s/ .. vma_upgrade_anon_vma_lazy(vma, RESIZE))) {$/)) {/|harness"
	"an upgrade renames no folio|mm/rmap.c|s/^\tanon_vma_lazy_rename_range(vma, vma->vm_start, vma->vm_end, \&rename);$/\t;/|kunit"
	"the first fault never leaves a VMA lazy|mm/rmap.c|/^static bool anon_vma_prepare_unchained/,/^}/s/^\tanon_vma_lazy_prepare(vma);$/\treturn false;/|kunit"
	"an upgrade ignores a neighbour's anon_vma|mm/rmap.c|/^int anon_vma_lazy_upgrade/,/^}/s/^\tneighbour = find_mergeable_anon_vma(vma);$/\tneighbour = NULL;/|kunit"
	"an mm's VMAs share no home anon_vma|mm/rmap.c|s/^\treturn READ_ONCE(mm->anon_vma_home);$/\treturn NULL;/|kunit"
	"an upgrade joins a dead home anon_vma|mm/rmap.c|s/^\tif (anon_vma_links_no_vma(home)) {$/\tif (0) {/|kunit"
	"an upgrade takes a home of home-only VMAs for dead|mm/rmap.c|s/^\tif (anon_vma_links_no_vma(home)) {$/\tif (RB_EMPTY_ROOT(\&home->rb_root.rb_root)) {/|kunit"
	"an unlink kills a home that has home-only VMAs|mm/rmap.c|s/^\t\tif (anon_vma_links_no_vma(anon_vma)) {$/\t\tif (RB_EMPTY_ROOT(\&anon_vma->rb_root.rb_root)) {/|kunit"
	"munmap() takes a home-only VMA out of the maple tree unchained|mm/vma.c|s/^\t\terror = anon_vma_home_only_materialize(next);$/\t\terror = 0;/|harness kunit"
	"an mremap copy is home-only off its page numbers|mm/rmap.c|s/^\t\tvma_virt_pgoff_is_page_number(dst, dst->vm_start);$/\t\ttrue;/;s/operation != VMA_OP_MERGE_UNFAULTED)$/operation != VMA_OP_MERGE_UNFAULTED \&\& operation != VMA_OP_REMAP)/|kunit"
	"an upgrade trusts its guess of home-only|mm/rmap.c|/^int anon_vma_lazy_upgrade/,/^}/s/^\t\tif (home_only .. avc)$/\t\tif (1)/|kunit"
	"a first fault never links a VMA home-only|mm/rmap.c|/^static bool anon_vma_prepare_unchained/,/^}/s/^\tif (anon_vma_home_only_prepare(vma, neighbour))$/\tif (0)/|kunit"
	"a first fault skips the chain of a VMA refused laziness|mm/rmap.c|/^static bool vma_may_skip_anon_vma_chain/,/^}/s/^\tif (refusal == ANON_VMA_LAZY_FAULT)$/\tif (1)/|kunit"
	"a first fault next to a home-only VMA takes a chain|mm/rmap.c|s/^\tif (neighbour \&\& neighbour != mm_anon_vma_home(mm))$/\tif (neighbour)/|kunit"
	"a first fault ignores a neighbour that is not in the home|mm/rmap.c|s/^\tif (neighbour \&\& neighbour != mm_anon_vma_home(mm))$/\tif (0)/|kunit"
	"mm_take_all_locks() skips a home-only VMA's home|mm/vma.c|s/^\t\tif (vma_is_anon_vma_home_only(vma))$/\t\tif (0)/|kunit"
	"a hugetlb VMA shares its mm's home anon_vma|mm/rmap.c|s/^\treturn anon_vma_lazy_enabled() \&\& !is_vm_hugetlb_page(vma);$/\treturn anon_vma_lazy_enabled();/|kunit"
	"a fork ignores a failed upgrade|mm/rmap.c|s/^\trc = vma_upgrade_anon_vma_lazy(pvma, FORK);$/\trc = (vma_upgrade_anon_vma_lazy(pvma, FORK), 0);/|selftest"
	"lazy VMAs never join to merge|mm/vma.c|s/^\treturn !vma_is_fork_child(a) \&\& !vma_is_fork_child(b);$/\treturn false;/|harness kunit"
	"MADV_MERGEABLE leaves a VMA lazy|mm/ksm.c|/^int ksm_madvise/,/^}/s/^\t\terr = vma_upgrade_anon_vma_lazy(vma, KSM);$/\t\terr = 0;/|kunit"
	"a merge of lazy VMAs skips the join|mm/vma.c|s/^\tif (!lazy .. !differ)$/\tif (1)/|harness"
	"a range in the gap between lazy parts skips the join|mm/vma.c|s/^\t    prev->anon_vma != next->anon_vma) {$/\t    0) {/|harness"
	"prev growing over the gap to a lazy next skips the join|mm/vma.c|s/^\tif (!src \&\& merge_next \&\& vmg->prev \&\& vmg->prev->anon_vma == src_anon)$/\tif (0)/|harness"
	"a device-private PMD migration entry is zapped as a device-private entry|mm/huge_memory.c|s/^\t\t\t\t       pmd_is_device_private_entry(pmdval);$/\t\t\t\t       folio_is_device_private(folio);/|selftest"
	# hmm-tests' migrate_release_munmap provokes this one only sometimes
	# (a KASAN use-after-free in 1 of 2 runs of its 16 raced rounds), too
	# rarely for a mutation check; the KUnit case is deterministic.
	"device eviction pins no rmap target|mm/migrate_device.c|s/^\t\t\tif (pin_rmap)$/\t\t\tif (0)/;s/^\tif (!pin_rmap /\tif (!0 /|kunit"
	"device eviction walks an unpinned folio|mm/migrate_device.c|s/^\tif (!pin_rmap /\tif (!0 /|kunit"
	"a fault in a lazy VMA maps no large folio|mm/huge_memory.c|s#^\t/\* khugepaged doesn't collapse DAX vma, but page fault is fine. \*/\$#\tif (in_pf \&\& vma_is_anon_vma_lazy(vma))\n\t\treturn 0;\n&#;s#^\tret = vmf_anon_prepare(vmf);\$#&\n\tif (!ret \&\& vma_is_anon_vma_lazy(vma))\n\t\treturn VM_FAULT_FALLBACK;#|kunit"
	"THP split refuses a lazy folio|mm/huge_memory.c|s#^\t\tanon_rmap_lock_write(anon_rmap);\$#\t\tif (!anon_rmap_is_anon_vma(anon_rmap)) {\n\t\t\tput_anon_rmap(anon_rmap);\n\t\t\tanon_rmap = ANON_RMAP_NULL;\n\t\t\tret = -EBUSY;\n\t\t\tgoto out;\n\t\t}\n&#|kunit"
	"an upgrade skips a lazy THP mapped by a PMD|mm/rmap.c|s#^\tret = anon_vma_lazy_rename_entry(folio, err, addr, rename);\$#\tret = 0;\n\tif (folio)\n\t\tfolio_put(folio);#|kunit"
	"a lazy read lock walks a VMA being freed|mm/internal.h|s/^\treturn vma_get(vma);$/\treturn (vma_get(vma), true);/|kunit"
)

read -r wt _ < <("$TOP/scripts/worktree.sh")
kunit_out=$BUILD/kunit-mutation
caught=0 missed=0

mutate() {	# tree file sed: apply, and check that it changed something
	local tree=$1 file=$2 expr=$3
	sed -i "$expr" "$tree/$file"
	! git -C "$tree" diff --quiet -- "$file" || die "mutation '$expr' no longer matches $file"
}

for m in "${mutations[@]}"; do
	IFS='|' read -r name file expr tests <<<"$m"
	[[ -z ${MATCH:-} || $name == *$MATCH* ]] || continue
	if [[ " $tests " == *" harness "* ]]; then
		mutate "$wt" "$file" "$expr"
		touch "$wt/tools/testing/vma/main.c"
		if ASAN_OPTIONS=detect_leaks=0 "$TOP/scripts/harness.sh" "$wt" >"$BUILD/mutation.log" 2>&1; then
			echo "MISSED harness: $name"
			missed=$((missed + 1))
		else
			echo "caught harness: $name: $(grep -m1 'Assert FAILED\|FAILED\|upgrade it first' "$wt/tools/testing/vma/.run.err" || grep -m1 harness: "$BUILD/mutation.log")"
			caught=$((caught + 1))
		fi
		git -C "$wt" checkout -q -- "$file"
	else
		# Still check that the mutation applies to the series as it is.
		mutate "$wt" "$file" "$expr"
		git -C "$wt" checkout -q -- "$file"
	fi

	if [ "${KUNIT:-0}" = 1 ] && [[ " $tests " == *" kunit "* || " $tests " == *" selftest "* ]]; then
		mutate "$wt" "$file" "$expr"
		kunit_rc=0
		LINUX=$wt KUNIT_OUT=$kunit_out "$TOP/scripts/kunit.sh" >"$BUILD/mutation-kunit.log" 2>&1 || kunit_rc=$?
		if [[ " $tests " == *" kunit "* ]]; then
			if [ "$kunit_rc" = 0 ]; then
				echo "MISSED kunit: $name"
				missed=$((missed + 1))
			else
				echo "caught kunit: $name: $(grep -E '^[0-9]+ passed' "$BUILD/mutation-kunit.log" || tail -n1 "$BUILD/mutation-kunit.log")"
				caught=$((caught + 1))
			fi
		fi
		if [[ " $tests " == *" selftest "* ]]; then
			# The selftests need that kernel built (its KUnit
			# suites may fail: the mutation's other test).
			if [ "$(cat "$kunit_out/.anon-rmap-built-from" 2>/dev/null)" != "$(LINUX=$wt "$TOP/scripts/tree-id.sh")" ]; then
				echo "MISSED selftest: $name: the mutated KUnit kernel did not build ($(tail -n1 "$BUILD/mutation-kunit.log"))"
				missed=$((missed + 1))
			elif LINUX=$wt KUNIT_OUT=$kunit_out SELFTEST_OUT=$BUILD/mutation-selftest \
				"$TOP/scripts/selftest.sh" >"$BUILD/mutation-selftest.log" 2>&1 ||
			     ! grep -qE '^selftest: .*: FAIL$' "$BUILD/mutation-selftest.log"; then
				# Passed, or failed without a test failing (e.g. a build error).
				echo "MISSED selftest: $name ($(tail -n1 "$BUILD/mutation-selftest.log"))"
				missed=$((missed + 1))
			else
				echo "caught selftest: $name: $(grep -E '^selftest: .*: FAIL$' "$BUILD/mutation-selftest.log" | sed 's/^selftest: //' | tr '\n' ' ')"
				caught=$((caught + 1))
			fi
		fi
		git -C "$wt" checkout -q -- "$file"
	fi
done
# Leave the worktree's harness built from unmutated sources.
touch "$wt/tools/testing/vma/main.c"

echo "mutation: $caught caught, $missed missed"
[ "$missed" = 0 ]
