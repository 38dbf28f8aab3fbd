// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_mock_iommu: the mock IOMMU driver, driven through the
 * kernel's iommu core API the way ioasim's core drives it.
 *
 * The mock must be a real driver to the iommu core (devices really get
 * dev->iommu, a group and a default domain) and a strict one to its
 * caller: the contract checks are proven here on report-only devices,
 * whose domains count violations instead of WARNing.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>
#include <uapi/linux/iommufd.h>

#include "inject.h"
#include "helpers.h"
#include "mock.h"

KUNIT_DEFINE_ACTION_WRAPPER(platform_device_unregister_action,
			    platform_device_unregister,
			    struct platform_device *);

/*
 * The mock's count of its entries, and the entries its table holds, both
 * @n: a failed or refused call must leave neither behind.
 */
static void expect_mapped(struct kunit *test, struct iommu_domain *domain,
			  unsigned long n)
{
	XA_STATE(xas, &ioasim_mock_domain(domain)->ptes, 0);
	unsigned long walked = 0;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (!xas_retry(&xas, entry))
			walked++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain), n);
	KUNIT_EXPECT_EQ(test, walked, n);
}

static phys_addr_t test_page(struct kunit *test)
{
	void *va = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(va));
	return virt_to_phys(va);
}

/*
 * A domain for the kernel pages of test_page(): the mock checks that what
 * ioasim's domains unmap is still pinned, and nobody pins these.
 */
static struct iommu_domain *kernel_page_domain(struct kunit *test,
					       struct ioasim_mock_dev *mdev)
{
	struct iommu_domain *domain = ioasim_test_paging_domain(test, mdev);

	ioasim_mock_domain_of(domain)->unpinned_ok = true;
	return domain;
}

/* Every mock device really is behind an IOMMU once it is created. */
static void mock_dev_is_probed(struct kunit *test)
{
	struct ioasim_mock_dev *a = ioasim_test_mock_dev(test, 0);
	struct ioasim_mock_dev *b = ioasim_test_mock_dev(test, 0);
	struct iommu_domain *def;

	KUNIT_EXPECT_NOT_NULL(test, a->pdev->dev.iommu);
	KUNIT_ASSERT_NOT_NULL(test, a->pdev->dev.iommu_group);
	KUNIT_EXPECT_NOT_NULL(test, b->pdev->dev.iommu_group);
	KUNIT_EXPECT_PTR_NE(test, a->pdev->dev.iommu_group,
			    b->pdev->dev.iommu_group);
	def = iommu_get_domain_for_dev(&a->pdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_EXPECT_EQ(test, def->type, IOMMU_DOMAIN_IDENTITY);
	KUNIT_EXPECT_TRUE(test, device_iommu_capable(&a->pdev->dev,
						     IOMMU_CAP_CACHE_COHERENCY));
	KUNIT_EXPECT_FALSE(test, device_iommu_capable(&a->pdev->dev,
						      IOMMU_CAP_NOEXEC));
}

/* Other platform devices are not the mock's business. */
static void mock_ignores_other_devices(struct kunit *test)
{
	struct platform_device *pdev;

	pdev = platform_device_register_simple("ioasim_other",
					       PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  platform_device_unregister_action,
						  pdev), 0);
	KUNIT_EXPECT_NULL(test, pdev->dev.iommu_group);
	KUNIT_EXPECT_EQ(test, PTR_ERR(iommu_paging_domain_alloc(&pdev->dev)),
			-ENODEV);
}

static void mock_paging_domain(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct iommu_domain *domain = ioasim_test_paging_domain(test, mdev);

	KUNIT_EXPECT_EQ(test, domain->type, IOMMU_DOMAIN_UNMANAGED);
	KUNIT_EXPECT_EQ(test, domain->pgsize_bitmap, IOASIM_MOCK_IO_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, domain->geometry.aperture_end,
			IOASIM_MOCK_APERTURE_LAST);
	KUNIT_EXPECT_TRUE(test, domain->geometry.force_aperture);
	expect_mapped(test, domain, 0);
}

