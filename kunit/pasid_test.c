// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_pasid: PASIDs of a bound device attached one by one
 * (device.h, device_pasid.c), and the mock IOMMU's side of it
 * (mock_iommu/pasid.c). Every case checks ioasim's record and what the
 * driver was told (the mock's PASID table) alike.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>

#include "device.h"
#include "device_fixture.h"
#include "helpers.h"
#include "inject.h"
#include "mock.h"
#include "vfio.h"

/**
 * struct pasid_fixture - dev_fx_init()'s fixture and PASID-capable devices
 * @dev: the device suites' fixture (first: the dev_fx_* helpers use it)
 * @pa: a PASID-capable mock device
 * @pb: another
 */
struct pasid_fixture {
	struct dev_fixture dev;
	struct ioasim_mock_dev *pa, *pb;
};

static int pasid_fx_init(struct kunit *test)
{
	struct pasid_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->pa = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_PASID);
	fx->pb = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_PASID);
	/* dev_fx_init() sets test->priv to its own: copy it into ours. */
	KUNIT_ASSERT_EQ(test, dev_fx_init(test), 0);
	fx->dev = *(struct dev_fixture *)test->priv;
	test->priv = fx;
	return 0;
}

/* A HWPT on the fixture's IOAS for @dev_id, with @flags. */
static u32 pasid_hwpt(struct kunit *test, u32 dev_id, u32 flags)
{
	struct pasid_fixture *fx = test->priv;
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
		.pt_id = fx->dev.ioas,
	};

	KUNIT_ASSERT_EQ(test, dev_fx_hwpt_alloc(test, &cmd), 0);
	return cmd.out_hwpt_id;
}

static int pasid_attach(struct ioasim_mock_vfio *vfio, u32 pasid, u32 pt)
{
	return ioasim_mock_vfio_pasid_attach(vfio, pasid, &pt);
}

/*
 * @pasid of @vfio's device is attached to HWPT @hwpt (0: to nothing), in
 * ioasim's books and in the driver's table.
 */
static void pasid_expect(struct kunit *test, struct ioasim_mock_vfio *vfio,
			 u32 pasid, u32 hwpt)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_hwpt *attached =
		ioasim_device_pasid_hwpt(vfio->idev, pasid);
	struct iommu_domain *held = ioasim_mock_pasid_domain(vfio->mdev, pasid);

	if (!hwpt) {
		KUNIT_EXPECT_NULL_MSG(test, attached, "PASID %u", pasid);
		KUNIT_EXPECT_NULL_MSG(test, held, "PASID %u", pasid);
		return;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, attached, "PASID %u", pasid);
	KUNIT_EXPECT_EQ_MSG(test, attached->obj.id, hwpt, "PASID %u", pasid);
	KUNIT_EXPECT_PTR_EQ_MSG(test, held,
				ioasim_test_hwpt_domain(fx->dev.ctx, hwpt),
				"PASID %u", pasid);
}

/* The first PASID-capable device bound; a plain HWPT and a compatible one. */
static struct ioasim_mock_vfio *pasid_two_hwpts(struct kunit *test,
						u32 *plain, u32 *compat)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a;
	u32 id;

	a = dev_fx_bound(test, fx->pa, &id);
	*plain = pasid_hwpt(test, id, 0);
	*compat = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	return a;
}

/* Only a PASID-compatible HWPT serves a PASID, once, within the width. */
static void pasid_attach_rules(struct kunit *test)
{
	u32 plain, compat;
	struct ioasim_mock_vfio *a = pasid_two_hwpts(test, &plain, &compat);

	KUNIT_EXPECT_EQ(test, pasid_attach(a, 5, plain), -EINVAL);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, 5, 9999), -ENOENT);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, BIT(IOASIM_MOCK_PASID_BITS),
					   compat), -EINVAL);
	pasid_expect(test, a, 5, 0);

	KUNIT_EXPECT_EQ(test, pasid_attach(a, 5, compat), 0);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, BIT(IOASIM_MOCK_PASID_BITS) - 1,
					   compat), 0);
	pasid_expect(test, a, 5, compat);
	pasid_expect(test, a, BIT(IOASIM_MOCK_PASID_BITS) - 1, compat);
	/* Attached already: an attach, not the node's replace. */
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_attach(a->idev, 5, &compat),
			-EINVAL);

	/* The no-PASID attachment must be PASID-compatible now. */
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, plain), -EINVAL);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, compat), 0);
	/* Its detach leaves the PASIDs alone. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	pasid_expect(test, a, 5, compat);

	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, compat), -EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_detach(a->idev, 5), 0);
	/* The other PASID stays. */
	pasid_expect(test, a, 5, 0);
	pasid_expect(test, a, BIT(IOASIM_MOCK_PASID_BITS) - 1, compat);
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_detach(a->idev, 5), -EINVAL);
	/* The node's detach of what is not attached does nothing. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, 5), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, BIT(20) - 1), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, compat), 0);
	/* With no PASID attached, any HWPT does again. */
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, plain), 0);
}

