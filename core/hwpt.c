// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - paging and nested HWPTs (see hwpt.h) and IOMMU_HWPT_INVALIDATE
 *
 * A HWPT is made for a struct device, whose IOMMU allocates the domain;
 * which bound device that is, is the command's business
 * (hwpt_alloc.c), so this file knows nothing of bound devices.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/module.h>

#include "hwpt.h"
#include "inject.h"

/*
 * The driver a HWPT's domain came from stays loaded while the HWPT holds
 * the domain: its ops run until iommu_domain_free() returns. Taking the
 * reference cannot fail: the domain was made for a probed device, whose
 * probe holds the driver already.
 */
static void hwpt_domain_pin_driver(struct iommu_domain *domain)
{
	__module_get(domain->owner->owner);
}

static void hwpt_domain_free(struct iommu_domain *domain)
{
	struct module *driver = domain->owner->owner;

	iommu_domain_free(domain);
	module_put(driver);
}

/* Off @hwpt->ioas's list, its domain out of the space; under the mutex. */
static void hwpt_leave_ioas(struct ioasim_hwpt *hwpt)
{
	lockdep_assert_held(&hwpt->ioas->mutex);
	list_del_init(&hwpt->ioas_item);
	if (hwpt->in_space)
		ioasim_space_remove_domain(&hwpt->ioas->space, hwpt->domain);
}

/*
 * Also tears down a HWPT that never got published: @domain is set only
 * once the domain exists and, unless its driver finishes it at attach,
 * mirrors the IOAS (@in_space); @ioas_item is linked only at publish.
 */
static void ioasim_hwpt_paging_destroy(struct ioasim_obj *obj)
{
	struct ioasim_hwpt *hwpt = container_of(obj, struct ioasim_hwpt, obj);

	/*
	 * The domain leaves the IOAS under @ioas->mutex, as it joined: an
	 * attach to the same IOAS never sees it half gone. A HWPT that was
	 * never published is destroyed by its creator, which holds the
	 * mutex already.
	 */
	if (!list_empty(&hwpt->ioas_item)) {
		mutex_lock(&hwpt->ioas->mutex);
		hwpt_leave_ioas(hwpt);
		mutex_unlock(&hwpt->ioas->mutex);
	} else if (hwpt->in_space) {
		hwpt_leave_ioas(hwpt);
	}
	if (hwpt->domain) {
		ioasim_ledger_settle(hwpt->domain, "domain");
		hwpt_domain_free(hwpt->domain);
	}
	/* No fault queue: 6.12 gives those to nested HWPTs only. */
	if (hwpt->ioas)
		ioasim_obj_unhold(&hwpt->ioas->obj, hwpt);
}

/*
 * The object type of a paging HWPT: a test module's lookups by id name it
 * (ioasim_obj_get_as()), exported for them in IOASIM_TEST.
 */
const struct ioasim_obj_type ioasim_hwpt_paging_type = {
	.name = "hwpt_paging",
	.destroy = ioasim_hwpt_paging_destroy,
};
EXPORT_SYMBOL_NS_GPL(ioasim_hwpt_paging_type, IOASIM_TEST);

/* Also for a HWPT that never got published: @domain may be NULL. */
static void ioasim_hwpt_nested_destroy(struct ioasim_obj *obj)
{
	struct ioasim_hwpt *hwpt = container_of(obj, struct ioasim_hwpt, obj);

	if (hwpt->domain)
		hwpt_domain_free(hwpt->domain);
	if (hwpt->fault)
		ioasim_obj_unhold(&hwpt->fault->obj, hwpt);
	if (hwpt->parent)
		ioasim_obj_unhold(&hwpt->parent->obj, hwpt);
}

/*
 * The object type of a nested HWPT: a test module's lookups by id name it
 * (ioasim_obj_get_as()), exported for them in IOASIM_TEST.
 */
const struct ioasim_obj_type ioasim_hwpt_nested_type = {
	.name = "hwpt_nested",
	.destroy = ioasim_hwpt_nested_destroy,
};
EXPORT_SYMBOL_NS_GPL(ioasim_hwpt_nested_type, IOASIM_TEST);

/* The driver's ops; iommu-priv.h's dev_iommu_ops() is not exported. */
static const struct iommu_ops *hwpt_driver_ops(struct device *dev)
{
	return __iommu_get_iommu_dev(dev)->ops;
}

/*
 * A domain with allocation flags comes from the driver's domain_alloc_user
 * (the iommu core has no allocator that takes them).
 */
