// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_device: mock VFIO devices bound to a context,
 * attached to IOASes and HWPTs, replaced and detached; the ownership and
 * reference rules of device.h, and DMA through whatever a device is
 * attached to.
 *
 * The user buffer holds, in every 8 bytes, the user address of those
 * bytes, so a DMA read proves which memory an IOVA reaches.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mman.h>
#include <linux/platform_device.h>
#include <linux/uaccess.h>

#include "device.h"
#include "fault.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

#define NPAGES 16
#define IOVA 0x100000UL
#define IO_PG IOASIM_MOCK_IO_PAGE_SIZE

struct dev_fixture {
	struct ioasim_ctx *ctx;
	unsigned long uptr;
	u32 ioas;
	struct ioasim_mock_dev *mdev, *mdev2, *small;
};

/* What a device reads at @iova: the user address mapped there. */
static u64 dma_read(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    unsigned long iova, int want_rc)
{
	u64 v = 0;

	KUNIT_EXPECT_EQ_MSG(test, ioasim_mock_vfio_dma(vfio, iova, &v,
						       sizeof(v), false),
			    want_rc, "DMA read at %#lx", iova);
	return v;
}

static struct ioasim_mock_vfio *bound(struct kunit *test,
				      struct ioasim_mock_dev *mdev,
				      u32 *dev_id)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, mdev);
	u32 id;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id), 0);
	if (dev_id)
		*dev_id = id;
	return vfio;
}

static u32 attached(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    u32 pt_id)
{
	int rc = ioasim_mock_vfio_attach(vfio, &pt_id);

	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "attach: %pe", ERR_PTR(rc));
	return pt_id;
}

static int destroy(struct kunit *test, u32 id)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_obj_destroy(fx->ctx, id, NULL);
}

static unsigned int nhwpts(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_test_count(fx->ctx, &ioasim_hwpt_paging_type);
}

/* How many ranges IOVA_RANGES reports (up to 4). */
static u32 nranges(struct kunit *test, u32 ioas)
{
	struct dev_fixture *fx = test->priv;
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .num_iovas = 4,
	};

	KUNIT_EXPECT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &cmd, r), 0);
	return cmd.num_iovas;
}

/* Pages pinned behind an IOAS's areas (each map has its own pages). */
static unsigned long ioas_pinned(struct kunit *test, u32 id)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, id);
	struct interval_tree_node *node;
	unsigned long n = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	down_read(&ioas->space.lock);
	for (node = interval_tree_iter_first(&ioas->space.areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX))
		n += container_of(node, struct ioasim_area, node)->pages->npinned;
	up_read(&ioas->space.lock);
	ioasim_ioas_put(fx->ctx, ioas);
	return n;
}

static int hwpt_alloc(struct kunit *test, struct iommu_hwpt_alloc *cmd)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_hwpt_alloc(fx->ctx, cmd);
}

/* Binding claims DMA ownership: DMA is blocked, other contexts are out. */
static void dev_bind_claims_ownership(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_ctx *other = ioasim_test_ctx(test);
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, fx->mdev);
	struct ioasim_mock_vfio *rival = ioasim_test_vfio(test, fx->mdev);
	struct ioasim_device *idev;
	u32 id, id2;

	/* Not owned: the device sits in its identity domain. */
	dma_read(test, vfio, IOVA, -EPERM);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			1);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 2);
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&fx->mdev->pdev->dev)->type,
			IOMMU_DOMAIN_BLOCKED);
	dma_read(test, vfio, IOVA, -EPERM);

	/* One binding per file, one owner per device. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id2),
			-EPERM);
	idev = ioasim_device_bind(fx->ctx, &fx->mdev->pdev->dev, &id2);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EBUSY);
	/* Userspace cannot destroy a bound device. */
	KUNIT_EXPECT_EQ(test, destroy(test, id), -EBUSY);

	ioasim_mock_vfio_release(vfio);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			0);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 1);
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&fx->mdev->pdev->dev)->type,
			IOMMU_DOMAIN_IDENTITY);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id2), 0);
}

