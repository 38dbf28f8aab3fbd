// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_nested: nested HWPTs and IOMMU_HWPT_INVALIDATE.
 *
 * A nesting-parent paging HWPT on a mapped IOAS, a nested HWPT on it from
 * iommufd_test.h's selftest data, a device attached to the nested HWPT
 * (its DMA translates through the parent), and invalidation arrays in
 * user memory: which IOTLB entries of the mock's nested domain each array
 * clears, how many entries are reported handled when one is refused, and
 * upstream's errno for every bad input.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "device.h"
#include "helpers.h"
#include "ioas.h"
#include "iommufd_test.h"
#include "mock.h"
#include "vfio.h"

#define PG PAGE_SIZE
#define BASE SZ_1M
#define D IOMMU_TEST_IOTLB_DEFAULT

struct nested_fixture {
	struct ioasim_ctx *ctx;
	struct ioasim_mock_vfio *vfio;
	u32 dev_id, ioas, parent;
	unsigned long uptr;	/* mapped memory, tagged */
	unsigned long udata;	/* user memory for driver data and arrays */
};

static int alloc(struct kunit *test, u32 pt_id, u32 flags, u32 data_type,
		 u32 data_len, u32 *id)
{
	struct nested_fixture *fx = test->priv;
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = fx->dev_id,
		.pt_id = pt_id, .data_type = data_type, .data_len = data_len,
		.data_uptr = fx->udata,
	};
	int rc = ioasim_hwpt_alloc(fx->ctx, &cmd);

	*id = cmd.out_hwpt_id;
	return rc;
}

/* Driver data for a nested HWPT: iommufd_test.h's, with a tail. */
static void put_data(struct kunit *test, u32 iotlb, u32 tail)
{
	struct nested_fixture *fx = test->priv;
	u32 data[2] = { iotlb, tail };

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->udata, data,
					   sizeof(data)), 0);
}

static u32 nested_alloc(struct kunit *test)
{
	struct nested_fixture *fx = test->priv;
	u32 id;

	put_data(test, D, 0);
	KUNIT_ASSERT_EQ(test, alloc(test, fx->parent, 0,
				    IOMMU_HWPT_DATA_SELFTEST,
				    sizeof(struct iommu_hwpt_selftest), &id),
			0);
	return id;
}

static struct ioasim_mock_nested *mock_nested(struct kunit *test, u32 id)
{
	struct nested_fixture *fx = test->priv;
	struct ioasim_obj *obj = ioasim_obj_get(fx->ctx, id,
						&ioasim_hwpt_nested_type);
	struct ioasim_mock_nested *nested;

	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	nested = ioasim_mock_nested_of(container_of(obj, struct ioasim_hwpt,
						    obj)->domain);
	ioasim_obj_put(fx->ctx, obj);
	KUNIT_ASSERT_NOT_NULL(test, nested);
	return nested;
}

static void expect_iotlb(struct kunit *test, u32 id, u32 a, u32 b, u32 c,
			 u32 d)
{
	struct ioasim_mock_nested *nested = mock_nested(test, id);

	KUNIT_EXPECT_EQ(test, nested->iotlb[0], a);
	KUNIT_EXPECT_EQ(test, nested->iotlb[1], b);
	KUNIT_EXPECT_EQ(test, nested->iotlb[2], c);
	KUNIT_EXPECT_EQ(test, nested->iotlb[3], d);
}

/* Invalidate with @n entries of @len bytes from @words; *done: handled. */
static int invalidate(struct kunit *test, u32 id, u32 type, u32 len, u32 n,
		      const u32 *words, size_t nwords, u32 *done)
{
	struct nested_fixture *fx = test->priv;
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = id, .data_uptr = fx->udata,
		.data_type = type, .entry_len = len, .entry_num = n,
	};
	int rc;

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->udata, words,
					   nwords * sizeof(u32)), 0);
	rc = ioasim_hwpt_invalidate(fx->ctx, &cmd);
	*done = cmd.entry_num;
	return rc;
}

#define SELFTEST IOMMU_HWPT_INVALIDATE_DATA_SELFTEST
#define ENTRY sizeof(struct iommu_hwpt_invalidate_selftest)

/* The device works through the nested HWPT; invalidations clear entries. */
static void nested_attach_and_invalidate(struct kunit *test)
{
	static const u32 one_and_three[] = { 0, 1, 0, 3 };
	static const u32 bad_id[] = { 0, 0, 0, 4, 0, 2 };
	static const u32 bad_flag[] = { 2, 0 };
	static const u32 all[] = { IOMMU_TEST_INVALIDATE_FLAG_ALL, 0 };
	static const u32 long_zero[] = { 0, 2, 0 };
	struct nested_fixture *fx = test->priv;
	u32 id = nested_alloc(test), pt = id, done;
	u64 v;

	expect_iotlb(test, id, D, D, D, D);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(fx->vfio, &pt), 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_dma(fx->vfio, BASE + PG, &v, 8,
						   false), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)fx->uptr + PG);

	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, ENTRY, 2,
					 one_and_three, 4, &done), 0);
	KUNIT_EXPECT_EQ(test, done, 2);
	expect_iotlb(test, id, D, 0, D, 0);
	/* The second entry is refused: one handled. */
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, ENTRY, 3, bad_id,
					 6, &done), -EINVAL);
	KUNIT_EXPECT_EQ(test, done, 1);
	expect_iotlb(test, id, 0, 0, D, 0);
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, ENTRY, 1,
					 bad_flag, 2, &done), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, done, 0);
	/* Entries longer or shorter than the driver's are refused. */
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, 12, 1, long_zero,
					 3, &done), -EINVAL);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, 4, 1, all, 2,
					 &done), -EINVAL);
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, ENTRY, 1, all, 2,
					 &done), 0);
	expect_iotlb(test, id, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST + 1, ENTRY, 1, all,
					 2, &done), -EINVAL);
	KUNIT_EXPECT_EQ(test, invalidate(test, id, SELFTEST, ENTRY, 0, all, 2,
					 &done), 0);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_detach(fx->vfio), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, id,
						 &ioasim_hwpt_nested_type), 0);
}

