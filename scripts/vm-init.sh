#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the VM that scripts/vm.sh boots: loads ioasim.ko and
# ioasim_mock.ko (and, in a real-IOMMU machine, ioasim_edu.ko), runs the
# sim/ programs with /sim/run (sim/init.c), then unloads the modules and
# checks that they left nothing behind. Every
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
machine=$(sed -n 's/.*ioasim_vm.machine=\([^ ]*\).*/\1/p' /proc/cmdline)
# The real-IOMMU machines: the mock's control plane without mock devices,
# the edu driver, and the programs that drive real devices.
mock_args=vfio_devices=4
extra=
if [ "$machine" != mock ]; then
	mock_args=
	extra=ioasim_edu
	mv /sim/list.real /sim/list
	if [ "$machine" = virtio-iommu ] && ! insmod /lib/virtio-iommu.ko; then
		fail "insmod virtio-iommu.ko"
	fi
	# Debian's VFIO type1, for the side-by-side program.
	if [ "$machine" = intel-iommu ]; then
		for m in vfio vfio_iommu_type1 irqbypass vfio-pci-core vfio-pci; do
			insmod "/lib/vfio/$m.ko" || fail "insmod $m.ko"
		done
	fi
fi
if ! insmod /lib/ioasim.ko; then
	fail "insmod ioasim.ko"
elif ! insmod /lib/ioasim_mock.ko $mock_args; then
	fail "insmod ioasim_mock.ko"
elif [ -n "$extra" ] && ! insmod "/lib/$extra.ko"; then
	fail "insmod $extra.ko"
else
	# ioasim.ko cannot go while the mock uses it.
	rmmod ioasim 2>/dev/null && fail "rmmod ioasim succeeded under the mock"
	[ -z "$extra" ] ||
		echo "# vm: $(ls /dev/vfio/devices | grep -c edu) edu devices," \
			"groups $(ls /sys/kernel/iommu_groups | wc -l)"
	/sim/run || failed=1
	for c in contexts objects pinned_pages; do
		v=$(cat "$stats/$c")
		[ "$v" = 0 ] || fail "$stats/$c is $v once the programs exited"
	done
	for m in $extra ioasim_mock; do
		[ "$(refcnt $m)" = 0 ] ||
			fail "$m refcnt $(refcnt $m) once the programs exited"
		rmmod $m || fail "rmmod $m"
	done
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
