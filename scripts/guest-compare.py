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
TABLE_FILE, if given, gets the full per-subtest table. The subtests of a log
are read by kunit.py's KTAP parser (tools/testing/kunit/kunit_parser.py) of
the kernel tree, $LINUX (default build/linux).

Exit status: 0 when every test and subtest has the same result on both
kernels and the patched kernel logged no splat; 1 otherwise. A test listed in
guest/explained-differences, with the reason it differs, counts as the same
only while the patched kernel passes all of it: the row says "explained" and
the reason is printed. That is for a base that fails where the stack cannot
be the cause; a patched kernel that fails it is never explained away.
"""
import functools
import os
import re
import sys
from dataclasses import dataclass, field

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
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


EXPLAINED = os.path.join(TOP, 'guest', 'explained-differences')


def explained_differences():
    """{test: reason} from guest/explained-differences (test<TAB>reason)."""
    out = {}
    for line in (read(EXPLAINED) or '').splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        name, _, why = line.partition('\t')
        out[name.strip()] = why.strip()
    return out


@dataclass
class Subtest:
    """One "ok"/"not ok" line of a test's TAP output."""
    status: str         # pass, fail, skip; 'absent' if not run
    reason: str = ''    # what a SKIP directive said


ABSENT = Subtest('absent')


@dataclass
class TestResult:
    """One selftest program's run in a guest."""
    status: str                 # of its exit code: pass, skip, fail(N), timeout, not run
    seconds: str                # as the guest timed it, '?' if not
    subtests: dict = field(default_factory=dict)    # name -> Subtest

    def sub(self, name):
        return self.subtests.get(name, ABSENT)

    def all_pass_or_skip(self):
        return all(s.status in ('pass', 'skip') for s in self.subtests.values())


@dataclass
class Splat:
    """A kernel log line that matches SPLAT, with the lines around it."""
    file: str
    line: int           # 0-based
    context: list


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


@functools.lru_cache(maxsize=None)
def kunit_parser():
    """kunit.py's KTAP parser and printer, from the kernel tree of the run:
    $LINUX, else build/linux."""
    linux = os.environ.get('LINUX') or os.path.join(TOP, 'build', 'linux')
    path = os.path.join(linux, 'tools', 'testing', 'kunit')
    if not os.path.isfile(os.path.join(path, 'kunit_parser.py')):
        sys.exit('guest-compare: no kunit_parser.py in %s: run make apply' % path)
    sys.path.insert(0, path)
    import kunit_parser as parser     # pylint: disable=import-outside-toplevel
    import kunit_printer as printer   # pylint: disable=import-outside-toplevel
    return parser, printer.Printer(print=False)


def parse_tap(text):
    """{subtest: Subtest} of a kselftest TAP log, as kunit.py's parser reads
    it (a SKIP directive is a skip; XFAIL and TODO are its pass and fail);
    repeated names get #N."""
    parser, quiet = kunit_parser()
    status = {parser.TestStatus.SUCCESS: 'pass',
              parser.TestStatus.SKIPPED: 'skip'}
    subs = {}
    seen = {}
    for t in parser.parse_run_tests(text.splitlines(), quiet).subtests:
        name, reason = t.name.strip(), (t.skip_reason or '').strip()
        # The parser's stand-ins for results the plan promised and the log
        # lacks: the exit status tells that the program died, and the
        # subtests it did not reach are absent from its table.
        if t.status == parser.TestStatus.TEST_CRASHED and not name:
            continue
        if not name and reason:	# "ok 2 # SKIP <description>"
            name, reason = reason, ''
        name = name or '(unnamed)'
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = '%s #%d' % (name, seen[name])
        subs[name] = Subtest(status.get(t.status, 'fail'), reason)
    return subs


def parse_run(d):
    """{test: TestResult} of the run in directory d."""
    tests = {}
    for fn in sorted(os.listdir(d)):
        if not fn.endswith('.rc'):
            continue
        name = fn[:-3]
        rc_txt = read(os.path.join(d, fn))
        rc = int(rc_txt.strip()) if rc_txt and rc_txt.strip().lstrip('-').isdigit() else None
        log = read(os.path.join(d, name + '.log')) or ''
        result = TestResult(status_of_rc(rc),
                            (read(os.path.join(d, name + '.time')) or '?').strip(),
                            parse_tap(log))
        # A program-level skip ("SKIP" plus reason) with no subtests.
        if rc == 4 and not result.subtests:
            why = next((line.strip() for line in log.splitlines()
                        if re.search(r'skip', line, re.I)), '')
            result.subtests['(whole test)'] = Subtest('skip', why)
        tests[name] = result
    return tests


def summary(t):
    if t is None:
        return 'not run'
    c = {}
    for s in t.subtests.values():
        c[s.status] = c.get(s.status, 0) + 1
    parts = ['%d %s' % (c[k], k) for k in ('pass', 'fail', 'skip') if c.get(k)]
    return '%s%s %ss' % (t.status, ' (%s)' % ', '.join(parts) if parts else '', t.seconds)


