// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_domain: an IOAS with mock IOMMU domains attached:
 * domains filled from the areas there are and following maps and unmaps,
 * one pin shared by every domain, where the PFNs are stored, alignment,
 * apertures, large pages, and a device's DMA through the domain. The
 * fixture is domain_fixture.c's.
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

/* A first domain makes every existing area resident and maps it. */
static void domain_fills_existing_areas(struct kunit *test)
{
	struct iommu_domain *d = dom_domain(test);

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					    2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);

	dom_attach(test, d);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 6);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d),
			6 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, IO_PG);
	dom_check_translates(test, d, 0x100000, 0, 4 * PAGE_SIZE);
	dom_check_translates(test, d, 0x200000, 8 * PAGE_SIZE, 2 * PAGE_SIZE);
}

/* With a domain attached, map and unmap reach it; unmap unpins. */
static void domain_follows_map_and_unmap(struct kunit *test)
{
	struct iommu_domain *d = dom_domain(test);

	dom_attach(test, d);
	/* Half a page in: the area starts in the middle of a CPU page. */
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x300000 + IO_PG, IO_PG,
					    3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 4);
	dom_check_translates(test, d, 0x300000 + IO_PG, IO_PG, 3 * PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, dom_unmap(test, 0x300000, 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
}

/* Two domains map the same areas; the memory is pinned once. */
static void domain_two_domains_one_pin(struct kunit *test)
{
	struct iommu_domain *d1 = dom_domain(test), *d2 = dom_domain(test);
	struct ioasim_test_joined *a1;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	a1 = dom_attach(test, d1);
	dom_attach(test, d2);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 4);
	dom_check_translates(test, d1, 0x100000, 0, 4 * PAGE_SIZE);
	dom_check_translates(test, d2, 0x100000, 0, 4 * PAGE_SIZE);

	/*
	 * A new map reaches both. (Each MAP makes its own pages object, so
	 * memory mapped twice is pinned twice, as upstream; COPY shares.)
	 */
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					    4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);
	dom_check_translates(test, d1, 0x200000, 8 * PAGE_SIZE, 4 * PAGE_SIZE);
	dom_check_translates(test, d2, 0x200000, 8 * PAGE_SIZE, 4 * PAGE_SIZE);

	dom_detach(test, a1);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d1), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 8);
	dom_check_translates(test, d2, 0x100000, 0, 4 * PAGE_SIZE);
}

/*
 * Once a domain maps an area, the PFNs live in the domain only; when that
 * domain goes, another one takes over, and after the last the memory is
 * unpinned (docs/design.md, §3).
 */
static void domain_stores_the_pfns(struct kunit *test)
{
	struct iommu_domain *d1 = dom_domain(test), *d2 = dom_domain(test);
	struct ioasim_pages *pages;
	struct ioasim_test_joined *a1, *a2;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, PAGE_SIZE / 2,
					    8 * PAGE_SIZE), 0);
	pages = dom_area_pages(test, 0x100000);
	a1 = dom_attach(test, d1);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 9);
	KUNIT_EXPECT_EQ(test, pages->npinned, 9);
	KUNIT_EXPECT_EQ(test, dom_stored(pages), 0);
	dom_check_pages(test, pages, 0, 9);

	a2 = dom_attach(test, d2);
	KUNIT_EXPECT_EQ(test, dom_stored(pages), 0);
	/* The storing domain goes: the other one holds them, no gap. */
	dom_detach(test, a1);
	KUNIT_EXPECT_EQ(test, dom_stored(pages), 0);
	dom_check_pages(test, pages, 0, 9);
	dom_check_translates(test, d2, 0x100000, PAGE_SIZE / 2, 8 * PAGE_SIZE);
	/* A map while a domain is attached: stored there at once. */
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x200000, 0, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, dom_stored(dom_area_pages(test, 0x200000)), 0);
	KUNIT_EXPECT_EQ(test, dom_area_pages(test, 0x200000)->npinned, 2);

	dom_detach(test, a2);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
	KUNIT_EXPECT_EQ(test, dom_stored(pages), 0);
}

/* The last domain to go releases the pins. */
static void domain_last_detach_unpins(struct kunit *test)
{
	struct iommu_domain *d = dom_domain(test);
	struct ioasim_test_joined *a;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	a = dom_attach(test, d);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 4);
	dom_detach(test, a);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, 1);
}

/* A copy maps the same memory into the domain without a second pin. */
static void domain_copy_shares_pins(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = dom_domain(test);
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = FIXED_RW,
		.dst_ioas_id = fx->ioas->obj.id,
		.src_ioas_id = fx->ioas->obj.id,
		.length = 2 * PAGE_SIZE, .src_iova = 0x101000,
		.dst_iova = 0x500000,
	};

	dom_attach(test, d);
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_copy(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 4);
	dom_check_translates(test, d, 0x500000, PAGE_SIZE, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d, 0x500000),
			iommu_iova_to_phys(d, 0x101000));
}

/* An area the domain's IO page cannot express keeps it out. */
static void domain_alignment_conflict(struct kunit *test)
{
	struct iommu_domain *d = dom_domain(test);

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 100), 0);
	KUNIT_EXPECT_EQ(test, ioasim_space_add_domain(dom_space(test), d),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, 1);
	KUNIT_EXPECT_EQ(test, dom_pinned(test), 0);
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&dom_space(test)->reserved,
							 0, ULONG_MAX));

	KUNIT_ASSERT_EQ(test, dom_unmap(test, 0x100000, PAGE_SIZE), 0);
	dom_attach(test, d);
	/* From now on such lengths are refused. */
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, 0x100000, 0, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, 0x100000 + 100, 0, IO_PG),
			-EINVAL);
}

