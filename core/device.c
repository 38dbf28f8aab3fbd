// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - bound devices and their attachments (see device.h)
 */
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/moduleparam.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "device.h"
#include "inject.h"

/*
 * A device whose MSIs the platform does not isolate (no interrupt
 * remapping) can raise interrupts outside its context with a plain DMA
 * write to the MSI window. Such devices are refused unless the
 * administrator says otherwise, with the name and meaning of upstream
 * iommufd's and VFIO type1's parameter.
 */
static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Bind devices whose MSIs the platform cannot isolate");

/*
 * The test mock IOMMU's say on whether the MSIs of a device of its own
 * are isolated (they have none), exported for it in IOASIM_TEST. The mock
 * sets it while it is registered; the platform answers for every other
 * device.
 */
static const struct ioasim_msi_oracle __rcu *msi_oracle;

/**
 * ioasim_test_msi_oracle() - let the mock IOMMU say which MSIs are isolated
 * @oracle: its isolated() answers 1 (isolated) or 0 for a device of the
 *	mock's, -1 for any other, and must not sleep. NULL takes it away.
 *
 * Context: process context, may sleep (taking it away waits for readers).
 */
void ioasim_test_msi_oracle(const struct ioasim_msi_oracle *oracle)
{
	rcu_assign_pointer(msi_oracle, oracle);
	if (!oracle)
		synchronize_rcu();
}
EXPORT_SYMBOL_NS_GPL(ioasim_test_msi_oracle, IOASIM_TEST);

/* Bound devices per group, counted under the context's groups_lock. */
static unsigned int group_refs_add(struct ioasim_group *igroup, int delta)
{
	lockdep_assert_held(&igroup->ctx->groups_lock);
	igroup->refs += delta;
	return igroup->refs;
}

/* Find or make the context's view of @dev's iommu group. */
static struct ioasim_group *group_get(struct ioasim_ctx *ctx,
				      struct device *dev)
{
	struct iommu_group *group = iommu_group_get(dev);
	struct ioasim_group *igroup;
	int rc;

	if (!group)
		return ERR_PTR(-ENODEV);

	mutex_lock(&ctx->groups_lock);
	igroup = xa_load(&ctx->groups, iommu_group_id(group));
	if (igroup) {
		group_refs_add(igroup, 1);
		mutex_unlock(&ctx->groups_lock);
		iommu_group_put(group);
		return igroup;
	}

	igroup = ioasim_kzalloc("device.group", sizeof(*igroup),
				GFP_KERNEL_ACCOUNT);
	if (!igroup) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	igroup->refs = 1;
	igroup->ctx = ctx;
	igroup->group = group;
	igroup->sw_msi_start = PHYS_ADDR_MAX;
	mutex_init(&igroup->lock);
	INIT_LIST_HEAD(&igroup->devices);
	rc = ioasim_should_fail("device.group_slot") ? -ENOMEM :
		xa_insert(&ctx->groups, iommu_group_id(group), igroup,
			  GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(igroup);
		goto out_unlock;
	}
	mutex_unlock(&ctx->groups_lock);
	return igroup;

out_unlock:
	mutex_unlock(&ctx->groups_lock);
	iommu_group_put(group);
	return ERR_PTR(rc);
}

/* Is every MSI of @dev isolated? Asked of the oracle, then the platform. */
static int device_msi_isolated(struct device *dev, void *data)
{
	const struct ioasim_msi_oracle *oracle;
	bool *isolated = data;
	int said = -1;

	rcu_read_lock();
	oracle = rcu_dereference(msi_oracle);
	if (oracle)
		said = oracle->isolated(dev);
	rcu_read_unlock();
	*isolated &= said < 0 ? msi_device_has_isolated_msi(dev) : said;
	return 0;
}

/*
 * May @dev of @igroup be bound? Only if the platform isolates the MSIs of
 * every device of its group, as iommu_group_has_isolated_msi() asks, or
 * the administrator allows unsafe interrupts.
 */
static int group_msi_allowed(struct ioasim_group *igroup, struct device *dev)
{
	bool isolated = true;

	iommu_group_for_each_dev(igroup->group, &isolated,
				 device_msi_isolated);
	if (isolated)
		return 0;
	if (!READ_ONCE(allow_unsafe_interrupts))
		return -EPERM;
	dev_warn(dev,
		 "its MSIs are not isolated (no interrupt remapping?): bound because ioasim.allow_unsafe_interrupts is set\n");
	return 0;
}

/**
 * ioasim_allow_unsafe_interrupts() - set the module parameter, for tests
 * @allow: the new value
 *
 * Return: the old value.
 */
bool ioasim_allow_unsafe_interrupts(bool allow)
{
	bool old = READ_ONCE(allow_unsafe_interrupts);

	WRITE_ONCE(allow_unsafe_interrupts, allow);
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_allow_unsafe_interrupts);

