#!/usr/bin/env bash
# The slab-usage benchmark of Part 5 (lazy anon_vma): boot the base and the
# patched guest kernel (scripts/guest-kernel.sh, the kernels of `make
# guest-test`) under QEMU/TCG with vng (scripts/guest-boot.sh, with
# slab_nomerge so that anon_vma_chain keeps a cache of its own): once each
# with slab_debug=U on the three caches, so that the slab workloads
# count objects exactly, and BENCH_BOOTS times without, alternating base and
# patched, for the timings. Run
# tools/anon-mem-bench in each and print, per workload, the slab objects and
# bytes of anon_vma, anon_vma_chain and vm_area_struct on each kernel and the
# ratio patched/base, then the timings and their ratio. Workloads: census
# (real programs: python3 with threads, perl, bash, alive at once, under each
# THP setting of $census_modes, with the lazy layer's /proc/vmstat events),
# regions, split, forktree, exec (a C compile; skipped when the guest has no
# gcc), time and contend (first faults of one mm's threads at once, and a
# fork server's children, where VMAs that share a home contend for its lock;
# see the comment at the top of tools/anon-mem-bench/anon-mem-bench.c).
# A benchmark, not a test: it fails only when a run fails, never on the
# numbers; the targets (regions and split: anon_vma and anon_vma_chain <= 1%
# of the base; census: anon_vma <= 10%, anon_vma_chain <= 25%, AnonHugePages
# >= the base's; vm_area_struct bytes unchanged) are printed for information
# only.
#
# env: BENCH_REGIONS (default 10000)  regions of 4 pages in each workload;
#                                     forktree needs BENCH_REGIONS * 16 KiB
#                                     per process (2.4 GiB for the defaults,
#                                     of the guest's 4 GiB)
#      BENCH_RUNS (default 11)        timed repeats of the time workload in
#                                     each boot
#      BENCH_BOOTS (default 3)        timing boots of each kernel: a TCG
#                                     guest's times move from boot to boot
#                                     by more than the stack's cost, so the
#                                     table gives the median over boots of
#                                     each boot's median, and the spread
#                                     of the base's boots
#      BENCH_DEPTH (default 3)        forktree depth: 2^(D+1) - 1 processes
#      BENCH_PROCS (default 10)       census: processes of each program
#      BENCH_CENSUS_RUNS (default 3)  census: runs of each THP setting; the
#                                     tables give each count's median (the
#                                     THP faults of one run move by 2x
#                                     between runs of one kernel: python's
#                                     thread arenas) and AnonHugePages'
#                                     range
#      GUEST_CMDLINE                  more kernel parameters, after slab_nomerge
#      DEBUG=1                        the debug kernels of `make guest-test
#                                     DEBUG=1` instead: the slab counts hold,
#                                     the times do not (KASAN, lockdep)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

regions=${BENCH_REGIONS:-10000}
runs=${BENCH_RUNS:-11}
boots=${BENCH_BOOTS:-3}
depth=${BENCH_DEPTH:-3}
procs=${BENCH_PROCS:-10}
census_runs=${BENCH_CENSUS_RUNS:-3}
for v in "$regions" "$runs" "$depth" "$procs" "$boots" "$census_runs"; do
	[[ $v =~ ^[0-9]+$ ]] || die "bench-mem: '$v' is not a number (BENCH_REGIONS, BENCH_RUNS, BENCH_DEPTH, BENCH_PROCS, BENCH_BOOTS, BENCH_CENSUS_RUNS)"
