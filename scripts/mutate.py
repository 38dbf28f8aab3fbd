#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""mutate.py - mutation testing of ioasim (make mutate)

Generates mutants of core/ (and of the mock's contract checks) with the
Coccinelle operators in scripts/mutate/ops/, one per site an operator
matches, and runs the tests against each: the KUnit suites in a kernel
built from a scratch copy of the sources, then, if the mutant survives
them, the sim/ programs in the same kernel. The checkout is never touched.

Each mutant ends as
  killed     a test failed, the kernel crashed or a splat was logged
  timeout    the run did not finish in time (counted as killed)
  survived   every test passed
  not built  the mutant does not compile (reported, not counted)
Results are cached by (mutant, tree hash): a rerun only runs what changed.

Mutants run on --jobs workers at once (one per core by default). Each
worker has its own copy of the sources, its own build directory and its
own hard-linked copy of the kernel tree, which it mounts over the cached
tree's path in a mount namespace of its own: the build directories stay
incremental, and the checkout's tree is left alone. A worker slot is
locked while a run uses it; a second run at the same time takes others.

Usage: mutate.py [--files GLOB...] [--ops NAME...] [--sample N] [--jobs N]
Environment (set by scripts/mutate.sh): IOASIM_CACHE, IOASIM_TREE,
IOASIM_TREEKEY.
"""
import argparse
import difflib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTDIR = os.path.join(REPO, 'scripts', 'mutate')
CACHE = os.path.join(os.environ['IOASIM_CACHE'], 'mutate')
TREE = os.environ['IOASIM_TREE']
TREEKEY = os.environ['IOASIM_TREEKEY']
# The suites take 6 s in the mutants' kernel: a run five times as long
# is hung.
KUNIT_TIMEOUT = 30
# Freed objects poisoned and checked: a use after free the mutants' kernel
# would not notice (it has no KASAN) reads poison, or is reported. A
# short-term reference never dropped makes the object's removal give up
# (and WARN) after two seconds instead of a minute.
KERNEL_ARGS = 'slub_debug=FZP ioasim.busy_wait_ms=2000'
SIM_TIMEOUT = 600
# The sim/ programs a mutant that survived the suites meets: all but the
# benchmark, which spends its time measuring, not checking.
SIM_SKIP = {'init', 'iommufd_bench'}
# Infrastructure that watches the rest (the ledger, the fault hook) is not
# mutated: a mutant there changes what the tests measure, not ioasim.
DEFAULT_FILES = ['core/*.c', 'mock_iommu/iommu.c', 'mock_iommu/dirty.c',
                 'mock_iommu/pasid.c']
SKIP_FILES = {'core/ledger.c', 'core/inject.c'}
# The sample make check runs stays on the reference, pinning, contract
# and range rules.
SAMPLE_SKIP = {'locking', 'errors'}
# Operators run family by family, in this order.
FAMILIES = ['reference', 'pinning', 'contract', 'ranges', 'locking', 'errors']
# The mock's contract checks are mutated by their own operator only.
MOCK_OPS = {'contract_drop'}


def sh(cmd, timeout=None, **kw):
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, **kw)


def sha1(*parts):
    h = hashlib.sha1()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b'\0')
    return h.hexdigest()


def read(path):
    with open(path) as f:
        return f.read()


class Op:
    def __init__(self, path):
        self.name = os.path.basename(path)[:-len('.cocci')]
        text = read(path)
        m = re.search(r'^// family: (\w+)', text, re.M)
        self.family = m.group(1) if m else 'other'
        self.cocci = os.path.join(CACHE, 'ops', self.name + '.cocci')
        self.text = (read(os.path.join(MUTDIR, 'prelude.cocci')) + text +
                     read(os.path.join(MUTDIR, 'postlude.cocci')))

    def applies_to(self, path):
        return (self.name in MOCK_OPS) == path.startswith('mock_iommu/')

    def install(self):
        os.makedirs(os.path.dirname(self.cocci), exist_ok=True)
        with open(self.cocci, 'w') as f:
            f.write(self.text)

    def spatch(self, path, at=None, out=None):
        env = dict(os.environ)
        env.pop('MUT_AT', None)
        if at:
            env['MUT_AT'] = at
        cmd = ['spatch', '--very-quiet', '--sp-file', self.cocci,
               os.path.join(REPO, path)]
        if out:
            cmd += ['-o', out]
        return sh(cmd, env=env, timeout=300)


def is_listed(entries, m):
    """Whether @m is in @entries; '*' as the file or the text matches any."""
    return any(op == m.op.name and path in ('*', m.path) and
               text in ('*', m.source) for op, path, text in entries)


def listed(name):
    """(operator, file, source line) of the mutants listed in @name."""
    out = set()
    for line in read(os.path.join(MUTDIR, name)).splitlines():
        if line.strip() and not line.startswith('#'):
            op, path, text = line.split(None, 2)
            out.add((op, path, text.strip()))
    return out


class Mutant:
    def __init__(self, op, path, at, text, original):
        self.op, self.path, self.at, self.text = op, path, at, text
        self.original = original
        self.line = int(at.split(':')[0])
        lines = original.splitlines()
        self.source = lines[self.line - 1].strip() \
            if self.line <= len(lines) else ''
        self.id = sha1(op.name, path, text)
        self.diff = ''.join(
            l for l in difflib.unified_diff(
                original.splitlines(True), text.splitlines(True),
                'a/' + path, 'b/' + path, n=2))


def sites(op, path):
    """The sites @op matches in @path, cached by their contents."""
    key = sha1(op.text, path, read(os.path.join(REPO, path)))
    cached = os.path.join(CACHE, 'sites', key)
    if os.path.exists(cached):
        return json.loads(read(cached))
    r = op.spatch(path)
    found = sorted(set(re.findall(r'^MUTATE-SITE (\d+:\d+)$', r.stdout,
                                  re.M)), key=lambda s: tuple(
                                      map(int, s.split(':'))))
    os.makedirs(os.path.dirname(cached), exist_ok=True)
    with open(cached, 'w') as f:
        json.dump(found, f)
    return found


def generate(ops, files):
    mutants = []
    tmp = os.path.join(CACHE, 'mutant.c')
    for op in ops:
        op.install()
        for path in files:
            if not op.applies_to(path):
                continue
            original = read(os.path.join(REPO, path))
            for at in sites(op, path):
                key = sha1(op.text, path, original, at)
                cached = os.path.join(CACHE, 'texts', key)
                if not os.path.exists(cached):
                    if os.path.exists(tmp):
                        os.unlink(tmp)
                    op.spatch(path, at=at, out=tmp)
                    text = read(tmp) if os.path.exists(tmp) else original
                    os.makedirs(os.path.dirname(cached), exist_ok=True)
                    with open(cached, 'w') as f:
                        f.write(text)
                text = read(cached)
                if text != original:
                    mutants.append(Mutant(op, path, at, text, original))
    return mutants


# What decides a mutant's fate besides the tree: bump JUDGE when judge()
# or judge_kunit() change what they call a kill.
JUDGE = 3


def tree_hash(flavour):
    """
    What the results depend on besides the mutant: every tracked file but
    the documentation and this tool's own (its listings, its reports), and
    how mutants are run and judged, in which kernel.
    """
    files = sh(['git', '-C', REPO, 'ls-files'], check=True).stdout.split()
    h = hashlib.sha1()
    h.update(repr((JUDGE, KERNEL_ARGS, KUNIT_TIMEOUT, SIM_TIMEOUT,
                   flavour)).encode())
    for f in sorted(files):
        if f.startswith(('scripts/mutate', 'docs/', 'README')):
            continue
        h.update(f.encode() + b'\0')
        with open(os.path.join(REPO, f), 'rb') as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


# Process groups of the runs in progress: a stopped make mutate takes
# them (kunit.py, make, UML) down with it.
RUNNING = set()


def stop(signum, frame):
    for pgid in list(RUNNING):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(128 + signum)


class Worker:
    """
    One slot mutants run in: a copy of the sources (src/), a hard-linked
    copy of the kernel tree (linux/) and build directories of its own
    (<flavour>.N-<tree key>, sim's included).
    """

    def __init__(self, n, jobs, flavour):
        self.n, self.jobs, self.flavour = n, jobs, flavour
        self.build = os.path.join(os.environ['IOASIM_CACHE'], 'build',
                                  '%s.%d-%s' % (flavour, n, TREEKEY))
        self.dir = os.path.join(CACHE, 'w%d' % n)
        self.src = os.path.join(self.dir, 'src')
        self.tree = os.path.join(self.dir, 'linux')
        self.pending = os.path.join(self.dir, 'pending')

    def claim(self):
        """
        Take the slot for this run, or say it is taken: two make mutate
        runs at once (a full one, and make check's sample) must not share
        a worker's sources or build directory.
        """
        os.makedirs(CACHE, exist_ok=True)
        self.lockf = open(os.path.join(CACHE, 'w%d.lock' % self.n), 'w')
        try:
            fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.lockf.close()
            return False
        return True

    def prepare(self, seed=None):
        """
        The worker's tree and copy of the sources, brought up to date; a
        build directory that is missing, configured otherwise than @seed's
        (a worker, or the checkout's own build of the flavour), or built
        from another list of objects (Kbuild), is replaced by a copy of
        @seed's. An incremental build does not take in a new object: the
        archives above its directory keep their old member lists.
        """
        if seed and os.path.exists(os.path.join(seed.build, '.config')):
            mine = os.path.join(self.build, '.config')
            objects = os.path.join(self.build, '.ioasim-kbuild')
            with open(os.path.join(REPO, 'Kbuild'), 'rb') as f:
                kbuild = hashlib.sha1(f.read()).hexdigest()
            if not os.path.exists(mine) or read(mine) != read(
                    os.path.join(seed.build, '.config')) or \
                    not os.path.exists(objects) or read(objects) != kbuild:
                shutil.rmtree(self.build, ignore_errors=True)
                subprocess.run(['cp', '-a', seed.build, self.build],
                               check=True)
                with open(objects, 'w') as f:
                    f.write(kbuild)
        stamp = os.path.join(self.dir, 'tree-key')
        if not os.path.exists(stamp) or read(stamp) != TREEKEY:
            shutil.rmtree(self.tree, ignore_errors=True)
            os.makedirs(self.dir, exist_ok=True)
            # Hard links: seconds, no space, and the files keep the mtimes
            # the run kernel's build (which seeds ours) was made from.
            subprocess.run(['cp', '-al', TREE, self.tree], check=True)
            with open(stamp, 'w') as f:
                f.write(TREEKEY)
        # Only files whose contents differ are written, and they get a
        # fresh mtime (no -t): make rebuilds exactly those. Keeping the
        # checkout's mtimes instead would let an object built from a
        # mutant look newer than the restored source.
        os.makedirs(self.src, exist_ok=True)
        subprocess.run(['rsync', '-rlpD', '--checksum', '--delete',
                        '--exclude=.git', '--exclude=/out', REPO + '/',
                        self.src + '/'], check=True)
        # A run stopped before it could rebuild a restored file.
        if os.path.exists(self.pending):
            for path in set(read(self.pending).split()):
                if os.path.exists(os.path.join(self.src, path)):
                    os.utime(os.path.join(self.src, path))
            os.unlink(self.pending)

    def run(self, cmd, timeout, env=None):
        """
        @cmd in the worker's mount namespace, where its tree sits at the
        cached tree's path. The whole process group goes on a timeout:
        a hung UML kernel is a child of kunit.py, not of us.
        """
        env = dict(env or os.environ, IOASIM_WORKER=str(self.n),
                   IOASIM_JOBS=str(self.jobs))
        wrap = ['unshare', '--mount', '--propagation', 'private', 'sh',
                '-c', 'mount --bind "$0" "$1" && shift && exec "$@"',
                self.tree, TREE]
        p = subprocess.Popen(wrap + cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env,
                             start_new_session=True)
        RUNNING.add(p.pid)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise
        finally:
            RUNNING.discard(p.pid)
        return subprocess.CompletedProcess(cmd, p.returncode, out, '')

    def mutant(self, m):
        dest = os.path.join(self.src, m.path)
        with open(self.pending, 'a') as f:
            f.write(m.path + '\n')
        with open(dest, 'w') as f:
            f.write(m.text)
        t0 = time.time()
        status, detail = self.judge()
        # The text the mutant was made from (the checkout may have moved
        # on since), with a fresh mtime: the next build recompiles it.
        with open(dest, 'w') as f:
            f.write(m.original)
        return {'status': status, 'detail': detail, 'op': m.op.name,
                'family': m.op.family, 'file': m.path, 'line': m.line,
                'diff': m.diff, 'seconds': round(time.time() - t0, 1)}

    def judge(self, mutant=True):
        """
        The fast suites, then, if they all pass, the sim/ programs. A
        mutant's build skips the configuration step (see kunit.sh).
        """
        env = dict(os.environ, IOASIM_MUTANT='1') if mutant else None
        try:
            r = self.run([os.path.join(self.src, 'scripts', 'kunit.sh'),
                          self.flavour, '--timeout=%d' % KUNIT_TIMEOUT,
                          '--filter', 'speed>slow',
                          '--kernel_args=' + KERNEL_ARGS],
                         KUNIT_TIMEOUT + 600, env)
            status, detail = judge_kunit(r)
        except subprocess.TimeoutExpired:
            status, detail = 'timeout', 'KUnit run timed out'
        if status is None:
            try:
                progs = sorted(
                    os.path.basename(p)[:-2]
                    for p in glob.glob(os.path.join(self.src, 'sim', '*.c')))
                r = self.run([os.path.join(self.src, 'scripts', 'sim.sh'),
                              self.flavour] + [p for p in progs
                                           if p not in SIM_SKIP],
                             SIM_TIMEOUT,
                             dict(os.environ, SIM_ARGS=KERNEL_ARGS))
                status = 'killed' if r.returncode else 'survived'
                detail = 'sim' if r.returncode else ''
            except subprocess.TimeoutExpired:
                status, detail = 'timeout', 'sim/ run timed out'
        return status, detail

    def baseline(self, resdir):
        """
        The unmutated sources must survive, or every mutant would look
        killed: checked once per tree, on every core, and the build it
        leaves seeds the other workers'.
        """
        done = os.path.join(resdir, 'baseline')
        if os.path.exists(done) and os.path.exists(self.build):
            return
        print('mutate: the tests against the unmutated sources, worker %d'
              % self.n, flush=True)
        jobs, self.jobs = self.jobs, os.cpu_count() or 1
        t0 = time.time()
        try:
            status, detail = self.judge(mutant=False)
        finally:
            self.jobs = jobs
        if status != 'survived':
            sys.exit('mutate: the unmutated sources fail in the mutants\' '
                     'kernel (%s: %s); see %s' % (
                         status, detail or 'failed',
                         os.path.join(self.build, 'kunit-output.txt')))
        print('mutate: baseline passed in %.0f s' % (time.time() - t0),
              flush=True)
        with open(done, 'w') as f:
            f.write('passed\n')


class Checkout:
    """The checkout's own build of a flavour, a seed for worker 0's."""

    def __init__(self, flavour):
        self.build = os.path.join(os.environ['IOASIM_CACHE'], 'build',
                                  '%s-%s' % (flavour, TREEKEY))


def judge_kunit(r):
    out = r.stdout + r.stderr
    if 'timed out' in out:
        return 'timeout', 'KUnit run timed out'
    if 'Testing complete' not in out and re.search(
            r'error:|Error 1|Could not build', out):
        return 'not built', ''
    if r.returncode == 0:
        return None, ''
    failed = list(dict.fromkeys(
        f for f in re.findall(r'\[(?:FAILED|CRASHED)\] (\S+)', out)
        if not f.startswith('ioasim_')))
    detail = ', '.join(failed[:3])
    if len(failed) > 3:
        detail += ' (+%d)' % (len(failed) - 3)
    if 'kernel splat' in out:
        detail = (detail + '; ' if detail else '') + 'splat'
    return 'killed', 'kunit: ' + (detail or 'failed')


def report(results):
    order = ['killed', 'timeout', 'survived', 'not built', 'equivalent']

    def table(key, title):
        rows = {}
        for r in results:
            rows.setdefault(r[key], dict.fromkeys(order, 0))[r['status']] += 1
        print('\n%-20s %7s %7s %8s %9s %10s' % (
            title, 'killed', 'timeout', 'survived', 'not built',
            'equivalent'))
        for k in sorted(rows):
            c = rows[k]
            print('%-20s %7d %7d %8d %9d %10d' % (k, *(c[s] for s in order)))

    table('family', 'family')
    table('op', 'operator')
    table('file', 'file')
    surv = [r for r in results if r['status'] == 'survived']
    if surv:
        print('\nsurvivors (no test notices these):')
    for r in surv:
        print('\n%s:%d  %s\n%s' % (r['file'], r['line'], r['op'],
                                   r['diff'].rstrip()))
    n = {s: sum(1 for r in results if r['status'] == s) for s in order}
    counted = n['killed'] + n['timeout'] + n['survived']
    if counted:
        print('\nscore: %.1f%% of %d mutants killed' %
              (100.0 * (n['killed'] + n['timeout']) / counted, counted))
    print('mutate: %d killed, %d survived, %d timeout, %d not built'
          '%s' % (n['killed'], n['survived'], n['timeout'], n['not built'],
                  ', %d equivalent' % n['equivalent']
                  if n['equivalent'] else ''))
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--files', nargs='*', default=None)
    ap.add_argument('--ops', nargs='*', default=None)
    ap.add_argument('--sample', type=int, default=0,
                    help='a fixed sample: the first site of each operator '
                    'outside SAMPLE_SKIP, then the next ones, up to N '
                    'mutants; any survivor fails the run')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                    help='mutants run at once (default: one per core)')
    ap.add_argument('--json', help='write every result here')
    ap.add_argument('--cached-only', action='store_true',
                    help='report what the cache holds, run nothing')
    ap.add_argument('--flavour', choices=('mutate', 'run'), default=None,
                    help='the mutants\' kernel: mutate (.kunitconfig and '
                    'lockdep, the default) or run (the run kernel\'s '
                    'configuration, whose build seeds the workers\'; the '
                    'default of --sample, which skips the locking family)')
    args = ap.parse_args()
    flavour = args.flavour or ('run' if args.sample else 'mutate')
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)

    ops = sorted((Op(p) for p in glob.glob(os.path.join(MUTDIR, 'ops',
                                                         '*.cocci'))),
                 key=lambda o: (FAMILIES.index(o.family)
                                if o.family in FAMILIES else len(FAMILIES),
                                o.name))
    if args.ops:
        unknown = set(args.ops) - {o.name for o in ops}
        if unknown:
            sys.exit('mutate: no operator %s' % ', '.join(sorted(unknown)))
        ops = [o for o in ops if o.name in args.ops]
    files = []
    for g in args.files or DEFAULT_FILES:
        for p in sorted(glob.glob(os.path.join(REPO, g))):
            rel = os.path.relpath(p, REPO)
            if rel not in SKIP_FILES or args.files:
                files.append(rel)
    mutants = generate(ops, files)
    known, survivors = listed('equivalent'), listed('survivors')
    for m in mutants:
        m.equivalent = is_listed(known, m)
    if args.sample:
        mutants = [m for m in mutants if not m.equivalent and
                   not is_listed(survivors, m)]
        by_op = {}
        for m in mutants:
            if m.op.family not in SAMPLE_SKIP:
                by_op.setdefault(m.op.name, []).append(m)
        picked, depth = [], 0
        while len(picked) < args.sample and any(
                len(v) > depth for v in by_op.values()):
            for name in sorted(by_op):
                if len(by_op[name]) > depth and len(picked) < args.sample:
                    picked.append(by_op[name][depth])
            depth += 1
        mutants = picked
    tree = tree_hash(flavour)
    resdir = os.path.join(CACHE, 'results', tree)
    os.makedirs(resdir, exist_ok=True)
    print('mutate: %d mutants from %d operators over %d files (tree %s)' %
          (len(mutants), len(ops), len(files), tree), flush=True)

    results, todo, t0 = [None] * len(mutants), [], time.time()
    lock, done = threading.Lock(), [0]

    def record(k, m, res, how):
        with lock:
            results[k] = res
            done[0] += 1
            print('[%d/%d] %-14s %s:%d -> %s%s (%s)' % (
                done[0], len(mutants), m.op.name, m.path, m.line,
                res['status'],
                ' [%s]' % res['detail'] if res['detail'] else '', how),
                flush=True)

    for k, m in enumerate(mutants):
        cached = os.path.join(resdir, m.id + '.json')
        if m.equivalent:
            record(k, m, {'status': 'equivalent', 'detail': '',
                          'op': m.op.name, 'family': m.op.family,
                          'file': m.path, 'line': m.line, 'diff': m.diff,
                          'seconds': 0}, 'scripts/mutate/equivalent')
        elif os.path.exists(cached):
            record(k, m, json.loads(read(cached)), 'cached')
        elif not args.cached_only:
            todo.append((k, m))

    nworkers = max(1, min(args.jobs, len(todo)))
    free, n = [], 0
    while todo and len(free) < nworkers:
        w = Worker(n, max(1, (os.cpu_count() or 1) // nworkers), flavour)
        if w.claim():
            free.append(w)
        n += 1
    if free:
        free[0].prepare(seed=Checkout(flavour))
        free[0].baseline(resdir)
    for w in free[1:]:
        w.prepare(seed=free[0])

    def work(item):
        k, m = item
        with lock:
            w = free.pop()
        try:
            res = w.mutant(m)
        finally:
            with lock:
                free.append(w)
        if res['status'] != 'not built':
            with open(os.path.join(resdir, m.id + '.json'), 'w') as f:
                json.dump(res, f)
        record(k, m, res, '%.0f s, worker %d' % (res['seconds'], w.n))

    with ThreadPoolExecutor(nworkers) as pool:
        list(pool.map(work, todo))
    results = [r for r in results if r]
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)
    n = report(results)
    print('mutate: took %d s' % (time.time() - t0))
    if args.sample and (n['survived'] or n['not built']):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
