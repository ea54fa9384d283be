#!/usr/bin/env bash
# The struct sizes the series promises not to change (STACK.md, Invariants):
# build the objects that define them, with debug info, for x86_64 with every
# option of Kconfig.fragment on, from the series as it is in patches/, and
# read their size with pahole. Prints one line per struct; fails on a change.
#
# vm_area_struct is checked a second time with CONFIG_ANON_VMA_NAME=y too, as
# Android and our guest kernels have it: that option takes the tail padding.
# (VMA_REF has no field of its own since patch 64; make layout-report checks
# CONFIG_NUMA_BALANCING=y as well, which was 256 bytes before.)
#
# struct anon_vma is 88 bytes in the base and 104 with the series: the home's
# owner mm (home_mm, patch 56) takes 8 bytes, and its pointer to the munmap()
# in flight (munmap, patch 62) 8 more; its count of home-only VMAs fills the
# hole after refcount.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# variant | extra config | struct | object with its debug info | base size
# [| size with the series, if it differs]
checks=(
	"fragment||vm_area_struct|mm/vma_init.o|192"
	"fragment||ksm_rmap_item|mm/ksm.o|64"
	"fragment||anon_vma|mm/ksm.o|88|104"
	"anon_vma_name|CONFIG_ANON_VMA_NAME=y|vm_area_struct|mm/vma_init.o|192"
)

command -v pahole >/dev/null || die "pahole not found: run 'make deps'"
read -r wt _ < <("$TOP/scripts/worktree.sh")
use_ccache

# configure VARIANT EXTRA: the build directory of VARIANT (x86_64 defconfig +
# Kconfig.fragment + EXTRA + DWARF), configured again when either changes.
configure() {
	local variant=$1 extra=$2 out id opt
	out=$BUILD/layout-x86_64
	[ "$variant" = fragment ] || out+=-$variant
	mkdir -p "$out"
	id=$({ cat "$TOP/Kconfig.fragment"; echo "$extra"; } | sha256sum | awk '{print $1}')
	if [ ! -f "$out/.config" ] || [ "$(cat "$out/.fragment-id" 2>/dev/null)" != "$id" ]; then
		log "layout: configuring $out (x86_64 defconfig + Kconfig.fragment${extra:+ + $extra} + DWARF)"
		make -s -C "$wt" O="$out" ARCH=x86_64 defconfig >/dev/null
		{ cat "$TOP/Kconfig.fragment"
		  [ -z "$extra" ] || echo "$extra"
		  echo CONFIG_DEBUG_INFO_DWARF5=y
		  echo CONFIG_DEBUG_INFO_BTF=n; } >"$out/layout.config"
		"$wt/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
			"$out/layout.config" >/dev/null
		make -s -C "$wt" O="$out" ARCH=x86_64 olddefconfig >/dev/null
		echo "$id" >"$out/.fragment-id"
	fi
	while read -r opt; do
		[[ $opt == CONFIG_* ]] || continue
		grep -qxF "$opt" "$out/.config" || die "layout: $opt did not stick in $out/.config"
	done < <(cat "$TOP/Kconfig.fragment"; echo "$extra")
	echo "$out"
}

declare -A outdir objs
for c in "${checks[@]}"; do
	IFS='|' read -r variant extra _ obj _ _ <<<"$c"
	[ -n "${outdir[$variant]:-}" ] || outdir[$variant]=$(configure "$variant" "$extra")
	case " ${objs[$variant]:-} " in *" $obj "*) ;; *) objs[$variant]+=" $obj" ;; esac
done
for variant in "${!outdir[@]}"; do
	out=${outdir[$variant]}
	log "layout: building${objs[$variant]} for $variant (cold: ~4 min for the kernel's prepare step)"
	# shellcheck disable=SC2086 # a list of objects
	make -s -C "$wt" O="$out" ARCH=x86_64 -j"$(nproc)" ${objs[$variant]} >"$BUILD/layout-build.log" 2>&1 ||
		{ tail -n 20 "$BUILD/layout-build.log" >&2; die "layout: build failed (log: $BUILD/layout-build.log)"; }
done

bad=0
for c in "${checks[@]}"; do
	IFS='|' read -r variant _ name obj base want <<<"$c"
	want=${want:-$base}
	out=${outdir[$variant]}
	got=$(struct_size "$name" "$out/$obj")
	[ -n "$got" ] || die "layout: pahole found no struct $name in $obj"
	if [ "$got" = "$want" ]; then
		echo "layout: struct $name ($variant): $got bytes (base: $base) ok"
	else
		echo "layout: struct $name ($variant): $got bytes, want $want (base: $base): FAIL"
		pahole -C "$name" "$out/$obj" >&2
		bad=1
	fi
done
exit "$bad"
