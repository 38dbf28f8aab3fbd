// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - VFIO type1 container ioctls on the /dev/iommu file
 *
 * A program written for VFIO's type1 IOMMU can use an iommufd file as its
 * container. The container's address space is the IOAS chosen with
 * IOMMU_VFIO_IOAS (ctx->vfio_ioas), the iommufd command this file also
 * answers; without one, every command that needs it fails with -ENODEV,
 * as VFIO fails without a group.
 *
 *   VFIO_GET_API_VERSION    VFIO_API_VERSION
 *   VFIO_CHECK_EXTENSION    1 for TYPE1, TYPE1v2 and UNMAP_ALL; for
 *                           DMA_CC_IOMMU, whether every domain of the IOAS
 *                           enforces cache coherency; 0 for the rest
 *   VFIO_SET_IOMMU          TYPE1 or TYPE1v2; TYPE1 also turns large pages
 *                           off, as type1 v1 users expect IOPTEs they
 *                           can unmap one page at a time
 *   VFIO_IOMMU_GET_INFO     IO page sizes and a capability chain: the DMA
 *                           mapping limit, then the usable IOVA ranges
 *   VFIO_IOMMU_MAP_DMA      a map at a fixed IOVA
 *   VFIO_IOMMU_UNMAP_DMA    unmap the mappings inside a range (nothing
 *                           there is not an error, unlike IOAS_UNMAP), or
 *                           everything with VFIO_DMA_UNMAP_FLAG_ALL. With
 *                           large pages off (TYPE1), mappings the range
 *                           begins or ends inside are cut there first, so
 *                           part of a mapping can go; otherwise a mapping
 *                           crossing the range's edge is -ENOENT
 *
 * These commands do not follow iommufd's size rules: VFIO's argsz only
 * has to cover the fields the command reads (-EINVAL otherwise), and what
 * follows is ignored.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "access.h"
#include "device.h"
#include "uapi.h"

/**
 * ioasim_vfio_ioas_get() - the IOAS the VFIO compatibility ioctls use
 * @ctx: the context
 *
 * Context: any context.
 * Return: the IOAS with a short-term reference, or ERR_PTR(-ENODEV) if
 * none is set (or it is being destroyed).
 */
struct ioasim_ioas *ioasim_vfio_ioas_get(struct ioasim_ctx *ctx)
{
	struct ioasim_ioas *ioas;

	xa_lock(&ctx->objects);
	ioas = ioasim_ctx_vfio_ioas(ctx);
	if (!ioas || !ioasim_obj_tryget(&ioas->obj))
		ioas = ERR_PTR(-ENODEV);
	xa_unlock(&ctx->objects);
	return ioas;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_vfio_ioas_get);

/**
 * ioasim_vfio_ioas() - IOMMU_VFIO_IOAS
 * @ctx: the context
 * @cmd: in: op, and ioas_id for SET; out: ioas_id for GET
 *
 * Chooses the IOAS that the VFIO type1 ioctls on this file work on.
 *
 * Context: process context.
 * Return: 0; -EOPNOTSUPP (reserved field, unknown op); -ENODEV (GET with
 * none set); -ENOENT (SET of no IOAS).
 */
