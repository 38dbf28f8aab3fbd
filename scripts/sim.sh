#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sim.sh FLAVOUR [program...]
#
# Runs the userspace programs of sim/ inside UML: builds them statically
# against the 6.12 uAPI headers of the cached tree, puts them in a hostfs
# root with sim/init.c as PID 1, and boots FLAVOUR's kernel (built by
# `make run` or `make check-kunit`) with the KUnit suites off. The
# programs' TAP goes to the console; UML's exit status is init's verdict.
# Any WARN, sanitizer report or lockdep splat on the console fails the run.
# With no program named, all of sim/*.c but init.c run. SIM_ARGS adds
# kernel arguments, e.g. ioasim_fuzz.seconds=60 for sim/iommufd_fuzz.
source "$(dirname "$0")/lib.sh"

flavour=${1:?usage: sim.sh run|check [program...]}
shift

ensure_packages
ensure_tree
build=$(build_dir "$flavour")
[ -x "$build/linux" ] ||
	die "no $flavour kernel in $build: run 'make run' or 'make check-kunit' first"

root=$build/sim-root
rm -rf "$root"
mkdir -p "$root"/{proc,sys,dev}
build_sim "$root" "$@"

out=$build/sim-output.txt
say "booting $build/linux with the programs as userspace"
rc=0
boot_sim "$build/linux" "$root" "$out" ioasim_test.vfio_devices=4 \
	${SIM_ARGS:-} || rc=$?
sed -n '/^# sim: running/,$p' "$out"
if ! "$IOASIM_REPO/scripts/scan-log.sh" "$out"; then
	say "the console log shows a kernel splat (see above): failing the run"
	rc=1
fi

# Cases; a program skips what the kernel cannot do, e.g. fail-nth
# without FAULT_INJECTION.
tap_summary sim "$out" $rc
exit $rc
