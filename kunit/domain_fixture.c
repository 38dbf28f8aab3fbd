// SPDX-License-Identifier: GPL-2.0-only
/*
 * The domain suites' fixture and its helpers (see domain_fixture.h).
 */
#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "domain_fixture.h"
#include "helpers.h"
#include "ioas.h"

s64 dom_pinned(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return atomic64_read(&fx->mm->pinned_vm) - fx->pinned_base;
}

struct ioasim_space *dom_space(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return &fx->ioas->space;
}

int dom_map_fixed(struct kunit *test, u64 iova, unsigned long uoff,
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

int dom_unmap(struct kunit *test, u64 iova, u64 length)
{
	struct domain_fixture *fx = test->priv;
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = fx->ioas->obj.id,
		.iova = iova, .length = length,
	};

	return ioasim_ioas_unmap(fx->ctx, &cmd);
}

struct iommu_domain *dom_domain(struct kunit *test)
{
	struct domain_fixture *fx = test->priv;

	return ioasim_test_paging_domain(test, fx->mdev);
}

struct ioasim_test_joined *dom_attach(struct kunit *test,
				      struct iommu_domain *d)
{
	struct domain_fixture *fx = test->priv;

	return ioasim_test_space_join(test, fx->ctx, fx->ioas->obj.id, d);
}

void dom_detach(struct kunit *test, struct ioasim_test_joined *j)
{
	ioasim_test_space_leave(test, j);
}

/* Put the fixture's device behind @d until the case ends. */
void dom_attach_device(struct kunit *test, struct iommu_domain *d)
{
	struct domain_fixture *fx = test->priv;

	ioasim_test_attach_device(test, d, fx->mdev);
}

/* [iova, iova + length) must lead to the user bytes at uoff. */
void dom_check_translates(struct kunit *test, struct iommu_domain *d,
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
		KUNIT_EXPECT_EQ_MSG(test, *va, dom_marker(fx->uptr + uoff + k),
				    "iova %llx", iova + k);
	}
}

/* The pages object of the area at @iova. */
struct ioasim_pages *dom_area_pages(struct kunit *test, u64 iova)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&dom_space(test)->areas, iova, iova);
	KUNIT_ASSERT_NOT_NULL(test, node);
	return container_of(node, struct ioasim_area, node)->pages;
}

unsigned long dom_stored(struct ioasim_pages *pages)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&pages->pinned, index, entry)
		n++;
	return n;
}

/* Each index's page, found wherever it is stored, is the user's one. */
void dom_check_pages(struct kunit *test, struct ioasim_pages *pages,
		     unsigned long uoff, unsigned long npages)
{
	struct domain_fixture *fx = test->priv;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = ioasim_pages_page(pages, i);

		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_EQ(test, *(u64 *)page_address(page),
				dom_marker(fx->uptr + uoff + i * PAGE_SIZE));
	}
}

/* Whether the fixture's user page @i is pinned (by its GUP pin bias). */
bool dom_user_page_pinned(struct kunit *test, unsigned int i)
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

unsigned int dom_count_areas(struct kunit *test)
{
	struct interval_tree_node *node;
	unsigned int n = 0;

	for (node = interval_tree_iter_first(&dom_space(test)->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX))
		n++;
	return n;
}

static void dom_fx_release(void *data)
{
	struct domain_fixture *fx = data;

	mmdrop(fx->mm);
}

int dom_fx_init(struct kunit *test)
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
		KUNIT_ASSERT_EQ(test, put_user(dom_marker(fx->uptr + k),
					       (u64 __user *)(fx->uptr + k)),
				0);
	fx->mm = current->mm;
	mmgrab(fx->mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							dom_fx_release,
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
