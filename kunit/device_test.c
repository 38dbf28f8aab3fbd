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
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/platform_device.h>
#include <linux/uaccess.h>

#include "device.h"
#include "device_fixture.h"
#include "inject.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

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
	dev_fx_dma_read(test, vfio, IOVA, -EPERM);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			1);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 2);
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&fx->mdev->pdev->dev)->type,
			IOMMU_DOMAIN_BLOCKED);
	dev_fx_dma_read(test, vfio, IOVA, -EPERM);

	/* One binding per file, one owner per device. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id2),
			-EPERM);
	idev = ioasim_device_bind(fx->ctx, &fx->mdev->pdev->dev, &id2);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EBUSY);
	/* Userspace cannot destroy a bound device. */
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, id), -EBUSY);

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
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, NULL);
	struct ioasim_mock_vfio *b = dev_fx_bound(test, fx->mdev2, NULL);
	struct ioasim_mock_vfio *c = dev_fx_bound(test, fx->small, NULL);
	u32 pa, pb, pc;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      NPAGES * PAGE_SIZE, IOVA, true),
			0);
	pa = dev_fx_attached(test, a, fx->ioas);
	KUNIT_EXPECT_NE(test, pa, fx->ioas);
	KUNIT_EXPECT_NOT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pa));
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA + 3 * PAGE_SIZE + 8, 0),
			fx->uptr + 3 * PAGE_SIZE + 8);

	pb = dev_fx_attached(test, b, fx->ioas);
	KUNIT_EXPECT_EQ(test, pb, pa);
	pc = dev_fx_attached(test, c, fx->ioas);
	KUNIT_EXPECT_NE(test, pc, pa);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 2);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, c, IOVA + 8, 0), fx->uptr + 8);

	/* Held: the IOAS by its HWPTs, the HWPTs by their devices. */
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, fx->ioas), -EBUSY);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, pa), -EBUSY);

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 2);
	dev_fx_dma_read(test, a, IOVA, -EPERM);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, b, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pa));
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(c), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
	/* Detaching twice is a no-op for VFIO, an error for the core. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(c), 0);
	KUNIT_EXPECT_EQ(test, ioasim_device_detach(c->idev), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, fx->ioas), 0);
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
	pt = dev_fx_attached(test, a, fx->ioas);
	KUNIT_EXPECT_EQ(test, ioasim_device_attach(a->idev, &pt), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
}

struct ioas_destroyer {
	struct ioasim_ctx *ctx;
	u32 id;
	int rc;
	struct completion done;
};

static int ioas_destroyer_fn(void *data)
{
	struct ioas_destroyer *d = data;

	d->rc = ioasim_obj_destroy(d->ctx, d->id, NULL);
	complete(&d->done);
	return 0;
}

/*
 * An attach that looked its IOAS up just before a DESTROY of it: the
 * automatic HWPT it would make cannot hold the IOAS any more, and the
 * attach fails as if the IOAS had never been there.
 */
static void dev_auto_hwpt_of_ioas_being_destroyed(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, NULL);
	struct ioas_destroyer d = { .ctx = fx->ctx, .id = fx->ioas };
	struct ioasim_ioas *ioas, *again;
	struct task_struct *task;
	struct ioasim_hwpt *hwpt;
	int tries;

	init_completion(&d.done);
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	task = kthread_run(ioas_destroyer_fn, &d, "ioasim-destroy-ioas");
	if (IS_ERR(task)) {
		ioasim_ioas_put(fx->ctx, ioas);
		KUNIT_FAIL(test, "no thread: %ld", PTR_ERR(task));
		return;
	}
	/* The id leaves the table at once; the removal then waits for us. */
	for (tries = 0; tries < 10000; tries++) {
		again = ioasim_ioas_get(fx->ctx, fx->ioas);
		if (IS_ERR(again))
			break;
		ioasim_ioas_put(fx->ctx, again);
		usleep_range(100, 200);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(again), -ENOENT);

	mutex_lock(&ioas->mutex);
	hwpt = ioasim_hwpt_paging_create(fx->ctx, ioas, a->idev->dev, 0);
	mutex_unlock(&ioas->mutex);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(hwpt), -ENOENT);
	ioasim_ioas_put(fx->ctx, ioas);
	wait_for_completion(&d.done);
	KUNIT_EXPECT_EQ(test, d.rc, 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
}