/* Translations land on the right byte of the right page, sub-page too. */
static void mock_map_translate_unmap(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct iommu_domain *domain = kernel_page_domain(test, mdev);
	phys_addr_t phys = test_page(test);
	unsigned long iova = 0x10000, half = IOASIM_MOCK_IO_PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, iommu_map(domain, iova, phys, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL),
			0);
	expect_mapped(test, domain, PAGE_SIZE / half);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + 0x12),
			phys + 0x12);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + half + 5),
			phys + half + 5);
	/* A half-page IO page at a half-page IOVA. */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x40000 + half, phys + half,
					half, IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, 0x40000 + half + 1),
			phys + half + 1);
	/* The iommu core refuses what the IO page size cannot express. */
	KUNIT_EXPECT_EQ(test, iommu_map(domain, 0x80000 + half / 2, phys,
					half, IOMMU_READ, GFP_KERNEL),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x40000 + half, half), half);
	expect_mapped(test, domain, 0);
}

static void mock_attach_detach(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct device *dev = &mdev->pdev->dev;
	struct iommu_domain *domain = kernel_page_domain(test, mdev);

	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, dev), 0);
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(dev), domain);
	iommu_detach_device(domain, dev);
	KUNIT_EXPECT_EQ(test, iommu_get_domain_for_dev(dev)->type,
			IOMMU_DOMAIN_IDENTITY);
}

static void free_128k(void *pages)
{
	__free_pages(pages, get_order(SZ_128K));
}

/* Each misuse is caught; on a report-only device it is counted. */
static void mock_contract_checks(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_REPORT);
	struct iommu_domain *domain = kernel_page_domain(test, mdev);
	phys_addr_t phys = test_page(test);
	unsigned long iova = 0x10000, half = IOASIM_MOCK_IO_PAGE_SIZE;
	size_t mapped;

	KUNIT_ASSERT_EQ(test, iommu_map(domain, iova, phys, PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);

	/* Unmapping the first half of what one map call mapped. */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova, half), half);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 1);
	expect_mapped(test, domain, 1);

	/* Unmapping from the middle of a map: refused, nothing removed. */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova + half, half), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 2);
	expect_mapped(test, domain, 1);

	/* Translating what is not mapped. */
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, 0x90000), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 3);

	/* Mapping over a mapping: refused, nothing changes. */
	KUNIT_EXPECT_EQ(test, iommu_map(domain, iova, phys, PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), -EEXIST);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 4);
	expect_mapped(test, domain, 1);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + half),
			phys + half);

	/* Unmapping a hole. */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0xa0000, half), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 5);

	/* Unmapping two maps and the hole between them in one call. */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x20000, phys, half,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x20000 + 2 * half, phys, half,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x20000, 3 * half),
			3 * half);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 6);

	/* A map and the hole after it: the hole, and an end that is none. */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x70000, phys, half,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x70000, 2 * half),
			2 * half);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 8);
	expect_mapped(test, domain, 1);

	/* Misaligned requests, straight to the driver. */
	KUNIT_EXPECT_EQ(test, domain->ops->map_pages(domain, 0x30008, phys,
						     half, 1, IOMMU_READ,
						     GFP_KERNEL, &mapped),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 9);
	KUNIT_EXPECT_EQ(test, domain->ops->unmap_pages(domain, iova + 8, half,
						       1, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 10);
	expect_mapped(test, domain, 1);

	/* Once told to keep DMA coherent, a map must ask for IOMMU_CACHE. */
	KUNIT_ASSERT_TRUE(test, domain->ops->enforce_cache_coherency(domain));
	KUNIT_EXPECT_EQ(test, iommu_map(domain, 0x40000, phys, PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 11);
	expect_mapped(test, domain, 1);
	KUNIT_EXPECT_EQ(test, iommu_map(domain, 0x40000, phys, PAGE_SIZE,
					IOMMU_READ | IOMMU_CACHE, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x40000, PAGE_SIZE),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 11);

	/* Half of a map, straight to the driver, with no gather to sync. */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x60000, phys, PAGE_SIZE,
					IOMMU_READ | IOMMU_CACHE, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, domain->ops->unmap_pages(domain, 0x60000, half,
						       1, NULL), half);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 12);

	/* Unmapping a page nobody holds pinned: once per CPU page. */
	ioasim_mock_domain_of(domain)->unpinned_ok = false;
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x50000, phys, PAGE_SIZE,
					IOMMU_READ | IOMMU_CACHE, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x50000, PAGE_SIZE),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 13);

	/* Freeing a domain that still maps something. */
	ioasim_test_domain_free(test, domain);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 14);
}

