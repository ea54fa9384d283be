#!/usr/bin/env bash
# The mm selftests the stack adds, in the patched KUnit kernel of `make kunit`
# (it has KSM, NUMA, MIGRATION and SysV IPC): build them from build/linux
# against its own uapi headers, boot the kernel with vng under TCG, 2 vCPUs,
# 2 GiB in 2 NUMA nodes (scripts/guest-boot.sh), and run each test. Prints a
# line per test and "N passed, N failed, N skipped"; fails if any test failed,
# was skipped, or did not run, or if the kernel logged a splat (BUG, WARNING,
# Oops, KASAN, lockdep: scripts/guest-compare.py --splats). `make guest-test` runs the whole upstream suites
# on a separate kernel; this is the quick check of our own tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# binary|test name, one per test the series adds: -t NAME, or -r
# FIXTURE.VARIANT.NAME where a name has dots (hmm-tests: the device-private
# variant; the device-coherent one needs memory the guest does not have).
tests=(
	"merge|private_file_adjacent_merges"
	"merge|private_file_moved_after_fault_then_mmap_adjacent"
	"merge|private_file_moved_after_fault_then_mremap_adjacent"
	"merge|private_file_both_faulted_moved_adjacent"
	"rmap|ksm_mremap"
	"rmap|parent_intact"
	"hmm-tests|hmm.hmm_device_private.migrate_release"
	"hmm-tests|hmm.hmm_device_private.migrate_release_munmap"
)

kernel=$KUNIT_OUT/arch/x86/boot/bzImage
out=${SELFTEST_OUT:-$BUILD/selftest}
hdr=$out-headers
[ -d "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
[ -f "$kernel" ] || die "no kernel at $kernel; run \`make kunit\` first"
[ "$(cat "$KUNIT_OUT/.anon-rmap-built-from" 2>/dev/null)" = "$("$TOP/scripts/tree-id.sh")" ] ||
	die "$kernel was not built from $LINUX as it is now; run \`make kunit\` first"
[ -f /usr/include/numa.h ] || die "/usr/include/numa.h missing: run 'make deps'"

bins=()
for t in "${tests[@]}"; do
	b=${t%%|*}
	case " ${bins[*]} " in *" $b "*) ;; *) bins+=("$b") ;; esac
done

before=$(git -C "$LINUX" status --porcelain)
rm -rf "$out"
mkdir -p "$out" "$hdr"
log "selftest: uapi headers and ${bins[*]} from $LINUX into $out"
make -s -C "$LINUX" O="$hdr" ARCH=x86_64 headers >"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; die "selftest: make headers failed, see $out.log"; }
make -C "$LINUX/tools/testing/selftests/mm" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $hdr/usr/include" -j"$(nproc)" \
	"${bins[@]/#/$out/}" >>"$out.log" 2>&1 ||
	{ grep -E 'error' "$out.log" | head -n 20 >&2; die "selftest: build failed, see $out.log"; }
# OUTPUT= keeps the objects out of the tree: check that nothing landed there.
[ "$(git -C "$LINUX" status --porcelain)" = "$before" ] ||
	die "selftest: building the selftests left files in $LINUX"

# One guest: each test in turn, from $out (merge's uprobe test writes ./foo).
# The commands go into a script: vng passes its command on the kernel
# command line, 2048 bytes at most on x86.
{
	echo "cd $(printf %q "$out") || exit 1"
	for t in "${tests[@]}"; do
		b=${t%%|*} name=${t#*|}
		opt=-t
		[[ $name != *.* ]] || opt=-r
		echo "./$b $opt $name >$name.tap 2>&1; echo \$? >$name.rc"
	done
} >"$out/run.sh"
cmd="bash $out/run.sh"
"$TOP/scripts/vng-setup.sh" >/dev/null
log "selftest: booting $kernel with 2 NUMA nodes to run ${#tests[@]} tests (~3 min)"
# kunit.enable=0: the KUnit suites are `make kunit`'s; here they would only
# cost boot time.
GUEST_CMDLINE="kunit.enable=0 ${GUEST_CMDLINE:-}" GUEST_CPUS=2 GUEST_MEMORY=2G \
	"$TOP/scripts/guest-boot.sh" "$kernel" "$out" 900 "$cmd" ||
	log "selftest: the guest exited non-zero (console: $out/console.log)"

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	b=${t%%|*} name=${t#*|}
	tap=$out/$name.tap
	if [ ! -f "$out/$name.rc" ]; then
		r="did not run"
	elif grep -qE "^ok [0-9]+ .*$name # SKIP" "$tap"; then
		r="SKIP: $(sed -n "s/^ok [0-9]* .*$name # SKIP *//p" "$tap")"
	elif [ "$(cat "$out/$name.rc")" = 0 ] && grep -qE "^ok [0-9]+ .*$name\$" "$tap"; then
		r=pass
	else
		r=FAIL
	fi
	case $r in
	pass) passed=$((passed + 1)) ;;
	SKIP*) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); [ ! -f "$tap" ] || sed 's/^/    /' "$tap" | grep -v '^    ok' | tail -n 15 ;;
	esac
	echo "selftest: $b.$name: $r"
done
# A kernel splat fails the run too: the use-after-free that hmm-tests'
# migrate_release_munmap provokes shows only in the kernel log. The same
# scan as the guest runs' (scripts/guest-compare.py, which knows the
# harmless boot lines).
if ! splat=$(python3 "$TOP/scripts/guest-compare.py" --splats "$out"); then
	echo "selftest: kernel-log: FAIL"
	sed 's/^/    /' <<<"$splat" | head -n 60
	failed=$((failed + 1))
fi
echo "selftest: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$skipped" = 0 ]