static void dev_bind_refused(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *nc =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_NO_COHERENCY);
	struct platform_device *plain;
	struct ioasim_device *idev;
	u32 id;

	idev = ioasim_device_bind(fx->ctx, &nc->pdev->dev, &id);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EINVAL);

	/* A device no IOMMU serves has no group: capability check first. */
	plain = platform_device_register_simple("ioasim_plain", -1, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(plain));
	idev = ioasim_device_bind(fx->ctx, &plain->dev, &id);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EINVAL);
	platform_device_unregister(plain);

	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->groups));
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 1);
}

/*
 * Attaching to an IOAS makes an automatic HWPT; compatible devices share
 * it, a device of another kind gets its own; it dies with its last device.
 */
static void dev_attach_auto_domain(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = bound(test, fx->mdev, NULL);
	struct ioasim_mock_vfio *b = bound(test, fx->mdev2, NULL);
	struct ioasim_mock_vfio *c = bound(test, fx->small, NULL);
	u32 pa, pb, pc;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      NPAGES * PAGE_SIZE, IOVA, true),
			0);
	pa = attached(test, a, fx->ioas);
	KUNIT_EXPECT_NE(test, pa, fx->ioas);
	KUNIT_EXPECT_NOT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pa));
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA + 3 * PAGE_SIZE + 8, 0),
			fx->uptr + 3 * PAGE_SIZE + 8);

	pb = attached(test, b, fx->ioas);
	KUNIT_EXPECT_EQ(test, pb, pa);
	pc = attached(test, c, fx->ioas);
	KUNIT_EXPECT_NE(test, pc, pa);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 2);
	KUNIT_EXPECT_EQ(test, dma_read(test, c, IOVA + 8, 0), fx->uptr + 8);

	/* Held: the IOAS by its HWPTs, the HWPTs by their devices. */
	KUNIT_EXPECT_EQ(test, destroy(test, fx->ioas), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(test, pa), -EBUSY);

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 2);
	dma_read(test, a, IOVA, -EPERM);
	KUNIT_EXPECT_EQ(test, dma_read(test, b, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pa));
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(c), 0);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 0);
	/* Detaching twice is a no-op for VFIO, an error for the core. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(c), 0);
	KUNIT_EXPECT_EQ(test, ioasim_device_detach(c->idev), -EINVAL);
	KUNIT_EXPECT_EQ(test, destroy(test, fx->ioas), 0);
}

static void dev_attach_errors(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = ioasim_test_vfio(test, fx->mdev);
	u32 dev_id, pt = fx->ioas;

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt), -EINVAL);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(a, fx->ctx, &dev_id), 0);
	pt = 9999;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt), -ENOENT);
	pt = dev_id;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_device_replace(a->idev, &pt), -EINVAL);
	pt = fx->ioas;
	KUNIT_EXPECT_EQ(test, ioasim_device_replace(a->idev, &pt), -EINVAL);
	pt = attached(test, a, fx->ioas);
	KUNIT_EXPECT_EQ(test, ioasim_device_attach(a->idev, &pt), -EINVAL);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
}

/* A device of the small-aperture kind cannot join an IOAS mapping above. */
static void dev_attach_aperture_conflict(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *c = bound(test, fx->small, NULL);
	u32 pt = fx->ioas;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, SZ_4G, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(c, &pt), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 0);
	dma_read(test, c, SZ_4G, -EPERM);
	KUNIT_EXPECT_EQ(test, c->attached, false);
}

static void dev_explicit_hwpt(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	u32 dev_id, dev2_id;
	struct ioasim_mock_vfio *a = bound(test, fx->mdev, &dev_id);
	struct ioasim_mock_vfio *b = bound(test, fx->mdev2, &dev2_id);
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = dev_id, .pt_id = fx->ioas,
	};
	struct iommu_domain *domain;
	u32 pt;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, hwpt_alloc(test, &cmd), 0);
	domain = ioasim_test_hwpt_domain(fx->ctx, cmd.out_hwpt_id);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	/* Filled before anything attaches. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain),
			4 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, destroy(test, fx->ioas), -EBUSY);

	/* An explicit HWPT is never picked automatically. */
	pt = attached(test, a, fx->ioas);
	KUNIT_EXPECT_NE(test, pt, cmd.out_hwpt_id);
	/* The group of b is free to attach to the explicit one. */
	pt = attached(test, b, cmd.out_hwpt_id);
	KUNIT_EXPECT_EQ(test, pt, cmd.out_hwpt_id);
	KUNIT_EXPECT_EQ(test, dma_read(test, b, IOVA + 16, 0), fx->uptr + 16);
	KUNIT_EXPECT_EQ(test, destroy(test, cmd.out_hwpt_id), -EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	/* Explicit: it outlives its last device until destroyed. */
	KUNIT_EXPECT_EQ(test, nhwpts(test), 2);
	KUNIT_EXPECT_EQ(test, destroy(test, cmd.out_hwpt_id), 0);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
}

