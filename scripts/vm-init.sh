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

# make bench-vm-profile: each way of each case of sim/real_type1's
# benchmark alone, many rounds, under perf; sampling covers the timed
# loops only (the program turns it on and off through perf's control
# FIFO). Prints the flat profile of each, heaviest first, as "# profile".
profile()
{
	local case way
	local rounds=$(sed -n 's/.*ioasim_vm.profile=\([0-9]*\).*/\1/p' /proc/cmdline)

	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	mkfifo /tmp/perf-ctl /tmp/perf-ack
	for case in "64M plain" "64M hugetlb" "4K maps x1024"; do
		for way in 0 1 2 3; do
			HOME=/tmp IOASIM_BENCH_ONLY="$way:$case" \
			IOASIM_BENCH_ROUNDS=$rounds \
			IOASIM_BENCH_PERF=/tmp/perf-ctl:/tmp/perf-ack \
				perf record -q -N -B -D -1 -e cpu-clock -F 4000 \
				--control=fifo:/tmp/perf-ctl,/tmp/perf-ack \
				-o /tmp/perf.data -- /sim/real_type1 -t bench \
				>/tmp/bench.txt 2>&1 ||
				fail "perf record of way $way, $case"
			grep '^# bench' /tmp/bench.txt
			HOME=/tmp perf report -i /tmp/perf.data --stdio \
				--no-children --sort sym 2>/dev/null |
				grep -E '^ +[0-9.]+%' >/tmp/report.txt
			head -n 20 /tmp/report.txt |
				sed "s/^/# profile $way $case: /"
			echo "# profile $way $case: by part: $(profile_parts)"
		done
	done
}

# The samples of /tmp/report.txt by the part of the system whose function
# ran: ioasim's module, VFIO's type1 module, the IOMMU driver (VT-d, and
# the iommu core's map/unmap), pinning (GUP and the folio work it does),
# allocation (slab, pages, zeroing them), the system call's way in and
# out (with the program's own code), the kernel's trees and xarrays, the
# rest. Under TCG, time with interrupts off lands on the function that
# turns them back on (_raw_spin_unlock_irqrestore): "other".
profile_parts()
{
	grep -E '\[(ioasim|vfio_iommu_type1)\]' /proc/kallsyms |
	awk 'NR == FNR { mod[$3] = $4; next }
	{
		p = $1; sub("%", "", p); name = $3
		if (mod[name] == "[ioasim]") part = "ioasim"
		else if (mod[name] != "") part = "vfio_type1"
		else if ($2 == "[.]" || name ~ /^(do_syscall|__x64_sys|entry_SYSCALL|syscall_|tomoyo_|security_|fdget|__fget|__fdget)/) part = "syscall"
		else if (name ~ /^(interval_tree|__rb_|rb_|xa_|xas_|__xa_|mt_|mas_|memcpy|memset|rep_movs|_copy_|__memcpy)/) part = "lib"
		else if (name ~ /^(intel_|dma_pte|pfn_to_dma_pte|__domain_mapping|clflush|iommu_|__iommu_|domain_unmap|dma_pte_|switch_to_super_page|cache_tag)/) part = "iommu"
		else if (name ~ /(gup|get_user_pages|follow_page|pin_user|unpin_user|folio|try_grab|page_ref|mark_page|set_page_dirty|pfn_valid|vma_lookup|find_vma)/) part = "pin"
		else if (name ~ /(kmalloc|kfree|kmem_cache|slab|__slab|alloc_pages|free_pages|clear_page|free_unref|rmqueue|get_page_from_freelist)/) part = "alloc"
		else part = "other"
		share[part] += p
	}
	END {
		n = split("ioasim vfio_type1 iommu pin alloc syscall lib other",
			  order, " ")
		for (i = 1; i <= n; i++)
			if (share[order[i]] > 0)
				printf "%s %.1f%%  ", order[i], share[order[i]]
	}' - /tmp/report.txt
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
	if grep -q 'ioasim_vm.profile=' /proc/cmdline; then
		profile
	else
		/sim/run || failed=1
	fi
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
