// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - IOAS objects and their commands (see ioas.h)
 *
 * Validation order follows upstream iommufd, because userspace sees it:
 * flag and reserved-field checks (EOPNOTSUPP), then range checks
 * (EOVERFLOW), then argument sanity (EINVAL), then the object lookup
 * (ENOENT), then the operation itself.
 */
#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "access.h"
#include "inject.h"
#include "ioas.h"

#define IOASIM_MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA |			\
			  IOMMU_IOAS_MAP_WRITEABLE |			\
			  IOMMU_IOAS_MAP_READABLE)

static void ioasim_ioas_destroy(struct ioasim_obj *obj)
{
	struct ioasim_ioas *ioas = container_of(obj, struct ioasim_ioas, obj);
	struct ioasim_ctx *ctx = ioas->ctx;
	unsigned long unmapped;

	/* No longer the VFIO compatibility IOAS, before the memory goes. */
	xa_lock(&ctx->objects);
	if (ioasim_ctx_vfio_ioas(ctx) == ioas)
		ioasim_ctx_set_vfio_ioas(ctx, NULL);
	xa_unlock(&ctx->objects);

	/* Nothing else can reach the IOAS any more: unmapping cannot race. */
	/* Invariant: unmapping everything cannot cross a boundary. */
	WARN_ON(ioasim_space_unmap(&ioas->space, 0, ULONG_MAX, &unmapped));
	ioasim_space_destroy(&ioas->space);
	/* HWPTs and accesses hold the IOAS */
	WARN_ON(!list_empty(&ioas->hwpts) || !xa_empty(&ioas->accesses));
	xa_destroy(&ioas->accesses);
	mutex_destroy(&ioas->mutex);
}

const struct ioasim_obj_type ioasim_ioas_type = {
	.name = "ioas",
	.destroy = ioasim_ioas_destroy,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_type);

/**
 * ioasim_ioas_get() - look up an IOAS by id for the duration of a command
 * @ctx: the context
 * @id: the IOAS id
 *
 * Context: any context.
 * Return: the IOAS with a short-term reference, or ERR_PTR(-ENOENT).
 */
struct ioasim_ioas *ioasim_ioas_get(struct ioasim_ctx *ctx, u32 id)
{
	return ioasim_obj_get_as(ctx, id, &ioasim_ioas_type, struct ioasim_ioas,
				 obj);
}
EXPORT_SYMBOL_NS_GPL(ioasim_ioas_get, IOASIM_TEST);

/**
 * ioasim_ioas_alloc() - IOMMU_IOAS_ALLOC
 * @ctx: the context
 * @cmd: in: flags (must be 0); out: out_ioas_id
 *
 * Context: process context, may sleep.
 * Return: 0, -EOPNOTSUPP for flags, or -ENOMEM.
 */
int ioasim_ioas_alloc(struct ioasim_ctx *ctx, struct iommu_ioas_alloc *cmd)
{
	struct ioasim_ioas *ioas;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = ioasim_obj_alloc(ctx, struct ioasim_ioas, obj,
				&ioasim_ioas_type);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ioas->ctx = ctx;
	ioasim_space_init(&ioas->space);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpts);
	xa_init_flags(&ioas->accesses, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	cmd->out_ioas_id = ioas->obj.id;
	ioasim_obj_publish(ctx, &ioas->obj);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_alloc);

static int map_flags_to_prot(u32 flags)
{
	int prot = 0;

	if (flags & IOMMU_IOAS_MAP_READABLE)
		prot |= IOMMU_READ;
	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= IOMMU_WRITE;
	return prot;
}

/*
 * The checks MAP and COPY share, in upstream's order: flags, then IOVA and
 * length values that do not fit an unsigned long, then the access flags.
 */
