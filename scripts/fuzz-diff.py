#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""fuzz-diff.py WORK SEED... - compare sim/iommufd_diff's answers

Reads WORK/ioasim.SEED.txt and WORK/upstream.SEED.txt (the two kernels'
consoles) and compares the "# diff N record : rc=E answer" lines call by
call. A difference that a rule of DECLARED matches is counted as declared.
Every other difference is printed; the first of each kind (the command and
the two errnos) is shrunk, unless SHRINK=0: the calls of its epoch are
replayed in both kernels (KERNEL_IOASIM, KERNEL_UPSTREAM, booted with
WORK/root) in ever smaller subsets, until no call can be dropped and the
kind still shows, and the result is printed as a case for
sim/iommufd_diff_cases.h (and kept in WORK/case-SEED-N.h). Ends with

    fuzz-diff: N calls, N differences, N declared

and exits 1 if any difference is not declared, if a kernel did not answer
every call, or if a rule has no row in the README's table.
"""

import os
import re
import subprocess
import sys

LINE = re.compile(r'^# diff (\S+) (.*?) : rc=(\d+)(.*)$')
ENOENT = 2
EPOCH = 1000    # DIFF_EPOCH of sim/diff.h
EINVAL = 22
EOPNOTSUPP = 95

# The deliberate differences: the command, a condition on the two answers
# (ioasim's, upstream's: (record, rc, answer)), and the README's row (the
# start of its first cell) that gives the reason.
UNMAP_ROW = '`IOMMU_IOAS_UNMAP` (and type1 `UNMAP_DMA`) whose range ends'
DECLARED = [
    # Upstream's refused UNMAP dropped these mappings already; the
    # resync call unmaps them in ioasim (sim/diff.h).
    {'op': 'resync', 'row': UNMAP_ROW,
     'when': lambda m, t: m[1] == 0 and t[1] == ENOENT},
    # Type1 reports what upstream unmapped before refusing.
    {'op': 't1_unmap', 'row': UNMAP_ROW,
     'when': lambda m, t: m[1] == t[1] == ENOENT and
     m[2] == ' size=0' and t[2] != ' size=0'},
    # GET_HW_INFO's input type, a later kernel's flag that 6.12 refuses:
    # ioasim looks the device up, then judges the type named.
    {'op': 'hw_info',
     'row': "`IOMMU_GET_HW_INFO`'s `out_max_pasid_log2`",
     'when': lambda m, t: t[1] == EOPNOTSUPP and arg(m[0], 'flags') == 1},
    # A bitmap whose bits stand for no power of two of bytes.
    {'op': 'get_dirty',
     'row': '`IOMMU_HWPT_GET_DIRTY_BITMAP` with a `page_size` that is not',
     'when': lambda m, t: m[1] == EINVAL != t[1] and
     not power_of_two(arg(m[0], 'page_size'))},
]


def arg(record, name):
    """A record's argument as a number (object names are not numbers)."""
    m = re.search(r' ' + name + r'=([0-9a-f]+)(?: |$)', record)
    return int(m[1], 16) if m else None


def power_of_two(v):
    return v is not None and v > 0 and not v & (v - 1)


def parse(path):
    """[(num, record, rc, answer)] of one console, and whether it ended."""
    out, done = [], False
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\r\n')
            m = LINE.match(line)
            if m:
                out.append((m[1], m[2], int(m[3]), m[4]))
            elif line.startswith('# diff done'):
                done = True
    return out, done


def op_of(record):
    return record.split(' ', 1)[0]


def epoch_of(num):
    return int(re.sub(r'r.*', '', num)) // EPOCH


def declared(mine, theirs):
    op = op_of(mine[1])
    for rule in DECLARED:
        if rule['op'] == op and rule['when'](mine[1:], theirs[1:]):
            return rule
    return None


def kind(mine, theirs):
    return (op_of((mine or theirs)[1]), mine[2] if mine else None,
            theirs[2] if theirs else None)


def differences(mine, theirs):
    """[(index, mine, theirs)] of the undeclared differences, and the
    number of declared ones, over two lists of answers."""
    diffs, ndecl = [], 0
    for i in range(max(len(mine), len(theirs))):
        a = mine[i] if i < len(mine) else None
        b = theirs[i] if i < len(theirs) else None
        if a == b:
            continue
        if a and b and a[1] == b[1] and declared(a, b):
            ndecl += 1
            continue
        diffs.append((i, a, b))
    return diffs, ndecl


