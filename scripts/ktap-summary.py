#!/usr/bin/env python3
"""Summarise a kunit.py --json file: one line per suite, then the plain
"N passed, N failed, N skipped" line. Exits 1 if a test failed or none ran."""
import json
import sys


def leaves(node, suite, out):
    for case in node.get("test_cases", []):
        if case.get("test_cases") or case.get("sub_groups"):
            leaves(case, case.get("name", suite), out)
        else:
            out.append((suite, case.get("name", "?"), case.get("status", "?")))
    for group in node.get("sub_groups", []):
        leaves(group, group.get("name", suite), out)


def main():
    path, label = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "kunit")
    with open(path) as f:
        data = json.load(f)
    cases = []
    leaves(data, data.get("name", "?"), cases)
    suites = {}
    for suite, name, status in cases:
        s = suites.setdefault(suite, {"PASS": 0, "FAIL": 0, "SKIP": 0, "other": 0})
        s[status if status in s else "other"] += 1
        if status not in ("PASS", "SKIP"):
            print(f"{label}: {status}: {suite}.{name}")
    for suite, s in suites.items():
        print(f"{label}: suite {suite}: {s['PASS']} passed, "
              f"{s['FAIL'] + s['other']} failed, {s['SKIP']} skipped")
    passed = sum(s["PASS"] for s in suites.values())
    failed = sum(s["FAIL"] + s["other"] for s in suites.values())
    skipped = sum(s["SKIP"] for s in suites.values())
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
