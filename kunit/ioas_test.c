// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_ioas: IOAS_MAP, IOAS_UNMAP and IOAS_COPY on the 6.12
 * uAPI structures, as the ioctl layer calls them: placement, alignment,
 * splitting, sharing of pages objects and failure at every fault point.
 * Every refused command is checked to leave the IOAS as it was.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mman.h>

#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "ioas_fixture.h"

struct map_case {
	const char *desc;
	u32 flags;
	u64 iova;
	u64 length;
	bool bad_reserved_field;
	bool no_such_ioas;
	int rc;
};

/* Set-up of every case: [0x800000, 0x8fffff] reserved, 0x400000 mapped. */
static const struct map_case map_cases[] = {
	{ "fixed, free IOVA", FIXED_RW, 0x100000, 4 * SZ_PG, .rc = 0 },
	{ "fixed, a sub-page length", FIXED_RW, 0x200000, 100, .rc = 0 },
	{ "fixed, ending at 2^64 - 1", FIXED_RW, TOP - 4 * SZ_PG + 1,
	  4 * SZ_PG, .rc = 0 },
	{ "fixed, wrapping past 2^64", FIXED_RW, TOP - SZ_PG + 1, 2 * SZ_PG,
	  .rc = -EOVERFLOW },
	{ "iova U64_MAX", FIXED_RW, U64_MAX, SZ_PG, .rc = -EOVERFLOW },
	{ "length U64_MAX", FIXED_RW, 0x100000, U64_MAX, .rc = -EOVERFLOW },
	{ "fixed, inside a reserved range", FIXED_RW, 0x800000, SZ_PG,
	  .rc = -EINVAL },
	{ "fixed, across a reserved range's start", FIXED_RW, 0x7ff000,
	  2 * SZ_PG, .rc = -EINVAL },
	{ "fixed, overlapping a mapping", FIXED_RW, 0x403000, 2 * SZ_PG,
	  .rc = -EEXIST },
	{ "fixed, right after a mapping", FIXED_RW, 0x404000, SZ_PG, .rc = 0 },
	{ "zero length", FIXED_RW, 0x100000, 0, .rc = -EINVAL },
	{ "neither readable nor writeable", IOMMU_IOAS_MAP_FIXED_IOVA,
	  0x100000, SZ_PG, .rc = -EINVAL },
	{ "an unknown flag", FIXED_RW | (1 << 3), 0x100000, SZ_PG,
	  .rc = -EOPNOTSUPP },
	{ "a nonzero reserved field", FIXED_RW, 0x100000, SZ_PG,
	  .bad_reserved_field = true, .rc = -EOPNOTSUPP },
	{ "an id that is no IOAS", FIXED_RW, 0x100000, SZ_PG,
	  .no_such_ioas = true, .rc = -ENOENT },
};

KUNIT_ARRAY_PARAM_DESC(map, map_cases, desc);

static void ioas_map_cases(struct kunit *test)
{
	const struct map_case *c = test->param_value;
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = c->flags,
		.ioas_id = c->no_such_ioas ? fx->id + 1 : fx->id,
		.user_va = UADDR,
		.length = c->length,
		.iova = c->iova,
		.__reserved = c->bad_reserved_field,
	};

	ioas_fx_reserve(test, fx->id, 0x800000, 0x8fffff);
	ioas_fx_map_fixed(test, fx->id, 0x400000, 4 * SZ_PG);

	KUNIT_EXPECT_EQ(test, ioasim_ioas_map(fx->ctx, &cmd), c->rc);
	if (c->rc) {
		KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 1);
		return;
	}
	KUNIT_EXPECT_EQ(test, cmd.iova, c->iova);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 2);
	KUNIT_EXPECT_EQ(test, ioas_fx_area_at(test, fx->id, c->iova)->node.last,
			c->iova + c->length - 1);
}

struct place_case {
	const char *desc;
	unsigned long uptr_offset;
	u64 length;
	u64 allow_first, allow_last;
	u64 resv_first, resv_last;
	u64 premap, premap_len;
	u64 want;
	int rc;
};

