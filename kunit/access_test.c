// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_access: accesses copying through IOVA and pinning
 * the pages behind it, and the unmap notification contract.
 *
 * The test driver records its pins and unpins them when asked, unless it
 * is told to be stubborn. The user buffer holds in every 8 bytes their
 * own user address; pins are observed in the mm's pinned_vm.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "access.h"
#include "device.h"
#include "inject.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

#define NPAGES 16
#define IOVA 0x200000UL
#define PG PAGE_SIZE
#define MAX_PINS 8

struct access_fixture {
	struct ioasim_ctx *ctx;
	unsigned long uptr;
	u32 ioas;
	struct mm_struct *mm;
	s64 pinned_base;
};

struct test_driver {
	struct kunit *test;
	struct mutex *lock;	/* taken by ->unmap() when set */
	struct ioasim_access *access;
	u32 id;
	bool stubborn;
	/* Called first in ->unmap(), with the access's lock dropped. */
	void (*in_unmap)(struct test_driver *drv);
	u32 other_ioas;
	int in_unmap_rc;
	unsigned int unmap_calls;
	unsigned long last_iova, last_length;
	unsigned int npins;
	struct {
		unsigned long iova, length;
	} pins[MAX_PINS];
};

static void driver_unmap(void *data, unsigned long iova, unsigned long length)
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

static const struct ioasim_access_ops pin_ops = {
	.needs_pin_pages = true,
	.unmap = driver_unmap,
};

static const struct ioasim_access_ops rw_ops = {};

/* Pins without a way to be asked to unpin: refused. */
static const struct ioasim_access_ops bad_ops = { .needs_pin_pages = true };

KUNIT_DEFINE_ACTION_WRAPPER(access_destroy_action, ioasim_access_destroy,
			    struct ioasim_access *);

static struct test_driver *driver(struct kunit *test,
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
static int drv_pin(struct test_driver *drv, unsigned long iova,
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

static s64 pinned(struct kunit *test)
{
	struct access_fixture *fx = test->priv;

	return atomic64_read(&fx->mm->pinned_vm) - fx->pinned_base;
}

static int map(struct kunit *test, unsigned long uoff, u64 length, u64 iova,
	       bool writeable)
{
	struct access_fixture *fx = test->priv;

	return ioasim_test_map(fx->ctx, fx->ioas, fx->uptr + uoff, length,
			       iova, writeable);
}

static int unmap_ioas(struct ioasim_ctx *ctx, u32 ioas, u64 iova,
		      u64 length)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova,
		.length = length,
	};

	return ioasim_ioas_unmap(ctx, &cmd);
}

static int unmap(struct kunit *test, u64 iova, u64 length)
{
	struct access_fixture *fx = test->priv;

	return unmap_ioas(fx->ctx, fx->ioas, iova, length);
}

/* The first 8 bytes of a pinned page: the user address they came from. */
static u64 page_word(struct page *page)
{
	u64 *va = kmap_local_page(page), v = *va;

	kunmap_local(va);
	return v;
}

static void access_rw(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &rw_ops, false);
	u64 buf[2], w[2] = { 0x1111, 0x2222 }, v;

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	/* Adjacent, from elsewhere in the buffer, read-only. */
	KUNIT_ASSERT_EQ(test, map(test, 8 * PG, 2 * PG, IOVA + 4 * PG, false),
			0);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA, buf, 8, 0),
			-ENOENT);
	KUNIT_ASSERT_EQ(test, ioasim_access_attach(drv->access, fx->ioas), 0);

	/* Across a page boundary, then across the boundary of two areas. */
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + PG - 8, buf,
					       sizeof(buf), 0), 0);
	KUNIT_EXPECT_EQ(test, buf[0], fx->uptr + PG - 8);
	KUNIT_EXPECT_EQ(test, buf[1], fx->uptr + PG);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + 4 * PG - 8,
					       buf, sizeof(buf),
					       IOASIM_ACCESS_RW_KTHREAD), 0);
	KUNIT_EXPECT_EQ(test, buf[0], fx->uptr + 4 * PG - 8);
	KUNIT_EXPECT_EQ(test, buf[1], fx->uptr + 8 * PG);

	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + PG - 8, w,
					       sizeof(w),
					       IOASIM_ACCESS_RW_WRITE), 0);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + PG)), 0);
	KUNIT_EXPECT_EQ(test, v, 0x2222);
	/* Nothing stays pinned after a copy. */
	KUNIT_EXPECT_EQ(test, pinned(test), 0);

	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + 4 * PG, w,
					       8, IOASIM_ACCESS_RW_WRITE),
			-EPERM);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + 6 * PG - 8,
					       buf, 16, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA, buf, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA, buf, 8,
					       BIT(7)), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, ULONG_MAX - 3, buf,
					       8, 0), -EOVERFLOW);
	/* Copy-only accesses cannot pin. */
	KUNIT_EXPECT_EQ(test, ioasim_access_pin_pages(drv->access, IOVA, PG,
						      NULL, 0), -EINVAL);
}

