// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device suites' fixture: see device_fixture.h.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mman.h>

#include "device.h"
#include "device_fixture.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

/* What a device reads at @iova: the user address mapped there. */
u64 dev_fx_dma_read(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    unsigned long iova, int want_rc)
{
	u64 v = 0;

	KUNIT_EXPECT_EQ_MSG(test, ioasim_mock_vfio_dma(vfio, iova, &v,
						       sizeof(v), false),
			    want_rc, "DMA read at %#lx", iova);
	return v;
}

struct ioasim_mock_vfio *dev_fx_bound(struct kunit *test,
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

u32 dev_fx_attached(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    u32 pt_id)
{
	int rc = ioasim_mock_vfio_attach(vfio, &pt_id);

	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "attach: %pe", ERR_PTR(rc));
	return pt_id;
}

int dev_fx_destroy(struct kunit *test, u32 id)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_obj_destroy(fx->ctx, id, NULL);
}

unsigned int dev_fx_nhwpts(struct kunit *test)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_test_count(fx->ctx, &ioasim_hwpt_paging_type);
}

/* How many ranges IOVA_RANGES reports (up to 4). */
u32 dev_fx_nranges(struct kunit *test, u32 ioas)
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
unsigned long dev_fx_ioas_pinned(struct kunit *test, u32 id)
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

int dev_fx_hwpt_alloc(struct kunit *test, struct iommu_hwpt_alloc *cmd)
{
	struct dev_fixture *fx = test->priv;

	return ioasim_hwpt_alloc(fx->ctx, cmd);
}

int dev_fx_init(struct kunit *test)
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

