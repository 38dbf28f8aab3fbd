// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: IOMMU_IOAS_MAP with bad input, from userspace. Each variant
 * must fail with the errno upstream iommufd gives, and leave nothing
 * mapped behind it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kselftest_harness.h"
#include "sim.h"

#define PG 4096ULL
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | RW)

FIXTURE(map_errors)
{
	int fd;
	__u32 ioas;
	void *buf;
};

FIXTURE_VARIANT(map_errors)
{
	__u32 flags;
	__u64 iova;
	__u64 length;
	__u32 reserved;
	int bad_ioas;	/* 1: an id never used; 2: a destroyed IOAS */
	int err;
};

FIXTURE_VARIANT_ADD(map_errors, wraps_past_2_64)
{
	.flags = FIXED_RW, .iova = UINT64_MAX - PG + 1, .length = 2 * PG,
	.err = EOVERFLOW,
};

FIXTURE_VARIANT_ADD(map_errors, iova_u64_max)
{
	.flags = FIXED_RW, .iova = UINT64_MAX, .length = PG, .err = EOVERFLOW,
};

FIXTURE_VARIANT_ADD(map_errors, length_u64_max)
{
	.flags = FIXED_RW, .iova = 0x100000, .length = UINT64_MAX,
	.err = EOVERFLOW,
};

FIXTURE_VARIANT_ADD(map_errors, zero_length)
{
	.flags = FIXED_RW, .iova = 0x100000, .length = 0, .err = EINVAL,
};

FIXTURE_VARIANT_ADD(map_errors, neither_read_nor_write)
{
	.flags = IOMMU_IOAS_MAP_FIXED_IOVA, .iova = 0x100000, .length = PG,
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(map_errors, unknown_flag)
{
	.flags = FIXED_RW | (1 << 3), .iova = 0x100000, .length = PG,
	.err = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(map_errors, reserved_field)
{
	.flags = FIXED_RW, .iova = 0x100000, .length = PG, .reserved = 1,
	.err = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(map_errors, no_such_ioas)
{
	.flags = FIXED_RW, .iova = 0x100000, .length = PG, .bad_ioas = 1,
	.err = ENOENT,
};

FIXTURE_VARIANT_ADD(map_errors, destroyed_ioas)
{
	.flags = FIXED_RW, .iova = 0x100000, .length = PG, .bad_ioas = 2,
	.err = ENOENT,
};

FIXTURE_SETUP(map_errors)
{
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = sim_mem(2 * PG);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(map_errors)
{
	munmap(self->buf, 2 * PG);
	close(self->fd);
}

TEST_F(map_errors, refused)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .flags = variant->flags,
		.ioas_id = self->ioas, .__reserved = variant->reserved,
		.user_va = (uintptr_t)self->buf, .length = variant->length,
		.iova = variant->iova,
	};
	struct iommu_ioas_unmap all = {
		.size = sizeof(all), .ioas_id = self->ioas,
		.length = UINT64_MAX,
	};

	if (variant->bad_ioas == 1) {
		map.ioas_id = 0xdead;
	} else if (variant->bad_ioas == 2) {
		struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
		struct iommu_destroy destroy = { .size = sizeof(destroy) };

		ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_ALLOC, &alloc));
		destroy.id = alloc.out_ioas_id;
		ASSERT_EQ(0, ioctl(self->fd, IOMMU_DESTROY, &destroy));
		map.ioas_id = alloc.out_ioas_id;
	}
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_IOAS_MAP, &map));
	EXPECT_EQ(variant->err, errno);

	/* Nothing was mapped: unmapping everything unmaps nothing. */
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_UNMAP, &all));
	EXPECT_EQ(0, all.length);
}

TEST_HARNESS_MAIN
