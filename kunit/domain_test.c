// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_domain: an IOAS with mock IOMMU domains attached.
 *
 * The user buffer carries a marker at the start of every IO page, so a
 * translation is checked by reading through the domain: the marker found
 * at iommu_iova_to_phys() must be the one userspace wrote at the mapped
 * address. Pins are observed in the mm's pinned_vm, which counts every
 * pinned page once whoever is charged.
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"

#define NPAGES 32
#define IO_PG IOASIM_MOCK_IO_PAGE_SIZE
#define FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
		  IOMMU_IOAS_MAP_WRITEABLE)

struct domain_fixture {
	struct ioasim_ctx *ctx;
	struct ioasim_ioas *ioas;
	struct ioasim_mock_dev *mdev;
	unsigned long uptr;
	struct mm_struct *mm;
	s64 pinned_base;
};

static u64 marker(unsigned long uaddr)
{
	return 0x10a5000000000000ULL | uaddr;
}

static s64 pinned(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return atomic64_read(&fx->mm->pinned_vm) - fx->pinned_base;
}

static struct ioasim_space *space(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return &fx->ioas->space;
}

static int map_fixed(struct kunit *test, u64 iova, unsigned long uoff,
		     u64 length)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = FIXED_RW,
		.ioas_id = fx->ioas->obj.id, .user_va = fx->uptr + uoff,
		.length = length, .iova = iova,
	};

	return ioasim_ioas_map(fx->ctx, &cmd);
}

static int unmap(struct kunit *test, u64 iova, u64 length)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = fx->ioas->obj.id,
		.iova = iova, .length = length,
	};

	return ioasim_ioas_unmap(fx->ctx, &cmd);
}

static struct iommu_domain *domain(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return ioasim_test_paging_domain(test, fx->mdev);
}

struct attached {
	struct ioasim_space *space;
	struct iommu_domain *domain;
};

static void detach_action(void *data)
{
	struct attached *a = data;

	ioasim_space_remove_domain(a->space, a->domain);
}

/* Attach @d to the fixture's IOAS until the case ends (or detach()). */
static struct attached *attach(struct kunit *test, struct iommu_domain *d)
{
	struct attached *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->space = space(test);
	a->domain = d;
	rc = ioasim_space_add_domain(a->space, d);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "adding the domain: %pe", ERR_PTR(rc));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, detach_action,
							a), 0);
	return a;
}

static void detach(struct kunit *test, struct attached *a)
{
	kunit_release_action(test, detach_action, a);
}

/* [iova, iova + length) must lead to the user bytes at uoff. */
static void check_translates(struct kunit *test, struct iommu_domain *d,
			     u64 iova, unsigned long uoff, u64 length)
{
	struct domain_fixture *fx = test->priv;
	u64 k;

	for (k = 0; k < length; k += IO_PG) {
		phys_addr_t phys = iommu_iova_to_phys(d, iova + k);
		u64 *va;

		KUNIT_ASSERT_NE_MSG(test, phys, 0, "iova %llx unmapped",
				    iova + k);
		va = phys_to_virt(phys);
		KUNIT_EXPECT_EQ_MSG(test, *va, marker(fx->uptr + uoff + k),
				    "iova %llx", iova + k);
	}
}

/* A first domain makes every existing area resident and maps it. */
static void domain_fills_existing_areas(struct kunit *test)
{
	struct iommu_domain *d = domain(test);

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);

	attach(test, d);
	KUNIT_EXPECT_EQ(test, pinned(test), 6);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d),
			6 * PAGE_SIZE / IO_PG);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, IO_PG);
	check_translates(test, d, 0x100000, 0, 4 * PAGE_SIZE);
	check_translates(test, d, 0x200000, 8 * PAGE_SIZE, 2 * PAGE_SIZE);
}

