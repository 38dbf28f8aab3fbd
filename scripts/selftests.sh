#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftests.sh [uml] [vm]
#
# make selftests: the kernel's own iommufd selftests against ioasim,
# unchanged. tools/testing/selftests/iommu/iommufd.c and
# iommufd_fail_nth.c are built at set-up from the cached kernel tree
# (nothing of them is in this repository), statically, against the tree's
# 6.12 uAPI headers with scripts/selftests/later-uapi.h force-included:
# Debian's copy names a few things of a later uAPI.
#
# They run in UML, against the run kernel (with the KUnit suites off), and
# in Debian's real kernel under QEMU against ioasim.ko + ioasim_mock.ko
# (scripts/vm.sh). Each place prints
#   selftests PLACE: N of M passed (F failed, S skipped)
#   selftests PLACE: iommufd_fail_nth N of M passed ...
# A failure passes the run only when scripts/selftests/known-failures
# names the case for that place, with its cause; a kernel splat never
# does.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
places=("$@")
[ ${#places[@]} -gt 0 ] || places=(uml vm)

out=$IOASIM_CACHE/selftests-$IOASIM_TREEKEY
src=$IOASIM_TREE/tools/testing/selftests
mkdir -p "$out"
hdr=$(uapi_headers)
for prog in iommufd iommufd_fail_nth; do
	say "building the kernel's selftests/iommu/$prog"
	gcc -static -O2 -Wall -Werror -Wno-unused-function -D_GNU_SOURCE \
		-include "$IOASIM_REPO/scripts/selftests/later-uapi.h" \
		-isystem "$hdr" -I"$src" -o "$out/$prog" \
		"$src/iommu/$prog.c" -lpthread
done
export SIM_EXTRA="$out/iommufd $out/iommufd_fail_nth"

known=$IOASIM_REPO/scripts/selftests/known-failures
rc=0

# summarize PLACE LOG: the lines above, and the unexpected failures.
summarize()
{
	local place=$1 log=$2 prog totals pass fail skip case unexpected=0

	for prog in iommufd iommufd_fail_nth; do
		# The harness ends each program with its totals.
		totals=$(tr -d '\r' <"$log" |
			sed -n "/^# sim: running \/sim\/$prog\$/,/^# sim: \/sim\/$prog exited/p" |
			grep -o '^# Totals: .*' | tail -n 1)
		if [ -z "$totals" ]; then
			say "$place: $prog printed no totals (crashed?)"
			rc=1
			continue
		fi
		# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N"
		pass=$(sed 's/.*Totals: pass:\([0-9]*\).*/\1/' <<<"$totals")
		fail=$(sed 's/.* fail:\([0-9]*\).*/\1/' <<<"$totals")
		skip=$(sed 's/.* skip:\([0-9]*\).*/\1/' <<<"$totals")
		if [ "$prog" = iommufd ]; then
			echo "selftests $place: $pass of $((pass + fail + skip)) passed ($fail failed, $skip skipped)"
		else
			echo "selftests $place: $prog $pass of $((pass + fail + skip)) passed ($fail failed, $skip skipped)"
		fi
	done
	while read -r case; do
		if ! grep -qE "^($place|any) $case " "$known"; then
			say "$place: unexpected failure: $case"
			unexpected=$((unexpected + 1))
		fi
	done < <(tr -d '\r' <"$log" | sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p')
	[ $unexpected -eq 0 ] || rc=1
	if ! "$IOASIM_REPO/scripts/scan-log.sh" "$log"; then
		say "$place: the console log shows a kernel splat"
		rc=1
	fi
}

for place in "${places[@]}"; do
	case $place in
	uml)
		# The run kernel, rebuilt if the sources moved on.
		"$IOASIM_REPO/scripts/kunit.sh" run >/dev/null ||
			die "the run kernel's KUnit suites fail: fix make run first"
		"$IOASIM_REPO/scripts/sim.sh" run none >/dev/null || true
		summarize uml "$(build_dir run)/sim-output.txt"
		;;
	vm)
		IOASIM_VM_MACHINES=mock "$IOASIM_REPO/scripts/vm.sh" none \
			>/dev/null || true
		summarize vm "$IOASIM_CACHE/vm-$(basename "$(headers_dir)" |
			sed 's/^linux-headers-//')/console-mock.txt"
		;;
	*) die "unknown place '$place' (uml, vm)" ;;
	esac
done
exit $rc
