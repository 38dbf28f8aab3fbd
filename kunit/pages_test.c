// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_pages: pinning user memory exactly once per index,
 * and charging it exactly once.
 *
 * Memory comes from kunit_vm_mmap() in the case's own mm. Pins are
 * observed the way the kernel records them: a pinned small page carries
 * GUP_PIN_COUNTING_BIAS extra references and folio_maybe_dma_pinned() is
 * true. The fixture snapshots the user's locked_vm and the mm's pinned_vm
 * and locked_vm in .init; the last cleanup checks they are back.
 *
 * Cleanups run in another thread after the case's thread (and its mm) has
 * exited, so the fixture holds its own references to the mm and the user
 * it watches.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "inject.h"
#include "helpers.h"
#include "ioas.h"
#include "pages.h"

#define NPAGES 64

struct pages_fixture {
	unsigned long uptr;
	struct mm_struct *mm;
	struct user_struct *user;
	long user_locked;
	s64 mm_pinned;
	unsigned long mm_locked;
};

struct test_pin {
	struct ioasim_pages *pages;
	struct ioasim_pages_user user;
};

static long user_locked(struct pages_fixture *fx)
{
	return atomic_long_read(&fx->user->locked_vm);
}

static s64 mm_pinned(struct pages_fixture *fx)
{
	return atomic64_read(&fx->mm->pinned_vm);
}

static void pages_put_action(void *data)
{
	ioasim_pages_put(data);
}

static struct ioasim_pages *new_pages(struct kunit *test, unsigned long uptr,
				      unsigned long npages,
				      enum ioasim_account account,
				      size_t batch_bytes)
{
	struct ioasim_pages *pages;

	pages = ioasim_pages_create(uptr, npages * PAGE_SIZE, true, account,
				    batch_bytes);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pages), "create: %pe", pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pages_put_action,
							pages), 0);
	return pages;
}

static void unpin_action(void *data)
{
	struct test_pin *pin = data;

	ioasim_pages_remove_user(pin->pages, &pin->user);
}

/* Register [first, last]; on success it is removed when the case ends. */
static int try_pin(struct kunit *test, struct ioasim_pages *pages,
		   unsigned long first, unsigned long last,
		   struct test_pin **out)
{
	struct test_pin *pin;
	int rc;

	pin = kunit_kzalloc(test, sizeof(*pin), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	pin->pages = pages;
	rc = ioasim_pages_add_user(pages, &pin->user, first, last);
	if (rc)
		return rc;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unpin_action,
							pin), 0);
	*out = pin;
	return 0;
}

static struct test_pin *pin(struct kunit *test, struct ioasim_pages *pages,
			    unsigned long first, unsigned long last)
{
	struct test_pin *pin = NULL;
	int rc = try_pin(test, pages, first, last, &pin);

	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "pinning [%lu, %lu]: %pe", first, last,
			    ERR_PTR(rc));
	return pin;
}

static void unpin(struct kunit *test, struct test_pin *pin)
{
	kunit_release_action(test, unpin_action, pin);
}

static bool dma_pinned(struct page *page)
{
	return folio_maybe_dma_pinned(page_folio(page));
}

/* Each pinned index holds its own page of the mapping, pinned. */
static void check_pinned(struct kunit *test, struct ioasim_pages *pages,
			 unsigned long first, unsigned long last)
{
	unsigned long i;

	for (i = first; i <= last; i++) {
		struct page *page = ioasim_pages_page(pages, i);

		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "index %lu", i);
		KUNIT_EXPECT_TRUE_MSG(test, dma_pinned(page), "index %lu", i);
	}
}

/* Whether anyone holds a DMA pin on the page behind @index, as GUP sees it. */
static bool user_page_dma_pinned(struct kunit *test,
				 struct ioasim_pages *pages, unsigned long index)
{
	unsigned long uaddr = (pages->uptr & PAGE_MASK) + index * PAGE_SIZE;
	struct page *page;
	bool pinned;
	long got;

	mmap_read_lock(pages->mm);
	got = get_user_pages_remote(pages->mm, uaddr, 1, 0, &page, NULL);
	mmap_read_unlock(pages->mm);
	/* Nothing mapped there (a test's hole): nothing to pin either. */
	if (got == -EFAULT)
		return false;
	KUNIT_ASSERT_EQ_MSG(test, got, 1, "index %lu", index);
	pinned = dma_pinned(page);
	put_page(page);
	return pinned;
}