/* While the group's no-PASID HWPT is not PASID-compatible, no PASID. */
static void pasid_group_hwpt_must_be_compat(struct kunit *test)
{
	u32 plain, compat;
	struct ioasim_mock_vfio *a = pasid_two_hwpts(test, &plain, &compat);

	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, plain), 0);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, 1, compat), -EINVAL);
	pasid_expect(test, a, 1, 0);
	/* A replace by a PASID-compatible one opens the way. */
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, compat), 0);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, 1, compat), 0);
	/* And cannot be undone while the PASID is attached. */
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, plain), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, 1), 0);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, plain), 0);
}

/* A device without PASIDs has none to attach, and says so. */
static void pasid_width(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct ioasim_mock_vfio *plain, *a;
	u32 plain_id, id, pt;
	void *data;
	u32 len;

	plain = dev_fx_bound(test, fx->dev.mdev, &plain_id);
	a = dev_fx_bound(test, fx->pa, &id);
	pt = pasid_hwpt(test, plain_id, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_EXPECT_EQ(test, pasid_attach(plain, 1, pt), -EINVAL);
	pasid_expect(test, plain, 1, 0);

	info.dev_id = plain_id;
	KUNIT_ASSERT_EQ(test, ioasim_get_hw_info(fx->dev.ctx, &info, &data,
						 &len), 0);
	kfree(data);
	KUNIT_EXPECT_EQ(test, info.out_max_pasid_log2, 0);
	info.dev_id = id;
	KUNIT_ASSERT_EQ(test, ioasim_get_hw_info(fx->dev.ctx, &info, &data,
						 &len), 0);
	kfree(data);
	KUNIT_EXPECT_EQ(test, info.out_max_pasid_log2, IOASIM_MOCK_PASID_BITS);
}

/*
 * Automatic HWPTs: one made for a PASID is PASID-compatible, is reused
 * as today's are, and goes with its last user.
 */
static void pasid_auto_hwpt(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	u32 ioas = fx->dev.ioas, pt1 = ioas, pt2 = ioas, pt3 = ioas;
	struct ioasim_mock_vfio *a, *b;
	struct iommu_domain *domain;

	a = dev_fx_bound(test, fx->pa, NULL);
	b = dev_fx_bound(test, fx->pb, NULL);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->dev.ctx, ioas, fx->dev.uptr,
					      PAGE_SIZE, IOVA, true), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_attach(a, 1, &pt1), 0);
	KUNIT_EXPECT_NE(test, pt1, ioas);
	pasid_expect(test, a, 1, pt1);
	domain = ioasim_test_hwpt_domain(fx->dev.ctx, pt1);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain),
			PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_attach(b, 2, &pt2), 0);
	KUNIT_EXPECT_EQ(test, pt2, pt1);
	/* The no-PASID attachment of a takes it too: it is compatible. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt3), 0);
	KUNIT_EXPECT_EQ(test, pt3, pt1);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, 1), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(b, 2), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(a), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);

	/*
	 * A group on an automatic HWPT made before any PASID: not
	 * compatible, so a PASID of it cannot attach, and the HWPT made
	 * for the attempt is gone with it.
	 */
	pt1 = ioas;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt1), 0);
	KUNIT_EXPECT_EQ(test, pasid_attach(a, 3, ioas), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
	pasid_expect(test, a, 3, 0);
}

