#!/usr/bin/env bash
# `make layout-report`: the sizes of struct vm_area_struct and struct
# anon_vma in the configurations that kernels ship, on the base and with the
# series, and their ratio. A report, not a check: it fails only when a build
# fails (`make layout` is the check, on our own configuration). Each size is
# read with pahole from an object built with DWARF, in both trees.
#
# Configurations (LAYOUT_CONFIGS="..." picks a subset):
#   fragment       x86_64 defconfig + Kconfig.fragment (what `make layout`
#                  checks)
#   numa+name      the same + NUMA_BALANCING + ANON_VMA_NAME: a distribution
#                  kernel that names anonymous mappings
#   debian         Debian's amd64 configuration of the base's version
#                  (linux-config-7.2, config.amd64_none_amd64) +
#                  ANON_VMA_LAZY, which the series adds
#   arm64-android  arm64 defconfig + Kconfig.fragment + ANON_VMA_NAME, with
#                  NUMA_BALANCING off (Android names its anonymous mappings;
#                  a phone has one memory node)
# Build dirs: build/layout-report/CONFIG-{base,series}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

all="fragment numa+name debian arm64-android"
configs=${LAYOUT_CONFIGS:-$all}
for c in $configs; do
	case " $all " in *" $c "*) ;; *) die "layout-report: unknown config '$c' (known: $all)" ;; esac
done
command -v pahole >/dev/null || die "layout-report: pahole not found: run 'make deps'"
"$TOP/scripts/guest-deps.sh"	# the arm64 cross compiler
out=$BUILD/layout-report
mkdir -p "$out"

base=$("$TOP/scripts/fetch.sh")
read -r series _ < <("$TOP/scripts/worktree.sh")
use_ccache

# debian_config: print the path of Debian's amd64 config of the base's
# version, downloaded once (linux-config-7.2, from the base's suite).
debian_config() {
	local version suite deb cfg
	version=${base##*/linux-source-}
	suite=$(awk -v v="$version" '$1 == v { print $2; exit }' "$BASE_CONF")
	[ -n "$suite" ] || die "layout-report: the base $base is not one of $BASE_CONF (debian needs Debian's base)"
	cfg=$out/config.amd64_none_amd64-$version
	if [ ! -f "$cfg" ]; then
		deb=linux-config-7.2_${version}_amd64.deb
		if [ ! -f "$DL_DIR/$deb" ]; then
			"$TOP/scripts/apt-suite.sh" "$suite" >&2
			mkdir -p "$DL_DIR"
			log "layout-report: downloading linux-config-7.2=$version (~0.5 MB)"
			(cd "$DL_DIR" && apt-get download -q "linux-config-7.2=$version") >&2 ||
				die "layout-report: apt-get download linux-config-7.2=$version failed"
		fi
		dpkg-deb --fsys-tarfile "$DL_DIR/$deb" |
			tar -xO ./usr/src/linux-config-7.2/config.amd64_none_amd64.xz | xz -d >"$cfg.tmp"
		mv "$cfg.tmp" "$cfg"
	fi
	echo "$cfg"
}

arch_of() { case $1 in arm64-*) echo arm64 ;; *) echo x86_64 ;; esac; }
cross_of() { case $1 in arm64-*) echo aarch64-linux-gnu- ;; esac; }
# The options over the starting config; always full DWARF, for pahole (arm64
# defconfig has DEBUG_INFO_REDUCED, which leaves out structs defined elsewhere).
extra_of() {
	case $1 in
	fragment) cat "$TOP/Kconfig.fragment" ;;
	numa+name) cat "$TOP/Kconfig.fragment"; printf '%s\n' CONFIG_NUMA_BALANCING=y CONFIG_ANON_VMA_NAME=y ;;
	debian) echo CONFIG_ANON_VMA_LAZY=y ;;
	arm64-android) cat "$TOP/Kconfig.fragment"; printf '%s\n' CONFIG_ANON_VMA_NAME=y CONFIG_NUMA_BALANCING=n ;;
	esac
	printf '%s\n' CONFIG_DEBUG_INFO_DWARF5=y CONFIG_DEBUG_INFO_REDUCED=n CONFIG_DEBUG_INFO_BTF=n
}

# build CONFIG TREE LABEL: configure and build the two objects; print the dir.
build() {
	local c=$1 tree=$2 label=$3 dir arch cross opt
	local -a env
	dir=$out/$c-$label
	arch=$(arch_of "$c") cross=$(cross_of "$c")
	env=(ARCH="$arch")
	[ -z "$cross" ] || env+=(CROSS_COMPILE="$cross")
	mkdir -p "$dir"
	extra_of "$c" >"$dir/extra.config"
	if [ "$c" = debian ]; then
		cp "$(debian_config)" "$dir/.config"
	else
		make -s -C "$tree" O="$dir" "${env[@]}" defconfig >/dev/null
	fi
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" "$dir/extra.config" >/dev/null
	make -s -C "$tree" O="$dir" "${env[@]}" olddefconfig >/dev/null
	while read -r opt; do
		case $opt in
		*=n) ! grep -qxF "${opt%=n}=y" "$dir/.config" || die "layout-report: $c ($label): $opt did not stick" ;;
		CONFIG_*) grep -qxF "$opt" "$dir/.config" || die "layout-report: $c ($label): $opt did not stick" ;;
		esac
	done < <(if [ "$label" = base ]; then grep -v ANON_VMA_LAZY "$dir/extra.config"; else cat "$dir/extra.config"; fi)
	log "layout-report: building mm/vma_init.o mm/ksm.o for $c ($label; cold: ~4 min)"
	make -s -C "$tree" O="$dir" "${env[@]}" -j"$(nproc)" mm/vma_init.o mm/ksm.o >"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "layout-report: $c ($label): build failed (log: $dir/build.log)"; }
	echo "$dir"
}

# The object built with each struct's debug info.
obj_of() { case $1 in vm_area_struct) echo mm/vma_init.o ;; anon_vma) echo mm/ksm.o ;; esac; }

# y or n: option CONFIG_$1 in the config of build dir $2, for the table.
config_has() { grep -qxF "CONFIG_$1=y" "$2/.config" && echo y || echo n; }

rows=()
for c in $configs; do
	b=$(build "$c" "$base" base)
	s=$(build "$c" "$series" series)
	for st in vm_area_struct anon_vma; do
		bs=$(struct_size "$st" "$b/$(obj_of "$st")") ss=$(struct_size "$st" "$s/$(obj_of "$st")")
		[ -n "$bs" ] && [ -n "$ss" ] || die "layout-report: pahole found no struct $st for $c"
		rows+=("$(printf '%-14s %-15s %5s %7s %7s   NUMA_BALANCING=%s ANON_VMA_NAME=%s PER_VMA_LOCK=%s ANON_VMA_LAZY=%s' \
			"$c" "$st" "$bs" "$ss" "$(awk -v b="$bs" -v s="$ss" 'BEGIN { printf "%.3f", s / b }')" \
			"$(config_has NUMA_BALANCING "$s")" "$(config_has ANON_VMA_NAME "$s")" \
			"$(config_has PER_VMA_LOCK "$s")" "$(config_has ANON_VMA_LAZY "$s")")")
	done
done

printf '\n%-14s %-15s %5s %7s %7s   %s\n' config struct base series ratio "options (series)"
printf '%s\n' "${rows[@]}"
