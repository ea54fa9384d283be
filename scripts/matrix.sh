#!/usr/bin/env bash
# The builds the 0-day bot would do, on the base and on the full stack, with
# no new warning or error allowed:
#   x86_64   defconfig + Kconfig.fragment + KUnit tests, `make W=1 mm/`
#   i386     the same with CONFIG_64BIT=n (ARCH=i386)
#   noksm    x86_64 with CONFIG_KSM=n
#   novmalock x86_64 with CONFIG_SMP=n, which turns CONFIG_PER_VMA_LOCK off
#            (it is def_bool ARCH_SUPPORTS_PER_VMA_LOCK && MMU && SMP)
#   nothp    x86_64 with CONFIG_TRANSPARENT_HUGEPAGE=n
#   llvm     x86_64 with LLVM=-19 (Debian 12's clang-19 and lld-19; 7.2
#            needs clang >= 17.0.1, Debian 12's default clang is 14)
#   arm64    defconfig + Kconfig.fragment, 4 KiB pages, aarch64-linux-gnu-
#   arm64k64 the same with CONFIG_ARM64_64K_PAGES=y
#   nommu    riscv nommu_virt_defconfig (no MMU: mm/nommu.c), riscv64-linux-gnu-
#   sparse   x86_64, `make C=2 mm/` (every file checked), with the sparse of
#            scripts/sparse-build.sh (Debian sid's source, built here)
#   prefix   W=1 at every prefix of patches/series (bisectability), on
#            x86_64 and on each config in PREFIX_CONFIGS (default "x86_64";
#            e.g. PREFIX_CONFIGS="x86_64 llvm arm64 nommu"): the mm/ objects
#            that config builds, at that prefix, of every mm/ .c file the
#            series touches (a KUnit suite whose option the prefix's config
#            lacks, as on arm64 before it selects the lazy layer, is left
#            out; all of mm/ with PREFIX_FULL=1; a full mm/ build per
#            prefix costs ~2 min, as every prefix edits
#            include/linux/mm.h); a
#            prefix whose patch changes only tools/ or Documentation/ is
#            skipped (PREFIX_FROM=N: only prefixes N and later, e.g. the
#            patches that were just added; PREFIX_TO=M: only prefixes up
#            to M, so that a long run can be split into chunks)
# Warnings are compared with line numbers stripped ("file: warning: text").
#
# Source: build/matrix-tree, a worktree of build/linux with patches/series
# applied; build dirs build/matrix-<config>; logs and warnings in
# build/matrix/. env: CONFIGS="..." a subset (default: all above).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

all="x86_64 i386 noksm novmalock nothp llvm arm64 arm64k64 nommu sparse prefix"
configs=${CONFIGS:-$all}
for v in "${PREFIX_FROM:-1}" "${PREFIX_TO:-1}"; do
	[[ $v =~ ^[0-9]+$ ]] || die "matrix: '$v' is not a patch number (PREFIX_FROM, PREFIX_TO)"
done
for c in $configs; do case " $all " in *" $c "*) ;; *) die "matrix: unknown config '$c' (known: $all)" ;; esac; done
logs=$BUILD/matrix
wt=$BUILD/matrix-tree
mkdir -p "$logs"

"$TOP/scripts/guest-deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/apply.sh"
read -r _ commits < <(WORKTREE=$wt "$TOP/scripts/worktree.sh")
read -ra commits <<<"$commits"
full=$(git -C "$wt" rev-parse HEAD)
log "matrix: ${#commits[@]} patches in $wt"

use_ccache

# sparse: Debian 12's 0.6.4 is too old for 7.2 (no __typeof_unqual__), so
# the sparse row uses one built from Debian sid's source package.
sparse=
[[ " $configs " != *" sparse "* ]] || sparse=$("$TOP/scripts/sparse-build.sh")