int ioasim_vfio_ioas(struct ioasim_ctx *ctx, struct iommu_vfio_ioas *cmd)
{
	struct ioasim_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = ioasim_vfio_ioas_get(ctx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		ioasim_ioas_put(ctx, ioas);
		return 0;
	case IOMMU_VFIO_IOAS_SET:
		ioas = ioasim_ioas_get(ctx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		xa_lock(&ctx->objects);
		ioasim_ctx_set_vfio_ioas(ctx, ioas);
		xa_unlock(&ctx->objects);
		ioasim_ioas_put(ctx, ioas);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		xa_lock(&ctx->objects);
		ioasim_ctx_set_vfio_ioas(ctx, NULL);
		xa_unlock(&ctx->objects);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_vfio_ioas);

static long vfio_check_extension(struct ioasim_ctx *ctx, unsigned long ext)
{
	struct ioasim_hwpt *hwpt;
	struct ioasim_ioas *ioas;
	bool coherent = true;

	switch (ext) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		ioas = ioasim_vfio_ioas_get(ctx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		/* Coherent only if every domain of the IOAS enforces it. */
		mutex_lock(&ioas->mutex);
		list_for_each_entry(hwpt, ioasim_ioas_hwpts(ioas), ioas_item)
			coherent &= READ_ONCE(hwpt->enforce_cc);
		mutex_unlock(&ioas->mutex);
		ioasim_ioas_put(ctx, ioas);
		return coherent;
	default:
		/* NOIOMMU, the old nesting type, UPDATE_VADDR, ... */
		return 0;
	}
}

static long vfio_set_iommu(struct ioasim_ctx *ctx, unsigned long type)
{
	struct ioasim_ioas *ioas;
	int rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (type == VFIO_TYPE1_IOMMU)
		rc = ioasim_space_set_large_pages(&ioas->space, false);
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

/* The usable IOVA ranges of @space in a new array; *@n of them. */
static struct iommu_iova_range *vfio_iova_ranges(struct ioasim_space *space,
						 u32 *n)
{
	struct iommu_iova_range *ranges = NULL;
	u32 cap = 0;

	/* The count may grow between the calls: size again until it fits. */
	for (;;) {
		*n = cap;
		ioasim_space_iova_ranges(space, ranges, n);
		if (*n <= cap)
			return ranges;
		kfree(ranges);
		cap = *n;
		ranges = kcalloc(cap, sizeof(*ranges), GFP_KERNEL);
		if (!ranges)
			return ERR_PTR(-ENOMEM);
	}
}

/*
 * The answer is laid out whole in a zeroed buffer: the info, the DMA limit
 * capability, then the IOVA ranges capability, each 8-byte aligned and
 * linked by offsets from the start; argsz always tells the size of the
 * whole. A caller with less room gets each piece of it that fits whole
 * within its argsz, as VFIO users probing with a short buffer expect:
 *
 *   the info            up to argsz, with cap_offset 0
 *   the DMA limit       whole, its link only when the next one's start fits
 *   each IOVA range     whole, lowest first
 *   the ranges header   never: it fits only when everything does
 */
struct vfio_info_layout {
	size_t avail_at;	/* the DMA limit capability */
	size_t ranges_at;	/* the IOVA ranges capability */
	size_t total;
};

static int vfio_info_copy_out(void __user *arg, u32 argsz, void *answer,
			      const struct vfio_info_layout *at, u32 nranges)
{
	struct vfio_iommu_type1_info_cap_iova_range *ranges_cap =
		answer + at->ranges_at;
	struct vfio_iommu_type1_info_dma_avail *avail_cap =
		answer + at->avail_at;
	struct vfio_iommu_type1_info *info = answer;
	size_t first_range = at->ranges_at +
			     offsetof(typeof(*ranges_cap), iova_ranges);
	size_t fit = 0;

	/* All of it fits: padding included, the whole answer at once. */
	if (argsz >= at->total) {
		info->cap_offset = at->avail_at;
		return copy_to_user(arg, answer, at->total) ? -EFAULT : 0;
	}
	if (argsz < at->ranges_at)
		avail_cap->header.next = 0;
	if (copy_to_user(arg, info, min_t(size_t, argsz, sizeof(*info))))
		return -EFAULT;
	if (argsz >= at->avail_at + sizeof(*avail_cap) &&
	    copy_to_user(arg + at->avail_at, avail_cap, sizeof(*avail_cap)))
		return -EFAULT;
	if (argsz > first_range)
		fit = min_t(size_t, nranges, (argsz - first_range) /
				    sizeof(ranges_cap->iova_ranges[0]));
	if (copy_to_user(arg + first_range, ranges_cap->iova_ranges,
			 fit * sizeof(ranges_cap->iova_ranges[0])))
		return -EFAULT;
	return 0;
}

static long vfio_iommu_get_info(struct ioasim_ctx *ctx, unsigned long uarg)
{
	void __user *arg = (void __user *)uarg;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
					 iova_pgsizes);
	struct vfio_iommu_type1_info_cap_iova_range *ranges_cap;
	struct vfio_iommu_type1_info_dma_avail *avail_cap;
	struct vfio_iommu_type1_info *info;
	struct vfio_info_layout at;
	struct iommu_iova_range *ranges;
	struct ioasim_ioas *ioas;
	u32 argsz, nranges, i;
	long rc;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ranges = vfio_iova_ranges(&ioas->space, &nranges);
	if (IS_ERR(ranges)) {
		rc = PTR_ERR(ranges);
		goto out_put;
	}

	at.avail_at = ALIGN(sizeof(*info), sizeof(u64));
	at.ranges_at = at.avail_at + ALIGN(sizeof(*avail_cap), sizeof(u64));
	at.total = at.ranges_at +
		   ALIGN(struct_size(ranges_cap, iova_ranges, nranges),
			 sizeof(u64));
	info = kzalloc(at.total, GFP_KERNEL);
	if (!info) {
		rc = -ENOMEM;
		goto out_ranges;
	}
	info->argsz = at.total;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = ioasim_space_pgsizes(&ioas->space);

	avail_cap = (void *)info + at.avail_at;
	avail_cap->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail_cap->header.version = 1;
	avail_cap->header.next = at.ranges_at;
	/* No count limits mappings here: memory accounting does. */
	avail_cap->avail = U32_MAX;

	ranges_cap = (void *)info + at.ranges_at;
	ranges_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	ranges_cap->header.version = 1;
	ranges_cap->nr_iovas = nranges;
	for (i = 0; i < nranges; i++) {
		ranges_cap->iova_ranges[i].start = ranges[i].start;
		ranges_cap->iova_ranges[i].end = ranges[i].last;
	}

	rc = vfio_info_copy_out(arg, argsz, info, &at, nranges);
	kfree(info);
out_ranges:
	kfree(ranges);
out_put:
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

/* The type1 request as ioasim's IOAS map takes it. */
static int vfio_map_prot(u32 flags)
{
	return (flags & VFIO_DMA_MAP_FLAG_READ ? IOMMU_READ : 0) |
	       (flags & VFIO_DMA_MAP_FLAG_WRITE ? IOMMU_WRITE : 0);
}

static long vfio_map_dma(struct ioasim_ctx *ctx, unsigned long uarg)
{
	void __user *arg = (void __user *)uarg;
	struct vfio_iommu_type1_dma_map req;
	const size_t need = offsetofend(typeof(req), size);
	struct ioasim_ioas *ioas;
	unsigned long iova;
	long rc;

	if (copy_from_user(&req, arg, need))
		return -EFAULT;
	if (req.argsz < need ||
	    (req.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* Type1 maps only where it is told to. */
	iova = req.iova;
	rc = ioasim_ioas_map_user(ioas, req.vaddr, req.size, &iova,
				  vfio_map_prot(req.flags), true);
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

/*
 * Unmap what @req names from @ioas; *@unmapped is set to the bytes that
 * went. Returns 0 or an errno, and whether @req->size is to be rewritten:
 * a refused cut leaves the caller's size alone, anything else reports
 * what was unmapped (0 for a range that wraps).
 */
static int vfio_unmap_request(struct ioasim_ioas *ioas,
			      const struct vfio_iommu_type1_dma_unmap *req,
			      unsigned long *unmapped, bool *tell)
{
	unsigned long first = req->iova, last;
	int rc;

	*unmapped = 0;
	*tell = true;
	if (req->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (req->iova || req->size) {
			*tell = false;
			return -EINVAL;
		}
		return ioasim_ioas_unmap_range(ioas, 0, ULONG_MAX, unmapped);
	}
	/*
	 * Type1 v1 (large pages off) may take part of a mapping: the
	 * mappings the range starts or ends inside are cut at its edges.
	 * The cut comes first, at the edges as the sum wraps, as upstream
	 * cuts: a refused cut answers before an empty or wrapping range.
	 */
	if (READ_ONCE(ioas->space.no_large_pages)) {
		unsigned long edges[] = { first + (unsigned long)req->size - 1,
					  first - 1 };

		rc = ioasim_space_cut(&ioas->space, edges, first ? 2 : 1);
		if (rc) {
			*tell = false;
			return rc;
		}
	}
	if (!req->size)
		return -EINVAL;
	if (check_add_overflow(first, (unsigned long)req->size - 1, &last))
		return -EOVERFLOW;
	return ioasim_ioas_unmap_range(ioas, first, last, unmapped);
}

static long vfio_unmap_dma(struct ioasim_ctx *ctx, unsigned long uarg)
{
	void __user *arg = (void __user *)uarg;
	struct vfio_iommu_type1_dma_unmap req;
	const size_t need = offsetofend(typeof(req), size);
	struct ioasim_ioas *ioas;
	unsigned long unmapped;
	bool tell;
	long rc;

	if (copy_from_user(&req, arg, need))
		return -EFAULT;
	/* Dirty bitmaps on unmap were replaced by iommufd's dirty tracking. */
	if (req.argsz < need || (req.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = vfio_unmap_request(ioas, &req, &unmapped, &tell);
	ioasim_ioas_put(ctx, ioas);
	/* What went is told even when the unmap stopped early. */
	req.size = unmapped;
	if (tell && copy_to_user(arg, &req, need))
		rc = -EFAULT;
	return rc;
}

static long vfio_api_version(struct ioasim_ctx *ctx, unsigned long arg)
{
	return VFIO_API_VERSION;
}

/*
 * The container commands, as uapi.c has the iommufd ones: the argument is
 * a number for some and a user pointer for others, so each command takes
 * it as it comes.
 */
static const struct {
	unsigned int ioctl;
	long (*run)(struct ioasim_ctx *ctx, unsigned long arg);
} vfio_table[] = {
	{ VFIO_GET_API_VERSION, vfio_api_version },
	{ VFIO_CHECK_EXTENSION, vfio_check_extension },
	{ VFIO_SET_IOMMU, vfio_set_iommu },
	{ VFIO_IOMMU_GET_INFO, vfio_iommu_get_info },
	{ VFIO_IOMMU_MAP_DMA, vfio_map_dma },
	{ VFIO_IOMMU_UNMAP_DMA, vfio_unmap_dma },
};

/**
 * ioasim_vfio_compat_ioctl() - a VFIO container ioctl on a context
 * @ctx: the context
 * @ioctl: the ioctl number
 * @arg: the argument: a number or a user pointer, by command
 *
 * Context: process context of the caller, may sleep.
 * Return: the command's answer (a version, a boolean, 0) or a negative
 * errno, see the file comment; -ENOTTY for a command that is not one of
 * these.
 */
long ioasim_vfio_compat_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
			      unsigned long arg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfio_table); i++)
		if (vfio_table[i].ioctl == ioctl)
			return vfio_table[i].run(ctx, arg);
	return -ENOTTY;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_vfio_compat_ioctl);
