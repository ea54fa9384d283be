#!/usr/bin/env bash
# Build one guest kernel for `make guest-test` / `make stress` and print its
# bzImage path on stdout.
#
# usage: guest-kernel.sh base|patched [debug]
#   base      the pristine 7.2 tree that scripts/fetch.sh prints
#   patched   build/guest-tree: a worktree of build/linux with patches/series
#             applied as committed (never build/linux itself)
#   debug     configs/guest-debug.config on top (KASAN, PROVE_LOCKING, DEBUG_VM_*)
# env: INJECT=name   apply a known bug of bugs/list (scripts/inject.sh) to the
#                    patched tree before building; the next run without it
#                    undoes it
# Config: x86_64 allnoconfig + Kconfig.fragment + the mm selftests' config +
# configs/vng.config + configs/guest.config (+ configs/guest-debug.config), merged with
# scripts/kconfig/merge_config.sh; identical for base and patched. One build
# dir per kernel (build/guest-<kind>[-debug]), ccache on, under nice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kind=${1:-}
flavour=${2:-}

# Re-applying the series rewrites every file it patches, and make would then
# rebuild all that includes any of them (mm_types.h: everything). So a file
# whose content the new series leaves as it was gets its old mtime back.
# save_mtimes TREE OUT: "blob mtime path" for each file the applied stack
# changes and that has no local edit (INJECT's are rebuilt).
save_mtimes() {
	local tree=$1 f
	git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1 || return 0
	git -C "$tree" diff --name-only anon-rmap-base HEAD -- 2>/dev/null |
	while IFS= read -r f; do
		[ -f "$tree/$f" ] || continue
		git -C "$tree" diff --quiet HEAD -- "$f" || continue
		printf '%s %s %s\n' "$(git -C "$tree" rev-parse "HEAD:$f")" \
			"$(stat -c %Y "$tree/$f")" "$f"
	done >"$2"
}

# restore_mtimes TREE FILE: put back the mtime of each file of FILE whose
# content is still the same blob.
restore_mtimes() {
	local tree=$1 blob mtime f
	while read -r blob mtime f; do
		[ -f "$tree/$f" ] || continue
		[ "$(git -C "$tree" rev-parse -q --verify "HEAD:$f" 2>/dev/null)" = "$blob" ] || continue
		touch -d "@$mtime" "$tree/$f"
	done <"$2"
}
case $kind in base|patched) ;; *) die "usage: guest-kernel.sh base|patched [debug]" ;; esac
case $flavour in ''|debug) ;; *) die "usage: guest-kernel.sh base|patched [debug]" ;; esac
out=$BUILD/guest-$kind${flavour:+-$flavour}

[ -z "${INJECT:-}" ] || [ "$kind" = patched ] || die "guest-kernel: INJECT applies to the patched kernel only"
if [ "$kind" = base ]; then
	src=$("$TOP/scripts/fetch.sh")
else
	src=$BUILD/guest-tree
	want="$(series_id)"
	# Re-apply only when patches/ changed: a fresh `git am` touches every
	# patched file and costs a rebuild of everything that includes them.
	# An edit left by INJECT is undone file by file.
	if [ "$(cat "$BUILD/guest-tree.series" 2>/dev/null)" = "$want" ] && [ -d "$src" ]; then
		git -C "$src" checkout -q -- . 2>/dev/null || rm -f "$BUILD/guest-tree.series"
	fi
	if [ "$(cat "$BUILD/guest-tree.series" 2>/dev/null)" != "$want" ] ||
	   [ -n "$(git -C "$src" status --porcelain 2>/dev/null)" ]; then
		rm -f "$BUILD/guest-tree.series"
		stamps=$(mktemp)
		trap 'rm -f "$stamps"' EXIT
		save_mtimes "$src" "$stamps"
		WORKTREE=$src "$TOP/scripts/worktree.sh" >/dev/null
		restore_mtimes "$src" "$stamps"
		echo "$want" >"$BUILD/guest-tree.series"
	fi
	# INJECT=name: a known bug on top (bugs/list), to check that the
	# guest runs catch it. The next run without INJECT undoes it.
	if [ -n "${INJECT:-}" ]; then
		"$TOP/scripts/inject.sh" "$src" "$INJECT"
		log "guest-kernel: INJECTED '$INJECT' into the patched tree"
	fi
fi

frags=("$TOP/Kconfig.fragment" "$src/tools/testing/selftests/mm/config"
	"$TOP/configs/vng.config" "$TOP/configs/guest.config")
[ -z "$flavour" ] || frags+=("$TOP/configs/guest-debug.config")

use_ccache
mkdir -p "$out"
buildlog=$out.log

# The config, regenerated every time (a few seconds) but only written when it
# changes, so that make rebuilds nothing for an identical config.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$tmp" "${frags[@]}") >"$tmp/merge.log" 2>&1 ||
	{ tail -n 20 "$tmp/merge.log" >&2; die "guest-kernel: merge_config.sh failed for $out"; }
# Settings the runs depend on must have survived Kconfig's dependencies.
for c in KSM TRANSPARENT_HUGEPAGE MIGRATION NUMA_MIGRATION NUMA ACPI_NUMA USERFAULTFD SWAP ZRAM \
	 9P_FS VIRTIO_CONSOLE DEVTMPFS OVERLAY_FS DEBUG_FS GUP_TEST DEBUG_VM \
	 DEVICE_PRIVATE TEST_HMM; do
	grep -qx "CONFIG_$c=y" "$tmp/.config" || die "guest-kernel: CONFIG_$c=y did not survive merge_config (see configs/guest.config)"
done
if [ -n "$flavour" ]; then
	for c in KASAN PROVE_LOCKING DEBUG_VM_RB; do
		grep -qx "CONFIG_$c=y" "$tmp/.config" || die "guest-kernel: CONFIG_$c=y did not survive merge_config"
	done
fi
# (olddefconfig rewrites .config, so compare with the last merged one.)
if ! cmp -s "$tmp/.config" "$out/.config.merged" || [ ! -f "$out/.config" ]; then
	cp "$tmp/.config" "$out/.config"
	cp "$tmp/.config" "$out/.config.merged"
fi

log "guest-kernel: building $kind${flavour:+ $flavour} kernel in $out (cold: ~10-20 min, warm: ~1 min; log: $buildlog)"
t0=$SECONDS
if ! nice -n 10 make -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" olddefconfig bzImage >"$buildlog" 2>&1; then
	grep -E 'error|Error' "$buildlog" | head -n 20 >&2
	die "guest-kernel: build failed, see $buildlog"
fi
log "guest-kernel: $kind${flavour:+ $flavour} built in $((SECONDS - t0)) s"
echo "$out/arch/x86/boot/bzImage"
