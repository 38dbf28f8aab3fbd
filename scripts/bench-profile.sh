#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench-profile.sh [CASE]: where the time of one sim/iommufd_bench case
# goes, in ioasim's bench kernel and in the comparison kernel (upstream
# iommufd with its selftest mock), side by side.
#
# A UML kernel is an ordinary host program, so the host's perf samples
# its functions (cpu-clock: no hardware counters are needed). Each kernel
# boots once under "perf record" and runs only CASE (default
# map_unmap_64M, all five 64 MiB configurations; map_4k_d1 and the
# others name one) of the benchmark; the report is the flat profile of
# the kernel's own symbols, the heaviest first, with the share of all
# samples each takes. Boot and the benchmark's setup are in the profile
# too: they are the same for both kernels and small next to the case.
# The figures are printed, never judged.
source "$(dirname "$0")/lib.sh"

case_name=${1:-map_unmap_64M}
top=${BENCH_PROFILE_TOP:-25}
IOASIM_PACKAGES+=(linux-perf)
bench_kernels bench-profile
echo "/sim/iommufd_bench -t $case_name" >"$work/root/sim/list"

rc=0
for who in ioasim upstream; do
	out=$work/$who.txt
	say "$who: perf record of $case_name"
	IOASIM_BOOT_WRAPPER="perf record -q -e cpu-clock -F 2000 -o $work/$who.data --" \
		boot_judged "$who" "$out" || rc=1
	grep '^# bench ' "$out" | tr -d '\r'
	echo "$who: the $top heaviest kernel functions (share of all samples)"
	perf report -i "$work/$who.data" --stdio --dsos linux --sort sym \
		2>/dev/null |
		grep -E '^ +[0-9.]+%' | sed -n "1,${top}p" # reads all: no SIGPIPE
done
exit $rc