static const struct place_case place_cases[] = {
	{ "no constraints", 0, 4 * SZ_PG },
	{ "keeps the page offset of the user address", 0x123, 100 },
	{ "skips reserved low IOVA", 0, 4 * SZ_PG, .resv_first = 0,
	  .resv_last = 0xfffff },
	{ "stays inside the allowed window", 0, 4 * SZ_PG,
	  .allow_first = 0x40000000, .allow_last = 0x4fffffff },
	{ "skips a mapping inside the allowed window", 0, 4 * SZ_PG,
	  .allow_first = 0x40000000, .allow_last = 0x400fffff,
	  .premap = 0x40000000, .premap_len = 64 * SZ_PG },
	{ "a hole starting mid-page: the page offset set in its start", 0x123,
	  100, .premap = SZ_PG, .premap_len = 0x200, .want = SZ_PG + 0x323 },
	{ "a sub-page length: aligned to the length, not to a page", 0, 0x1e9,
	  .premap = SZ_PG, .premap_len = 0x1e9, .want = SZ_PG + 0x200 },
	{ "a start on the hole's last byte is refused", 0x123, 1,
	  .allow_first = SZ_PG, .allow_last = SZ_PG + 0x123, .rc = -ENOSPC },
	{ "allowed window at the top of the space", 0, SZ_PG,
	  .allow_first = TOP - 0xfffff, .allow_last = TOP },
	{ "allowed window too small", 0, 2 * SZ_PG,
	  .allow_first = 0x40000000, .allow_last = 0x40000fff,
	  .rc = -ENOSPC },
	{ "everything reserved", 0, SZ_PG, .resv_first = 0, .resv_last = TOP,
	  .rc = -ENOSPC },
	{ "a length of half the space", 0, ULONG_MAX / 2, .rc = -EOVERFLOW },
};

KUNIT_ARRAY_PARAM_DESC(place, place_cases, desc);

/* Automatic placement: where it lands obeys every rule. */
static void ioas_auto_placement(struct kunit *test)
{
	const struct place_case *c = test->param_value;
	struct ioas_fixture *fx = test->priv;
	struct iommu_iova_range window = {
		.start = c->allow_first, .last = c->allow_last,
	};
	unsigned long uptr = UADDR + c->uptr_offset;
	u64 iova = 0, last;

	if (c->resv_last)
		ioas_fx_reserve(test, fx->id, c->resv_first, c->resv_last);
	if (c->allow_last)
		KUNIT_ASSERT_EQ(test, ioas_fx_allow(test, fx->id, &window, 1), 0);
	if (c->premap)
		ioas_fx_map_fixed(test, fx->id, c->premap, c->premap_len);

	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, uptr, &iova, c->length,
					  IOMMU_IOAS_MAP_READABLE), c->rc);
	if (c->rc)
		return;
	last = iova + c->length - 1;
	KUNIT_EXPECT_GE(test, iova, (u64)SZ_PG);
	KUNIT_EXPECT_LE(test, last, TOP - SZ_PG);
	/* Upstream's rule: the page offset is set in the aligned start. */
	if (c->want)
		KUNIT_EXPECT_EQ(test, iova, c->want);
	else
		KUNIT_EXPECT_EQ(test, iova % SZ_PG, uptr % SZ_PG);
	if (c->resv_last) {
		bool clear = last < c->resv_first || iova > c->resv_last;

		KUNIT_EXPECT_TRUE(test, clear);
	}
	if (c->allow_last) {
		KUNIT_EXPECT_GE(test, iova, c->allow_first);
		KUNIT_EXPECT_LE(test, last, c->allow_last);
	}
	if (c->premap) {
		bool clear = iova > c->premap + c->premap_len - 1 ||
			     last < c->premap;

		KUNIT_EXPECT_TRUE(test, clear);
	}
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 1 + !!c->premap);
}

/*
 * Attached domains raise the IOVA alignment of the space (an IO page
 * larger than the smallest mapping). Set it the way attach will and check
 * that every mapping respects it.
 */
static void ioas_domain_alignment(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct ioasim_space *space = &ioas_fx_ioas(test, fx->id)->space;
	u64 align = 4 * SZ_PG, iova;

	down_write(&space->lock);
	space->iova_alignment = align;
	up_write(&space->lock);

	iova = align + SZ_PG;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, align,
					  FIXED_RW), -EINVAL);
	iova = align;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  FIXED_RW), -EINVAL);
	/* Memory whose page offset the IO page cannot express. */
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR + 0x100, &iova, align,
					  FIXED_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, align,
					  FIXED_RW), 0);
	/* Memory starting inside an IO page cannot be placed at all. */
	iova = 0;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR + SZ_PG, &iova, align,
					  IOMMU_IOAS_MAP_READABLE), -EINVAL);
	/*
	 * Without huge pages the allocator never aligns beyond PAGE_SIZE,
	 * so it cannot serve the domain's alignment at all (as upstream).
	 */
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)) {
		KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, align,
						  IOMMU_IOAS_MAP_READABLE), -EINVAL);
		KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 1);
		return;
	}
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, align,
					  IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, iova % align, 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 2);
}

