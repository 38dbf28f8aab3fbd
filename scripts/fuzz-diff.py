#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""fuzz-diff.py WORK CALLS SEED... - compare sim/iommufd_diff's answers

Reads WORK/ioasim.SEED.txt and WORK/upstream.SEED.txt (the two kernels'
consoles), compares the "# diff N op rc=E ..." lines call by call, and
prints each difference with the calls before it that touched the same
kind of command. A difference that a rule of DECLARED matches is counted
as declared, not as a difference. Ends with

    fuzz-diff: N calls, N differences, N declared

and exits 1 if any difference is not declared, or if a kernel did not
answer every call.
"""

import re
import sys

LINE = re.compile(r'^# diff (\d+) (\S+) rc=(\d+)(.*)$')

# The deliberate differences, each a rule: the command, a condition on the
# two answers (ioasim's, upstream's), and why. Each is in the README's
# table of answers that differ on purpose. One row of that table has no
# rule here, as its answers are the same: an UNMAP ending inside a mapping
# is ENOENT in both, but upstream has unmapped the mappings before it, so
# later answers about that IOAS may differ.
DECLARED = [
]


def answers(path):
    """{call number: (op, rc, rest)} and whether the run got to its end."""
    out, done = {}, False
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\r\n')
            m = LINE.match(line)
            if m:
                out[int(m[1])] = (m[2], int(m[3]), m[4])
            elif line.startswith('# diff done'):
                done = True
    return out, done


def declared(op, mine, theirs):
    for rule in DECLARED:
        if rule['op'] == op and rule['when'](mine, theirs):
            return rule
    return None


def main():
    work, calls, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    total = ndiff = ndecl = 0
    secs = {'ioasim': 0.0, 'upstream': 0.0}
    bad = False
    for seed in seeds:
        mine, mine_done = answers(f'{work}/ioasim.{seed}.txt')
        theirs, theirs_done = answers(f'{work}/upstream.{seed}.txt')
        for who in secs:
            try:
                secs[who] += float(open(f'{work}/{who}.{seed}.time').read())
            except (OSError, ValueError):
                pass
        if not (mine_done and theirs_done):
            print(f'fuzz-diff: seed {seed}: a kernel stopped before the '
                  f'end (ioasim {len(mine)}, upstream {len(theirs)} '
                  'answers)')
            bad = True
        for n in sorted(set(mine) | set(theirs)):
            total += 1
            a, b = mine.get(n), theirs.get(n)
            if a == b:
                continue
            op = (a or b)[0]
            rule = declared(op, a, b) if a and b else None
            if rule:
                ndecl += 1
                continue
            ndiff += 1
            if ndiff <= 20:
                print(f'fuzz-diff: seed {seed} call {n} ({op}):\n'
                      f'  ioasim:   rc={a[1] if a else "-"}'
                      f'{a[2] if a else ""}\n'
                      f'  upstream: rc={b[1] if b else "-"}'
                      f'{b[2] if b else ""}')
    for who, t in secs.items():
        if t:
            print(f'fuzz-diff: {who}: {total / t:.0f} calls/s '
                  '(boot included)')
    print(f'fuzz-diff: {total} calls, {ndiff} differences, {ndecl} declared')
    return 1 if ndiff or bad else 0


if __name__ == '__main__':
    sys.exit(main())
