// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - attaching bound devices: to a HWPT, to an IOAS through an
 * automatic HWPT, replacing, detaching (see device.h)
 */
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "device.h"
#include "inject.h"

/*
 * Reserve @idev's reserved regions in @space, owned by @idev. Relaxable
 * direct mappings may be given up while userspace owns the device, so
 * they need not stay free. A software-managed MSI window is noted for the
 * group (see hwpt_msi_cookie()); a driver offers either its own MSI
 * window or at most one such, never both.
 */
static int device_reserve(struct ioasim_device *idev,
			  struct ioasim_space *space)
{
	unsigned int hw_msi = 0, sw_msi = 0;
	struct iommu_resv_region *region;
	LIST_HEAD(regions);
	int rc = 0;

	lockdep_assert_held(&idev->igroup->lock);
	iommu_get_resv_regions(idev->dev, &regions);
	list_for_each_entry(region, &regions, list) {
		if (region->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;
		if (region->type == IOMMU_RESV_MSI)
			hw_msi++;
		if (region->type == IOMMU_RESV_SW_MSI) {
			idev->igroup->sw_msi_start = region->start;
			sw_msi++;
		}
		rc = ioasim_space_reserve(space, region->start,
					  region->start + region->length - 1,
					  idev);
		if (rc)
			break;
	}
	iommu_put_resv_regions(idev->dev, &regions);
	if (!rc && ((sw_msi && hw_msi) || sw_msi > 1))
		rc = -EINVAL;
	if (rc)
		ioasim_space_unreserve(space, idev);
	return rc;
}

/* Serialises the one MSI cookie of a domain among its groups. */
static DEFINE_MUTEX(msi_cookie_lock);

/*
 * A driver that gives a software-managed MSI window (IOMMU_RESV_SW_MSI, as
 * ARM's SMMU does) leaves it to the domain's owner to say where MSI pages
 * go: once per paging domain, before a group with such a window is
 * attached to it, or interrupts will not reach the CPU. A kernel without
 * the DMA API (UML) cannot: -ENODEV, as upstream answers there.
 */
static int hwpt_msi_cookie(struct ioasim_hwpt *hwpt,
			   struct ioasim_group *igroup)
{
	int rc = 0;

