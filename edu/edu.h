/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - QEMU's edu PCI device as a VFIO-like node (test only)
 *
 * ioasim_edu.ko binds QEMU's educational PCI device (1234:11e8), whose
 * DMA engine moves bytes between a 4 KiB buffer inside the device and
 * bus addresses, and gives each device a node,
 * /dev/vfio/devices/ioasim-eduN, with the ioctls of the mock VFIO nodes:
 * BIND_IOMMUFD, ATTACH_IOMMUFD_PT (a replace when attached),
 * DETACH_IOMMUFD_PT and the DMA request of ioasim_mock_uapi.h. The
 * driver is driver_managed_dma: it never uses the DMA API, and binding a
 * device to a context claims its DMA ownership, as vfio-pci does. A bus
 * address is an IOVA of whatever the device is attached to.
 *
 * The CPU cannot read or write the device's buffer (BAR0 has registers
 * only), so the one DMA the device can do for a program is a copy: read
 * memory at one IOVA into the buffer, write the buffer at another. The
 * node answers the DMA request's copy form and refuses the others with
 * EOPNOTSUPP.
 *
 * How a blocked transfer is known: the IOMMU drivers of 6.12 that QEMU
 * emulates (VT-d, virtio-iommu) report a DMA fault to nobody but the
 * kernel log, ratelimited (engine.c). The engine reads the log after each
 * piece of a transfer and answers a fault of its own device within the
 * piece as the mock answers a blocked DMA.
 */
#ifndef __IOASIM_EDU_H
#define __IOASIM_EDU_H

#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct ioasim_device;
struct pci_dev;

/**
 * struct ioasim_edu - one edu device and its node
 * @pdev: the PCI device
 * @regs: BAR0
 * @misc: the node
 * @name: its name
 * @index: N of the name
 * @kref: the probe's reference and one per open file
 * @lock: serialises the node's operations and the device's DMA; protects
 *	the fields below
 * @bound_file: the file bound to a context, or NULL
 * @idev: the binding, or NULL
 * @attached: attached to a HWPT
 * @removed: the PCI driver let the device go: every ioctl is -ENODEV
 */
struct ioasim_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct miscdevice misc;
	char name[32];
	int index;
	struct kref kref;
	struct mutex lock; /* see the kernel-doc above */
	struct file *bound_file;
	struct ioasim_device *idev;
	bool attached;
	bool removed;
};

/* node.c */
int ioasim_edu_node_add(struct ioasim_edu *edu);
void ioasim_edu_node_remove(struct ioasim_edu *edu);
void ioasim_edu_put(struct ioasim_edu *edu);

/* engine.c */
int ioasim_edu_copy(struct ioasim_edu *edu, u64 dst, u64 src, u64 len);
bool ioasim_edu_alive(struct ioasim_edu *edu);

#endif /* __IOASIM_EDU_H */