/*
 * Neither ioasim holds the indexes nor, behind its back, the pages: a pin
 * dropped from the books but not from the page is caught here.
 */
static void check_unpinned(struct kunit *test, struct ioasim_pages *pages,
			   unsigned long first, unsigned long last)
{
	unsigned long i;

	for (i = first; i <= last; i++) {
		KUNIT_EXPECT_NULL_MSG(test, ioasim_pages_page(pages, i),
				      "index %lu", i);
		KUNIT_EXPECT_FALSE_MSG(test,
				       user_page_dma_pinned(test, pages, i),
				       "index %lu", i);
	}
}

/* Two users overlapping on [4, 7]: those pages are pinned once. */
static void pages_overlap_pins_once(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages = new_pages(test, fx->uptr, 16,
					       IOASIM_ACCOUNT_USER,
					       IOASIM_BATCH_BYTES_DEFAULT);
	int refs[16], i;
	struct page *kept[4];
	struct test_pin *a, *b;

	a = pin(test, pages, 0, 7);
	check_pinned(test, pages, 0, 7);
	for (i = 0; i < 8; i++)
		refs[i] = page_ref_count(ioasim_pages_page(pages, i));
	KUNIT_EXPECT_EQ(test, pages->npinned, 8);

	b = pin(test, pages, 4, 11);
	check_pinned(test, pages, 0, 11);
	for (i = 4; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    page_ref_count(ioasim_pages_page(pages, i)),
				    refs[i], "index %d pinned twice", i);
	KUNIT_EXPECT_EQ(test, pages->npinned, 12);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 12);
	KUNIT_EXPECT_EQ(test, mm_pinned(fx) - fx->mm_pinned, 12);

	/* Keep the pages A alone pinned, to watch them lose the pin. */
	for (i = 0; i < 4; i++) {
		kept[i] = ioasim_pages_page(pages, i);
		get_page(kept[i]);
	}
	unpin(test, a);
	check_unpinned(test, pages, 0, 3);
	check_pinned(test, pages, 4, 11);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_FALSE(test, dma_pinned(kept[i]));
		KUNIT_EXPECT_EQ(test, page_ref_count(kept[i]),
				refs[i] - (int)GUP_PIN_COUNTING_BIAS + 1);
		put_page(kept[i]);
	}
	KUNIT_EXPECT_EQ(test, pages->npinned, 8);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 8);

	unpin(test, b);
	check_unpinned(test, pages, 0, 15);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
}

/* The pinned page is the page the user mapping shows. */
static void pages_pin_sees_user_data(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages = new_pages(test, fx->uptr, 4,
					       IOASIM_ACCOUNT_NONE,
					       IOASIM_BATCH_BYTES_DEFAULT);
	u32 magic = 0x10a5111, seen = 0;
	void *va;

	KUNIT_ASSERT_EQ(test, put_user(magic, (u32 __user *)(fx->uptr +
							    2 * PAGE_SIZE + 8)),
			0);
	pin(test, pages, 0, 3);
	va = kmap_local_page(ioasim_pages_page(pages, 2));
	memcpy(&seen, va + 8, sizeof(seen));
	kunmap_local(va);
	KUNIT_EXPECT_EQ(test, seen, magic);
}

struct batch_case {
	const char *desc;
	size_t batch_bytes;
};

static const struct batch_case batch_cases[] = {
	{ "one page per batch", sizeof(struct page *) },
	{ "three pages per batch", 3 * sizeof(struct page *) },
	{ "the default budget", IOASIM_BATCH_BYTES_DEFAULT },
};

KUNIT_ARRAY_PARAM_DESC(batch, batch_cases, desc);

/* Any batch budget gives the same pins; holes between users are filled. */
static void pages_batches(struct kunit *test)
{
	const struct batch_case *c = test->param_value;
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages = new_pages(test, fx->uptr, NPAGES,
					       IOASIM_ACCOUNT_USER,
					       c->batch_bytes);

	pin(test, pages, 10, 12);
	pin(test, pages, 20, 29);
	pin(test, pages, 0, NPAGES - 1);
	check_pinned(test, pages, 0, NPAGES - 1);
	KUNIT_EXPECT_EQ(test, pages->npinned, NPAGES);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, NPAGES);
}

/*
 * Each case runs in a kthread of its own, with a signal_struct of its own:
 * the lowered limit ends with the case.
 */