done
regions=$((10#$regions)) runs=$((10#$runs)) depth=$((10#$depth)) procs=$((10#$procs)) boots=$((10#$boots))
census_runs=$((10#$census_runs))
[ "$census_runs" -ge 1 ] || die "bench-mem: BENCH_CENSUS_RUNS=$census_runs: want 1 or more"
[ "$boots" -ge 1 ] || die "bench-mem: BENCH_BOOTS=$boots: want 1 or more"
[ "$procs" -ge 1 ] || die "bench-mem: BENCH_PROCS=$procs: want 1 or more"
[ "$regions" -ge 1 ] || die "bench-mem: BENCH_REGIONS=$regions: want 1 or more"
[ "$runs" -ge 1 ] || die "bench-mem: BENCH_RUNS=$runs: want 1 or more"
[ "$depth" -le 10 ] || die "bench-mem: BENCH_DEPTH=$depth: want 0 to 10"
flavour=
[ "${DEBUG:-0}" = 1 ] && flavour=debug
out=$BUILD/bench-mem${flavour:+-$flavour}
bin=$out/anon-mem-bench
# The exec workload compiles a file of ours (with the host's gcc and headers,
# which the guest sees over 9p).
src=$TOP/tools/stress-rmap/stress-rmap.c
lazy=/sys/kernel/mm/anon_vma_lazy/enabled
slab_workloads=(regions split forktree exec)
# census: THP settings, as distributions ship them (Debian and Fedora:
# always) and as the guests of `make guest-test` run (madvise);
# always+64k also enables the 64 KiB mTHP size.
census_modes=(never madvise always always+64k)
thp=/sys/kernel/mm/transparent_hugepage
# contend: a quarter of the regions (its fork server's children write every
# page of them), at least 16; and the children of the fork server.
contend_regions=$((regions / 4 > 16 ? regions / 4 : 16))
contend_children=4

bench_setup bench-mem anon-mem-bench "$out"
[ -f "$src" ] || die "bench-mem: $src is missing"

declare -A kernel
for k in patched base; do
	log "bench-mem: building the $k guest kernel (cold: ~15 min)"
	kernel[$k]=$("$TOP/scripts/guest-kernel.sh" "$k" ${flavour:+"$flavour"})
done

# The guest's script for kernel $1: every workload in one boot; a failed one
# stops the rest (set -e). The "guest:" lines say how the guest was set up;
# the "anon-mem-bench:" lines are the results. Stderr joins stdout, so that
# warnings and errors land in bench.out next to the results (the guest's
# stderr would go to console.log). The script goes into a file that the guest
# runs, since vng passes the command on the kernel command line, which is
# 2048 bytes at most on x86.
# Two boots of each kernel: "slab", with slab_debug=U on the three caches so
# that anon-mem-bench counts their objects exactly (see its header), for the
# slab workloads; and "time", without it, for the timings.
guest_script() {
	local b d
	b=$(printf %q "$bin")
	d=$(printf %q "$out/$1/$2")
	echo "set -e"
	echo "exec 2>&1"
	echo "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"
	# shellcheck disable=SC2016 # $(cat ...) is for the guest to expand
	printf 'if [ -e %s ]; then echo "guest: anon_vma_lazy enabled=$(cat %s)"; else echo "guest: no %s"; fi\n' \
		"$lazy" "$lazy" "$lazy"
	echo 'if grep -qw slab_nomerge /proc/cmdline; then echo "guest: slab_nomerge"; else echo "guest: no slab_nomerge"; fi'
	if [ "$2" = time ]; then
		# The object sizes without slab_debug's metadata, for the bytes.
		echo "printf 'guest: objsize'; for c in anon_vma anon_vma_chain vm_area_struct; do awk -v c=\$c '\$1 == c { printf \" %s=%s\", c, \$4 }' /proc/slabinfo; done; echo"
		echo "$b time -n $regions -r $runs"
		# Contention for a home: one thread per vCPU.
		echo "$b contend -n $contend_regions -t \$(nproc) -c $contend_children -r $runs"
		return
	fi
	# census first, on the idle system; the THP setting back to the
	# guest's default afterwards.
	printf 'thp_was=$(sed "s/.*\\[\\(.*\\)\\].*/\\1/" %s/enabled)\n' "$thp"
	for m in "${census_modes[@]}"; do
		echo "echo ${m%+64k} >$thp/enabled"
		echo "if [ -e $thp/hugepages-64kB/enabled ]; then echo $([ "$m" = always+64k ] && echo always || echo never) >$thp/hugepages-64kB/enabled; fi"
		echo "for _ in $(seq -s ' ' 1 "$census_runs"); do $b census -n $procs -l $m; done"
	done
	echo "if [ -e $thp/hugepages-64kB/enabled ]; then echo never >$thp/hugepages-64kB/enabled; fi"
	# shellcheck disable=SC2016 # $thp_was is for the guest to expand
	echo 'echo "$thp_was" >'"$thp/enabled"
	echo "$b regions -n $regions"
	echo "$b split -n $regions"
	echo "$b forktree -n $regions -d $depth"
	echo "if command -v gcc >/dev/null; then"
	echo "	$b exec -- gcc -O2 -c $(printf %q "$src") -o $d/exec.o"
	echo "else"
	echo '	echo "guest: no gcc in the guest: workload exec skipped"'
	echo "fi"
}

# median_line: from lines of the same fields (one workload run several
# times), one line: each integer field the median of its values (the lower
# of the middle two for an even count), the others as in the first line;
# then anon_huge_kb_min=, anon_huge_kb_max= and runs=.
median_line() {
	awk '
		{
			for (i = 1; i <= NF; i++) {
				if (NR == 1) tok[++nt] = $i
				if (split($i, kv, "=") == 2 && kv[2] ~ /^-?[0-9]+$/)
					val[kv[1], NR] = kv[2] + 0
			}
		}
		END {
			for (t = 1; t <= nt; t++) {
				if (split(tok[t], kv, "=") != 2 || kv[2] !~ /^-?[0-9]+$/) {
					out = out (t > 1 ? " " : "") tok[t]
					continue
				}
				for (i = 1; i <= NR; i++) v[i] = val[kv[1], i]
				for (i = 2; i <= NR; i++)	# insertion sort: a few runs
					for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
						x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
					}
				out = out " " kv[1] "=" v[int((NR + 1) / 2)]
				if (kv[1] == "anon_huge_kb")
					range = sprintf(" anon_huge_kb_min=%d anon_huge_kb_max=%d", v[1], v[NR])
			}
			print out range " runs=" NR
		}'
}

# field LINE NAME: the value of NAME=... in LINE
field() {
	sed -n "s/.* $2=\([-0-9.]*\).*/\1/p" <<<"$1"
}

declare -A result
skipped_exec=0
slab_debug="slab_debug=U,anon_vma,anon_vma_chain,vm_area_struct"

# boot K PART DIR: one boot of kernel K for PART (slab or time) in DIR; its
# output is appended to build/bench-mem/K/bench.out.
boot() {
	local k=$1 part=$2 dir=$3 cmdline rc=0
	mkdir -p "$dir"
	if [ "$part" = slab ]; then
		cmdline="slab_nomerge $slab_debug"
	else
		cmdline="slab_nomerge"
	fi
	guest_script "$k" "$part" >"$dir/guest.sh"
	GUEST_CMDLINE="$cmdline ${GUEST_CMDLINE:-}" \
		"$TOP/scripts/guest-boot.sh" "${kernel[$k]}" "$dir" 3600 \
		"bash $(printf %q "$dir/guest.sh")" >"$dir/bench.out" 2>&1 || rc=$?
	cat "$dir/bench.out" >>"$out/$k/bench.out"
	[ $rc = 0 ] || { cat "$dir/bench.out" >&2; die "bench-mem: the $k guest ($part) failed (exit $rc; console: $dir/console.log)"; }
}

for k in base patched; do
	rm -rf "${out:?}/$k"
	mkdir -p "$out/$k"
	: >"$out/$k/bench.out"
	log "bench-mem: booting the $k kernel ($slab_debug): $regions regions, forktree depth $depth, exec"
	boot "$k" slab "$out/$k/slab"
done
# The timing boots alternate, so that a slow spell of the host does not
# fall on one kernel alone.
for i in $(seq 1 "$boots"); do
	for k in base patched; do
		log "bench-mem: booting the $k kernel (timing boot $i of $boots): $runs timed runs over $regions regions"
		boot "$k" time "$out/$k/time-$i"
		for w in time contend; do
			line=$(grep "^anon-mem-bench: workload=$w " "$out/$k/time-$i/bench.out" || true)
			[ -n "$line" ] || die "bench-mem: no result for workload $w from the $k kernel (console: $out/$k/time-$i/console.log)"
			result[$k,$w,$i]=$line
		done
	done
done

for k in base patched; do
	grep -E '^(guest|anon-mem-bench: (warning|note)): ' "$out/$k/bench.out" | awk -v k="$k" '!seen[$0]++ { print k ": " $0 }' || true
	for w in "${census_modes[@]/#/census:}" "${slab_workloads[@]}"; do
		if [ "$w" = exec ] && grep -q '^guest: no gcc' "$out/$k/bench.out"; then
			skipped_exec=1
			continue
		fi
		case $w in
		census:*) head="anon-mem-bench: workload=census mode=${w#census:} " ;;
		*)        head="anon-mem-bench: workload=$w " ;;
		esac
		line=$(awk -v h="$head" 'index($0, h) == 1' "$out/$k/bench.out")
		case $w in census:*) [ -z "$line" ] || line=$(median_line <<<"$line") ;; esac
		if [ -z "$line" ]; then
			cat "$out/$k/bench.out" >&2
			die "bench-mem: no result for workload $w from the $k kernel (console: $out/$k/*/console.log)"
		fi
		echo "$k: $line"
		if [ "$w" = exec ] && [ "$(field "$line" status)" != 0 ]; then
			cat "$out/$k/bench.out" >&2
			die "bench-mem: the compile of workload exec failed in the $k kernel (status $(field "$line" status))"
		fi
		# Bytes at the object size of the boot without slab_debug.
		for c in anon_vma anon_vma_chain vm_area_struct; do
			size=$(sed -n "s/^guest: objsize.* $c=\([0-9]*\).*/\1/p" "$out/$k/bench.out" | head -n 1)
			[ -n "$size" ] || die "bench-mem: no object size of $c from the $k kernel"
			objs=$(field "$line" "$c")
			[ "$objs" = -1 ] || line=$(sed "s/ ${c}_bytes=[-0-9]*/ ${c}_bytes=$((objs * size))/" <<<"$line")
		done
		result[$k,$w]=$line
	done
