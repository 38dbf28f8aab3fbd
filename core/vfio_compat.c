// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - VFIO type1 container ioctls on the /dev/iommu file
 *
 * A program written for VFIO's type1 IOMMU can use an iommufd file as its
 * container. The container's address space is the IOAS chosen with
 * IOMMU_VFIO_IOAS (ctx->vfio_ioas); without one, every command that needs
 * it fails with -ENODEV, as VFIO fails without a group.
 *
 *   VFIO_GET_API_VERSION    VFIO_API_VERSION
 *   VFIO_CHECK_EXTENSION    1 for TYPE1, TYPE1v2 and UNMAP_ALL; for
 *                           DMA_CC_IOMMU, whether the IOAS has no HWPT
 *                           (ioasim does not enforce cache coherency on a
 *                           domain); 0 for the rest
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
#include "uapi.h"

static long vfio_check_extension(struct ioasim_ctx *ctx, unsigned long ext)
{
	struct ioasim_ioas *ioas;
	bool no_hwpt;

	switch (ext) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		ioas = ioasim_vfio_ioas_get(ctx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		mutex_lock(&ioas->mutex);
		no_hwpt = list_empty(&ioas->hwpts);
		mutex_unlock(&ioas->mutex);
		ioasim_ioas_put(ctx, ioas);
		return no_hwpt;
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

/* The holes of @space in a new array; *@n of them. */
static struct iommu_iova_range *vfio_holes(struct ioasim_space *space,
					   u32 *n)
{
	struct iommu_iova_range *holes = NULL;
	u32 cap = 0;

	/* The count may grow between the calls: size again until it fits. */
	for (;;) {
		*n = cap;
		ioasim_space_holes(space, holes, n);
		if (*n <= cap)
			return holes;
		kfree(holes);
		cap = *n;
		holes = kcalloc(cap, sizeof(*holes), GFP_KERNEL);
		if (!holes)
			return ERR_PTR(-ENOMEM);
	}
}

/*
 * The answer is laid out whole in a zeroed buffer (info, then the DMA
 * limit capability, then the IOVA ranges, each 8-byte aligned and linked
 * by offsets from the start). A caller whose argsz covers it all gets it
 * all; any other caller gets the info alone, with cap_offset 0 and argsz
 * telling how much room the answer needs.
 */
static long vfio_iommu_get_info(struct ioasim_ctx *ctx, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
					 iova_pgsizes);
	struct vfio_iommu_type1_info_cap_iova_range *ranges_cap;
	struct vfio_iommu_type1_info_dma_avail *avail_cap;
	struct vfio_iommu_type1_info *info;
	size_t avail_at, ranges_at, total;
	struct iommu_iova_range *holes;
	struct ioasim_ioas *ioas;
	u32 argsz, nholes, i;
	long rc;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	holes = vfio_holes(&ioas->space, &nholes);
	if (IS_ERR(holes)) {
		rc = PTR_ERR(holes);
		goto out_put;
	}

	avail_at = ALIGN(sizeof(*info), sizeof(u64));
	ranges_at = avail_at + ALIGN(sizeof(*avail_cap), sizeof(u64));
	total = ranges_at + ALIGN(struct_size(ranges_cap, iova_ranges, nholes),
				  sizeof(u64));
	info = kzalloc(total, GFP_KERNEL);
	if (!info) {
		rc = -ENOMEM;
		goto out_holes;
	}
	info->argsz = total;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = ioasim_space_pgsizes(&ioas->space);

	avail_cap = (void *)info + avail_at;
	avail_cap->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail_cap->header.version = 1;
	avail_cap->header.next = ranges_at;
	/* No count limits mappings here: memory accounting does. */
	avail_cap->avail = U32_MAX;

	ranges_cap = (void *)info + ranges_at;
	ranges_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	ranges_cap->header.version = 1;
	ranges_cap->nr_iovas = nholes;
	for (i = 0; i < nholes; i++) {
		ranges_cap->iova_ranges[i].start = holes[i].start;
		ranges_cap->iova_ranges[i].end = holes[i].last;
	}

	if (argsz >= total) {
		info->cap_offset = avail_at;
		rc = copy_to_user(arg, info, total) ? -EFAULT : 0;
	} else {
		rc = copy_to_user(arg, info, min_t(size_t, argsz,
						   sizeof(*info))) ?
		     -EFAULT : 0;
	}
	kfree(info);
out_holes:
	kfree(holes);
out_put:
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

static long vfio_map_dma(struct ioasim_ctx *ctx, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map,
					 size);
	struct vfio_iommu_type1_dma_map map;
	struct ioasim_ioas *ioas;
	unsigned long iova;
	int prot = 0;
	long rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;

	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	iova = map.iova;
	rc = ioasim_ioas_map_user(ioas, map.vaddr, map.size, &iova, prot,
				  true);
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

static long vfio_unmap_dma(struct ioasim_ctx *ctx, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap,
					 size);
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0, last;
	struct ioasim_ioas *ioas;
	long rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	/* Dirty bitmaps on unmap were replaced by iommufd's dirty tracking. */
	if (unmap.argsz < minsz || unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;

	ioas = ioasim_vfio_ioas_get(ctx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = -EINVAL;
			goto out_put;
		}
		rc = ioasim_ioas_unmap_range(ioas, 0, ULONG_MAX, &unmapped);
	} else if (!unmap.size) {
		rc = -EINVAL;
		goto out_put;
	} else if (check_add_overflow((unsigned long)unmap.iova,
				      (unsigned long)unmap.size - 1, &last)) {
		rc = -EOVERFLOW;
		goto out_put;
	} else {
		/*
		 * With large pages off (type1 v1 turns them off), a range may
		 * begin or end inside a mapping: cut there first.
		 */
		unsigned long cuts[] = { last, unmap.iova - 1 };

		rc = 0;
		if (READ_ONCE(ioas->space.no_large_pages))
			rc = ioasim_space_cut(&ioas->space, cuts,
					      unmap.iova ? 2 : 1);
		if (!rc)
			rc = ioasim_ioas_unmap_range(ioas, unmap.iova, last,
						     &unmapped);
	}
	/* What was unmapped is told even when the unmap stopped early. */
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, minsz))
		rc = -EFAULT;
out_put:
	ioasim_ioas_put(ctx, ioas);
	return rc;
}

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
	void __user *uarg = (void __user *)arg;

	switch (ioctl) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension(ctx, arg);
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ctx, arg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_iommu_get_info(ctx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ctx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ctx, uarg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_vfio_compat_ioctl);
