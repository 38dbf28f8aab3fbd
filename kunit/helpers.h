/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim KUnit helpers shared by the suites.
 *
 * Ownership: everything a helper hands out is registered with the case
 * (kunit_add_action_or_reset()), so it is released when the case ends even
 * if an assertion aborts it. Helpers assert inside: a failing step aborts
 * the case with the error printed, so case bodies read as scripts.
 */
#ifndef __IOASIM_KUNIT_HELPERS_H
#define __IOASIM_KUNIT_HELPERS_H

#include <kunit/test.h>

/**
 * struct ioasim_sweep - one fail-nth sweep over a step
 * @step: the operation under test; returns 0 or a negative errno. Called
 *	once per fault point with that point failed, then once with none.
 * @check: called after every failed run with the step's return value; it
 *	asserts that the state is exactly as before the step
 * @arg: passed to both
 */
struct ioasim_sweep {
	int (*step)(struct kunit *test, void *arg);
	void (*check)(struct kunit *test, void *arg, int rc);
	void *arg;
};

unsigned int ioasim_inject_sweep(struct kunit *test,
				 const struct ioasim_sweep *sweep,
				 const char *const *must_see);

struct ioasim_ctx;
struct ioasim_mock_dev;
struct iommu_domain;

struct ioasim_ctx *ioasim_test_ctx(struct kunit *test);
struct ioasim_mock_dev *ioasim_test_mock_dev(struct kunit *test, u32 flags);
struct ioasim_mock_dev *
ioasim_test_mock_dev_in_group(struct kunit *test, u32 flags,
			      struct ioasim_mock_dev *peer);
struct iommu_domain *ioasim_test_paging_domain(struct kunit *test,
					       struct ioasim_mock_dev *mdev);
void ioasim_test_domain_free(struct kunit *test, struct iommu_domain *domain);
void ioasim_test_attach_device(struct kunit *test, struct iommu_domain *domain,
			       struct ioasim_mock_dev *mdev);
unsigned long ioasim_test_user_mem(struct kunit *test, unsigned long bytes,
				   unsigned long prot);
unsigned long ioasim_test_user_mem_tagged(struct kunit *test,
					  unsigned long bytes,
					  unsigned long stride);

struct ioasim_mock_vfio;
struct ioasim_obj_type;

struct ioasim_mock_vfio *ioasim_test_vfio(struct kunit *test,
					  struct ioasim_mock_dev *mdev);
u32 ioasim_test_ioas(struct kunit *test, struct ioasim_ctx *ctx);
int ioasim_test_map(struct ioasim_ctx *ctx, u32 ioas_id, unsigned long uptr,
		    u64 length, u64 iova, bool writeable);
unsigned int ioasim_test_count(struct ioasim_ctx *ctx,
			       const struct ioasim_obj_type *type);
struct iommu_domain *ioasim_test_hwpt_domain(struct ioasim_ctx *ctx, u32 id);

struct ioasim_test_joined;

struct ioasim_test_joined *ioasim_test_space_join(struct kunit *test,
						  struct ioasim_ctx *ctx,
						  u32 ioas_id,
						  struct iommu_domain *domain);
struct ioasim_test_joined *
ioasim_test_space_leave_at_end(struct kunit *test, struct ioasim_ctx *ctx,
			       u32 ioas_id, struct iommu_domain *domain);
void ioasim_test_space_leave(struct kunit *test,
			     struct ioasim_test_joined *joined);

/**
 * struct ioasim_test_totals - what all of ioasim holds, for before/after
 * @contexts: contexts not yet released
 * @objects: table objects not yet freed
 * @pinned: user pages pinned
 * @ledger_errors: reference ledger reports so far (0 without the ledger)
 */
struct ioasim_test_totals {
	long contexts, objects, pinned;
	unsigned long ledger_errors;
};

void ioasim_test_totals(struct ioasim_test_totals *t);

#endif /* __IOASIM_KUNIT_HELPERS_H */
