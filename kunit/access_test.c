// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_access: accesses copying through IOVA and pinning
 * the pages behind it, and the unmap notification contract. The fixture
 * and its test driver are access_fixture.c's.
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
#include "access_fixture.h"
#include "device.h"
#include "inject.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

static void access_rw(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = acc_driver(test, &acc_rw_ops, false);
	u64 buf[2], w[2] = { 0x1111, 0x2222 }, v;

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	/* Adjacent, from elsewhere in the buffer, read-only. */
	KUNIT_ASSERT_EQ(test, acc_map(test, 8 * PG, 2 * PG, IOVA + 4 * PG, false),
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
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);

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
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[8], *again[4];

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 8 * PG, 2 * PG, IOVA + 4 * PG, false),
			0);

	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), 0);
	KUNIT_EXPECT_EQ(test, acc_page_word(pages[0]), fx->uptr + PG);
	KUNIT_EXPECT_EQ(test, acc_page_word(pages[1]), fx->uptr + 2 * PG);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);

	/* The same range twice: one pin per page, two unpins needed. */
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + PG, 2 * PG, again, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, again[1], pages[1]);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);
	/* Only exactly the pinned range unpins. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + PG,
							2 * PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, 0),
			-EINVAL);
	drv->npins = 0;

	/* Across two areas: pages of both, in IOVA order. */
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + 3 * PG, 2 * PG, pages, 0),
			0);
	KUNIT_EXPECT_EQ(test, acc_page_word(pages[0]), fx->uptr + 3 * PG);
	KUNIT_EXPECT_EQ(test, acc_page_word(pages[1]), fx->uptr + 8 * PG);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);

	/* Refused pins leave nothing pinned. */
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA + 3 * PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), -EPERM);
	/* A piece's shape is judged before its permission, as upstream. */
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA + 4 * PG + 8, PG, pages,
				      IOASIM_ACCESS_RW_WRITE), -EINVAL);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, 8 * PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, 0, pages, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, ULONG_MAX - PG + 1, 2 * PG, pages,
				      0), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);
}

/*
 * Pins and copies go piece by piece, as upstream's do: each piece is
 * checked and pinned (or copied) before the next is looked at, and a gap
 * answers last. A refused pin leaves nothing pinned, the pieces before a
 * gap included; a refused write has written the pieces before.
 */
static void access_piece_by_piece(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct test_driver *rw = acc_driver(test, &acc_rw_ops, true);
	u64 w[2] = { 0x1111, 0x2222 }, v;
	struct page *pages[4];

	/* [rw][read-only] then a gap; elsewhere, memory that is not there. */
	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 2 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 8 * PG, PG, IOVA + 2 * PG, false),
			0);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, PG, PG,
					      IOVA + 8 * PG, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, PG, PG, IOVA + 9 * PG, false), 0);

	/* The gap after two pinned pieces: both are let go. */
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, 4 * PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	/* A pin that fails answers before the next piece's permission. */
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA + 8 * PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), -EFAULT);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA + PG, 2 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);

	/* A write refused at the read-only piece wrote the piece before. */
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(rw->access, IOVA + 2 * PG - 8, w,
					       sizeof(w),
					       IOASIM_ACCESS_RW_WRITE), -EPERM);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + 2 * PG - 8)),
			0);
	KUNIT_EXPECT_EQ(test, v, 0x1111);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + 8 * PG)), 0);
	KUNIT_EXPECT_EQ(test, v, fx->uptr + 8 * PG);
	/* And one refused at the gap, the piece before it. */
	KUNIT_ASSERT_EQ(test, acc_map(test, 12 * PG, PG, IOVA + 12 * PG, true),
			0);
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(rw->access, IOVA + 13 * PG - 8,
					       w, sizeof(w),
					       IOASIM_ACCESS_RW_WRITE), -ENOENT);
	KUNIT_ASSERT_EQ(test, get_user(v, (u64 __user *)(fx->uptr + 13 * PG -
							 8)), 0);
	KUNIT_EXPECT_EQ(test, v, 0x1111);
	/* A copy that fails answers before the next piece's permission. */
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(rw->access, IOVA + 9 * PG - 8,
					       w, sizeof(w),
					       IOASIM_ACCESS_RW_WRITE), -EFAULT);
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
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[4];
	u32 id, pt = fx->ioas;
	u64 *va, v;

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, 3 * PG, pages,
				      IOASIM_ACCESS_RW_WRITE), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 3);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &id), 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 4);
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
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 3);
	/* The access's pages moved back before the domain unmapped them. */
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&pages_at(test, IOVA)->pinned, 2),
			    pages[2]);
	KUNIT_EXPECT_NULL(test, xa_load(&pages_at(test, IOVA)->pinned, 3));
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);

	/* The page of a one-page area moves back as well. */
	KUNIT_ASSERT_EQ(test, acc_map(test, 5 * PG, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), 0);
	pt = fx->ioas;
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&pages_at(test, IOVA)->pinned));
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(vfio), 0);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&pages_at(test, IOVA)->pinned, 0),
			    pages[0]);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
}

