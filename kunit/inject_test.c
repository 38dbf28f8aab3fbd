// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_inject: the fault hook's plan semantics, which every
 * fail-nth sweep of the other suites relies on.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>

#include "inject.h"

static void fault_fails_exactly_the_nth_point(struct kunit *test)
{
	struct ioasim_inject_plan plan = { .fail_nth = 2 };

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	KUNIT_EXPECT_FALSE(test, ioasim_should_fail("first"));
	KUNIT_EXPECT_TRUE(test, ioasim_should_fail("second"));
	KUNIT_EXPECT_FALSE(test, ioasim_should_fail("third"));
	KUNIT_EXPECT_EQ(test, plan.passed, 3);
	KUNIT_EXPECT_STREQ(test, plan.failed, "second");
}

static void fault_count_only_plan_never_fails(struct kunit *test)
{
	struct ioasim_inject_plan plan = {};
	int i;

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_FALSE(test, ioasim_should_fail("point"));
	KUNIT_EXPECT_EQ(test, plan.passed, 100);
	KUNIT_EXPECT_NULL(test, plan.failed);
}

static void fault_plan_removed_stops_counting(struct kunit *test)
{
	struct ioasim_inject_plan plan = { .fail_nth = 1 };

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_FALSE(test, ioasim_should_fail("point"));
	KUNIT_EXPECT_EQ(test, plan.passed, 0);
}

static void fault_second_plan_is_refused(struct kunit *test)
{
	struct ioasim_inject_plan a = {}, b = {};

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &a), 0);
	KUNIT_EXPECT_EQ(test, ioasim_inject_plan_install(test, &b), -EEXIST);
	ioasim_should_fail("point");
	KUNIT_EXPECT_EQ(test, a.passed, 1);
	KUNIT_EXPECT_EQ(test, b.passed, 0);
}

struct other_thread {
	struct completion done;
	bool failed;
};

static int other_thread_fn(void *data)
{
	struct other_thread *ot = data;

	ot->failed = ioasim_should_fail("point");
	complete(&ot->done);
	return 0;
}

/* A plan belongs to its case's thread; other threads are not affected. */
static void fault_plan_is_per_thread(struct kunit *test)
{
	struct ioasim_inject_plan plan = { .fail_nth = 1 };
	struct other_thread ot;
	struct task_struct *task;

	init_completion(&ot.done);
	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	task = kthread_run(other_thread_fn, &ot, "ioasim-fault-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&ot.done, 10 * HZ), 0);
	KUNIT_EXPECT_FALSE(test, ot.failed);
	KUNIT_EXPECT_EQ(test, plan.passed, 0);
	KUNIT_EXPECT_TRUE(test, ioasim_should_fail("mine"));
}

static struct kunit_case ioasim_inject_cases[] = {
	KUNIT_CASE(fault_fails_exactly_the_nth_point),
	KUNIT_CASE(fault_count_only_plan_never_fails),
	KUNIT_CASE(fault_plan_removed_stops_counting),
	KUNIT_CASE(fault_second_plan_is_refused),
	KUNIT_CASE(fault_plan_is_per_thread),
	{}
};

static struct kunit_suite ioasim_inject_suite = {
	.name = "ioasim_inject",
	.test_cases = ioasim_inject_cases,
};

kunit_test_suite(ioasim_inject_suite);
