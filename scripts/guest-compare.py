#!/usr/bin/env python3
"""Compare the mm selftest results of two guest runs (base and patched).

usage: guest-compare.py BASE_DIR PATCHED_DIR [TABLE_FILE]
       guest-compare.py --splats DIR    print the splats of one run; exit 1 if any
       guest-compare.py --differing BASE_DIR PATCHED_DIR   names of differing tests
       guest-compare.py --one DIR       one run alone: its results, skips and
                                        splats; exit 1 on a splat or a failure

Each DIR holds NAME.log / NAME.rc / NAME.time per test, dmesg.txt and, if the
host captured it, console.log (written by guest/run-tests.sh and
scripts/guest-test.sh). Prints one row per test (test | base | patched), then
every subtest whose result differs, the skips with their reasons, and any
kernel splat (BUG, WARNING, KASAN, lockdep, Oops...) found in a run.
TABLE_FILE, if given, gets the full per-subtest table.

Exit status: 0 when every test and subtest has the same result on both
kernels and the patched kernel logged no splat; 1 otherwise. A test listed in
guest/explained-differences, with the reason it differs, counts as the same
only while the patched kernel passes all of it: the row says "explained" and
the reason is printed. That is for a base that fails where the stack cannot
be the cause; a patched kernel that fails it is never explained away.
"""
import os
import re
import sys

RESULT = re.compile(r'^(not ok|ok) +\d+ *(?:- *)?(.*?)\s*$')
SPLAT = re.compile(
    r'(BUG:|WARNING:|KASAN|UBSAN|kernel BUG at|\bOops\b|general protection fault|'
    r'possible circular locking|possible recursive locking|inconsistent lock state|'
    r'suspicious RCU usage|lock held when returning|bad page state|Bad page map|'
    r'page dumped because|list_add corruption|list_del corruption|'
    r'Kernel panic|soft lockup|hung_task|blocked for more than|'
    r'INFO: task|refcount_t:|VM_BUG_ON|page_table_check)')
# Harmless lines that contain a splat keyword.
SPLAT_OK = re.compile(r'(KASAN.*(enabled|initialized|init done|shadow)|'
                      r'kasan: KernelAddressSanitizer initialized|'
                      r'Kernel command line|lockdep.*Lock dependency validator|'
                      r'LOCKDEP_ERROR|Copyright|RCU lockdep checking is enabled|'
                      r'page_table_check=|page_table_check: |'
                      # QEMU's -numa puts CPUs of one socket in two nodes:
                      # a boot-time topology warning, not an mm splat.
                      r'topology_sane|llc-sibling)', re.I)


EXPLAINED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'guest',
                         'explained-differences')


def explained_differences():
    """{test: reason} from guest/explained-differences (test<TAB>reason)."""
    out = {}
    for line in (read(EXPLAINED) or '').splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        name, _, why = line.partition('\t')
        out[name.strip()] = why.strip()
    return out


def status_of_rc(rc):
    if rc is None:
        return 'not run'
    if rc == 0:
        return 'pass'
    if rc == 4:
        return 'skip'
    if rc in (124, 137):
        return 'timeout'
    return 'fail(%d)' % rc


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def parse_run(d):
    """{test: (status, {subtest: (status, reason)}, seconds)}"""
    tests = {}
    for fn in sorted(os.listdir(d)):
        if not fn.endswith('.rc'):
            continue
        name = fn[:-3]
        rc_txt = read(os.path.join(d, fn))
        rc = int(rc_txt.strip()) if rc_txt and rc_txt.strip().lstrip('-').isdigit() else None
        secs = (read(os.path.join(d, name + '.time')) or '?').strip()
        subs = {}
        seen = {}
        for line in (read(os.path.join(d, name + '.log')) or '').splitlines():
            m = RESULT.match(line)
            if not m:
                continue
            ok, desc = m.group(1), m.group(2)
            reason = ''
            st = 'pass' if ok == 'ok' else 'fail'
            mm = re.search(r'#\s*(SKIP|XFAIL|TODO)\b\s*(.*)$', desc, re.I)
            if mm:
                st = mm.group(1).lower()
                reason = mm.group(2).strip()
                desc = desc[:mm.start()].strip()
            if not desc and reason:	# "ok 2 # SKIP <description>"
                desc, reason = reason, ''
            desc = desc or '(unnamed)'
            seen[desc] = seen.get(desc, 0) + 1
            if seen[desc] > 1:
                desc = '%s #%d' % (desc, seen[desc])
            subs[desc] = (st, reason)
        # A program-level skip ("SKIP" plus reason) with no subtests.
        if rc == 4 and not subs:
            why = ''
            for line in (read(os.path.join(d, name + '.log')) or '').splitlines():
                if re.search(r'skip', line, re.I):
                    why = line.strip()
                    break
            subs['(whole test)'] = ('skip', why)
        tests[name] = (status_of_rc(rc), subs, secs)
    return tests


