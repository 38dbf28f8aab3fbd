// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_dirty: dirty tracking on a mock domain.
 *
 * A HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING for a device
 * that can track, the device attached to it, and DMA writes by the
 * device: the bitmap IOMMU_HWPT_GET_DIRTY_BITMAP writes into user memory
 * must have exactly the bits of the pieces written, at every page_size,
 * cleared by a read unless NO_CLEAR, OR-ed into what the bitmap held,
 * over bitmaps that span many pages; and every bad input gets upstream's
 * errno.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "device.h"
#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"
#include "vfio.h"

#define PG PAGE_SIZE
#define BASE SZ_1M
#define NPAGES 8

struct dirty_fixture {
	struct ioasim_ctx *ctx;
	struct ioasim_mock_dev *mdev;
	struct ioasim_mock_vfio *vfio;
	u32 dev_id, ioas, hwpt;
	unsigned long uptr;	/* the mapped memory */
	unsigned long ubitmap;	/* user memory for bitmaps */
};

static int hwpt_alloc(struct kunit *test, u32 dev_id, u32 flags, u32 *id)
{
	struct dirty_fixture *fx = test->priv;
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
		.pt_id = fx->ioas,
	};
	int rc = ioasim_hwpt_alloc(fx->ctx, &cmd);

	*id = cmd.out_hwpt_id;
	return rc;
}

static int set_tracking(struct kunit *test, u32 hwpt, u32 flags)
{
	struct dirty_fixture *fx = test->priv;
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .flags = flags, .hwpt_id = hwpt,
	};

	return ioasim_hwpt_set_dirty_tracking(fx->ctx, &cmd);
}

static int get_bitmap(struct kunit *test, u32 hwpt, u64 iova, u64 length,
		      u64 page_size, u32 flags)
{
	struct dirty_fixture *fx = test->priv;
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt, .flags = flags,
		.iova = iova, .length = length, .page_size = page_size,
		.data = fx->ubitmap,
	};

	return ioasim_hwpt_get_dirty_bitmap(fx->ctx, &cmd);
}

/* Zero the first @words u64s of the user bitmap. */
static void clear_bitmap(struct kunit *test, size_t words)
{
	struct dirty_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, clear_user((void __user *)fx->ubitmap,
					 words * sizeof(u64)), 0);
}

static u64 bitmap_word(struct kunit *test, size_t i)
{
	struct dirty_fixture *fx = test->priv;
	u64 v;

	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)fx->ubitmap + i), 0);
	return v;
}

/* The device writes 8 bytes at @iova. */
static void dma_write(struct kunit *test, u64 iova)
{
	struct dirty_fixture *fx = test->priv;
	u64 v = 0x5a5a;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_dma(fx->vfio, iova, &v, 8, true),
			0);
}

/* The bits the walk sets for the writes at pages 1 and 5. */
static void dirty_bitmap_per_page_size(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;
	u64 len = NPAGES * PG;

	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	dma_write(test, BASE + PG);
	dma_write(test, BASE + 5 * PG + PG / 2);

	/* One bit per CPU page, NO_CLEAR: twice the same. */
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, len, PG,
					 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT(1) | BIT(5));
	clear_bitmap(test, 1);
	/* One bit per IO page (half a CPU page): which half was written. */
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, len,
					 IOASIM_MOCK_IO_PAGE_SIZE,
					 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT(2) | BIT(11));
	clear_bitmap(test, 1);
	/* Two CPU pages a bit. */
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, len, 2 * PG,
					 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT(0) | BIT(2));

	/* A read that clears; the next one finds nothing. */
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, len, PG, 0), 0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT(1) | BIT(5));
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, len, PG, 0), 0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), 0);

	/* A range that starts later: bits count from its start. */
	dma_write(test, BASE + 6 * PG);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE + 4 * PG, 4 * PG,
					 PG, 0), 0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT(2));
}

/* Turning tracking on forgets what was dirty before; off stops reads. */
static void dirty_enable_starts_clean(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;
	struct ioasim_mock_domain *md =
		ioasim_mock_domain_of(ioasim_test_hwpt_domain(fx->ctx,
							      fx->hwpt));

	KUNIT_ASSERT_NOT_NULL(test, md);
	/* Writes while off are not tracked. */
	dma_write(test, BASE);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, PG, PG, 0),
			-EINVAL);
	/* Left-over dirty bits, as a driver may have them. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_mark_dirty(md, BASE, NPAGES * PG),
			2 * NPAGES);
	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, NPAGES * PG,
					 PG, 0), 0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), 0);
	/* Enabling twice is fine; disabling stops reads. */
	KUNIT_EXPECT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	KUNIT_EXPECT_EQ(test, set_tracking(test, fx->hwpt, 0), 0);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, PG, PG, 0),
			-EINVAL);
}

