#!/usr/bin/env bash
# Build the patched x86_64 KUnit kernel (the tree's mm/tests/.kunitconfig +
# kunit/*.kunitconfig + Kconfig.fragment + kunit/vng.config, one build dir
# under build/, ccache on), boot it under
# QEMU (KVM if it really works here, TCG otherwise) and summarise the results.
#
# KUNIT_GLOB selects suites (default: all of ours). KUNIT_TIMEOUT bounds the boot.
# kasan_multi_shot: KASAN reports (and fails the KUnit case of) every bad
# access, not only the first of the boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -e "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
out=$BUILD/kunit-x86_64
json=$BUILD/kunit-results.json
timeout_s=${KUNIT_TIMEOUT:-600}

# The suites' own config from the tree (mm/tests/.kunitconfig), then ours.
[ -f "$LINUX/mm/tests/.kunitconfig" ] || die "$LINUX/mm/tests/.kunitconfig is missing: is the stack applied?"
configs=(--kunitconfig="$LINUX/mm/tests")
for c in "$TOP"/kunit/*.kunitconfig "$TOP/Kconfig.fragment" "$TOP/kunit/vng.config"; do
	configs+=(--kunitconfig="$c")
done

use_ccache
# kunit.py always asks for KVM: this qemu-system-x86_64 drops it where KVM hangs.
export PATH="$TOP/scripts/qemu-wrap:$PATH"
mkdir -p "$out"

kunit=(python3 "$LINUX/tools/testing/kunit/kunit.py")
cd "$LINUX"

# What the kernel is built from: HEAD of build/linux plus any uncommitted edit.
# vng.sh refuses a kernel whose stamp does not match the tree.
stamp=$out/.anon-rmap-built-from
rm -f "$stamp"

t0=$(date +%s)
log "kunit: building the x86_64 kernel in $out (cold: ~10 min, warm ccache: ~1 min)"
if ! "${kunit[@]}" build --arch=x86_64 --build_dir="$out" --jobs="$(nproc)" \
	"${configs[@]}" >"$BUILD/kunit-build.log" 2>&1; then
	tail -n 30 "$BUILD/kunit-build.log" >&2
	die "kunit: kernel build failed (full log: $BUILD/kunit-build.log)"
fi
t1=$(date +%s)
log "kunit: built in $((t1 - t0)) s"
"$TOP/scripts/tree-id.sh" >"$stamp"

QEMU_ACCEL=$("$TOP/scripts/kvm-probe.sh" "$out/arch/x86/boot/bzImage")
export QEMU_ACCEL
log "kunit: booting under QEMU ($QEMU_ACCEL)"
rm -f "$json"
set +e
timeout -s KILL $((timeout_s + 60)) "${kunit[@]}" exec --arch=x86_64 --build_dir="$out" \
	--timeout="$timeout_s" --json="$json" --kernel_args=kasan_multi_shot \
	${KUNIT_GLOB:+"$KUNIT_GLOB"} >"$BUILD/kunit-exec.log" 2>&1
rc=$?
set -e
t2=$(date +%s)
log "kunit: boot and tests took $((t2 - t1)) s (log: $BUILD/kunit-exec.log)"

[ -s "$json" ] || { tail -n 30 "$BUILD/kunit-exec.log" >&2; die "kunit: no KTAP results (exit $rc)"; }
"$TOP/scripts/ktap-summary.py" "$json" kunit
