// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_race: domains joining and leaving one IOAS from
 * several threads at once.
 *
 * The first domain to join an IOAS pins every area and the last to leave
 * unpins them; an attach that decided it was not the first while the last
 * other domain was leaving would map pages nobody holds. Two devices of
 * different kinds (so that each gets an automatic HWPT, a domain, of its
 * own) attach to and detach from one IOAS in threads of their own, each
 * checking after every attach that its DMA reads the user's bytes, while
 * the case's thread (the owner of the mm) maps and unmaps a second range.
 * The iteration counts are fixed; under the check configuration lockdep,
 * KASAN and the reference ledger watch every step, and afterwards nothing
 * may stay pinned.
 *
 * Two threads also attach, replace and detach one PASID of one device at
 * once, past the device node's lock: each answer is success or EINVAL
 * (the other thread got there first), never anything else, and the
 * PASID ends detached with nothing held.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mman.h>

#include "device.h"
#include "ioas.h"
#include "helpers.h"
#include "mock.h"
#include "vfio.h"

#define PG PAGE_SIZE
#define NPAGES 8
#define IOVA_FIXED 0x100000UL	/* mapped throughout */
#define IOVA_MOVING 0x200000UL	/* mapped and unmapped by the case */
#define ROUNDS 150

struct race_dev {
	struct ioasim_mock_vfio *vfio;
	struct task_struct *task;
	unsigned long uptr;
	u32 ioas;
	atomic_t bad;		/* unexpected results */
	unsigned int rounds;	/* attach/detach pairs completed */
	struct completion done;
};

/* Attach, read the first and last page through the domain, detach. */
static int race_dev_fn(void *data)
{
	struct race_dev *rd = data;
	unsigned int i;
	u64 v;

	for (i = 0; i < ROUNDS; i++) {
		u32 pt = rd->ioas;

		if (ioasim_mock_vfio_attach(rd->vfio, &pt)) {
			atomic_inc(&rd->bad);
			continue;
		}
		if (ioasim_mock_vfio_dma(rd->vfio, IOVA_FIXED, &v, 8, false) ||
		    v != rd->uptr)
			atomic_inc(&rd->bad);
		if (ioasim_mock_vfio_dma(rd->vfio,
					 IOVA_FIXED + (NPAGES - 1) * PG, &v, 8,
					 false) ||
		    v != rd->uptr + (NPAGES - 1) * PG)
			atomic_inc(&rd->bad);
		if (ioasim_mock_vfio_detach(rd->vfio))
			atomic_inc(&rd->bad);
		rd->rounds++;
		cond_resched();
	}
	complete(&rd->done);
	/* kthread_stop() must find the thread alive. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void race_thread_stop(void *task)
{
	kthread_stop(task);
}

/*
 * A thread for @fn(@data), created stopped and stopped again when the case
 * ends; @fn must wait for kthread_should_stop() before it returns.
 */
static struct task_struct *race_thread(struct kunit *test,
				       int (*fn)(void *data), void *data)
{
	struct task_struct *task = kthread_create(fn, data, "ioasim_race");

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, race_thread_stop,
							task), 0);
	return task;
}

static struct race_dev *race_dev_start(struct kunit *test,
				       struct ioasim_ctx *ctx, u32 ioas,
				       unsigned long uptr, u32 mock_flags)
{
	struct race_dev *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	u32 dev_id;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	rd->vfio = ioasim_test_vfio(test, ioasim_test_mock_dev(test,
							       mock_flags));
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(rd->vfio, ctx, &dev_id),
			0);
	rd->ioas = ioas;
	rd->uptr = uptr;
	init_completion(&rd->done);
	rd->task = race_thread(test, race_dev_fn, rd);
	wake_up_process(rd->task);
	return rd;
}

static void race_attach_detach_while_mapping(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	unsigned long uptr = ioasim_test_user_mem_tagged(test, NPAGES * PG, PG);
	u32 ioas = ioasim_test_ioas(test, ctx);
	struct ioasim_test_totals before, after;
	struct race_dev *a, *b;
	unsigned int i, maps = 0;

	ioasim_test_totals(&before);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(ctx, ioas, uptr, NPAGES * PG,
					      IOVA_FIXED, true), 0);
	/* Two kinds of device: two automatic HWPTs on one IOAS. */
	a = race_dev_start(test, ctx, ioas, uptr, 0);
	b = race_dev_start(test, ctx, ioas, uptr,
			   IOASIM_MOCK_DEV_SMALL_APERTURE);

	for (i = 0; i < ROUNDS; i++) {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = ioas,
			.iova = IOVA_MOVING, .length = NPAGES * PG,
		};
		int rc = ioasim_test_map(ctx, ioas, uptr, NPAGES * PG,
					 IOVA_MOVING, true);

		KUNIT_EXPECT_EQ_MSG(test, rc, 0, "map: %pe", ERR_PTR(rc));
		if (rc)
			break;
		maps++;
		rc = ioasim_ioas_unmap(ctx, &unmap);
		KUNIT_EXPECT_EQ_MSG(test, rc, 0, "unmap: %pe", ERR_PTR(rc));
		KUNIT_EXPECT_EQ(test, unmap.length, NPAGES * PG);
		cond_resched();
	}
	wait_for_completion(&a->done);
	wait_for_completion(&b->done);

	kunit_info(test, "%u map/unmap, %u + %u attach/detach\n", maps,
		   a->rounds, b->rounds);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->bad), 0);
	KUNIT_EXPECT_EQ(test, a->rounds, ROUNDS);
	KUNIT_EXPECT_EQ(test, b->rounds, ROUNDS);
	/* Both detached: no domain, so nothing pinned, no HWPT left. */
	ioasim_test_totals(&after);
	KUNIT_EXPECT_EQ(test, after.pinned, before.pinned);
	KUNIT_EXPECT_EQ(test, after.ledger_errors, before.ledger_errors);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(ctx, &ioasim_hwpt_paging_type),
			0);
}