/* Map the fixture's pages again and again, @count times from @iova. */
static void map_run(struct kunit *test, u64 iova, unsigned int count)
{
	struct dirty_fixture *fx = test->priv;
	unsigned int i;

	for (i = 0; i < count; i++)
		KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas,
						      fx->uptr, NPAGES * PG,
						      iova + i * NPAGES * PG,
						      true), 0);
}

/*
 * A bitmap of eight pages of user memory: one bit per 8 bytes over 2 MiB
 * mapped end to end by 64 areas. The two writes far apart show at the
 * right bits, and a bit the caller had set stays set.
 */
static void dirty_huge_bitmap(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;
	u64 far = BASE + SZ_2M - 2 * PG + 16, nbits = SZ_2M / 8, i;

	map_run(test, BASE + NPAGES * PG, SZ_2M / (NPAGES * PG) - 1);
	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	dma_write(test, BASE + 3 * PG);
	dma_write(test, far);
	clear_bitmap(test, nbits / 64);
	/* The caller's own bit, far from ours. */
	KUNIT_ASSERT_EQ(test, put_user(BIT_ULL(63),
				       (u64 __user *)fx->ubitmap + 100), 0);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, SZ_2M, 8, 0),
			0);
	/* A write dirties its IO page: 4 words of bits, all set. */
	for (i = 0; i < nbits / 64; i++) {
		u64 byte = i * 64 * 8;
		bool dirty = byte / IOASIM_MOCK_IO_PAGE_SIZE ==
			     3 * PG / IOASIM_MOCK_IO_PAGE_SIZE ||
			     byte / IOASIM_MOCK_IO_PAGE_SIZE ==
			     (far - BASE) / IOASIM_MOCK_IO_PAGE_SIZE;
		u64 want = (dirty ? U64_MAX : 0) | (i == 100 ? BIT_ULL(63) : 0);

		KUNIT_ASSERT_EQ_MSG(test, bitmap_word(test, i), want,
				    "word %llu", i);
	}
}

/*
 * The range must be mapped from end to end. A bit may stand for a whole
 * MiB when areas map all of it; at a hole the read answers -EINVAL, after
 * it wrote out and cleared what came before (upstream reads the same
 * way); a hole at the start leaves everything as it was.
 */
static void dirty_holes(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;

	map_run(test, BASE + NPAGES * PG, SZ_1M / (NPAGES * PG) - 1);
	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	dma_write(test, BASE + 3 * PG);
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, SZ_1M, SZ_1M,
					 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT_ULL(0));

	/* A hole at the start: nothing read, nothing cleared. */
	clear_bitmap(test, 1);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, 0, BASE + PG, PG, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), 0);

	/* A hole after the first MiB: the MiB before it is read. */
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, SZ_2M, PG, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), BIT_ULL(3));
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, SZ_1M, PG, 0),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), 0);
}

/* Every bad input of the two commands, with upstream's errno. */
static void dirty_bad_input(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = fx->hwpt, .iova = BASE,
		.length = PG, .page_size = PG, .data = fx->ubitmap,
	};
	u32 plain;

	KUNIT_EXPECT_EQ(test, set_tracking(test, fx->hwpt, BIT(1)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, set_tracking(test, 9999, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, set_tracking(test, fx->ioas, 0), -ENOENT);
	/* A HWPT made without dirty tracking. */
	KUNIT_ASSERT_EQ(test, hwpt_alloc(test, fx->dev_id, 0, &plain), 0);
	KUNIT_EXPECT_EQ(test, set_tracking(test, plain,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, plain, BASE, PG, PG, 0),
			-EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);

	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, PG, PG, BIT(1)),
			-EOPNOTSUPP);
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_get_dirty_bitmap(fx->ctx, &cmd),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, 9999, BASE, PG, PG, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, 0, PG, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, PG, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE, 3 * PG,
					 3 * PG, 0), -EINVAL);
	/* Not aligned to the domain's IO page, then not to page_size. */
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE + 8, PG, 8, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, BASE + PG, 2 * PG,
					 2 * PG, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, fx->hwpt, U64_MAX - PG + 1,
					 2 * PG, PG, 0), -EOVERFLOW);
	/* An unwritable bitmap, once something is dirty. */
	dma_write(test, BASE);
	cmd.__reserved = 0;
	cmd.data = 8;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_get_dirty_bitmap(fx->ctx, &cmd),
			-EFAULT);
}