	lockdep_assert_held(&igroup->lock);
	if (igroup->sw_msi_start == PHYS_ADDR_MAX || hwpt->parent)
		return 0;
	mutex_lock(&msi_cookie_lock);
	if (!hwpt->msi_cookie) {
		rc = iommu_get_msi_cookie(hwpt->domain, igroup->sw_msi_start);
		hwpt->msi_cookie = !rc;
	}
	mutex_unlock(&msi_cookie_lock);
	return rc;
}

/*
 * Attach @idev to @hwpt. The first device of a group attaches the group;
 * the others follow it. The device takes a reference on @hwpt; like every
 * reference a device holds on its HWPT, it is held in the device's name.
 */
static int hwpt_attach(struct ioasim_hwpt *hwpt, struct ioasim_device *idev)
{
	struct ioasim_group *igroup = idev->igroup;
	int rc;

	if (!ioasim_obj_hold(&hwpt->obj, idev))
		return -ENOENT;

	mutex_lock(&igroup->lock);
	/* A group with PASIDs attached needs a PASID-compatible HWPT. */
	if (ioasim_device_attached(idev) ||
	    (igroup->hwpt && igroup->hwpt != hwpt) ||
	    (igroup->npasids && !hwpt->pasid_compat)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	rc = ioasim_hwpt_enforce_coherency(hwpt, idev->dev) ?:
	     device_reserve(idev, &hwpt->ioas->space);
	if (rc)
		goto out_unlock;
	if (!igroup->hwpt) {
		rc = hwpt_msi_cookie(hwpt, igroup) ?:
		     iommu_attach_group(hwpt->domain, igroup->group);
		if (!rc) {
			/* A domain finished by this attach is filled now. */
			rc = ioasim_hwpt_join_space(hwpt);
			if (rc)
				iommu_detach_group(hwpt->domain, igroup->group);
		}
		if (rc) {
			ioasim_space_unreserve(&hwpt->ioas->space, idev);
			goto out_unlock;
		}
		igroup->hwpt = hwpt;
	}
	list_add_tail(&idev->group_item, &igroup->devices);
	mutex_unlock(&igroup->lock);
	return 0;

out_unlock:
	mutex_unlock(&igroup->lock);
	ioasim_obj_unhold(&hwpt->obj, idev);
	return rc;
}

/**
 * ioasim_hwpt_unhold() - drop an attachment's reference on a HWPT
 * @ctx: its context
 * @hwpt: the HWPT; an automatic one is destroyed with its last user
 * @holder: the device, or the PASID record, whose reference it is
 *
 * Context: process context, may sleep. No lock of the HWPT's IOAS or of a
 * group may be held.
 */
void ioasim_hwpt_unhold(struct ioasim_ctx *ctx, struct ioasim_hwpt *hwpt,
			const void *holder)
{
	if (hwpt->auto_domain)
		ioasim_obj_unhold_try_destroy(ctx, &hwpt->obj, holder);
	else
		ioasim_obj_unhold(&hwpt->obj, holder);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_unhold);

/*
 * Replace the HWPT of @idev's whole group by @hwpt. The devices' reserved
 * regions move along when the IOAS changes; every attached device's
 * reference moves to @hwpt. Returns the old HWPT with @idev's reference
 * left for the caller to drop, NULL if @hwpt was the group's HWPT already,
 * or an ERR_PTR.
 */
static struct ioasim_hwpt *hwpt_replace(struct ioasim_hwpt *hwpt,
					struct ioasim_device *idev)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_space *space = &hwpt->ioas->space;
	struct ioasim_device *cur, *undo;
	struct ioasim_hwpt *old;
	bool move;
	int rc;

	/* Held for the replacement; becomes @idev's reference. */
	if (!ioasim_obj_hold(&hwpt->obj, idev))
		return ERR_PTR(-ENOENT);

	mutex_lock(&igroup->lock);
	old = igroup->hwpt;
	if (!ioasim_device_attached(idev)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (old == hwpt) {
		mutex_unlock(&igroup->lock);
		ioasim_obj_unhold(&hwpt->obj, idev);
		return NULL;
	}

	/*
	 * PASID-compatible while PASIDs are attached; the driver as an
	 * attach would answer, which the core's replace would not check.
	 */
	if ((igroup->npasids && !hwpt->pasid_compat) ||
	    !ioasim_hwpt_same_driver(hwpt, idev->dev)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	rc = ioasim_hwpt_enforce_coherency(hwpt, idev->dev);
	if (rc)
		goto out_unlock;
	move = old->ioas != hwpt->ioas;
	if (move) {
		list_for_each_entry(cur, &igroup->devices, group_item) {
			rc = device_reserve(cur, space);
			if (rc)
				goto out_unreserve;
		}
	}
	rc = hwpt_msi_cookie(hwpt, igroup) ?:
	     (ioasim_should_fail("device.replace") ? -ENOMEM :
	      iommu_group_replace_domain(igroup->group, hwpt->domain));
	if (!rc) {
		rc = ioasim_hwpt_join_space(hwpt);
		/* The old domain took the group before; it takes it back. */
		if (rc)
			WARN_ON(iommu_group_replace_domain(igroup->group,
							   old->domain));
	}
	if (rc) {
		cur = list_entry(&igroup->devices, struct ioasim_device,
				 group_item);
		goto out_unreserve;
	}
	if (move) {
		list_for_each_entry(cur, &igroup->devices, group_item)
			ioasim_space_unreserve(&old->ioas->space, cur);
	}
	igroup->hwpt = hwpt;

	/* @idev's reference was taken above; the others move here. */
	list_for_each_entry(cur, &igroup->devices, group_item) {
		if (cur == idev)
			continue;
		ioasim_obj_hold(&hwpt->obj, cur);
		ioasim_obj_unhold(&old->obj, cur);
	}
	mutex_unlock(&igroup->lock);
	return old;

out_unreserve:
	if (move) {
		list_for_each_entry(undo, &igroup->devices, group_item) {
			ioasim_space_unreserve(space, undo);
			if (undo == cur)
				break;
		}
	}
out_unlock:
	mutex_unlock(&igroup->lock);
	ioasim_obj_unhold(&hwpt->obj, idev);
	return ERR_PTR(rc);
}

/*
 * Attach @idev, or its @pasid, to @hwpt, or replace what it is attached
 * to by @hwpt. Returns the old HWPT of a replace, whose reference the
 * caller drops, NULL when there is none, or an ERR_PTR. The reference is
 * @idev's, or that of the PASID record *@holder is set to (which may come
 * with an error, see ioasim_pasid_change()).
 */
static struct ioasim_hwpt *change_hwpt(struct ioasim_hwpt *hwpt,
				       struct ioasim_device *idev, u32 pasid,
				       bool replace, const void **holder)
{
	int rc;

	if (pasid != IOMMU_NO_PASID)
		return ioasim_pasid_change(hwpt, idev, pasid, replace, holder);
	if (replace)
		return hwpt_replace(hwpt, idev);
	rc = hwpt_attach(hwpt, idev);
	return rc ? ERR_PTR(rc) : NULL;
}

/*
 * Whether the device may be attached, or attached at @pasid, for
 * @replace. Checked again under the group's lock; this early answer
 * spares a domain made for nothing.
 */
static bool device_may_change(struct ioasim_device *idev, u32 pasid,
			      bool replace)
{
	bool attached;

	mutex_lock(&idev->igroup->lock);
	attached = pasid == IOMMU_NO_PASID ? ioasim_device_attached(idev) :
		   !!ioasim_device_pasid_record(idev, pasid);
	mutex_unlock(&idev->igroup->lock);
	return attached == replace;
}

/*
 * Attach to (or replace by) an automatic HWPT of @ioas: the first existing
 * one the device accepts, else a new one. One made for a PASID, or for a
 * group with PASIDs attached, is PASID-compatible.
 */
static struct ioasim_hwpt *auto_attach(struct ioasim_device *idev,
				       struct ioasim_ioas *ioas, u32 pasid,
				       bool replace, u32 *pt_id,
				       const void **holder)
{
	struct ioasim_hwpt *hwpt, *old;
	u32 flags = 0;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, ioasim_ioas_hwpts(ioas), ioas_item) {
		if (!hwpt->auto_domain || !ioasim_obj_tryget(&hwpt->obj))
			continue;
		old = change_hwpt(hwpt, idev, pasid, replace, holder);
		ioasim_obj_put(idev->ctx, &hwpt->obj);
		/* -EINVAL: not compatible; -ENOENT: being destroyed */
		if (old == ERR_PTR(-EINVAL) || old == ERR_PTR(-ENOENT))
			continue;
		if (!IS_ERR(old))
			*pt_id = hwpt->obj.id;
		goto out_unlock;
	}

	if (pasid != IOMMU_NO_PASID || READ_ONCE(idev->igroup->npasids))
		flags = IOMMU_HWPT_ALLOC_PASID;
	hwpt = ioasim_hwpt_paging_create(idev->ctx, ioas, idev->dev, flags);
	if (IS_ERR(hwpt)) {
		old = ERR_CAST(hwpt);
		goto out_unlock;
	}
	hwpt->auto_domain = true;
	old = change_hwpt(hwpt, idev, pasid, replace, holder);
	if (IS_ERR(old)) {
		ioasim_obj_abort_destroy(idev->ctx, &hwpt->obj);
		goto out_unlock;
	}
	list_add_tail(&hwpt->ioas_item, ioasim_ioas_hwpts(ioas));
	*pt_id = hwpt->obj.id;
	ioasim_obj_publish(idev->ctx, &hwpt->obj);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return old;
}

/**
 * ioasim_device_change_pt() - the common part of every attach and replace
 * @idev: the device
 * @pasid: IOMMU_NO_PASID for the device's group-wide attachment, else a
 *	PASID of the device
 * @pt_id: as for ioasim_device_attach()
 * @replace: replace an attachment rather than make one
 *
 * Context: process context, may sleep.
 * Return: as ioasim_device_attach().
 */
int ioasim_device_change_pt(struct ioasim_device *idev, u32 pasid,
			    u32 *pt_id, bool replace)
{
	struct ioasim_ctx *ctx = idev->ctx;
	const void *holder = idev;
	struct ioasim_hwpt *old;
	struct ioasim_obj *pt;

	pt = ioasim_obj_get(ctx, *pt_id, NULL);
	if (IS_ERR(pt))
		return PTR_ERR(pt);

	if (!device_may_change(idev, pasid, replace)) {
		old = ERR_PTR(-EINVAL);
	} else if (pasid != IOMMU_NO_PASID &&
		   pasid >= idev->dev->iommu->max_pasids) {
		/* Past the device's PASID width, or it has none. */
		old = ERR_PTR(-EINVAL);
	} else if (pt->type == &ioasim_hwpt_paging_type ||
		   pt->type == &ioasim_hwpt_nested_type) {
		struct ioasim_hwpt *hwpt =
			container_of(pt, struct ioasim_hwpt, obj);
		/* Joining the IOAS's space is done under its mutex. */
		struct mutex *join = pt->type == &ioasim_hwpt_paging_type &&
				     !READ_ONCE(hwpt->in_space) ?
				     &hwpt->ioas->mutex : NULL;

		if (join)
			mutex_lock(join);
		old = change_hwpt(hwpt, idev, pasid, replace, &holder);
		if (join)
			mutex_unlock(join);
	} else if (pt->type == &ioasim_ioas_type) {
		old = auto_attach(idev, container_of(pt, struct ioasim_ioas,
						     obj), pasid, replace, pt_id,
				  &holder);
	} else {
		old = ERR_PTR(-EINVAL);
	}
	ioasim_obj_put(ctx, pt);

	if (holder != idev) {
		/* A PASID's old record goes with its reference. */
		const struct ioasim_pasid_attach *rec = holder;

		ioasim_hwpt_unhold(ctx, rec->hwpt, rec);
		kfree(rec);
	} else if (!IS_ERR_OR_NULL(old)) {
		ioasim_hwpt_unhold(ctx, old, idev);
	}
	return PTR_ERR_OR_ZERO(old);
}

/**
 * ioasim_device_attach() - attach a bound device to a HWPT or an IOAS
 * @idev: a device that is not attached
 * @pt_id: in: a paging HWPT or an IOAS; out: the HWPT attached to (an
 *	automatic one for an IOAS)
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT (no such object); -EINVAL (not a HWPT or IOAS, the
 * device is attached already, its group is attached to another HWPT, or
 * the HWPT's domain is incompatible with the device); -EADDRINUSE (a
 * reserved region of the device, or the domain's aperture or alignment,
 * conflicts with what the IOAS maps); -ENOMEM; a pin or map error.
 */
int ioasim_device_attach(struct ioasim_device *idev, u32 *pt_id)
{
	return ioasim_device_change_pt(idev, IOMMU_NO_PASID, pt_id, false);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_attach, IOASIM);

/**
 * ioasim_device_replace() - move an attached device's group to another HWPT
 * @idev: an attached device
 * @pt_id: as for ioasim_device_attach()
 *
 * The group's devices switch to the new domain without passing through a
 * blocked state. An automatic HWPT left without devices is destroyed.
 *
 * Context: process context, may sleep.
 * Return: as ioasim_device_attach(); -EINVAL also if @idev is not
 * attached.
 */
int ioasim_device_replace(struct ioasim_device *idev, u32 *pt_id)
{
	return ioasim_device_change_pt(idev, IOMMU_NO_PASID, pt_id, true);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_replace, IOASIM);

/**
 * ioasim_device_detach() - detach a device from its HWPT
 * @idev: an attached device
 *
 * The last device of a group detaches the group, whose DMA is blocked
 * again. The device's reserved regions are released.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL if the device is not attached.
 */
int ioasim_device_detach(struct ioasim_device *idev)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_hwpt *hwpt;

	mutex_lock(&igroup->lock);
	if (!ioasim_device_attached(idev)) {
		mutex_unlock(&igroup->lock);
		return -EINVAL;
	}
	hwpt = igroup->hwpt;
	list_del_init(&idev->group_item);
	if (list_empty(&igroup->devices)) {
		iommu_detach_group(hwpt->domain, igroup->group);
		igroup->hwpt = NULL;
	}
	ioasim_space_unreserve(&hwpt->ioas->space, idev);
	mutex_unlock(&igroup->lock);

	ioasim_hwpt_unhold(idev->ctx, hwpt, idev);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_detach, IOASIM);