done

case $(sed -n 's/^guest: anon_vma_lazy enabled=//p' "$out/patched/bench.out" | sort -u) in
1)	echo "patched guest: lazy anon_vma on ($lazy = 1)" ;;
0)	echo "patched guest: NOTE: lazy anon_vma is OFF ($lazy = 0): the patched numbers are those of eager anon_vmas" ;;
*)	echo "patched guest: NOTE: no $lazy (CONFIG_ANON_VMA_LAZY off?): the patched numbers are those of eager anon_vmas" ;;
esac

# slab_table W: objects and bytes of the three caches on each kernel for
# workload W (deltas over the workload, peaks for exec) and the ratio
# patched/base. "missing": the cache is not in the guest's /proc/slabinfo
# (anon-mem-bench's warning is in build/bench-mem/<kernel>/bench.out).
slab_table() {
	local w=$1 c
	printf '%-15s %12s %12s %8s %14s %14s %8s\n' cache "base objs" "patched objs" ratio \
		"base bytes" "patched bytes" ratio
	for c in anon_vma anon_vma_chain vm_area_struct; do
		awk -v c="$c" -v bo="$(field "${result[base,$w]}" "$c")" \
		    -v po="$(field "${result[patched,$w]}" "$c")" \
		    -v bb="$(field "${result[base,$w]}" "${c}_bytes")" \
		    -v pb="$(field "${result[patched,$w]}" "${c}_bytes")" '
			function r(b, p) { return b > 0 ? sprintf("%.3f", p / b) : "n/a" }
			BEGIN {
				# A missing cache is reported as objs=-1 bytes=-1; a
				# real delta of -1 object has bytes=-objsize.
				if (bb == -1 || pb == -1) {
					printf "%-15s %12s %12s %8s %14s %14s %8s\n", c,
						bb == -1 ? "missing" : bo, pb == -1 ? "missing" : po, "n/a",
						bb == -1 ? "missing" : bb, pb == -1 ? "missing" : pb, "n/a"
					exit
				}
				printf "%-15s %12d %12d %8s %14d %14d %8s\n", c, bo, po, r(bo, po),
					bb, pb, r(bb, pb)
			}'
	done
}

