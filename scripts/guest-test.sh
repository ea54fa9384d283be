#!/usr/bin/env bash
# Boot the base and the patched kernel (same config) under QEMU/TCG with vng,
# 3 vCPUs, 4 GiB in 2 NUMA nodes (scripts/guest-boot.sh), run the upstream mm
# selftests in each through their runner, run_vmtests.sh, category by category
# (guest/run-tests.sh), and compare: a table test | base | patched, the
# subtests that differ, the skips with their reasons, and any kernel splat.
# Fails when a result differs from the base, or the patched kernel splats.
#
# env: DEBUG=1     the debug kernels (configs/guest-debug.config: KASAN, lockdep, ...)
#      TESTS="..." run_vmtests.sh categories (default: guest/run-tests.sh's)
#      KINDS="..." which kernels to boot (default "base patched"); with one
#                  kernel alone, its results and splats only (no comparison)
#      GUEST_TIMEOUT  seconds for one whole guest run (default 3600; 7200 DEBUG=1)
#      RETRY=0     do not run differing tests a second time
#      THP=always  boot both kernels with transparent_hugepage=always (or
#                  never); default: the kernel's (madvise in this config)
#      LAZY=0      boot with anon_vma_lazy=0 (lazy anon_vma off)
#      Results go to build/guest-results[-debug][-thp-THP][-lazy0].
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=
[ "${DEBUG:-0}" = 1 ] && flavour=debug
kinds=${KINDS:-base patched}
if [ -n "$flavour" ]; then timeout_s=${GUEST_TIMEOUT:-7200}; else timeout_s=${GUEST_TIMEOUT:-3600}; fi
results=$BUILD/guest-results${flavour:+-$flavour}
case ${THP:-} in
'') ;;
always|madvise|never)
	GUEST_CMDLINE="transparent_hugepage=$THP ${GUEST_CMDLINE:-}"
	results+=-thp-$THP ;;
*) die "guest-test: THP=$THP: want always, madvise or never" ;;
esac
case ${LAZY:-1} in
1) ;;
0)	GUEST_CMDLINE="anon_vma_lazy=0 ${GUEST_CMDLINE:-}"
	results+=-lazy0 ;;
*) die "guest-test: LAZY=$LAZY: want 0 or 1" ;;
esac
export GUEST_CMDLINE

"$TOP/scripts/guest-deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/apply.sh"
"$TOP/scripts/vng-setup.sh" >/dev/null

# Kernels one at a time (2 cores); patched first, since it also makes the
# worktree the selftests are built from.
declare -A kernel
for k in patched base; do
	case " $kinds " in *" $k "*) ;; *) continue ;; esac
	kernel[$k]=$("$TOP/scripts/guest-kernel.sh" "$k" $flavour)
done
[ -d "$BUILD/guest-tree" ] || "$TOP/scripts/guest-kernel.sh" patched $flavour >/dev/null
declare -A sel
for k in $kinds; do sel[$k]=$("$TOP/scripts/guest-selftests.sh" "$k"); done

# boot_run KIND OUT [TEST...]: one guest run of the selftests into OUT.
boot_run() {
	local k=$1 out=$2 t0=$SECONDS
	shift 2
	rm -rf "$out"
	mkdir -p "$out"
	log "guest-test: booting the $k${flavour:+ $flavour} kernel, running mm selftests ${*:-(all)} (log: $out/console.log)"
	"$TOP/scripts/guest-boot.sh" "${kernel[$k]}" "$out" "$timeout_s" \
		"$TOP/guest/run-tests.sh ${sel[$k]} $out ${kernel[$k]%/arch/*} $*" |
		tee "$out/guest.out" | grep --line-buffered '^guest:' >&2 || true
	log "guest-test: $k run took $((SECONDS - t0)) s"
	[ -f "$out/done" ] || log "guest-test: the $k guest did not finish (crash or timeout); see $out/console.log"
}

# shellcheck disable=SC2086
for k in $kinds; do boot_run "$k" "$results/$k" ${TESTS:-}; done

if [[ " $kinds " = *" base "* && " $kinds " = *" patched "* ]]; then
	# Some selftests are timing-dependent under TCG (seen: migration's
	# shared_anon_htlb and ksm_tests -N -m 1 fail now and then, on either
	# kernel). A test whose result differs is run again on both kernels (its
	# whole category); it counts as differing only if it differs again
	# (RETRY=0: no second run).
	mapfile -t again < <("$TOP/scripts/guest-compare.py" --differing "$results/base" "$results/patched")
	if [ ${#again[@]} -gt 0 ] && [ "${RETRY:-1}" = 1 ]; then
		mapfile -t cats < <(for t in "${again[@]}"; do
			cat "$results/base/$t.cat" "$results/patched/$t.cat" 2>/dev/null | head -n 1
		done | sort -u)
		# (No category known: the test ran on neither kernel; run them all.)
		log "guest-test: results differ in ${again[*]}; running categories ${cats[*]:-(all)} again on both kernels"
		for k in base patched; do boot_run "$k" "$results/$k-retry" "${cats[@]}"; done
		mapfile -t still < <("$TOP/scripts/guest-compare.py" --differing "$results/base-retry" "$results/patched-retry")
		for t in "${again[@]}"; do
			# Not run the second time (a timeout stopped its category):
			# still differing.
			[ -f "$results/base-retry/$t.rc" ] && [ -f "$results/patched-retry/$t.rc" ] || continue
			case " ${still[*]} " in
			*" $t "*) ;;
			*)	# Same on the second run: take the second run's results.
				log "guest-test: $t: same on the second run, counted as flaky, not as a difference"
				for k in base patched; do
					for f in log rc time cat; do
						cp "$results/$k-retry/$t.$f" "$results/$k/$t.$f" 2>/dev/null || true
					done
					echo "$t" >>"$results/$k/flaky"
				done ;;
			esac
		done
	fi
	rc=0
	"$TOP/scripts/guest-compare.py" "$results/base" "$results/patched" "$results/subtests.tsv" || rc=1
	# A splat during the second run counts as much as one during the first.
	if [ -d "$results/patched-retry" ]; then
		"$TOP/scripts/guest-compare.py" --splats "$results/patched-retry" >&2 || rc=1
	fi
	exit $rc
else
	# One kernel alone: its results and splats; a failing test or a splat fails.
	rc=0
	for k in $kinds; do "$TOP/scripts/guest-compare.py" --one "$results/$k" || rc=1; done
	exit $rc
fi
