// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_domain_fail: an IOAS with mock domains when steps
 * fail: every fault point of an attach, a map, a copy and a cut failed in
 * turn, and a map that runs into a hole in the user's memory. Each
 * failure must leave the areas, the pins and every domain's mappings as
 * they were. The fixture is domain_fixture.c's.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/platform_device.h>
#include <linux/uaccess.h>

#include "domain_fixture.h"
#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"

struct attach_sweep {
	struct iommu_domain *d1, *d2;
	bool second;
};

static int attach_sweep_step(struct kunit *test, void *arg)
{
	struct attach_sweep *s = arg;

	return ioasim_space_add_domain(dom_space(test),
				       s->second ? s->d2 : s->d1);
}

static void attach_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct attach_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, dom_space(test)->ndomains, s->second);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d2), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d1),
			s->second ? 12 * PAGE_SIZE / IO_PG : 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), s->second ? 12 : 0);
}

/* Fail every step of attaching a first, then a second domain. */
static void domain_attach_fail_nth(struct kunit *test)
{
	static const char *const first_points[] = {
		"space.reserve", "space.domain_slot", "pages.pin",
		"space.domain_map", "mock.map", NULL
	};
	/* A second domain pins nothing: the memory is resident already. */
	static const char *const second_points[] = {
		"space.reserve", "space.domain_slot", "space.domain_map",
		"mock.map", NULL
	};
	struct attach_sweep s = { .d1 = dom_domain(test), .d2 = dom_domain(test) };
	struct ioasim_sweep sweep = {
		.step = attach_sweep_step,
		.check = attach_sweep_check,
		.arg = &s,
	};
	struct domain_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					    8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, first_points),
			8);
	/* The last run attached the first domain: detach it at the end. */
	ioasim_test_space_leave_at_end(test, fx->ctx, fx->ioas->obj.id, s.d1);
	s.second = true;
	/* Its last run attaches the second one: detached at the end too. */
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, second_points),
			4);
	KUNIT_ASSERT_EQ(test, dom_space(test)->ndomains, 2);
	ioasim_test_space_leave_at_end(test, fx->ctx, fx->ioas->obj.id, s.d2);
}

struct map_sweep {
	struct iommu_domain *d1, *d2;
};

static int map_sweep_step(struct kunit *test, void *arg)
{
	return dom_map_fixed(test, 0x400000, 0, 8 * PAGE_SIZE);
}

static void map_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct map_sweep *s = arg;
	struct interval_tree_node *node;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d1), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d2), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	node = interval_tree_iter_first(&dom_space(test)->areas, 0, ULONG_MAX);
	KUNIT_EXPECT_NULL(test, node);
	/* Not counted, not mapped, and not pinned behind the counters. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_FALSE_MSG(test, dom_user_page_pinned(test, i),
				       "page %u", i);
}

/* Fail every step of a map that two domains must follow. */
static void domain_map_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"pages.alloc", "pages.pin", "space.domain_map", "mock.map", NULL
	};
	struct map_sweep s = { .d1 = dom_domain(test), .d2 = dom_domain(test) };
	struct ioasim_sweep sweep = {
		.step = map_sweep_step,
		.check = map_sweep_check,
		.arg = &s,
	};

	dom_attach(test, s.d1);
	dom_attach(test, s.d2);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 8);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);
	dom_check_translates(test, s.d2, 0x400000, 0, 8 * PAGE_SIZE);
}

/*
 * A map whose last page is not there: GUP pins the pages before it and
 * stops short, the next batch fails, and the pages pinned and mapped so
 * far are taken back, their charge and the short batch's included.
 */
static void domain_map_over_hole(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = dom_domain(test);
	unsigned int i;

	dom_attach(test, d);
	KUNIT_ASSERT_EQ(test, vm_munmap(fx->uptr + 3 * PAGE_SIZE, PAGE_SIZE),
			0);
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, 0x400000, 0, 4 * PAGE_SIZE),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE_MSG(test, dom_user_page_pinned(test, i),
				       "page %u", i);
	/* The pages before the hole map on their own. */
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, 0x400000, 0, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 3);
}

static int copy_sweep_step(struct kunit *test, void *arg)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = FIXED_RW,
		.dst_ioas_id = fx->ioas->obj.id,
		.src_ioas_id = fx->ioas->obj.id,
		.length = 2 * PAGE_SIZE, .src_iova = 0x101000,
		.dst_iova = 0x500000,
	};

	return ioasim_ioas_copy(fx->ctx, &cmd);
}

static void copy_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct map_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 1);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 4);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d1),
			4 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d2),
			4 * PAGE_SIZE / IO_PG);
}

/*
 * Fail every step of a copy into an IOAS with two domains: the copy
 * shares its pages with the source area, so it takes the long way into
 * the domains, and each failure, in either domain, must leave the source
 * as it was. Unmapping the source afterwards walks the pages' users,
 * where a copy's registration left behind would be found freed.
 */