/* With a domain attached, map and unmap reach it; unmap unpins. */
static void domain_follows_map_and_unmap(struct kunit *test)
{
	struct iommu_domain *d = domain(test);

	attach(test, d);
	/* Half a page in: the area starts in the middle of a CPU page. */
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x300000 + IO_PG, IO_PG,
					3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	check_translates(test, d, 0x300000 + IO_PG, IO_PG, 3 * PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, unmap(test, 0x300000, 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
}

/* Two domains map the same areas; the memory is pinned once. */
static void domain_two_domains_one_pin(struct kunit *test)
{
	struct iommu_domain *d1 = domain(test), *d2 = domain(test);
	struct attached *a1;

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	a1 = attach(test, d1);
	attach(test, d2);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	check_translates(test, d1, 0x100000, 0, 4 * PAGE_SIZE);
	check_translates(test, d2, 0x100000, 0, 4 * PAGE_SIZE);

	/*
	 * A new map reaches both. (Each MAP makes its own pages object, so
	 * memory mapped twice is pinned twice, as upstream; COPY shares.)
	 */
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);
	check_translates(test, d1, 0x200000, 8 * PAGE_SIZE, 4 * PAGE_SIZE);
	check_translates(test, d2, 0x200000, 8 * PAGE_SIZE, 4 * PAGE_SIZE);

	detach(test, a1);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d1), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);
	check_translates(test, d2, 0x100000, 0, 4 * PAGE_SIZE);
}

/* The pages object of the area at @iova. */
static struct ioasim_pages *area_pages(struct kunit *test, u64 iova)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&space(test)->areas, iova, iova);
	KUNIT_ASSERT_NOT_NULL(test, node);
	return container_of(node, struct ioasim_area, node)->pages;
}

static unsigned long stored(struct ioasim_pages *pages)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&pages->pinned, index, entry)
		n++;
	return n;
}

/* Each index's page, found wherever it is stored, is the user's one. */
static void check_pages(struct kunit *test, struct ioasim_pages *pages,
			unsigned long uoff, unsigned long npages)
{
	struct domain_fixture *fx = test->priv;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = ioasim_pages_page(pages, i);

		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_EQ(test, *(u64 *)page_address(page),
				marker(fx->uptr + uoff + i * PAGE_SIZE));
	}
}

/*
 * Once a domain maps an area, the PFNs live in the domain only; when that
 * domain goes, another one takes over, and after the last the memory is
 * unpinned (docs/design.md, §3).
 */
static void domain_stores_the_pfns(struct kunit *test)
{
	struct iommu_domain *d1 = domain(test), *d2 = domain(test);
	struct ioasim_pages *pages;
	struct attached *a1, *a2;

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, PAGE_SIZE / 2,
					8 * PAGE_SIZE), 0);
	pages = area_pages(test, 0x100000);
	a1 = attach(test, d1);
	KUNIT_EXPECT_EQ(test, pinned(test), 9);
	KUNIT_EXPECT_EQ(test, pages->npinned, 9);
	KUNIT_EXPECT_EQ(test, stored(pages), 0);
	check_pages(test, pages, 0, 9);

	a2 = attach(test, d2);
	KUNIT_EXPECT_EQ(test, stored(pages), 0);
	/* The storing domain goes: the other one holds them, no gap. */
	detach(test, a1);
	KUNIT_EXPECT_EQ(test, stored(pages), 0);
	check_pages(test, pages, 0, 9);
	check_translates(test, d2, 0x100000, PAGE_SIZE / 2, 8 * PAGE_SIZE);
	/* A map while a domain is attached: stored there at once. */
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x200000, 0, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, stored(area_pages(test, 0x200000)), 0);
	KUNIT_EXPECT_EQ(test, area_pages(test, 0x200000)->npinned, 2);

	detach(test, a2);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
	KUNIT_EXPECT_EQ(test, stored(pages), 0);
}

/* The last domain to go releases the pins. */
static void domain_last_detach_unpins(struct kunit *test)
{
	struct iommu_domain *d = domain(test);
	struct attached *a;

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	a = attach(test, d);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	detach(test, a);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, 1);
}