static void group_put(struct ioasim_group *igroup)
{
	struct ioasim_ctx *ctx = igroup->ctx;

	mutex_lock(&ctx->groups_lock);
	if (group_refs_add(igroup, -1)) {
		mutex_unlock(&ctx->groups_lock);
		return;
	}
	xa_erase(&ctx->groups, iommu_group_id(igroup->group));
	mutex_unlock(&ctx->groups_lock);

	/* Invariant: the last device detached before unbind. */
	WARN_ON(igroup->hwpt || !list_empty(&igroup->devices));
	iommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

static void ioasim_device_destroy(struct ioasim_obj *obj)
{
	struct ioasim_device *idev =
		container_of(obj, struct ioasim_device, obj);

	/* Unbind detached every PASID: the core refuses owners that have. */
	WARN_ON(!xa_empty(&idev->pasids));
	xa_destroy(&idev->pasids);
	iommu_device_release_dma_owner(idev->dev);
	group_put(idev->igroup);
}

/*
 * The object type of a bound device: a test module's lookups by id name it
 * (ioasim_obj_get_as()), exported for them in IOASIM_TEST.
 */
const struct ioasim_obj_type ioasim_device_type = {
	.name = "device",
	.destroy = ioasim_device_destroy,
};
EXPORT_SYMBOL_NS_GPL(ioasim_device_type, IOASIM_TEST);

/**
 * ioasim_device_bind() - bind a device to a context
 * @ctx: the context
 * @dev: a device behind an IOMMU
 * @id: out: the device's id in @ctx
 *
 * Claims @dev's DMA ownership for @ctx, which blocks the device's DMA
 * until it is attached. Undo with ioasim_device_unbind(); until then the
 * device object cannot be destroyed from userspace.
 *
 * Context: process context, may sleep.
 * Return: the device, or ERR_PTR(-EINVAL) if the IOMMU cannot keep its DMA
 * cache coherent, -ENODEV if it has no iommu group, -EPERM if the MSIs of
 * its group are not isolated (unless allow_unsafe_interrupts is set) or
 * its group is owned by another context, -EBUSY if the device is bound to @ctx
 * already or its group is in use by the kernel's DMA API, or -ENOMEM.
 */
struct ioasim_device *ioasim_device_bind(struct ioasim_ctx *ctx,
					 struct device *dev, u32 *id)
{
	XA_STATE(xas, &ctx->objects, 0);
	struct ioasim_group *igroup;
	struct ioasim_device *idev;
	struct ioasim_obj *obj;
	int rc;

	/* Userspace has no way to make a non-coherent device coherent. */
	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);

	igroup = group_get(ctx, dev);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);
	rc = group_msi_allowed(igroup, dev);
	if (rc)
		goto out_group;

	/* The iommu core counts owners per group; devices are ours to count. */
	rc = 0;
	xa_lock(&ctx->objects);
	xas_for_each(&xas, obj, ULONG_MAX) {
		/* Reserved ids of objects still being made. */
		if (xas_retry(&xas, obj))
			continue;
		if (obj->type == &ioasim_device_type &&
		    container_of(obj, struct ioasim_device, obj)->dev == dev)
			rc = -EBUSY;
	}
	xa_unlock(&ctx->objects);
	if (rc)
		goto out_group;

	rc = iommu_device_claim_dma_owner(dev, ctx);
	if (rc)
		goto out_group;

	idev = ioasim_obj_alloc(ctx, struct ioasim_device, obj,
				&ioasim_device_type);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_owner;
	}
	idev->ctx = ctx;
	idev->dev = dev;
	idev->igroup = igroup;
	INIT_LIST_HEAD(&idev->group_item);
	xa_init(&idev->pasids);
	/* The driver's until unbind. */
	*id = ioasim_obj_publish_held(ctx, &idev->obj);
	return idev;

out_owner:
	iommu_device_release_dma_owner(dev);
out_group:
	group_put(igroup);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_bind, IOASIM);

/**
 * ioasim_device_bind_weak() - bind for an object of the context's table
 * @ctx: the context
 * @dev: a device behind an IOMMU
 * @id: out: the device's id in @ctx
 *
 * As ioasim_device_bind(), for a binder that is itself an object of @ctx
 * (the test control plane's devices, which userspace destroys by id). Such
 * a binding does not hold @ctx: closing the file destroys the binder,
 * which unbinds; a reference on @ctx would keep the table, and so the
 * binder, alive for ever.
 *
 * Context: process context of an ioctl on @ctx, may sleep.
 * Return: as ioasim_device_bind().
 */
