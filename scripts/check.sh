#!/usr/bin/env bash
# `make check`: every test that fits CI, in order, then a table of each check,
# its result and its time, and the plain "N passed, N failed" closing line.
# CHECKS="series harness" runs a subset.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

all="deps base apply shellcheck kernel-doc series bisect harness mutation layout kunit vng selftest workflow"
checks=${CHECKS:-$all}
mkdir -p "$BUILD/check"
declare -A result secs

run() {
	local name=$1 t0 rc
	shift
	echo
	echo "======== $name: $*"
	t0=$(date +%s)
	"$@" 2>&1 | tee "$BUILD/check/$name.log"
	rc=${PIPESTATUS[0]}
	secs[$name]=$(($(date +%s) - t0))
	if [ "$rc" = 0 ]; then result[$name]=pass; else result[$name]=FAIL; fi
	return "$rc"
}

S=$TOP/scripts
for c in $checks; do
	case $c in
	deps)     run deps "$S/deps.sh" || break ;;
	base)     run base "$S/fetch.sh" || break ;;
	apply)    run apply "$S/apply.sh" || break ;;
	shellcheck) run shellcheck "$S/shellcheck.sh" ;;
	kernel-doc) run kernel-doc "$S/kernel-doc.sh" ;;
	series)   run series "$S/series.sh" ;;
	bisect)   run bisect "$S/bisect.sh" ;;
	harness)  run harness "$S/harness.sh" ;;
	mutation) run mutation "$S/mutation.sh" ;;
	layout)   run layout "$S/layout.sh" ;;
	kunit)    run kunit "$S/kunit.sh" ;;
	vng)      run vng bash -c "'$S/vng-setup.sh' >/dev/null && '$S/vng.sh'" ;;
	selftest) run selftest "$S/selftest.sh" ;;
	workflow) run workflow "$S/workflow.sh" ;;
	*)        die "unknown check '$c' (known: $all)" ;;
	esac
done

what() {
	case $1 in
	deps)     echo "host packages installed" ;;
	base)     echo "linux-source-7.2 fetched, SHA256 verified" ;;
	apply)    echo "stack applied in build/linux (git am)" ;;
	shellcheck) echo "our shell scripts: shellcheck, severity warning" ;;
	kernel-doc) echo "kernel-doc -none -Wall of the touched files vs the base" ;;
	series)   echo "series/files agree, git am + quilt push, checkpatch --strict" ;;
	bisect)   echo "tools/testing/vma at each prefix touching it" ;;
	harness)  echo "tools/testing/vma on the full stack, empty stderr" ;;
	mutation) echo "known bugs injected: the harness must fail" ;;
	layout)   echo "struct sizes (pahole, x86_64) equal the base's" ;;
	kunit)    echo "KUnit suites, x86_64 under QEMU" ;;
	vng)      echo "KUnit suites booted by virtme-ng" ;;
	selftest) echo "the stack's mm selftests, in the KUnit kernel (vng)" ;;
	workflow) echo "bad inputs: one-line errors; fetch: one path on stdout" ;;
	esac
}

# The numbers each check reported, for the table.
detail() {
	local log=$BUILD/check/$1.log
	case $1 in
	shellcheck) grep -E '^shellcheck: ' "$log" | sed 's/^shellcheck: //' ;;
	kernel-doc) grep -E '^kernel-doc: [0-9]+ files' "$log" | sed 's/^kernel-doc: //' ;;
	series)  grep -E '^(git am|quilt push):' "$log" | tr '\n' ';' | sed 's/;$//; s/;/; /g' ;;
	bisect)  echo "$(grep -c ' ok: ' "$log") prefixes ok, $(grep -c ' FAIL' "$log") failed" ;;
	harness) grep -m1 '^harness:' "$log" | sed 's/^harness: //' ;;
	kunit)   grep -E '^kunit: suite ' "$log" | sed 's/^kunit: suite //' | tr '\n' ';' | sed 's/;$//' ;;
	vng)     grep -E '^vng: suite ' "$log" | sed 's/^vng: suite //' | tr '\n' ';' | sed 's/;$//' ;;
	workflow) grep -E '^workflow: ' "$log" | sed 's/^workflow: //' ;;
	selftest) grep -E '^selftest: [0-9]+ passed' "$log" | sed 's/^selftest: //' ;;
	mutation) grep -E '^mutation: ' "$log" | sed 's/^mutation: //' ;;
	layout)   grep -E '^layout: struct ' "$log" | sed 's/^layout: struct //; s/ (base: [0-9]*) ok//' | tr '\n' ';' | sed 's/;$//' ;;
	esac
}

echo
echo "======== make check summary"
printf '%-9s %-7s %6s  %-58s %s\n' check result time what detail
passed=0 failed=0
for c in $checks; do
	r=${result[$c]:-"not run"}
	[ "$r" = pass ] && passed=$((passed + 1)) || failed=$((failed + 1))
	t=${secs[$c]:+${secs[$c]}s}
	d=""
	[ -z "${secs[$c]:-}" ] || d=$(detail "$c" 2>/dev/null)
	printf '%-9s %-7s %6s  %-58s %s\n' "$c" "$r" "${t:--}" "$(what "$c")" "$d"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
