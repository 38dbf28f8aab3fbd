// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_access_fail: accesses when steps fail and when
 * threads race: every fault point of a pin and of an attach failed in
 * turn, and an access pinning, unpinning and copying while a device
 * attaches and detaches and userspace maps and unmaps.
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

	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
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
	struct pin_sweep s = { .drv = acc_driver(test, &acc_pin_ops, true) };
	struct ioasim_sweep sweep = {
		.step = pin_sweep_step, .check = pin_sweep_check, .arg = &s,
	};

	KUNIT_ASSERT_EQ(test, acc_map(test, 0, 4 * PG, IOVA, true), 0);
	KUNIT_ASSERT_EQ(test, acc_map(test, 8 * PG, 4 * PG, IOVA + 4 * PG, true),
			0);
	/* Each area's record, charge, pin and store: one batch each. */
	KUNIT_EXPECT_EQ(test, ioasim_inject_sweep(test, &sweep, points), 8);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 4);
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
		.drv = acc_driver(test, &acc_pin_ops, false), .ioas = fx->ioas,
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
			rc = acc_pin(drv, iova, PG, pages, 0);
			if (!rc && acc_page_word(pages[0]) != st->uptr + page * PG)
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
	st->drv = acc_driver(test, &acc_pin_ops, true);
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
		rc = acc_unmap_ioas(fx->ctx, fx->ioas, IOVA, 4 * PG);
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
	acc_driver_unmap(st->drv, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(st->vfio), 0);
	KUNIT_EXPECT_EQ(test, acc_unmap_ioas(fx->ctx, st->ioas[1], IOVA, 4 * PG),
			0);
	KUNIT_EXPECT_EQ(test, acc_pinned(test), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_paging_type), 0);
}

static struct kunit_case ioasim_access_fail_cases[] = {
	KUNIT_CASE(access_pin_fail_nth),
	KUNIT_CASE(access_attach_fail_nth),
	KUNIT_CASE(access_concurrent_stress),
	{}
};

static struct kunit_suite ioasim_access_fail_suite = {
	.name = "ioasim_access_fail",
	.init = acc_fx_init,
	.test_cases = ioasim_access_fail_cases,
};

kunit_test_suite(ioasim_access_fail_suite);
