#!/usr/bin/env bash
# Build the patched arm64 KUnit kernel (the tree's mm/tests/.kunitconfig +
# kunit/mm.kunitconfig + Kconfig.fragment; 4 KiB pages, or 64 KiB with
# PAGES=64K), cross-compiled with Debian's aarch64-linux-gnu-gcc, boot it
# under qemu-system-aarch64 (TCG) and summarise the results. Not part of
# `make check`: a cold build takes ~20 min on 2 cores.
#
# KUNIT_GLOB selects suites (default: all of mm/tests). KUNIT_TIMEOUT bounds
# the boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -e "$LINUX/.git" ] || die "$LINUX is not there: run 'make apply' first"
[ -f "$LINUX/mm/tests/.kunitconfig" ] || die "$LINUX/mm/tests/.kunitconfig is missing: is the stack applied?"
pages=${PAGES:-4K}
case $pages in
4K) pagecfg=CONFIG_ARM64_4K_PAGES=y ;;
64K) pagecfg=CONFIG_ARM64_64K_PAGES=y ;;
*) die "kunit-arm64: PAGES must be 4K or 64K, not '$pages'" ;;
esac
out=$BUILD/kunit-arm64-$pages
json=$BUILD/kunit-arm64-$pages.json
timeout_s=${KUNIT_TIMEOUT:-1200}

"$TOP/scripts/guest-deps.sh"
mkdir -p "$out"
echo "$pagecfg" >"$out/pages.config"
configs=(--kunitconfig="$LINUX/mm/tests" --kunitconfig="$TOP/kunit/mm.kunitconfig"
	--kunitconfig="$TOP/Kconfig.fragment" --kunitconfig="$out/pages.config")

use_ccache
kunit=(python3 "$LINUX/tools/testing/kunit/kunit.py")
cd "$LINUX"

t0=$SECONDS
log "kunit-arm64: building the arm64 $pages kernel in $out (cold: ~20 min, warm ccache: ~2 min)"
if ! "${kunit[@]}" build --arch=arm64 --cross_compile=aarch64-linux-gnu- \
	--build_dir="$out" --jobs="$(nproc)" "${configs[@]}" >"$out.build.log" 2>&1; then
	tail -n 30 "$out.build.log" >&2
	die "kunit-arm64: kernel build failed (full log: $out.build.log)"
fi
grep -qx 'CONFIG_ANON_VMA_LAZY=y' "$out/.config" ||
	die "kunit-arm64: CONFIG_ANON_VMA_LAZY is off in $out/.config (does arm64 select ARCH_SUPPORTS_ANON_VMA_LAZY?)"
t1=$SECONDS
log "kunit-arm64: built in $((t1 - t0)) s; booting under qemu-system-aarch64 (TCG)"
rm -f "$json"
set +e
timeout -s KILL $((timeout_s + 60)) "${kunit[@]}" exec --arch=arm64 --cross_compile=aarch64-linux-gnu- \
	--build_dir="$out" --timeout="$timeout_s" --json="$json" --kernel_args=kasan_multi_shot \
	${KUNIT_GLOB:+"$KUNIT_GLOB"} >"$out.exec.log" 2>&1
rc=$?
set -e
log "kunit-arm64: boot and tests took $((SECONDS - t1)) s (log: $out.exec.log)"

[ -s "$json" ] || { tail -n 30 "$out.exec.log" >&2; die "kunit-arm64: no KTAP results (exit $rc)"; }
"$TOP/scripts/ktap-summary.py" "$json" "kunit-arm64 ($pages pages)"