# One table per THP setting for the census, with its targets (informational)
# and the lazy layer's events on the patched kernel: every anon_vma that
# remains should have a cause among them.
for m in "${census_modes[@]}"; do
	w=census:$m
	printf '\nworkload census, THP %s: %s python3 (4 threads each), %s perl, %s bash, alive at once (deltas over the idle guest; medians of %s runs)\n' \
		"$m" "$procs" "$procs" "$procs" "$census_runs"
	slab_table "$w"
	awk -v bh="$(field "${result[base,$w]}" anon_huge_kb)" -v ph="$(field "${result[patched,$w]}" anon_huge_kb)" \
	    -v bt="$(field "${result[base,$w]}" thp_fault_alloc)" -v pt="$(field "${result[patched,$w]}" thp_fault_alloc)" \
	    -v bm="$(field "${result[base,$w]}" mthp64k_fault_alloc)" -v pm="$(field "${result[patched,$w]}" mthp64k_fault_alloc)" \
	    -v bl="$(field "${result[base,$w]}" anon_huge_kb_min)" -v bu="$(field "${result[base,$w]}" anon_huge_kb_max)" \
	    -v pl="$(field "${result[patched,$w]}" anon_huge_kb_min)" -v pu="$(field "${result[patched,$w]}" anon_huge_kb_max)" '
		function r(b, p) { return b > 0 ? sprintf("%.3f", p / b) : "n/a" }
		BEGIN {
			printf "%-15s %12d %12d %8s   AnonHugePages kB (range: base %d-%d, patched %d-%d)\n", "meminfo", bh, ph, r(bh, ph), bl, bu, pl, pu
			printf "%-15s %12d %12d %8s   thp_fault_alloc\n", "vmstat", bt, pt, r(bt, pt)
			printf "%-15s %12d %12d %8s   64 KiB anon_fault_alloc\n", "mthp", bm, pm, r(bm, pm)
		}'
	awk -v ba="$(field "${result[base,$w]}" anon_vma)" -v pa="$(field "${result[patched,$w]}" anon_vma)" \
	    -v bc="$(field "${result[base,$w]}" anon_vma_chain)" -v pc="$(field "${result[patched,$w]}" anon_vma_chain)" \
	    -v bv="$(field "${result[base,$w]}" vm_area_struct_bytes)" -v pv="$(field "${result[patched,$w]}" vm_area_struct_bytes)" \
	    -v bh="$(field "${result[base,$w]}" anon_huge_kb)" -v ph="$(field "${result[patched,$w]}" anon_huge_kb)" '
		function t(what, ok, got) { printf "  %-44s %-8s %s\n", what, ok ? "met" : "NOT met", got }
		BEGIN {
			print "targets (informational, not checked):"
			t("anon_vma <= 10% of the base", pa <= ba / 10, sprintf("(%d vs %d)", pa, ba))
			t("anon_vma_chain <= 25% of the base", pc <= bc / 4, sprintf("(%d vs %d)", pc, bc))
			t("AnonHugePages >= the base", ph >= bh, sprintf("(%d kB vs %d kB)", ph, bh))
			t("vm_area_struct bytes <= the base", pv <= bv, sprintf("(%d vs %d)", pv, bv))
		}'
	events=$(grep -o 'vmstat\.anon_vma_lazy_[a-z_]*=[0-9-]*' <<<"${result[patched,$w]}" |
		sed 's/^vmstat\.anon_vma_lazy_//' | grep -v '=0$' | tr '\n' ' ' || true)
	echo "patched anon_vma_lazy_* events: ${events:-none (no counters: CONFIG_ANON_VMA_LAZY off?)}"
	# Each refusal and each upgrade gives a VMA an anon_vma (a fork's
	# child VMAs get theirs from the fork), its own or its mm's home:
	# their sum, at least the anon_vmas that remain, says that every one
	# has a named cause.
	# (none, and no line, when the patched kernel has no such counters)
	{ grep -o 'vmstat\.anon_vma_lazy_\(refuse\|upgrade\)_[a-z_]*=[0-9-]*' <<<"${result[patched,$w]}" || true; } |
		awk -F= -v pa="$(field "${result[patched,$w]}" anon_vma)" '
			{ n += $2 }
			END { if (NR) printf "patched VMAs given an anon_vma (refusals + upgrades; several may share one home): %d, for %d anon_vmas\n", n, pa }'
