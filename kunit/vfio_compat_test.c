// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_vfio_compat: the VFIO type1 container ioctls on an
 * iommufd context (core/vfio_compat.c).
 *
 * The commands are called as the ioctl layer calls them, with their
 * arguments in the case's user memory: the IOAS they work on
 * (IOMMU_VFIO_IOAS's choice, and -ENODEV without one), the unmap rules of
 * type1 v2 (whole mappings only) and v1 (mappings cut at the range's
 * edges), the size written back, and GET_INFO's capability chain, whole
 * and for callers with less room.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "helpers.h"
#include "ioas.h"
#include "uapi.h"

#define PG PAGE_SIZE
#define NPAGES 8
#define BASE SZ_1M

struct vfio_fixture {
	struct ioasim_ctx *ctx;
	u32 ioas;
	unsigned long uptr;	/* NPAGES pages to map */
	unsigned long uarg;	/* a page for the commands' arguments */
};

static long vfio_ioctl(struct kunit *test, unsigned int ioctl,
		       unsigned long arg)
{
	struct vfio_fixture *fx = test->priv;

	return ioasim_vfio_compat_ioctl(fx->ctx, ioctl, arg);
}

static int vfio_ioas_op(struct kunit *test, u16 op, u32 *id)
{
	struct vfio_fixture *fx = test->priv;
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .op = op, .ioas_id = *id,
	};
	int rc = ioasim_vfio_ioas(fx->ctx, &cmd);

	*id = cmd.ioas_id;
	return rc;
}

/* The fixture's IOAS as the container's, and type1 @type on it. */
static void vfio_container(struct kunit *test, unsigned long type)
{
	struct vfio_fixture *fx = test->priv;
	u32 id = fx->ioas;

	KUNIT_ASSERT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_SET, &id), 0);
	KUNIT_ASSERT_EQ(test, vfio_ioctl(test, VFIO_SET_IOMMU, type), 0);
}

static long vfio_map(struct kunit *test, u64 iova, u64 size,
		     unsigned long uoff, u32 flags)
{
	struct vfio_fixture *fx = test->priv;
	struct vfio_iommu_type1_dma_map req = {
		.argsz = sizeof(req), .flags = flags,
		.vaddr = fx->uptr + uoff, .iova = iova, .size = size,
	};

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->uarg, &req,
					   sizeof(req)), 0);
	return vfio_ioctl(test, VFIO_IOMMU_MAP_DMA, fx->uarg);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* UNMAP_DMA; *@size gets the size written back. */
static long vfio_unmap(struct kunit *test, u64 iova, u64 *size, u32 flags)
{
	struct vfio_fixture *fx = test->priv;
	struct vfio_iommu_type1_dma_unmap req = {
		.argsz = sizeof(req), .flags = flags, .iova = iova,
		.size = *size,
	};
	long rc;

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->uarg, &req,
					   sizeof(req)), 0);
	rc = vfio_ioctl(test, VFIO_IOMMU_UNMAP_DMA, fx->uarg);
	KUNIT_ASSERT_EQ(test, copy_from_user(&req, (void __user *)fx->uarg,
					     sizeof(req)), 0);
	*size = req.size;
	return rc;
}

static unsigned int vfio_nareas(struct kunit *test, u32 id)
{
	struct vfio_fixture *fx = test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, id);
	unsigned long iova;
	unsigned int n = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	while (ioasim_space_nth_area(&ioas->space, n, &iova))
		n++;
	ioasim_ioas_put(fx->ctx, ioas);
	return n;
}

/* Without an IOAS chosen, a command that needs one is -ENODEV. */
static void vfio_needs_an_ioas(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	u64 size = PG;
	u32 id = 0;

	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_GET_API_VERSION, 0),
			VFIO_API_VERSION);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_TYPE1v2_IOMMU), 1);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_DMA_CC_IOMMU), -ENODEV);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_SET_IOMMU,
					 VFIO_TYPE1v2_IOMMU), -ENODEV);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW), -ENODEV);
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, put_user((u32)sizeof(struct
						   vfio_iommu_type1_info),
				       (u32 __user *)fx->uarg), 0);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_IOMMU_GET_INFO, fx->uarg),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_GET, &id),
			-ENODEV);
	/* Not a container command at all. */
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_DEVICE_RESET, 0), -ENOTTY);
}

