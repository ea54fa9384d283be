#!/usr/bin/env bash
# The KSM rmap reproducer of Part 3: boot the base and the patched guest
# kernel (scripts/guest-kernel.sh, the kernels of `make guest-test`) under
# QEMU/TCG with vng, 2 NUMA nodes (scripts/guest-boot.sh), run
# tools/ksm-rmap-bench in each and print min/median migration times and the
# base/patched ratio. A benchmark, not a test: it fails only when a run fails,
# never on the ratio.
#
# env: BENCH_VMAS (default 20000)  VMAs sharing the KSM page's anon_vma
#      BENCH_MAPPINGS (default 2)  mappings of the KSM page
#      BENCH_RUNS (default 21)     timed migrations per kernel
set -euo pipefail
. "$(dirname "$0")/lib.sh"

vmas=${BENCH_VMAS:-20000}
mappings=${BENCH_MAPPINGS:-2}
runs=${BENCH_RUNS:-21}
for v in vmas mappings runs; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "bench-ksm: BENCH_${v^^}=${!v} is not a number"
done
out=$BUILD/bench-ksm

"$TOP/scripts/guest-deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/apply.sh"
"$TOP/scripts/vng-setup.sh" >/dev/null

mkdir -p "$out"
make -s -C "$TOP/tools/ksm-rmap-bench" O="$out" >/dev/null ||
	die "bench-ksm: building tools/ksm-rmap-bench failed"

declare -A kernel
for k in patched base; do
	log "bench-ksm: building the $k guest kernel (cold: ~15 min)"
	kernel[$k]=$("$TOP/scripts/guest-kernel.sh" "$k")
done

declare -A min median
for k in base patched; do
	rm -rf "${out:?}/$k"
	mkdir -p "$out/$k"
	log "bench-ksm: booting the $k kernel: $vmas VMAs, $mappings mappings, $runs migrations (~3 min)"
	"$TOP/scripts/guest-boot.sh" "${kernel[$k]}" "$out/$k" 1200 \
		"$out/ksm-rmap-bench -n $vmas -m $mappings -r $runs" >"$out/$k/bench.out" || true
	line=$(grep '^ksm-rmap-bench: vmas=' "$out/$k/bench.out" || true)
	if [ -z "$line" ]; then
		cat "$out/$k/bench.out" >&2
		die "bench-ksm: no result from the $k kernel (console: $out/$k/console.log)"
	fi
	echo "$k: $line"
	min[$k]=$(sed -n 's/.* min_us=\([0-9.]*\).*/\1/p' <<<"$line")
	median[$k]=$(sed -n 's/.* median_us=\([0-9.]*\).*/\1/p' <<<"$line")
done

printf '\nKSM page migration, %s VMAs sharing one anon_vma, %s mappings, %s runs\n' \
	"$vmas" "$mappings" "$runs"
printf '%-8s %12s %12s\n' kernel "min (us)" "median (us)"
for k in base patched; do
	printf '%-8s %12s %12s\n' "$k" "${min[$k]}" "${median[$k]}"
done
awk -v bm="${min[base]}" -v pm="${min[patched]}" \
    -v bd="${median[base]}" -v pd="${median[patched]}" \
	'BEGIN { printf "%-8s %11.1fx %11.1fx\n", "ratio", bm / pm, bd / pd }'
