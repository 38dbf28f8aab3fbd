// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_ioas_ranges: what an IOAS may map rather than what
 * it maps. Reserved ranges and their owners, IOAS_ALLOW_IOVAS,
 * IOAS_IOVA_RANGES, IOMMU_OPTION, and those commands failing at every
 * fault point without a trace.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/iommu.h>
#include <linux/mman.h>

#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "ioas_fixture.h"

static void ioas_reserved_rules(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct ioasim_space *space = &ioas_fx_ioas(test, fx->id)->space;
	struct iommu_iova_range window = { 0x40000000, 0x4fffffff };
	int other_owner;
	u64 iova = 0x900000;

	ioas_fx_map_fixed(test, fx->id, 0x100000, SZ_PG);
	KUNIT_ASSERT_EQ(test, ioas_fx_allow(test, fx->id, &window, 1), 0);

	KUNIT_EXPECT_EQ(test, ioasim_space_reserve(space, 0x100000, 0x100fff,
						   test), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_space_reserve(space, 0x4ffff000,
						   0x50000fff, test),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_space_reserve(space, 0x2000, 0x1fff,
						   test), -EINVAL);
	/* One byte is a range: it keeps its whole page from being mapped. */
	KUNIT_ASSERT_EQ(test, ioasim_space_reserve(space, 0xb00800, 0xb00800,
						   test), 0);
	iova = 0xb00000;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  FIXED_RW), -EINVAL);
	iova = 0x900000;

	/* Each owner removes only its own ranges. */
	KUNIT_ASSERT_EQ(test, ioasim_space_reserve(space, 0x900000, 0x900fff,
						   &other_owner), 0);
	KUNIT_ASSERT_EQ(test, ioasim_space_reserve(space, 0xa00000, 0xa00fff,
						   test), 0);
	ioasim_space_unreserve(space, test);
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  FIXED_RW), -EINVAL);
	iova = 0xa00000;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  FIXED_RW), 0);
	ioasim_space_unreserve(space, &other_owner);
	iova = 0x900000;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  FIXED_RW), 0);
}

/*
 * Slices whose lengths add up past the end of the address space: refused
 * before anything is allocated or looked at (IOAS_COPY's slices come from
 * areas and cannot, so only a direct call reaches this).
 */
static void ioas_slices_overflow(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct ioasim_space *space = &ioas_fx_ioas(test, fx->id)->space;
	struct ioasim_slice slices[] = {
		{ .length = ULONG_MAX / 2 + 1 }, { .length = ULONG_MAX / 2 + 1 },
	};
	unsigned long iova = 0;

	KUNIT_EXPECT_EQ(test, ioasim_space_map(space, slices, 2, &iova,
					       IOMMU_READ, true), -EOVERFLOW);
}

/* ALLOW_IOVAS replaces the window as a whole or not at all. */
static void ioas_allow_iovas_rules(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_iova_range good[] = {
		{ 0x40000000, 0x40000fff }, { 0x40001000, 0x40001fff },
	};
	struct iommu_iova_range over_reserved[] = {
		{ 0x50000000, 0x5fffffff }, { 0x7ff000, 0x800fff },
	};
	struct iommu_iova_range single_byte = { 0x50000000, 0x50000000 };
	struct iommu_iova_range overlapping[] = {
		{ 0x50000000, 0x50001fff }, { 0x50001000, 0x50002fff },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = fx->id, .__reserved = 1,
	};
	u64 iova = 0;

	ioas_fx_reserve(test, fx->id, 0x800000, 0x8fffff);
	/* Two adjacent ranges form one window that fits two pages. */
	KUNIT_ASSERT_EQ(test, ioas_fx_allow(test, fx->id, good, 2), 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_allow(test, fx->id, over_reserved, 2),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioas_fx_allow(test, fx->id, &single_byte, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioas_fx_allow(test, fx->id, overlapping, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_ioas_allow_iovas(fx->ctx, &cmd, good),
			-EOPNOTSUPP);

	KUNIT_ASSERT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, 2 * SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x40000000);
	iova = 0;
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), -ENOSPC);

	/* An empty list allows everything again. */
	KUNIT_ASSERT_EQ(test, ioas_fx_allow(test, fx->id, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_map(test, fx->id, UADDR, &iova, SZ_PG,
					  IOMMU_IOAS_MAP_READABLE), 0);
}