/* With room at the bottom, automatic placement takes the lowest fit. */
static void ioas_auto_placement_is_lowest(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	u64 a = 0, b = 0, c = 0;

	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &a, SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, a, (u64)SZ_PG);
	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &b, SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, b, 2 * (u64)SZ_PG);
	/* A freed hole is reused. */
	KUNIT_ASSERT_EQ(test, ioas_fx_unmap(test, fx->id, a, SZ_PG, &c), 0);
	c = 0;
	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &c, SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, c, a);
}

struct unmap_case {
	const char *desc;
	u64 iova;
	u64 length;
	bool no_such_ioas;
	int rc;
	u64 unmapped;
};

/*
 * Set-up: A = [0x100000, +16K), B = [0x104000, +16K) right after it,
 * C = [0x200000, +4K), T = the last 16K below 2^64.
 */
static const struct unmap_case unmap_cases[] = {
	{ "exactly one area", 0x100000, 4 * SZ_PG, .unmapped = 4 * SZ_PG },
	{ "two adjacent areas", 0x100000, 8 * SZ_PG, .unmapped = 8 * SZ_PG },
	{ "an area with slack around it", 0xf0000, 0x200000 - 0xf0000,
	  .unmapped = 8 * SZ_PG },
	{ "the area ending at 2^64 - 1", TOP - 4 * SZ_PG + 1, 4 * SZ_PG,
	  .unmapped = 4 * SZ_PG },
	{ "everything", 0, U64_MAX, .unmapped = 13 * SZ_PG },
	{ "part of an area", 0x100000, SZ_PG, .rc = -ENOENT },
	{ "a range crossing an area's end", 0x105000, 0x200000 - 0x105000,
	  .rc = -ENOENT },
	{ "a range with nothing mapped", 0x300000, SZ_PG, .rc = -ENOENT },
	{ "zero length", 0x100000, 0, .rc = -EINVAL },
	{ "length U64_MAX from iova 1", 1, U64_MAX, .rc = -EOVERFLOW },
	{ "a range wrapping past 2^64", TOP - SZ_PG + 1, 2 * SZ_PG,
	  .rc = -EOVERFLOW },
	{ "an id that is no IOAS", 0x100000, 4 * SZ_PG, .no_such_ioas = true,
	  .rc = -ENOENT },
};

KUNIT_ARRAY_PARAM_DESC(unmap, unmap_cases, desc);

static void ioas_unmap_cases(struct kunit *test)
{
	const struct unmap_case *c = test->param_value;
	struct ioas_fixture *fx = test->priv;
	u64 unmapped;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	ioas_fx_map_fixed(test, fx->id, 0x104000, 4 * SZ_PG);
	ioas_fx_map_fixed(test, fx->id, 0x200000, SZ_PG);
	ioas_fx_map_fixed(test, fx->id, TOP - 4 * SZ_PG + 1, 4 * SZ_PG);

	KUNIT_EXPECT_EQ(test, ioas_fx_unmap(test, c->no_such_ioas ? fx->id + 1 :
				       fx->id, c->iova, c->length, &unmapped),
			c->rc);
	KUNIT_EXPECT_EQ(test, unmapped, c->unmapped);
	if (c->rc)
		KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 4);
}

