// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOAS suites' fixture: see ioas_fixture.h.
 */
#include <kunit/test.h>
#include <linux/mman.h>

#include "helpers.h"
#include "ioas.h"
#include "ioas_fixture.h"

struct ioasim_ioas *ioas_fx_ioas(struct kunit *test, u32 id)
{
	struct ioas_fixture *fx = test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, id);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	/* The fixture's context keeps it alive for the whole case. */
	ioasim_ioas_put(fx->ctx, ioas);
	return ioas;
}

int ioas_fx_map(struct kunit *test, u32 id, unsigned long uptr,
		u64 *iova, u64 length, u32 flags)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = id,
		.user_va = uptr,
		.length = length,
		.iova = *iova,
	};
	int rc = ioasim_ioas_map(fx->ctx, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

/* Map at a fixed IOVA, asserting success. */
void ioas_fx_map_fixed(struct kunit *test, u32 id, u64 iova, u64 length)
{
	u64 at = iova;
	int rc = ioas_fx_map(test, id, UADDR + iova % SZ_PG, &at, length,
			IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			IOMMU_IOAS_MAP_WRITEABLE);

	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "map %llx+%llx: %pe", iova, length,
			    ERR_PTR(rc));
}

int ioas_fx_unmap(struct kunit *test, u32 id, u64 iova, u64 length,
		  u64 *unmapped)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = id,
		.iova = iova,
		.length = length,
	};
	int rc = ioasim_ioas_unmap(fx->ctx, &cmd);

	*unmapped = rc ? 0 : cmd.length;
	return rc;
}

unsigned int ioas_fx_count_nodes(struct rb_root_cached *root)
{
	struct interval_tree_node *node;
	unsigned int n = 0;

	for (node = interval_tree_iter_first(root, 0, TOP); node;
	     node = interval_tree_iter_next(node, 0, TOP))
		n++;
	return n;
}

unsigned int ioas_fx_count_areas(struct kunit *test, u32 id)
{
	struct ioasim_ioas *ioas = ioas_fx_ioas(test, id);
	unsigned int n;

	down_read(&ioas->space.lock);
	n = ioas_fx_count_nodes(&ioas->space.areas);
	up_read(&ioas->space.lock);
	return n;
}

struct ioasim_area *ioas_fx_area_at(struct kunit *test, u32 id, u64 iova)
{
	struct ioasim_ioas *ioas = ioas_fx_ioas(test, id);
	struct interval_tree_node *node;

	down_read(&ioas->space.lock);
	node = interval_tree_iter_first(&ioas->space.areas, iova, iova);
	up_read(&ioas->space.lock);
	KUNIT_ASSERT_NOT_NULL_MSG(test, node, "no area at %llx", iova);
	return container_of(node, struct ioasim_area, node);
}

void ioas_fx_reserve(struct kunit *test, u32 id, u64 first, u64 last)
{
	KUNIT_ASSERT_EQ(test, ioasim_space_reserve(&ioas_fx_ioas(test, id)->space,
						   first, last, test), 0);
}

int ioas_fx_allow(struct kunit *test, u32 id,
		  const struct iommu_iova_range *ranges, u32 n)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = id,
		.num_iovas = n,
	};

	return ioasim_ioas_allow_iovas(fx->ctx, &cmd, ranges);
}

int ioas_fx_copy(struct kunit *test, u32 dst, u32 src, u64 src_iova,
		 u64 length, u64 *dst_iova, u32 flags)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = length,
		.dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int rc = ioasim_ioas_copy(fx->ctx, &cmd);

	if (!rc)
		*dst_iova = cmd.dst_iova;
	return rc;
}

int ioas_fx_init(struct kunit *test)
{
	struct ioas_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	/* Commands run with the case's mm, as ioctls run with the caller's. */
	ioasim_test_user_mem(test, SZ_PG, PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	fx->id = ioasim_test_ioas(test, fx->ctx);
	return 0;
}

