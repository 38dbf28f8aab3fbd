/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the one fault hook
 *
 * Every step of ioasim that can fail for reasons outside the caller's
 * control (an allocation, a pin, a domain map) first asks
 * ioasim_should_fail() with the name of the step, e.g. "obj.alloc". With
 * CONFIG_IOASIM_FAULT_INJECTION off the hook is a constant false and the
 * production code carries no trace of it.
 *
 * With the option on, two sources decide:
 *  - a KUnit case may install a struct ioasim_fault_plan for itself; the
 *    plan counts the points the case's thread passes and fails exactly the
 *    n-th one, which makes fail-nth sweeps deterministic: failslab and
 *    other kernel injection sites do not shift the count;
 *  - otherwise the kernel's fault-injection framework (the task's fail-nth
 *    file and debugfs fail_iommufd/ - fail_ioasim/ when the device is
 *    renamed - when FAULT_INJECTION_DEBUG_FS is set).
 */
#ifndef __IOASIM_FAULT_H
#define __IOASIM_FAULT_H

#include <linux/slab.h>
#include <linux/types.h>

struct kunit;

/**
 * struct ioasim_fault_plan - which fault point a KUnit case wants failed
 * @fail_nth: fail the n-th point passed (1-based); 0 only counts
 * @passed: points passed so far, the failed one included
 * @failed: name of the point that was failed, or NULL
 * @spare: NULL-terminated names of points the plan neither counts nor
 *	fails, or NULL
 */
struct ioasim_fault_plan {
	unsigned int fail_nth;
	unsigned int passed;
	const char *failed;
	const char *const *spare;
};

#if IS_ENABLED(CONFIG_IOASIM_FAULT_INJECTION)
bool ioasim_should_fail(const char *point);
int ioasim_fault_plan_install(struct kunit *test,
			      struct ioasim_fault_plan *plan);
void ioasim_fault_plan_remove(struct kunit *test);
int ioasim_fault_init(void);
void ioasim_fault_exit(void);
#else
static inline bool ioasim_should_fail(const char *point)
{
	return false;
}

static inline int ioasim_fault_init(void)
{
	return 0;
}

static inline void ioasim_fault_exit(void)
{
}
#endif

/*
 * Allocation through a named fault point: a failed point looks exactly
 * like a failed allocation, so each step has one error path and the
 * sweeps reach it.
 */
static inline void *ioasim_kzalloc(const char *point, size_t size, gfp_t gfp)
{
	return ioasim_should_fail(point) ? NULL : kzalloc(size, gfp);
}

static inline void *ioasim_kcalloc(const char *point, size_t n, size_t size,
				   gfp_t gfp)
{
	return ioasim_should_fail(point) ? NULL : kcalloc(n, size, gfp);
}

static inline void *ioasim_kmalloc_array(const char *point, size_t n,
					 size_t size, gfp_t gfp)
{
	return ioasim_should_fail(point) ? NULL : kmalloc_array(n, size, gfp);
}

#endif /* __IOASIM_FAULT_H */