done

# One table per slab workload.
for w in "${slab_workloads[@]}"; do
	if [ "$w" = exec ] && [ $skipped_exec = 1 ]; then
		printf '\nworkload exec: skipped (no gcc in the guest)\n'
		continue
	fi
	how="delta over the run"
	case $w in
	regions)  what="$regions regions of 4 pages, every page written" ;;
	split)    what="$regions regions, each split into 3 VMAs by mprotect()" ;;
	forktree) what="$regions regions, fork tree of depth $depth ($(field "${result[base,$w]}" procs) processes), every page written by every process" ;;
	exec)     what="gcc -O2 -c ${src#"$TOP"/}"; how="peak delta while it runs" ;;
	esac
	printf '\nworkload %s: %s (slab objects and bytes, %s)\n' "$w" "$what" "$how"
	slab_table "$w"
done

# The targets of Part 5, for workloads regions and split: informational only.
for w in regions split; do
	printf '\ntargets for workload %s (informational, not checked):\n' "$w"
	for c in anon_vma anon_vma_chain vm_area_struct; do
		awk -v c="$c" -v bo="$(field "${result[base,$w]}" "$c")" \
		    -v po="$(field "${result[patched,$w]}" "$c")" \
		    -v bb="$(field "${result[base,$w]}" "${c}_bytes")" \
		    -v pb="$(field "${result[patched,$w]}" "${c}_bytes")" '
			BEGIN {
				if (c == "vm_area_struct") {
					want = "bytes unchanged (within 1% of the base, for noise)"
					ok = pb - bb <= bb / 100 && bb - pb <= bb / 100
					got = sprintf("%d bytes vs %d", pb, bb)
				} else {
					want = "<= 1% of the base"
					ok = po <= bo / 100
					got = sprintf("%d objects vs %d", po, bo)
				}
				if (bb == -1 || pb == -1)
					printf "  %-15s %-52s unknown (cache missing)\n", c, want
				else
					printf "  %-15s %-52s %s (%s)\n", c, want, ok ? "met" : "NOT met", got
			}'
	done
