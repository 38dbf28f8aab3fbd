/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the one fault hook
 *
 * Every step of ioasim that can fail for reasons outside the caller's
 * control (an allocation, a pin, a domain map) first asks the hook with
 * the name of the step, e.g. "obj.alloc". With
 * CONFIG_IOASIM_FAULT_INJECTION off the hook is a constant false and the
 * production code carries no trace of it.
 *
 * With the option on, two sources decide:
 *  - a KUnit case may install a struct ioasim_inject_plan for itself; the
 *    plan counts the points the case's thread passes and fails exactly the
 *    n-th one, which makes fail-nth sweeps deterministic: failslab and
 *    other kernel injection sites do not shift the count;
 *  - otherwise the kernel's fault-injection framework (the task's fail-nth
 *    file and debugfs fail_iommufd/ - fail_ioasim/ when the device is
 *    renamed - when FAULT_INJECTION_DEBUG_FS is set).
 *
 * The framework sees a point only where nothing else of the kernel can
 * make the step fail: ioasim_should_fail(). A point that stands for a
 * failure the kernel's own injection already reaches is a planned point,
 * ioasim_should_fail_planned(), which only a KUnit plan fails: a slab
 * allocation (failslab fails the allocation itself, so a second site
 * would count it twice), a lookup (it stands for another thread's
 * destroy), a driver's map of one physically contiguous run (the core
 * asks once per mapping instead, so that a sweep meets the same sites
 * whatever the memory's layout). A fail-nth sweep from userspace then
 * meets one site per thing that can fail, and the same number each run.
 */
#ifndef __IOASIM_INJECT_H
#define __IOASIM_INJECT_H

#include <linux/slab.h>
#include <linux/types.h>

struct kunit;

/**
 * struct ioasim_inject_plan - which fault point a KUnit case wants failed
 * @fail_nth: fail the n-th point passed (1-based); 0 only counts
 * @passed: points passed so far, the failed one included
 * @failed: name of the point that was failed, or NULL
 * @spare: NULL-terminated names of points the plan neither counts nor
 *	fails, or NULL
 * @meanwhile: if set, called with each point the case's thread passes and
 *	@arg, before the point answers: what another thread does at that
 *	moment, so that a case can force an interleaving. It may call ioasim
 *	(whose points it then sees again) and must not sleep where the point
 *	is passed in atomic context.
 * @arg: for @meanwhile
 */
struct ioasim_inject_plan {
	unsigned int fail_nth;
	unsigned int passed;
	const char *failed;
	const char *const *spare;
	void (*meanwhile)(const char *point, void *arg);
	void *arg;
};

#if IS_ENABLED(CONFIG_IOASIM_FAULT_INJECTION)
bool ioasim_should_fail(const char *point);
bool ioasim_should_fail_planned(const char *point);
int ioasim_inject_plan_install(struct kunit *test,
			       struct ioasim_inject_plan *plan);
void ioasim_inject_plan_remove(struct kunit *test);
int ioasim_inject_init(const char *dir);
void ioasim_inject_exit(void);
#else
static inline bool ioasim_should_fail(const char *point)
{
	return false;
}

static inline bool ioasim_should_fail_planned(const char *point)
{
	return false;
}

static inline int ioasim_inject_init(const char *dir)
{
	return 0;
}

static inline void ioasim_inject_exit(void)
{
}
#endif

/*
 * Allocation through a named (planned) fault point: a failed point looks
 * exactly like a failed allocation, so each step has one error path and
 * the sweeps reach it; a fail-nth sweep reaches it through failslab.
 */
static inline void *ioasim_kzalloc(const char *point, size_t size, gfp_t gfp)
{
	return ioasim_should_fail_planned(point) ? NULL : kzalloc(size, gfp);
}

static inline void *ioasim_kcalloc(const char *point, size_t n, size_t size,
				   gfp_t gfp)
{
	return ioasim_should_fail_planned(point) ? NULL : kcalloc(n, size, gfp);
}

static inline void *ioasim_kmalloc_array(const char *point, size_t n,
					 size_t size, gfp_t gfp)
{
	return ioasim_should_fail_planned(point) ? NULL :
	       kmalloc_array(n, size, gfp);
}

#endif /* __IOASIM_INJECT_H */
