// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - PASIDs of bound devices: attach, replace and detach one PASID
 * of a device (see device.h for the rules)
 *
 * The 6.12 iommu core attaches a domain at a PASID of a device and
 * detaches it, but cannot replace it. ioasim's replace therefore detaches
 * the old domain and attaches the new one; when the driver refuses the
 * new one, the old one is attached again, and the caller sees the old
 * attachment, unchanged. Everything that can be checked beforehand is
 * checked beforehand, under the group's lock. Two things differ from a
 * replace of the core's own: DMA tagged with the PASID is blocked for the
 * moment between the two calls, and the attach that puts the old domain
 * back can itself fail (memory); the PASID is left detached then, and the
 * caller told.
 */
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "device.h"
#include "inject.h"

/*
 * A PASID takes only a PASID-compatible HWPT, and only while the group's
 * no-PASID HWPT, if any, is one too.
 */
static int pasid_compat(struct ioasim_hwpt *hwpt, struct ioasim_group *igroup)
{
	lockdep_assert_held(&igroup->lock);
	if (!hwpt->pasid_compat ||
	    (igroup->hwpt && !igroup->hwpt->pasid_compat))
		return -EINVAL;
	return 0;
}

/*
 * The core's attach of @hwpt's domain at @pasid; a domain its driver
 * finishes at attach joins its IOAS's space then. @point names the fault
 * site, or is NULL for the attach that restores an old domain.
 */
static int pasid_set(struct ioasim_hwpt *hwpt, struct ioasim_device *idev,
		     u32 pasid, const char *point)
{
	int rc;

	if (point && ioasim_should_fail(point))
		return -ENOMEM;
	rc = iommu_attach_device_pasid(hwpt->domain, idev->dev, pasid, NULL);
	if (rc)
		return rc;
	rc = ioasim_hwpt_join_space(hwpt);
	if (rc)
		iommu_detach_device_pasid(hwpt->domain, idev->dev, pasid);
	return rc;
}

static struct ioasim_pasid_attach *
pasid_record_new(struct ioasim_hwpt *hwpt, struct ioasim_device *idev,
		 u32 pasid)
{
	struct ioasim_pasid_attach *rec;

	rec = ioasim_kzalloc("device.pasid_record", sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	rec->idev = idev;
	rec->hwpt = hwpt;
	rec->pasid = pasid;
	/* The record's reference, in its own name. */
	if (!ioasim_obj_hold(&hwpt->obj, rec)) {
		kfree(rec);
		return ERR_PTR(-ENOENT);
	}
	return rec;
}

static void pasid_record_drop(struct ioasim_pasid_attach *rec)
{
	ioasim_obj_unhold(&rec->hwpt->obj, rec);
	kfree(rec);
}

static int pasid_attach_hwpt(struct ioasim_hwpt *hwpt,
			     struct ioasim_device *idev, u32 pasid)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_pasid_attach *rec;
	int rc;

	rec = pasid_record_new(hwpt, idev, pasid);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	mutex_lock(&igroup->lock);
	rc = xa_insert(&idev->pasids, pasid, rec, GFP_KERNEL);
	if (rc) {
		/* Attached already: as for the device's no-PASID attach. */
		if (rc == -EBUSY)
			rc = -EINVAL;
		goto out_unlock;
	}
	rc = pasid_compat(hwpt, igroup) ?:
	     ioasim_hwpt_enforce_coherency(hwpt, idev->dev) ?:
	     pasid_set(hwpt, idev, pasid, "device.pasid_attach");
	if (rc) {
		xa_erase(&idev->pasids, pasid);
		goto out_unlock;
	}
	igroup->npasids++;
	mutex_unlock(&igroup->lock);
	return 0;

out_unlock:
	mutex_unlock(&igroup->lock);
	pasid_record_drop(rec);
	return rc;
}