/* IOMMU_VFIO_IOAS chooses the IOAS; the commands follow the choice. */
static void vfio_ioas_selection(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	u32 other = ioasim_test_ioas(test, fx->ctx), id;
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd) };

	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	id = 0;
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_GET, &id), 0);
	KUNIT_EXPECT_EQ(test, id, fx->ioas);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW), 0);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 1);

	/* Another IOAS: maps go there from now on. */
	id = other;
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_SET, &id), 0);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW), 0);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, other), 1);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 1);

	/* Bad requests change nothing. */
	id = 999;
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_SET, &id),
			-ENOENT);
	cmd.op = IOMMU_VFIO_IOAS_CLEAR + 1;
	KUNIT_EXPECT_EQ(test, ioasim_vfio_ioas(fx->ctx, &cmd), -EOPNOTSUPP);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, ioasim_vfio_ioas(fx->ctx, &cmd), -EOPNOTSUPP);
	id = 0;
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_GET, &id), 0);
	KUNIT_EXPECT_EQ(test, id, other);

	/* Cleared, or its IOAS destroyed: none. */
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_CLEAR, &id),
			0);
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_GET, &id),
			-ENODEV);
	id = other;
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_SET, &id), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other, NULL), 0);
	KUNIT_EXPECT_EQ(test, vfio_ioas_op(test, IOMMU_VFIO_IOAS_GET, &id),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW), -ENODEV);
}

/* MAP_DMA's own checks, before the IOAS's. */
static void vfio_map_rules(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	struct vfio_iommu_type1_dma_map req = {
		.argsz = offsetofend(typeof(req), size) - 1, .flags = RW,
		.vaddr = fx->uptr, .iova = BASE, .size = PG,
	};

	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->uarg, &req,
					   sizeof(req)), 0);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_IOMMU_MAP_DMA, fx->uarg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW | BIT(2)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, 0, RW), 0);
	/* Type1 maps where it is told: the same IOVA again is taken. */
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE, PG, PG, RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, vfio_map(test, BASE + PG, PG, PG,
				       VFIO_DMA_MAP_FLAG_READ), 0);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 2);
}

/* v2: mappings go whole; a range crossing a mapping's edge is refused. */
static void vfio_unmap_v2(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	u64 size;

	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	KUNIT_ASSERT_EQ(test, vfio_map(test, BASE, 2 * PG, 0, RW), 0);
	KUNIT_ASSERT_EQ(test, vfio_map(test, BASE + 4 * PG, 2 * PG, 2 * PG,
				       RW), 0);

	/* Inside a mapping: ENOENT, nothing unmapped, 0 told. */
	size = PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, size, 0);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 2);
	/* Where nothing is mapped: success, 0 unmapped. */
	size = 2 * PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE + 2 * PG, &size, 0), 0);
	KUNIT_EXPECT_EQ(test, size, 0);
	/* Both mappings and the hole between them: all of it told. */
	size = 6 * PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size, 0), 0);
	KUNIT_EXPECT_EQ(test, size, 4 * PG);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 0);

	/* A zero size, a wrapping range, unknown flags. */
	size = 0;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size, 0), -EINVAL);
	size = 2 * PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, U64_MAX - PG + 1, &size, 0),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, size, 0);
	size = PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size,
					 VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, size, PG);
}

/* UNMAP_ALL takes everything, and no range. */
static void vfio_unmap_all(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	u64 size;

	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	KUNIT_ASSERT_EQ(test, vfio_map(test, BASE, 2 * PG, 0, RW), 0);
	KUNIT_ASSERT_EQ(test, vfio_map(test, 4 * BASE, 3 * PG, 2 * PG, RW), 0);
	/* A range with the flag: EINVAL, the caller's size left alone. */
	size = PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, 0, &size,
					 VFIO_DMA_UNMAP_FLAG_ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, size, PG);
	size = 0;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE, &size,
					 VFIO_DMA_UNMAP_FLAG_ALL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 2);
	size = 0;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, 0, &size,
					 VFIO_DMA_UNMAP_FLAG_ALL), 0);
	KUNIT_EXPECT_EQ(test, size, 5 * PG);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 0);
}