/* Large pages cannot be turned off once domains map areas. */
static void domain_huge_pages_option(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = fx->ioas->obj.id,
		.val64 = 0,
	};
	struct ioasim_test_joined *a = dom_attach(test, dom_domain(test));

	/* A domain without areas: allowed, and the alignment follows. */
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, PAGE_SIZE);
	cmd.val64 = 1;
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, IO_PG);

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, PAGE_SIZE), 0);
	cmd.val64 = 0;
	KUNIT_EXPECT_EQ(test, ioasim_option(fx->ctx, &cmd), -EINVAL);
	KUNIT_EXPECT_FALSE(test, dom_space(test)->no_large_pages);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, IO_PG);

	/* Off, then detached: the floor stays PAGE_SIZE. */
	KUNIT_ASSERT_EQ(test, dom_unmap(test, 0x100000, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	dom_detach(test, a);
	KUNIT_EXPECT_EQ(test, dom_space(test)->iova_alignment, PAGE_SIZE);
}

/* The aperture becomes reserved IOVA while the domain is attached. */
static void domain_aperture_reserved(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = dom_domain(test);
	u64 above = IOASIM_MOCK_APERTURE_LAST + 1;
	struct iommu_iova_range r[2];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = fx->ioas->obj.id,
		.num_iovas = ARRAY_SIZE(r),
	};
	struct ioasim_test_joined *a;

	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, above, 0, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_space_add_domain(dom_space(test), d),
			-EADDRINUSE);
	KUNIT_ASSERT_EQ(test, dom_unmap(test, above, PAGE_SIZE), 0);

	a = dom_attach(test, d);
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, above, 0, PAGE_SIZE), -EINVAL);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &cmd, r), 0);
	KUNIT_ASSERT_EQ(test, cmd.num_iovas, 1);
	KUNIT_EXPECT_EQ(test, r[0].last, IOASIM_MOCK_APERTURE_LAST);
	KUNIT_EXPECT_EQ(test, cmd.out_iova_alignment, IO_PG);

	dom_detach(test, a);
	KUNIT_EXPECT_EQ(test, dom_map_fixed(test, above, 0, PAGE_SIZE), 0);
}

/* The device's DMA reaches the user's memory, both ways. */
static void domain_dma_roundtrip(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = dom_domain(test);
	size_t len = 3 * IO_PG / 2;
	u8 *out = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	u64 word = 0x5a5a1234abcd0077ULL, seen = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	dom_attach(test, d);
	dom_attach_device(test, d);
	KUNIT_ASSERT_EQ(test, dom_map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);

	/* The device writes across IO page boundaries; the user reads. */
	for (i = 0; i < len; i++)
		out[i] = i * 7 + 1;
	KUNIT_ASSERT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x100000 + 100,
						  out, len, true), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(in, (void __user *)(fx->uptr +
								 100), len),
			0);
	KUNIT_EXPECT_MEMEQ(test, in, out, len);

	/* The user writes; the device reads. */
	KUNIT_ASSERT_EQ(test, put_user(word, (u64 __user *)(fx->uptr +
							    3 * PAGE_SIZE)),
			0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_dev_dma(fx->mdev,
						  0x100000 + 3 * PAGE_SIZE,
						  &seen, sizeof(seen), false),
			0);
	KUNIT_EXPECT_EQ(test, seen, word);
}

/* DMA fails cleanly where the IOAS gives the device no access. */
static void domain_dma_faults(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = dom_domain(test);
	struct iommu_ioas_map ro = {
		.size = sizeof(ro),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = fx->ioas->obj.id, .user_va = fx->uptr,
		.length = PAGE_SIZE, .iova = 0x200000,
	};
	u64 buf = 0;

	/* Behind the identity default domain nothing is translated. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), false), -EPERM);

	dom_attach(test, d);
	dom_attach_device(test, d);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_map(fx->ctx, &ro), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), false), 0);
	KUNIT_EXPECT_EQ(test, buf, dom_marker(fx->uptr));
	/* Read-only for the device: it cannot write. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), true), -EFAULT);
	/* Nothing mapped there. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x300000, &buf,
						  sizeof(buf), false), -EFAULT);
	/* Unmapped: gone for the device too. */
	KUNIT_ASSERT_EQ(test, dom_unmap(test, 0x200000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), false), -EFAULT);
}

static struct kunit_case ioasim_domain_cases[] = {
	KUNIT_CASE(domain_fills_existing_areas),
	KUNIT_CASE(domain_follows_map_and_unmap),
	KUNIT_CASE(domain_two_domains_one_pin),
	KUNIT_CASE(domain_last_detach_unpins),
	KUNIT_CASE(domain_stores_the_pfns),
	KUNIT_CASE(domain_copy_shares_pins),
	KUNIT_CASE(domain_alignment_conflict),
	KUNIT_CASE(domain_aperture_reserved),
	KUNIT_CASE(domain_huge_pages_option),
	KUNIT_CASE(domain_dma_roundtrip),
	KUNIT_CASE(domain_dma_faults),
	{}
};

static struct kunit_suite ioasim_domain_suite = {
	.name = "ioasim_domain",
	.init = dom_fx_init,
	.test_cases = ioasim_domain_cases,
};

kunit_test_suite(ioasim_domain_suite);
