// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_device_fail_nth: binding, attaching, replacing and
 * HWPT_ALLOC failed at each of their fault points in turn. Each failure
 * must leave the device where it was (blocked, or still on its old
 * memory), no HWPT behind, no range reserved and no page pinned.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>

#include "device.h"
#include "device_fixture.h"
#include "inject.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

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

	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), s->want_hwpts);
	/* Not attached: blocked. Replacing: still on the old memory. */
	if (s->replace)
		KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, s->vfio, IOVA, 0),
				fx->uptr + PAGE_SIZE);
	else
		dev_fx_dma_read(test, s->vfio, IOVA, -EPERM);
	/* Neither the device's regions nor an aperture stay reserved. */
	KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, fx->ioas), 1);
	KUNIT_EXPECT_EQ(test, dev_fx_ioas_pinned(test, fx->ioas), 0);
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
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, attach_points),
			8);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);

	/* Now attached to fx->ioas; sweep a replace by @other, and back. */
	s.pt = other;
	s.replace = true;
	s.want_hwpts = 1;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(s.vfio), 0);
	KUNIT_ASSERT_EQ(test, dev_fx_attached(test, s.vfio, other) != 0, true);
	s.pt = fx->ioas;
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep,
						  replace_points), 5);
	KUNIT_EXPECT_EQ(test, dev_fx_dma_read(test, s.vfio, IOVA, 0), fx->uptr);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
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

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s.idev));
	KUNIT_EXPECT_EQ(test, ioasim_device_attach(s.idev, &pt), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
	/* Unbind detaches first; the automatic HWPT goes with it. */
	ioasim_device_unbind(s.idev);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
	bind_sweep_check(test, &s, 0);
}

struct hwpt_sweep {
	struct iommu_hwpt_alloc cmd;
};

static int hwpt_sweep_step(struct kunit *test, void *arg)
{
	struct hwpt_sweep *s = arg;

	return dev_fx_hwpt_alloc(test, &s->cmd);
}

static void hwpt_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct dev_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, fx->ioas), 1);
	KUNIT_EXPECT_EQ(test, dev_fx_ioas_pinned(test, fx->ioas), 0);
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

	dev_fx_bound(test, fx->mdev, &s.cmd.dev_id);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 10);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
	KUNIT_EXPECT_EQ(test, dev_fx_ioas_pinned(test, fx->ioas), 4);
}

static struct kunit_case ioasim_device_fail_nth_cases[] = {
	KUNIT_CASE(dev_attach_fail_nth),
	KUNIT_CASE(dev_bind_fail_nth),
	KUNIT_CASE(dev_hwpt_alloc_fail_nth),
	{}
};

static struct kunit_suite ioasim_device_fail_nth_suite = {
	.name = "ioasim_device_fail_nth",
	.init = dev_fx_init,
	.test_cases = ioasim_device_fail_nth_cases,
};

kunit_test_suite(ioasim_device_fail_nth_suite);
