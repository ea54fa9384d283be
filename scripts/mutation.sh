#!/usr/bin/env bash
# Tests must fail when the code they test is broken. Apply the known bugs of
# bugs/list (scripts/inject.sh), one at a time, to the fully patched scratch
# worktree, and require the tests named for each to fail:
#   - "harness": tools/testing/vma (about 40 s each);
#   - "kunit": with KUNIT=1, the KUnit suites, built from the mutated worktree
#     in a build dir of its own (build/kunit-mutation: the first build is
#     cold, ~10 min; then a few minutes each). build/linux is never touched.
#     Without KUNIT=1 these are skipped.
#   - "selftest": with KUNIT=1, the stack's mm selftests (scripts/selftest.sh)
#     in that same mutated KUnit kernel, whose own suites must still pass.
#   - "guest": not run here (make stress / make guest-test with INJECT=name);
#     only checked to still apply.
# MATCH=text runs only the bugs whose name contains text (e.g. MATCH=KSM).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

read -r wt _ < <("$TOP/scripts/worktree.sh")
kunit_out=$BUILD/kunit-mutation
caught=0 missed=0

mutate() {	# tree name: apply the bug, and check that it changed something
	local out
	out=$("$TOP/scripts/inject.sh" "$1" "$2" 2>&1) || die "inject of '$2' failed (exit $?): ${out:-no message}"
}

mapfile -t mutations < <("$TOP/scripts/inject.sh" --list)
for m in "${mutations[@]}"; do
	IFS='|' read -r name file _ tests <<<"$m"
	[[ -z ${MATCH:-} || $name == *$MATCH* ]] || continue
	if [[ " $tests " == *" harness "* ]]; then
		mutate "$wt" "$name"
		touch "$wt/tools/testing/vma/main.c"
		if ASAN_OPTIONS=detect_leaks=0 "$TOP/scripts/harness.sh" "$wt" >"$BUILD/mutation.log" 2>&1; then
			echo "MISSED harness: $name"
			missed=$((missed + 1))
		else
			echo "caught harness: $name: $(grep -m1 'Assert FAILED\|FAILED\|upgrade it first' "$wt/tools/testing/vma/.run.err" || grep -m1 harness: "$BUILD/mutation.log")"
			caught=$((caught + 1))
		fi
		git -C "$wt" checkout -q -- "$file"
	else
		# Still check that the mutation applies to the series as it is.
		mutate "$wt" "$name"
		git -C "$wt" checkout -q -- "$file"
	fi

	if [ "${KUNIT:-0}" = 1 ] && [[ " $tests " == *" kunit "* || " $tests " == *" selftest "* ]]; then
		mutate "$wt" "$name"
		kunit_rc=0
		LINUX=$wt KUNIT_OUT=$kunit_out "$TOP/scripts/kunit.sh" >"$BUILD/mutation-kunit.log" 2>&1 || kunit_rc=$?
		if [[ " $tests " == *" kunit "* ]]; then
			if [ "$kunit_rc" = 0 ]; then
				echo "MISSED kunit: $name"
				missed=$((missed + 1))
			else
				echo "caught kunit: $name: $(grep -E '^[0-9]+ passed' "$BUILD/mutation-kunit.log" || tail -n1 "$BUILD/mutation-kunit.log")"
				caught=$((caught + 1))
			fi
		fi
		if [[ " $tests " == *" selftest "* ]]; then
			# The selftests need that kernel built (its KUnit
			# suites may fail: the mutation's other test).
			if [ "$(cat "$kunit_out/.anon-rmap-built-from" 2>/dev/null)" != "$(LINUX=$wt "$TOP/scripts/tree-id.sh")" ]; then
				echo "MISSED selftest: $name: the mutated KUnit kernel did not build ($(tail -n1 "$BUILD/mutation-kunit.log"))"
				missed=$((missed + 1))
			elif LINUX=$wt KUNIT_OUT=$kunit_out SELFTEST_OUT=$BUILD/mutation-selftest \
				"$TOP/scripts/selftest.sh" >"$BUILD/mutation-selftest.log" 2>&1 ||
			     ! grep -qE '^selftest: .*: FAIL$' "$BUILD/mutation-selftest.log"; then
				# Passed, or failed without a test failing (e.g. a build error).
				echo "MISSED selftest: $name ($(tail -n1 "$BUILD/mutation-selftest.log"))"
				missed=$((missed + 1))
			else
				echo "caught selftest: $name: $(grep -E '^selftest: .*: FAIL$' "$BUILD/mutation-selftest.log" | sed 's/^selftest: //' | tr '\n' ' ')"
				caught=$((caught + 1))
			fi
		fi
		git -C "$wt" checkout -q -- "$file"
	fi
done
# Leave the worktree's harness built from unmutated sources.
touch "$wt/tools/testing/vma/main.c"

echo "mutation: $caught caught, $missed missed"
[ "$missed" = 0 ]