struct hwpt_alloc_case {
	const char *name;
	u32 flags, data_type, data_len, reserved;
	int dev, pt;	/* 0: the valid one; 1: a bad id; 2: the device id */
	int rc;
};

static const struct hwpt_alloc_case hwpt_alloc_cases[] = {
	{ "reserved", .reserved = 1, .rc = -EOPNOTSUPP },
	{ "data_len without data", .data_len = 8, .rc = -EINVAL },
	{ "data without data_len", .data_type = IOMMU_HWPT_DATA_VTD_S1,
	  .rc = -EINVAL },
	{ "no such device", .dev = 1, .rc = -ENOENT },
	{ "pt is not an object", .pt = 1, .rc = -EINVAL },
	{ "pt is a device", .pt = 2, .rc = -EINVAL },
	{ "pt is a hwpt, no data", .pt = 3, .rc = -EOPNOTSUPP },
	{ "fault queue on a paging hwpt", .flags = IOMMU_HWPT_FAULT_ID_VALID,
	  .rc = -EOPNOTSUPP },
	{ "fault id and nest parent",
	  .flags = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_NEST_PARENT,
	  .rc = -EOPNOTSUPP },
	{ "driver data", .data_type = IOMMU_HWPT_DATA_VTD_S1, .data_len = 8,
	  .rc = -EOPNOTSUPP },
	{ "unknown flag", .flags = BIT(31), .rc = -EOPNOTSUPP },
};

static void hwpt_alloc_case_desc(const struct hwpt_alloc_case *c,
				 char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hwpt_alloc, hwpt_alloc_cases, hwpt_alloc_case_desc);

/* HWPT_ALLOC refuses bad input with upstream's errno, leaving nothing. */
static void dev_hwpt_alloc_errors(struct kunit *test)
{
	const struct hwpt_alloc_case *c = test->param_value;
	struct dev_fixture *fx = test->priv;
	u32 dev_id;
	struct ioasim_mock_vfio *a = bound(test, fx->mdev, &dev_id);
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = c->flags, .dev_id = dev_id,
		.pt_id = fx->ioas, .data_type = c->data_type,
		.data_len = c->data_len, .__reserved = c->reserved,
	};
	u32 parent = 0;

	if (c->pt == 3)
		parent = attached(test, a, fx->ioas);
	if (c->dev == 1)
		cmd.dev_id = 9999;
	if (c->pt)
		cmd.pt_id = c->pt == 1 ? 9999 : c->pt == 2 ? dev_id : parent;
	KUNIT_EXPECT_EQ(test, hwpt_alloc(test, &cmd), c->rc);
	KUNIT_EXPECT_EQ(test, nhwpts(test), c->pt == 3);
}

/*
 * Replace moves the group to another HWPT with no blocked window; DMA
 * then reaches the new IOAS's memory; an automatic HWPT left behind dies.
 */
static void dev_replace(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = bound(test, fx->mdev, NULL);
	u32 other = ioasim_test_ioas(test, fx->ctx), p1, p2;

	/* The same IOVA reaches different memory in the two IOASes. */
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, IOVA, false), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, other,
					      fx->uptr + 5 * PAGE_SIZE,
					      PAGE_SIZE, IOVA, false), 0);
	p1 = attached(test, a, fx->ioas);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA, 0), fx->uptr);

	p2 = attached(test, a, other);
	KUNIT_EXPECT_NE(test, p2, p1);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA, 0),
			fx->uptr + 5 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, p1));
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
	/* The first IOAS is free again, the second is held. */
	KUNIT_EXPECT_EQ(test, destroy(test, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(test, fx->ioas), 0);

	/* Replacing by the current HWPT changes nothing. */
	KUNIT_EXPECT_EQ(test, attached(test, a, p2), p2);
	KUNIT_EXPECT_EQ(test, attached(test, a, other), p2);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
}

