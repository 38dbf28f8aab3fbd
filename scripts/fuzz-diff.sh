#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fuzz-diff.sh [SEED...]: make fuzz-diff. The same seeded sequence of
# iommufd calls (sim/iommufd_diff) in ioasim's run kernel and in the
# comparison kernel (the kernel's own iommufd, scripts/upstream.sh), and
# every answer compared (scripts/fuzz-diff.py), deliberate differences
# excepted. CALLS= calls per seed (default 20000); no SEED draws one.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
calls=${CALLS:-20000}
[ $# -gt 0 ] || set -- "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"

"$IOASIM_REPO/scripts/kunit.sh" run >/dev/null ||
	die "the run kernel's KUnit suites fail: fix make run first"
upstream=$("$IOASIM_REPO/scripts/upstream.sh")
declare -A kernel=([ioasim]=$(build_dir run)/linux [upstream]=$upstream)
work=$IOASIM_CACHE/fuzz-diff-$IOASIM_TREEKEY
rm -rf "$work"
mkdir -p "$work/root"/{proc,sys,dev}
build_sim "$work/root" iommufd_diff

rc=0
for seed; do
	for who in ioasim upstream; do
		say "seed $seed: $calls calls in $who"
		start=$(date +%s.%N)
		boot_judged "$who" "$work/$who.$seed.txt" \
			ioasim_diff.seed="$seed" ioasim_diff.calls="$calls" \
			ioasim_diff.print=1 || rc=1
		echo "$(date +%s.%N) - $start" | bc >"$work/$who.$seed.time"
	done
done
python3 -B "$IOASIM_REPO/scripts/fuzz-diff.py" "$work" "$calls" "$@" || rc=1
exit $rc
