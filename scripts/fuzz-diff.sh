#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fuzz-diff.sh [SEED...]: make fuzz-diff. The same seeded sequence of
# iommufd calls (sim/iommufd_diff) in ioasim's kernel and in the
# comparison kernel (the kernel's own iommufd, scripts/upstream.sh), and
# every answer compared by scripts/fuzz-diff.py, which also shrinks each
# difference to a case for sim/iommufd_diff_cases.h.
#
# Environment (the Makefile's variables):
#   CALLS      calls per seed (default 20000)
#   RUN_FOR    or: seconds per seed; ioasim runs what fits, upstream the same
#   FLAVOUR    run (default) or check: the sanitizer kernel for ioasim
#   SHRINK     0: report differences without shrinking them
#   KERNEL_READY  set: the kernel is built and its suites passed already
# A SEED of "drawn" (or none at all) draws one, and says which.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
flavour=${FLAVOUR:-run}
case $flavour in run | check) ;; *) die "FLAVOUR is run or check" ;; esac
[ $# -gt 0 ] || set -- drawn
seeds=()
for seed; do
	if [ "$seed" = drawn ]; then
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		say "drawn seed: $seed"
	fi
	seeds+=("$seed")
done
set -- "${seeds[@]}"

# make check has just built the kernel and run its suites.
[ -n "${KERNEL_READY:-}" ] ||
	"$IOASIM_REPO/scripts/kunit.sh" "$flavour" >/dev/null ||
	die "the $flavour kernel's KUnit suites fail: fix them first"
# Not inside declare, whose own status would hide a failed build.
upstream=$("$IOASIM_REPO/scripts/upstream.sh")
declare -A kernel=([ioasim]=$(build_dir "$flavour")/linux [upstream]=$upstream)
work=$IOASIM_CACHE/fuzz-diff-$IOASIM_TREEKEY
rm -rf "$work"
mkdir -p "$work/root"/{proc,sys,dev}
build_sim "$work/root" iommufd_diff

rc=0
for seed; do
	length=ioasim_diff.calls=${CALLS:-20000}
	[ -z "${RUN_FOR:-}" ] || length=ioasim_diff.seconds=$RUN_FOR
	for who in ioasim upstream; do
		say "seed $seed: $length in $who"
		start=$(date +%s.%N)
		boot_judged "$who" "$work/$who.$seed.txt" \
			ioasim_diff.seed="$seed" "$length" ioasim_diff.print=1 ||
			rc=1
		echo "$(date +%s.%N) - $start" | bc >"$work/$who.$seed.time"
		# Upstream runs as many calls as ioasim did in its time.
		length=ioasim_diff.calls=$(tr -d '\r' <"$work/ioasim.$seed.txt" |
			sed -n 's/^# diff done \([0-9]*\).*/\1/p')
	done
done
KERNEL_IOASIM=${kernel[ioasim]} KERNEL_UPSTREAM=${kernel[upstream]} \
	python3 -B "$IOASIM_REPO/scripts/fuzz-diff.py" "$work" "$@" || rc=1
exit $rc