static void set_memlock(unsigned long bytes)
{
	task_lock(current->group_leader);
	current->signal->rlim[RLIMIT_MEMLOCK].rlim_cur = bytes;
	task_unlock(current->group_leader);
}

/*
 * The mode @ctx picks for a caller without CAP_IPC_LOCK. The override is
 * undone before returning: credentials belong to the case's thread, and
 * cleanups run in another one.
 */
static enum ioasim_account account_without_ipc_lock(struct kunit *test,
						    struct ioasim_ctx *ctx)
{
	enum ioasim_account account;
	const struct cred *old;
	struct cred *cred;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_IPC_LOCK);
	old = override_creds(cred);
	account = ioasim_ctx_account(ctx);
	revert_creds(old);
	put_cred(cred);
	return account;
}

/*
 * A caller without CAP_IPC_LOCK is charged against RLIMIT_MEMLOCK: the
 * limit is enforced, and nothing leaks past it.
 */
static void pages_user_limit(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	enum ioasim_account account = account_without_ipc_lock(test, ctx);
	struct ioasim_pages *pages;
	struct test_pin *p = NULL;

	KUNIT_ASSERT_EQ(test, account, IOASIM_ACCOUNT_USER);
	pages = new_pages(test, fx->uptr, 16, account,
			  4 * sizeof(struct page *));

	set_memlock((user_locked(fx) + 8) << PAGE_SHIFT);
	pin(test, pages, 0, 5);
	/* [4, 13] needs 8 new pages; only 2 fit. */
	KUNIT_EXPECT_EQ(test, try_pin(test, pages, 4, 13, &p), -ENOMEM);
	KUNIT_EXPECT_EQ(test, pages->npinned, 6);
	check_unpinned(test, pages, 6, 15);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 6);
	KUNIT_EXPECT_EQ(test, mm_pinned(fx) - fx->mm_pinned, 6);
	/* What fits, fits. */
	pin(test, pages, 4, 7);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 8);
}

/* The VFIO mode charges the mm's locked_vm, under the same limit. */
static void pages_mm_limit(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages = new_pages(test, fx->uptr, 16,
					       IOASIM_ACCOUNT_MM,
					       IOASIM_BATCH_BYTES_DEFAULT);
	struct test_pin *p = NULL;
	unsigned long base = fx->mm->locked_vm;

	set_memlock((base + 4) << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, try_pin(test, pages, 0, 4, &p), -ENOMEM);
	KUNIT_EXPECT_EQ(test, fx->mm->locked_vm, base);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
	p = pin(test, pages, 0, 3);
	KUNIT_EXPECT_EQ(test, fx->mm->locked_vm, base + 4);
	KUNIT_EXPECT_EQ(test, user_locked(fx), fx->user_locked);
	/* An exited mm cannot be uncharged: give it back while it lives. */
	unpin(test, p);
	KUNIT_EXPECT_EQ(test, fx->mm->locked_vm, base);
}

/*
 * A range that runs into memory GUP refuses: everything this call pinned
 * is released, what another user holds stays.
 */
static void pages_fault_midway_rolls_back(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages;
	struct test_pin *p = NULL;
	unsigned long hole;

	/* Indexes 8..11 become inaccessible. */
	hole = kunit_vm_mmap(test, NULL, fx->uptr + 8 * PAGE_SIZE,
			     4 * PAGE_SIZE, PROT_NONE,
			     MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED, 0);
	KUNIT_ASSERT_EQ(test, hole, fx->uptr + 8 * PAGE_SIZE);
	pages = new_pages(test, fx->uptr, 16, IOASIM_ACCOUNT_USER,
			  3 * sizeof(struct page *));

	pin(test, pages, 2, 3);
	KUNIT_EXPECT_EQ(test, try_pin(test, pages, 0, 15, &p), -EFAULT);
	check_unpinned(test, pages, 0, 1);
	check_pinned(test, pages, 2, 3);
	check_unpinned(test, pages, 4, 15);
	KUNIT_EXPECT_EQ(test, pages->npinned, 2);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 2);
	KUNIT_EXPECT_EQ(test, mm_pinned(fx) - fx->mm_pinned, 2);
}

struct remote_pin {
	struct test_pin pin;
	struct completion done;
	bool had_mm;
	int rc;
};

