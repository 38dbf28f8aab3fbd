// SPDX-License-Identifier: GPL-2.0-only
/*
 * The access suites' fixture and test driver (see access_fixture.h).
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/sched/mm.h>

#include "access.h"
#include "access_fixture.h"
#include "helpers.h"

void acc_driver_unmap(void *data, unsigned long iova, unsigned long length)
{
	struct test_driver *drv = data;
	unsigned int i, kept = 0;

	if (drv->lock)
		mutex_lock(drv->lock);
	drv->unmap_calls++;
	drv->last_iova = iova;
	drv->last_length = length;
	if (drv->in_unmap)
		drv->in_unmap(drv);
	if (drv->stubborn)
		goto out;
	for (i = 0; i < drv->npins; i++) {
		unsigned long first = drv->pins[i].iova;
		unsigned long last = first + drv->pins[i].length - 1;

		if (last < iova || first > iova + (length - 1)) {
			drv->pins[kept++] = drv->pins[i];
			continue;
		}
		KUNIT_EXPECT_EQ(drv->test,
				ioasim_access_unpin_pages(drv->access, first,
							  drv->pins[i].length),
				0);
	}
	drv->npins = kept;
out:
	if (drv->lock)
		mutex_unlock(drv->lock);
}

const struct ioasim_access_ops acc_pin_ops = {
	.needs_pin_pages = true,
	.unmap = acc_driver_unmap,
};

const struct ioasim_access_ops acc_rw_ops = {};

/* Pins without a way to be asked to unpin: refused. */
const struct ioasim_access_ops acc_bad_ops = { .needs_pin_pages = true };

KUNIT_DEFINE_ACTION_WRAPPER(access_destroy_action, ioasim_access_destroy,
			    struct ioasim_access *);

struct test_driver *acc_driver(struct kunit *test,
			       const struct ioasim_access_ops *ops,
			       bool attach)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = kunit_kzalloc(test, sizeof(*drv),
						GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, drv);
	drv->test = test;
	drv->access = ioasim_access_create(fx->ctx, ops, drv, &drv->id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv->access));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							access_destroy_action,
							drv->access), 0);
	if (attach)
		KUNIT_ASSERT_EQ(test, ioasim_access_attach(drv->access,
							   fx->ioas), 0);
	return drv;
}

/* Pin through the driver, which remembers it for ->unmap(). */
int acc_pin(struct test_driver *drv, unsigned long iova,
	    unsigned long length, struct page **pages,
	    unsigned int flags)
{
	int rc = ioasim_access_pin_pages(drv->access, iova, length, pages,
					 flags);

	if (!rc && drv->npins < MAX_PINS) {
		drv->pins[drv->npins].iova = iova;
		drv->pins[drv->npins++].length = length;
	}
	return rc;
}

s64 acc_pinned(struct kunit *test)
{
	struct access_fixture *fx = test->priv;

	return atomic64_read(&fx->mm->pinned_vm) - fx->pinned_base;
}

int acc_map(struct kunit *test, unsigned long uoff, u64 length, u64 iova,
	    bool writeable)
{
	struct access_fixture *fx = test->priv;

	return ioasim_test_map(fx->ctx, fx->ioas, fx->uptr + uoff, length,
			       iova, writeable);
}

int acc_unmap_ioas(struct ioasim_ctx *ctx, u32 ioas, u64 iova,
		   u64 length)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova,
		.length = length,
	};

	return ioasim_ioas_unmap(ctx, &cmd);
}

int acc_unmap(struct kunit *test, u64 iova, u64 length)
{
	struct access_fixture *fx = test->priv;

	return acc_unmap_ioas(fx->ctx, fx->ioas, iova, length);
}

/* The first 8 bytes of a pinned page: the user address they came from. */
u64 acc_page_word(struct page *page)
{
	u64 *va = kmap_local_page(page), v = *va;

	kunmap_local(va);
	return v;
}

static void access_fixture_release(void *data)
{
	mmdrop(data);
}

int acc_fx_init(struct kunit *test)
{
	struct access_fixture *fx = kunit_kzalloc(test, sizeof(*fx),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem_tagged(test, NPAGES * PG, sizeof(u64));
	fx->mm = current->mm;
	mmgrab(fx->mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							access_fixture_release,
							fx->mm), 0);
	fx->pinned_base = atomic64_read(&fx->mm->pinned_vm);
	fx->ctx = ioasim_test_ctx(test);
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	return 0;
}
