#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench-compare.sh [ROUNDS]: sim/iommufd_bench in ioasim and in the
# kernel's own iommufd, side by side on this machine.
#
# ioasim runs in the bench kernel (the run configuration without the
# reference ledger, as make bench builds it), upstream in the comparison
# kernel of scripts/upstream.sh. The two boot alternately, ROUNDS times
# each (default 3), the same static binary in both. Within a boot a rate
# is the fastest of the benchmark's windows (sim/iommufd_bench.c says
# why); the table gives the median over the boots, each boot's figure
# after it, and the ratio of the medians, ioasim's over upstream's (for
# bytes per page, lower is better: the ratio is still ioasim/upstream).
# Only the benchmark's own checks can fail the run; the figures are
# printed, never judged: these machines are noisy.
source "$(dirname "$0")/lib.sh"

rounds=${1:-3}
bench_kernels bench-compare

rc=0
for round in $(seq "$rounds"); do
	for who in ioasim upstream; do
		out=$work/$who.$round.txt
		say "round $round: $who"
		boot_judged "$who" "$out" || rc=1
	done
done

# Memory: one more boot each with every slab cache debugged, so that
# /proc/slabinfo counts each object (sim/iommufd_bench skips those cases
# otherwise).
for who in ioasim upstream; do
	out=$work/$who.memory.txt
	say "memory: $who"
	boot_judged "$who" "$out" slub_debug=F || rc=1
done

# "# bench NAME: VALUE UNIT (...)" from every boot: the medians.
python3 - "$work" "$rounds" <<'PY'
import re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
figs = {}
for who in ("ioasim", "upstream"):
    for r in [*range(1, rounds + 1), "memory"]:
        for line in open(f"{work}/{who}.{r}.txt", errors="replace"):
            m = re.match(r"# bench (\S+): ([0-9.]+) (.*?)( \(|$)", line.strip())
            # The memory boot's rates ran with slub_debug: not comparable.
            if m and (r == "memory") == m[1].startswith("bytes_per_page"):
                figs.setdefault(m[1], {}).setdefault(who, []).append(float(m[2]))
                figs[m[1]]["unit"] = m[3]
print(f"bench-compare: medians of {rounds} interleaved rounds (memory: one boot with slub_debug=F)")
print(f"{'figure':<26} {'ioasim':>12} {'upstream':>12} {'ratio':>7}  unit  (each boot: ioasim / upstream)")
for name, f in figs.items():
    a = statistics.median(f.get("ioasim", [0]))
    b = statistics.median(f.get("upstream", [0]))
    ratio = f"{a / b:.2f}" if b else "-"
    each = " / ".join(" ".join(f"{v:.2f}" for v in f.get(who, []))
                      for who in ("ioasim", "upstream"))
    print(f"{name:<26} {a:>12.2f} {b:>12.2f} {ratio:>7}  {f['unit']}  ({each})")
PY
exit $rc