static int remote_pin_fn(void *data)
{
	struct remote_pin *rp = data;

	rp->had_mm = current->mm;
	rp->rc = ioasim_pages_add_user(rp->pin.pages, &rp->pin.user, 0, 7);
	complete_all(&rp->done);
	return 0;
}

/* A thread without the mm pins through pin_user_pages_remote(). */
static void pages_remote_pin(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct remote_pin *rp = kunit_kzalloc(test, sizeof(*rp), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, rp);
	rp->pin.pages = new_pages(test, fx->uptr, 8, IOASIM_ACCOUNT_USER,
				  IOASIM_BATCH_BYTES_DEFAULT);
	init_completion(&rp->done);
	task = kthread_run(remote_pin_fn, rp, "ioasim-remote-pin");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rp->done, 10 * HZ),
			0);
	KUNIT_EXPECT_FALSE(test, rp->had_mm);
	KUNIT_ASSERT_EQ(test, rp->rc, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unpin_action,
							&rp->pin), 0);
	check_pinned(test, rp->pin.pages, 0, 7);
	KUNIT_EXPECT_EQ(test, mm_pinned(fx) - fx->mm_pinned, 8);
	unpin(test, &rp->pin);
	check_unpinned(test, rp->pin.pages, 0, 7);
}

static void pages_create_rejects(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PTR_ERR(ioasim_pages_create(PAGE_SIZE, 0, true,
							  IOASIM_ACCOUNT_NONE,
							  PAGE_SIZE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ioasim_pages_create(ULONG_MAX - PAGE_SIZE,
							  2 * PAGE_SIZE, true,
							  IOASIM_ACCOUNT_NONE,
							  PAGE_SIZE)),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ioasim_pages_create(0, SIZE_MAX, true,
							  IOASIM_ACCOUNT_NONE,
							  PAGE_SIZE)),
			-EINVAL);
}

/* A range that is not page aligned covers every page it touches. */
static void pages_unaligned_range(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages;

	pages = ioasim_pages_create(fx->uptr + PAGE_SIZE - 8, 16, false,
				    IOASIM_ACCOUNT_NONE, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pages));
	KUNIT_EXPECT_EQ(test, pages->uptr, fx->uptr);
	KUNIT_EXPECT_EQ(test, pages->npages, 2);
	ioasim_pages_put(pages);
}

/* Mapping without CAP_IPC_LOCK is what makes pins count. */
static void pages_account_follows_caps(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);

	KUNIT_EXPECT_EQ(test, ioasim_ctx_account(ctx), IOASIM_ACCOUNT_NONE);
	KUNIT_EXPECT_EQ(test, account_without_ipc_lock(test, ctx),
			IOASIM_ACCOUNT_USER);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_set_account_mode(ctx, 1), 0);
	KUNIT_EXPECT_EQ(test, account_without_ipc_lock(test, ctx),
			IOASIM_ACCOUNT_MM);
	/* CAP_IPC_LOCK still exempts from either mode. */
	KUNIT_EXPECT_EQ(test, ioasim_ctx_account(ctx), IOASIM_ACCOUNT_NONE);
}

/*
 * Neither pinning nor unpinning fails for want of a batch array: without
 * one they go on with a small one.
 */
static void pages_batch_without_memory(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_inject_plan plan = { .fail_nth = 1 };
	struct ioasim_pages *pages = new_pages(test, fx->uptr, 40,
					       IOASIM_ACCOUNT_USER,
					       IOASIM_BATCH_BYTES_DEFAULT);
	struct test_pin *p;

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	p = pin(test, pages, 0, 39);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_STREQ(test, plan.failed, "pages.batch");
	check_pinned(test, pages, 0, 39);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 40);

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	unpin(test, p);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_STREQ(test, plan.failed, "pages.batch");
	check_unpinned(test, pages, 0, 39);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
	KUNIT_EXPECT_EQ(test, user_locked(fx), fx->user_locked);
}

struct pin_sweep {
	struct ioasim_pages *pages;
	struct ioasim_pages_user user;
	bool added;
};

static int pin_sweep_step(struct kunit *test, void *arg)
{
	struct pin_sweep *s = arg;
	int rc = ioasim_pages_add_user(s->pages, &s->user, 0, 15);

	s->added = !rc;
	return rc;
}