static void domain_copy_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"space.area_alloc", "space.domain_map", "mock.map", NULL
	};
	struct map_sweep s = { .d1 = dom_domain(test), .d2 = dom_domain(test) };
	struct ioasim_sweep sweep = {
		.step = copy_sweep_step,
		.check = copy_sweep_check,
		.arg = &s,
	};

	dom_attach(test, s.d1);
	dom_attach(test, s.d2);
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 5);
	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 2);
	KUNIT_EXPECT_EQ(test, dom_unmap(test, 0x100000, 4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 2);
	KUNIT_EXPECT_EQ(test, dom_unmap(test, 0x500000, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
}

static int cut_sweep_step(struct kunit *test, void *arg)
{
	unsigned long *iova = arg;

	return ioasim_space_cut(dom_space(test), iova, 1);
}

static void cut_sweep_check(struct kunit *test, void *arg, int rc)
{
	KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 1);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);
}

/*
 * With large pages off, an area is cut in two without touching a pin or
 * a translation; afterwards each half unmaps on its own, and the PFNs a
 * departing domain stored reach the other one for each half.
 */
static void domain_cut_area(struct kunit *test)
{
	struct iommu_domain *d1 = dom_domain(test), *d2 = dom_domain(test);
	unsigned long base = 0x100000, cut = base + 3 * PAGE_SIZE - 1;
	struct ioasim_sweep sweep = {
		.step = cut_sweep_step, .check = cut_sweep_check, .arg = &cut,
	};
	static const char *const points[] = { "space.cut", NULL };
	struct ioasim_test_joined *a1, *a2;
	struct ioasim_pages *pages;
	unsigned long iovas[2];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, base, 0, 8 * PAGE_SIZE), 0);
	a1 = dom_attach(test, d1);
	/* Large pages on and a domain attached: the domain may span it. */
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(dom_space(test), &cut, 1), -EINVAL);
	dom_detach(test, a1);
	KUNIT_ASSERT_EQ(test, ioasim_space_set_large_pages(dom_space(test), false),
			0);
	a1 = dom_attach(test, d1);
	a2 = dom_attach(test, d2);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);

	/* Not on a page; an area's first or last byte; nothing mapped. */
	iovas[0] = base + PAGE_SIZE + IO_PG - 1;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(dom_space(test), iovas, 1),
			-EINVAL);
	iovas[0] = base;
	iovas[1] = base + 8 * PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(dom_space(test), iovas, 2), 0);
	iovas[0] = 0x10000000;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(dom_space(test), iovas, 1), 0);
	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 1);

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 1);
	iovas[0] = base + 5 * PAGE_SIZE - 1;
	KUNIT_ASSERT_EQ(test, ioasim_space_cut(dom_space(test), iovas, 1), 0);
	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 3);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);
	dom_check_translates(test, d2, base, 0, 8 * PAGE_SIZE);

	/*
	 * The middle third alone, while the domain that stored the PFNs
	 * before the cut still does: exactly its pages are unpinned.
	 */
	pages = dom_area_pages(test, base);
	KUNIT_EXPECT_EQ(test, dom_unmap(test, base + 3 * PAGE_SIZE,
					2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 6);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, dom_user_page_pinned(test, i),
				    i != 3 && i != 4, "page %u", i);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d2),
			6 * PAGE_SIZE / IO_PG);
	dom_check_translates(test, d2, base, 0, 3 * PAGE_SIZE);
	dom_check_translates(test, d2, base + 5 * PAGE_SIZE, 5 * PAGE_SIZE,
			     3 * PAGE_SIZE);

	/* The storing domain goes, then the last: nothing stays pinned. */
	dom_detach(test, a1);
	KUNIT_EXPECT_EQ(test, dom_stored(pages), 0);
	dom_check_translates(test, d2, base + 5 * PAGE_SIZE, 5 * PAGE_SIZE,
			     3 * PAGE_SIZE);
	dom_detach(test, a2);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_FALSE_MSG(test, dom_user_page_pinned(test, i),
				       "page %u", i);
	KUNIT_EXPECT_EQ(test, dom_unmap(test, base, 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_count_areas(test), 0);
}

static struct kunit_case ioasim_domain_fail_cases[] = {
	KUNIT_CASE(domain_attach_fail_nth),
	KUNIT_CASE(domain_map_fail_nth),
	KUNIT_CASE(domain_map_over_hole),
	KUNIT_CASE(domain_copy_fail_nth),
	KUNIT_CASE(domain_cut_area),
	{}
};

static struct kunit_suite ioasim_domain_fail_suite = {
	.name = "ioasim_domain_fail",
	.init = dom_fx_init,
	.test_cases = ioasim_domain_fail_cases,
};

kunit_test_suite(ioasim_domain_fail_suite);