/* A device of the small-aperture kind cannot join an IOAS mapping above. */
static void dev_attach_aperture_conflict(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *c = dev_fx_bound(test, fx->small, NULL);
	u32 pt = fx->ioas;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, SZ_4G, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(c, &pt), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
	dev_fx_dma_read(test, c, SZ_4G, -EPERM);
	KUNIT_EXPECT_EQ(test, c->attached, false);
}

static void dev_explicit_hwpt(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	u32 dev_id, dev2_id;
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, &dev_id);
	struct ioasim_mock_vfio *b = dev_fx_bound(test, fx->mdev2, &dev2_id);
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = dev_id, .pt_id = fx->ioas,
	};
	struct iommu_domain *domain;
	u32 pt;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, dev_fx_hwpt_alloc(test, &cmd), 0);
	domain = ioasim_test_hwpt_domain(fx->ctx, cmd.out_hwpt_id);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	/* Filled before anything attaches. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain),
			4 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, fx->ioas), -EBUSY);

	/* An explicit HWPT is never picked automatically. */
	pt = dev_fx_attached(test, a, fx->ioas);
	KUNIT_EXPECT_NE(test, pt, cmd.out_hwpt_id);
	/* The group of b is free to attach to the explicit one. */
	pt = dev_fx_attached(test, b, cmd.out_hwpt_id);
	KUNIT_EXPECT_EQ(test, pt, cmd.out_hwpt_id);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, b, IOVA + 16, 0), fx->uptr + 16);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, cmd.out_hwpt_id), -EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	/* Explicit: it outlives its last device until destroyed. */
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 2);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, cmd.out_hwpt_id), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
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
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, &dev_id);
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = c->flags, .dev_id = dev_id,
		.pt_id = fx->ioas, .data_type = c->data_type,
		.data_len = c->data_len, .__reserved = c->reserved,
	};
	u32 parent = 0;

	if (c->pt == 3)
		parent = dev_fx_attached(test, a, fx->ioas);
	if (c->dev == 1)
		cmd.dev_id = 9999;
	if (c->pt)
		cmd.pt_id = c->pt == 1 ? 9999 : c->pt == 2 ? dev_id : parent;
	KUNIT_EXPECT_EQ(test, dev_fx_hwpt_alloc(test, &cmd), c->rc);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), c->pt == 3);
}

/*
 * Replace moves the group to another HWPT with no blocked window; DMA
 * then reaches the new IOAS's memory; an automatic HWPT left behind dies.
 */