/* One call in a thread of its own, which then waits to be stopped. */
struct race_call {
	struct task_struct *task;
	int (*fn)(struct race_call *rc);
	struct ioasim_ctx *ctx;
	struct iommu_hwpt_alloc alloc;	/* for race_hwpt_alloc() */
	u32 id;				/* for race_destroy() */
	int rc;
	struct completion done;
};

static int race_destroy(struct race_call *rc)
{
	return ioasim_obj_destroy(rc->ctx, rc->id, NULL);
}

static int race_hwpt_alloc(struct race_call *rc)
{
	return ioasim_hwpt_alloc(rc->ctx, &rc->alloc);
}

static int race_call_fn(void *data)
{
	struct race_call *rc = data;

	rc->rc = rc->fn(rc);
	complete(&rc->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * The call's thread, not yet running, in memory that outlives the case
 * (the thread is stopped after the case returns). Nothing after this
 * needs to assert before the call runs.
 */
static struct race_call *race_call_prepare(struct kunit *test,
					   struct ioasim_ctx *ctx,
					   int (*fn)(struct race_call *rc))
{
	struct race_call *rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->ctx = ctx;
	rc->fn = fn;
	init_completion(&rc->done);
	rc->task = race_thread(test, race_call_fn, rc);
	return rc;
}

/* Run the call; return once its thread sleeps or has finished. */
static void race_call_go(struct race_call *rc)
{
	unsigned int tries;

	wake_up_process(rc->task);
	/* A second at most: the thread sleeps at once or finishes. */
	for (tries = 0; tries < 50; tries++) {
		if (!task_is_running(rc->task) || completion_done(&rc->done))
			break;
		msleep(20);
	}
}

/*
 * The interleaving the free-running case above can only hope for, forced:
 * the last domain leaves an IOAS while a new one joins it. The leaving
 * domain is a HWPT without devices, destroyed by id; the joining one a
 * HWPT_ALLOC for a device of another kind. The case's thread holds the
 * space lock for reading, so that the removal waits for it, and starts
 * the allocation meanwhile. Joining must wait for the removal to finish
 * (under ioas->mutex), or at least decide whether it is the first
 * domain, the one that pins, under the space lock: deciding it earlier,
 * it would join as a second domain once the first is gone, and map pages
 * nobody has pinned.
 */
static void race_leave_during_join(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	unsigned long uptr = ioasim_test_user_mem_tagged(test, NPAGES * PG, PG);
	u32 ioas = ioasim_test_ioas(test, ctx);
	struct race_call *leave = race_call_prepare(test, ctx, race_destroy);
	struct race_call *join = race_call_prepare(test, ctx, race_hwpt_alloc);
	struct ioasim_mock_vfio *vfio;
	struct ioasim_mock_dev *mdev;
	struct ioasim_test_totals before, after;
	struct ioasim_space *space;
	struct ioasim_ioas *obj;
	struct iommu_hwpt_alloc first = { .size = sizeof(first), .pt_id = ioas };
	u32 pt;
	u64 v = 0;

	ioasim_test_totals(&before);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(ctx, ioas, uptr, NPAGES * PG,
					      IOVA_FIXED, true), 0);
	vfio = ioasim_test_vfio(test, ioasim_test_mock_dev(test, 0));
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, ctx, &first.dev_id),
			0);
	KUNIT_ASSERT_EQ(test, ioasim_hwpt_alloc(ctx, &first), 0);
	leave->id = first.out_hwpt_id;
	mdev = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_SMALL_APERTURE);
	vfio = ioasim_test_vfio(test, mdev);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, ctx,
						    &join->alloc.dev_id), 0);
	join->alloc.size = sizeof(join->alloc);
	join->alloc.pt_id = ioas;
	obj = ioasim_ioas_get(ctx, ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	space = &obj->space;
	/* The context holds the IOAS for the rest of the case. */
	ioasim_ioas_put(ctx, obj);
	ioasim_test_totals(&after);
	KUNIT_ASSERT_EQ(test, after.pinned - before.pinned, NPAGES);

	down_read(&space->lock);
	race_call_go(leave);	/* the removal waits for the lock */
	race_call_go(join);
	KUNIT_EXPECT_FALSE(test, completion_done(&leave->done));
	up_read(&space->lock);
	wait_for_completion(&leave->done);
	wait_for_completion(&join->done);

	KUNIT_EXPECT_EQ(test, leave->rc, 0);
	KUNIT_ASSERT_EQ(test, join->rc, 0);
	/* The new domain is the only one; it pinned what it maps. */
	KUNIT_EXPECT_EQ(test, space->ndomains, 1);
	ioasim_test_totals(&after);
	KUNIT_EXPECT_EQ(test, after.pinned - before.pinned, NPAGES);
	pt = join->alloc.out_hwpt_id;
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &pt), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_dma(vfio, IOVA_FIXED, &v,
						   sizeof(v), false), 0);
	KUNIT_EXPECT_EQ(test, v, uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(vfio), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(ctx, pt, NULL), 0);
	ioasim_test_totals(&after);
	KUNIT_EXPECT_EQ(test, after.pinned, before.pinned);
	KUNIT_EXPECT_EQ(test, after.ledger_errors, before.ledger_errors);
}