static int check_map_args(u32 flags, u64 length, u64 iova_a, u64 iova_b)
{
	if (flags & ~IOASIM_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (length >= ULONG_MAX || iova_a >= ULONG_MAX || iova_b >= ULONG_MAX)
		return -EOVERFLOW;
	if (!map_flags_to_prot(flags))
		return -EINVAL;
	return 0;
}

/**
 * ioasim_ioas_map_user() - map user memory into an IOAS
 * @ioas: the IOAS
 * @uptr: the memory's user address, in the caller's mm
 * @length: its length
 * @iova: in: the IOVA when @fixed; out: where the mapping went
 * @prot: IOMMU_READ and/or IOMMU_WRITE; the memory is pinned writable
 *	with IOMMU_WRITE
 * @fixed: map at *@iova
 *
 * Context: process context with an mm, may sleep.
 * Return: as ioasim_space_map(), or -ENOMEM.
 */
int ioasim_ioas_map_user(struct ioasim_ioas *ioas, unsigned long uptr,
			 unsigned long length, unsigned long *iova, int prot,
			 bool fixed)
{
	struct ioasim_ctx *ctx = ioas->ctx;
	struct ioasim_slice slice;
	int rc;

	slice.pages = ioasim_pages_create(uptr, length, prot & IOMMU_WRITE,
					  ioasim_ctx_account(ctx),
					  READ_ONCE(ctx->batch_bytes));
	if (IS_ERR(slice.pages))
		return PTR_ERR(slice.pages);
	slice.start_byte = uptr - slice.pages->uptr;
	slice.length = length;
	rc = ioasim_space_map(&ioas->space, &slice, 1, iova, prot, fixed);
	ioasim_pages_put(slice.pages);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_map_user);

/**
 * ioasim_ioas_map() - IOMMU_IOAS_MAP
 * @ctx: the context
 * @cmd: in: ioas_id, flags, user_va, length, iova (with FIXED_IOVA);
 *	out: iova
 *
 * Records the user memory behind the new area; it is pinned only once
 * something needs it resident.
 *
 * Context: process context with an mm, may sleep.
 * Return: 0 or an errno as upstream: -EOPNOTSUPP (flags, reserved field),
 * -EOVERFLOW, -EINVAL (no access flag, bad length or alignment, reserved
 * IOVA), -ENOENT (no such IOAS), -EEXIST, -ENOSPC, -ENOMEM.
 */
int ioasim_ioas_map(struct ioasim_ctx *ctx, struct iommu_ioas_map *cmd)
{
	struct ioasim_ioas *ioas;
	unsigned long iova = cmd->iova;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = check_map_args(cmd->flags, cmd->length, cmd->iova, 0);
	if (rc)
		return rc;

	ioas = ioasim_ioas_get(ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = ioasim_ioas_map_user(ioas, cmd->user_va, cmd->length, &iova,
				  map_flags_to_prot(cmd->flags),
				  cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	if (!rc)
		cmd->iova = iova;
	ioasim_ioas_put(ctx, ioas);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_map);

/**
 * ioasim_ioas_copy() - IOMMU_IOAS_COPY
 * @ctx: the context
 * @cmd: in: dst_ioas_id, src_ioas_id, flags, length, src_iova, dst_iova
 *	(with FIXED_IOVA); out: dst_iova
 *
 * The new mapping shares the source's pages objects: nothing is pinned or
 * charged a second time.
 *
 * Context: process context, may sleep.
 * Return: as ioasim_ioas_map(); -ENOENT also when the source range is not
 * fully mapped; -EPERM for a writable copy of read-only memory.
 */
int ioasim_ioas_copy(struct ioasim_ctx *ctx, struct iommu_ioas_copy *cmd)
{
	struct ioasim_ioas *src, *dst;
	struct ioasim_slice *slices;
	unsigned long iova = cmd->dst_iova;
	unsigned int nslices;
	int rc;

	rc = check_map_args(cmd->flags, cmd->length, cmd->src_iova,
			    cmd->dst_iova);
	if (rc)
		return rc;

	src = ioasim_ioas_get(ctx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	rc = ioasim_space_slices(&src->space, cmd->src_iova, cmd->length,
				 &slices, &nslices);
	ioasim_ioas_put(ctx, src);
	if (rc)
		return rc;

	dst = ioasim_ioas_get(ctx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_slices;
	}
	rc = ioasim_space_map(&dst->space, slices, nslices, &iova,
			      map_flags_to_prot(cmd->flags),
			      cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	if (!rc)
		cmd->dst_iova = iova;
	ioasim_ioas_put(ctx, dst);
out_slices:
	ioasim_slices_put(slices, nslices);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_copy);

/*
 * Ask every access attached to @ioas to unpin what it pinned in a range.
 * The list is the IOAS's; what an access does about it is its driver's.
 */
static void ioas_notify_unmap(struct ioasim_ioas *ioas, unsigned long iova,
			      unsigned long last)
{
	struct ioasim_access *access;
	unsigned long index;

	xa_lock(&ioas->accesses);
	xa_for_each(&ioas->accesses, index, access) {
		/* An access being destroyed has been asked already. */
		if (!ioasim_obj_tryget(&access->obj))
			continue;
		xa_unlock(&ioas->accesses);
		ioasim_access_notify_unmap(access, iova, last);
		ioasim_obj_put(access->ctx, &access->obj);
		xa_lock(&ioas->accesses);
	}
	xa_unlock(&ioas->accesses);
}

/**
 * ioasim_ioas_unmap_range() - unmap every area inside [iova, last]
 * @ioas: the IOAS
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 * @unmapped: set to the number of bytes unmapped
 *
 * While accesses pin areas in the range, they are asked to unpin, up to
 * IOASIM_UNMAP_TRIES times.
 *
 * Context: process context, may sleep. No lock of an access's driver that
 * its ->unmap() takes may be held.
 * Return: as ioasim_space_unmap(), or -EDEADLOCK if accesses kept their
 * pins (then nothing is unmapped).
 */
int ioasim_ioas_unmap_range(struct ioasim_ioas *ioas, unsigned long iova,
			    unsigned long last, unsigned long *unmapped)
{
	unsigned int tries;
	int rc;

	for (tries = 0; tries < IOASIM_UNMAP_TRIES; tries++) {
		rc = ioasim_space_unmap(&ioas->space, iova, last, unmapped);
		if (rc != -EBUSY)
			return rc;
		ioas_notify_unmap(ioas, iova, last);
	}
	ioasim_space_unmap_cancel(&ioas->space, iova, last);
	pr_warn_ratelimited("ioasim: accesses keep IOVA %#lx-%#lx pinned; unmap refused\n",
			    iova, last);
	return -EDEADLOCK;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_unmap_range);

/**
 * ioasim_ioas_unmap() - IOMMU_IOAS_UNMAP
 * @ctx: the context
 * @cmd: in: ioas_id, iova, length (iova 0 with length U64_MAX unmaps
 *	everything); out: length, the bytes unmapped
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT (no such IOAS, nothing mapped in the range, or an
 * area crossing its boundary); -EOVERFLOW; -EINVAL for a zero length;
 * -EDEADLOCK if accesses did not unpin the range when asked.
 */
int ioasim_ioas_unmap(struct ioasim_ctx *ctx, struct iommu_ioas_unmap *cmd)
{
	struct ioasim_ioas *ioas;
	unsigned long unmapped = 0, last;
	bool all = !cmd->iova && cmd->length == U64_MAX;
	int rc;

	ioas = ioasim_ioas_get(ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (all) {
		rc = ioasim_ioas_unmap_range(ioas, 0, ULONG_MAX, &unmapped);
	} else if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX) {
		rc = -EOVERFLOW;
	} else if (!cmd->length) {
		rc = -EINVAL;
	} else if (check_add_overflow((unsigned long)cmd->iova,
				      (unsigned long)cmd->length - 1, &last)) {
		rc = -EOVERFLOW;
	} else {
		rc = ioasim_ioas_unmap_range(ioas, cmd->iova, last,
					     &unmapped);
		if (!rc && !unmapped)
			rc = -ENOENT;
	}
	if (!rc)
		cmd->length = unmapped;
	ioasim_ioas_put(ctx, ioas);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_unmap);

/* Range @i of the request: from @ranges, or else from the caller. */
static int allow_iovas_range(const struct iommu_ioas_allow_iovas *cmd,
			     const struct iommu_iova_range *ranges, u32 i,
			     struct iommu_iova_range *range)
{
	const struct iommu_iova_range __user *uranges =
		u64_to_user_ptr(cmd->allowed_iovas);

	if (ranges) {
		*range = ranges[i];
		return 0;
	}
	return copy_from_user(range, uranges + i, sizeof(*range)) ? -EFAULT : 0;
}

/**
 * ioasim_ioas_allow_iovas() - IOMMU_IOAS_ALLOW_IOVAS
 * @ctx: the context
 * @cmd: in: ioas_id, num_iovas, allowed_iovas
 * @ranges: the num_iovas ranges in kernel memory, or NULL to read them
 *	from cmd->allowed_iovas
 *
 * Replaces the allowed ranges as a whole; on any error they are unchanged.
 * The IOAS is looked up first, then the ranges are read and judged one at
 * a time, so the first bad or unreadable range decides the errno. The
 * count is the caller's: every range read is a node allocated, so the
 * walk ends at the first range that cannot be read or kept.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (reserved field); -ENOENT; -EFAULT; -EINVAL for
 * a range with start >= last or overlapping an earlier one; -EADDRINUSE
 * if a range overlaps reserved IOVA; -ENOMEM.
 */
int ioasim_ioas_allow_iovas(struct ioasim_ctx *ctx,
			    struct iommu_ioas_allow_iovas *cmd,
			    const struct iommu_iova_range *ranges)
{
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct iommu_iova_range range;
	struct ioasim_allowed *node;
	struct ioasim_ioas *ioas;
	u32 i;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ioasim_ioas_get(ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	for (i = 0; i < cmd->num_iovas; i++) {
		rc = allow_iovas_range(cmd, ranges, i, &range);
		if (rc)
			goto out;
		if (range.start >= range.last ||
		    interval_tree_iter_first(&allowed, range.start,
					     range.last)) {
			rc = -EINVAL;
			goto out;
		}
		node = ioasim_kzalloc("ioas.allowed", sizeof(*node),
				      GFP_KERNEL_ACCOUNT);
		if (!node) {
			rc = -ENOMEM;
			goto out;
		}
		node->node.start = range.start;
		node->node.last = range.last;
		interval_tree_insert(&node->node, &allowed);
		cond_resched();
	}
	rc = ioasim_space_set_allowed(&ioas->space, &allowed);
out:
	ioasim_allowed_free(&allowed);
	ioasim_ioas_put(ctx, ioas);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_allow_iovas);

/**
 * ioasim_ioas_iova_ranges() - IOMMU_IOAS_IOVA_RANGES
 * @ctx: the context
 * @cmd: in: ioas_id, num_iovas (capacity of @ranges); out: num_iovas (how
 *	many ranges exist), out_iova_alignment
 * @ranges: receives up to the capacity, lowest first
 *
 * The ranges are the IOVA not reserved. When there are more than fit, the
 * ones that fit are stored, the count and alignment are still reported,
 * and the caller retries with a larger buffer.
 *
 * Context: process context, may sleep.
 * Return: 0; -EMSGSIZE if @ranges was too small (outputs valid);
 * -EOPNOTSUPP (reserved field); -ENOENT.
 */
int ioasim_ioas_iova_ranges(struct ioasim_ctx *ctx,
			    struct iommu_ioas_iova_ranges *cmd,
			    struct iommu_iova_range *ranges)
{
	struct ioasim_ioas *ioas;
	u32 cap = cmd->num_iovas, n = cap;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = ioasim_ioas_get(ctx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	ioasim_space_iova_ranges(&ioas->space, ranges, &n);
	cmd->num_iovas = n;
	cmd->out_iova_alignment = READ_ONCE(ioas->space.iova_alignment);
	ioasim_ioas_put(ctx, ioas);
	return n > cap ? -EMSGSIZE : 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ioas_iova_ranges);

static int option_rlimit_mode(struct ioasim_ctx *ctx, struct iommu_option *cmd)
{
	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ctx->account_mm;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	/* An object in the table outranks a bad value: EBUSY first. */
	return ioasim_ctx_set_account_mode(ctx, cmd->val64);
}

static int option_huge_pages(struct ioasim_ctx *ctx, struct iommu_option *cmd)
{
	struct ioasim_ioas *ioas;
	int rc = 0;

	ioas = ioasim_ioas_get(ctx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (cmd->op == IOMMU_OPTION_OP_GET)
		cmd->val64 = !READ_ONCE(ioas->space.no_large_pages);
	else if (cmd->op != IOMMU_OPTION_OP_SET)
		rc = -EOPNOTSUPP;
	else if (cmd->val64 > 1)
		rc = -EINVAL;
	else
		rc = ioasim_space_set_large_pages(&ioas->space, cmd->val64);
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

/**
 * ioasim_option() - IOMMU_OPTION
 * @ctx: the context
 * @cmd: in: option_id, op, object_id, val64 (SET); out: val64 (GET)
 *
 * IOMMU_OPTION_RLIMIT_MODE (context-wide, object_id 0): 0 charges pinned
 * memory to the user's RLIMIT_MEMLOCK, 1 to the mm as VFIO does; changing
 * it needs CAP_SYS_RESOURCE and an empty context.
 * IOMMU_OPTION_HUGE_PAGES (per IOAS): 1 lets automatic IOVA placement
 * align for large IO pages; 0 does not and raises the IOVA alignment to
 * PAGE_SIZE (refused with EINVAL once domains map areas, EADDRINUSE if an
 * area cannot keep that alignment).
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (reserved field, unknown option or op, object id
 * for RLIMIT_MODE); -EINVAL (value, or HUGE_PAGES off with domains mapping
 * areas); -EADDRINUSE; -EPERM; -EBUSY (objects exist); -ENOENT (no such
 * IOAS).
 */
int ioasim_option(struct ioasim_ctx *ctx, struct iommu_option *cmd)
{
	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		return option_rlimit_mode(ctx, cmd);
	case IOMMU_OPTION_HUGE_PAGES:
		return option_huge_pages(ctx, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_option);
