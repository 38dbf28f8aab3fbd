#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vm.sh [program...]
#
# make vm: the sim/ programs in Debian's real 6.12 kernel, booted under
# qemu-system-x86_64 from an initramfs of busybox-static, the modules that
# make module builds and the programs. The kernel is
# linux-image-<the headers' version>-amd64 (vermagic must match). KVM is
# used when /dev/kvm runs a guest (a probe boot finds out once); on
# machines where it stops with an emulation error, TCG (about 7 s to
# init). IOASIM_VM_ACCEL=kvm|tcg decides instead. The command line
# reserves huge pages for the hugetlbfs cases.
#
# The machines, each booted once (IOASIM_VM_MACHINES picks some):
#   mock          the default PC, ioasim.ko + ioasim_mock.ko: every sim/
#                 program against the mock IOMMU and its VFIO nodes
#   intel-iommu   q35 with QEMU's VT-d (interrupt remapping on) and two
#                 edu devices, in two groups
#   virtio-iommu  q35 with virtio-iommu and two edu devices
# The real-IOMMU machines load ioasim.ko, ioasim_mock.ko (the control
# plane's accesses; no mock devices) and ioasim_edu.ko, and run the
# programs that drive real devices (REAL_PROGS).
#
# The VM's init (scripts/vm-init.sh) loads the modules, runs the programs
# with sim/init.c, unloads the modules and checks that nothing is left:
# the sysfs counters at zero before the unload, the module reference
# counts at zero, no taint but out-of-tree and unsigned, and a dmesg
# without WARNING, BUG or Oops. Each machine's closing line is
# "vm: N passed, N failed, N skipped" (the mock machine) or
# "vm MACHINE: ...", counted from the programs' TAP.
#
# VM_ARGS adds kernel arguments; the arguments pick the sim/ programs of
# the mock machine ("none" for none); SIM_EXTRA names more static
# binaries to put in /sim and run after them (one's own: make vm
# PROGS=none EXTRA=./a.out). IOASIM_VM_PERF=1 adds Debian's perf and
# the libraries it links (make bench-vm-profile).
source "$(dirname "$0")/lib.sh"

IOASIM_PACKAGES+=(qemu-system-x86 busybox-static cpio gcc-multilib)
[ -z "${IOASIM_VM_PERF:-}" ] || IOASIM_PACKAGES+=(linux-perf)
ensure_packages
ensure_tree
kdir=$(headers_dir)
kver=$(basename "$kdir" | sed 's/^linux-headers-//')
# The image of the headers' version: the one the modules' vermagic fits.
IOASIM_PACKAGES=("linux-image-$kver")
ensure_packages
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "linux-image-$kver is installed but $kernel is missing"

"$IOASIM_REPO/scripts/module.sh"

work=$IOASIM_CACHE/vm-$kver
root=$work/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,lib,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$IOASIM_REPO"/out/{ioasim,ioasim_mock,ioasim_edu}.ko "$root/lib/"
# busybox's insmod reads no compressed modules.
xz -dc "/lib/modules/$kver/kernel/drivers/iommu/virtio-iommu.ko.xz" \
	>"$root/lib/virtio-iommu.ko"
# VFIO type1 beside ioasim on the same device (sim/real_type1).
mkdir -p "$root/lib/vfio"
for m in drivers/vfio/vfio drivers/vfio/vfio_iommu_type1 virt/lib/irqbypass \
	drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci; do
	xz -dc "/lib/modules/$kver/kernel/$m.ko.xz" \
		>"$root/lib/vfio/$(basename "$m").ko"
done
read -r -a REAL_PROGS <<<"${IOASIM_VM_REAL_PROGS:-real_iommu real_device real_type1 iommufd_fuzz}"
build_sim "$root" "${REAL_PROGS[@]}"
mv "$root/sim/list" "$root/sim/list.real"
build_sim "$root" "$@"
# A 32-bit build of the real-memory cases: compat_ioctl, pins, a domain.
if grep -qx /sim/real_memory "$root/sim/list"; then
	say "building sim/real_memory for 32-bit x86"
	SIM_CFLAGS=-m32 build_sim "$root/compat" real_memory
	mv "$root/compat/sim/real_memory" "$root/sim/real_memory_32"
	rm -rf "$root/compat"
	echo /sim/real_memory_32 >>"$root/sim/list"
