#!/usr/bin/env bash
# Where the time of bench-mem's time workload goes, base vs patched: boot
# each guest kernel (those of `make guest-test`) under QEMU/TCG, record the
# workload with perf (cpu-clock, call graphs) and print, per kernel, the
# samples inside each kernel path the stack changes (a fault, mmap, fork,
# exit, munmap, mprotect) and inside each rmap function it touches, with the
# ratio patched/base, and the samples with any of those rmap functions on
# their stack. A TCG guest's wall-clock times move from boot to boot by more
# than the stack's own cost, and so do the samples of a whole path (most of
# a fault is clearing the page, of a munmap freeing it); the samples of the
# rmap functions say what the stack's own code costs. A benchmark, not a
# test: it fails only when a run fails.
#
# env: BENCH_REGIONS (default 10000), BENCH_RUNS (default 5): the time
#      workload's regions and runs (see tools/anon-mem-bench)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

regions=${BENCH_REGIONS:-10000}
runs=${BENCH_RUNS:-5}
for v in "$regions" "$runs"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "bench-profile: '$v' is not a positive number (BENCH_REGIONS, BENCH_RUNS)"
done
out=$BUILD/bench-profile
perf=$(command -v perf) || die "bench-profile: no perf; run scripts/guest-deps.sh (Debian's linux-perf)"

bench_setup bench-profile anon-mem-bench "$out"

# Kernel paths (a sample counts for a path when the symbol is on its stack)
# and the rmap functions the stack adds or changes.
paths=(handle_mm_fault do_mmap dup_mmap exit_mmap do_vmi_align_munmap mprotect_fixup)
rmap=(__anon_vma_prepare anon_vma_clone anon_vma_fork unlink_anon_vmas
	anon_vma_home_only_materialize anon_vma_home_munmap_begin
	anon_vma_home_munmap_end folio_add_new_anon_rmap folio_remove_rmap_ptes
	vm_area_free)

for k in base patched; do
	kernel=$("$TOP/scripts/guest-kernel.sh" "$k")
	d=$out/$k
	rm -rf "$d"
	mkdir -p "$d"
	# A first run, not recorded, touches the guest's RAM: QEMU backs it
	# on first touch, and that host fault would count as page clearing in
	# the first run's faults. perf writes into the guest's /tmp (a tmpfs):
	# its file is only whole once it exits, which a 9p write-back does
	# not always see.
	cat >"$d/guest.sh" <<-EOF
	set -e
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	echo 0 >/proc/sys/kernel/kptr_restrict
	$(printf %q "$out/anon-mem-bench") time -n $regions -r $runs >/dev/null
	$(printf %q "$perf") record -q -e cpu-clock -F 2000 -g -o /tmp/perf.data -- \\
		$(printf %q "$out/anon-mem-bench") time -n $regions -r $runs
	cp /tmp/perf.data $(printf %q "$d/perf.data")
	cat /proc/kallsyms >$(printf %q "$d/kallsyms")
	EOF
	log "bench-profile: booting the $k kernel: perf record of $runs timed runs over $regions regions"
	"$TOP/scripts/guest-boot.sh" "$kernel" "$d" 1800 "bash $(printf %q "$d/guest.sh")" >"$d/bench.out" 2>&1 ||
		{ cat "$d/bench.out" >&2; die "bench-profile: the $k guest failed (console: $d/console.log)"; }
	grep '^anon-mem-bench: workload=time ' "$d/bench.out" | sed "s/^/$k: /"
	# Per symbol, the samples with it on their stack; "all": every sample.
	"$perf" script -i "$d/perf.data" --kallsyms="$d/kallsyms" -F ip,sym 2>/dev/null |
		awk -v syms="${paths[*]} ${rmap[*]}" -v rmap="${rmap[*]}" '
			function flush(s) {
				if (!in_stack) return
				total++
				for (s in seen) count[s]++
				if (any_rmap) rmap_total++
				delete seen
				in_stack = any_rmap = 0
			}
			BEGIN {
				n = split(syms, list, " "); for (i = 1; i <= n; i++) want[list[i]] = 1
				m = split(rmap, r, " "); for (i = 1; i <= m; i++) is_rmap[r[i]] = 1
			}
			/^[[:space:]]*$/ { flush(); next }
			{
				in_stack = 1
				if ($2 in want) seen[$2] = 1
				if ($2 in is_rmap) any_rmap = 1
			}
			END {
				flush()
				print "all", total + 0
				for (i = 1; i <= n; i++) print list[i], count[list[i]] + 0
				print "any_rmap_function", rmap_total + 0
			}' >"$d/samples.txt"
	[ "$(awk '$1 == "all" { print $2 }' "$d/samples.txt")" -gt 0 ] ||
		die "bench-profile: no samples in the $k run (perf script of $d/perf.data)"
done

printf '\nsamples of cpu-clock at 2 kHz of guest time, %s runs over %s regions, per kernel\n' "$runs" "$regions"
printf 'path or function (a sample counts where it is on the stack); ratio patched/base\n'
printf '%-32s %10s %10s %8s\n' "kernel path / function" base patched ratio
for s in all "${paths[@]}" - "${rmap[@]}" any_rmap_function; do
	if [ "$s" = - ]; then echo "rmap functions:"; continue; fi
	b=$(awk -v s="$s" '$1 == s { print $2 }' "$out/base/samples.txt")
	p=$(awk -v s="$s" '$1 == s { print $2 }' "$out/patched/samples.txt")
	awk -v s="$s" -v b="$b" -v p="$p" 'BEGIN {
		printf "%-32s %10d %10d %8s\n", s, b, p, (b > 0 ? sprintf("%.3f", p / b) : "n/a") }'
done