/*
 * Move @pasid of @idev to @hwpt. Returns the old HWPT, whose reference
 * *@lost (the old record) holds, NULL if @hwpt is attached there already,
 * or an ERR_PTR; then *@lost is set only if restoring the old domain
 * failed and the PASID was left detached.
 */
static struct ioasim_hwpt *
pasid_replace_hwpt(struct ioasim_hwpt *hwpt, struct ioasim_device *idev,
		   u32 pasid, struct ioasim_pasid_attach **lost)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_pasid_attach *rec, *old;
	int rc;

	rec = pasid_record_new(hwpt, idev, pasid);
	if (IS_ERR(rec))
		return ERR_CAST(rec);
	mutex_lock(&igroup->lock);
	old = ioasim_device_pasid_record(idev, pasid);
	if (!old) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (old->hwpt == hwpt) {
		rc = 0;
		goto out_unlock;
	}
	/*
	 * Another driver's domain is not checked for here: no 6.12 driver
	 * but the mock makes PASID-compatible domains, and the core's attach
	 * refuses one (EINVAL) before it touches the PASID, so the old one is
	 * put back as after any refusal.
	 */
	rc = pasid_compat(hwpt, igroup) ?:
	     ioasim_hwpt_enforce_coherency(hwpt, idev->dev);
	if (rc)
		goto out_unlock;

	iommu_detach_device_pasid(old->hwpt->domain, idev->dev, pasid);
	rc = pasid_set(hwpt, idev, pasid, "device.pasid_replace");
	if (rc) {
		/* The old domain was attached there a moment ago. */
		if (pasid_set(old->hwpt, idev, pasid, NULL)) {
			dev_warn_ratelimited(idev->dev,
					     "ioasim: PASID %u left detached: its domain could not be restored\n",
					     pasid);
			xa_erase(&idev->pasids, pasid);
			igroup->npasids--;
			*lost = old;
		}
		goto out_unlock;
	}
	/* Over an existing entry: nothing to allocate. */
	WARN_ON(xa_is_err(xa_store(&idev->pasids, pasid, rec, GFP_KERNEL)));
	mutex_unlock(&igroup->lock);
	*lost = old;
	return old->hwpt;

out_unlock:
	mutex_unlock(&igroup->lock);
	pasid_record_drop(rec);
	return rc ? ERR_PTR(rc) : NULL;
}

/**
 * ioasim_pasid_change() - attach @pasid of @idev to @hwpt, or replace
 * @hwpt: the HWPT, referenced by the caller
 * @idev: the device
 * @pasid: a PASID of the device below its width, not IOMMU_NO_PASID
 * @replace: replace the PASID's attachment rather than make one
 * @holder: out: set to a PASID record whose reference the caller drops
 *	(with ioasim_hwpt_unhold()) and frees; left alone otherwise
 *
 * Context: process context, may sleep; the IOAS's mutex may be held.
 * Return: the old HWPT of a replace (*@holder holds it), NULL, or an
 * ERR_PTR.
 */
struct ioasim_hwpt *ioasim_pasid_change(struct ioasim_hwpt *hwpt,
					struct ioasim_device *idev, u32 pasid,
					bool replace, const void **holder)
{
	struct ioasim_pasid_attach *lost = NULL;
	struct ioasim_hwpt *old;

	if (!replace)
		return ERR_PTR(pasid_attach_hwpt(hwpt, idev, pasid));
	old = pasid_replace_hwpt(hwpt, idev, pasid, &lost);
	if (lost)
		*holder = lost;
	return old;
}

/**
 * ioasim_device_pasid_attach() - attach a PASID of a bound device
 * @idev: the device
 * @pasid: the PASID; IOMMU_NO_PASID is ioasim_device_attach()
 * @pt_id: in: a HWPT (paging or nested) or an IOAS; out: the HWPT
 *	attached (an automatic, PASID-compatible one for an IOAS)
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT (no such object); -EINVAL (not a HWPT or IOAS; the
 * PASID is attached already; it is beyond the device's PASID width, or
 * the device has none; the HWPT, or the group's no-PASID HWPT, is not
 * PASID-compatible; the HWPT cannot keep DMA coherent, or is of another
 * driver or kind); -EOPNOTSUPP (the driver cannot attach PASIDs);
 * -ENOMEM; the driver's error.
 */