/* A group's devices share ownership and one attachment. */
static void dev_group_shares_attachment(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *peer =
		ioasim_test_mock_dev_in_group(test, 0, fx->mdev);
	struct ioasim_ctx *other = ioasim_test_ctx(test);
	struct ioasim_mock_vfio *a, *b, *rival;
	struct iommu_hwpt_alloc cmd = { .size = sizeof(cmd) };
	u32 dev_id, id, pt;

	KUNIT_ASSERT_PTR_EQ(test, iommu_group_get(&peer->pdev->dev),
			    iommu_group_get(&fx->mdev->pdev->dev));
	iommu_group_put(peer->pdev->dev.iommu_group);
	iommu_group_put(peer->pdev->dev.iommu_group);

	rival = ioasim_test_vfio(test, peer);
	a = bound(test, fx->mdev, &dev_id);
	/* The group is owned by the fixture's context now. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id),
			-EPERM);
	b = bound(test, peer, NULL);
	KUNIT_EXPECT_NOT_NULL(test, xa_load(&fx->ctx->groups,
					    iommu_group_id(peer->pdev->dev.iommu_group)));

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, IOVA, false), 0);
	cmd.dev_id = dev_id;
	cmd.pt_id = fx->ioas;
	KUNIT_ASSERT_EQ(test, hwpt_alloc(test, &cmd), 0);
	pt = attached(test, a, fx->ioas);
	/* The peer follows the group: the same HWPT or nothing. */
	KUNIT_EXPECT_EQ(test, dma_read(test, b, IOVA, 0), fx->uptr);
	id = cmd.out_hwpt_id;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(b, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, attached(test, b, fx->ioas), pt);

	/* Replacing through one device moves the whole group. */
	KUNIT_EXPECT_EQ(test, attached(test, a, cmd.out_hwpt_id),
			cmd.out_hwpt_id);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pt));
	KUNIT_EXPECT_EQ(test, destroy(test, cmd.out_hwpt_id), -EBUSY);

	/* The group stays attached until its last device detaches. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	KUNIT_EXPECT_EQ(test, dma_read(test, b, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	dma_read(test, b, IOVA, -EPERM);
	KUNIT_EXPECT_EQ(test, destroy(test, cmd.out_hwpt_id), 0);

	ioasim_mock_vfio_release(a);
	ioasim_mock_vfio_release(b);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->groups));
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id), 0);
}

/* Reserved regions of an attached device are reserved IOVA. */
static void dev_reserved_regions(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_RESV);
	struct ioasim_mock_vfio *a = ioasim_test_vfio(test, mdev);
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges), .ioas_id = fx->ioas, .num_iovas = 4,
	};
	u32 id, pt = fx->ioas;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(a, fx->ctx, &id), 0);
	/* Conflict: something is mapped in the region. */
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE,
					      IOASIM_MOCK_RESV_START +
					      PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 0);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &ranges, r), 0);
	KUNIT_EXPECT_EQ(test, ranges.num_iovas, 1);

	/*
	 * Without it: the region is reserved while attached, the relaxable
	 * one is not, and the domain's aperture is.
	 */
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE,
					      IOASIM_MOCK_RELAXABLE_START,
					      false), 0);
	{
		struct iommu_ioas_unmap un = {
			.size = sizeof(un), .ioas_id = fx->ioas,
			.iova = IOASIM_MOCK_RESV_START + PAGE_SIZE,
			.length = PAGE_SIZE,
		};

		KUNIT_ASSERT_EQ(test, ioasim_ioas_unmap(fx->ctx, &un), 0);
	}
	pt = attached(test, a, fx->ioas);
	ranges.num_iovas = 4;
	KUNIT_ASSERT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &ranges, r), 0);
	KUNIT_ASSERT_EQ(test, ranges.num_iovas, 2);
	KUNIT_EXPECT_EQ(test, r[0].start, 0);
	KUNIT_EXPECT_EQ(test, r[0].last, IOASIM_MOCK_RESV_START - 1);
	KUNIT_EXPECT_EQ(test, r[1].start,
			IOASIM_MOCK_RESV_START + IOASIM_MOCK_RESV_LENGTH);
	KUNIT_EXPECT_EQ(test, r[1].last, IOASIM_MOCK_APERTURE_LAST);
	KUNIT_EXPECT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE,
					      IOASIM_MOCK_RESV_START, false),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	ranges.num_iovas = 4;
	KUNIT_ASSERT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &ranges, r), 0);
	KUNIT_EXPECT_EQ(test, ranges.num_iovas, 1);
}