static void dev_replace(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, NULL);
	u32 other = ioasim_test_ioas(test, fx->ctx), p1, p2;

	/* The same IOVA reaches different memory in the two IOASes. */
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, IOVA, false), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, other,
					      fx->uptr + 5 * PAGE_SIZE,
					      PAGE_SIZE, IOVA, false), 0);
	p1 = dev_fx_attached(test, a, fx->ioas);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA, 0), fx->uptr);

	p2 = dev_fx_attached(test, a, other);
	KUNIT_EXPECT_NE(test, p2, p1);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA, 0),
			fx->uptr + 5 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, p1));
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
	/* The first IOAS is free again, the second is held. */
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, other), -EBUSY);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, fx->ioas), 0);

	/* Replacing by the current HWPT changes nothing. */
	KUNIT_EXPECT_EQ(test, dev_fx_attached(test, a, p2), p2);
	KUNIT_EXPECT_EQ(test, dev_fx_attached(test, a, other), p2);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
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
	a = dev_fx_bound(test, fx->mdev, &dev_id);
	/* The group is owned by the fixture's context now. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_bind(rival, other, &id),
			-EPERM);
	b = dev_fx_bound(test, peer, NULL);
	KUNIT_EXPECT_NOT_NULL(test, xa_load(&fx->ctx->groups,
					    iommu_group_id(peer->pdev->dev.iommu_group)));

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      PAGE_SIZE, IOVA, false), 0);
	cmd.dev_id = dev_id;
	cmd.pt_id = fx->ioas;
	KUNIT_ASSERT_EQ(test, dev_fx_hwpt_alloc(test, &cmd), 0);
	pt = dev_fx_attached(test, a, fx->ioas);
	/* The peer follows the group: the same HWPT or nothing. */
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, b, IOVA, 0), fx->uptr);
	id = cmd.out_hwpt_id;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(b, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_fx_attached(test, b, fx->ioas), pt);

	/* Replacing through one device moves the whole group. */
	KUNIT_EXPECT_EQ(test, dev_fx_attached(test, a, cmd.out_hwpt_id),
			cmd.out_hwpt_id);
	KUNIT_EXPECT_NULL(test, ioasim_test_hwpt_domain(fx->ctx, pt));
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, cmd.out_hwpt_id), -EBUSY);

	/* The group stays attached until its last device detaches. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, b, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(b), 0);
	dev_fx_dma_read(test, b, IOVA, -EPERM);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, cmd.out_hwpt_id), 0);

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
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
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
	pt = dev_fx_attached(test, a, fx->ioas);
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
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->mdev, NULL);
	struct ioasim_mock_vfio *c = dev_fx_bound(test, fx->small, NULL);
	struct iommu_domain *da, *dc;
	struct iommu_ioas_unmap un = {
		.size = sizeof(un), .ioas_id = fx->ioas,
		.iova = IOVA + 8 * PAGE_SIZE, .length = 4 * PAGE_SIZE,
	};
	unsigned long iova;
	u64 v = 0x5eed;

	da = ioasim_test_hwpt_domain(fx->ctx, dev_fx_attached(test, a, fx->ioas));
	dc = ioasim_test_hwpt_domain(fx->ctx, dev_fx_attached(test, c, fx->ioas));
	KUNIT_ASSERT_NOT_NULL(test, da);
	KUNIT_ASSERT_NOT_NULL(test, dc);
	KUNIT_ASSERT_NE(test, (unsigned long)da, (unsigned long)dc);

	/* Mapped after the attach: both domains follow. */
	dev_fx_dma_read(test, a, IOVA, -EFAULT);
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
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA + 24, 0), 0x5eed);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + 24)), 0);
	KUNIT_EXPECT_EQ(test, v, 0x5eed);
	/* Read-only mapping: no device writes. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_dma(a, IOVA + 8 * PAGE_SIZE,
						   &v, sizeof(v), true),
			-EFAULT);

	KUNIT_ASSERT_EQ(test, ioasim_ioas_unmap(fx->ctx, &un), 0);
	dev_fx_dma_read(test, a, IOVA + 8 * PAGE_SIZE, -EFAULT);
	dev_fx_dma_read(test, c, IOVA + 8 * PAGE_SIZE, -EFAULT);
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
	struct ioasim_mock_vfio *a = dev_fx_bound(test, mdev, NULL);
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
	domain = ioasim_test_hwpt_domain(fx->ctx, dev_fx_attached(test, a, fx->ioas));
	KUNIT_ASSERT_NOT_NULL(test, domain);
	KUNIT_EXPECT_GT(test, atomic_read(&ioasim_mock_domain(domain)->large_maps),
			0);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA + 3 * PAGE_SIZE, 0),
			fx->uptr + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA + 9 * PAGE_SIZE, 0),
			fx->uptr + PAGE_SIZE / 2 + PAGE_SIZE);
	/* Any violation here WARNs and fails the run. */
	KUNIT_EXPECT_EQ(test, ioasim_ioas_unmap(fx->ctx, &un), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain), 0);
}

/* Closing the context while a device is bound: the binding keeps it. */
/* Static: a group leaked by a bug may be released after the case. */
static bool group_gone;

static void group_released(void *data)
{
	WRITE_ONCE(group_gone, true);
}