static void pin_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct pages_fixture *fx = test->priv;
	struct pin_sweep *s = arg;

	KUNIT_EXPECT_EQ(test, s->pages->npinned, 4);
	check_pinned(test, s->pages, 6, 9);
	check_unpinned(test, s->pages, 0, 5);
	check_unpinned(test, s->pages, 10, 15);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 4);
	KUNIT_EXPECT_EQ(test, mm_pinned(fx) - fx->mm_pinned, 4);
}

static void pin_sweep_unpin(void *data)
{
	struct pin_sweep *s = data;

	ioasim_pages_remove_user(s->pages, &s->user);
}

/* Fail each step of pinning in turn: only the other user's pins remain. */
static void pages_pin_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"pages.charge", "pages.pin", "pages.store", NULL
	};
	struct pages_fixture *fx = test->priv;
	struct pin_sweep *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct ioasim_sweep sweep = {
		.step = pin_sweep_step,
		.check = pin_sweep_check,
		.arg = s,
	};

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->pages = new_pages(test, fx->uptr, 16, IOASIM_ACCOUNT_USER,
			     4 * sizeof(struct page *));
	pin(test, s->pages, 6, 9);
	/* Two spans of two batches each: three points per span. */
	KUNIT_EXPECT_EQ(test, ioasim_inject_sweep(test, &sweep, points), 6);
	KUNIT_ASSERT_TRUE(test, s->added);
	/* The sweep's last run pinned: let go when the case ends. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pin_sweep_unpin,
							s), 0);
	check_pinned(test, s->pages, 0, 15);
}

/* The points a pin passes, counted by a plan that fails none. */
static unsigned int pin_points(struct kunit *test, unsigned long uptr,
			       unsigned long npages, size_t batch_bytes)
{
	struct ioasim_inject_plan plan = {};
	struct ioasim_pages *pages = new_pages(test, uptr, npages,
					       IOASIM_ACCOUNT_USER,
					       batch_bytes);
	struct test_pin *p;

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	p = pin(test, pages, 0, npages - 1);
	unpin(test, p);
	ioasim_inject_plan_remove(test);
	return plan.passed;
}

/*
 * A sweep meets as many points pinning a page as pinning 64 in 32 batches;
 * in one batch of 64, the pin and the unpin each add their batch array's.
 */
static void pages_points_do_not_grow(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	unsigned int one = pin_points(test, fx->uptr, 1,
				      2 * sizeof(struct page *));

	KUNIT_EXPECT_EQ(test, one, 3);
	KUNIT_EXPECT_EQ(test, pin_points(test, fx->uptr, NPAGES,
					 2 * sizeof(struct page *)), one);
	KUNIT_EXPECT_EQ(test, pin_points(test, fx->uptr, NPAGES,
					 IOASIM_BATCH_BYTES_DEFAULT), one + 2);
}

struct remote_rw {
	struct ioasim_pages *pages;
	unsigned long byte, len;
	void *buf;
	bool write;
	struct completion done;
	int rc;
};

static int remote_rw_fn(void *data)
{
	struct remote_rw *rw = data;

	rw->rc = current->mm ? -EBUSY :
		 ioasim_pages_rw(rw->pages, rw->byte, rw->buf, rw->len,
				 rw->write);
	complete_all(&rw->done);
	return 0;
}

/* ioasim_pages_rw() from a thread without the object's mm. */
static int remote_rw(struct kunit *test, struct ioasim_pages *pages,
		     unsigned long byte, void *buf, unsigned long len,
		     bool write)
{
	struct remote_rw *rw = kunit_kzalloc(test, sizeof(*rw), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, rw);
	*rw = (struct remote_rw){ .pages = pages, .byte = byte, .buf = buf,
				  .len = len, .write = write };
	init_completion(&rw->done);
	task = kthread_run(remote_rw_fn, rw, "ioasim-remote-rw");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rw->done, 10 * HZ),
			0);
	return rw->rc;
}

/*
 * A copy from the memory's own process goes through its address space,
 * pinning nothing; from another, it pins what nobody holds for the copy
 * only. Either way afterwards the object holds what it held before, and
 * the memory has the bytes. A page that is not there stops the copy with
 * -EFAULT, after the bytes before it.
 */
