#!/usr/bin/env bash
# `make stress`: boot the patched debug kernel (configs/guest-debug.config: KASAN,
# PROVE_LOCKING, DEBUG_VM_*) under QEMU/TCG with vng, 3 vCPUs, 4 GiB in 2 NUMA
# nodes (scripts/guest-boot.sh), zram swap, and run tools/stress-rmap (every page checksummed and
# verified at the end) next to Debian's stress-ng for STRESS_TIME seconds
# (default 300). Passes only with zero mismatches, both programs exiting 0,
# swapoff succeeding and no kernel splat.
#
# env: STRESS_TIME (seconds, default 300), KIND=base to stress the base kernel,
#      DEBUG=0 the non-debug guest kernel of guest-test (still DEBUG_VM)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${STRESS_TIME:-300}
kind=${KIND:-patched}
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || die "STRESS_TIME=$secs: want a number of seconds"
flavour=debug
[ "${DEBUG:-1}" = 1 ] || flavour=
out=$BUILD/stress-results/$kind${flavour:+-$flavour}

"$TOP/scripts/guest-deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/apply.sh"
"$TOP/scripts/vng-setup.sh" >/dev/null
kernel=$("$TOP/scripts/guest-kernel.sh" "$kind" $flavour)
mkdir -p "$BUILD/stress-rmap"
make -s -C "$TOP/tools/stress-rmap" O="$BUILD/stress-rmap" >/dev/null ||
	die "stress: building tools/stress-rmap failed"

rm -rf "$out"
mkdir -p "$out"
log "stress: booting the $kind ${flavour:-non-debug} kernel for a ${secs} s stress run (log: $out/console.log)"
t0=$SECONDS
"$TOP/scripts/guest-boot.sh" "$kernel" "$out" $((secs + 900)) \
	"$TOP/guest/run-stress.sh $BUILD/stress-rmap/stress-rmap $out $secs" |
	grep --line-buffered '^guest:' >&2 || true
log "stress: guest run took $((SECONDS - t0)) s"

fail=0
[ -f "$out/done" ] || { echo "stress: the guest did not finish (crash or timeout); see $out/console.log"; fail=1; }
grep -h '^stress-rmap' "$out/stress-rmap.log" 2>/dev/null || true
grep -E 'MISMATCH|failed' "$out/stress-rmap.log" 2>/dev/null | head -n 20 || true
[ "$(cat "$out/stress-rmap.rc" 2>/dev/null)" = 0 ] || { echo "stress: stress-rmap failed (exit $(cat "$out/stress-rmap.rc" 2>/dev/null || echo none))"; fail=1; }
grep -E 'passed|failed|skipped|metrc|stressor' "$out/stress-ng.log" 2>/dev/null | tail -n 12 || true
[ "$(cat "$out/stress-ng.rc" 2>/dev/null)" = 0 ] || { echo "stress: stress-ng failed (exit $(cat "$out/stress-ng.rc" 2>/dev/null || echo none)); see $out/stress-ng.log"; fail=1; }
[ "$(cat "$out/swapoff.rc" 2>/dev/null)" = 0 ] || { echo "stress: swapoff failed"; fail=1; }
[ ! -f "$out/midrun.txt" ] || echo "half-way counters: $(sed 's|.*/||' "$out/midrun.txt" | tr '\n' ' ')"
"$TOP/scripts/guest-compare.py" --splats "$out" || fail=1
[ $fail = 0 ] || die "stress: FAILED ($kind kernel, ${secs} s; logs in $out)"
log "stress: passed: zero mismatches, no splat ($kind kernel, ${secs} s)"