static void ioas_unmap_all_of_nothing(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	u64 unmapped = 1;

	KUNIT_EXPECT_EQ(test, ioas_fx_unmap(test, fx->id, 0, U64_MAX, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, 0);
}

/* A copy maps the same pages objects: no second pin, no second charge. */
static void ioas_copy_shares_pages(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	u32 dst = ioasim_test_ioas(test, fx->ctx);
	struct ioasim_area *src_area, *dst_area;
	u64 iova = 0;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	src_area = ioas_fx_area_at(test, fx->id, 0x100000);
	KUNIT_EXPECT_EQ(test, kref_read(&src_area->pages->kref), 1);

	KUNIT_ASSERT_EQ(test, ioas_fx_copy(test, dst, fx->id, 0x100000, 4 * SZ_PG,
					   &iova, IOMMU_IOAS_MAP_READABLE), 0);
	dst_area = ioas_fx_area_at(test, dst, iova);
	KUNIT_EXPECT_PTR_EQ(test, dst_area->pages, src_area->pages);
	KUNIT_EXPECT_EQ(test, dst_area->start_byte, src_area->start_byte);
	KUNIT_EXPECT_EQ(test, dst_area->node.last - dst_area->node.start + 1,
			4 * SZ_PG);
	KUNIT_EXPECT_EQ(test, kref_read(&src_area->pages->kref), 2);
	KUNIT_EXPECT_EQ(test, dst_area->prot, IOMMU_READ);
}

/* Copy of a sub-range, into the same IOAS, at a fixed IOVA. */
static void ioas_copy_subrange(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct ioasim_area *src_area, *dst_area;
	u64 iova = 0x500000;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	KUNIT_ASSERT_EQ(test, ioas_fx_copy(test, fx->id, fx->id, 0x101000,
					   2 * SZ_PG, &iova, FIXED_RW), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x500000);
	src_area = ioas_fx_area_at(test, fx->id, 0x100000);
	dst_area = ioas_fx_area_at(test, fx->id, 0x500000);
	KUNIT_EXPECT_EQ(test, dst_area->start_byte,
			src_area->start_byte + SZ_PG);
	KUNIT_EXPECT_EQ(test, dst_area->node.last, 0x500000 + 2 * SZ_PG - 1);
}

/* A copy across two adjacent areas makes two areas. */
static void ioas_copy_across_areas(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	u32 dst = ioasim_test_ioas(test, fx->ctx);
	u64 iova = 0;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	ioas_fx_map_fixed(test, fx->id, 0x104000, 4 * SZ_PG);
	KUNIT_ASSERT_EQ(test, ioas_fx_copy(test, dst, fx->id, 0x102000, 4 * SZ_PG,
					   &iova, IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, dst), 2);
	KUNIT_EXPECT_PTR_EQ(test, ioas_fx_area_at(test, dst, iova)->pages,
			    ioas_fx_area_at(test, fx->id, 0x100000)->pages);
	KUNIT_EXPECT_PTR_EQ(test, ioas_fx_area_at(test, dst, iova + 2 * SZ_PG)->pages,
			    ioas_fx_area_at(test, fx->id, 0x104000)->pages);
}

struct copy_case {
	const char *desc;
	u32 flags;
	u64 src_iova;
	u64 length;
	u64 dst_iova;
	bool no_dst, no_src;
	int rc;
};

/* Set-up: 0x100000 mapped read-only (4 pages), 0x200000 read-write. */
static const struct copy_case copy_cases[] = {
	{ "a source range with a gap", FIXED_RW & ~IOMMU_IOAS_MAP_WRITEABLE,
	  0x100000, 8 * SZ_PG, 0x400000, .rc = -ENOENT },
	{ "writable copy of read-only memory", FIXED_RW, 0x100000, SZ_PG,
	  0x400000, .rc = -EPERM },
	{ "onto a mapped destination", FIXED_RW, 0x200000, SZ_PG, 0x100000,
	  .rc = -EEXIST },
	{ "writable copy of read-only memory onto a mapping: the place first",
	  FIXED_RW, 0x100000, SZ_PG, 0x200000, .rc = -EEXIST },
	{ "no such destination IOAS", FIXED_RW, 0x200000, SZ_PG, 0x400000,
	  .no_dst = true, .rc = -ENOENT },
	{ "no such source IOAS", FIXED_RW, 0x200000, SZ_PG, 0x400000,
	  .no_src = true, .rc = -ENOENT },
	{ "an unknown flag", FIXED_RW | (1 << 5), 0x200000, SZ_PG, 0x400000,
	  .rc = -EOPNOTSUPP },
	{ "neither readable nor writeable", IOMMU_IOAS_MAP_FIXED_IOVA,
	  0x200000, SZ_PG, 0x400000, .rc = -EINVAL },
	{ "length U64_MAX", FIXED_RW, 0x200000, U64_MAX, 0x400000,
	  .rc = -EOVERFLOW },
	{ "source wrapping past 2^64", FIXED_RW, TOP - SZ_PG + 1, 2 * SZ_PG,
	  0x400000, .rc = -EOVERFLOW },
	{ "zero length", FIXED_RW, 0x200000, 0, 0x400000, .rc = -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(copy, copy_cases, desc);

static void ioas_copy_cases(struct kunit *test)
{
	const struct copy_case *c = test->param_value;
	struct ioas_fixture *fx = test->priv;
	struct ioasim_pages *ro, *rw;
	u64 iova = c->dst_iova, ro_iova = 0x100000;

	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &ro_iova, 4 * SZ_PG,
					  IOMMU_IOAS_MAP_FIXED_IOVA |
				     IOMMU_IOAS_MAP_READABLE), 0);
	ioas_fx_map_fixed(test, fx->id, 0x200000, SZ_PG);
	ro = ioas_fx_area_at(test, fx->id, 0x100000)->pages;
	rw = ioas_fx_area_at(test, fx->id, 0x200000)->pages;

	KUNIT_EXPECT_EQ(test, ioas_fx_copy(test, c->no_dst ? fx->id + 1 : fx->id,
					   c->no_src ? fx->id + 1 : fx->id,
				      c->src_iova, c->length, &iova, c->flags),
			c->rc);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 2);
	/* The references the copy took on the sources were returned. */
	KUNIT_EXPECT_EQ(test, kref_read(&ro->kref), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&rw->kref), 1);
}

