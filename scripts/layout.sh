#!/usr/bin/env bash
# The struct sizes the series promises not to change (STACK.md, Invariants):
# build the objects that define them, with debug info, for x86_64 with every
# option of Kconfig.fragment on, from the series as it is in patches/, and
# read their size with pahole. Prints one line per struct; fails on a change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# struct | object that has its debug info | expected size in bytes (the base's)
structs=(
	"vm_area_struct|mm/vma_init.o|192"
	"ksm_rmap_item|mm/ksm.o|64"
	"anon_vma|mm/ksm.o|88"
)

command -v pahole >/dev/null || die "pahole not found: run 'make deps'"
read -r wt _ < <("$TOP/scripts/worktree.sh")
out=$BUILD/layout-x86_64
mkdir -p "$out"

use_ccache

# Configured once per Kconfig.fragment: a changed fragment configures again.
frag_id=$(sha256sum <"$TOP/Kconfig.fragment" | awk '{print $1}')
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.fragment-id" 2>/dev/null)" != "$frag_id" ]; then
	log "layout: configuring $out (x86_64 defconfig + Kconfig.fragment + DWARF)"
	make -s -C "$wt" O="$out" ARCH=x86_64 defconfig >/dev/null
	{ cat "$TOP/Kconfig.fragment"
	  echo CONFIG_DEBUG_INFO_DWARF5=y
	  echo CONFIG_DEBUG_INFO_BTF=n; } >"$out/layout.config"
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$out/layout.config" >/dev/null
	make -s -C "$wt" O="$out" ARCH=x86_64 olddefconfig >/dev/null
	echo "$frag_id" >"$out/.fragment-id"
fi
while read -r opt; do
	[[ $opt == CONFIG_* ]] || continue
	grep -qxF "$opt" "$out/.config" || die "layout: $opt did not stick in $out/.config"
done <"$TOP/Kconfig.fragment"

objs=()
for s in "${structs[@]}"; do IFS='|' read -r _ obj _ <<<"$s"; objs+=("$obj"); done
log "layout: building ${objs[*]} (cold: ~4 min for the kernel's prepare step)"
make -s -C "$wt" O="$out" ARCH=x86_64 -j"$(nproc)" "${objs[@]}" >"$BUILD/layout-build.log" 2>&1 ||
	{ tail -n 20 "$BUILD/layout-build.log" >&2; die "layout: build failed (log: $BUILD/layout-build.log)"; }

bad=0
for s in "${structs[@]}"; do
	IFS='|' read -r name obj want <<<"$s"
	got=$(pahole -C "$name" "$out/$obj" | sed -n 's|.*/\* size: \([0-9]*\),.*|\1|p')
	[ -n "$got" ] || die "layout: pahole found no struct $name in $obj"
	if [ "$got" = "$want" ]; then
		echo "layout: struct $name: $got bytes (base: $want) ok"
	else
		echo "layout: struct $name: $got bytes, base has $want: FAIL"
		pahole -C "$name" "$out/$obj" >&2
		bad=1
	fi
done
exit "$bad"