/* DMA follows map and unmap; two domains map exactly the same areas. */
static void dev_dma_two_domains(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = bound(test, fx->mdev, NULL);
	struct ioasim_mock_vfio *c = bound(test, fx->small, NULL);
	struct iommu_domain *da, *dc;
	struct iommu_ioas_unmap un = {
		.size = sizeof(un), .ioas_id = fx->ioas,
		.iova = IOVA + 8 * PAGE_SIZE, .length = 4 * PAGE_SIZE,
	};
	unsigned long iova;
	u64 v = 0x5eed;

	da = ioasim_test_hwpt_domain(fx->ctx, attached(test, a, fx->ioas));
	dc = ioasim_test_hwpt_domain(fx->ctx, attached(test, c, fx->ioas));
	KUNIT_ASSERT_NOT_NULL(test, da);
	KUNIT_ASSERT_NOT_NULL(test, dc);
	KUNIT_ASSERT_NE(test, (unsigned long)da, (unsigned long)dc);

	/* Mapped after the attach: both domains follow. */
	dma_read(test, a, IOVA, -EFAULT);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas,
					      fx->uptr + 4 * PAGE_SIZE,
					      4 * PAGE_SIZE,
					      IOVA + 8 * PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(da),
			8 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(dc),
			8 * PAGE_SIZE / IO_PG);
	for (iova = IOVA; iova < IOVA + 12 * PAGE_SIZE; iova += IO_PG) {
		if (iova == IOVA + 4 * PAGE_SIZE)
			iova = IOVA + 8 * PAGE_SIZE;
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(da, iova) ==
				    iommu_iova_to_phys(dc, iova), true,
				    "IOVA %#lx", iova);
	}

	/* A write by one device is seen by the other and by userspace. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_dma(c, IOVA + 24, &v,
						   sizeof(v), true), 0);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA + 24, 0), 0x5eed);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + 24)), 0);
	KUNIT_EXPECT_EQ(test, v, 0x5eed);
	/* Read-only mapping: no device writes. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_dma(a, IOVA + 8 * PAGE_SIZE,
						   &v, sizeof(v), true),
			-EFAULT);

	KUNIT_ASSERT_EQ(test, ioasim_ioas_unmap(fx->ctx, &un), 0);
	dma_read(test, a, IOVA + 8 * PAGE_SIZE, -EFAULT);
	dma_read(test, c, IOVA + 8 * PAGE_SIZE, -EFAULT);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(da),
			4 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(dc),
			4 * PAGE_SIZE / IO_PG);
}

/*
 * A domain with larger IO pages: ioasim's runs are mapped with them where
 * IOVA and memory align, and unmapped whole either way.
 */
static void dev_huge_iova_domain(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_HUGE_IOVA);
	struct ioasim_mock_vfio *a = bound(test, mdev, NULL);
	struct iommu_ioas_unmap un = {
		.size = sizeof(un), .ioas_id = fx->ioas, .iova = 0,
		.length = U64_MAX,
	};
	struct iommu_domain *domain;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	/* Memory half an IO page off its IOVA's page alignment. */
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas,
					      fx->uptr + PAGE_SIZE / 2,
					      4 * PAGE_SIZE,
					      IOVA + 8 * PAGE_SIZE, true), 0);
	domain = ioasim_test_hwpt_domain(fx->ctx, attached(test, a, fx->ioas));
	KUNIT_ASSERT_NOT_NULL(test, domain);
	KUNIT_EXPECT_GT(test, atomic_read(&ioasim_mock_domain(domain)->large_maps),
			0);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA + 3 * PAGE_SIZE, 0),
			fx->uptr + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA + 9 * PAGE_SIZE, 0),
			fx->uptr + PAGE_SIZE / 2 + PAGE_SIZE);
	/* Any violation here WARNs and fails the run. */
	KUNIT_EXPECT_EQ(test, ioasim_ioas_unmap(fx->ctx, &un), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain), 0);
}

