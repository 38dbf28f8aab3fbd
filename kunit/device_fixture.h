/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the device suites share: a context with one IOAS, three
 * mock devices (two alike, one with a small aperture) and a user buffer
 * holding, in every 8 bytes, the user address of those bytes, so a DMA
 * read proves which memory an IOVA reaches.
 */
#ifndef __IOASIM_KUNIT_DEVICE_FIXTURE_H
#define __IOASIM_KUNIT_DEVICE_FIXTURE_H

#include <kunit/test.h>

#define NPAGES 16
#define IOVA 0x100000UL
#define IO_PG IOASIM_MOCK_IO_PAGE_SIZE

struct ioasim_ctx;
struct ioasim_mock_dev;
struct ioasim_mock_vfio;
struct iommu_hwpt_alloc;

/**
 * struct dev_fixture - what dev_fx_init() sets up in test->priv
 * @ctx: the case's context
 * @uptr: NPAGES pages of tagged user memory
 * @ioas: an empty IOAS in @ctx
 * @mdev: a mock device, not yet bound
 * @mdev2: another of the same kind
 * @small: one with IOASIM_MOCK_DEV_SMALL_APERTURE
 */
struct dev_fixture {
	struct ioasim_ctx *ctx;
	unsigned long uptr;
	u32 ioas;
	struct ioasim_mock_dev *mdev, *mdev2, *small;
};

int dev_fx_init(struct kunit *test);
u64 dev_fx_dma_read(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    unsigned long iova, int want_rc);
struct ioasim_mock_vfio *dev_fx_bound(struct kunit *test,
				      struct ioasim_mock_dev *mdev,
				      u32 *dev_id);
u32 dev_fx_attached(struct kunit *test, struct ioasim_mock_vfio *vfio,
		    u32 pt_id);
int dev_fx_destroy(struct kunit *test, u32 id);
unsigned int dev_fx_nhwpts(struct kunit *test);
u32 dev_fx_nranges(struct kunit *test, u32 ioas);
unsigned long dev_fx_ioas_pinned(struct kunit *test, u32 id);
int dev_fx_hwpt_alloc(struct kunit *test, struct iommu_hwpt_alloc *cmd);

#endif /* __IOASIM_KUNIT_DEVICE_FIXTURE_H */
