/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the mock VFIO device
 *
 * What VFIO's device-centric interface does with an iommufd context, on a
 * device behind the mock IOMMU: BIND_IOMMUFD binds the device to a
 * context (which claims its DMA ownership), ATTACH_IOMMUFD_PT attaches it
 * to an IOAS or HWPT (and replaces the attachment when it is attached
 * already), DETACH_IOMMUFD_PT detaches it, and closing the device file
 * detaches and unbinds. With VFIO's PASID flags (Linux 6.15) the last two
 * act on one PASID of the device. The device performs DMA through what its
 * no-PASID attachment translates.
 *
 * The operations take the device's lock, as VFIO's dev_set lock
 * serialises them.
 */
#ifndef __IOASIM_MOCK_VFIO_H
#define __IOASIM_MOCK_VFIO_H

#include <linux/mutex.h>
#include <linux/types.h>

struct ioasim_ctx;
struct ioasim_device;
struct ioasim_mock_dev;

/**
 * struct ioasim_mock_vfio - a mock VFIO device file
 * @mdev: the device behind the mock IOMMU
 * @lock: serialises the operations; protects the fields below
 * @idev: the binding, or NULL
 * @dev_id: the device's id in the bound context
 * @attached: attached to a HWPT
 * @pt_id: the HWPT it is attached to
 */
struct ioasim_mock_vfio {
	struct ioasim_mock_dev *mdev;
	struct mutex lock; /* see the kernel-doc above */
	struct ioasim_device *idev;
	u32 dev_id;
	bool attached;
	u32 pt_id;
};

void ioasim_mock_vfio_init(struct ioasim_mock_vfio *vfio,
			   struct ioasim_mock_dev *mdev);
int ioasim_mock_vfio_bind(struct ioasim_mock_vfio *vfio,
			  struct ioasim_ctx *ctx, u32 *dev_id);
int ioasim_mock_vfio_attach(struct ioasim_mock_vfio *vfio, u32 *pt_id);
int ioasim_mock_vfio_detach(struct ioasim_mock_vfio *vfio);
int ioasim_mock_vfio_pasid_attach(struct ioasim_mock_vfio *vfio, u32 pasid,
				  u32 *pt_id);
int ioasim_mock_vfio_pasid_detach(struct ioasim_mock_vfio *vfio, u32 pasid);
void ioasim_mock_vfio_release(struct ioasim_mock_vfio *vfio);
int ioasim_mock_vfio_dma(struct ioasim_mock_vfio *vfio, unsigned long iova,
			 void *buf, size_t len, bool write);

#endif /* __IOASIM_MOCK_VFIO_H */
