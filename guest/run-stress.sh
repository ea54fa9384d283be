#!/bin/bash
# Runs INSIDE the debug guest (booted by scripts/stress.sh through vng):
# zram swap (so that MADV_PAGEOUT reclaims anon pages), ksmd scanning fast,
# then tools/stress-rmap and Debian's stress-ng side by side for SECONDS.
# Writes OUT/stress-rmap.log, OUT/stress-ng.log, their .rc, OUT/swapoff.rc,
# OUT/dmesg.txt and OUT/done.
#
# usage: run-stress.sh STRESS_RMAP_BINARY OUT_DIR SECONDS
set -uo pipefail

bin=$1 out=$2 secs=$3
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.rc "$out/dmesg.txt" "$out/done"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
work=$(mktemp -d /tmp/stress.XXXXXX)
cd "$work" || exit 1

if [ -e /sys/block/zram0/disksize ]; then
	echo 768M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 &&
		echo "guest: swap on zram0 (768M)"
fi
echo 1000 >/sys/kernel/mm/ksm/pages_to_scan
echo 20 >/sys/kernel/mm/ksm/sleep_millisecs
echo 1 >/sys/kernel/mm/ksm/run
echo "guest: $(ls -d /sys/devices/system/node/node* | wc -l) NUMA nodes, $(nproc) CPUs, THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"

echo "guest: stress-rmap and stress-ng for $secs s"
"$bin" -t "$secs" -w 2 -m 32 >"$out/stress-rmap.log" 2>&1 &
rmap_pid=$!
# Evidence that the run reached the paths it is for: KSM merging, swap-out,
# migration and THP splits, sampled half-way (the counters are global).
{ sleep $((secs / 2)); grep -H . /sys/kernel/mm/ksm/pages_sharing /sys/kernel/mm/ksm/full_scans
  grep -E '^(pswpout|pswpin|pgmigrate_success|thp_split_page|thp_fault_alloc|ksm_)' /proc/vmstat; } >"$out/midrun.txt" 2>&1 &
stress_ng_rc=0
# Not stress-ng's madvise stressor: it injects hardware poison
# (MADV_HWPOISON), and under the debug kernel it dies of that, on the base
# kernel as on the patched one (2026-11-23). stress-rmap does MADV_PAGEOUT.
if command -v stress-ng >/dev/null; then
	timeout -k 10 $((secs + 120)) stress-ng --timeout "${secs}s" --verify --metrics-brief \
		--mremap 1 --mmapfork 1 --mprotect 1 --fork 1 --vm 1 \
		--vm-bytes 64M --temp-path "$work" >"$out/stress-ng.log" 2>&1
	stress_ng_rc=$?
else
	echo "stress-ng is not installed on the host" >"$out/stress-ng.log"
	stress_ng_rc=127
fi
echo "$stress_ng_rc" >"$out/stress-ng.rc"
wait "$rmap_pid"
echo $? >"$out/stress-rmap.rc"
echo "guest: stress-rmap exit $(cat "$out/stress-rmap.rc"), stress-ng exit $stress_ng_rc"
echo "guest: half-way: $(sed 's|.*/||' "$out/midrun.txt" | tr '\n' ' ')"

echo 2 >/sys/kernel/mm/ksm/run	# unmerge everything
rc=0
swapoff -a || rc=$?		# brings every swapped-out page back in
echo "$rc" >"$out/swapoff.rc"
dmesg >"$out/dmesg.txt"
touch "$out/done"