struct race_pasid {
	struct ioasim_device *idev;
	struct task_struct *task;
	u32 mine, other;	/* the two HWPTs: attach to one, replace by the other */
	atomic_t bad;		/* answers other than 0 and EINVAL */
	unsigned int lost;	/* EINVALs: the other thread was first */
	struct completion done;
};

static void race_pasid_count(struct race_pasid *rp, int rc)
{
	if (rc == -EINVAL)
		rp->lost++;
	else if (rc)
		atomic_inc(&rp->bad);
}

static int race_pasid_fn(void *data)
{
	struct race_pasid *rp = data;
	unsigned int i;
	u32 pt;

	/*
	 * A short sleep between the calls: a UML kernel switches threads
	 * only where one gives the CPU up, and the other thread's calls must
	 * fall between these.
	 */
	for (i = 0; i < ROUNDS; i++) {
		pt = rp->mine;
		race_pasid_count(rp, ioasim_device_pasid_attach(rp->idev, 1,
								&pt));
		usleep_range(10, 20);
		pt = rp->other;
		race_pasid_count(rp, ioasim_device_pasid_replace(rp->idev, 1,
								 &pt));
		usleep_range(10, 20);
		race_pasid_count(rp, ioasim_device_pasid_detach(rp->idev, 1));
		usleep_range(10, 20);
	}
	complete(&rp->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void race_pasid_one_device(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	struct ioasim_mock_vfio *vfio =
		ioasim_test_vfio(test, ioasim_test_mock_dev(test,
							    IOASIM_MOCK_DEV_PASID));
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .flags = IOMMU_HWPT_ALLOC_PASID,
		.pt_id = ioasim_test_ioas(test, ctx),
	};
	struct race_pasid *rp[2];
	u32 hwpt[2];
	unsigned int t;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, ctx, &alloc.dev_id),
			0);
	for (t = 0; t < 2; t++) {
		KUNIT_ASSERT_EQ(test, ioasim_hwpt_alloc(ctx, &alloc), 0);
		hwpt[t] = alloc.out_hwpt_id;
	}
	for (t = 0; t < 2; t++) {
		rp[t] = kunit_kzalloc(test, sizeof(*rp[t]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, rp[t]);
		rp[t]->idev = vfio->idev;
		rp[t]->mine = hwpt[t];
		rp[t]->other = hwpt[!t];
		init_completion(&rp[t]->done);
		rp[t]->task = race_thread(test, race_pasid_fn, rp[t]);
	}
	for (t = 0; t < 2; t++)
		wake_up_process(rp[t]->task);
	for (t = 0; t < 2; t++) {
		wait_for_completion(&rp[t]->done);
		KUNIT_EXPECT_EQ(test, atomic_read(&rp[t]->bad), 0);
	}
	kunit_info(test, "EINVAL (the other thread first): %u and %u\n",
		   rp[0]->lost, rp[1]->lost);
	/* The threads did meet. */
	KUNIT_EXPECT_GT(test, rp[0]->lost + rp[1]->lost, 0);
	KUNIT_EXPECT_NULL(test, ioasim_device_pasid_hwpt(vfio->idev, 1));
	KUNIT_EXPECT_NULL(test, ioasim_mock_pasid_domain(vfio->mdev, 1));
	for (t = 0; t < 2; t++)
		KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(ctx, hwpt[t], NULL), 0);
}

static struct kunit_case ioasim_race_cases[] = {
	KUNIT_CASE(race_attach_detach_while_mapping),
	KUNIT_CASE(race_leave_during_join),
	KUNIT_CASE(race_pasid_one_device),
	{}
};

static struct kunit_suite ioasim_race_suite = {
	.name = "ioasim_race",
	.test_cases = ioasim_race_cases,
};

kunit_test_suite(ioasim_race_suite);