/* A copy maps the same memory into the domain without a second pin. */
static void domain_copy_shares_pins(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = domain(test);
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = FIXED_RW,
		.dst_ioas_id = fx->ioas->obj.id,
		.src_ioas_id = fx->ioas->obj.id,
		.length = 2 * PAGE_SIZE, .src_iova = 0x101000,
		.dst_iova = 0x500000,
	};

	attach(test, d);
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_copy(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	check_translates(test, d, 0x500000, PAGE_SIZE, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d, 0x500000),
			iommu_iova_to_phys(d, 0x101000));
}

/* An area the domain's IO page cannot express keeps it out. */
static void domain_alignment_conflict(struct kunit *test)
{
	struct iommu_domain *d = domain(test);

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 100), 0);
	KUNIT_EXPECT_EQ(test, ioasim_space_add_domain(space(test), d),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, 1);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&space(test)->reserved,
							 0, ULONG_MAX));

	KUNIT_ASSERT_EQ(test, unmap(test, 0x100000, PAGE_SIZE), 0);
	attach(test, d);
	/* From now on such lengths are refused. */
	KUNIT_EXPECT_EQ(test, map_fixed(test, 0x100000, 0, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_fixed(test, 0x100000 + 100, 0, IO_PG),
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
	struct attached *a = attach(test, domain(test));

	/* A domain without areas: allowed, and the alignment follows. */
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, PAGE_SIZE);
	cmd.val64 = 1;
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, IO_PG);

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, PAGE_SIZE), 0);
	cmd.val64 = 0;
	KUNIT_EXPECT_EQ(test, ioasim_option(fx->ctx, &cmd), -EINVAL);
	KUNIT_EXPECT_FALSE(test, space(test)->no_large_pages);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, IO_PG);

	/* Off, then detached: the floor stays PAGE_SIZE. */
	KUNIT_ASSERT_EQ(test, unmap(test, 0x100000, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ioasim_option(fx->ctx, &cmd), 0);
	detach(test, a);
	KUNIT_EXPECT_EQ(test, space(test)->iova_alignment, PAGE_SIZE);
}

/* The aperture becomes reserved IOVA while the domain is attached. */
static void domain_aperture_reserved(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = domain(test);
	u64 above = IOASIM_MOCK_APERTURE_LAST + 1;
	struct iommu_iova_range r[2];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = fx->ioas->obj.id,
		.num_iovas = ARRAY_SIZE(r),
	};
	struct attached *a;

	KUNIT_ASSERT_EQ(test, map_fixed(test, above, 0, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_space_add_domain(space(test), d),
			-EADDRINUSE);
	KUNIT_ASSERT_EQ(test, unmap(test, above, PAGE_SIZE), 0);

	a = attach(test, d);
	KUNIT_EXPECT_EQ(test, map_fixed(test, above, 0, PAGE_SIZE), -EINVAL);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_iova_ranges(fx->ctx, &cmd, r), 0);
	KUNIT_ASSERT_EQ(test, cmd.num_iovas, 1);
	KUNIT_EXPECT_EQ(test, r[0].last, IOASIM_MOCK_APERTURE_LAST);
	KUNIT_EXPECT_EQ(test, cmd.out_iova_alignment, IO_PG);

	detach(test, a);
	KUNIT_EXPECT_EQ(test, map_fixed(test, above, 0, PAGE_SIZE), 0);
}

struct dev_attach {
	struct iommu_domain *domain;
	struct device *dev;
};

static void dev_detach_action(void *data)
{
	struct dev_attach *da = data;

	iommu_detach_device(da->domain, da->dev);
}