static void access_pin_pages(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct page *pages[4], *again[4];

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, map(test, 8 * PG, 2 * PG, IOVA + 4 * PG, false),
			0);

	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), 0);
	KUNIT_EXPECT_EQ(test, page_word(pages[0]), fx->uptr + PG);
	KUNIT_EXPECT_EQ(test, page_word(pages[1]), fx->uptr + 2 * PG);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);

	/* The same range twice: one pin per page, two unpins needed. */
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + PG, 2 * PG, again, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, again[1], pages[1]);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
	/* Only exactly the pinned range unpins. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, 0),
			-EINVAL);
	drv->npins = 0;

	/* Across two areas: pages of both, in IOVA order. */
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + 3 * PG, 2 * PG, pages, 0),
			0);
	KUNIT_EXPECT_EQ(test, page_word(pages[0]), fx->uptr + 3 * PG);
	KUNIT_EXPECT_EQ(test, page_word(pages[1]), fx->uptr + 8 * PG);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);

	/* Refused pins leave nothing pinned. */
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA + 3 * PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA, 8 * PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA, 0, pages, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, ULONG_MAX - PG + 1, 2 * PG, pages,
				      0), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
}

/* The pages object behind @iova (the area stays while the case runs). */
static struct ioasim_pages *pages_at(struct kunit *test, unsigned long iova)
{
	struct access_fixture *fx = test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	struct interval_tree_node *node;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	node = interval_tree_iter_first(&ioas->space.areas, iova, iova);
	ioasim_ioas_put(fx->ctx, ioas);
	KUNIT_ASSERT_NOT_NULL(test, node);
	return container_of(node, struct ioasim_area, node)->pages;
}

/* Accesses and domains share one pin per page. */
static void access_pin_shared_with_domain(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, mdev);
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct page *pages[4];
	u32 id, pt = fx->ioas;
	u64 *va, v;

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, 3 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 3);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id), 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	/* The domain holds every PFN now; the pages object keeps none. */
	KUNIT_EXPECT_TRUE(test, xa_empty(&pages_at(test, IOVA)->pinned));

	/* The device sees what the access writes to its pinned page. */
	va = kmap_local_page(pages[2]);
	*va = 0xacce55;
	kunmap_local(va);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_dma(vfio, IOVA + 2 * PG, &v,
						   sizeof(v), false), 0);
	KUNIT_EXPECT_EQ(test, v, 0xacce55);

	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(vfio), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 3);
	/* The access's pages moved back before the domain unmapped them. */
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&pages_at(test, IOVA)->pinned, 2),
			    pages[2]);
	KUNIT_EXPECT_NULL(test, xa_load(&pages_at(test, IOVA)->pinned, 3));
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);

	/* The page of a one-page area moves back as well. */
	KUNIT_ASSERT_EQ(test, map(test, 5 * PG, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), 0);
	pt = fx->ioas;
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&pages_at(test, IOVA)->pinned));
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(vfio), 0);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&pages_at(test, IOVA)->pinned, 0),
			    pages[0]);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
}

