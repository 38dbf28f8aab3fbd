// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the fault hook (CONFIG_IOASIM_FAULT_INJECTION)
 *
 * See inject.h for who decides. A KUnit case's plan is a named KUnit
 * resource of that case, so it is found only from the case's own thread
 * and is freed with the case even when an assertion aborts it.
 */
#include <kunit/resource.h>
#include <kunit/test-bug.h>
#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "inject.h"

#define IOASIM_INJECT_RESOURCE "ioasim_inject_plan"

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
static DECLARE_FAULT_ATTR(ioasim_fail_attr);
#if IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS)
static struct dentry *ioasim_fail_dir;
#endif
#endif

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * How many plans are installed, in any case: while there is none, a fault
 * point does not look for one among its case's resources.
 */
static atomic_t ioasim_plans = ATOMIC_INIT(0);
#endif

static bool ioasim_plan_decides(const char *point, bool *fail)
{
#if IS_ENABLED(CONFIG_KUNIT)
	struct kunit *test;
	struct kunit_resource *res;
	struct ioasim_inject_plan *plan;

	if (!atomic_read(&ioasim_plans))
		return false;
	test = kunit_get_current_test();
	if (!test)
		return false;
	res = kunit_find_named_resource(test, IOASIM_INJECT_RESOURCE);
	if (!res)
		return false;
	plan = res->data;
	*fail = false;
	if (plan->meanwhile)
		plan->meanwhile(point, plan->arg);
	if (!plan->spare || match_string(plan->spare, -1, point) < 0) {
		plan->passed++;
		*fail = plan->fail_nth && plan->passed == plan->fail_nth;
		if (*fail)
			plan->failed = point;
	}
	kunit_put_resource(res);
	return true;
#else
	return false;
#endif
}

/**
 * ioasim_should_fail() - ask whether this fault point must fail now
 * @point: the step's name, e.g. "obj.alloc"
 *
 * Context: any context.
 * Return: true if the caller must fail the step as if it ran out of the
 * resource it is about to take.
 */
bool ioasim_should_fail(const char *point)
{
	bool fail;

	if (ioasim_plan_decides(point, &fail))
		return fail;
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	return should_fail(&ioasim_fail_attr, 1);
#else
	return false;
#endif
}
EXPORT_SYMBOL_NS_GPL(ioasim_should_fail, IOASIM_TEST);

/**
 * ioasim_should_fail_planned() - ask a KUnit plan whether to fail @point
 * @point: the step's name
 *
 * For a step the kernel's own fault injection already reaches (see
 * inject.h): only a plan counts and fails it, a fail-nth sweep passes it.
 *
 * Context: any context.
 * Return: true if the caller must fail the step.
 */
bool ioasim_should_fail_planned(const char *point)
{
	bool fail;

	return ioasim_plan_decides(point, &fail) && fail;
}
EXPORT_SYMBOL_NS_GPL(ioasim_should_fail_planned, IOASIM_TEST);

#if IS_ENABLED(CONFIG_KUNIT)
/* KUnit removes the plan's resource: with the case, or when asked. */
static void ioasim_plan_gone(struct kunit_resource *res)
{
	atomic_dec(&ioasim_plans);
}

/**
 * ioasim_inject_plan_install() - make @plan decide the fault points of @test
 * @test: the running case; the plan applies to its thread only
 * @plan: the plan, owned by the caller and valid until removed or the case
 *	ends
 *
 * Context: the case's thread.
 * Return: 0, -EEXIST if a plan is installed already, or -ENOMEM.
 */
int ioasim_inject_plan_install(struct kunit *test,
			       struct ioasim_inject_plan *plan)
{
	struct kunit_resource *res;
	int rc;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	plan->passed = 0;
	plan->failed = NULL;
	atomic_inc(&ioasim_plans);
	rc = kunit_add_named_resource(test, NULL, ioasim_plan_gone, res,
				      IOASIM_INJECT_RESOURCE, plan);
	if (rc) {
		atomic_dec(&ioasim_plans);
		kfree(res);
		return rc;
	}
	/*
	 * KUnit frees the resource once it is removed; adding a named one
	 * clears the flag that says so, hence set here.
	 */
	res->should_kfree = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_inject_plan_install);

/**
 * ioasim_inject_plan_remove() - stop consulting the plan of @test
 * @test: the running case
 *
 * Context: the case's thread.
 */
void ioasim_inject_plan_remove(struct kunit *test)
{
	kunit_destroy_named_resource(test, IOASIM_INJECT_RESOURCE);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_inject_plan_remove);
#endif

/**
 * ioasim_inject_init() - register the fault-injection attribute in debugfs
 * @dir: the debugfs directory's name, chosen by the module's init from
 *	the device it serves
 *
 * Context: module init.
 * Return: 0; a missing debugfs directory only loses the knobs.
 */
int ioasim_inject_init(const char *dir)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS)
	ioasim_fail_dir = fault_create_debugfs_attr(dir, NULL,
						    &ioasim_fail_attr);
	if (IS_ERR(ioasim_fail_dir))
		ioasim_fail_dir = NULL;
#endif
	return 0;
}

/**
 * ioasim_inject_exit() - remove what ioasim_inject_init() registered
 *
 * Context: module exit.
 */
void ioasim_inject_exit(void)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS)
	debugfs_remove_recursive(ioasim_fail_dir);
#endif
}
