/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - bound devices, their groups, and paging HWPTs
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
 * A paging HWPT owns one iommu domain that maps everything its IOAS maps.
 * It is created explicitly (IOMMU_HWPT_ALLOC) or automatically when a
 * device is attached to an IOAS and no existing automatic HWPT of that
 * IOAS is compatible with the device (the driver's attach says -EINVAL).
 * An automatic HWPT is destroyed with its last attached device.
 *
 * References (holder -> held, a long-term reference each):
 *   bound device    -> context (the driver keeps the context open)
 *   attached device -> its group's HWPT
 *   paging HWPT     -> its IOAS
 *   the driver      -> the bound device (so IOMMU_DESTROY gets EBUSY)
 * An IOAS lists its HWPTs without holding them.
 *
 * Each attached device's reserved regions are reserved in the IOAS of its
 * HWPT, owned by the device, for as long as it is attached there.
 *
 * The locks involved are in the core's lock order (ioasim_private.h):
 * ioas->mutex, then group->lock, then the space's lock.
 */
#ifndef __IOASIM_DEVICE_H
#define __IOASIM_DEVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <uapi/linux/iommufd.h>

#include "ioas.h"

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
 * struct ioasim_hwpt - a paging HWPT
 * @obj: table header
 * @ioas: the IOAS whose mappings the domain mirrors (a reference)
 * @domain: the iommu domain
 * @ioas_item: in @ioas->hwpts once published
 * @auto_domain: created by an attach to the IOAS; dies with its last
 *	device
 * @dirty_tracking: IOMMU_HWPT_SET_DIRTY_TRACKING turned tracking on
 * @nest_parent: allocated with IOMMU_HWPT_ALLOC_NEST_PARENT: nested HWPTs
 *	may be built on it
 * @enforce_cc: the domain was told to keep DMA cache coherent (a paging
 *	HWPT used by a device whose IOMMU can); under the IOAS's mutex or the
 *	group's lock, set once
 * @parent: a nested HWPT's parent (a reference), NULL for a paging one
 * @fault: the fault queue its devices' page faults go to (a reference),
 *	or NULL
 *
 * A nested HWPT (type ioasim_hwpt_nested_type) has a nested domain that
 * translates through its parent's; its @ioas is the parent's, whose
 * reference the parent holds. Devices attach to either kind.
 */
struct ioasim_hwpt {
	struct ioasim_obj obj;
	struct ioasim_ioas *ioas;
	struct iommu_domain *domain;
	struct list_head ioas_item;
	bool auto_domain;
	bool dirty_tracking;
	bool nest_parent;
	bool enforce_cc;
	struct ioasim_hwpt *parent;
	struct ioasim_iopf_queue *fault;
};

/**
 * struct ioasim_iopf_queue - a fault queue (IOMMU_FAULT_QUEUE_ALLOC)
 * @obj: table header
 * @ctx: the context (its file holds a reference)
 * @lock: protects @deliver and @pending
 * @deliver: messages not yet read, oldest first
 * @pending: cookie -> message read and not yet answered
 * @wait: woken when a message arrives
 * @published: its command succeeded; until then its file's release takes
 *	the queue with it
 */
struct ioasim_iopf_queue {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	struct mutex lock; /* see the kernel-doc above */
	struct list_head deliver;
	struct xarray pending;
	wait_queue_head_t wait;
	bool published;
};

extern const struct ioasim_obj_type ioasim_iopf_queue_type;
struct file;
int ioasim_iopf_queue_alloc(struct ioasim_ctx *ctx,
			    struct iommu_fault_alloc *cmd, struct file **file);
void ioasim_iopf_queue_install(struct ioasim_ctx *ctx,
			       struct iommu_fault_alloc *cmd, struct file *file);
int ioasim_iopf_report(struct ioasim_hwpt *hwpt,
		       const struct iommu_hwpt_pgfault *fault);
int ioasim_device_iopf(struct ioasim_device *idev,
		       const struct iommu_hwpt_pgfault *fault);

/**
 * struct ioasim_group - an iommu group as one context sees it
 * @refs: bound devices of the group; under the context's groups_lock
 * @ctx: the context
 * @group: the iommu group (a reference)
 * @lock: protects @hwpt and @devices
 * @hwpt: the HWPT the group is attached to, or NULL
 * @devices: attached devices, by their @group_item
 */
struct ioasim_group {
	unsigned int refs;
	struct ioasim_ctx *ctx;
	struct iommu_group *group;
	struct mutex lock; /* see the kernel-doc above */
	struct ioasim_hwpt *hwpt;
	struct list_head devices;
};

/**
 * struct ioasim_device - a device bound to a context
 * @obj: table header
 * @ctx: the context (a reference, dropped after unbind, unless @by_table)
 * @dev: the device
 * @igroup: its group in @ctx
 * @group_item: in @igroup->devices while attached, else empty
 * @by_table: bound by an object of @ctx's table, see
 *	ioasim_device_bind_by_table()
 */
struct ioasim_device {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	struct device *dev;
	struct ioasim_group *igroup;
	struct list_head group_item;
	bool by_table;
};

extern const struct ioasim_obj_type ioasim_device_type;
extern const struct ioasim_obj_type ioasim_hwpt_paging_type;
extern const struct ioasim_obj_type ioasim_hwpt_nested_type;

struct ioasim_device *ioasim_device_bind(struct ioasim_ctx *ctx,
					 struct device *dev, u32 *id);
struct ioasim_device *ioasim_device_bind_by_table(struct ioasim_ctx *ctx,
						  struct device *dev, u32 *id);
void ioasim_device_unbind(struct ioasim_device *idev);
int ioasim_device_attach(struct ioasim_device *idev, u32 *pt_id);
int ioasim_device_replace(struct ioasim_device *idev, u32 *pt_id);
int ioasim_device_detach(struct ioasim_device *idev);

struct ioasim_hwpt *ioasim_hwpt_paging_create(struct ioasim_ctx *ctx,
					      struct ioasim_ioas *ioas,
					      struct ioasim_device *idev,
					      u32 flags);
int ioasim_hwpt_enforce_coherency(struct ioasim_hwpt *hwpt,
				  struct device *dev);
void ioasim_hwpt_unhold(struct ioasim_ctx *ctx, struct ioasim_hwpt *hwpt,
			struct ioasim_device *idev);
int ioasim_hwpt_alloc(struct ioasim_ctx *ctx, struct iommu_hwpt_alloc *cmd);
int ioasim_hwpt_invalidate(struct ioasim_ctx *ctx,
			   struct iommu_hwpt_invalidate *cmd);
int ioasim_hwpt_set_dirty_tracking(struct ioasim_ctx *ctx,
				   struct iommu_hwpt_set_dirty_tracking *cmd);
int ioasim_hwpt_get_dirty_bitmap(struct ioasim_ctx *ctx,
				 struct iommu_hwpt_get_dirty_bitmap *cmd);
int ioasim_get_hw_info(struct ioasim_ctx *ctx, struct iommu_hw_info *cmd,
		       void **data, u32 *data_len);

#endif /* __IOASIM_DEVICE_H */