/* Only devices that can track get dirty-tracking HWPTs, or attach one. */
static void dirty_device_rules(struct kunit *test)
{
	struct dirty_fixture *fx = test->priv;
	struct ioasim_mock_dev *nodirty =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_NO_DIRTY);
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, nodirty);
	struct iommu_hw_info info = { .size = sizeof(info) };
	u32 dev_id, hwpt, pt;
	u32 len;
	void *data;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &dev_id), 0);
	KUNIT_EXPECT_EQ(test, hwpt_alloc(test, dev_id,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 &hwpt), -EOPNOTSUPP);
	pt = fx->hwpt;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), -EINVAL);
	/* A plain HWPT is fine for it. */
	KUNIT_ASSERT_EQ(test, hwpt_alloc(test, dev_id, 0, &hwpt), 0);
	pt = hwpt;
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);

	/* GET_HW_INFO says which can. */
	info.dev_id = dev_id;
	KUNIT_ASSERT_EQ(test, ioasim_get_hw_info(fx->ctx, &info, &data, &len),
			0);
	kfree(data);
	KUNIT_EXPECT_EQ(test, info.out_capabilities, 0);
	info.dev_id = fx->dev_id;
	KUNIT_ASSERT_EQ(test, ioasim_get_hw_info(fx->ctx, &info, &data, &len),
			0);
	kfree(data);
	KUNIT_EXPECT_EQ(test, info.out_capabilities,
			IOMMU_HW_CAP_DIRTY_TRACKING);
}

struct dirty_sweep {
	u32 hwpt;
	u64 before;
};

static int dirty_sweep_step(struct kunit *test, void *arg)
{
	struct dirty_sweep *s = arg;

	clear_bitmap(test, 1);
	return get_bitmap(test, s->hwpt, BASE, NPAGES * PG, PG, 0);
}

/* A failed read changes nothing: the bits are all still there. */
static void dirty_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct dirty_sweep *s = arg;

	/* ENOENT: the HWPT's lookup, as if destroyed meanwhile. */
	KUNIT_EXPECT_TRUE(test, rc == -ENOMEM || rc == -ENOENT);
	KUNIT_EXPECT_EQ(test, get_bitmap(test, s->hwpt, BASE, NPAGES * PG, PG,
					 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), s->before);
}

static void dirty_fail_nth(struct kunit *test)
{
	static const char *const points[] = { "dirty.walk", NULL };
	struct dirty_fixture *fx = test->priv;
	struct dirty_sweep s = { .hwpt = fx->hwpt, .before = BIT(0) | BIT(7) };
	struct ioasim_sweep sweep = {
		.step = dirty_sweep_step, .check = dirty_sweep_check,
		.arg = &s,
	};

	KUNIT_ASSERT_EQ(test, set_tracking(test, fx->hwpt,
					   IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
			0);
	dma_write(test, BASE);
	dma_write(test, BASE + 7 * PG);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 1);
	/* The run without a fault read and cleared them. */
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), s.before);
	clear_bitmap(test, 1);
	KUNIT_ASSERT_EQ(test, get_bitmap(test, fx->hwpt, BASE, NPAGES * PG, PG,
					 0), 0);
	KUNIT_EXPECT_EQ(test, bitmap_word(test, 0), 0);
}

static int dirty_init(struct kunit *test)
{
	struct dirty_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	u32 pt;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem_tagged(test, NPAGES * PG, PG);
	fx->ubitmap = ioasim_test_user_mem(test, SZ_64K,
					   PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	fx->mdev = ioasim_test_mock_dev(test, 0);
	fx->vfio = ioasim_test_vfio(test, fx->mdev);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(fx->vfio, fx->ctx,
						    &fx->dev_id), 0);
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      NPAGES * PG, BASE, true), 0);
	KUNIT_ASSERT_EQ(test, hwpt_alloc(test, fx->dev_id,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 &fx->hwpt), 0);
	pt = fx->hwpt;
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(fx->vfio, &pt), 0);
	return 0;
}

static struct kunit_case ioasim_dirty_cases[] = {
	KUNIT_CASE(dirty_bitmap_per_page_size),
	KUNIT_CASE(dirty_enable_starts_clean),
	KUNIT_CASE(dirty_huge_bitmap),
	KUNIT_CASE(dirty_holes),
	KUNIT_CASE(dirty_bad_input),
	KUNIT_CASE(dirty_device_rules),
	KUNIT_CASE(dirty_fail_nth),
	{}
};

static struct kunit_suite ioasim_dirty_suite = {
	.name = "ioasim_dirty",
	.init = dirty_init,
	.test_cases = ioasim_dirty_cases,
};

kunit_test_suite(ioasim_dirty_suite);
