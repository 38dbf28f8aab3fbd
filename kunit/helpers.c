// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim KUnit helpers: the fail-nth sweep driver.
 */
#include <linux/module.h>
#include <linux/string.h>

#include "fault.h"
#include "helpers.h"

/* A step that passes more fault points than this is looping. */
#define IOASIM_SWEEP_MAX_POINTS 4096

/**
 * ioasim_fault_sweep() - fail each fault point of a step in turn
 * @test: the running case
 * @sweep: the step and its check
 * @must_see: NULL-terminated names of fault points the step must pass
 *	through, or NULL; proves the sweep reached the paths it is meant for
 *
 * Run n fails the n-th fault point the step passes. A failed run must
 * return an error (a fault point that is silently absorbed hides an
 * unchecked failure) and leave the state as before, which @check asserts.
 * The sweep ends with a run in which no point was failed; that run must
 * succeed and is left in place for the caller to inspect.
 *
 * Context: the case's thread.
 * Return: the number of fault points swept.
 */
unsigned int ioasim_fault_sweep(struct kunit *test,
				const struct ioasim_sweep *sweep,
				const char *const *must_see)
{
	const char *seen[32] = {};
	struct ioasim_fault_plan plan = {};
	unsigned int n, nseen = 0, i;
	int rc;

	for (n = 1; n <= IOASIM_SWEEP_MAX_POINTS; n++) {
		plan.fail_nth = n;
		KUNIT_ASSERT_EQ(test, ioasim_fault_plan_install(test, &plan), 0);
		rc = sweep->step(test, sweep->arg);
		ioasim_fault_plan_remove(test);

		if (!plan.failed) {
			KUNIT_ASSERT_EQ_MSG(test, rc, 0,
					    "step failed with no fault injected: %pe",
					    ERR_PTR(rc));
			break;
		}
		KUNIT_ASSERT_LT_MSG(test, rc, 0,
				    "fault point %u (%s) was failed but the step succeeded",
				    n, plan.failed);
		sweep->check(test, sweep->arg, rc);

		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], plan.failed))
				break;
		if (i == nseen && nseen < ARRAY_SIZE(seen))
			seen[nseen++] = plan.failed;
	}
	KUNIT_ASSERT_LE_MSG(test, n, IOASIM_SWEEP_MAX_POINTS,
			    "step never finished without a fault");

	for (; must_see && *must_see; must_see++) {
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], *must_see))
				break;
		KUNIT_EXPECT_LT_MSG(test, i, nseen,
				    "fault point %s was never reached", *must_see);
	}
	kunit_info(test, "swept %u fault points\n", n - 1);
	return n - 1;
}

MODULE_DESCRIPTION("KUnit suites for ioasim");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
