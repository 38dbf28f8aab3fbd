/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - bound devices and their groups (HWPTs are in hwpt.h)
 *
 * A driver (VFIO, or the mock VFIO device of the tests) binds a device to
 * a context: the context claims the device's DMA ownership, so the iommu
 * core parks the device's group in its blocking domain, and no other
 * context and no kernel DMA API user can own it until unbind. Devices of
 * one iommu group may be bound to one context only, and share one
 * attachment: the group is attached when its first device attaches and
 * detached when its last device detaches. Attaching a device to a HWPT
 * other than its group's fails with -EINVAL.
 *
 * References (holder -> held, a long-term reference each):
 *   bound device    -> context (the driver keeps the context open)
 *   attached device -> its group's HWPT
 *   the driver      -> the bound device (so IOMMU_DESTROY gets EBUSY)
 *
 * Each attached device's reserved regions are reserved in the IOAS of its
 * HWPT, owned by the device, for as long as it is attached there.
 *
 * PASIDs (device_pasid.c): each PASID of a device other than
 * IOMMU_NO_PASID may be attached to a HWPT of its own, recorded per
 * (device, PASID) in a struct ioasim_pasid_attach, which holds the HWPT.
 * Only a HWPT allocated PASID-compatible (IOMMU_HWPT_ALLOC_PASID, or an
 * automatic one made for a PASID) serves a PASID, and while any PASID of
 * a group's devices is attached, the group's no-PASID HWPT must be one
 * too. A PASID attachment reserves nothing in the IOAS and takes no MSI
 * window; DMA cache coherency is enforced as for the group.
 *
 *   PASID record    -> its HWPT (a long-term reference, in the record's
 *			name)
 *
 * The locks involved are in the core's lock order (ioasim_private.h):
 * ioas->mutex, then group->lock, then the space's lock.
 */
#ifndef __IOASIM_DEVICE_H
#define __IOASIM_DEVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "hwpt.h"

struct device;
struct iommu_domain;
struct ioasim_device;
struct iommu_group;

/*
 * The iommu core exports this to iommufd implementations (namespace
 * IOMMUFD_INTERNAL) but declares it in a header private to drivers/iommu/,
 * which kernel header packages do not ship.
 */
int iommu_group_replace_domain(struct iommu_group *group,
			       struct iommu_domain *new_domain);

/**
 * struct ioasim_group - an iommu group as one context sees it
 * @refs: bound devices of the group; under the context's groups_lock
 * @ctx: the context
 * @group: the iommu group (a reference)
 * @lock: protects @hwpt and @devices
 * @hwpt: the HWPT the group is attached to, or NULL
 * @devices: attached devices, by their @group_item
 * @sw_msi_start: where the driver's software-managed MSI window of a
 *	device of the group starts, PHYS_ADDR_MAX if none; under @lock
 * @npasids: PASIDs of the group's devices attached; under @lock
 */
struct ioasim_group {
	unsigned int refs;
	struct ioasim_ctx *ctx;
	struct iommu_group *group;
	struct mutex lock; /* see the kernel-doc above */
	struct ioasim_hwpt *hwpt;
	struct list_head devices;
	phys_addr_t sw_msi_start;
	unsigned int npasids;
};

/**
 * struct ioasim_device - a device bound to a context
 * @obj: table header
 * @ctx: the context (a reference, dropped after unbind, unless @weak_ctx)
 * @dev: the device
 * @igroup: its group in @ctx
 * @group_item: in @igroup->devices while attached, else empty
 * @weak_ctx: bound by an object of @ctx's table, see
 *	ioasim_device_bind_weak()
 * @pasids: PASID -> struct ioasim_pasid_attach; changed under
 *	@igroup->lock
 */
struct ioasim_device {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	struct device *dev;
	struct ioasim_group *igroup;
	struct list_head group_item;
	bool weak_ctx;
	struct xarray pasids;
};

/**
 * struct ioasim_pasid_attach - a PASID of a bound device, attached
 * @idev: the device
 * @hwpt: the HWPT (a long-term reference, held in this record's name)
 * @pasid: the PASID, never IOMMU_NO_PASID
 */
struct ioasim_pasid_attach {
	struct ioasim_device *idev;
	struct ioasim_hwpt *hwpt;
	u32 pasid;
};

extern const struct ioasim_obj_type ioasim_device_type;

/* A table lookup that yields the device, or an ERR_PTR. */
static inline struct ioasim_device *ioasim_device_get(struct ioasim_ctx *ctx,
						      u32 id)
{
	return ioasim_obj_get_as(ctx, id, &ioasim_device_type,
				 struct ioasim_device, obj);
}

/*
 * Whether @idev is attached. Attachments change under its group's lock,
 * which a caller acting on the answer holds.
 */
static inline bool ioasim_device_attached(struct ioasim_device *idev)
{
	lockdep_assert_held(&idev->igroup->lock);
	return !list_empty(&idev->group_item);
}

/*
 * The record of @pasid of @idev, or NULL. Records change under the
 * group's lock, which a caller acting on the answer holds.
 */
static inline struct ioasim_pasid_attach *
ioasim_device_pasid_record(struct ioasim_device *idev, u32 pasid)
{
	lockdep_assert_held(&idev->igroup->lock);
	return xa_load(&idev->pasids, pasid);
}

struct ioasim_device *ioasim_device_bind(struct ioasim_ctx *ctx,
					 struct device *dev, u32 *id);
bool ioasim_allow_unsafe_interrupts(bool allow);
/* See ioasim_test_msi_oracle(). */
struct ioasim_msi_oracle {
	int (*isolated)(struct device *dev);
};

void ioasim_test_msi_oracle(const struct ioasim_msi_oracle *oracle);
struct ioasim_device *ioasim_device_bind_weak(struct ioasim_ctx *ctx,
					      struct device *dev, u32 *id);
void ioasim_device_unbind(struct ioasim_device *idev);
int ioasim_device_attach(struct ioasim_device *idev, u32 *pt_id);
int ioasim_device_replace(struct ioasim_device *idev, u32 *pt_id);
int ioasim_device_detach(struct ioasim_device *idev);
int ioasim_device_pasid_attach(struct ioasim_device *idev, u32 pasid,
			       u32 *pt_id);
int ioasim_device_pasid_replace(struct ioasim_device *idev, u32 pasid,
				u32 *pt_id);
int ioasim_device_pasid_detach(struct ioasim_device *idev, u32 pasid);
struct ioasim_hwpt *ioasim_device_pasid_hwpt(struct ioasim_device *idev,
					     u32 pasid);
int ioasim_device_iopf(struct ioasim_device *idev,
		       const struct iommu_hwpt_pgfault *fault);

void ioasim_hwpt_unhold(struct ioasim_ctx *ctx, struct ioasim_hwpt *hwpt,
			const void *holder);

/* Between device_attach.c and device_pasid.c. */
struct ioasim_hwpt *ioasim_pasid_change(struct ioasim_hwpt *hwpt,
					struct ioasim_device *idev, u32 pasid,
					bool replace, const void **holder);
void ioasim_device_pasids_detach_all(struct ioasim_device *idev);
int ioasim_device_change_pt(struct ioasim_device *idev, u32 pasid,
			    u32 *pt_id, bool replace);
int ioasim_hwpt_alloc(struct ioasim_ctx *ctx, struct iommu_hwpt_alloc *cmd);
int ioasim_get_hw_info(struct ioasim_ctx *ctx, struct iommu_hw_info *cmd,
		       void **data, u32 *data_len);

#endif /* __IOASIM_DEVICE_H */