# The build dir and make arguments of each config.
dir_of() { case $1 in sparse) echo "$BUILD/matrix-x86_64" ;; *) echo "$BUILD/matrix-$1" ;; esac; }
# The make variables that pick the architecture and the toolchain (also
# passed to defconfig and merge_config.sh, whose Kconfig run probes the
# compiler).
env_of() {
	case $1 in
	i386) echo ARCH=i386 ;;
	llvm) echo ARCH=x86_64 LLVM=-19 ;;
	arm64 | arm64k64) echo ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- ;;
	nommu) echo ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- ;;
	*) echo ARCH=x86_64 ;;
	esac
}
flags_of() { case $1 in sparse) echo "C=2 CHECK=$sparse" ;; *) echo "W=1" ;; esac; }
defconfig_of() { case $1 in nommu) echo nommu_virt_defconfig ;; *) echo defconfig ;; esac; }
extra_of() {
	case $1 in
	i386) echo "CONFIG_64BIT=n" ;;
	noksm) echo "CONFIG_KSM=n" ;;
	novmalock) echo "CONFIG_SMP=n" ;;
	nothp) echo "CONFIG_TRANSPARENT_HUGEPAGE=n" ;;
	arm64k64) echo "CONFIG_ARM64_64K_PAGES=y" ;;
	esac
}
# The config fragment merged over the defconfig: Kconfig.fragment, the KUnit
# tests and the config's switch; none for nommu (the fragment asks for an MMU).
fragment_of() {
	case $1 in
	nommu) ;;
	*) cat "$TOP/Kconfig.fragment"; echo CONFIG_KUNIT=y; echo CONFIG_KUNIT_ALL_TESTS=y; extra_of "$1" ;;
	esac
}
# What must (+) or must not (-) be in the final config, or the build does not
# test its point. (An option with no prompt that is off is not written at all.)
check_of() {
	case $1 in
	i386) echo "+CONFIG_X86_32=y" ;;
	noksm) echo "-CONFIG_KSM=y" ;;
	novmalock) echo "-CONFIG_PER_VMA_LOCK=y" ;;
	nothp) echo "-CONFIG_TRANSPARENT_HUGEPAGE=y" ;;
	llvm) echo "+CONFIG_CC_IS_CLANG=y" ;;
	arm64) echo "+CONFIG_ARM64_4K_PAGES=y" ;;
	arm64k64) echo "+CONFIG_ARM64_64K_PAGES=y" ;;
	nommu) echo "-CONFIG_MMU=y" ;;
	*) echo "+CONFIG_PER_VMA_LOCK=y" ;;
	esac
}

# configure CONFIG: defconfig_of + fragment_of, written only when it changes.
configure() {
	local c=$1 out tmp want
	local -a env
	read -ra env <<<"$(env_of "$c")"
	out=$(dir_of "$c")
	mkdir -p "$out"
	tmp=$(mktemp -d)
	fragment_of "$c" >"$tmp/frag"
	env "${env[@]}" make -s -C "$wt" O="$tmp" "$(defconfig_of "$c")" >/dev/null
	(cd "$wt" && env "${env[@]}" scripts/kconfig/merge_config.sh -O "$tmp" "$tmp/.config" "$tmp/frag") >"$tmp/merge.log" 2>&1 ||
		{ tail -n 20 "$tmp/merge.log" >&2; die "matrix: merge_config failed for $c"; }
	want=$(check_of "$c")
	if [ "${want:0:1}" = + ]; then
		grep -qxF "${want:1}" "$tmp/.config" || die "matrix: $c config lacks ${want:1}"
	else
		! grep -qxF "${want:1}" "$tmp/.config" || die "matrix: $c config still has ${want:1}"
	fi
	cmp -s "$tmp/.config" "$out/.config" || cp "$tmp/.config" "$out/.config"
	rm -rf "$tmp"
}

