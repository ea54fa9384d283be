#!/usr/bin/env bash
# Build and run the userland VMA harness (tools/testing/vma) of one tree.
# Clean means: exit 0, a summary with no failure, and an empty stderr (in the
# harness WARN_ON and VM_WARN_ON_ONCE only print).
#
# usage: harness.sh [TREE]   (default: build/linux)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${1:-$LINUX}
dir=$tree/tools/testing/vma
[ -d "$dir" ] || die "$dir not found: run 'make apply' first"

# ccache: bisect.sh rebuilds the harness at every prefix, and mutation.sh
# once per injected bug, the same sources on each run.
use_ccache
log "harness: building $dir (cold: ~40 s; warm ccache: a few s)"
if ! make -C "$dir" -j"$(nproc)" >"$dir/.build.log" 2>&1; then
	grep -E 'error|Error' "$dir/.build.log" | head -n 10 >&2
	die "harness: build failed in $dir (log: $dir/.build.log)"
fi

set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$dir/vma" >"$dir/.run.out" 2>"$dir/.run.err"
rc=$?
set -e
summary=$(grep -E '^[0-9]+ tests run' "$dir/.run.out" | tail -n1 || true)
echo "harness: ${summary:-no summary line} (exit $rc)"
if [ -s "$dir/.run.err" ]; then
	echo "harness: stderr is not empty:"
	head -n 20 "$dir/.run.err" | sed 's/^/  /'
	exit 1
fi
[ $rc = 0 ] && [ -n "$summary" ] && grep -q ' 0 failed' <<<"$summary"
