#!/bin/bash
# Runs INSIDE the guest (booted by scripts/guest-test.sh through vng): the mm
# selftests, one at a time, each under a timeout. For each test NAME it writes
# OUT/NAME.log (its output) and OUT/NAME.rc (its exit status, 124 on timeout),
# then OUT/dmesg.txt and OUT/done.
#
# usage: run-tests.sh SELFTESTS_DIR OUT_DIR [NAME...]
set -uo pipefail

bin=$1 out=$2
shift 2
per_test_timeout=${GUEST_TEST_TIMEOUT:-900}

# name|command line (ksm_tests: the short modes of run_vmtests.sh; -P/-H are
# benchmarks, too slow under TCG and not behaviour).
tests=(
	"cow|cow"
	"rmap|rmap"
	"ksm_functional_tests|ksm_functional_tests"
	"ksm_tests-M|ksm_tests -M -p 10"
	"ksm_tests-U|ksm_tests -U"
	"ksm_tests-Z0|ksm_tests -Z -p 10 -z 0"
	"ksm_tests-Z1|ksm_tests -Z -p 10 -z 1"
	"ksm_tests-N1|ksm_tests -N -m 1"
	"ksm_tests-N0|ksm_tests -N -m 0"
	"merge|merge"
	"mremap_test|mremap_test"
	"mremap_dontunmap|mremap_dontunmap"
	"migration|migration"
	"split_huge_page_test|split_huge_page_test /run/thpfs"
	"madv_populate|madv_populate"
	"uffd-unit-tests|uffd-unit-tests"
	"hmm-tests|hmm-tests"
)

mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.rc "$out/dmesg.txt" "$out/done" "$out/env.txt"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# Swap on zram: cow's "swapped out" cases and MADV_PAGEOUT need somewhere to
# swap to (they skip without).
if [ -e /sys/block/zram0/disksize ] && ! grep -q zram0 /proc/swaps; then
	echo 1G >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
fi
# split_huge_page_test's pagecache cases want a file system with large
# folios; the overlay the guest's /tmp is on has none, tmpfs huge=always does.
mkdir -p /run/thpfs
mountpoint -q /run/thpfs || mount -t tmpfs -o huge=always,size=512M thpfs /run/thpfs
# Tests write scratch files into their working directory, and some exec
# themselves as ./NAME: run copies in a writable directory.
work=$(mktemp -d /tmp/mmtests.XXXXXX)
cp "$bin"/* "$work"/ || exit 1
cd "$work" || exit 1

{
	uname -a
	echo "nproc: $(nproc)"
	grep -E 'MemTotal' /proc/meminfo
	echo "numa nodes: $(ls -d /sys/devices/system/node/node* 2>/dev/null | wc -l)"
	echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
	echo "ksm: $(cat /sys/kernel/mm/ksm/run 2>/dev/null)"
	echo "anon_vma_lazy: $(cat /sys/kernel/mm/anon_vma_lazy/enabled 2>/dev/null || echo absent)"
	echo "swap: $(tail -n +2 /proc/swaps)"
} >"$out/env.txt" 2>&1
cat "$out/env.txt"

for t in "${tests[@]}"; do
	name=${t%%|*} cmd=${t#*|}
	if [ $# -gt 0 ]; then
		want=0
		for n in "$@"; do [ "$n" = "$name" ] || [ "$n" = "${name%%-*}" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	start=$SECONDS
	echo "guest: running $name ($cmd)"
	# shellcheck disable=SC2086
	timeout -k 10 "$per_test_timeout" ./$cmd >"$out/$name.log" 2>&1 </dev/null
	rc=$?
	echo "$rc" >"$out/$name.rc"
	echo "$((SECONDS - start))" >"$out/$name.time"
	echo "guest: $name exit $rc in $((SECONDS - start)) s"
	# Put memory back the way the next test expects it.
	echo 0 >/sys/kernel/mm/ksm/run 2>/dev/null
	echo 2 >/sys/kernel/mm/ksm/run 2>/dev/null
	echo 0 >/sys/kernel/mm/ksm/run 2>/dev/null
done

dmesg >"$out/dmesg.txt"
touch "$out/done"