done

# The timings: for each kernel, the median over its boots of each boot's
# median over $runs runs, and the least min; the ratio patched/base; the
# median of the ratios of each pair of boots (base i, patched i: booted one
# after the other, so a slow spell of the host weighs on both); and the
# base's spread from boot to boot ((max - min) / median of its boot medians):
# a ratio within that spread of 1 is no measured difference.
printf '\nworkload time: %s regions, %s runs in each of %s boots per kernel (microseconds;\n' \
	"$regions" "$runs" "$boots"
printf 'ratio patched/base, < 1 is faster; mprotect_small/_1g: one page in the middle\n'
printf 'of a populated 64 KiB (a run: the median of SMALL_SPLITS) / 1 GiB mapping;\n'
printf 'fault1/faultT/forkserver: workload\n'
printf 'contend, %s regions, first faults by 1 thread and by %s threads of one\n' \
	"$contend_regions" "$(field "${result[base,contend,1]}" threads)"
printf 'process at once, and %s children of a fork server that write every page)\n' "$contend_children"
printf '%-15s %12s %12s %9s %12s %12s %9s %9s %12s\n' step "base median" "patch. med." "ratio med" \
	"base min" "patched min" "ratio min" "paired" "base spread"
for s in fault forkexit munmap mprotect_small mprotect_1g fault1 faultT forkserver; do
	bmed=() pmed=() bmin=() pmin=()
	w="time"
	case $s in fault1 | faultT | forkserver) w=contend ;; esac
	for i in $(seq 1 "$boots"); do
		bmed+=("$(field "${result[base,$w,$i]}" "${s}_median_us")")
		pmed+=("$(field "${result[patched,$w,$i]}" "${s}_median_us")")
		bmin+=("$(field "${result[base,$w,$i]}" "${s}_min_us")")
		pmin+=("$(field "${result[patched,$w,$i]}" "${s}_min_us")")
	done
	awk -v s="$s" -v bd="${bmed[*]}" -v pd="${pmed[*]}" -v bm="${bmin[*]}" -v pm="${pmin[*]}" '
		function sort(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		}
		function median(str,   a, n) {
			n = split(str, a, " "); sort(a, n)
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function least(str,   a, n) { n = split(str, a, " "); sort(a, n); return a[1] }
		function most(str,   a, n) { n = split(str, a, " "); sort(a, n); return a[n] }
		function r(b, p) { return b > 0 ? sprintf("%.3f", p / b) : "n/a" }
		BEGIN {
			b = median(bd); p = median(pd)
			spread = b > 0 ? sprintf("%.1f%%", 100 * (most(bd) - least(bd)) / b) : "n/a"
			n = split(bd, ba, " "); split(pd, pa, " "); pairs = ""
			for (i = 1; i <= n; i++)
				if (ba[i] > 0)
					pairs = pairs " " pa[i] / ba[i]
			printf "%-15s %12.1f %12.1f %9s %12.1f %12.1f %9s %9s %12s\n", s, b, p, r(b, p),
				least(bm), least(pm), r(least(bm), least(pm)),
				pairs == "" ? "n/a" : sprintf("%.3f", median(pairs)), spread
		}'
done
for k in base patched; do
	printf '%s boot medians (fault, forkexit, munmap):' "$k"
	for i in $(seq 1 "$boots"); do
		printf ' %s/%s/%s' "$(field "${result[$k,time,$i]}" fault_median_us)" \
			"$(field "${result[$k,time,$i]}" forkexit_median_us)" \
			"$(field "${result[$k,time,$i]}" munmap_median_us)"
	done
	echo
done
