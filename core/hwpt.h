/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - HWPTs: paging and nested
 *
 * A paging HWPT owns one iommu domain that maps everything its IOAS maps.
 * It is created explicitly (IOMMU_HWPT_ALLOC) or automatically when a
 * device is attached to an IOAS and no existing automatic HWPT of that
 * IOAS is compatible with the device (the driver's attach says -EINVAL).
 * An automatic HWPT is destroyed with its last attached device. A domain
 * used by a device whose IOMMU can enforce DMA cache coherency is told to.
 *
 * A nested HWPT is built on a nesting-parent paging HWPT from the
 * driver's data; its domain translates through the parent's. It may name
 * a fault queue for its devices' page faults.
 *
 * References (holder -> held): paging HWPT -> its IOAS; nested HWPT ->
 * its parent, and its fault queue. An IOAS lists its paging HWPTs without
 * holding them; a HWPT is in that list exactly while it has an id.
 */
#ifndef __IOASIM_HWPT_H
#define __IOASIM_HWPT_H

#include <linux/list.h>
#include <uapi/linux/iommufd.h>

#include "ioas.h"
#include "iopf.h"
#include "uapi_later.h"

struct device;
struct iommu_domain;

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
 * @in_space: the domain is in @ioas's space and maps what it maps; for a
 *	driver that finishes domains at attach, from the first attach on
 *	(set under @ioas's mutex, once)
 * @pasid_compat: allocated with IOMMU_HWPT_ALLOC_PASID: it may serve a
 *	PASID of a device, and be the no-PASID attachment of a device that
 *	has PASIDs attached (see device.h)
 * @parent: a nested HWPT's parent (a reference), NULL for a paging one
 * @fault: the fault queue its devices' page faults go to (a reference),
 *	or NULL; nested HWPTs only
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
	bool msi_cookie;
	bool in_space;
	bool pasid_compat;
	struct ioasim_hwpt *parent;
	struct ioasim_iopf_queue *fault;
};

extern const struct ioasim_obj_type ioasim_hwpt_paging_type;
extern const struct ioasim_obj_type ioasim_hwpt_nested_type;

struct ioasim_hwpt *ioasim_hwpt_paging_create(struct ioasim_ctx *ctx,
					      struct ioasim_ioas *ioas,
					      struct device *dev, u32 flags);
struct ioasim_hwpt *ioasim_hwpt_nested_create(struct ioasim_ctx *ctx,
					      struct ioasim_hwpt *parent,
					      struct device *dev,
					      const struct iommu_hwpt_alloc *cmd);
int ioasim_hwpt_publish(struct ioasim_ctx *ctx, struct ioasim_hwpt *hwpt,
			struct iommu_hwpt_alloc *cmd);
int ioasim_hwpt_enforce_coherency(struct ioasim_hwpt *hwpt,
				  struct device *dev);
int ioasim_hwpt_join_space(struct ioasim_hwpt *hwpt);
bool ioasim_hwpt_same_driver(const struct ioasim_hwpt *hwpt,
			     struct device *dev);
int ioasim_hwpt_invalidate(struct ioasim_ctx *ctx,
			   struct iommu_hwpt_invalidate *cmd);
int ioasim_hwpt_set_dirty_tracking(struct ioasim_ctx *ctx,
				   struct iommu_hwpt_set_dirty_tracking *cmd);
int ioasim_hwpt_get_dirty_bitmap(struct ioasim_ctx *ctx,
				 struct iommu_hwpt_get_dirty_bitmap *cmd);

/* Table lookups that yield the HWPT, or an ERR_PTR. */
static inline struct ioasim_hwpt *ioasim_hwpt_paging_get(struct ioasim_ctx *ctx,
							 u32 id)
{
	return ioasim_obj_get_as(ctx, id, &ioasim_hwpt_paging_type,
				 struct ioasim_hwpt, obj);
}

static inline struct ioasim_hwpt *ioasim_hwpt_nested_get(struct ioasim_ctx *ctx,
							 u32 id)
{
	return ioasim_obj_get_as(ctx, id, &ioasim_hwpt_nested_type,
				 struct ioasim_hwpt, obj);
}

#endif /* __IOASIM_HWPT_H */