/* Put the fixture's device behind @d until the case ends. */
static void attach_device(struct kunit *test, struct iommu_domain *d)
{
	struct domain_fixture *fx = test->priv;
	struct dev_attach *da = kunit_kzalloc(test, sizeof(*da), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, da);
	da->domain = d;
	da->dev = &fx->mdev->pdev->dev;
	KUNIT_ASSERT_EQ(test, iommu_attach_device(d, da->dev), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dev_detach_action,
							da), 0);
}

/* The device's DMA reaches the user's memory, both ways. */
static void domain_dma_roundtrip(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = domain(test);
	size_t len = 3 * IO_PG / 2;
	u8 *out = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	u64 word = 0x5a5a1234abcd0077ULL, seen = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	attach(test, d);
	attach_device(test, d);
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);

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
	struct iommu_domain *d = domain(test);
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

	attach(test, d);
	attach_device(test, d);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_map(fx->ctx, &ro), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), false), 0);
	KUNIT_EXPECT_EQ(test, buf, marker(fx->uptr));
	/* Read-only for the device: it cannot write. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), true), -EFAULT);
	/* Nothing mapped there. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x300000, &buf,
						  sizeof(buf), false), -EFAULT);
	/* Unmapped: gone for the device too. */
	KUNIT_ASSERT_EQ(test, unmap(test, 0x200000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_dev_dma(fx->mdev, 0x200000, &buf,
						  sizeof(buf), false), -EFAULT);
}

struct attach_sweep {
	struct iommu_domain *d1, *d2;
	bool second;
};

static int attach_sweep_step(struct kunit *test, void *arg)
{
	struct attach_sweep *s = arg;

	return ioasim_space_add_domain(space(test),
				       s->second ? s->d2 : s->d1);
}

static void attach_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct attach_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, space(test)->ndomains, s->second);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d2), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d1),
			s->second ? 12 * PAGE_SIZE / IO_PG : 0);
	KUNIT_EXPECT_EQ(test, pinned(test), s->second ? 12 : 0);
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
	struct attach_sweep s = { .d1 = domain(test), .d2 = domain(test) };
	struct ioasim_sweep sweep = {
		.step = attach_sweep_step,
		.check = attach_sweep_check,
		.arg = &s,
	};
	struct attached *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct attached *a2 = kunit_kzalloc(test, sizeof(*a2), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, a2);
	a->space = space(test);
	a->domain = s.d1;
	a2->space = space(test);
	a2->domain = s.d2;

	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x200000, 8 * PAGE_SIZE,
					8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, first_points),
			8);
	/* The last run attached the first domain: detach it at the end. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, detach_action,
							a), 0);
	s.second = true;
	/* Its last run attaches the second one: detached at the end too. */
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, second_points),
			4);
	KUNIT_ASSERT_EQ(test, space(test)->ndomains, 2);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, detach_action,
							a2), 0);
}

struct map_sweep {
	struct iommu_domain *d1, *d2;
};

static int map_sweep_step(struct kunit *test, void *arg)
{
	return map_fixed(test, 0x400000, 0, 8 * PAGE_SIZE);
}

static bool user_page_pinned(struct kunit *test, unsigned int i);
static unsigned int count_areas(struct kunit *test);

static void map_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct map_sweep *s = arg;
	struct interval_tree_node *node;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d1), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(s->d2), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	node = interval_tree_iter_first(&space(test)->areas, 0, ULONG_MAX);
	KUNIT_EXPECT_NULL(test, node);
	/* Not counted, not mapped, and not pinned behind the counters. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_FALSE_MSG(test, user_page_pinned(test, i),
				       "page %u", i);
}

/* Fail every step of a map that two domains must follow. */
static void domain_map_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"pages.alloc", "pages.pin", "space.domain_map", "mock.map", NULL
	};
	struct map_sweep s = { .d1 = domain(test), .d2 = domain(test) };
	struct ioasim_sweep sweep = {
		.step = map_sweep_step,
		.check = map_sweep_check,
		.arg = &s,
	};

	attach(test, s.d1);
	attach(test, s.d2);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 8);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);
	check_translates(test, s.d2, 0x400000, 0, 8 * PAGE_SIZE);
}