struct ioasim_device *ioasim_device_bind_weak(struct ioasim_ctx *ctx,
					      struct device *dev, u32 *id)
{
	struct ioasim_device *idev = ioasim_device_bind(ctx, dev, id);

	if (!IS_ERR(idev)) {
		idev->weak_ctx = true;
		/* Never the last: the caller's file holds one. */
		ioasim_ledger_give(IOASIM_LEDGER_CTX_REF, ctx, 0, _THIS_IP_);
		refcount_dec(&ctx->refs);
	}
	return idev;
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_bind_weak, IOASIM);

/**
 * ioasim_device_unbind() - undo ioasim_device_bind()
 * @idev: the device; detached first if still attached
 *
 * Waits for commands using the device to finish, then gives its DMA
 * ownership back and drops the context reference taken at bind.
 *
 * Context: process context, may sleep.
 */
void ioasim_device_unbind(struct ioasim_device *idev)
{
	struct ioasim_ctx *ctx = idev->ctx;
	bool weak_ctx = idev->weak_ctx;
	bool gone;

	ioasim_device_pasids_detach_all(idev);
	if (!list_empty(&idev->group_item))
		ioasim_device_detach(idev);
	gone = ioasim_obj_unhold_try_destroy(ctx, &idev->obj, idev);
	/* Invariant: nothing else takes long-term references. */
	WARN_ON(!gone);
	if (!weak_ctx)
		ioasim_ctx_put(ctx);
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_unbind, IOASIM);

/**
 * ioasim_get_hw_info() - IOMMU_GET_HW_INFO, apart from copying the data
 * @ctx: the context
 * @cmd: in: dev_id, flags, and with IOMMU_HW_INFO_FLAG_INPUT_TYPE the data
 *	type wanted in out_data_type (see uapi_later.h); out: out_data_type,
 *	out_capabilities, out_max_pasid_log2 (data_len is the caller's to set)
 * @data: out: the driver's description of the IOMMU, or NULL; kfree() it
 * @data_len: out: its length
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (other flags, reserved fields, a data type the
 * driver does not give); -ENOENT (no such device); the driver's error.
 */
int ioasim_get_hw_info(struct ioasim_ctx *ctx, struct iommu_hw_info *cmd,
		       void **data, u32 *data_len)
{
	u32 wanted = IOMMU_HW_INFO_TYPE_DEFAULT;
	const struct iommu_ops *ops;
	struct ioasim_device *idev;
	unsigned int len = 0;
	u32 max_pasids;
	int rc = 0;

	*data = NULL;
	*data_len = 0;
	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		wanted = cmd->out_data_type;
	idev = ioasim_device_get(ctx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
	/* The driver's ops; bound devices have an IOMMU. */
	ops = idev->dev->iommu->iommu_dev->ops;
	if (ops->hw_info) {
		*data = ops->hw_info(idev->dev, &len, &cmd->out_data_type);
		if (IS_ERR(*data)) {
			rc = PTR_ERR(*data);
			*data = NULL;
			goto out_put;
		}
		*data_len = len;
	}
	/* The device's own type, asked for by name or by default. */
	if (wanted != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    wanted != cmd->out_data_type) {
		kfree(*data);
		*data = NULL;
		*data_len = 0;
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	cmd->out_capabilities = 0;
	if (device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* The width the iommu core found; 0 for a device without PASIDs. */
	max_pasids = idev->dev->iommu->max_pasids;
	cmd->out_max_pasid_log2 = max_pasids ? ilog2(max_pasids) : 0;
out_put:
	ioasim_obj_put(ctx, &idev->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_get_hw_info);

/**
 * ioasim_device_iopf() - the device took a page fault
 * @idev: the device
 * @fault: the message, dev_id, pasid, grpid, perm, addr and flags filled in
 *
 * The fault goes to the fault queue of the HWPT the device is attached to,
 * at the fault's PASID if it has a valid one that is attached. Without
 * one the fault is answered at once, as the iommu core answers faults no
 * handler takes: the caller is not told.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int ioasim_device_iopf(struct ioasim_device *idev,
		       const struct iommu_hwpt_pgfault *fault)
{
	struct ioasim_group *igroup = idev->igroup;
	struct ioasim_pasid_attach *rec = NULL;
	struct ioasim_hwpt *hwpt = NULL;
	int rc = 0;

	mutex_lock(&igroup->lock);
	if (fault->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID)
		rec = ioasim_device_pasid_record(idev, fault->pasid);
	if (rec)
		hwpt = rec->hwpt;
	else if (ioasim_device_attached(idev))
		hwpt = igroup->hwpt;
	if (hwpt && hwpt->fault)
		rc = ioasim_iopf_report(hwpt->fault, fault);
	mutex_unlock(&igroup->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(ioasim_device_iopf, IOASIM);