def splats(d):
    """The Splats of run directory d: console.log's, else dmesg.txt's."""
    found = []
    for fn in ('console.log', 'dmesg.txt'):
        text = read(os.path.join(d, fn))
        if text is None:
            continue
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if SPLAT.search(line) and not SPLAT_OK.search(line):
                found.append(Splat(fn, i, lines[max(0, i - 2):i + 25]))
        if found:
            break  # console.log has everything dmesg.txt has
    return found


def print_splats(label, d, found):
    print('\nkernel splats in the %s run (%d lines match; first ones in full):' % (label, len(found)))
    shown = 0
    last = -100
    for s in found:
        if s.line - last < 25:
            continue
        last = s.line
        print('---- %s/%s line %d' % (d, s.file, s.line + 1))
        print('\n'.join(s.context))
        shown += 1
        if shown >= 5:
            break


def cmd_splats(d):
    """--splats DIR: print the splats of one run; 1 if there is any."""
    found = splats(d)
    if found:
        print_splats('stress', d, found)
        return 1
    print('no kernel splat in %s' % d)
    return 0


def differs(bt, pt):
    """Whether a test differs between the base and the patched run, for
    --differing (which picks the tests to run again)."""
    if not bt or not pt:
        return True
    # A different exit status differs, unless it is explained by subtests
    # that only the patched tree has (and that pass): a base program that
    # stopped early is no such explanation.
    return any(s.status != pt.sub(k).status for k, s in bt.subtests.items()) or \
        (bt.status != pt.status and
         (set(pt.subtests) <= set(bt.subtests) or bt.status != 'pass'))


def cmd_differing(base_d, pat_d):
    """--differing BASE PATCHED: the names of the tests that differ."""
    base, pat = parse_run(base_d), parse_run(pat_d)
    for n in dict.fromkeys(list(base) + list(pat)):
        if differs(base.get(n), pat.get(n)):
            print(n)
    return 0


def cmd_one(d):
    """--one DIR: one run alone; 1 on a failure or a splat."""
    run = parse_run(d)
    w = max([len(n) for n in run] + [4])
    print('%-*s  %s' % (w, 'test', 'result'))
    bad = False
    for n, t in run.items():
        print('%-*s  %s' % (w, n, summary(t)))
        bad = bad or t.status not in ('pass', 'skip')
    for n, t in run.items():
        for sub, s in t.subtests.items():
            if s.status == 'fail':
                print('  failed: %s: %s' % (n, sub))
    found = splats(d)
    if found:
        print_splats(os.path.basename(d), d, found)
    return 1 if bad or found else 0


def write_table(path, names, base, pat):
    """TABLE_FILE: test, subtest, base and patched result, one row each."""
    empty = TestResult('not run', '?')
    with open(path, 'w') as f:
        f.write('test\tsubtest\tbase\tpatched\n')
        for n in names:
            bt, pt = base.get(n, empty), pat.get(n, empty)
            for s in dict.fromkeys(list(bt.subtests) + list(pt.subtests)):
                f.write('%s\t%s\t%s\t%s\n' % (n, s, bt.sub(s).status, pt.sub(s).status))


def cmd_compare(base_d, pat_d, table):
    """BASE PATCHED [TABLE]: the comparison; 1 on a difference or a splat."""
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
        bs = bt.subtests if bt else {}
        ps = pt.subtests if pt else {}
        for s in dict.fromkeys(list(bs) + list(ps)):
            x = bs.get(s, ABSENT).status
            y = ps.get(s, ABSENT).status
            if x == 'absent' and bt is not None and bt.status == 'pass':
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
        if bt and pt and bt.status != pt.status and not any(a[0] == n for a in added):
            same = False
        if not same and not any(dd[0] == n for dd in diffs):
            diffs.append((n, '(exit status)', bt.status if bt else 'not run',
                          pt.status if pt else 'not run'))
        if not same and n in known and pt and pt.status == 'pass' and pt.all_pass_or_skip():
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

    fails = [(n, s) for n in names if n in base
             for s, sub in base[n].subtests.items() if sub.status == 'fail']
    if fails:
        print('\nfailing on the base too (reported, not a regression):')
        for n, s in fails:
            print('  %s: %s' % (n, s))

    # Skips, grouped per test and reason, with one example subtest.
    skips = {}
    for label, run in (('base', base), ('patched', pat)):
        for n, t in run.items():
            for s, sub in t.subtests.items():
                if sub.status == 'skip':
                    skips.setdefault((n, sub.reason, label), []).append(s)
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

    if table:
        write_table(table, names, base, pat)
    total = sum(len(base[n].subtests) for n in names if n in base)
    print('\n%d tests, %d subtests on the base; %s' % (
        len(names), total, 'DIFFERENCES or splats found' if bad else
        'patched == base%s, no splat in patched' % (
            ' (%d explained difference%s)' % (len(explained), '' if len(explained) == 1 else 's')
            if explained else '')))
    return 1 if bad else 0


def main(argv):
    """One subcommand per form of the command line (see the docstring)."""
    if len(argv) == 2 and argv[0] == '--splats':
        return cmd_splats(argv[1])
    if len(argv) == 3 and argv[0] == '--differing':
        return cmd_differing(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == '--one':
        return cmd_one(argv[1])
    if len(argv) in (2, 3) and not argv[0].startswith('--'):
        return cmd_compare(argv[0], argv[1], argv[2] if len(argv) == 3 else None)
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