/* Unmap asks the access to unpin, and then succeeds. */
static void access_unmap_notifies(struct kunit *test)
{
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct test_driver *bystander = driver(test, &pin_ops, true);
	struct page *pages[2];

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA + 8 * PG, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + PG, 2 * PG, pages, 0), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(bystander, IOVA + 8 * PG, PG, pages, 0),
			0);

	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->last_iova, IOVA);
	KUNIT_EXPECT_EQ(test, drv->last_length, 4 * PG);
	KUNIT_EXPECT_EQ(test, drv->npins, 0);
	/* Every attached access is told; the bystander keeps its pin. */
	KUNIT_EXPECT_EQ(test, bystander->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, bystander->npins, 1);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
	/* No pin in the range: nobody is asked. */
	KUNIT_ASSERT_EQ(test, map(test, 0, PG, IOVA, true), 0);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
}

/*
 * An unmap refused for a boundary crossing never asks anybody and leaves
 * the pinned areas open to new pins (the model found this one).
 */
static void access_refused_unmap_keeps_pinning(struct kunit *test)
{
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct page *pages[1];

	KUNIT_ASSERT_EQ(test, map(test, 0, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, map(test, 0, 2 * PG, IOVA + PG, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, 2 * PG), -ENOENT);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 0);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
}

static void attach_again(struct test_driver *drv)
{
	drv->in_unmap_rc = ioasim_access_attach(drv->access, drv->other_ioas);
}

/*
 * A driver attaching from inside the ->unmap() of its own detach: the
 * detach is not over, so the attach is refused with EBUSY and changes
 * nothing; afterwards it goes through.
 */
static void access_attach_while_leaving(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &pin_ops, true);

	drv->other_ioas = ioasim_test_ioas(test, fx->ctx);
	drv->in_unmap = attach_again;
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->in_unmap_rc, -EBUSY);
	/* Detached: another detach is refused. */
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), -EINVAL);
	drv->in_unmap = NULL;
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(drv->access,
						   drv->other_ioas), 0);
}

static void cut_pinned_area(struct test_driver *drv)
{
	struct access_fixture *fx = drv->test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	unsigned long after = IOVA + PG - 1;

	if (IS_ERR(ioas)) {
		drv->in_unmap_rc = PTR_ERR(ioas);
		return;
	}
	drv->in_unmap_rc = ioasim_space_cut(&ioas->space, &after, 1);
	ioasim_ioas_put(fx->ctx, ioas);
}

/*
 * A cut of an area whose unmap is waiting for its pins to go, from the
 * ->unmap() that asks for them: EBUSY, before the pins would refuse it.
 */
static void access_cut_while_unmapping(struct kunit *test)
{
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct page *pages[1];

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + PG, PG, pages, 0), 0);
	drv->in_unmap = cut_pinned_area;
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->in_unmap_rc, -EBUSY);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
}

/* An access that never unpins makes unmap fail, after bounded retries. */
static void access_unmap_stubborn(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct test_driver *other = driver(test, &pin_ops, true);
	struct page *pages[2];
	u64 buf;

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, map(test, 0, PG, IOVA + 8 * PG, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, 2 * PG, pages, 0), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(other, IOVA + 8 * PG, PG, pages, 0), 0);
	drv->stubborn = true;
	other->stubborn = true;

	KUNIT_EXPECT_EQ(test, unmap(test, 0, U64_MAX), -EDEADLOCK);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, IOASIM_UNMAP_TRIES);
	/* Nothing was unmapped, and the area takes new pins again. */
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + 3 * PG,
					       &buf, sizeof(buf), 0), 0);
	KUNIT_EXPECT_EQ(test, buf, fx->uptr + 3 * PG);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA + 2 * PG, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);

	/* Leaving the IOAS releases what it still pins, and only that. */
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), 0);
	KUNIT_EXPECT_EQ(test, drv->last_length, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA + 8 * PG, PG), -EDEADLOCK);
	other->stubborn = false;
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA + 8 * PG, PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
}

