// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - IOMMU_HWPT_ALLOC
 *
 * The one HWPT command that names a bound device: the domain comes from
 * that device's IOMMU. It sits above both the HWPTs (hwpt.c), which take
 * a bare struct device, and the bound devices (device.c), so that neither
 * of those two needs the other's command.
 */
#include <kunit/visibility.h>
#include <linux/iommu.h>

#include "device.h"

/**
 * ioasim_hwpt_alloc() - IOMMU_HWPT_ALLOC
 * @ctx: the context
 * @cmd: in: flags, dev_id, pt_id (an IOAS), data_type, data_len; out:
 *	out_hwpt_id
 *
 * With an IOAS as pt_id: a paging domain for the device, filled from the
 * IOAS and attached to nothing; devices attach to it by id. Flags:
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING (for devices whose IOMMU can track) and
 * IOMMU_HWPT_ALLOC_NEST_PARENT. With a nesting-parent paging HWPT as
 * pt_id: a nested HWPT from the driver's data (data_type, data_len,
 * data_uptr). A nested one takes IOMMU_HWPT_FAULT_ID_VALID with a fault
 * queue's id in fault_id: its devices' page faults go to that queue.
 * Either kind takes IOMMU_HWPT_ALLOC_PASID (a later kernel's flag, see
 * uapi_later.h), which the driver is told of: the HWPT may then serve
 * PASIDs.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (reserved field, other flags, a fault queue for
 * a paging HWPT, dirty tracking the device cannot do, driver data for
 * a paging HWPT, a nested one without data or with flags, a data type
 * the driver does not know);
 * -EINVAL (data_len inconsistent with data_type; pt_id not an IOAS or
 * paging HWPT; a parent that is automatic or not a nesting parent);
 * -ENOENT (no such device or fault queue, or the IOAS is being
 * destroyed); -EFAULT; -EADDRINUSE; -ENOMEM; a pin or map error.
 */
int ioasim_hwpt_alloc(struct ioasim_ctx *ctx, struct iommu_hwpt_alloc *cmd)
{
	bool data = cmd->data_type != IOMMU_HWPT_DATA_NONE;
	struct ioasim_device *idev;
	struct ioasim_ioas *ioas;
	struct ioasim_hwpt *hwpt;
	struct ioasim_obj *obj;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (data != !!cmd->data_len)
		return -EINVAL;

	idev = ioasim_device_get(ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	obj = ioasim_obj_get(ctx, cmd->pt_id, NULL);
	if (IS_ERR(obj)) {
		rc = -EINVAL;
		goto out_idev;
	}
	if (obj->type == &ioasim_hwpt_paging_type) {
		hwpt = ioasim_hwpt_nested_create(ctx,
						 container_of(obj, struct ioasim_hwpt,
							      obj),
						 idev->dev, cmd);
		rc = PTR_ERR_OR_ZERO(hwpt) ?: ioasim_hwpt_publish(ctx, hwpt, cmd);
		goto out_pt;
	}
	if (obj->type != &ioasim_ioas_type) {
		rc = -EINVAL;
		goto out_pt;
	}
	/* 6.12 gives fault queues to nested HWPTs only. */
	if ((cmd->flags & ~(IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			    IOMMU_HWPT_ALLOC_NEST_PARENT |
			    IOMMU_HWPT_ALLOC_PASID)) || data ||
	    ((cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	     !device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))) {
		rc = -EOPNOTSUPP;
		goto out_pt;
	}

	ioas = container_of(obj, struct ioasim_ioas, obj);
	mutex_lock(&ioas->mutex);
	hwpt = ioasim_hwpt_paging_create(ctx, ioas, idev->dev, cmd->flags);
	rc = PTR_ERR_OR_ZERO(hwpt) ?: ioasim_hwpt_publish(ctx, hwpt, cmd);
	mutex_unlock(&ioas->mutex);
out_pt:
	ioasim_obj_put(ctx, obj);
out_idev:
	ioasim_obj_put(ctx, &idev->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_alloc);
