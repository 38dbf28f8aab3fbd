#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the VM that scripts/vm.sh boots: loads ioasim.ko and
# ioasim_mock.ko, runs the sim/ programs with /sim/run (sim/init.c), then
# unloads both modules and checks that they left nothing behind. Every
# line meant for the host starts with "# vm: "; the last is the verdict
# ("# vm: verdict 0" when all went well). The kernel log follows the
# programs' output in full, for the host's splat scan.

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/hugepages
mount -t hugetlbfs hugetlbfs /dev/hugepages
echo "# vm: booted $(uname -r), $(nproc) CPUs, $(cat /proc/sys/vm/nr_hugepages) huge pages"
# scripts/vm.sh's KVM probe only wants to know that init runs.
grep -q 'ioasim_vm.probe=1' /proc/cmdline && poweroff -f

failed=0
fail()
{
	echo "# vm: FAILED: $*"
	failed=1
}

# What a module file holds in /sys/module/NAME/refcnt, or "gone".
refcnt()
{
	cat "/sys/module/$1/refcnt" 2>/dev/null || echo gone
}

stats=/sys/class/misc/iommu/ioasim
if ! insmod /lib/ioasim.ko; then
	fail "insmod ioasim.ko"
elif ! insmod /lib/ioasim_mock.ko vfio_devices=4; then
	fail "insmod ioasim_mock.ko"
else
	# ioasim.ko cannot go while the mock uses it.
	rmmod ioasim 2>/dev/null && fail "rmmod ioasim succeeded under the mock"
	/sim/run || failed=1
	for c in contexts objects pinned_pages; do
		v=$(cat "$stats/$c")
		[ "$v" = 0 ] || fail "$stats/$c is $v once the programs exited"
	done
	[ "$(refcnt ioasim_mock)" = 0 ] ||
		fail "ioasim_mock refcnt $(refcnt ioasim_mock) once the programs exited"
	rmmod ioasim_mock || fail "rmmod ioasim_mock"
	[ "$(refcnt ioasim)" = 0 ] ||
		fail "ioasim refcnt $(refcnt ioasim) without the mock"
	rmmod ioasim || fail "rmmod ioasim"
	[ "$(refcnt ioasim)" = gone ] || fail "ioasim still loaded"
	[ -e /dev/iommu ] && fail "/dev/iommu outlived ioasim.ko"
fi

# O (4096) and E (8192) only: an out-of-tree, unsigned module.
taint=$(cat /proc/sys/kernel/tainted)
[ $((taint & ~12288)) = 0 ] || fail "kernel tainted $taint"
if dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace:' >/dev/null; then
	fail "the kernel log holds a splat"
fi
echo "# vm: kernel log"
dmesg
echo "# vm: verdict $failed"
poweroff -f