static int iova_ranges(struct kunit *test, u32 cap,
		       struct iommu_iova_range *out, u32 *num)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = fx->id, .num_iovas = cap,
	};
	int rc = ioasim_ioas_iova_ranges(fx->ctx, &cmd, out);

	*num = cmd.num_iovas;
	if (rc == 0 || rc == -EMSGSIZE)
		KUNIT_EXPECT_EQ(test, cmd.out_iova_alignment, 1);
	return rc;
}

static void ioas_iova_ranges(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_iova_range r[4] = {};
	struct iommu_ioas_iova_ranges bad = {
		.size = sizeof(bad), .ioas_id = fx->id, .__reserved = 1,
	};
	u32 n;

	KUNIT_ASSERT_EQ(test, iova_ranges(test, 4, r, &n), 0);
	KUNIT_ASSERT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, r[0].start, 0);
	KUNIT_EXPECT_EQ(test, r[0].last, U64_MAX);

	ioas_fx_reserve(test, fx->id, 0, SZ_PG - 1);
	ioas_fx_reserve(test, fx->id, 0x800000, 0x8fffff);
	ioas_fx_reserve(test, fx->id, 0xa00000, 0xafffff);
	ioas_fx_reserve(test, fx->id, TOP - SZ_PG + 1, TOP);
	KUNIT_ASSERT_EQ(test, iova_ranges(test, 4, r, &n), 0);
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, r[0].start, SZ_PG);
	KUNIT_EXPECT_EQ(test, r[0].last, 0x7fffff);
	KUNIT_EXPECT_EQ(test, r[1].start, 0x900000);
	KUNIT_EXPECT_EQ(test, r[1].last, 0x9fffff);
	KUNIT_EXPECT_EQ(test, r[2].start, 0xb00000);
	KUNIT_EXPECT_EQ(test, r[2].last, TOP - SZ_PG);

	/* Too small a buffer: what fits, the full count, and EMSGSIZE. */
	memset(r, 0, sizeof(r));
	KUNIT_EXPECT_EQ(test, iova_ranges(test, 1, r, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, r[0].start, SZ_PG);
	KUNIT_EXPECT_EQ(test, r[1].start, 0);
	KUNIT_EXPECT_EQ(test, iova_ranges(test, 0, NULL, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, n, 3);

	KUNIT_EXPECT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &bad, r),
			-EOPNOTSUPP);
	bad.__reserved = 0;
	bad.ioas_id = fx->id + 1;
	KUNIT_EXPECT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &bad, r),
			-ENOENT);
}

static int option(struct ioasim_ctx *ctx, u32 option_id, u16 op,
		  u32 object_id, u64 *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int rc = ioasim_option(ctx, &cmd);

	*val = cmd.val64;
	return rc;
}

static void ioas_option_rlimit_mode(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	const struct cred *old;
	struct cred *cred;
	u64 v = 7;

	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_GET, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	v = 1;
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_GET, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	v = 2;
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_GET, 1, &v), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE, 2, 0, &v),
			-EOPNOTSUPP);

	/* Only while the context is empty, whatever the value. */
	ioasim_test_ioas(test, ctx);
	v = 0;
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v), -EBUSY);
	v = 2;
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v), -EBUSY);
	v = 0;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_SYS_RESOURCE);
	old = override_creds(cred);
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v), -EPERM);
	revert_creds(old);
	put_cred(cred);
	KUNIT_EXPECT_EQ(test, option(ctx, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_GET, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
}

static void ioas_option_huge_pages(struct kunit *test)
{
	struct ioas_fixture *fx = test->priv;
	struct iommu_option bad = {
		.size = sizeof(bad), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.object_id = fx->id, .__reserved = 1,
	};
	u64 v = 7;

	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_GET, fx->id, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	/* Neither GET nor SET: whatever the value. */
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES, 2,
				     fx->id, &v), -EOPNOTSUPP);
	v = 0;
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, fx->id, &v), 0);
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_GET, fx->id, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_TRUE(test, ioas_fx_ioas(test, fx->id)->space.no_large_pages);
	/* Without large pages, mappings are whole CPU pages. */
	KUNIT_EXPECT_EQ(test, ioas_fx_ioas(test, fx->id)->space.iova_alignment,
			SZ_PG);
	v = 1;
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, fx->id, &v), 0);
	KUNIT_EXPECT_EQ(test, ioas_fx_ioas(test, fx->id)->space.iova_alignment, 1);
	/* A sub-page mapping cannot keep that alignment. */
	ioas_fx_map_fixed(test, fx->id, 0x100000, 100);
	v = 0;
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, fx->id, &v),
			-EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, ioas_fx_ioas(test, fx->id)->space.no_large_pages);
	v = 2;
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, fx->id, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, option(fx->ctx, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_GET, fx->id + 1, &v),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, option(fx->ctx, 99, IOMMU_OPTION_OP_GET, fx->id,
				     &v), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ioasim_option(fx->ctx, &bad), -EOPNOTSUPP);
}