/* Replace: the new HWPT or the old one, never a third state. */
static void pasid_replace(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a;
	u32 id, plain, c1, c2, pt;

	a = dev_fx_bound(test, fx->pa, &id);
	plain = pasid_hwpt(test, id, 0);
	c1 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	c2 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_EQ(test, pasid_attach(a, 3, c1), 0);

	pt = c2;
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, 4, &pt),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, 3, &pt), 0);
	pasid_expect(test, a, 3, c2);
	/* The old HWPT's reference went with the old record. */
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c1), 0);
	/* Onto itself: nothing changes. */
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, 3, &pt), 0);
	pasid_expect(test, a, 3, c2);
	/* Refused before anything is touched. */
	pt = plain;
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, 3, &pt),
			-EINVAL);
	pasid_expect(test, a, 3, c2);
	/* Onto an IOAS: an automatic, compatible HWPT. */
	pt = fx->dev.ioas;
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, 3, &pt), 0);
	KUNIT_EXPECT_NE(test, pt, c2);
	pasid_expect(test, a, 3, pt);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c2), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, 3), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
}

/*
 * The mock refuses every second domain set on IOASIM_MOCK_PASID_REFUSE:
 * the replace fails after the old domain was detached, and ioasim puts
 * it back.
 */
static void pasid_replace_restores(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	const u32 pasid = IOASIM_MOCK_PASID_REFUSE;
	struct ioasim_mock_vfio *a;
	u32 id, c1, c2, pt;

	a = dev_fx_bound(test, fx->pa, &id);
	c1 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	c2 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_EQ(test, pasid_attach(a, pasid, c1), 0);
	pt = c2;
	KUNIT_EXPECT_EQ(test, ioasim_device_pasid_replace(a->idev, pasid, &pt),
			-ENOMEM);
	pasid_expect(test, a, pasid, c1);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c2), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c1), -EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, pasid), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c1), 0);
}

/*
 * The replace's restore failing too (a fault at the driver's second set,
 * or the PASID's own refusal after a fault at the first): the PASID is
 * left detached, its record and reference gone, nothing else changed.
 */
static void pasid_replace_restore_fails(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	const u32 pasid = IOASIM_MOCK_PASID_REFUSE;
	struct ioasim_inject_plan plan = {};
	unsigned int n, lost = 0;
	struct ioasim_mock_vfio *a;
	u32 id, c1, c2, pt;
	int rc;

	a = dev_fx_bound(test, fx->pa, &id);
	c1 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	c2 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_EQ(test, pasid_attach(a, pasid, c1), 0);
	for (n = 1; n < 32; n++) {
		plan.fail_nth = n;
		plan.failed = NULL;
		plan.passed = 0;
		KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan),
				0);
		pt = c2;
		rc = ioasim_device_pasid_replace(a->idev, pasid, &pt);
		ioasim_inject_plan_remove(test);
		KUNIT_EXPECT_LT_MSG(test, rc, 0, "fault %u", n);
		if (!plan.failed)
			break;
		if (ioasim_device_pasid_hwpt(a->idev, pasid)) {
			pasid_expect(test, a, pasid, c1);
			continue;
		}
		/* Left detached: the old HWPT is free, and attaches again. */
		lost++;
		pasid_expect(test, a, pasid, 0);
		KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c2), 0);
		c2 = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
		rc = pasid_attach(a, pasid, c1);
		if (rc == -ENOMEM)
			rc = pasid_attach(a, pasid, c1);
		KUNIT_ASSERT_EQ(test, rc, 0);
	}
	KUNIT_EXPECT_LT(test, n, 32);
	KUNIT_EXPECT_GE(test, lost, 1);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(a, pasid), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c1), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c2), 0);
}

struct pasid_sweep {
	struct ioasim_mock_vfio *vfio;
	u32 pasid, pt, old, want_hwpts;
};

static int pasid_sweep_step(struct kunit *test, void *arg)
{
	struct pasid_sweep *s = arg;
	u32 pt = s->pt;

	return ioasim_mock_vfio_pasid_attach(s->vfio, s->pasid, &pt);
}

static void pasid_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct pasid_fixture *fx = test->priv;
	struct pasid_sweep *s = arg;

	pasid_expect(test, s->vfio, s->pasid, s->old);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), s->want_hwpts);
	KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, fx->dev.ioas), 1);
}

/*
 * Fail each step of attaching a PASID to an IOAS, then of replacing it by
 * another IOAS: the PASID stays where it was, no HWPT is left behind.
 */
