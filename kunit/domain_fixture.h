/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the domain suites share: a context with one IOAS, a mock
 * device to allocate domains for, and NPAGES pages of user memory with a
 * marker at the start of every IO page, so that a translation is checked
 * by reading through the domain: the marker found at iommu_iova_to_phys()
 * must be the one userspace wrote at the mapped address. Pins are
 * observed in the mm's pinned_vm, which counts every pinned page once
 * whoever is charged, from a base taken at init.
 */
#ifndef __IOASIM_KUNIT_DOMAIN_FIXTURE_H
#define __IOASIM_KUNIT_DOMAIN_FIXTURE_H

#include <kunit/test.h>
#include <linux/types.h>
#include <uapi/linux/iommufd.h>

#include "mock.h"

#define NPAGES 32
#define IO_PG IOASIM_MOCK_IO_PAGE_SIZE
#define FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
		  IOMMU_IOAS_MAP_WRITEABLE)

struct ioasim_ctx;
struct ioasim_ioas;
struct ioasim_pages;
struct ioasim_space;
struct ioasim_test_joined;
struct iommu_domain;
struct mm_struct;

/**
 * struct domain_fixture - what dom_fx_init() sets up in test->priv
 * @ctx: the case's context
 * @ioas: an empty IOAS of @ctx, which @ctx's table keeps
 * @mdev: a mock device; domains are allocated for it
 * @uptr: NPAGES pages of marked user memory
 * @mm: the case's mm, grabbed
 * @pinned_base: @mm's pinned_vm at init
 */
struct domain_fixture {
	struct ioasim_ctx *ctx;
	struct ioasim_ioas *ioas;
	struct ioasim_mock_dev *mdev;
	unsigned long uptr;
	struct mm_struct *mm;
	s64 pinned_base;
};

/* The marker at the user address @uaddr of an IO page's start. */
static inline u64 dom_marker(unsigned long uaddr)
{
	return 0x10a5000000000000ULL | uaddr;
}

int dom_fx_init(struct kunit *test);
s64 dom_pinned(struct kunit *test);
struct ioasim_space *dom_space(struct kunit *test);
int dom_map_fixed(struct kunit *test, u64 iova, unsigned long uoff,
		  u64 length);
int dom_unmap(struct kunit *test, u64 iova, u64 length);
struct iommu_domain *dom_domain(struct kunit *test);
struct ioasim_test_joined *dom_attach(struct kunit *test,
				      struct iommu_domain *d);
void dom_detach(struct kunit *test, struct ioasim_test_joined *j);
void dom_attach_device(struct kunit *test, struct iommu_domain *d);
void dom_check_translates(struct kunit *test, struct iommu_domain *d,
			  u64 iova, unsigned long uoff, u64 length);
struct ioasim_pages *dom_area_pages(struct kunit *test, u64 iova);
unsigned long dom_stored(struct ioasim_pages *pages);
void dom_check_pages(struct kunit *test, struct ioasim_pages *pages,
		     unsigned long uoff, unsigned long npages);
bool dom_user_page_pinned(struct kunit *test, unsigned int i);
unsigned int dom_count_areas(struct kunit *test);

#endif /* __IOASIM_KUNIT_DOMAIN_FIXTURE_H */