struct small_sweep {
	struct ioasim_space *space;
	unsigned int nallowed, nreserved, nobjects;
	int which;
};

static unsigned int count_objects(struct ioasim_ctx *ctx)
{
	struct ioasim_obj *obj;
	unsigned long index;
	unsigned int n = 0;

	xa_for_each(&ctx->objects, index, obj)
		n++;
	return n;
}

static int small_sweep_step(struct kunit *test, void *arg)
{
	static const struct iommu_iova_range two[] = {
		{ 0x40000000, 0x4fffffff }, { 0x60000000, 0x6fffffff },
	};
	struct ioas_fixture *fx = test->priv;
	struct small_sweep *s = arg;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_iova_range out[4];
	u32 n;

	s->nallowed = ioas_fx_count_nodes(&s->space->allowed);
	s->nreserved = ioas_fx_count_nodes(&s->space->reserved);
	s->nobjects = count_objects(fx->ctx);
	switch (s->which) {
	case 3:
		return ioasim_ioas_alloc(fx->ctx, &alloc);
	case 0:
		return ioas_fx_allow(test, fx->id, two, ARRAY_SIZE(two));
	case 1:
		return iova_ranges(test, ARRAY_SIZE(out), out, &n);
	default:
		return ioasim_space_reserve(s->space, 0x900000, 0x9fffff, fx);
	}
}

/* The objects, allowed window and reservations are as they were. */
static void small_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct ioas_fixture *fx = test->priv;
	struct small_sweep *s = arg;

	KUNIT_EXPECT_TRUE(test, rc == -ENOMEM || rc == -ENOENT);
	KUNIT_EXPECT_EQ(test, count_objects(fx->ctx), s->nobjects);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_nodes(&s->space->allowed), s->nallowed);
	KUNIT_EXPECT_EQ(test, ioas_fx_count_nodes(&s->space->reserved), s->nreserved);
}

/* ALLOW_IOVAS, IOVA_RANGES, reserving and IOAS_ALLOC fail cleanly. */
static void ioas_small_commands_fail_nth(struct kunit *test)
{
	static const char *const allow_points[] = { "ioas.allowed", NULL };
	static const char *const ranges_points[] = { "obj.get", NULL };
	static const char *const reserve_points[] = { "space.reserve", NULL };
	static const char *const alloc_points[] = {
		"obj.alloc", "obj.reserve_id", NULL
	};
	static const char *const *const points[] = {
		allow_points, ranges_points, reserve_points, alloc_points,
	};
	struct ioas_fixture *fx = test->priv;
	struct small_sweep s = { .space = &ioas_fx_ioas(test, fx->id)->space };
	struct ioasim_sweep sweep = {
		.step = small_sweep_step,
		.check = small_sweep_check,
		.arg = &s,
	};

	for (s.which = 0; s.which < ARRAY_SIZE(points); s.which++)
		KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep,
							  points[s.which]),
				1);
}

static struct kunit_case ioasim_ioas_ranges_cases[] = {
	KUNIT_CASE(ioas_reserved_rules),
	KUNIT_CASE(ioas_slices_overflow),
	KUNIT_CASE(ioas_allow_iovas_rules),
	KUNIT_CASE(ioas_iova_ranges),
	KUNIT_CASE(ioas_option_rlimit_mode),
	KUNIT_CASE(ioas_option_huge_pages),
	KUNIT_CASE(ioas_small_commands_fail_nth),
	{}
};

static struct kunit_suite ioasim_ioas_ranges_suite = {
	.name = "ioasim_ioas_ranges",
	.init = ioas_fx_init,
	.test_cases = ioasim_ioas_ranges_cases,
};

kunit_test_suite(ioasim_ioas_ranges_suite);