static void access_attach_rules(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &pin_ops, false);
	u32 other = ioasim_test_ioas(test, fx->ctx);
	struct page *pages[1];

	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, fx->ioas),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), -EINVAL);
	/* Unattached: nothing to pin from, nothing pinned. */
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(drv->access, 9999),
			-ENOENT);
	KUNIT_ASSERT_EQ(test, ioasim_access_attach(drv->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(drv->access, other),
			-EINVAL);
	/* The access holds its IOAS; the driver holds the access. */
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, fx->ioas, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, drv->id, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, refcount_read(&fx->ctx->refs), 2);

	KUNIT_ASSERT_EQ(test, map(test, 0, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 0);
	/* Moving asks for everything back first. */
	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, other), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->last_iova, 0);
	KUNIT_EXPECT_EQ(test, drv->npins, 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, fx->ioas, NULL), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other, NULL), 0);

	KUNIT_EXPECT_EQ(test,
			PTR_ERR_OR_ZERO(ioasim_access_create(fx->ctx, &bad_ops,
							     NULL, &other)),
			-EINVAL);
}

/* Pinned pages are whole pages: no sub-page areas with a pinning access. */
static void access_page_alignment(struct kunit *test)
{
	struct test_driver *pin = driver(test, &pin_ops, false);
	struct test_driver *rw = driver(test, &rw_ops, false);
	struct access_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, map(test, PG / 2, PG, IOVA + PG / 2, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(pin->access, fx->ioas),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(rw->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA + PG / 2, PG), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(pin->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, map(test, PG / 2, PG, IOVA + PG / 2, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(pin->access), 0);
	KUNIT_EXPECT_EQ(test, map(test, PG / 2, PG, IOVA + PG / 2, false), 0);
}

/*
 * A pin is known by its pages and by the area it was taken through: an
 * unpin may end anywhere in the pin's last page, but must start where the
 * pin did, come from its owner and go through the same area; pins of the
 * same pages through an area and through its copy stay apart, so
 * unmapping the copy releases only the copy's.
 */
static void access_pin_identity(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = driver(test, &pin_ops, true);
	struct test_driver *other = driver(test, &pin_ops, true);
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = fx->ioas, .src_ioas_id = fx->ioas,
		.length = 4 * PG, .dst_iova = IOVA + 8 * PG, .src_iova = IOVA,
	};
	struct page *pages[2], *copy[2];

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	/* Ends 8 bytes into its second page. */
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, PG + 8, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(other->access, IOVA,
							PG + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + 8,
							PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	drv->npins = 0;

	KUNIT_ASSERT_EQ(test, ioasim_ioas_copy(fx->ctx, &cmd), 0);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA, PG, pages, 0), 0);
	/* The same pages, but never pinned through the copy. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access,
							IOVA + 8 * PG, PG),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, drv_pin(drv, IOVA + 8 * PG, PG, copy, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, copy[0], pages[0]);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
	KUNIT_EXPECT_EQ(test, unmap(test, IOVA + 8 * PG, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->npins, 1);
	KUNIT_EXPECT_EQ(test, pinned(test), 1);
	/* What is left is the original's pin, released once. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			0);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	drv->npins = 0;
}

struct pin_sweep {
	struct test_driver *drv;
	struct page *pages[4];
};

static int pin_sweep_step(struct kunit *test, void *arg)
{
	struct pin_sweep *s = arg;

	return ioasim_access_pin_pages(s->drv->access, IOVA + 2 * PG, 4 * PG,
				       s->pages, 0);
}

static void pin_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct pin_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(s->drv->access,
							IOVA + 2 * PG, 2 * PG),
			-EINVAL);
}

/* Fail each step of a pin that spans two areas. */
static void access_pin_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"space.access_pin", "pages.charge", "pages.pin", "pages.store",
		NULL
	};
	struct pin_sweep s = { .drv = driver(test, &pin_ops, true) };
	struct ioasim_sweep sweep = {
		.step = pin_sweep_step, .check = pin_sweep_check, .arg = &s,
	};

	KUNIT_ASSERT_EQ(test, map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, map(test, 8 * PG, 4 * PG, IOVA + 4 * PG, true),
			0);
	/* Each area's record, charge, pin and store: one batch each. */
	KUNIT_EXPECT_EQ(test, ioasim_inject_sweep(test, &sweep, points), 8);
	KUNIT_EXPECT_EQ(test, pinned(test), 4);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(s.drv->access,
							IOVA + 2 * PG, 4 * PG),
			0);
}