static struct iommu_domain *
hwpt_domain_alloc_user(struct device *dev, u32 flags,
		       struct iommu_domain *parent,
		       const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops = hwpt_driver_ops(dev);
	struct iommu_domain *domain;

	if (!ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);
	domain = ops->domain_alloc_user(dev, flags, parent, user_data);
	if (IS_ERR(domain))
		return domain;
	/* LCOV_EXCL_START: the driver must return a domain or an error */
	if (WARN_ON(!domain))
		return ERR_PTR(-ENOMEM);
	/* LCOV_EXCL_STOP */
	if (!domain->owner)
		domain->owner = ops;
	/*
	 * A domain on a parent must be one the core can invalidate for
	 * userspace: a nested one with cache_invalidate_user.
	 */
	if (parent && !(domain->type == IOMMU_DOMAIN_NESTED &&
			domain->ops->cache_invalidate_user)) {
		/* LCOV_EXCL_START: a driver bug; the mock's nested domains are so */
		WARN_ONCE(1, "ioasim: driver gave a nested HWPT a domain of type %u\n",
			  domain->type);
		iommu_domain_free(domain);
		return ERR_PTR(-EINVAL);
		/* LCOV_EXCL_STOP */
	}
	return domain;
}

/*
 * A device whose IOMMU can enforce cache coherency gets it enforced on
 * every paging domain it uses, so its DMA never bypasses the CPU caches;
 * the domain's mappings all carry IOMMU_CACHE. @domain is @hwpt's, which
 * may not be set in @hwpt yet.
 */
static int hwpt_enforce_cc(struct ioasim_hwpt *hwpt,
			   struct iommu_domain *domain, struct device *dev)
{
	if (hwpt->enforce_cc ||
	    !device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY) ||
	    !domain->ops->enforce_cache_coherency)
		return 0;
	if (!domain->ops->enforce_cache_coherency(domain))
		return -EINVAL;
	hwpt->enforce_cc = true;
	return 0;
}

/**
 * ioasim_hwpt_enforce_coherency() - make a HWPT's domain snoop for @dev
 * @hwpt: a paging or nested HWPT
 * @dev: a device about to attach to it
 *
 * A nested HWPT's DMA translates through its parent, whose coherency was
 * settled when the parent was made.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL if the domain can no longer enforce coherency.
 */
int ioasim_hwpt_enforce_coherency(struct ioasim_hwpt *hwpt, struct device *dev)
{
	if (hwpt->obj.type != &ioasim_hwpt_paging_type)
		return 0;
	return hwpt_enforce_cc(hwpt, hwpt->domain, dev);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_enforce_coherency);

/*
 * A driver that makes domains with the old domain_alloc op only finishes a
 * domain (aperture, page sizes, what a mapping may ask for) when a device
 * first attaches to it, and mapping into it before fails (in 6.12,
 * virtio-iommu, whose unwind of that failure then dereferences the
 * unfinished domain). Such a domain joins its IOAS's space only once
 * attached: ioasim_hwpt_join_space().
 */
static bool hwpt_finished_at_attach(struct device *dev)
{
	const struct iommu_ops *ops = hwpt_driver_ops(dev);

	return !ops->domain_alloc_paging && !ops->domain_alloc_user;
}

/**
 * ioasim_hwpt_same_driver() - is @hwpt's domain one of @dev's IOMMU driver?
 * @hwpt: a HWPT
 * @dev: a bound device
 *
 * The iommu core's attach asks this itself; its replace does not, and
 * hands the domain to the device's driver whatever made it.
 *
 * Return: the domain was made by the driver @dev is behind.
 */
bool ioasim_hwpt_same_driver(const struct ioasim_hwpt *hwpt,
			     struct device *dev)
{
	return hwpt->domain->owner == hwpt_driver_ops(dev);
}

/**
 * ioasim_hwpt_join_space() - a paging HWPT's domain maps its IOAS from now
 * @hwpt: a paging HWPT; its domain was just attached to a group
 *
 * For a domain that is finished at its first attach (see
 * hwpt_finished_at_attach()); a domain in its IOAS's space already is
 * left alone.
 *
 * Context: process context, may sleep; @hwpt->ioas->mutex held.
 * Return: 0, or the error of ioasim_space_add_domain(); the caller
 * detaches the group again.
 */
int ioasim_hwpt_join_space(struct ioasim_hwpt *hwpt)
{
	int rc;

	if (hwpt->obj.type != &ioasim_hwpt_paging_type || hwpt->in_space)
		return 0;
	lockdep_assert_held(&hwpt->ioas->mutex);
	rc = ioasim_space_add_domain(&hwpt->ioas->space, hwpt->domain);
	WRITE_ONCE(hwpt->in_space, !rc);
	return rc;
}