/* Closing the context while a device is bound: the binding keeps it. */
static void dev_ctx_outlives_close(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_ctx *ctx = ioasim_ctx_create();
	struct ioasim_mock_vfio *a;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	u32 id, pt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx));
	a = ioasim_test_vfio(test, fx->mdev);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(a, ctx, &id), 0);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(ctx, &alloc), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(ctx, alloc.out_ioas_id,
					      fx->uptr, PAGE_SIZE, IOVA,
					      false), 0);
	pt = alloc.out_ioas_id;
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(a, &pt), 0);

	/* The opener's reference goes; DMA goes on. */
	ioasim_ctx_put(ctx);
	KUNIT_EXPECT_EQ(test, dma_read(test, a, IOVA, 0), fx->uptr);
	/* Closing the device file detaches, unbinds and frees it all. */
	ioasim_mock_vfio_release(a);
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&fx->mdev->pdev->dev)->type,
			IOMMU_DOMAIN_IDENTITY);
}

struct attach_sweep {
	struct ioasim_mock_vfio *vfio;
	u32 pt;
	bool replace;
	u32 want_hwpts;
};

static int attach_sweep_step(struct kunit *test, void *arg)
{
	struct attach_sweep *s = arg;
	u32 pt = s->pt;

	return ioasim_mock_vfio_attach(s->vfio, &pt);
}

static void attach_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct dev_fixture *fx = test->priv;
	struct attach_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, nhwpts(test), s->want_hwpts);
	/* Not attached: blocked. Replacing: still on the old memory. */
	if (s->replace)
		KUNIT_EXPECT_EQ(test, dma_read(test, s->vfio, IOVA, 0),
				fx->uptr + PAGE_SIZE);
	else
		dma_read(test, s->vfio, IOVA, -EPERM);
	/* Neither the device's regions nor an aperture stay reserved. */
	KUNIT_EXPECT_EQ(test, nranges(test, fx->ioas), 1);
	KUNIT_EXPECT_EQ(test, ioas_pinned(test, fx->ioas), 0);
}

/* Fail each step of attaching to an IOAS, then of replacing. */
static void dev_attach_fail_nth(struct kunit *test)
{
	static const char *const attach_points[] = {
		"obj.reserve_id", "mock.domain_alloc", "space.reserve",
		"space.domain_slot", "pages.pin", "space.domain_map",
		"mock.map", "mock.attach", NULL
	};
	static const char *const replace_points[] = {
		"obj.reserve_id", "mock.domain_alloc", "space.domain_map",
		"mock.map", "device.replace", NULL
	};
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_RESV);
	struct attach_sweep s = {
		.vfio = ioasim_test_vfio(test, mdev), .pt = fx->ioas,
	};
	struct ioasim_sweep sweep = {
		.step = attach_sweep_step, .check = attach_sweep_check,
		.arg = &s,
	};
	u32 id, other = ioasim_test_ioas(test, fx->ctx);

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(s.vfio, fx->ctx, &id), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, other,
					      fx->uptr + PAGE_SIZE,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_EXPECT_GE(test, ioasim_fault_sweep(test, &sweep, attach_points),
			8);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);

	/* Now attached to fx->ioas; sweep a replace by @other, and back. */
	s.pt = other;
	s.replace = true;
	s.want_hwpts = 1;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(s.vfio), 0);
	KUNIT_ASSERT_EQ(test, attached(test, s.vfio, other) != 0, true);
	s.pt = fx->ioas;
	KUNIT_EXPECT_GE(test, ioasim_fault_sweep(test, &sweep,
						 replace_points), 5);
	KUNIT_EXPECT_EQ(test, dma_read(test, s.vfio, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
}

struct bind_sweep {
	struct ioasim_device *idev;
	struct device *dev;
};

static int bind_sweep_step(struct kunit *test, void *arg)
{
	struct dev_fixture *fx = test->priv;
	struct bind_sweep *s = arg;
	u32 id;

	s->idev = ioasim_device_bind(fx->ctx, s->dev, &id);
	return PTR_ERR_OR_ZERO(s->idev);
}

static void bind_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct dev_fixture *fx = test->priv;
	struct bind_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->groups));
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 1);
	/* Ownership given back: the device is in its identity domain. */
	KUNIT_EXPECT_EQ(test, iommu_get_domain_for_dev(s->dev)->type,
			IOMMU_DOMAIN_IDENTITY);
}