static void pasid_attach_fail_nth(struct kunit *test)
{
	static const char *const attach_points[] = {
		"obj.reserve_id", "mock.domain_alloc", "pages.pin",
		"space.domain_map", "mock.map", "device.pasid_record",
		"device.pasid_attach", "mock.attach", "mock.set_dev_pasid",
		NULL
	};
	static const char *const replace_points[] = {
		"obj.reserve_id", "mock.domain_alloc", "space.domain_map",
		"device.pasid_record", "device.pasid_replace",
		"mock.set_dev_pasid", NULL
	};
	struct pasid_fixture *fx = test->priv;
	struct pasid_sweep s = {
		.vfio = dev_fx_bound(test, fx->pa, NULL), .pasid = 9,
		.pt = fx->dev.ioas,
	};
	struct ioasim_sweep sweep = {
		.step = pasid_sweep_step, .check = pasid_sweep_check,
		.arg = &s,
	};
	u32 other = ioasim_test_ioas(test, fx->dev.ctx);

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->dev.ctx, fx->dev.ioas,
					      fx->dev.uptr, 4 * PAGE_SIZE,
					      IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->dev.ctx, other,
					      fx->dev.uptr + PAGE_SIZE,
					      4 * PAGE_SIZE, IOVA, true), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, attach_points),
			9);
	KUNIT_ASSERT_EQ(test, dev_fx_nhwpts(test), 1);

	s.old = ioasim_device_pasid_hwpt(s.vfio->idev, s.pasid)->obj.id;
	s.pt = other;
	s.want_hwpts = 1;
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep,
						  replace_points), 6);
	KUNIT_EXPECT_NE(test, ioasim_device_pasid_hwpt(s.vfio->idev,
						       s.pasid)->obj.id, s.old);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
}

/*
 * What another thread does to the PASID while the case's thread is past
 * the early check of its own call and not yet under the group's lock.
 */
struct pasid_meanwhile {
	struct ioasim_device *idev;
	u32 pt;		/* attach the PASID here; 0: detach it */
	bool done;
	int rc;
};

static void pasid_meanwhile(const char *point, void *arg)
{
	struct pasid_meanwhile *mw = arg;

	if (mw->done || strcmp(point, "device.pasid_record"))
		return;
	mw->done = true;
	mw->rc = mw->pt ? ioasim_device_pasid_attach(mw->idev, 1, &mw->pt) :
			  ioasim_device_pasid_detach(mw->idev, 1);
}

/*
 * Run an attach (or a replace) of PASID 1 to @pt while @mw's other thread
 * gets there first: it answers EINVAL, as coming second.
 */
static void pasid_lose(struct kunit *test, struct ioasim_device *idev,
		       struct pasid_meanwhile *mw, bool replace, u32 pt)
{
	struct ioasim_inject_plan plan = {
		.meanwhile = pasid_meanwhile, .arg = mw,
	};

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	KUNIT_EXPECT_EQ(test, replace ?
			ioasim_device_pasid_replace(idev, 1, &pt) :
			ioasim_device_pasid_attach(idev, 1, &pt), -EINVAL);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_TRUE(test, mw->done);
	KUNIT_EXPECT_EQ(test, mw->rc, 0);
}

/*
 * Losing a race: the PASID attached, or detached, by another thread after
 * this call's early check. The call answers as it would have had it come
 * second, and leaves the other thread's result in place.
 */
static void pasid_lost_race(struct kunit *test)
{
	u32 c1, c2;
	struct ioasim_mock_vfio *a = pasid_two_hwpts(test, &c1, &c2);
	struct pasid_meanwhile mw = { .idev = a->idev, .pt = c2 };

	pasid_lose(test, a->idev, &mw, false, c1);
	pasid_expect(test, a, 1, c2);
	mw = (struct pasid_meanwhile){ .idev = a->idev };
	pasid_lose(test, a->idev, &mw, true, c1);
	pasid_expect(test, a, 1, 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c1), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c2), 0);
}

/* A PASID attachment reserves nothing: the device's regions stay free. */
static void pasid_reserves_nothing(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_PASID |
					   IOASIM_MOCK_DEV_RESV);
	struct ioasim_mock_vfio *a = dev_fx_bound(test, mdev, NULL);
	u32 ioas = fx->dev.ioas, pt = ioas, pasid_pt = ioas;

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->dev.ctx, ioas, fx->dev.uptr,
					      PAGE_SIZE, IOASIM_MOCK_RESV_START,
					      true), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_attach(a, 1, &pasid_pt),
			0);
	KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, ioas), 1);
	/* The no-PASID attachment would reserve what is mapped. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(a, &pt), -EADDRINUSE);
	pasid_expect(test, a, 1, pasid_pt);
	KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 1);
}

/* Cache coherency is enforced for a PASID as for the group. */
static void pasid_enforces_coherency(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a = dev_fx_bound(test, fx->pa, NULL);
	u32 pt = fx->dev.ioas;

	struct iommu_domain *domain;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_pasid_attach(a, 1, &pt), 0);
	domain = ioasim_test_hwpt_domain(fx->dev.ctx, pt);
	KUNIT_EXPECT_TRUE(test, ioasim_mock_domain(domain)->enforce_cc);
}