/*
 * v1 (TYPE1): large pages off, and a range may take part of a mapping,
 * which is cut at the range's edges first.
 */
static void vfio_unmap_v1(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	struct ioasim_ioas *ioas;
	u64 size;

	vfio_container(test, VFIO_TYPE1_IOMMU);
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ioas->space.no_large_pages));
	ioasim_ioas_put(fx->ctx, ioas);

	KUNIT_ASSERT_EQ(test, vfio_map(test, BASE, 4 * PG, 0, RW), 0);
	/* The middle two pages: three areas were one, the middle one goes. */
	size = 2 * PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, BASE + PG, &size, 0), 0);
	KUNIT_EXPECT_EQ(test, size, 2 * PG);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 2);
	/* From IOVA 0, the first page's mapping: the cut needs no left edge. */
	KUNIT_ASSERT_EQ(test, vfio_map(test, 0, 2 * PG, 4 * PG, RW), 0);
	size = PG;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, 0, &size, 0), 0);
	KUNIT_EXPECT_EQ(test, size, PG);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 3);
	size = U64_MAX;
	KUNIT_EXPECT_EQ(test, vfio_unmap(test, 0, &size, 0), 0);
	KUNIT_EXPECT_EQ(test, size, 3 * PG);
	KUNIT_EXPECT_EQ(test, vfio_nareas(test, fx->ioas), 0);
}

/* The info, the DMA limit, the IOVA ranges: an 8-byte-aligned chain. */
struct vfio_info_answer {
	struct vfio_iommu_type1_info info;
	struct vfio_iommu_type1_info_dma_avail avail;
	u32 pad0;
	struct vfio_iommu_type1_info_cap_iova_range ranges;
	struct vfio_iova_range range[2];
} __packed;

static long vfio_get_info(struct kunit *test, u32 argsz,
			  struct vfio_info_answer *out)
{
	struct vfio_fixture *fx = test->priv;
	long rc;

	/* What lies beyond argsz must come back unchanged: 0xa5 there. */
	memset(out, 0xa5, sizeof(*out));
	out->info.argsz = argsz;
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->uarg, out,
					   sizeof(*out)), 0);
	rc = vfio_ioctl(test, VFIO_IOMMU_GET_INFO, fx->uarg);
	KUNIT_ASSERT_EQ(test, copy_from_user(out, (void __user *)fx->uarg,
					     sizeof(*out)), 0);
	return rc;
}