/**
 * ioasim_hwpt_paging_create() - a paging HWPT mirroring an IOAS
 * @ctx: the context
 * @ioas: the IOAS, looked up by the caller, whose @mutex it holds
 * @dev: the device whose IOMMU allocates the domain
 * @flags: IOMMU_HWPT_ALLOC_* flags for the driver (dirty tracking,
 *	nesting parent, PASID), or 0
 *
 * The new domain maps every area of @ioas; one that its driver finishes at
 * the first attach does from then on (ioasim_hwpt_join_space()), and is
 * only allocated here. The HWPT's id is reserved, not
 * published: the caller links it into @ioas->hwpts and publishes it, or
 * destroys it with ioasim_obj_abort_destroy().
 *
 * Context: process context, may sleep.
 * Return: the HWPT, or an ERR_PTR: -ENOENT if @ioas is being destroyed,
 * -EADDRINUSE if the domain cannot map what @ioas maps, -ENOMEM, or the
 * driver's or pinning's error.
 */
struct ioasim_hwpt *ioasim_hwpt_paging_create(struct ioasim_ctx *ctx,
					      struct ioasim_ioas *ioas,
					      struct device *dev, u32 flags)
{
	struct iommu_domain *domain;
	struct ioasim_hwpt *hwpt;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	hwpt = ioasim_obj_alloc(ctx, struct ioasim_hwpt, obj,
				&ioasim_hwpt_paging_type);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->ioas_item);
	if (!ioasim_obj_hold(&ioas->obj, hwpt)) {
		rc = -ENOENT;
		goto out_abort;
	}
	hwpt->ioas = ioas;

	/*
	 * A driver's domain_alloc_user makes its paging domains as userspace
	 * asks for them; VT-d's older domain_alloc, which
	 * iommu_paging_domain_alloc() falls back to, gives an aperture wider
	 * than the IOMMU's address width, which its first attach narrows.
	 */
	domain = flags || hwpt_driver_ops(dev)->domain_alloc_user ?
		 hwpt_domain_alloc_user(dev, flags, NULL, NULL) :
		 iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	hwpt_domain_pin_driver(domain);
	/* Coherency first: the fill below maps with IOMMU_CACHE. */
	rc = hwpt_enforce_cc(hwpt, domain, dev);
	if (!rc && !hwpt_finished_at_attach(dev)) {
		rc = ioasim_space_add_domain(&ioas->space, domain);
		hwpt->in_space = !rc;
	}
	if (rc) {
		hwpt_domain_free(domain);
		goto out_abort;
	}
	hwpt->domain = domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	return hwpt;

out_abort:
	ioasim_obj_abort_destroy(ctx, &hwpt->obj);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_NS_GPL(ioasim_hwpt_paging_create, IOASIM);

/**
 * ioasim_hwpt_nested_create() - a nested HWPT on a nesting parent
 * @ctx: the context
 * @parent: a paging HWPT, referenced by the caller
 * @dev: the device whose IOMMU makes the domain
 * @cmd: IOMMU_HWPT_ALLOC's flags and the driver's data
 *
 * Context: process context, may sleep.
 * Return: the HWPT, unpublished, or an ERR_PTR: -EOPNOTSUPP (flags; no
 * data; a driver that cannot nest), -EINVAL (@parent is automatic or not
 * a nesting parent), the driver's error for its data.
 */
struct ioasim_hwpt *ioasim_hwpt_nested_create(struct ioasim_ctx *ctx,
					      struct ioasim_hwpt *parent,
					      struct device *dev,
					      const struct iommu_hwpt_alloc *cmd)
{
	const struct iommu_user_data data = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommu_domain *domain;
	struct ioasim_hwpt *hwpt;
	int rc;

	if ((cmd->flags & ~(IOMMU_HWPT_FAULT_ID_VALID |
			    IOMMU_HWPT_ALLOC_PASID)) || !cmd->data_len)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->auto_domain || !parent->nest_parent)
		return ERR_PTR(-EINVAL);
	hwpt = ioasim_obj_alloc(ctx, struct ioasim_hwpt, obj,
				&ioasim_hwpt_nested_type);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->ioas_item);
	if (!ioasim_obj_hold(&parent->obj, hwpt)) {
		rc = -ENOENT;
		goto out_abort;
	}
	hwpt->parent = parent;
	hwpt->ioas = parent->ioas;
	domain = hwpt_domain_alloc_user(dev,
					cmd->flags & IOMMU_HWPT_ALLOC_PASID,
					parent->domain, &data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	hwpt_domain_pin_driver(domain);
	hwpt->domain = domain;
	hwpt->pasid_compat = cmd->flags & IOMMU_HWPT_ALLOC_PASID;
	return hwpt;

out_abort:
	ioasim_obj_abort_destroy(ctx, &hwpt->obj);
	return ERR_PTR(rc);
}

