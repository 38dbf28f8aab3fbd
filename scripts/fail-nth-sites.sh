#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fail-nth-sites.sh [BOOTS]: how many fault sites each scenario of the
# kernel's own iommufd_fail_nth meets, in ioasim's run kernel and in the
# comparison kernel of scripts/upstream.sh, BOOTS boots each (default 2),
# the program running twice in every boot.
#
# The program is built from the cached tree with one line added at build
# time (nothing of it is kept in this repository): once a scenario's
# sweep ends it prints
#   # fail-nth sites SCENARIO: N
# N being the injection points the scenario passed: the sweep's last
# iteration, less the one that met no point and ended it. Everything
# else, the cap of 400 included, is the program as shipped.
#
# Prints one line per scenario: every count met in each kernel and the
# verdict. Fails if the program fails in either kernel (both pass it in
# UML), or if one of ioasim's counts is above the largest upstream met,
# or if ioasim's count of a scenario moves by more than one between runs
# (the buffer's physical layout may add one, see docs/benchmarks.md).
source "$(dirname "$0")/lib.sh"

boots=${1:-2}
ensure_packages
ensure_tree

src=$IOASIM_TREE/tools/testing/selftests
work=$IOASIM_CACHE/fail-nth-sites-$IOASIM_TREEKEY
rm -rf "$work"
mkdir -p "$work/root"/{proc,sys,dev}

say "building the kernel's iommufd_fail_nth with its site count printed"
cp "$src/iommu/iommufd_fail_nth.c" "$work/fail_nth.c"
# Before the sweep's closing assertion in TEST_FAIL_NTH().
perl -0pi -e 's/(\n(\t+)ASSERT_EQ\(0, test_result\);)/\n$2printf("# fail-nth sites %s: %u\\n", #name, nth_state.iteration - 1); \\$1/' \
	"$work/fail_nth.c"
[ "$(grep -c '# fail-nth sites' "$work/fail_nth.c")" -eq 1 ] ||
	die "could not add the count to $work/fail_nth.c"
gcc -static -O2 -Wall -Werror -Wno-unused-function -D_GNU_SOURCE \
	-include "$IOASIM_REPO/scripts/selftests/later-uapi.h" \
	-isystem "$(uapi_headers)" -I"$src" -I"$src/iommu" \
	-o "$work/iommufd_fail_nth" "$work/fail_nth.c" -lpthread
SIM_EXTRA="$work/iommufd_fail_nth $work/iommufd_fail_nth" \
	build_sim "$work/root" none

"$IOASIM_REPO/scripts/kunit.sh" run >/dev/null ||
	die "the run kernel's KUnit suites fail: fix make run first"
upstream=$("$IOASIM_REPO/scripts/upstream.sh")
declare -A kernel=([ioasim]=$(build_dir run)/linux [upstream]=$upstream)

rc=0
for boot in $(seq "$boots"); do
	for who in ioasim upstream; do
		say "boot $boot: $who"
		boot_judged "$who" "$work/$who.$boot.txt" || rc=1
	done
done

python3 - "$work" "$boots" <<'PY' || rc=1
import re, sys
work, boots = sys.argv[1], int(sys.argv[2])
counts = {}
for who in ("ioasim", "upstream"):
    for b in range(1, boots + 1):
        for line in open(f"{work}/{who}.{b}.txt", errors="replace"):
            m = re.search(r"# fail-nth sites (\S+): (\d+)", line)
            if m:
                counts.setdefault(m[1], {}).setdefault(who, []).append(int(m[2]))
print(f"fail-nth sites: {boots} boots, two runs each (ioasim: the run kernel)")
print(f"{'scenario':<20} {'ioasim':<28} {'upstream':<28} verdict")
bad = 0
for name, c in counts.items():
    mine, theirs = c.get("ioasim", []), c.get("upstream", [])
    if not mine:
        verdict = "no count from ioasim"
    elif theirs and max(mine) > max(theirs):
        verdict = "above upstream"
    elif max(mine) - min(mine) > 1:
        verdict = "moves between runs"
    else:
        verdict = "ok"
    bad += verdict != "ok"
    print(f"{name:<20} {' '.join(map(str, mine)):<28} "
          f"{' '.join(map(str, theirs)):<28} {verdict}")
if not counts:
    print("no counts found")
    bad = 1
sys.exit(1 if bad else 0)
PY
exit $rc