static void ioas_alloc_rejects_flags(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	KUNIT_EXPECT_EQ(test, ioasim_ioas_alloc(fx->ctx, &cmd), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cmd.out_ioas_id, 0);
}

/* Destroying an IOAS unmaps what it still maps and drops its pages. */
static void ioas_destroy_unmaps(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	u32 other = ioasim_test_ioas(test, fx->ctx);
	struct ioasim_pages *pages;
	u64 iova = 0;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	pages = ioas_fx_area_at(test, fx->id, 0x100000)->pages;
	KUNIT_ASSERT_EQ(test, ioas_fx_copy(test, other, fx->id, 0x100000, SZ_PG,
					   &iova, IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&pages->kref), 2);
	KUNIT_ASSERT_EQ(test, ioasim_obj_destroy(fx->ctx, other,
						 &ioasim_ioas_type), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&pages->kref), 1);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other,
						 &ioasim_ioas_type), -ENOENT);
}

struct map_sweep {
	u32 dst;
	bool copy;
};

static int map_sweep_step(struct kunit *test, void *arg)
{
	struct ioas_fixture *fx = test->priv;
	struct map_sweep *s = arg;
	u64 iova = 0;

	if (s->copy)
		return ioas_fx_copy(test, s->dst, fx->id, 0x100000, 8 * SZ_PG,
			       &iova, IOMMU_IOAS_MAP_READABLE);
	return ioas_fx_map(test, s->dst, UADDR, &iova, 8 * SZ_PG,
		      IOMMU_IOAS_MAP_READABLE);
}

static void map_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct ioas_fixture *fx = test->priv;
	struct map_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, s->dst), 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, fx->id), 2);
	KUNIT_EXPECT_EQ(test,
			kref_read(&ioas_fx_area_at(test, fx->id, 0x100000)->pages->kref),
			1);
}

/* Fail each step of map, then of copy: the IOASes are left as they were. */
static void ioas_map_copy_fail_nth(struct kunit *test)
{
	static const char *const map_points[] = {
		"obj.get", "pages.alloc", "space.areas", "space.area_alloc",
		NULL
	};
	static const char *const copy_points[] = {
		"obj.get", "space.slices", "space.areas", "space.area_alloc",
		NULL
	};
	struct ioas_fixture *fx = test->priv;
	struct map_sweep s = { .dst = ioasim_test_ioas(test, fx->ctx) };
	struct ioasim_sweep sweep = {
		.step = map_sweep_step,
		.check = map_sweep_check,
		.arg = &s,
	};
	u64 unmapped;

	ioas_fx_map_fixed(test, fx->id, 0x100000, 4 * SZ_PG);
	ioas_fx_map_fixed(test, fx->id, 0x104000, 4 * SZ_PG);

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, map_points), 4);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, s.dst), 1);
	KUNIT_ASSERT_EQ(test, ioas_fx_unmap(test, s.dst, 0, U64_MAX, &unmapped), 0);

	s.copy = true;
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, copy_points),
			5);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_areas(test, s.dst), 2);
}

static struct kunit_case ioasim_ioas_cases[] = {
	KUNIT_CASE(ioas_alloc_rejects_flags),
	KUNIT_CASE_PARAM(ioas_map_cases, map_gen_params),
	KUNIT_CASE_PARAM(ioas_auto_placement, place_gen_params),
	KUNIT_CASE(ioas_auto_placement_is_lowest),
	KUNIT_CASE(ioas_domain_alignment),
	KUNIT_CASE_PARAM(ioas_unmap_cases, unmap_gen_params),
	KUNIT_CASE(ioas_unmap_all_of_nothing),
	KUNIT_CASE(ioas_copy_shares_pages),
	KUNIT_CASE(ioas_copy_subrange),
	KUNIT_CASE(ioas_copy_across_areas),
	KUNIT_CASE_PARAM(ioas_copy_cases, copy_gen_params),
	KUNIT_CASE(ioas_destroy_unmaps),
	KUNIT_CASE(ioas_map_copy_fail_nth),
	{}
};

static struct kunit_suite ioasim_ioas_suite = {
	.name = "ioasim_ioas",
	.init = ioas_fx_init,
	.test_cases = ioasim_ioas_cases,
};

kunit_test_suite(ioasim_ioas_suite);