/* Fail each step of binding; then unbind an attached device directly. */
static void dev_bind_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"device.group", "device.group_slot", "obj.reserve_id", NULL
	};
	struct dev_fixture *fx = test->priv;
	struct bind_sweep s = { .dev = &fx->mdev->pdev->dev };
	struct ioasim_sweep sweep = {
		.step = bind_sweep_step, .check = bind_sweep_check, .arg = &s,
	};
	u32 pt = fx->ioas;

	KUNIT_EXPECT_GE(test, ioasim_fault_sweep(test, &sweep, points), 4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s.idev));
	KUNIT_EXPECT_EQ(test, ioasim_device_attach(s.idev, &pt), 0);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
	/* Unbind detaches first; the automatic HWPT goes with it. */
	ioasim_device_unbind(s.idev);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 0);
	bind_sweep_check(test, &s, 0);
}

struct hwpt_sweep {
	struct iommu_hwpt_alloc cmd;
};

static int hwpt_sweep_step(struct kunit *test, void *arg)
{
	struct hwpt_sweep *s = arg;

	return hwpt_alloc(test, &s->cmd);
}

static void hwpt_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct dev_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, nhwpts(test), 0);
	KUNIT_EXPECT_EQ(test, nranges(test, fx->ioas), 1);
	KUNIT_EXPECT_EQ(test, ioas_pinned(test, fx->ioas), 0);
}

/* Fail each step of HWPT_ALLOC over an IOAS that maps something. */
static void dev_hwpt_alloc_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"obj.get", "obj.reserve_id", "mock.domain_alloc",
		"space.reserve", "space.domain_slot", "pages.pin",
		"space.domain_map", "mock.map", NULL
	};
	struct dev_fixture *fx = test->priv;
	struct hwpt_sweep s = {
		.cmd = { .size = sizeof(s.cmd), .pt_id = fx->ioas },
	};
	struct ioasim_sweep sweep = {
		.step = hwpt_sweep_step, .check = hwpt_sweep_check, .arg = &s,
	};

	bound(test, fx->mdev, &s.cmd.dev_id);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_EXPECT_GE(test, ioasim_fault_sweep(test, &sweep, points), 10);
	KUNIT_EXPECT_EQ(test, nhwpts(test), 1);
	KUNIT_EXPECT_EQ(test, ioas_pinned(test, fx->ioas), 4);
}

static int dev_init(struct kunit *test)
{
	struct dev_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem_tagged(test, NPAGES * PAGE_SIZE,
					       sizeof(u64));
	/* Devices outlive the context; device files are opened after it. */
	fx->mdev = ioasim_test_mock_dev(test, 0);
	fx->mdev2 = ioasim_test_mock_dev(test, 0);
	fx->small = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_SMALL_APERTURE);
	fx->ctx = ioasim_test_ctx(test);
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	return 0;
}

static struct kunit_case ioasim_device_cases[] = {
	KUNIT_CASE(dev_bind_claims_ownership),
	KUNIT_CASE(dev_bind_refused),
	KUNIT_CASE(dev_attach_auto_domain),
	KUNIT_CASE(dev_attach_errors),
	KUNIT_CASE(dev_attach_aperture_conflict),
	KUNIT_CASE(dev_explicit_hwpt),
	KUNIT_CASE_PARAM(dev_hwpt_alloc_errors, hwpt_alloc_gen_params),
	KUNIT_CASE(dev_replace),
	KUNIT_CASE(dev_group_shares_attachment),
	KUNIT_CASE(dev_reserved_regions),
	KUNIT_CASE(dev_dma_two_domains),
	KUNIT_CASE(dev_huge_iova_domain),
	KUNIT_CASE(dev_ctx_outlives_close),
	KUNIT_CASE(dev_attach_fail_nth),
	KUNIT_CASE(dev_bind_fail_nth),
	KUNIT_CASE(dev_hwpt_alloc_fail_nth),
	{}
};

static struct kunit_suite ioasim_device_suite = {
	.name = "ioasim_device",
	.init = dev_init,
	.test_cases = ioasim_device_cases,
};

kunit_test_suite(ioasim_device_suite);