/* Map [iova, iova + length) a CPU page per call, all onto @phys. */
static void map_page_by_page(struct kunit *test, struct iommu_domain *domain,
			     unsigned long iova, unsigned long length,
			     phys_addr_t phys)
{
	unsigned long off;

	for (off = 0; off < length; off += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, iommu_map(domain, iova + off, phys,
						PAGE_SIZE, IOMMU_READ |
						IOMMU_CACHE, GFP_KERNEL), 0);
}

/*
 * An unmap that covers whole leaves of the table drops them at once; the
 * leaves it covers in part are emptied entry by entry. Either way every
 * entry is checked: a hole or an unpinned page inside a whole leaf is
 * still caught, once per IO page and once per CPU page.
 */
static void mock_unmap_whole_leaves(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_REPORT);
	struct iommu_domain *domain = kernel_page_domain(test, mdev);
	unsigned long leaf = XA_CHUNK_SIZE * IOASIM_MOCK_IO_PAGE_SIZE;
	unsigned long base = 16 * leaf, start = base + leaf / 2;
	phys_addr_t phys = test_page(test);

	/* Half a leaf, two whole ones, half a leaf. */
	map_page_by_page(test, domain, start, 3 * leaf, phys);
	expect_mapped(test, domain, 3 * XA_CHUNK_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, start, 3 * leaf), 3 * leaf);
	expect_mapped(test, domain, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 0);

	/* A CPU page missing in the middle of a whole leaf: two holes. */
	map_page_by_page(test, domain, base, leaf / 2, phys);
	map_page_by_page(test, domain, base + leaf / 2 + PAGE_SIZE,
			 leaf / 2 - PAGE_SIZE, phys);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, base, leaf), leaf);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations),
			PAGE_SIZE / IOASIM_MOCK_IO_PAGE_SIZE);
	expect_mapped(test, domain, 0);

	/* Nobody pins the kernel page: one report per CPU page. */
	ioasim_mock_domain_of(domain)->unpinned_ok = false;
	map_page_by_page(test, domain, base, leaf, phys);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, base, leaf), leaf);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations),
			PAGE_SIZE / IOASIM_MOCK_IO_PAGE_SIZE + leaf / PAGE_SIZE);
	expect_mapped(test, domain, 0);
}

/*
 * Huge-IOVA domains map with larger IO pages where IOVA and memory allow,
 * and an unmap that the iommu core cuts differently from the map is still
 * whole.
 */
static void mock_huge_iova(struct kunit *test)
{
	struct ioasim_mock_dev *mdev =
		ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_HUGE_IOVA |
				     IOASIM_MOCK_DEV_REPORT);
	struct iommu_domain *domain = kernel_page_domain(test, mdev);
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);
	unsigned long half = IOASIM_MOCK_IO_PAGE_SIZE, iova = 0x100000;
	struct page *pages;
	phys_addr_t phys;

	KUNIT_EXPECT_EQ(test, domain->pgsize_bitmap,
			IOASIM_MOCK_IO_PAGE_SIZE | IOASIM_MOCK_LARGE_PAGE_SIZES);
	/* 128 KiB physically contiguous, 64 KiB aligned. */
	pages = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_128k,
							pages), 0);
	phys = page_to_phys(pages);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(phys, SZ_64K));

	/* Aligned alike: 64 KiB IO pages. */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, iova, phys, SZ_128K,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&md->large_maps), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(domain, iova + SZ_64K + 8),
			phys + SZ_64K + 8);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova, SZ_128K), SZ_128K);

	/*
	 * Memory a half IO page off the IOVA's alignment: the map is cut into
	 * small pieces, the unmap by IOVA into large ones; still whole.
	 */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, iova - half, phys, SZ_64K,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova - half, SZ_64K),
			SZ_64K);
	expect_mapped(test, domain, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 0);
}

static void free_domain(void *domain)
{
	iommu_domain_free(domain);
}

/*
 * A large IO page has one dirty bit: a write anywhere in it makes all of
 * it dirty, a read reports it from where the read meets it to its end,
 * and clears it whole.
 */