struct attach_sweep {
	struct test_driver *drv;
	u32 ioas;
};

static int attach_sweep_step(struct kunit *test, void *arg)
{
	struct attach_sweep *s = arg;

	return ioasim_access_attach(s->drv->access, s->ioas);
}

static void attach_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct access_fixture *fx = test->priv;
	struct ioasim_ioas *ioas = ioasim_ioas_get(fx->ctx, fx->ioas);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_EXPECT_EQ(test, refcount_read(&ioas->obj.users), 1);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ioas->accesses));
	KUNIT_EXPECT_EQ(test, ioas->space.npage_users, 0);
	KUNIT_EXPECT_EQ(test, ioas->space.iova_alignment, 1);
	ioasim_ioas_put(fx->ctx, ioas);
}

static void access_attach_fail_nth(struct kunit *test)
{
	static const char *const points[] = { "obj.get", "access.list", NULL };
	struct access_fixture *fx = test->priv;
	struct attach_sweep s = {
		.drv = driver(test, &pin_ops, false), .ioas = fx->ioas,
	};
	struct ioasim_sweep sweep = {
		.step = attach_sweep_step, .check = attach_sweep_check,
		.arg = &s,
	};

	struct ioasim_ioas *ioas;

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 2);
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_EXPECT_PTR_EQ(test, s.drv->access->ioas, ioas);
	KUNIT_EXPECT_EQ(test, refcount_read(&ioas->obj.users), 2);
	ioasim_ioas_put(fx->ctx, ioas);
}

/*
 * Three threads at once on one context: the case's thread maps and unmaps
 * (it owns the mm), a device thread attaches, replaces and detaches, and
 * an access thread pins, unpins and copies, checking every byte it reads.
 * Under the check configuration this is lockdep's view of every lock
 * order the three paths take; the counts must come out exact afterwards.
 */
struct stress {
	struct kunit *test;
	struct mutex lock;	/* the access driver's own lock */
	struct test_driver *drv;
	struct ioasim_mock_vfio *vfio;
	unsigned long uptr;
	u32 ioas[2];
	atomic_t bad;		/* unexpected results, reported by the case */
	atomic_t attaches, pins, copies;
	struct completion started[2];
};

static int stress_device(void *data)
{
	struct stress *st = data;
	struct rnd_state rnd;
	int rc;

	prandom_seed_state(&rnd, 1);
	complete(&st->started[0]);
	while (!kthread_should_stop()) {
		u32 pt = st->ioas[prandom_u32_state(&rnd) % 2];

		if (prandom_u32_state(&rnd) % 4)
			rc = ioasim_mock_vfio_attach(st->vfio, &pt);
		else
			rc = ioasim_mock_vfio_detach(st->vfio);
		if (rc)
			atomic_inc(&st->bad);
		atomic_inc(&st->attaches);
		cond_resched();
	}
	return 0;
}

static int stress_access(void *data)
{
	struct stress *st = data;
	struct test_driver *drv = st->drv;
	struct rnd_state rnd;
	struct page *pages[2];
	u64 word;
	int rc;

	prandom_seed_state(&rnd, 2);
	complete(&st->started[1]);
	while (!kthread_should_stop()) {
		unsigned long page = prandom_u32_state(&rnd) % 4;
		unsigned long iova = IOVA + page * PG;

		mutex_lock(&st->lock);
		if (drv->npins == MAX_PINS ||
		    (drv->npins && prandom_u32_state(&rnd) % 2)) {
			drv->npins--;
			rc = ioasim_access_unpin_pages(drv->access,
						       drv->pins[drv->npins].iova,
						       drv->pins[drv->npins].length);
		} else {
			rc = drv_pin(drv, iova, PG, pages, 0);
			if (!rc && page_word(pages[0]) != st->uptr + page * PG)
				rc = -EIO;
			if (!rc)
				atomic_inc(&st->pins);
		}
		mutex_unlock(&st->lock);
		/* Not mapped right now, or being unmapped: fine. */
		if (rc && rc != -ENOENT && rc != -EINVAL)
			atomic_inc(&st->bad);

		rc = ioasim_access_rw(drv->access, iova + 8, &word,
				      sizeof(word), IOASIM_ACCESS_RW_KTHREAD);
		if (!rc && word != st->uptr + page * PG + 8)
			rc = -EIO;
		if (!rc)
			atomic_inc(&st->copies);
		if (rc && rc != -ENOENT && rc != -EINVAL)
			atomic_inc(&st->bad);
		cond_resched();
	}
	return 0;
}