/* Bad invalidation requests, before any entry is read. */
static void nested_invalidate_bad_input(struct kunit *test)
{
	struct nested_fixture *fx = test->priv;
	u32 id = nested_alloc(test);
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = id, .data_uptr = fx->udata,
		.data_type = SELFTEST, .entry_len = ENTRY, .entry_num = 1,
	};

	/* entry_num comes back as the count handled: set it each time. */
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cmd.entry_num, 0);
	cmd.__reserved = 0;
	cmd.data_uptr = 0;
	cmd.entry_num = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -EINVAL);
	cmd.data_uptr = fx->udata;
	cmd.entry_len = 0;
	cmd.entry_num = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -EINVAL);
	cmd.entry_len = PG + 1;
	cmd.entry_num = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -EINVAL);
	cmd.entry_len = ENTRY;
	cmd.entry_num = (1U << 19) + 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -EINVAL);
	/* A paging HWPT has nothing to invalidate this way. */
	cmd.hwpt_id = fx->parent;
	cmd.entry_num = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -ENOENT);
	cmd.hwpt_id = id;
	cmd.data_uptr = 8;
	cmd.entry_num = 1;
	KUNIT_EXPECT_EQ(test, ioasim_hwpt_invalidate(fx->ctx, &cmd), -EFAULT);
	KUNIT_EXPECT_EQ(test, cmd.entry_num, 0);
	expect_iotlb(test, id, D, D, D, D);
}

/* Which parents and data make a nested HWPT, and who holds whom. */
static void nested_alloc_rules(struct kunit *test)
{
	struct nested_fixture *fx = test->priv;
	u32 plain, id, pt = fx->ioas;

	put_data(test, D, 0);
	KUNIT_ASSERT_EQ(test, alloc(test, fx->ioas, 0, 0, 0, &plain), 0);
	KUNIT_EXPECT_EQ(test, alloc(test, plain, 0, IOMMU_HWPT_DATA_SELFTEST,
				    4, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, alloc(test, fx->parent,
				    IOMMU_HWPT_ALLOC_NEST_PARENT,
				    IOMMU_HWPT_DATA_SELFTEST, 4, &id),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, alloc(test, fx->parent, 0,
				    IOMMU_HWPT_DATA_SELFTEST + 1, 4, &id),
			-EOPNOTSUPP);
	/* Data longer than the driver's struct. */
	KUNIT_EXPECT_EQ(test, alloc(test, fx->parent, 0,
				    IOMMU_HWPT_DATA_SELFTEST, 8, &id), -EINVAL);
	/* An automatic HWPT is no parent. */
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(fx->vfio, &pt), 0);
	put_data(test, D, 0);
	KUNIT_EXPECT_EQ(test, alloc(test, pt, 0, IOMMU_HWPT_DATA_SELFTEST, 4,
				    &id), -EINVAL);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_detach(fx->vfio), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_nested_type), 0);

	/* The nested HWPT holds its parent. */
	id = nested_alloc(test);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, fx->parent, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, id, NULL), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, fx->parent, NULL), 0);
}

static int nested_sweep_step(struct kunit *test, void *arg)
{
	struct nested_fixture *fx = test->priv;
	u32 *id = arg;

	put_data(test, D, 0);
	return alloc(test, fx->parent, 0, IOMMU_HWPT_DATA_SELFTEST, 4, id);
}

static void nested_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct nested_fixture *fx = test->priv;

	/* EINVAL: the parent's lookup, which HWPT_ALLOC answers so. */
	KUNIT_EXPECT_TRUE(test,
			  rc == -ENOMEM || rc == -ENOENT || rc == -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_nested_type), 0);
}

static void nested_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"obj.alloc", "obj.reserve_id", "mock.nested_alloc", NULL
	};
	struct nested_fixture *fx = test->priv;
	u32 id = 0;
	struct ioasim_sweep sweep = {
		.step = nested_sweep_step, .check = nested_sweep_check,
		.arg = &id,
	};

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 4);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_nested_type), 1);
	expect_iotlb(test, id, D, D, D, D);
}

static int nested_init(struct kunit *test)
{
	struct nested_fixture *fx = kunit_kzalloc(test, sizeof(*fx),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem_tagged(test, 4 * PG, PG);
	fx->udata = ioasim_test_user_mem(test, PG, PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	fx->vfio = ioasim_test_vfio(test, ioasim_test_mock_dev(test, 0));
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(fx->vfio, fx->ctx,
						    &fx->dev_id), 0);
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, fx->uptr,
					      4 * PG, BASE, true), 0);
	KUNIT_ASSERT_EQ(test, alloc(test, fx->ioas,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, 0, 0,
				    &fx->parent), 0);
	return 0;
}

static struct kunit_case ioasim_nested_cases[] = {
	KUNIT_CASE(nested_attach_and_invalidate),
	KUNIT_CASE(nested_invalidate_bad_input),
	KUNIT_CASE(nested_alloc_rules),
	KUNIT_CASE(nested_fail_nth),
	{}
};

static struct kunit_suite ioasim_nested_suite = {
	.name = "ioasim_nested",
	.init = nested_init,
	.test_cases = ioasim_nested_cases,
};

kunit_test_suite(ioasim_nested_suite);
