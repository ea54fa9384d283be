#!/usr/bin/env bash
# Build the upstream mm selftests that `make guest-test` runs, for one kernel,
# from that kernel's own tree against its own uapi headers, and print the
# output directory (build/guest-selftests-<kind>).
#
# usage: guest-selftests.sh base|patched
#   base     build/guest-base-tree: a worktree of build/linux at anon-rmap-base
#            (not the pristine tree: the selftests' Makefile writes into its
#            source directory)
#   patched  build/guest-tree (made by scripts/guest-kernel.sh patched)
# So the base runs the tests as upstream has them, and the patched kernel
# also runs the tests the stack adds; guest-compare.py lists those apart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-}
case $kind in
base)
	src=$BUILD/guest-base-tree
	if [ ! -d "$src" ] || ! grep -qxF "worktree $src" <<<"$(git -C "$LINUX" worktree list --porcelain)"; then
		rm -rf "$src"
		git -C "$LINUX" worktree prune
		log "guest-selftests: creating $src (about 30 s)"
		git -C "$LINUX" worktree add -q --detach "$src" anon-rmap-base
	fi
	[ "$(git -C "$src" rev-parse HEAD)" = "$(git -C "$LINUX" rev-parse anon-rmap-base)" ] ||
		git -C "$src" checkout -q --detach anon-rmap-base
	git -C "$src" checkout -q -- .
	;;
patched)
	src=$BUILD/guest-tree ;;
*)
	die "usage: guest-selftests.sh base|patched" ;;
esac
out=$BUILD/guest-selftests-$kind
hdr=$BUILD/guest-headers-$kind
[ -d "$src/tools/testing/selftests/mm" ] || die "no $src/tools/testing/selftests/mm; run scripts/guest-kernel.sh patched first"
for h in numa.h liburing.h; do
	[ -f /usr/include/$h ] || die "/usr/include/$h missing; run scripts/guest-deps.sh"
done

# The programs run_vmtests.sh runs for the categories of guest/run-tests.sh,
# and the scripts it needs (copied from the source directory).
bins=(cow rmap ksm_functional_tests ksm_tests merge mremap_test mremap_dontunmap
	migration khugepaged split_huge_page_test transhuge-stress
	folio_split_race_test madv_populate uffd-unit-tests uffd-stress
	uffd-wp-mremap hmm-tests)
scripts=(run_vmtests.sh test_hmm.sh)

log "guest-selftests: uapi headers and ${#bins[@]} mm selftests of the $kind tree into $out"
mkdir -p "$out" "$hdr"
make -s -C "$src" O="$hdr" ARCH=x86_64 headers >"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; die "guest-selftests: make headers failed, see $out.log"; }
nice -n 10 make -C "$src/tools/testing/selftests/mm" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $hdr/usr/include" -j"$(nproc)" \
	"${bins[@]/#/$out/}" >>"$out.log" 2>&1 ||
	{ grep -E 'error' "$out.log" | head -n 20 >&2; die "guest-selftests: build failed, see $out.log"; }
for b in "${bins[@]}"; do
	[ -x "$out/$b" ] || die "guest-selftests: $out/$b was not built"
done
for f in "${scripts[@]}"; do
	install -m 755 "$src/tools/testing/selftests/mm/$f" "$out/$f"
done
echo "$out"
