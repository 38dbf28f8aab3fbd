// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_device_msi: what a device's MSIs ask of ioasim. A
 * device whose MSIs the platform does not isolate is refused unless
 * allow_unsafe_interrupts is set; a driver's software-managed MSI window
 * is kept free in the IOAS and needs the domain's MSI cookie, which UML
 * (no DMA API) cannot make.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>

#include "device.h"
#include "device_fixture.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"
#include "vfio.h"

/* Restores the parameter a case changed, however the case ends. */
static void restore_unsafe_interrupts(void *old)
{
	ioasim_allow_unsafe_interrupts((uintptr_t)old);
}

/*
 * A device whose MSIs the platform does not isolate is refused, its DMA
 * ownership never claimed, unless allow_unsafe_interrupts is set. A group
 * is judged by all its devices: an isolated device that shares a group
 * with an unisolated one is refused too.
 */
static void msi_bind_isolation(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *bad =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_MSI_UNISOLATED);
	struct ioasim_mock_dev *peer =
		ioasim_test_mock_dev_in_group(test, 0, bad);
	struct ioasim_device *idev;
	bool old;
	u32 id;
	int rc;

	old = ioasim_allow_unsafe_interrupts(false);
	rc = kunit_add_action_or_reset(test, restore_unsafe_interrupts,
				       (void *)(uintptr_t)old);
	KUNIT_ASSERT_EQ(test, rc, 0);
	idev = ioasim_device_bind(fx->ctx, &bad->pdev->dev, &id);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EPERM);
	idev = ioasim_device_bind(fx->ctx, &peer->pdev->dev, &id);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(idev), -EPERM);
	/* Nothing claimed, nothing kept. */
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&bad->pdev->dev)->type,
			IOMMU_DOMAIN_IDENTITY);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx, &ioasim_device_type),
			0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->groups));

	/* The administrator's choice: bound, with a warning. */
	ioasim_allow_unsafe_interrupts(true);
	idev = ioasim_device_bind(fx->ctx, &bad->pdev->dev, &id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idev));
	KUNIT_EXPECT_EQ(test,
			iommu_get_domain_for_dev(&bad->pdev->dev)->type,
			IOMMU_DOMAIN_BLOCKED);
	ioasim_device_unbind(idev);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->groups));
}

/*
 * A device whose driver gives a software-managed MSI window: attaching it
 * needs the domain's MSI cookie. Where the DMA API is missing (UML) the
 * attach answers -ENODEV, as upstream's does there, and leaves nothing:
 * no HWPT, no reserved range, the device still unattached. Where it is
 * there, the window is kept free in the IOAS.
 */
static void msi_sw_window(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;
	struct ioasim_mock_dev *sw =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_SW_MSI);
	struct ioasim_mock_vfio *vfio = dev_fx_bound(test, sw, NULL);
	u32 ranges = dev_fx_nranges(test, fx->ioas), pt_id = fx->ioas;
	int rc = ioasim_mock_vfio_attach(vfio, &pt_id);

	if (!IS_ENABLED(CONFIG_IOMMU_DMA)) {
		KUNIT_EXPECT_EQ(test, rc, -ENODEV);
		KUNIT_EXPECT_EQ(test, dev_fx_nhwpts(test), 0);
		KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, fx->ioas), ranges);
		KUNIT_EXPECT_EQ(test,
				iommu_get_domain_for_dev(&sw->pdev->dev)->type,
				IOMMU_DOMAIN_BLOCKED);
		return;
	}
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, dev_fx_nranges(test, fx->ioas), ranges + 1);
	KUNIT_EXPECT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      IO_PG * 2,
					      IOASIM_MOCK_SW_MSI_START, true),
			-EINVAL);
}

static struct kunit_case ioasim_device_msi_cases[] = {
	KUNIT_CASE(msi_bind_isolation),
	KUNIT_CASE(msi_sw_window),
	{}
};

static struct kunit_suite ioasim_device_msi_suite = {
	.name = "ioasim_device_msi",
	.init = dev_fx_init,
	.test_cases = ioasim_device_msi_cases,
};

kunit_test_suite(ioasim_device_msi_suite);