def show(a, b):
    def one(x):
        return f'{x[1]} : rc={x[2]}{x[3]}' if x else '(no answer)'
    return f'  ioasim:   {one(a)}\n  upstream: {one(b)}'


def check_readme(repo):
    with open(os.path.join(repo, 'README.md')) as f:
        rows = [line for line in f if line.startswith('| `')]
    bad = [r['op'] for r in DECLARED
           if not any(row.startswith('| ' + r['row']) for row in rows)]
    for op in bad:
        print(f'fuzz-diff: the rule for {op} has no row in the README')
    return not bad


class Shrinker:
    """Replays lists of records in both kernels, many in one boot."""

    def __init__(self, work):
        self.work = work
        self.repo = os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))
        self.boots = 0

    def boot(self, who, kernel, out):
        lib = os.path.join(self.repo, 'scripts', 'lib.sh')
        subprocess.run(['bash', '-c', 'source "$1"; boot_sim "$2" "$3" "$4" '
                        'ioasim_diff.batch=1', '-', lib, kernel,
                        os.path.join(self.work, 'root'), out], check=False)

    def run(self, cases):
        """{case: [answers]} per kernel, for a list of record lists."""
        with open(os.path.join(self.work, 'root', 'diff-batch'), 'w') as f:
            for k, records in enumerate(cases):
                f.write(f'case {k}\n' + ''.join(r + '\n' for r in records))
        got = []
        for who in ('ioasim', 'upstream'):
            out = os.path.join(self.work, f'shrink.{who}.txt')
            self.boot(who, os.environ[f'KERNEL_{who.upper()}'], out)
            per, case = {}, None
            with open(out, errors='replace') as f:
                for raw in f:
                    line = raw.rstrip('\r\n')
                    if line.startswith('# diff case '):
                        case = int(line.split()[3])
                        per[case] = []
                    m = LINE.match(line)
                    if m and case is not None:
                        per[case].append((m[1], m[2], int(m[3]), m[4]))
            got.append(per)
        self.boots += 1
        return got

    def shows(self, want, mine, theirs):
        """The records up to the first difference of kind want, or None."""
        for i, a, b in differences(mine, theirs)[0]:
            if kind(a, b) == want:
                src = theirs if i < len(theirs) else mine
                return [x[1] for x in src[:i + 1]
                        if op_of(x[1]) != 'resync']
        return None

    def first_showing(self, want, cands):
        """The records of the first candidate that shows want, or None."""
        # At most about 200,000 calls to a boot.
        step = max(1, 200000 // max(1, max(map(len, cands), default=1)))
        for lo in range(0, len(cands), step):
            mine, theirs = self.run(cands[lo:lo + step])
            for k in range(len(cands[lo:lo + step])):
                got = self.shows(want, mine.get(k, []), theirs.get(k, []))
                if got is not None:
                    return got
        return None

    def unname(self, want, records):
        """Drops the calls that only hold later names in place: one that
        made objects nothing later names goes, the later names of their
        kinds one lower, while the difference still shows."""
        while True:
            theirs = self.run([records])[1].get(0, [])
            answers = [x for x in theirs if op_of(x[1]) != 'resync']
            cands = []
            for i, objs in enumerate(creations(answers)):
                cand = objs and renamed(records, i, objs)
                if cand:
                    cands.append(cand)
            got = self.first_showing(want, cands) if cands else None
            if got is None or len(got) >= len(records):
                return records
            records = got

    def shrink(self, want, records):
        """ddmin over records, each round's candidates in one boot per
        kernel; then the calls that only hold names in place."""
        n = 2
        while len(records) >= 2:
            size = -(-len(records) // n)
            chunks = [records[i:i + size]
                      for i in range(0, len(records), size)]
            cands = [sum(chunks[:i] + chunks[i + 1:], [])
                     for i in range(len(chunks))]
            if n > 2:
                cands = chunks + cands
            found = self.first_showing(want, cands)
            if found:
                records = found
                n = max(n - 1, 2)
            elif n >= len(records):
                break
            else:
                n = min(2 * n, len(records))
        return self.unname(want, records)


NAME = re.compile(r'([a-z]+)#(\d+)')


def creations(answers):
    """Per answer, the (kind, n) of the objects it made: the names that
    are one past the last of their kind (ioas#0 comes with the context)."""
    count, out = {'ioas': 1}, []
    for x in answers:
        made = set()
        for kind, n in NAME.findall(x[3]):
            if int(n) == count.get(kind, 0):
                count[kind] = int(n) + 1
                made.add((kind, int(n)))
        out.append(made)
    return out


def renamed(records, i, objs):
    """records without records[i], later names of objs' kinds one lower,
    or None if a later record names one of objs."""
    made = dict(objs)
    later = []
    for rec in records[i + 1:]:
        for kind, n in NAME.findall(rec):
            if (kind, int(n)) in objs:
                return None

        def lower(m):
            kind, n = m[1], int(m[2])
            return f'{kind}#{n - 1 if kind in made and n > made[kind] else n}'
        later.append(NAME.sub(lower, rec))
    return records[:i] + later


def as_case(want, seed, num, before, records, answers):
    lines = [f'{r} : rc={a[2]}{a[3]}' for r, a in zip(records, answers)]
    body = ''.join(f'\t\t"{line}\\n"\n' for line in lines)
    return (f'\t{{\n\t\t"{want[0]} (say what differed): ioasim {want[1]}, '
            f'upstream {want[2]} (seed {seed}, call {num}, {before} calls '
            f'shrunk to {len(records)})",\n{body}\t}},\n')


def shrink_one(work, shrinker, seed, want, where, mine, theirs):
    num = int(re.sub(r'r.*', '', (theirs if where < len(theirs) else mine)[where][0]))
    src = theirs if where < len(theirs) else mine
    records = [x[1] for x in src[:where + 1]
               if op_of(x[1]) != 'resync' and
               epoch_of(x[0]) == num // EPOCH]
    before = len(records)
    records = shrinker.shrink(want, records)
    got = shrinker.run([records])
    answers = [x for x in got[1].get(0, []) if op_of(x[1]) != 'resync']
    text = as_case(want, seed, num, before, records, answers)
    with open(os.path.join(work, f'case-{seed}-{num}.h'), 'w') as f:
        f.write(text)
    print(f'fuzz-diff: shrunk to {len(records)} calls in {shrinker.boots} '
          f'boots; as a case for sim/iommufd_diff_cases.h:\n{text}')


def main():
    work, seeds = sys.argv[1], sys.argv[2:]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    total = ndiff = ndecl = 0
    secs = {'ioasim': 0.0, 'upstream': 0.0}
    bad = not check_readme(repo)
    shrinker = Shrinker(work)
    kinds = set()
    for seed in seeds:
        mine, mine_done = parse(f'{work}/ioasim.{seed}.txt')
        theirs, theirs_done = parse(f'{work}/upstream.{seed}.txt')
        for who in secs:
            try:
                with open(f'{work}/{who}.{seed}.time') as f:
                    secs[who] += float(f.read())
            except (OSError, ValueError):
                pass
        if not (mine_done and theirs_done):
            print(f'fuzz-diff: seed {seed}: a kernel stopped before the '
                  f'end (ioasim {len(mine)}, upstream {len(theirs)} '
                  'answers)')
            bad = True
            # What both answered can still be compared.
            n = min(len(mine), len(theirs))
            mine, theirs = mine[:n], theirs[:n]
        total += sum(1 for x in theirs if op_of(x[1]) != 'resync')
        diffs, decl = differences(mine, theirs)
        ndiff += len(diffs)
        ndecl += decl
        for i, a, b in diffs[:20]:
            print(f'fuzz-diff: seed {seed} call {(a or b)[0]}:\n{show(a, b)}')
        # The first difference of an epoch; later ones may follow from it.
        epochs = set()
        for i, a, b in diffs:
            k, epoch = kind(a, b), epoch_of((a or b)[0])
            if k in kinds or epoch in epochs:
                continue
            kinds.add(k)
            epochs.add(epoch)
            if os.environ.get('SHRINK', '1') != '0':
                shrink_one(work, shrinker, seed, k, i, mine, theirs)
    for who, t in secs.items():
        if t:
            print(f'fuzz-diff: {who}: {total / t:.0f} calls/s '
                  '(boot included)')
    print(f'fuzz-diff: {total} calls, {ndiff} differences, {ndecl} declared')
    return 1 if ndiff or bad else 0


if __name__ == '__main__':
    sys.exit(main())