static void pages_rw_pins_only_for_the_copy(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct ioasim_pages *pages = new_pages(test, fx->uptr, 3,
					       IOASIM_ACCOUNT_USER,
					       IOASIM_BATCH_BYTES_DEFAULT);
	long before = atomic_long_read(&ioasim_pinned_pages);
	size_t len = 2 * PAGE_SIZE;
	u8 *out = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	unsigned int way;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	pin(test, pages, 1, 1);
	for (way = 0; way < 2; way++) {
		int (*rw)(struct kunit *test, struct ioasim_pages *pages,
			  unsigned long byte, void *buf, unsigned long len,
			  bool write) = way ? remote_rw : NULL;

		memset(out, 0xa5 + way, len);
		/* Half a page of index 0, all of 1 (held), half of 2. */
		KUNIT_ASSERT_EQ(test, rw ? rw(test, pages, PAGE_SIZE / 2, out,
					      len, true) :
				ioasim_pages_rw(pages, PAGE_SIZE / 2, out, len,
						true), 0);
		KUNIT_EXPECT_EQ(test, pages->npinned, 1);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&ioasim_pinned_pages),
				before + 1);
		KUNIT_ASSERT_EQ(test, copy_from_user(in, (void __user *)fx->uptr +
						     PAGE_SIZE / 2, len), 0);
		KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
		memset(in, 0, len);
		KUNIT_ASSERT_EQ(test, rw ? rw(test, pages, PAGE_SIZE / 2, in,
					      len, false) :
				ioasim_pages_rw(pages, PAGE_SIZE / 2, in, len,
						false), 0);
		KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
	}

	/* Index 2 gone: EFAULT, both ways, the bytes before it copied. */
	KUNIT_ASSERT_EQ(test, vm_munmap(fx->uptr + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	memset(in, 0, len);
	KUNIT_EXPECT_EQ(test, remote_rw(test, pages, PAGE_SIZE, in, len,
					false), -EFAULT);
	KUNIT_EXPECT_EQ(test, memcmp(in, out + PAGE_SIZE / 2, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ioasim_pages_rw(pages, PAGE_SIZE, in, len, false),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, pages->npinned, 1);
	KUNIT_EXPECT_EQ(test, user_locked(fx) - fx->user_locked, 1);
}

/* Registered in .init: runs after the case's pins and pages are gone. */
static void pages_check_counters(void *data)
{
	struct kunit *test = data;
	struct pages_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, user_locked(fx), fx->user_locked,
			    "user locked_vm leaked");
	KUNIT_EXPECT_EQ_MSG(test, mm_pinned(fx), fx->mm_pinned,
			    "mm pinned_vm leaked");
	KUNIT_EXPECT_EQ_MSG(test, fx->mm->locked_vm, fx->mm_locked,
			    "mm locked_vm leaked");
}

static void pages_fixture_release(void *data)
{
	struct pages_fixture *fx = data;

	mmdrop(fx->mm);
	free_uid(fx->user);
}

static int pages_init(struct kunit *test)
{
	struct pages_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem(test, NPAGES * PAGE_SIZE,
					PROT_READ | PROT_WRITE);
	fx->mm = current->mm;
	mmgrab(fx->mm);
	fx->user = get_uid(current_user());
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pages_fixture_release,
							fx), 0);
	fx->user_locked = user_locked(fx);
	fx->mm_pinned = mm_pinned(fx);
	fx->mm_locked = fx->mm->locked_vm;
	return kunit_add_action_or_reset(test, pages_check_counters, test);
}

static struct kunit_case ioasim_pages_cases[] = {
	KUNIT_CASE(pages_overlap_pins_once),
	KUNIT_CASE(pages_pin_sees_user_data),
	KUNIT_CASE_PARAM(pages_batches, batch_gen_params),
	KUNIT_CASE(pages_user_limit),
	KUNIT_CASE(pages_mm_limit),
	KUNIT_CASE(pages_fault_midway_rolls_back),
	KUNIT_CASE(pages_remote_pin),
	KUNIT_CASE(pages_create_rejects),
	KUNIT_CASE(pages_unaligned_range),
	KUNIT_CASE(pages_account_follows_caps),
	KUNIT_CASE(pages_pin_fail_nth),
	KUNIT_CASE(pages_batch_without_memory),
	KUNIT_CASE(pages_points_do_not_grow),
	KUNIT_CASE(pages_rw_pins_only_for_the_copy),
	{}
};

static struct kunit_suite ioasim_pages_suite = {
	.name = "ioasim_pages",
	.init = pages_init,
	.test_cases = ioasim_pages_cases,
};

kunit_test_suite(ioasim_pages_suite);