/*
 * A map whose last page is not there: GUP pins the pages before it and
 * stops short, the next batch fails, and the pages pinned and mapped so
 * far are taken back, their charge and the short batch's included.
 */
static void domain_map_over_hole(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_domain *d = domain(test);
	unsigned int i;

	attach(test, d);
	KUNIT_ASSERT_EQ(test, vm_munmap(fx->uptr + 3 * PAGE_SIZE, PAGE_SIZE),
			0);
	KUNIT_EXPECT_EQ(test, map_fixed(test, 0x400000, 0, 4 * PAGE_SIZE),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE_MSG(test, user_page_pinned(test, i),
				       "page %u", i);
	/* The pages before the hole map on their own. */
	KUNIT_EXPECT_EQ(test, map_fixed(test, 0x400000, 0, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 3);
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

	KUNIT_EXPECT_EQ(test, count_areas(test), 1);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
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
	struct map_sweep s = { .d1 = domain(test), .d2 = domain(test) };
	struct ioasim_sweep sweep = {
		.step = copy_sweep_step,
		.check = copy_sweep_check,
		.arg = &s,
	};

	attach(test, s.d1);
	attach(test, s.d2);
	KUNIT_ASSERT_EQ(test, map_fixed(test, 0x100000, 0, 4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 5);
	KUNIT_EXPECT_EQ(test, count_areas(test), 2);
	KUNIT_EXPECT_EQ(test, unmap(test, 0x100000, 4 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
	KUNIT_EXPECT_EQ(test, unmap(test, 0x500000, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
}

/* Whether the fixture's user page @i is pinned (by its GUP pin bias). */
static bool user_page_pinned(struct kunit *test, unsigned int i)
{
	struct domain_fixture *fx = test->priv;
	struct page *page;
	bool pinned;

	KUNIT_ASSERT_EQ(test, get_user_pages_fast(fx->uptr + i * PAGE_SIZE, 1,
						  0, &page), 1);
	pinned = page_ref_count(page) >= GUP_PIN_COUNTING_BIAS;
	put_page(page);
	return pinned;
}

static unsigned int count_areas(struct kunit *test)
{
	struct interval_tree_node *node;
	unsigned int n = 0;

	for (node = interval_tree_iter_first(&space(test)->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX))
		n++;
	return n;
}

static int cut_sweep_step(struct kunit *test, void *arg)
{
	unsigned long *iova = arg;

	return ioasim_space_cut(space(test), iova, 1);
}

static void cut_sweep_check(struct kunit *test, void *arg, int rc)
{
	KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
	KUNIT_EXPECT_EQ(test, count_areas(test), 1);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);
}

/*
 * With large pages off, an area is cut in two without touching a pin or
 * a translation; afterwards each half unmaps on its own, and the PFNs a
 * departing domain stored reach the other one for each half.
 */
static void domain_cut_area(struct kunit *test)
{
	struct iommu_domain *d1 = domain(test), *d2 = domain(test);
	unsigned long base = 0x100000, cut = base + 3 * PAGE_SIZE - 1;
	struct ioasim_sweep sweep = {
		.step = cut_sweep_step, .check = cut_sweep_check, .arg = &cut,
	};
	static const char *const points[] = { "space.cut", NULL };
	struct attached *a1, *a2;
	struct ioasim_pages *pages;
	unsigned long iovas[2];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, map_fixed(test, base, 0, 8 * PAGE_SIZE), 0);
	a1 = attach(test, d1);
	/* Large pages on and a domain attached: the domain may span it. */
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(space(test), &cut, 1), -EINVAL);
	detach(test, a1);
	KUNIT_ASSERT_EQ(test, ioasim_space_set_large_pages(space(test), false),
			0);
	a1 = attach(test, d1);
	a2 = attach(test, d2);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);

	/* Not on a page; an area's first or last byte; nothing mapped. */
	iovas[0] = base + PAGE_SIZE + IO_PG - 1;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(space(test), iovas, 1),
			-EINVAL);
	iovas[0] = base;
	iovas[1] = base + 8 * PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(space(test), iovas, 2), 0);
	iovas[0] = 0x10000000;
	KUNIT_EXPECT_EQ(test, ioasim_space_cut(space(test), iovas, 1), 0);
	KUNIT_EXPECT_EQ(test, count_areas(test), 1);

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 1);
	iovas[0] = base + 5 * PAGE_SIZE - 1;
	KUNIT_ASSERT_EQ(test, ioasim_space_cut(space(test), iovas, 1), 0);
	KUNIT_EXPECT_EQ(test, count_areas(test), 3);
	KUNIT_EXPECT_EQ(test, pinned(test), 8);
	check_translates(test, d2, base, 0, 8 * PAGE_SIZE);

	/*
	 * The middle third alone, while the domain that stored the PFNs
	 * before the cut still does: exactly its pages are unpinned.
	 */
	pages = area_pages(test, base);
	KUNIT_EXPECT_EQ(test, unmap(test, base + 3 * PAGE_SIZE,
				    2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 6);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, user_page_pinned(test, i),
				    i != 3 && i != 4, "page %u", i);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(d2),
			6 * PAGE_SIZE / IO_PG);
	check_translates(test, d2, base, 0, 3 * PAGE_SIZE);
	check_translates(test, d2, base + 5 * PAGE_SIZE, 5 * PAGE_SIZE,
			 3 * PAGE_SIZE);

	/* The storing domain goes, then the last: nothing stays pinned. */
	detach(test, a1);
	KUNIT_EXPECT_EQ(test, stored(pages), 0);
	check_translates(test, d2, base + 5 * PAGE_SIZE, 5 * PAGE_SIZE,
			 3 * PAGE_SIZE);
	detach(test, a2);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_FALSE_MSG(test, user_page_pinned(test, i),
				       "page %u", i);
	KUNIT_EXPECT_EQ(test, unmap(test, base, 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, count_areas(test), 0);
}

