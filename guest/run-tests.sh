#!/bin/bash
# Runs INSIDE the guest (booted by scripts/guest-test.sh through vng): the
# upstream mm selftests through their own runner, run_vmtests.sh, one
# category at a time as its ksft_<category>.sh wrappers do, each category
# under the timeout of the directory's settings file (900 s). Only the
# environment is ours: swap, a huge=always tmpfs, test_hmm's module data.
#
# For each test run_vmtests.sh runs it writes OUT/NAME.log (the test's own
# output), OUT/NAME.rc (its exit status as run_vmtests.sh reports it: 0, 4
# for a skip, 124 when the category's timeout stopped it), OUT/NAME.time and
# OUT/NAME.cat (its category); then OUT/dmesg.txt and OUT/done. NAME is the
# command line run_vmtests.sh prints, "./" dropped and blanks and slashes
# made "_" (e.g. ksm_tests_-M_-p_10). OUT/run_vmtests.CATEGORY.log keeps
# run_vmtests.sh's whole TAP output.
#
# usage: run-tests.sh SELFTESTS_DIR OUT_DIR KERNEL_BUILD_DIR [CATEGORY...]
#   SELFTESTS_DIR     the built mm selftests and run_vmtests.sh
#   KERNEL_BUILD_DIR  the booted kernel's build directory (modules.builtin*)
#   CATEGORY          run_vmtests.sh -t categories; default: those below
set -uo pipefail

bin=$1 out=$2 kbuild=$3
shift 3
per_category_timeout=${GUEST_TEST_TIMEOUT:-900}

# What the stack touches: CoW, rmap and KSM, merges, mremap, migration, THP
# (split, khugepaged), populate, userfaultfd (UFFDIO_MOVE renames) and
# device-private memory (hmm). ksm_numa needs 2 nodes: the guest has them.
categories=(cow rmap ksm ksm_numa vma_merge mremap migration thp
	madv_populate userfaultfd hmm)
[ $# -eq 0 ] || categories=("$@")

mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.rc "$out"/*.time "$out"/*.cat \
	"$out/dmesg.txt" "$out/done" "$out/env.txt"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# Swap on zram: cow's "swapped out" cases and MADV_PAGEOUT need somewhere to
# swap to (they skip without).
if [ -e /sys/block/zram0/disksize ] && ! grep -q zram0 /proc/swaps; then
	echo 1G >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
fi
# split_huge_page_test's and khugepaged's file cases want a file system with
# large folios; the overlay the guest's /tmp is on has none, tmpfs
# huge=always does (run_vmtests.sh would make an XFS image; the guest has no
# XFS).
mkdir -p /run/thpfs
mountpoint -q /run/thpfs || mount -t tmpfs -o huge=always,size=512M thpfs /run/thpfs
export SPLIT_HUGE_PAGE_TEST_XFS_PATH=/run/thpfs
# test_hmm.sh (hmm) asks `modinfo test_hmm` before it runs hmm-tests. The
# driver is built in (its /dev/hmm_dmirror* come from devtmpfs), and the
# host's /lib/modules knows nothing of this kernel: give kmod this kernel's
# list of built-in modules, on a tmpfs over /lib/modules.
kver=$(uname -r)
if [ ! -e "/lib/modules/$kver/modules.builtin.bin" ]; then
	if [ -r "$kbuild/modules.builtin.modinfo" ]; then
		mount -t tmpfs -o size=16M modules /lib/modules &&
			mkdir -p "/lib/modules/$kver" &&
			cp "$kbuild/modules.builtin.modinfo" "/lib/modules/$kver/" &&
			# As kbuild makes modules.builtin from it.
			tr '\0' '\n' <"$kbuild/modules.builtin.modinfo" |
			sed -n 's/^[[:alnum:]:_]*\.file=//p' | tr ' ' '\n' | uniq |
			sed -e 's:^:kernel/:' -e 's/$/.ko/' >"/lib/modules/$kver/modules.builtin" &&
			depmod "$kver" ||
			echo "guest: could not set up /lib/modules/$kver; hmm will skip"
	else
		echo "guest: no $kbuild/modules.builtin.modinfo; hmm will skip"
	fi
fi
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
	echo "test_hmm: $(modinfo -F filename test_hmm 2>&1)"
} >"$out/env.txt" 2>&1
cat "$out/env.txt"

# stamp: prefix each line with the seconds since the guest runner started.
stamp() {
	local line
	while IFS= read -r line; do printf '%s %s\n' "$SECONDS" "$line"; done
}

# split_tap CATEGORY RC: run_vmtests.sh's stamped output on stdin into one
# NAME.log/.rc/.time/.cat per test. A test is announced by three lines
# ("# ---", "# running CMD", "# ---"), its output follows prefixed "# ",
# and "ok N ...", "ok N ... # SKIP" or "not ok N ... # exit=RC" ends it.
# A test left without that line was stopped by the timeout (RC 124) or by
# whatever ended run_vmtests.sh.
split_tap() {
	awk -v out="$out" -v cat="$1" -v catrc="$2" '
	function name_of(cmd) {
		sub(/^bash /, "", cmd); sub(/^\.\//, "", cmd)
		gsub(/[^A-Za-z0-9._-]+/, "_", cmd)
		return cmd
	}
	function finish(rc, t) {
		if (name == "") return
		print rc > (out "/" name ".rc"); close(out "/" name ".rc")
		print t - start > (out "/" name ".time"); close(out "/" name ".time")
		print cat > (out "/" name ".cat"); close(out "/" name ".cat")
		close(out "/" name ".log")
		printf "guest: %s exit %s in %d s\n", name, rc, t - start
		name = ""
	}
	{
		t = $1; line = substr($0, length($1) + 2)
		if (line ~ /^# running /) {
			finish(catrc == 0 ? 1 : catrc, t)
			name = name_of(substr(line, 11)); start = t; hdr = 1
			printf "" > (out "/" name ".log")
			next
		}
		if (name == "") next
		if (hdr && line ~ /^# -+$/) { hdr = 0; next }
		hdr = 0
		if (line ~ /^not ok [0-9]+ /) {
			rc = line; sub(/.*# exit=/, "", rc)
			finish(rc ~ /^[0-9]+$/ ? rc : 1, t); next
		}
		if (line ~ /^ok [0-9]+ .*# SKIP/) { finish(4, t); next }
		if (line ~ /^ok [0-9]+ /) { finish(0, t); next }
		if (line ~ /^# \[(PASS|FAIL|SKIP)\]$/) next
		sub(/^# ?/, "", line)
		print line > (out "/" name ".log")
	}
	END { finish(catrc == 0 ? 1 : catrc, t) }'
}

for c in "${categories[@]}"; do
	echo "guest: running category $c"
	start=$SECONDS
	timeout -k 10 "$per_category_timeout" ./run_vmtests.sh -t "$c" </dev/null 2>&1 |
		stamp >"$out/run_vmtests.$c.log"
	rc=${PIPESTATUS[0]}
	split_tap "$c" "$rc" <"$out/run_vmtests.$c.log"
	echo "guest: category $c exit $rc in $((SECONDS - start)) s"
	# Put memory back the way the next category expects it.
	echo 0 >/sys/kernel/mm/ksm/run 2>/dev/null
	echo 2 >/sys/kernel/mm/ksm/run 2>/dev/null
	echo 0 >/sys/kernel/mm/ksm/run 2>/dev/null
done

dmesg >"$out/dmesg.txt"
touch "$out/done"