def summary(t):
    if t is None:
        return 'not run'
    st, subs, secs = t
    c = {}
    for s, _ in subs.values():
        c[s] = c.get(s, 0) + 1
    parts = ['%d %s' % (c[k], k) for k in ('pass', 'fail', 'skip', 'xfail') if c.get(k)]
    return '%s%s %ss' % (st, ' (%s)' % ', '.join(parts) if parts else '', secs)


def splats(d):
    found = []
    for fn in ('console.log', 'dmesg.txt'):
        text = read(os.path.join(d, fn))
        if text is None:
            continue
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if SPLAT.search(line) and not SPLAT_OK.search(line):
                found.append((fn, i, lines[max(0, i - 2):i + 25]))
        if found:
            break  # console.log has everything dmesg.txt has
    return found


def print_splats(label, d, found):
    print('\nkernel splats in the %s run (%d lines match; first ones in full):' % (label, len(found)))
    shown = 0
    last = -100
    for fn, i, ctx in found:
        if i - last < 25:
            continue
        last = i
        print('---- %s/%s line %d' % (d, fn, i + 1))
        print('\n'.join(ctx))
        shown += 1
        if shown >= 5:
            break


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--splats':
        found = splats(sys.argv[2])
        if found:
            print_splats('stress', sys.argv[2], found)
            return 1
        print('no kernel splat in %s' % sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == '--differing':
        base, pat = parse_run(sys.argv[2]), parse_run(sys.argv[3])
        for n in dict.fromkeys(list(base) + list(pat)):
            bt, pt = base.get(n), pat.get(n)
            if not bt or not pt:
                print(n)
                continue
            bs, ps = bt[1], pt[1]
            # A different exit status differs, unless it is explained by
            # subtests that only the patched tree has (and that pass): a
            # base program that stopped early is no such explanation.
            if any(bs[k][0] != ps.get(k, ('absent',))[0] for k in bs) or \
               (bt[0] != pt[0] and (set(ps) <= set(bs) or bt[0] != 'pass')):
                print(n)
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == '--one':
        d = sys.argv[2]
        run = parse_run(d)
        w = max([len(n) for n in run] + [4])
        print('%-*s  %s' % (w, 'test', 'result'))
        bad = False
        for n, t in run.items():
            print('%-*s  %s' % (w, n, summary(t)))
            bad = bad or t[0] not in ('pass', 'skip')
        for n, (_, subs, _) in run.items():
            for sub, (st, why) in subs.items():
                if st == 'fail':
                    print('  failed: %s: %s' % (n, sub))
        found = splats(d)
        if found:
            print_splats(os.path.basename(d), d, found)
        return 1 if bad or found else 0
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    base_d, pat_d = sys.argv[1], sys.argv[2]
    base, pat = parse_run(base_d), parse_run(pat_d)
    names = list(dict.fromkeys(list(base) + list(pat)))
    bad = False
    known = explained_differences()
    explained = []

    w = max([len(n) for n in names] + [4])
    rows = [(n, summary(base.get(n)), summary(pat.get(n))) for n in names]
    wb = max([len(r[1]) for r in rows] + [4])
    print('%-*s  %-*s  %s' % (w, 'test', wb, 'base', 'patched'))
    diffs = []
    added = []
    for n, b, p in rows:
        bt, pt = base.get(n), pat.get(n)
        same = bt is not None and pt is not None
        bs = bt[1] if bt else {}
        ps = pt[1] if pt else {}
        for s in dict.fromkeys(list(bs) + list(ps)):
            x = bs.get(s, ('absent', ''))[0]
            y = ps.get(s, ('absent', ''))[0]
            if x == 'absent' and bt is not None and bt[0] == 'pass':
                added.append((n, s, y))	# a test the stack adds
                if y not in ('pass', 'skip'):
                    same = False
                    diffs.append((n, s, x, y))
            elif x != y:
                same = False
                diffs.append((n, s, x, y))
        # The exit status only counts when no added test explains it. A
        # base run that stopped early leaves subtests absent: those are not
        # added tests (only a base that passed is complete), so they differ.
        if bt and pt and bt[0] != pt[0] and not any(a[0] == n for a in added):
            same = False
        if not same and not any(dd[0] == n for dd in diffs):
            diffs.append((n, '(exit status)', bt[0] if bt else 'not run', pt[0] if pt else 'not run'))
        if not same and n in known and pt and pt[0] == 'pass' and \
           all(st in ('pass', 'skip') for st, _ in ps.values()):
            explained.append((n, [d for d in diffs if d[0] == n]))
            diffs = [d for d in diffs if d[0] != n]
            print('%-*s  %-*s  %s%s' % (w, n, wb, b, p, '   <-- differs, explained'))
            continue
        mark = '' if same else '   <-- differs'
        print('%-*s  %-*s  %s%s' % (w, n, wb, b, p, mark))
    if explained:
        print('\ndifferences explained in guest/explained-differences (the patched kernel passes):')
        for n, ds in explained:
            for _, sub, x, y in ds:
                print('  %s: %s: %s -> %s' % (n, sub, x, y))
            print('    why: %s' % known[n])
    if diffs:
        bad = True
        print('\nresults that differ (test: subtest: base -> patched):')
        for n, s, x, y in diffs:
            print('  %s: %s: %s -> %s' % (n, s, x, y))
    if added:
        print('\nsubtests the stack adds (absent from the base tree\'s selftests; must pass):')
        for n, s, y in added:
            print('  %s: %s: %s' % (n, s, y))

    fails = [(n, s) for n in names for s, (st, _) in (base.get(n, (0, {}))[1]).items() if st == 'fail']
    if fails:
        print('\nfailing on the base too (reported, not a regression):')
        for n, s in fails:
            print('  %s: %s' % (n, s))

    # Skips, grouped per test and reason, with one example subtest.
    skips = {}
    for label, run in (('base', base), ('patched', pat)):
        for n, (_, subs, _) in run.items():
            for s, (st, why) in subs.items():
                if st == 'skip':
                    e = skips.setdefault((n, why, label), [])
                    e.append(s)
    if skips:
        print('\nskipped (test: how many: reason, e.g. one subtest [run]):')
        for (n, why, label), subs in skips.items():
            print("  %s: %d: %s, e.g. '%s' [%s]" % (n, len(subs), why or 'no reason printed', subs[0], label))

    flaky = (read(os.path.join(pat_d, 'flaky')) or '').split()
    if flaky:
        print('\nflaky (differed on the first run, same on the second; second run shown): %s'
              % ' '.join(flaky))

    for label, d in (('base', base_d), ('patched', pat_d)):
        found = splats(d)
        if not found:
            continue
        if label == 'patched':
            bad = True
        print_splats(label, d, found)

    if len(sys.argv) == 4:
        with open(sys.argv[3], 'w') as f:
            f.write('test\tsubtest\tbase\tpatched\n')
            for n in names:
                bs = base.get(n, (0, {}))[1]
                ps = pat.get(n, (0, {}))[1]
                for s in dict.fromkeys(list(bs) + list(ps)):
                    f.write('%s\t%s\t%s\t%s\n' % (n, s, bs.get(s, ('absent',))[0], ps.get(s, ('absent',))[0]))
    total = sum(len(base.get(n, (0, {}))[1]) for n in names)
    print('\n%d tests, %d subtests on the base; %s' % (
        len(names), total, 'DIFFERENCES or splats found' if bad else
        'patched == base%s, no splat in patched' % (
            ' (%d explained difference%s)' % (len(explained), '' if len(explained) == 1 else 's')
            if explained else '')))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