/* Unmap asks the access to unpin, and then succeeds. */
static void access_unmap_notifies(struct kunit *test)
{
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct test_driver *bystander = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[2];

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA + 8 * PG, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + PG, 2 * PG, pages, 0), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(bystander, IOVA + 8 * PG, PG, pages, 0),
			0);

	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->last_iova, IOVA);
	KUNIT_EXPECT_EQ(test, drv->last_length, 4 * PG);
	KUNIT_EXPECT_EQ(test, drv->npins, 0);
	/* Every attached access is told; the bystander keeps its pin. */
	KUNIT_EXPECT_EQ(test, bystander->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, bystander->npins, 1);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
	/* No pin in the range: nobody is asked. */
	KUNIT_ASSERT_EQ(test, acc_map(test, 0, PG, IOVA, true), 0);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
}

/*
 * An unmap refused for a boundary crossing never asks anybody and leaves
 * the pinned areas open to new pins (the model found this one).
 */
static void access_refused_unmap_keeps_pinning(struct kunit *test)
{
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[1];

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 2 * PG, IOVA + PG, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, 2 * PG), -ENOENT);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 0);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
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
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);

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
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[1];

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + PG, PG, pages, 0), 0);
	drv->in_unmap = cut_pinned_area;
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->in_unmap_rc, -EBUSY);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
}

/* An access that never unpins makes unmap fail, after bounded retries. */
static void access_unmap_stubborn(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct test_driver *other = acc_driver(test, &acc_pin_ops, true);
	struct page *pages[2];
	u64 buf;

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 0, PG, IOVA + 8 * PG, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, 2 * PG, pages, 0), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(other, IOVA + 8 * PG, PG, pages, 0), 0);
	drv->stubborn = true;
	other->stubborn = true;

	KUNIT_EXPECT_EQ(test, acc_unmap(test, 0, U64_MAX), -EDEADLOCK);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, IOASIM_UNMAP_TRIES);
	/* Nothing was unmapped, and the area takes new pins again. */
	KUNIT_EXPECT_EQ(test, ioasim_access_rw(drv->access, IOVA + 3 * PG,
					       &buf, sizeof(buf), 0), 0);
	KUNIT_EXPECT_EQ(test, buf, fx->uptr + 3 * PG);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA + 2 * PG, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 4);

	/* Leaving the IOAS releases what it still pins, and only that. */
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), 0);
	KUNIT_EXPECT_EQ(test, drv->last_length, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA + 8 * PG, PG), -EDEADLOCK);
	other->stubborn = false;
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA + 8 * PG, PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
}