/* Bind @dev, failing each of bind's fault points in turn first. */
static struct ioasim_device *bind_after_failures(struct kunit *test,
						 struct device *dev)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_inject_plan plan = {};
	struct ioasim_device *idev = ERR_PTR(-ENOMEM);
	u32 id;

	for (plan.fail_nth = 1; plan.fail_nth < 16; plan.fail_nth++) {
		if (ioasim_inject_plan_install(test, &plan))
			break;
		idev = ioasim_device_bind(fx->ctx, dev, &id);
		ioasim_inject_plan_remove(test);
		if (!plan.failed)
			break;
		KUNIT_EXPECT_TRUE(test, IS_ERR(idev));
		if (!IS_ERR(idev))
			break;
	}
	KUNIT_EXPECT_GE(test, plan.fail_nth, 3);
	return idev;
}

/*
 * Binding takes a reference on the device's iommu group, binding a second
 * device of the group takes another through the context's group, and
 * every way out gives it back: unbind, and a bind refused at any of its
 * fault points. Once both devices are gone, the iommu core releases the
 * group (its iommu_data release runs), which no leaked reference allows.
 * The devices are made and removed here, not by the fixture, so that the
 * group's end can be watched.
 */
static void dev_group_references_released(struct kunit *test)
{
	struct ioasim_device *ia = ERR_PTR(-ENODEV), *ib = ERR_PTR(-ENODEV);
	struct ioasim_mock_dev *a, *b = ERR_PTR(-ENODEV);
	struct iommu_group *group;

	WRITE_ONCE(group_gone, false);
	a = ioasim_mock_dev_create(0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	group = iommu_group_get(&a->pdev->dev);
	KUNIT_EXPECT_NOT_NULL(test, group);
	if (group) {
		iommu_group_set_iommudata(group, NULL, group_released);
		iommu_group_put(group);
		b = ioasim_mock_dev_create_in_group(0, a);
		KUNIT_EXPECT_FALSE(test, IS_ERR(b));
	}
	if (!IS_ERR(b)) {
		ia = bind_after_failures(test, &a->pdev->dev);
		ib = bind_after_failures(test, &b->pdev->dev);
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(ia));
	KUNIT_EXPECT_FALSE(test, IS_ERR(ib));
	if (!IS_ERR(ib))
		ioasim_device_unbind(ib);
	if (!IS_ERR(ia))
		ioasim_device_unbind(ia);
	if (!IS_ERR(b))
		ioasim_mock_dev_destroy(b);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(group_gone));
	ioasim_mock_dev_destroy(a);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(group_gone));
}

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
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, a, IOVA, 0), fx->uptr);
	/* Closing the device file detaches, unbinds and frees it all. */
	ioasim_mock_vfio_release(a);
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&fx->mdev->pdev->dev)->type,
			IOMMU_DOMAIN_IDENTITY);
}

static struct kunit_case ioasim_device_cases[] = {
	KUNIT_CASE(dev_bind_claims_ownership),
	KUNIT_CASE(dev_bind_refused),
	KUNIT_CASE(dev_attach_auto_domain),
	KUNIT_CASE(dev_attach_errors),
	KUNIT_CASE(dev_auto_hwpt_of_ioas_being_destroyed),
	KUNIT_CASE(dev_attach_aperture_conflict),
	KUNIT_CASE(dev_explicit_hwpt),
	KUNIT_CASE_PARAM(dev_hwpt_alloc_errors, hwpt_alloc_gen_params),
	KUNIT_CASE(dev_replace),
	KUNIT_CASE(dev_group_shares_attachment),
	KUNIT_CASE(dev_reserved_regions),
	KUNIT_CASE(dev_dma_two_domains),
	KUNIT_CASE(dev_huge_iova_domain),
	KUNIT_CASE(dev_ctx_outlives_close),
	KUNIT_CASE(dev_group_references_released),
	{}
};

static struct kunit_suite ioasim_device_suite = {
	.name = "ioasim_device",
	.init = dev_fx_init,
	.test_cases = ioasim_device_cases,
};

kunit_test_suite(ioasim_device_suite);
