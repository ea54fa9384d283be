#!/usr/bin/env bash
# The KSM rmap reproducer of Part 3: boot the base and the patched guest
# kernel (scripts/guest-kernel.sh, the kernels of `make guest-test`) under
# QEMU/TCG with vng, 2 NUMA nodes (scripts/guest-boot.sh), run
# tools/ksm-rmap-bench in each and print min/median migration times and the
# base/patched ratio. A benchmark, not a test: it fails only when a run fails,
# never on the ratio.
#
# env: BENCH_VMAS (default 20000)       VMAs sharing the KSM page's anon_vma
#      BENCH_MAPPINGS (default "2 64")  mappings of the KSM page: one
#                                       measurement per value, same boot
#      BENCH_RUNS (default 21)          timed migrations per measurement
set -euo pipefail
. "$(dirname "$0")/lib.sh"

vmas=${BENCH_VMAS:-20000}
read -ra mappings <<<"${BENCH_MAPPINGS:-2 64}"
runs=${BENCH_RUNS:-21}
for v in "$vmas" "${mappings[@]}" "$runs"; do
	[[ $v =~ ^[0-9]+$ ]] || die "bench-ksm: '$v' is not a number (BENCH_VMAS, BENCH_MAPPINGS, BENCH_RUNS)"
done
[ ${#mappings[@]} -gt 0 ] || die "bench-ksm: BENCH_MAPPINGS is empty"
out=$BUILD/bench-ksm

bench_setup bench-ksm ksm-rmap-bench "$out"

declare -A kernel
for k in patched base; do
	log "bench-ksm: building the $k guest kernel (cold: ~15 min)"
	kernel[$k]=$("$TOP/scripts/guest-kernel.sh" "$k")
done

# One guest per kernel, one measurement per mapping count; a failed one
# stops the guest's loop.
cmd="set -e"
for m in "${mappings[@]}"; do
	cmd+="; $out/ksm-rmap-bench -n $vmas -m $m -r $runs"
done

declare -A min median
for k in base patched; do
	rm -rf "${out:?}/$k"
	mkdir -p "$out/$k"
	log "bench-ksm: booting the $k kernel: $vmas VMAs, ${mappings[*]} mappings, $runs migrations each (~2 min)"
	"$TOP/scripts/guest-boot.sh" "${kernel[$k]}" "$out/$k" 1200 "$cmd" >"$out/$k/bench.out" 2>&1 || true
	for m in "${mappings[@]}"; do
		line=$(grep "^ksm-rmap-bench: vmas=$vmas mappings=$m " "$out/$k/bench.out" || true)
		if [ -z "$line" ]; then
			cat "$out/$k/bench.out" >&2
			die "bench-ksm: no result for $m mappings from the $k kernel (console: $out/$k/console.log)"
		fi
		echo "$k: $line"
		min[$k,$m]=$(sed -n 's/.* min_us=\([0-9.]*\).*/\1/p' <<<"$line")
		median[$k,$m]=$(sed -n 's/.* median_us=\([0-9.]*\).*/\1/p' <<<"$line")
	done
done

printf '\nKSM page migration time, %s VMAs sharing one anon_vma, %s runs each (microseconds)\n' \
	"$vmas" "$runs"
printf '%-9s %12s %12s %12s %12s %9s %9s\n' mappings "base min" "base median" \
	"patched min" "patch. med." "ratio min" "ratio med"
for m in "${mappings[@]}"; do
	awk -v m="$m" -v bm="${min[base,$m]}" -v pm="${min[patched,$m]}" \
	    -v bd="${median[base,$m]}" -v pd="${median[patched,$m]}" \
		'BEGIN { printf "%-9s %12.1f %12.1f %12.1f %12.1f %8.1fx %8.1fx\n", m, bm, bd, pm, pd, bm / pm, bd / pd }'
done