static void access_attach_rules(struct kunit *test)
{
	struct access_fixture *fx = test->priv;
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, false);
	u32 other = ioasim_test_ioas(test, fx->ctx);
	struct page *pages[1];

	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, fx->ioas),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), -EINVAL);
	/* Unattached: nothing to pin from, nothing pinned. */
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), -ENOENT);
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

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 0);
	/* Moving asks for everything back first. */
	KUNIT_EXPECT_EQ(test, ioasim_access_replace(drv->access, other), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->last_iova, 0);
	KUNIT_EXPECT_EQ(test, drv->npins, 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, fx->ioas, NULL), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(drv->access), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, other, NULL), 0);

	KUNIT_EXPECT_EQ(test,
			PTR_ERR_OR_ZERO(ioasim_access_create(fx->ctx, &acc_bad_ops,
							     NULL, &other)),
			-EINVAL);
}

/* Pinned pages are whole pages: no sub-page areas with a pinning access. */
static void access_page_alignment(struct kunit *test)
{
	struct test_driver *pin = acc_driver(test, &acc_pin_ops, false);
	struct test_driver *rw = acc_driver(test, &acc_rw_ops, false);
	struct access_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, acc_map(test, PG / 2, PG, IOVA + PG / 2, false), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(pin->access, fx->ioas),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(rw->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA + PG / 2, PG), 0);
	KUNIT_EXPECT_EQ(test, ioasim_access_attach(pin->access, fx->ioas), 0);
	KUNIT_EXPECT_EQ(test, acc_map(test, PG / 2, PG, IOVA + PG / 2, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_detach(pin->access), 0);
	KUNIT_EXPECT_EQ(test, acc_map(test, PG / 2, PG, IOVA + PG / 2, false), 0);
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
	struct test_driver *drv = acc_driver(test, &acc_pin_ops, true);
	struct test_driver *other = acc_driver(test, &acc_pin_ops, true);
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = fx->ioas, .src_ioas_id = fx->ioas,
		.length = 4 * PG, .dst_iova = IOVA + 8 * PG, .src_iova = IOVA,
	};
	struct page *pages[2], *copy[2];

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	/* Ends 8 bytes into its second page. */
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, PG + 8, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(other->access, IOVA,
							PG + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA + 8,
							PG), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 2);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA,
							2 * PG), 0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	drv->npins = 0;

	KUNIT_ASSERT_EQ(test, ioasim_ioas_copy(fx->ctx, &cmd), 0);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA, PG, pages, 0), 0);
	/* The same pages, but never pinned through the copy. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access,
							IOVA + 8 * PG, PG),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, acc_pin(drv, IOVA + 8 * PG, PG, copy, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, copy[0], pages[0]);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
	KUNIT_EXPECT_EQ(test, acc_unmap(test, IOVA + 8 * PG, 4 * PG), 0);
	KUNIT_EXPECT_EQ(test, drv->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, drv->npins, 1);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 1);
	/* What is left is the original's pin, released once. */
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			0);
	KUNIT_EXPECT_EQ(test, ioasim_access_unpin_pages(drv->access, IOVA, PG),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	drv->npins = 0;
}

static struct kunit_case ioasim_access_cases[] = {
	KUNIT_CASE(access_rw),
	KUNIT_CASE(access_pin_pages),
	KUNIT_CASE(access_piece_by_piece),
	KUNIT_CASE(access_pin_shared_with_domain),
	KUNIT_CASE(access_unmap_notifies),
	KUNIT_CASE(access_refused_unmap_keeps_pinning),
	KUNIT_CASE(access_unmap_stubborn),
	KUNIT_CASE(access_attach_rules),
	KUNIT_CASE(access_attach_while_leaving),
	KUNIT_CASE(access_cut_while_unmapping),
	KUNIT_CASE(access_page_alignment),
	KUNIT_CASE(access_pin_identity),
	{}
};

static struct kunit_suite ioasim_access_suite = {
	.name = "ioasim_access",
	.init = acc_fx_init,
	.test_cases = ioasim_access_cases,
};

kunit_test_suite(ioasim_access_suite);