/**
 * ioasim_hwpt_publish() - the last step of IOMMU_HWPT_ALLOC
 * @ctx: the context
 * @hwpt: a HWPT made by ioasim_hwpt_paging_create() or
 *	ioasim_hwpt_nested_create(), unpublished
 * @cmd: in: flags and fault_id; out: out_hwpt_id
 *
 * Takes the fault queue, if asked for, lists a paging HWPT in its IOAS,
 * and publishes it. On failure @hwpt is destroyed.
 *
 * Context: process context; the IOAS's mutex held for a paging HWPT.
 * Return: 0, or -ENOENT if there is no such fault queue or it is being
 * destroyed.
 */
int ioasim_hwpt_publish(struct ioasim_ctx *ctx, struct ioasim_hwpt *hwpt,
			struct iommu_hwpt_alloc *cmd)
{
	struct ioasim_iopf_queue *q;

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		q = ioasim_iopf_queue_get(ctx, cmd->fault_id);
		if (IS_ERR(q)) {
			ioasim_obj_abort_destroy(ctx, &hwpt->obj);
			return PTR_ERR(q);
		}
		/* The long-term hold, or -ENOENT if it is being destroyed. */
		if (ioasim_obj_hold(&q->obj, hwpt))
			hwpt->fault = q;
		ioasim_obj_put(ctx, &q->obj);
		if (!hwpt->fault) {
			ioasim_obj_abort_destroy(ctx, &hwpt->obj);
			return -ENOENT;
		}
	}
	/* Listed before it has an id: its destroy finds it in the list. */
	if (hwpt->obj.type == &ioasim_hwpt_paging_type)
		list_add_tail(&hwpt->ioas_item,
			      ioasim_ioas_hwpts(hwpt->ioas));
	cmd->out_hwpt_id = hwpt->obj.id;
	ioasim_obj_publish(ctx, &hwpt->obj);
	return 0;
}

/* How many entries one IOMMU_HWPT_INVALIDATE may ask the driver to read. */
#define IOASIM_INVALIDATE_MAX_ENTRIES BIT(19)

/* An array the driver can read: a pointer and an entry size, bounded. */
static int invalidate_array_valid(const struct iommu_hwpt_invalidate *cmd,
				  u32 entries)
{
	if (!entries)
		return 0;
	if (!cmd->data_uptr || !cmd->entry_len)
		return -EINVAL;
	return cmd->entry_len <= PAGE_SIZE &&
	       entries <= IOASIM_INVALIDATE_MAX_ENTRIES ? 0 : -EINVAL;
}

/**
 * ioasim_hwpt_invalidate() - IOMMU_HWPT_INVALIDATE
 * @ctx: the context
 * @cmd: in: hwpt_id (a nested HWPT), data_type, entry_len, entry_num,
 *	data_uptr (the array); out: entry_num, how many entries were handled
 *	(also on failure: the entry at that index was refused)
 *
 * The driver reads the entries and invalidates its caches.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (reserved field, or the driver's answer for a
 * flag it does not know); -EINVAL (entries without an array or a length,
 * an entry longer than a page, too many entries, a data type the driver
 * does not take or of another length than its own, an entry it refuses);
 * -ENOENT (no such nested HWPT); -EFAULT.
 */
int ioasim_hwpt_invalidate(struct ioasim_ctx *ctx,
			   struct iommu_hwpt_invalidate *cmd)
{
	struct iommu_user_data_array array;
	u32 asked = cmd->entry_num;
	struct ioasim_hwpt *nested;
	int rc;

	/* Nothing handled, unless the driver says otherwise. */
	cmd->entry_num = 0;
	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = invalidate_array_valid(cmd, asked);
	if (rc)
		return rc;
	nested = ioasim_hwpt_nested_get(ctx, cmd->hwpt_id);
	if (IS_ERR(nested))
		return PTR_ERR(nested);
	array.type = cmd->data_type;
	array.uptr = u64_to_user_ptr(cmd->data_uptr);
	array.entry_len = cmd->entry_len;
	array.entry_num = asked;
	rc = nested->domain->ops->cache_invalidate_user(nested->domain, &array);
	cmd->entry_num = array.entry_num;
	ioasim_obj_put(ctx, &nested->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_invalidate);
