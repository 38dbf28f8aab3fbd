/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the access suites share: a context with one IOAS, NPAGES
 * pages of user memory holding in every 8 bytes their own user address,
 * and a test driver that records its pins and unpins them when asked,
 * unless it is told to be stubborn. Pins are observed in the mm's
 * pinned_vm, from a base taken at init.
 */
#ifndef __IOASIM_KUNIT_ACCESS_FIXTURE_H
#define __IOASIM_KUNIT_ACCESS_FIXTURE_H

#include <kunit/test.h>
#include <linux/mutex.h>
#include <linux/types.h>

#define NPAGES 16
#define IOVA 0x200000UL
#define PG PAGE_SIZE
#define MAX_PINS 8

struct ioasim_access;
struct ioasim_access_ops;
struct ioasim_ctx;
struct mm_struct;
struct page;

/**
 * struct access_fixture - what acc_fx_init() sets up in test->priv
 * @ctx: the case's context
 * @uptr: NPAGES pages of tagged user memory
 * @ioas: an empty IOAS in @ctx
 * @mm: the case's mm, grabbed
 * @pinned_base: @mm's pinned_vm at init
 */
struct access_fixture {
	struct ioasim_ctx *ctx;
	unsigned long uptr;
	u32 ioas;
	struct mm_struct *mm;
	s64 pinned_base;
};

/**
 * struct test_driver - an access's driver, as acc_driver() makes it
 * @test: the case
 * @lock: taken by ->unmap() when set
 * @access: the access
 * @id: its id
 * @stubborn: ->unmap() keeps every pin
 * @in_unmap: called first in ->unmap(), with the access's lock dropped
 * @other_ioas: for @in_unmap's use
 * @in_unmap_rc: what @in_unmap got
 * @unmap_calls: how often ->unmap() ran
 * @last_iova: the range it was last asked about
 * @last_length: see @last_iova
 * @npins: pins recorded by acc_pin()
 * @pins: their ranges
 */
struct test_driver {
	struct kunit *test;
	struct mutex *lock; /* see the kernel-doc above */
	struct ioasim_access *access;
	u32 id;
	bool stubborn;
	void (*in_unmap)(struct test_driver *drv);
	u32 other_ioas;
	int in_unmap_rc;
	unsigned int unmap_calls;
	unsigned long last_iova, last_length;
	unsigned int npins;
	struct {
		unsigned long iova, length;
	} pins[MAX_PINS];
};

extern const struct ioasim_access_ops acc_pin_ops;
extern const struct ioasim_access_ops acc_rw_ops;
extern const struct ioasim_access_ops acc_bad_ops;

int acc_fx_init(struct kunit *test);
void acc_driver_unmap(void *data, unsigned long iova, unsigned long length);
struct test_driver *acc_driver(struct kunit *test,
			       const struct ioasim_access_ops *ops,
			       bool attach);
int acc_pin(struct test_driver *drv, unsigned long iova,
	    unsigned long length, struct page **pages, unsigned int flags);
s64 acc_pinned(struct kunit *test);
int acc_map(struct kunit *test, unsigned long uoff, u64 length, u64 iova,
	    bool writeable);
int acc_unmap_ioas(struct ioasim_ctx *ctx, u32 ioas, u64 iova, u64 length);
int acc_unmap(struct kunit *test, u64 iova, u64 length);
u64 acc_page_word(struct page *page);

#endif /* __IOASIM_KUNIT_ACCESS_FIXTURE_H */