static void vfio_get_info_chain(struct kunit *test)
{
	struct vfio_fixture *fx = test->priv;
	const u32 minsz = offsetofend(struct vfio_iommu_type1_info,
				      iova_pgsizes);
	const u32 avail_at = offsetof(struct vfio_info_answer, avail);
	const u32 ranges_at = offsetof(struct vfio_info_answer, ranges);
	const u32 total = sizeof(struct vfio_info_answer);
	struct vfio_info_answer *a = kunit_kzalloc(test, sizeof(*a),
						   GFP_KERNEL);
	struct ioasim_ioas *ioas;

	KUNIT_ASSERT_NOT_NULL(test, a);
	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	/* Two usable ranges: everything but [BASE, 2 * BASE - 1]. */
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_ASSERT_EQ(test, ioasim_space_reserve(&ioas->space, BASE,
						   2 * BASE - 1, test), 0);
	ioasim_ioas_put(fx->ctx, ioas);

	KUNIT_EXPECT_EQ(test, vfio_get_info(test, minsz - 1, a), -EINVAL);

	/* Room for all of it: the whole chain. */
	KUNIT_ASSERT_EQ(test, vfio_get_info(test, total, a), 0);
	KUNIT_EXPECT_EQ(test, a->info.argsz, total);
	KUNIT_EXPECT_EQ(test, a->info.flags, VFIO_IOMMU_INFO_PGSIZES |
					     VFIO_IOMMU_INFO_CAPS);
	KUNIT_EXPECT_NE(test, a->info.iova_pgsizes & PAGE_MASK, 0);
	KUNIT_EXPECT_EQ(test, a->info.cap_offset, avail_at);
	KUNIT_EXPECT_EQ(test, a->info.pad, 0);
	KUNIT_EXPECT_EQ(test, a->pad0, 0);
	KUNIT_EXPECT_EQ(test, a->avail.header.id,
			VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	KUNIT_EXPECT_EQ(test, a->avail.header.version, 1);
	KUNIT_EXPECT_EQ(test, a->avail.header.next, ranges_at);
	KUNIT_EXPECT_EQ(test, a->avail.avail, U32_MAX);
	KUNIT_EXPECT_EQ(test, a->ranges.header.id,
			VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	KUNIT_EXPECT_EQ(test, a->ranges.header.next, 0);
	KUNIT_EXPECT_EQ(test, a->ranges.nr_iovas, 2);
	KUNIT_EXPECT_EQ(test, a->range[0].start, 0);
	KUNIT_EXPECT_EQ(test, a->range[0].end, BASE - 1);
	KUNIT_EXPECT_EQ(test, a->range[1].start, 2 * BASE);
	KUNIT_EXPECT_EQ(test, a->range[1].end, ULONG_MAX);

	/* The first release's info: the size of the whole told, no more. */
	KUNIT_ASSERT_EQ(test, vfio_get_info(test, minsz, a), 0);
	KUNIT_EXPECT_EQ(test, a->info.argsz, total);
	KUNIT_EXPECT_EQ(test, a->info.cap_offset, 0xa5a5a5a5);
	KUNIT_EXPECT_EQ(test, a->avail.header.id, 0xa5a5);

	/* Up to the first range: the DMA limit, no link to the ranges. */
	KUNIT_ASSERT_EQ(test, vfio_get_info(test, ranges_at - 1, a), 0);
	KUNIT_EXPECT_EQ(test, a->info.cap_offset, 0);
	KUNIT_EXPECT_EQ(test, a->avail.avail, U32_MAX);
	KUNIT_EXPECT_EQ(test, a->avail.header.next, 0);
	KUNIT_EXPECT_EQ(test, a->ranges.header.id, 0xa5a5);

	/* One byte short of the whole: the first range, not the header. */
	KUNIT_ASSERT_EQ(test, vfio_get_info(test, total - 1, a), 0);
	KUNIT_EXPECT_EQ(test, a->info.argsz, total);
	KUNIT_EXPECT_EQ(test, a->avail.header.next, ranges_at);
	KUNIT_EXPECT_EQ(test, a->ranges.header.id, 0xa5a5);
	KUNIT_EXPECT_EQ(test, a->range[0].end, BASE - 1);
	KUNIT_EXPECT_EQ(test, a->range[1].start, 0xa5a5a5a5a5a5a5a5ULL);
}

/* DMA_CC_IOMMU: an IOAS without domains enforces what it has: all of 0. */
static void vfio_extensions(struct kunit *test)
{
	vfio_container(test, VFIO_TYPE1v2_IOMMU);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_DMA_CC_IOMMU), 1);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_TYPE1_IOMMU), 1);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_UNMAP_ALL), 1);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_UPDATE_VADDR), 0);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_CHECK_EXTENSION,
					 VFIO_NOIOMMU_IOMMU), 0);
	KUNIT_EXPECT_EQ(test, vfio_ioctl(test, VFIO_SET_IOMMU,
					 VFIO_NOIOMMU_IOMMU), -EINVAL);
}

static int vfio_init(struct kunit *test)
{
	struct vfio_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem(test, NPAGES * PG,
					PROT_READ | PROT_WRITE);
	fx->uarg = ioasim_test_user_mem(test, PG, PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	return 0;
}

static struct kunit_case ioasim_vfio_compat_cases[] = {
	KUNIT_CASE(vfio_needs_an_ioas),
	KUNIT_CASE(vfio_ioas_selection),
	KUNIT_CASE(vfio_map_rules),
	KUNIT_CASE(vfio_unmap_v2),
	KUNIT_CASE(vfio_unmap_all),
	KUNIT_CASE(vfio_unmap_v1),
	KUNIT_CASE(vfio_get_info_chain),
	KUNIT_CASE(vfio_extensions),
	{}
};

static struct kunit_suite ioasim_vfio_compat_suite = {
	.name = "ioasim_vfio_compat",
	.init = vfio_init,
	.test_cases = ioasim_vfio_compat_cases,
};

kunit_test_suite(ioasim_vfio_compat_suite);
