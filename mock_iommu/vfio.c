// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock VFIO device (see vfio.h)
 */
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>

#include "device.h"
#include "mock.h"
#include "vfio.h"

/**
 * ioasim_mock_vfio_init() - open a device file for a mock device
 * @vfio: the file's state
 * @mdev: the device
 */
void ioasim_mock_vfio_init(struct ioasim_mock_vfio *vfio,
			   struct ioasim_mock_dev *mdev)
{
	vfio->mdev = mdev;
	mutex_init(&vfio->lock);
	vfio->idev = NULL;
	vfio->attached = false;
}

/**
 * ioasim_mock_vfio_bind() - VFIO_DEVICE_BIND_IOMMUFD
 * @vfio: the device file
 * @ctx: the context
 * @dev_id: out: the device's id in @ctx
 *
 * Return: 0; -EINVAL if the file is bound already; the error of
 * ioasim_device_bind().
 */
int ioasim_mock_vfio_bind(struct ioasim_mock_vfio *vfio,
			  struct ioasim_ctx *ctx, u32 *dev_id)
{
	struct ioasim_device *idev;
	int rc = 0;

	mutex_lock(&vfio->lock);
	if (vfio->idev) {
		rc = -EINVAL;
		goto out_unlock;
	}
	idev = ioasim_device_bind(ctx, &vfio->mdev->pdev->dev, &vfio->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_unlock;
	}
	vfio->idev = idev;
	*dev_id = vfio->dev_id;
out_unlock:
	mutex_unlock(&vfio->lock);
	return rc;
}

/**
 * ioasim_mock_vfio_attach() - VFIO_DEVICE_ATTACH_IOMMUFD_PT
 * @vfio: a bound device file
 * @pt_id: in: an IOAS or HWPT; out: the HWPT attached to
 *
 * Replaces the attachment when the device is attached already.
 *
 * Return: 0; -EINVAL if not bound; the error of the attach or replace.
 */
int ioasim_mock_vfio_attach(struct ioasim_mock_vfio *vfio, u32 *pt_id)
{
	int rc;

	mutex_lock(&vfio->lock);
	if (!vfio->idev)
		rc = -EINVAL;
	else if (vfio->attached)
		rc = ioasim_device_replace(vfio->idev, pt_id);
	else
		rc = ioasim_device_attach(vfio->idev, pt_id);
	if (!rc) {
		vfio->attached = true;
		vfio->pt_id = *pt_id;
	}
	mutex_unlock(&vfio->lock);
	return rc;
}

/**
 * ioasim_mock_vfio_detach() - VFIO_DEVICE_DETACH_IOMMUFD_PT
 * @vfio: a bound device file
 *
 * Detaching a device that is not attached does nothing.
 *
 * Return: 0, or -EINVAL if not bound.
 */
int ioasim_mock_vfio_detach(struct ioasim_mock_vfio *vfio)
{
	int rc = 0;

	mutex_lock(&vfio->lock);
	if (!vfio->idev) {
		rc = -EINVAL;
	} else if (vfio->attached) {
		rc = ioasim_device_detach(vfio->idev);
		vfio->attached = false;
	}
	mutex_unlock(&vfio->lock);
	return rc;
}

/**
 * ioasim_mock_vfio_pasid_attach() - VFIO_DEVICE_ATTACH_IOMMUFD_PT, with
 *	the PASID flag or without
 * @vfio: a bound device file
 * @pasid: a PASID of the device; IOMMU_NO_PASID is
 *	ioasim_mock_vfio_attach()
 * @pt_id: in: an IOAS or HWPT; out: the HWPT attached to
 *
 * Replaces the PASID's attachment when it is attached already.
 *
 * Return: 0; -EINVAL if not bound; the error of the attach or replace.
 */
int ioasim_mock_vfio_pasid_attach(struct ioasim_mock_vfio *vfio, u32 pasid,
				  u32 *pt_id)
{
	int rc;

	if (pasid == IOMMU_NO_PASID)
		return ioasim_mock_vfio_attach(vfio, pt_id);
	mutex_lock(&vfio->lock);
	if (!vfio->idev)
		rc = -EINVAL;
	else if (ioasim_device_pasid_hwpt(vfio->idev, pasid))
		rc = ioasim_device_pasid_replace(vfio->idev, pasid, pt_id);
	else
		rc = ioasim_device_pasid_attach(vfio->idev, pasid, pt_id);
	mutex_unlock(&vfio->lock);
	return rc;
}

/**
 * ioasim_mock_vfio_pasid_detach() - VFIO_DEVICE_DETACH_IOMMUFD_PT, with
 *	the PASID flag or without
 * @vfio: a bound device file
 * @pasid: a PASID of the device; IOMMU_NO_PASID is
 *	ioasim_mock_vfio_detach()
 *
 * Detaching a PASID that is not attached does nothing.
 *
 * Return: 0, or -EINVAL if not bound.
 */
int ioasim_mock_vfio_pasid_detach(struct ioasim_mock_vfio *vfio, u32 pasid)
{
	int rc = 0;

	if (pasid == IOMMU_NO_PASID)
		return ioasim_mock_vfio_detach(vfio);
	mutex_lock(&vfio->lock);
	if (!vfio->idev)
		rc = -EINVAL;
	else
		ioasim_device_pasid_detach(vfio->idev, pasid);
	mutex_unlock(&vfio->lock);
	return rc;
}

/**
 * ioasim_mock_vfio_release() - close the device file
 * @vfio: the device file; detached (its PASIDs too) and unbound if it was
 */
void ioasim_mock_vfio_release(struct ioasim_mock_vfio *vfio)
{
	mutex_lock(&vfio->lock);
	if (vfio->idev) {
		if (vfio->attached)
			ioasim_device_detach(vfio->idev);
		ioasim_device_unbind(vfio->idev);
		vfio->idev = NULL;
		vfio->attached = false;
	}
	mutex_unlock(&vfio->lock);
}

/**
 * ioasim_mock_vfio_dma() - the device does DMA
 * @vfio: the device file
 * @iova: first IOVA
 * @buf: the data to write to memory, or where to put what is read
 * @len: bytes
 * @write: the device writes memory
 *
 * Return: as ioasim_mock_dev_dma(): -EPERM while not attached (DMA is
 * blocked, or the device is not owned and sits in its identity domain),
 * -EFAULT for an IOVA not mapped for that direction.
 */
int ioasim_mock_vfio_dma(struct ioasim_mock_vfio *vfio, unsigned long iova,
			 void *buf, size_t len, bool write)
{
	return ioasim_mock_dev_dma(vfio->mdev, iova, buf, len, write);
}