# build CONFIG LABEL [TARGET...]: rebuild mm/ (or TARGETs) from scratch
# (ccache replays the warnings of unchanged files) and keep the normalised
# warnings in $logs/CONFIG.LABEL.warn.
build() {
	local c=$1 label=$2 out l t0 t
	local -a env
	read -ra env <<<"$(env_of "$c")"
	shift 2
	out=$(dir_of "$c")
	l=$logs/$c.$label
	t0=$SECONDS
	if [ $# = 0 ]; then
		rm -rf "$out/mm"
		set -- mm/
	else
		for t in "$@"; do rm -f "$out/$t"; done
	fi
	# shellcheck disable=SC2046	# flags_of prints one make argument a word
	if ! nice -n 10 env "${env[@]}" make -C "$wt" O="$out" -j"$(nproc)" \
		$(flags_of "$c") olddefconfig "$@" >"$l.log" 2>&1; then
		grep -E 'error' "$l.log" | head -n 10 >&2
		echo "$c $label: build failed, see $l.log" >>"$logs/failures"
		log "matrix: $c at $label: BUILD FAILED ($((SECONDS - t0)) s)"
		return 0
	fi
	# kbuild only warns and builds on when the checker is missing or too
	# old (7.2 needs a sparse that knows __typeof_unqual__; Debian 12's
	# 0.6.4 does not): that must not pass as "no sparse warning".
	if grep -q 'specified, but .* is not available or not up to date' "$l.log"; then
		echo "$c $label: sparse is missing or too old for this tree (kbuild skipped the checks)" >>"$logs/failures"
		log "matrix: $c at $label: CHECKER NOT RUN"
		return 0
	fi
	grep -E '^[^ ]+:[0-9]+(:[0-9]+)?: (warning|error):' "$l.log" |
		sed -E 's|^(\.\./)*||; s|^[^ ]*build/matrix-tree/||; s|:[0-9]+(:[0-9]+)?:|:|' | sort -u >"$l.warn" || true
	log "matrix: $c at $label: $(wc -l <"$l.warn") warnings ($((SECONDS - t0)) s)"
}

# built_here CONFIG OBJ: false if every rule for OBJ in mm/Makefile and in
# its own directory's Makefile is obj-$(CONFIG_X) and the CONFIG build dir's
# .config (as olddefconfig left it at this prefix) has none of those X: at a
# prefix before an architecture selects a feature, the feature's KUnit suite
# is not built.
built_here() {
	local c=$1 obj=$2 mk sym
	local -a syms=()
	for mk in mm/Makefile "${obj%/*}/Makefile"; do
		[ -f "$wt/$mk" ] || continue
		mapfile -t -O "${#syms[@]}" syms < <(awk -v o="${obj#"${mk%/Makefile}"/}" '
			/^obj-\$\(CONFIG_[A-Z0-9_]+\)/ {
				for (i = 2; i <= NF; i++)
					if ($i == o) {
						match($0, /CONFIG_[A-Z0-9_]+/)
						print substr($0, RSTART, RLENGTH)
						break
					}
			}' "$wt/$mk")
	done
	[ ${#syms[@]} -gt 0 ] || return 0
	for sym in "${syms[@]}"; do
		! grep -qE "^$sym=[ym]\$" "$(dir_of "$c")/.config" || return 0
	done
	return 1
}

# compare CONFIG LABEL: warnings of LABEL that the base does not have.
compare() {
	local c=$1 label=$2 new
	new=$(comm -13 "$logs/$c.base.warn" "$logs/$c.$label.warn" 2>/dev/null || true)
	[ -f "$logs/$c.$label.warn" ] || return 0
	if [ -n "$new" ]; then
		printf '%s\n' "$new" | sed "s|^|$c $label: new: |" >>"$logs/failures"
		return 0
	fi
}

rm -f "$logs/failures" "$logs/table"
declare -A seconds
row() { printf '%-10s %-28s %s\n' "$1" "$2" "$3" >>"$logs/table"; }

t_all=$SECONDS
mapfile -t cfgs < <(for c in $configs; do [ "$c" = prefix ] || echo "$c"; done)
# The configs built at every prefix, and those of them that need a base
# build of their own (not in CONFIGS).
pcfgs=()
[[ " $configs " != *" prefix "* ]] || read -ra pcfgs <<<"${PREFIX_CONFIGS:-x86_64}"
extra=()
for c in "${pcfgs[@]}"; do
	case " $all " in *" $c "*) ;; *) die "matrix: unknown PREFIX_CONFIGS entry '$c'" ;; esac
	case $c in sparse | prefix) die "matrix: PREFIX_CONFIGS cannot hold '$c'" ;; esac
	[[ " ${cfgs[*]} " = *" $c "* ]] || extra+=("$c")
done
if [ ${#cfgs[@]} -gt 0 ] || [ ${#pcfgs[@]} -gt 0 ]; then
	git -C "$wt" checkout -q --detach anon-rmap-base
	for c in "${cfgs[@]}"; do [ "$c" = sparse ] || configure "$c"; done
	[[ " $configs " != *" sparse "* ]] || configure x86_64
	for c in "${extra[@]}"; do configure "$c"; done
	for c in "${cfgs[@]}"; do t=$SECONDS; build "$c" base; seconds[$c]=$((SECONDS - t)); done
	for c in "${extra[@]}"; do build "$c" base; done
	git -C "$wt" checkout -q --detach "$full"
	for c in "${cfgs[@]}"; do
		t=$SECONDS
		build "$c" full
		compare "$c" full
		n=$(grep -c "^$c full" "$logs/failures" 2>/dev/null || true)
		row "$c" "$(wc -l <"$logs/$c.base.warn" 2>/dev/null || echo ?) base, $(wc -l <"$logs/$c.full.warn" 2>/dev/null || echo ?) stack" \
			"$([ "${n:-0}" = 0 ] && echo pass || echo "FAIL ($n new)") $((seconds[$c] + SECONDS - t))s"
	done
fi

if [ ${#pcfgs[@]} -gt 0 ]; then
	# Per config: the objects it builds in mm/ (with the full stack checked
	# out); and the mm/ .c files any patch of the series touches.
	git -C "$wt" checkout -q --detach "$full"
	for c in "${pcfgs[@]}"; do
		[[ " ${cfgs[*]} " = *" $c "* ]] || build "$c" full
		(cd "$(dir_of "$c")" && find mm -name '*.o' ! -name '*.mod.o' | sort) >"$logs/$c.objs"
	done
	mapfile -t touched < <(git -C "$wt" diff --name-only anon-rmap-base "$full" -- 'mm/*.c' 'mm/**/*.c' | sort -u)
	i=0
	for commit in "${commits[@]}"; do
		i=$((i + 1))
		[ "$commit" != "$full" ] || { row prefix "$i/${#commits[@]}" "= full stack (above)"; continue; }
		[ "$i" -ge "${PREFIX_FROM:-1}" ] || { row prefix "$i/${#commits[@]}" "skipped: before PREFIX_FROM=$PREFIX_FROM"; continue; }
		[ "$i" -le "${PREFIX_TO:-${#commits[@]}}" ] || { row prefix "$i/${#commits[@]}" "skipped: after PREFIX_TO=$PREFIX_TO"; continue; }
		if ! grep -qvE '^(tools|Documentation)/' <<<"$(git -C "$wt" diff --name-only "$commit^" "$commit")"; then
			row prefix "$i/${#commits[@]}" "skipped: touches only tools/ or Documentation/"
			continue
		fi
		git -C "$wt" checkout -q --detach "$commit"
		for c in "${pcfgs[@]}"; do
			t=$SECONDS
			if [ "${PREFIX_FULL:-0}" = 1 ]; then
				build "$c" "p$i"
			else
				# The series' mm/ .c files that exist here and that
				# this config builds (they have an object after its
				# full build, and their option is on at this prefix).
				read -ra env <<<"$(env_of "$c")"
				env "${env[@]}" make -s -C "$wt" O="$(dir_of "$c")" olddefconfig >/dev/null
				mapfile -t objs < <(for f in "${touched[@]}"; do
					[ -f "$wt/$f" ] && grep -qxF "${f%.c}.o" "$logs/$c.objs" &&
						built_here "$c" "${f%.c}.o" && echo "${f%.c}.o"; done)
				build "$c" "p$i" "${objs[@]}"
			fi
			compare "$c" "p$i"
			n=$(grep -c "^$c p$i" "$logs/failures" 2>/dev/null || true)
			row "prefix" "$i/${#commits[@]} $c $(git -C "$wt" log -1 --format=%s "$commit" | cut -c1-32)" \
				"$([ "${n:-0}" = 0 ] && echo pass || echo "FAIL ($n new)") $((SECONDS - t))s"
		done
	done
	git -C "$wt" checkout -q --detach "$full"
fi

echo
cat "$logs/table"
if [ -s "$logs/failures" ]; then
	echo
	cat "$logs/failures"
	die "matrix: new warnings or failed builds (logs in $logs) after $((SECONDS - t_all)) s"
fi
log "matrix: all builds clean vs the base in $((SECONDS - t_all)) s"