fi
# make bench-vm-profile: Debian's perf and the libraries it links.
if [ -n "${IOASIM_VM_PERF:-}" ]; then
	perf=$(command -v perf) || die "linux-perf is installed but has no perf"
	for f in "$perf" $(ldd "$perf" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	[ -e "$root/bin/perf" ] || ln -s "$perf" "$root/bin/perf"
fi
# sim/init.c is the runner here; init is the script.
mv "$root/init" "$root/sim/run"
install -m 0755 "$IOASIM_REPO/scripts/vm-init.sh" "$root/init"

initrd=$work/initrd.cpio
(cd "$root" && find . | cpio -o -H newc --quiet) >"$initrd"

qemu=(qemu-system-x86_64 -cpu max -m 2G -smp 2 -nographic -no-reboot
	-kernel "$kernel" -initrd "$initrd")
# KVM where it runs this guest, else TCG. /dev/kvm can be there and still
# stop the guest with an emulation error, so a short boot that only
# reaches init finds out, once per kernel and QEMU.
accel=${IOASIM_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ]; then
		probe=$work/kvm-$(qemu-system-x86_64 --version | md5sum | cut -c1-8)
		if [ ! -f "$probe" ]; then
			say "probing KVM: a boot to init (at most 30 s)"
			timeout 30 "${qemu[@]}" -accel kvm \
				-append "console=ttyS0 quiet panic=-1 ioasim_vm.probe=1" \
				</dev/null >"$work/kvm-probe.txt" 2>&1 || true
			if grep -q '# vm: booted' "$work/kvm-probe.txt"; then
				echo yes >"$probe"
			else
				echo no >"$probe"
			fi
		fi
		[ "$(cat "$probe")" = no ] || accel=kvm
	fi
fi
# TCG in one thread for both vCPUs: with a thread per vCPU, the kernel's
# int3-based code patching at boot (static keys) sometimes meets stale
# translated code on the other vCPU and oopses before init.
[ "$accel" = kvm ] || accel=tcg,thread=single

# QEMU's edu, with a DMA mask as wide as a bus address: its default
# 28 bits would clamp IOVAs, which a real device would not.
edu=(-device edu,dma_mask=0xffffffffffffffff)

# machine_args MACHINE: QEMU's arguments and the kernel's for MACHINE.
machine_args()
{
	case $1 in
	mock)
		margs=()
		kargs=""
		;;
	intel-iommu)
		# The IOMMU comes before the devices it translates for.
		margs=(-machine q35
			-device intel-iommu,intremap=on,snoop-control=on
			"${edu[@]}" "${edu[@]}")
		kargs="intel_iommu=on ioasim_vm.isolated_msi=1"
		kargs+=" ioasim_vm.enforce_cc=1"
		;;
	virtio-iommu)
		margs=(-machine q35 -device virtio-iommu-pci "${edu[@]}"
			"${edu[@]}")
		kargs="ioasim_vm.isolated_msi=0 ioasim_vm.enforce_cc=0"
		;;
	*)
		die "no machine '$1' (IOASIM_VM_MACHINES: mock intel-iommu virtio-iommu)"
		;;
	esac
}

# boot_machine MACHINE: boots it, prints its part of the console and its
# closing line; the status is the machine's verdict.
boot_machine()
{
	local machine=$1 out=$work/console-$1.txt name=vm rc=0 try start verdict
	local append

	[ "$machine" = mock ] || name="vm $machine"
	machine_args "$machine"
	append="console=ttyS0 quiet panic=-1 panic_on_warn=1 hugepages=64"
	append+=" transparent_hugepage=madvise ioasim_vm.machine=$machine"
	append+=" $kargs ${VM_ARGS:-}"
	say "booting $kernel under qemu ($accel), machine $machine"
	for try in 1 2; do
		rc=0
		start=$SECONDS
		timeout 900 "${qemu[@]}" "${margs[@]}" -accel "$accel" \
			-append "$append" </dev/null >"$out" 2>&1 || rc=$?
		say "the VM ran for $((SECONDS - start)) s"
		# A kernel that never reached init says nothing about ioasim:
		# once more, saying so. Anything after init counts.
		grep -q '# vm: booted' "$out" && break
		say "the kernel did not reach init (try $try of 2; see $out)"
		[ $try -eq 2 ] || cp "$out" "$out.unbooted"
	done
	tr -d '\r' <"$out" | sed -n '/^# vm: /,$p' | grep -v '^\[ *[0-9.]*\] ' || true

	verdict=$(tr -d '\r' <"$out" | sed -n 's/^# vm: verdict \([0-9]*\)$/\1/p')
	if [ -z "$verdict" ]; then
		say "the VM ended without a verdict (panic, or a hang): see $out"
		rc=1
	elif [ "$verdict" -ne 0 ]; then
		rc=1
	fi
	if ! "$IOASIM_REPO/scripts/scan-log.sh" "$out"; then
		say "the console log shows a kernel splat (see above): failing the run"
		rc=1
	fi
	summaries+=("$(tap_summary "$name" "$out" $rc)")
	return $rc
}

summaries=()
status=0
for machine in ${IOASIM_VM_MACHINES:-mock intel-iommu virtio-iommu}; do
	boot_machine "$machine" || status=1
done
printf '%s\n' "${summaries[@]}"
exit $status
