/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: a VFIO device node as a VMM drives it, for the mock VFIO
 * nodes (/dev/vfio/devices/ioasim-vfioN) and the real edu device's
 * (/dev/vfio/devices/ioasim-eduN) alike: bind, attach (or replace),
 * detach, and the device's DMA (ioasim_mock_uapi.h). Both nodes answer a
 * blocked transfer the same way, EPERM while the device is not attached
 * and EFAULT for an IOVA not mapped for the direction; the real node
 * knows it from the IOMMU driver's fault report.
 */
#ifndef __IOASIM_SIM_DEVNODE_H
#define __IOASIM_SIM_DEVNODE_H

#include <linux/vfio.h>
#include "ioasim_mock_uapi.h"

#include "sim.h"

static inline int sim_dev_open(const char *kind, unsigned int k)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/devices/ioasim-%s%u", kind,
		 k);
	return open(path, O_RDWR);
}

static inline int sim_dev_bind(int dev, int iommufd, __u32 *dev_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};
	int rc = sim_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!rc && dev_id)
		*dev_id = bind.out_devid;
	return rc;
}

/* Attach or replace; *@pt_id becomes the HWPT. */
static inline int sim_dev_attach(int dev, __u32 *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = *pt_id,
	};
	int rc = sim_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

	*pt_id = attach.pt_id;
	return rc;
}

static inline int sim_dev_detach(int dev)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return sim_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

/* The device writes (or reads) @len bytes at @iova: mock nodes only. */
static inline int sim_dev_dma(int dev, __u64 iova, void *buf, __u64 len,
			      int write)
{
	struct ioasim_mock_vfio_dma dma = {
		.argsz = sizeof(dma),
		.flags = write ? IOASIM_MOCK_VFIO_DMA_WRITE : 0,
		.iova = iova, .length = len, .uptr = (uintptr_t)buf,
	};

	return sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma);
}

/* The device reads @len bytes at @src and writes them at @dst. */
static inline int sim_dev_copy(int dev, __u64 dst, __u64 src, __u64 len)
{
	struct ioasim_mock_vfio_dma dma = {
		.argsz = sizeof(dma), .flags = IOASIM_MOCK_VFIO_DMA_COPY,
		.iova = dst, .length = len, .src_iova = src,
	};

	return sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma);
}

#endif /* __IOASIM_SIM_DEVNODE_H */