static void mock_huge_iova_dirty(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test,
						IOASIM_MOCK_DEV_HUGE_IOVA |
						IOASIM_MOCK_DEV_REPORT);
	struct device *dev = &mdev->pdev->dev;
	struct iommu_domain *domain;
	struct iommu_iotlb_gather found;
	struct iommu_dirty_bitmap bitmap;
	unsigned long iova = 0x100000;
	struct page *pages;
	int rc;

	domain = dev->iommu->iommu_dev->ops->domain_alloc_user(dev,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_domain,
							domain), 0);
	ioasim_mock_domain_of(domain)->unpinned_ok = true;
	pages = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_128k,
							pages), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, iova, page_to_phys(pages),
					SZ_128K, IOMMU_READ | IOMMU_WRITE,
					GFP_KERNEL), 0);

	/* One IO page written in the second 64 KiB page. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_mark_dirty(ioasim_mock_domain(domain),
						     iova + SZ_64K + SZ_8K,
						     IOASIM_MOCK_IO_PAGE_SIZE),
			1);
	/* A read of its last half: from there to the page's end. */
	iommu_dirty_bitmap_init(&bitmap, NULL, &found);
	rc = domain->dirty_ops->read_and_clear_dirty(domain,
						     iova + SZ_64K + SZ_32K,
						     SZ_16K, 0, &bitmap);
	KUNIT_EXPECT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, found.start, iova + SZ_64K + SZ_32K);
	KUNIT_EXPECT_EQ(test, found.end, iova + SZ_128K - 1);
	/* Cleared whole: the first half is clean now too. */
	iommu_dirty_bitmap_init(&bitmap, NULL, &found);
	rc = domain->dirty_ops->read_and_clear_dirty(domain, iova, SZ_128K, 0,
						     &bitmap);
	KUNIT_EXPECT_EQ(test, rc, 0);
	KUNIT_EXPECT_GT(test, found.start, found.end);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 0);

	/* Reads the caller gets wrong: misaligned, or of unmapped IOVA. */
	rc = domain->dirty_ops->read_and_clear_dirty(domain, iova + 8, SZ_16K,
						     0, &bitmap);
	KUNIT_EXPECT_EQ(test, rc, -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 1);
	rc = domain->dirty_ops->read_and_clear_dirty(domain, iova + SZ_128K,
						     SZ_16K, 0, &bitmap);
	KUNIT_EXPECT_EQ(test, rc, -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 2);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, iova, SZ_128K), SZ_128K);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdev->violations), 2);
}

/* Domain allocation and map fail through the project's fault hook. */
static void mock_fault_points(struct kunit *test)
{
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct iommu_domain *domain = kernel_page_domain(test, mdev);
	struct ioasim_inject_plan plan = { .fail_nth = 1 };
	phys_addr_t phys = test_page(test);
	struct iommu_domain *failed;
	int rc;

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	failed = iommu_paging_domain_alloc(&mdev->pdev->dev);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_EQ(test, PTR_ERR(failed), -ENOMEM);
	KUNIT_EXPECT_STREQ(test, plan.failed, "mock.domain_alloc");

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	rc = iommu_map(domain, 0x10000, phys, PAGE_SIZE, IOMMU_READ,
		       GFP_KERNEL);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
	KUNIT_EXPECT_STREQ(test, plan.failed, "mock.map");
	expect_mapped(test, domain, 0);

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ioasim_mock_dev_create(0)), -ENOMEM);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_STREQ(test, plan.failed, "mock.dev_alloc");

	plan.fail_nth = 2;
	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ioasim_mock_dev_create(0)), -ENOMEM);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_STREQ(test, plan.failed, "mock.dev_add");
}

static struct kunit_case ioasim_mock_iommu_cases[] = {
	KUNIT_CASE(mock_dev_is_probed),
	KUNIT_CASE(mock_ignores_other_devices),
	KUNIT_CASE(mock_paging_domain),
	KUNIT_CASE(mock_huge_iova),
	KUNIT_CASE(mock_huge_iova_dirty),
	KUNIT_CASE(mock_map_translate_unmap),
	KUNIT_CASE(mock_attach_detach),
	KUNIT_CASE(mock_contract_checks),
	KUNIT_CASE(mock_unmap_whole_leaves),
	KUNIT_CASE(mock_fault_points),
	{}
};

static struct kunit_suite ioasim_mock_iommu_suite = {
	.name = "ioasim_mock_iommu",
	.test_cases = ioasim_mock_iommu_cases,
};

kunit_test_suite(ioasim_mock_iommu_suite);