int ioasim_device_pasid_attach(struct ioasim_device *idev, u32 pasid,
			       u32 *pt_id)
{
	return ioasim_device_change_pt(idev, pasid, pt_id, false);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_pasid_attach, IOASIM);

/**
 * ioasim_device_pasid_replace() - move an attached PASID to another HWPT
 * @idev: the device
 * @pasid: an attached PASID; IOMMU_NO_PASID is ioasim_device_replace()
 * @pt_id: as for ioasim_device_pasid_attach()
 *
 * On failure the PASID stays attached where it was, except when the
 * driver refuses both the new domain and, a moment later, the old one
 * (see the top of device_pasid.c): the PASID is detached then.
 *
 * Context: process context, may sleep.
 * Return: as ioasim_device_pasid_attach(); -EINVAL also if @pasid is not
 * attached.
 */
int ioasim_device_pasid_replace(struct ioasim_device *idev, u32 pasid,
				u32 *pt_id)
{
	return ioasim_device_change_pt(idev, pasid, pt_id, true);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_pasid_replace, IOASIM);

/**
 * ioasim_device_pasid_detach() - detach a PASID of a device
 * @idev: the device
 * @pasid: an attached PASID; IOMMU_NO_PASID is ioasim_device_detach()
 *
 * The device's other PASIDs, and its no-PASID attachment, stay. An
 * automatic HWPT left unused is destroyed.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL if @pasid is not attached.
 */
int ioasim_device_pasid_detach(struct ioasim_device *idev, u32 pasid)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_pasid_attach *rec;

	if (pasid == IOMMU_NO_PASID)
		return ioasim_device_detach(idev);
	mutex_lock(&igroup->lock);
	rec = ioasim_device_pasid_record(idev, pasid);
	if (rec) {
		xa_erase(&idev->pasids, pasid);
		iommu_detach_device_pasid(rec->hwpt->domain, idev->dev, pasid);
		igroup->npasids--;
	}
	mutex_unlock(&igroup->lock);
	if (!rec)
		return -EINVAL;
	ioasim_hwpt_unhold(idev->ctx, rec->hwpt, rec);
	kfree(rec);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_pasid_detach, IOASIM);

/**
 * ioasim_device_pasids_detach_all() - detach every PASID of a device
 * @idev: a device being unbound
 *
 * Context: process context, may sleep.
 */
void ioasim_device_pasids_detach_all(struct ioasim_device *idev)
{
	struct ioasim_pasid_attach *rec;
	unsigned long pasid;

	xa_for_each(&idev->pasids, pasid, rec)
		ioasim_device_pasid_detach(idev, pasid);
}

/**
 * ioasim_device_pasid_hwpt() - the HWPT a PASID of a device is attached to
 * @idev: the device
 * @pasid: the PASID
 *
 * For comparison only: the HWPT may be gone once the group's lock, taken
 * here, is released.
 *
 * Context: process context, may sleep.
 * Return: the HWPT, or NULL.
 */
struct ioasim_hwpt *ioasim_device_pasid_hwpt(struct ioasim_device *idev,
					     u32 pasid)
{
	struct ioasim_pasid_attach *rec;
	struct ioasim_hwpt *hwpt;

	mutex_lock(&idev->igroup->lock);
	if (pasid == IOMMU_NO_PASID) {
		hwpt = ioasim_device_attached(idev) ? idev->igroup->hwpt : NULL;
	} else {
		rec = ioasim_device_pasid_record(idev, pasid);
		hwpt = rec ? rec->hwpt : NULL;
	}
	mutex_unlock(&idev->igroup->lock);
	return hwpt;
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_pasid_hwpt, IOASIM);
