#!/usr/bin/env bash
# Build the patched KUnit kernel (the tree's mm/tests/.kunitconfig +
# kunit/*.kunitconfig + Kconfig.fragment, one build dir under build/, ccache
# on), boot it under QEMU (KVM if it really works here, TCG otherwise) and
# summarise the results.
#
# KUNIT_ARCH: x86_64 (default; adds configs/vng.config, so that `make vng` and
# `make selftest` boot the same kernel) or arm64 (cross-built with Debian's
# aarch64-linux-gnu-gcc, booted in qemu-system-aarch64; PAGES=4K or 64K).
# LINUX and KUNIT_OUT (lib.sh) name the tree and the build dir: the mutation
# check builds its scratch worktree in a build dir of its own.
# KUNIT_GLOB selects suites (default: all of ours). KUNIT_TIMEOUT bounds the boot.
# kasan_multi_shot: KASAN reports (and fails the KUnit case of) every bad
# access, not only the first of the boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -e "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
# The suites' own config from the tree (mm/tests/.kunitconfig), then ours.
[ -f "$LINUX/mm/tests/.kunitconfig" ] || die "$LINUX/mm/tests/.kunitconfig is missing: is the stack applied?"
configs=(--kunitconfig="$LINUX/mm/tests")
for c in "$TOP"/kunit/*.kunitconfig "$TOP/Kconfig.fragment"; do
	configs+=(--kunitconfig="$c")
done

arch=${KUNIT_ARCH:-x86_64}
case $arch in
x86_64)
	out=$KUNIT_OUT
	name=kunit
	timeout_s=${KUNIT_TIMEOUT:-600}
	cold="~10 min" warm="~1 min"
	configs+=(--kunitconfig="$TOP/configs/vng.config")
	kunit_args=(--arch=x86_64)
	# kunit.py always asks for KVM: this qemu-system-x86_64 drops it where KVM hangs.
	export PATH="$TOP/scripts/qemu-wrap:$PATH"
	;;
arm64)
	pages=${PAGES:-4K}
	case $pages in
	4K) pagecfg=CONFIG_ARM64_4K_PAGES=y ;;
	64K) pagecfg=CONFIG_ARM64_64K_PAGES=y ;;
	*) die "kunit: PAGES must be 4K or 64K, not '$pages'" ;;
	esac
	out=$BUILD/kunit-arm64-$pages
	name="kunit-arm64 ($pages pages)"
	timeout_s=${KUNIT_TIMEOUT:-1200}
	cold="~25 min" warm="~2 min"
	"$TOP/scripts/guest-deps.sh"
	mkdir -p "$out"
	echo "$pagecfg" >"$out/pages.config"
	configs+=(--kunitconfig="$out/pages.config")
	kunit_args=(--arch=arm64 --cross_compile=aarch64-linux-gnu-)
	;;
*) die "kunit: KUNIT_ARCH must be x86_64 or arm64, not '$arch'" ;;
esac
json=$out.json

use_ccache
mkdir -p "$out"
kunit=(python3 "$LINUX/tools/testing/kunit/kunit.py")
cd "$LINUX"

# What the kernel is built from: HEAD of the tree plus any uncommitted edit.
# vng.sh and selftest.sh refuse a kernel whose stamp does not match the tree.
stamp=$out/.anon-rmap-built-from
rm -f "$stamp"

t0=$SECONDS
log "kunit: building the $arch kernel of $LINUX in $out (cold: $cold, warm ccache: $warm)"
if ! "${kunit[@]}" build "${kunit_args[@]}" --build_dir="$out" --jobs="$(nproc)" \
	"${configs[@]}" >"$out.build.log" 2>&1; then
	tail -n 30 "$out.build.log" >&2
	die "kunit: kernel build failed (full log: $out.build.log)"
fi
grep -qx 'CONFIG_ANON_VMA_LAZY=y' "$out/.config" ||
	die "kunit: CONFIG_ANON_VMA_LAZY is off in $out/.config (does $arch select ARCH_SUPPORTS_ANON_VMA_LAZY?)"
t1=$SECONDS
log "kunit: built in $((t1 - t0)) s"
"$TOP/scripts/tree-id.sh" >"$stamp"

if [ "$arch" = x86_64 ]; then
	QEMU_ACCEL=$("$TOP/scripts/kvm-probe.sh" "$out/arch/x86/boot/bzImage")
	export QEMU_ACCEL
	log "kunit: booting under QEMU ($QEMU_ACCEL)"
else
	log "kunit: booting under qemu-system-aarch64 (TCG)"
fi
rm -f "$json"
set +e
timeout -s KILL $((timeout_s + 60)) "${kunit[@]}" exec "${kunit_args[@]}" --build_dir="$out" \
	--timeout="$timeout_s" --json="$json" --kernel_args=kasan_multi_shot \
	${KUNIT_GLOB:+"$KUNIT_GLOB"} >"$out.exec.log" 2>&1
rc=$?
set -e
log "kunit: boot and tests took $((SECONDS - t1)) s (log: $out.exec.log)"

[ -s "$json" ] || { tail -n 30 "$out.exec.log" >&2; die "kunit: no KTAP results (exit $rc)"; }
"$TOP/scripts/ktap-summary.py" "$json" "$name"