/* Closing the device file detaches every PASID and drops what they held. */
static void pasid_unbind_detaches_all(struct kunit *test)
{
	struct pasid_fixture *fx = test->priv;
	struct ioasim_mock_vfio *a;
	u32 id, c, pasid;

	a = dev_fx_bound(test, fx->pa, &id);
	c = pasid_hwpt(test, id, IOMMU_HWPT_ALLOC_PASID);
	for (pasid = 1; pasid <= 3; pasid++)
		KUNIT_ASSERT_EQ(test, pasid_attach(a, pasid, c), 0);
	KUNIT_ASSERT_EQ(test, pasid_attach(a, IOMMU_NO_PASID, c), 0);
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c), -EBUSY);
	ioasim_mock_vfio_release(a);
	for (pasid = 1; pasid <= 3; pasid++)
		KUNIT_EXPECT_NULL(test, ioasim_mock_pasid_domain(fx->pa, pasid));
	KUNIT_EXPECT_EQ(test, dev_fx_destroy(test, c), 0);
}

/* The mock's own contract checks, counted on a report-only device. */
static void pasid_mock_contract(struct kunit *test)
{
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_PASID |
					   IOASIM_MOCK_DEV_REPORT);
	struct iommu_domain *d1 = ioasim_test_paging_domain(test, mdev);
	struct iommu_domain *d2 = ioasim_test_paging_domain(test, mdev);
	struct device *dev = &mdev->pdev->dev;
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;
	const u32 refuse = IOASIM_MOCK_PASID_REFUSE;

	KUNIT_EXPECT_EQ(test, d1->ops->set_dev_pasid(d1, dev, 7, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 0);
	/* Set twice. */
	KUNIT_EXPECT_EQ(test, d2->ops->set_dev_pasid(d2, dev, 7, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 1);
	/* Removal of what the PASID does not hold, or of nothing. */
	ops->remove_dev_pasid(dev, 7, d2);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 2);
	ops->remove_dev_pasid(dev, 8, d1);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 3);
	/* Beyond the width. */
	KUNIT_EXPECT_EQ(test, d1->ops->set_dev_pasid(d1, dev, BIT(20), NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 4);
	/* Freed while a PASID holds it. */
	ioasim_test_domain_free(test, d1);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 5);
	/* The table entry is dangling now: take it out by hand. */
	xa_erase(&mdev->pasids, 7);

	/* Every second set on the refusing PASID fails. */
	KUNIT_EXPECT_EQ(test, d2->ops->set_dev_pasid(d2, dev, refuse, NULL), 0);
	ops->remove_dev_pasid(dev, refuse, d2);
	KUNIT_EXPECT_EQ(test, d2->ops->set_dev_pasid(d2, dev, refuse, NULL),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, d2->ops->set_dev_pasid(d2, dev, refuse, NULL), 0);
	ops->remove_dev_pasid(dev, refuse, d2);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 5);
}

static struct kunit_case ioasim_pasid_cases[] = {
	KUNIT_CASE(pasid_attach_rules),
	KUNIT_CASE(pasid_group_hwpt_must_be_compat),
	KUNIT_CASE(pasid_width),
	KUNIT_CASE(pasid_auto_hwpt),
	KUNIT_CASE(pasid_replace),
	KUNIT_CASE(pasid_replace_restores),
	KUNIT_CASE(pasid_replace_restore_fails),
	KUNIT_CASE(pasid_attach_fail_nth),
	KUNIT_CASE(pasid_lost_race),
	KUNIT_CASE(pasid_reserves_nothing),
	KUNIT_CASE(pasid_enforces_coherency),
	KUNIT_CASE(pasid_unbind_detaches_all),
	KUNIT_CASE(pasid_mock_contract),
	{}
};

static struct kunit_suite ioasim_pasid_suite = {
	.name = "ioasim_pasid",
	.init = pasid_fx_init,
	.test_cases = ioasim_pasid_cases,
};

kunit_test_suite(ioasim_pasid_suite);