static void domain_fixture_release(void *data)
{
	struct domain_fixture *fx = data;

	mmdrop(fx->mm);
}

static int domain_init(struct kunit *test)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct domain_fixture *fx;
	unsigned long k;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem(test, NPAGES * PAGE_SIZE,
					PROT_READ | PROT_WRITE);
	for (k = 0; k < NPAGES * PAGE_SIZE; k += IO_PG)
		KUNIT_ASSERT_EQ(test, put_user(marker(fx->uptr + k),
					       (u64 __user *)(fx->uptr + k)),
				0);
	fx->mm = current->mm;
	mmgrab(fx->mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							domain_fixture_release,
							fx), 0);
	fx->pinned_base = atomic64_read(&fx->mm->pinned_vm);
	/* Devices and domains outlive the context (freed after it). */
	fx->mdev = ioasim_test_mock_dev(test, 0);
	fx->ctx = ioasim_test_ctx(test);
	KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(fx->ctx, &alloc), 0);
	fx->ioas = ioasim_ioas_get(fx->ctx, alloc.out_ioas_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->ioas));
	/* The context's table keeps the IOAS for the whole case. */
	ioasim_ioas_put(fx->ctx, fx->ioas);
	return 0;
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
	KUNIT_CASE(domain_attach_fail_nth),
	KUNIT_CASE(domain_map_fail_nth),
	KUNIT_CASE(domain_map_over_hole),
	KUNIT_CASE(domain_copy_fail_nth),
	KUNIT_CASE(domain_cut_area),
	{}
};

static struct kunit_suite ioasim_domain_suite = {
	.name = "ioasim_domain",
	.init = domain_init,
	.test_cases = ioasim_domain_cases,
};

kunit_test_suite(ioasim_domain_suite);