static void access_concurrent_stress(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct task_struct *dev_task, *acc_task;
	unsigned int i, unmapped = 0;
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->test = test;
	mutex_init(&st->lock);
	init_completion(&st->started[0]);
	init_completion(&st->started[1]);
	st->uptr = fx->uptr;
	st->ioas[0] = fx->ioas;
	st->ioas[1] = ioasim_test_ioas(test, fx->ctx);
	st->vfio = ioasim_test_vfio(test, mdev);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(st->vfio, fx->ctx, &id),
			0);
	st->drv = driver(test, &pin_ops, true);
	st->drv->lock = &st->lock;
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, st->ioas[1], fx->uptr,
					      4 * PG, IOVA, true), 0);

	dev_task = kthread_run(stress_device, st, "ioasim_stress_dev");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev_task));
	acc_task = kthread_run(stress_access, st, "ioasim_stress_acc");
	if (IS_ERR(acc_task))
		kthread_stop(dev_task);
	KUNIT_ASSERT_FALSE(test, IS_ERR(acc_task));
	wait_for_completion(&st->started[0]);
	wait_for_completion(&st->started[1]);

	for (i = 0; i < 100; i++) {
		int rc;

		rc = ioasim_test_map(fx->ctx, fx->ioas, fx->uptr, 4 * PG, IOVA,
				     true);
		KUNIT_EXPECT_EQ(test, rc, 0);
		if (rc)
			break;
		/* Let the other two in, whatever the preemption model. */
		schedule_timeout_uninterruptible(1);
		rc = unmap_ioas(fx->ctx, fx->ioas, IOVA, 4 * PG);
		KUNIT_EXPECT_EQ(test, rc, 0);
		unmapped += !rc;
	}
	kthread_stop(acc_task);
	kthread_stop(dev_task);

	kunit_info(test, "%u unmaps, %d attach/detach, %d pins, %d copies\n",
		   unmapped, atomic_read(&st->attaches), atomic_read(&st->pins),
		   atomic_read(&st->copies));
	KUNIT_EXPECT_EQ(test, atomic_read(&st->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->attaches), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->pins), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->copies), 0);

	/* Everything let go: nothing may stay pinned or attached. */
	driver_unmap(st->drv, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(st->vfio), 0);
	KUNIT_EXPECT_EQ(test, unmap_ioas(fx->ctx, st->ioas[1], IOVA, 4 * PG),
			0);
	KUNIT_EXPECT_EQ(test, pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_paging_type), 0);
}

static void access_fixture_release(void *data)
{
	mmdrop(data);
}

static int access_init(struct kunit *test)
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

static struct kunit_case ioasim_access_cases[] = {
	KUNIT_CASE(access_rw),
	KUNIT_CASE(access_pin_pages),
	KUNIT_CASE(access_pin_shared_with_domain),
	KUNIT_CASE(access_unmap_notifies),
	KUNIT_CASE(access_refused_unmap_keeps_pinning),
	KUNIT_CASE(access_unmap_stubborn),
	KUNIT_CASE(access_attach_rules),
	KUNIT_CASE(access_attach_while_leaving),
	KUNIT_CASE(access_cut_while_unmapping),
	KUNIT_CASE(access_page_alignment),
	KUNIT_CASE(access_pin_identity),
	KUNIT_CASE(access_pin_fail_nth),
	KUNIT_CASE(access_attach_fail_nth),
	KUNIT_CASE(access_concurrent_stress),
	{}
};

static struct kunit_suite ioasim_access_suite = {
	.name = "ioasim_access",
	.init = access_init,
	.test_cases = ioasim_access_cases,
};

kunit_test_suite(ioasim_access_suite);
