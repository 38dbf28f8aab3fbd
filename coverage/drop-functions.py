#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""drop-functions.py PATTERNS IN.info OUT.info

Removes from an lcov tracefile every function whose name matches one of
the regular expressions in PATTERNS (see coverage/teardown): its FN/FNDA
records and the line and branch records of its body, which runs from the
function's first line to the first line after it that is a lone "}".
The per-file totals are recomputed.
"""
import re
import sys


def patterns(path):
    with open(path) as f:
        return [re.compile(l.strip()) for l in f
                if l.strip() and not l.startswith('#')]


def spans(source, starts):
    """Line spans [first, last] of the functions starting at @starts."""
    try:
        with open(source) as f:
            lines = f.read().split('\n')
    except OSError:
        return []
    out = []
    for first in starts:
        last = first
        while last < len(lines) and lines[last - 1] != '}' and \
                not lines[last - 1].startswith('} '):
            last += 1
        out.append((first, last))
    return out


def filter_record(rec, pats):
    source = rec[0][3:]
    fns = {}
    for l in rec:
        if l.startswith('FN:'):
            line, name = l[3:].split(',', 1)
            fns[name] = int(line)
    gone = {n for n in fns if any(p.fullmatch(n) for p in pats)}
    cut = spans(source, [fns[n] for n in gone])

    def inside(line):
        return any(a <= line <= b for a, b in cut)

    kept = []
    for l in rec:
        tag, _, rest = l.partition(':')
        if tag in ('FN', 'FNDA') and rest.split(',')[-1] in gone:
            continue
        if tag in ('DA', 'BRDA') and inside(int(rest.split(',')[0])):
            continue
        if tag in ('LF', 'LH', 'FNF', 'FNH', 'BRF', 'BRH'):
            continue
        kept.append(l)
    da = [l[3:].split(',') for l in kept if l.startswith('DA:')]
    fnda = [l[5:].split(',') for l in kept if l.startswith('FNDA:')]
    brda = [l[5:].split(',') for l in kept if l.startswith('BRDA:')]
    end = kept.pop()  # end_of_record
    kept += ['FNF:%d' % len(fnda),
             'FNH:%d' % sum(1 for c, _ in fnda if int(c) > 0),
             'BRF:%d' % len(brda),
             'BRH:%d' % sum(1 for b in brda if b[3] not in ('-', '0')),
             'LF:%d' % len(da),
             'LH:%d' % sum(1 for d in da if int(d[1]) > 0),
             end]
    return kept


def main():
    pats = patterns(sys.argv[1])
    out, rec = [], []
    with open(sys.argv[2]) as f:
        for l in f.read().split('\n'):
            if not l:
                continue
            if l.startswith('SF:'):
                rec = [l]
            elif rec:
                rec.append(l)
                if l == 'end_of_record':
                    out += filter_record(rec, pats)
                    rec = []
            else:
                out.append(l)
    with open(sys.argv[3], 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
