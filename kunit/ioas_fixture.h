/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the IOAS suites share: a context with one IOAS, and the
 * IOAS commands as the ioctl layer calls them, asserting where a case
 * only needs them to work.
 *
 * Without a domain or an access nothing needs the memory resident, so
 * mapping pins nothing (as upstream): the cases use synthetic user
 * addresses.
 */
#ifndef __IOASIM_KUNIT_IOAS_FIXTURE_H
#define __IOASIM_KUNIT_IOAS_FIXTURE_H

#include <kunit/test.h>
#include <linux/interval_tree.h>

#define SZ_PG PAGE_SIZE
/* A user address aligned far beyond any IOVA alignment ioasim picks. */
#define UADDR 0x7f0000000000UL
#define TOP (ULONG_MAX)
#define FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
		  IOMMU_IOAS_MAP_WRITEABLE)

struct ioasim_ctx;
struct ioasim_ioas;
struct ioasim_area;
struct iommu_iova_range;

/**
 * struct ioas_fixture - what ioas_fx_init() sets up in test->priv
 * @ctx: the case's context
 * @id: an empty IOAS in @ctx
 */
struct ioas_fixture {
	struct ioasim_ctx *ctx;
	u32 id;
};

int ioas_fx_init(struct kunit *test);
struct ioasim_ioas *ioas_fx_ioas(struct kunit *test, u32 id);
int ioas_fx_map(struct kunit *test, u32 id, unsigned long uptr,
		u64 *iova, u64 length, u32 flags);
void ioas_fx_map_fixed(struct kunit *test, u32 id, u64 iova, u64 length);
int ioas_fx_unmap(struct kunit *test, u32 id, u64 iova, u64 length,
		  u64 *unmapped);
int ioas_fx_copy(struct kunit *test, u32 dst, u32 src, u64 src_iova,
		 u64 length, u64 *dst_iova, u32 flags);
unsigned int ioas_fx_count_nodes(struct rb_root_cached *root);
unsigned int ioas_fx_count_areas(struct kunit *test, u32 id);
struct ioasim_area *ioas_fx_area_at(struct kunit *test, u32 id, u64 iova);
void ioas_fx_reserve(struct kunit *test, u32 id, u64 first, u64 last);
int ioas_fx_allow(struct kunit *test, u32 id,
		  const struct iommu_iova_range *ranges, u32 n);

#endif /* __IOASIM_KUNIT_IOAS_FIXTURE_H */
