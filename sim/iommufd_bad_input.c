// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: the bad-input catalogue of /dev/iommu. First the size
 * rules, for every command (a variant each): a size below the first
 * release's, a longer structure with a nonzero tail, an unreadable
 * argument. Then each command's own mistakes: unknown flags, nonzero
 * reserved fields, ids of the wrong type or of destroyed objects, IOVA
 * and length pairs that wrap or end at 2^64, unaligned values, huge
 * counts. Each gets the errno upstream iommufd gives, and once the file
 * is closed ioasim holds nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#include "../core/uapi_later.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL

/*
 * Every command, with its size now and where its first release ended
 * (the smallest size accepted).
 */
FIXTURE(size_rules)
{
	int fd;
	unsigned char arg[512];
};

FIXTURE_VARIANT(size_rules)
{
	unsigned long ioctl;
	__u32 size;
	__u32 min_size;
};

FIXTURE_VARIANT_ADD(size_rules, destroy) {
	.ioctl = IOMMU_DESTROY,
	.size = sizeof(struct iommu_destroy),
	.min_size = offsetof(struct iommu_destroy, id) +
		    sizeof(((struct iommu_destroy *)0)->id),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_alloc) {
	.ioctl = IOMMU_IOAS_ALLOC,
	.size = sizeof(struct iommu_ioas_alloc),
	.min_size = offsetof(struct iommu_ioas_alloc, out_ioas_id) +
		    sizeof(((struct iommu_ioas_alloc *)0)->out_ioas_id),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_allow_iovas) {
	.ioctl = IOMMU_IOAS_ALLOW_IOVAS,
	.size = sizeof(struct iommu_ioas_allow_iovas),
	.min_size = offsetof(struct iommu_ioas_allow_iovas, allowed_iovas) +
		    sizeof(((struct iommu_ioas_allow_iovas *)0)->allowed_iovas),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_copy) {
	.ioctl = IOMMU_IOAS_COPY,
	.size = sizeof(struct iommu_ioas_copy),
	.min_size = offsetof(struct iommu_ioas_copy, src_iova) +
		    sizeof(((struct iommu_ioas_copy *)0)->src_iova),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_iova_ranges) {
	.ioctl = IOMMU_IOAS_IOVA_RANGES,
	.size = sizeof(struct iommu_ioas_iova_ranges),
	.min_size = offsetof(struct iommu_ioas_iova_ranges, out_iova_alignment) +
		    sizeof(((struct iommu_ioas_iova_ranges *)0)->out_iova_alignment),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_map) {
	.ioctl = IOMMU_IOAS_MAP,
	.size = sizeof(struct iommu_ioas_map),
	.min_size = offsetof(struct iommu_ioas_map, iova) +
		    sizeof(((struct iommu_ioas_map *)0)->iova),
};

FIXTURE_VARIANT_ADD(size_rules, ioas_unmap) {
	.ioctl = IOMMU_IOAS_UNMAP,
	.size = sizeof(struct iommu_ioas_unmap),
	.min_size = offsetof(struct iommu_ioas_unmap, length) +
		    sizeof(((struct iommu_ioas_unmap *)0)->length),
};

FIXTURE_VARIANT_ADD(size_rules, option) {
	.ioctl = IOMMU_OPTION,
	.size = sizeof(struct iommu_option),
	.min_size = offsetof(struct iommu_option, val64) +
		    sizeof(((struct iommu_option *)0)->val64),
};

FIXTURE_VARIANT_ADD(size_rules, vfio_ioas) {
	.ioctl = IOMMU_VFIO_IOAS,
	.size = sizeof(struct iommu_vfio_ioas),
	.min_size = offsetof(struct iommu_vfio_ioas, __reserved) +
		    sizeof(((struct iommu_vfio_ioas *)0)->__reserved),
};

FIXTURE_VARIANT_ADD(size_rules, hwpt_alloc) {
	.ioctl = IOMMU_HWPT_ALLOC,
	.size = sizeof(struct iommu_hwpt_alloc),
	.min_size = offsetof(struct iommu_hwpt_alloc, __reserved) +
		    sizeof(((struct iommu_hwpt_alloc *)0)->__reserved),
};

FIXTURE_VARIANT_ADD(size_rules, get_hw_info) {
	.ioctl = IOMMU_GET_HW_INFO,
	.size = sizeof(struct iommu_hw_info),
	.min_size = offsetof(struct iommu_hw_info, __reserved) +
		    sizeof(((struct iommu_hw_info *)0)->__reserved),
};

FIXTURE_VARIANT_ADD(size_rules, hwpt_set_dirty_tracking) {
	.ioctl = IOMMU_HWPT_SET_DIRTY_TRACKING,
	.size = sizeof(struct iommu_hwpt_set_dirty_tracking),
	.min_size = offsetof(struct iommu_hwpt_set_dirty_tracking, __reserved) +
		    sizeof(((struct iommu_hwpt_set_dirty_tracking *)0)->__reserved),
};

FIXTURE_VARIANT_ADD(size_rules, hwpt_get_dirty_bitmap) {
	.ioctl = IOMMU_HWPT_GET_DIRTY_BITMAP,
	.size = sizeof(struct iommu_hwpt_get_dirty_bitmap),
	.min_size = offsetof(struct iommu_hwpt_get_dirty_bitmap, data) +
		    sizeof(((struct iommu_hwpt_get_dirty_bitmap *)0)->data),
};

FIXTURE_VARIANT_ADD(size_rules, hwpt_invalidate) {
	.ioctl = IOMMU_HWPT_INVALIDATE,
	.size = sizeof(struct iommu_hwpt_invalidate),
	.min_size = offsetof(struct iommu_hwpt_invalidate, __reserved) +
		    sizeof(((struct iommu_hwpt_invalidate *)0)->__reserved),
};

FIXTURE_VARIANT_ADD(size_rules, fault_queue_alloc) {
	.ioctl = IOMMU_FAULT_QUEUE_ALLOC,
	.size = sizeof(struct iommu_fault_alloc),
	.min_size = offsetof(struct iommu_fault_alloc, out_fault_fd) +
		    sizeof(((struct iommu_fault_alloc *)0)->out_fault_fd),
};

FIXTURE_VARIANT_ADD(size_rules, test_cmd) {
	.ioctl = IOMMU_TEST_CMD,
	.size = sizeof(struct iommu_test_cmd),
	.min_size = offsetof(struct iommu_test_cmd, last) +
		    sizeof(((struct iommu_test_cmd *)0)->last),
};

FIXTURE_SETUP(size_rules)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	memset(self->arg, 0, sizeof(self->arg));
}

FIXTURE_TEARDOWN(size_rules)
{
	close(self->fd);
	SIM_ASSERT_NOTHING_LEFT();
}

TEST_F(size_rules, short_size)
{
	__u32 *size = (__u32 *)self->arg;

	*size = variant->min_size - 1;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, variant->ioctl, self->arg));
	*size = 0;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, variant->ioctl, self->arg));
}

/* Unknown trailing bytes must be zero: a garbage tail is E2BIG. */
TEST_F(size_rules, garbage_tail)
{
	__u32 *size = (__u32 *)self->arg;

	*size = variant->size + 16;
	self->arg[variant->size + 9] = 0xa5;
	ASSERT_EQ(-E2BIG, sim_ioctl(self->fd, variant->ioctl, self->arg));
	/* The whole page size, with the garbage at its very end. */
	*size = sizeof(self->arg);
	self->arg[variant->size + 9] = 0;
	self->arg[sizeof(self->arg) - 1] = 1;
	ASSERT_EQ(-E2BIG, sim_ioctl(self->fd, variant->ioctl, self->arg));
}

TEST_F(size_rules, unreadable_argument)
{
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, variant->ioctl, NULL));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, variant->ioctl,
				     (void *)(uintptr_t)PAGE));
}

/* A size claiming more than is readable. */
TEST_F(size_rules, size_beyond_memory)
{
	unsigned char *page = sim_mem(2 * PAGE);
	unsigned char *last;

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + PAGE, PAGE));
	last = page + PAGE - variant->size;
	memset(last, 0, variant->size);
	*(__u32 *)last = variant->size + 64;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, variant->ioctl, last));
	munmap(page, PAGE);
}

/* Each command's own mistakes. */
FIXTURE(bad)
{
	int fd;
	__u32 ioas;
	__u32 hwpt;
	__u32 stdev;
	__u32 idev;
	char *buf;
};

FIXTURE_SETUP(bad)
{
	struct iommu_test_cmd md = {
		.size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};

	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = sim_mem(16 * PAGE);
	ASSERT_NE(MAP_FAILED, self->buf);
	md.id = self->ioas;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_TEST_CMD, &md));
	self->hwpt = md.mock_domain.out_hwpt_id;
	self->stdev = md.mock_domain.out_stdev_id;
	self->idev = md.mock_domain.out_idev_id;
}

FIXTURE_TEARDOWN(bad)
{
	close(self->fd);
	munmap(self->buf, 16 * PAGE);
	SIM_ASSERT_NOTHING_LEFT();
}

#define BASE MOCK_APERTURE_START

TEST_F(bad, destroy)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
	cmd.id = UINT32_MAX;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &alloc));
	cmd.id = alloc.out_ioas_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
	/* Held by others. */
	cmd.id = self->ioas;
	ASSERT_EQ(-EBUSY, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
	cmd.id = self->hwpt;
	ASSERT_EQ(-EBUSY, sim_ioctl(self->fd, IOMMU_DESTROY, &cmd));
}

TEST_F(bad, ioas_alloc)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = 1U << 31;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	ASSERT_EQ(4, sim_stat("objects"));
}

TEST_F(bad, ioas_allow_iovas)
{
	struct iommu_iova_range ranges[2] = {
		{ .start = BASE, .last = BASE + PAGE - 1 },
		{ .start = BASE + PAGE / 2, .last = BASE + 2 * PAGE - 1 },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas, .num_iovas = 2,
		.allowed_iovas = (uintptr_t)ranges,
	};

	/* Overlapping ranges. */
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	/* Start after last, and a range of one byte. */
	ranges[1].start = ranges[1].last + 1;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	ranges[1].start = ranges[1].last;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	cmd.num_iovas = 1;
	cmd.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS,
					 &cmd));
	cmd.__reserved = 0;
	cmd.ioas_id = self->hwpt;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	/* The IOAS is looked up before any range is read. */
	cmd.allowed_iovas = 8;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	cmd.ioas_id = self->ioas;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	/* Allowed where the domain's aperture forbids. */
	ranges[0].start = 0;
	cmd.allowed_iovas = (uintptr_t)ranges;
	ASSERT_EQ(-EADDRINUSE, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS,
					 &cmd));
}

/*
 * ALLOW_IOVAS reads and judges its ranges one at a time: with the array
 * at the end of readable memory, the first bad range wins over the
 * unreadable one after it, and a count beyond the array (up to 2^32 - 1)
 * ends at the first range that cannot be read.
 */
TEST_F(bad, ioas_allow_iovas_one_at_a_time)
{
	char *mem = sim_mem(2 * PAGE);
	struct iommu_iova_range *end;
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas, .num_iovas = 2,
	};

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, munmap(mem + PAGE, PAGE));
	end = (struct iommu_iova_range *)(mem + PAGE) - 1;
	end->start = BASE;
	end->last = BASE + PAGE - 1;
	cmd.allowed_iovas = (uintptr_t)end;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	cmd.num_iovas = UINT32_MAX;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	end->start = end->last;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	/* The last one readable and good: allowed, and in use. */
	end->start = BASE;
	cmd.num_iovas = 1;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	ASSERT_EQ(0, munmap(mem, PAGE));
}

TEST_F(bad, ioas_iova_ranges)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = self->hwpt, .num_iovas = 4,
	};

	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	cmd.ioas_id = self->ioas;
	cmd.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES,
					 &cmd));
	cmd.__reserved = 0;
	cmd.allowed_iovas = 8;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	/* A huge count is only room: the one range comes back. */
	cmd.allowed_iovas = (uintptr_t)self->buf;
	cmd.num_iovas = UINT32_MAX;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	ASSERT_EQ(1, cmd.num_iovas);
}

TEST_F(bad, ioas_map)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.user_va = (uintptr_t)self->buf, .length = PAGE,
		.iova = BASE,
	};

	/* Not IO-page aligned for the attached domain. */
	cmd.iova = BASE + 256;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.iova = BASE;
	cmd.length = 100;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	/* Ending at 2^64, and past it. */
	cmd.length = PAGE;
	cmd.iova = -PAGE;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.iova = -(PAGE / 2);
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	/* User memory that wraps. */
	cmd.iova = BASE;
	cmd.user_va = -PAGE;
	cmd.length = 2 * PAGE;
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	/* An id of the wrong type. */
	cmd.user_va = (uintptr_t)self->buf;
	cmd.length = PAGE;
	cmd.ioas_id = self->stdev;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	/* Memory that is not there, with a domain to pin it for. */
	cmd.ioas_id = self->ioas;
	cmd.user_va = PAGE;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	/* Automatic IOVA: nothing large enough inside the aperture. */
	cmd.user_va = (uintptr_t)self->buf;
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	cmd.length = 1UL << 40;
	ASSERT_EQ(-ENOSPC, sim_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	ASSERT_EQ(0, sim_stat("pinned_pages"));
}

TEST_F(bad, ioas_copy)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .dst_ioas_id = self->ioas,
		.src_ioas_id = self->ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.length = PAGE, .src_iova = BASE, .dst_iova = BASE + PAGE,
	};

	/* Nothing mapped at the source. */
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, BASE,
				   IOMMU_IOAS_MAP_READABLE));
	cmd.flags |= 1 << 8;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	/* Writable copy of memory mapped read-only: pinned read-only. */
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE;
	ASSERT_EQ(-EPERM, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;
	cmd.src_iova = UINT64_MAX;
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	cmd.src_iova = BASE;
	cmd.length = 0;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	/* More than is mapped there. */
	cmd.length = 2 * PAGE;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	cmd.length = PAGE;
	cmd.dst_ioas_id = self->hwpt;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	cmd.dst_ioas_id = self->ioas;
	cmd.dst_iova = BASE;
	ASSERT_EQ(-EEXIST, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
}

TEST_F(bad, ioas_unmap)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.iova = BASE, .length = PAGE,
	};

	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, 4 * PAGE,
				   BASE, IOMMU_IOAS_MAP_READABLE));
	/* Cutting a mapping. */
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	cmd.length = 0;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	cmd.length = 2 * PAGE;
	cmd.iova = -PAGE;
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	cmd.iova = UINT64_MAX;
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	cmd.iova = BASE;
	cmd.length = 4 * PAGE;
	cmd.ioas_id = self->idev;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	cmd.ioas_id = self->ioas;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	ASSERT_EQ(4 * PAGE, cmd.length);
}

TEST_F(bad, option)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET, .val64 = 2,
	};

	/* Objects exist: the mode cannot change, whatever the value. */
	ASSERT_EQ(-EBUSY, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.val64 = 1;
	ASSERT_EQ(-EBUSY, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.object_id = self->ioas;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = 7;
	cmd.object_id = 0;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.__reserved = 0;
	cmd.option_id = 99;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));

	cmd.option_id = IOMMU_OPTION_HUGE_PAGES;
	cmd.object_id = self->ioas;
	cmd.val64 = 2;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.object_id = self->hwpt;
	cmd.val64 = 1;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_OPTION, &cmd));
}

TEST_F(bad, vfio_ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_GET,
	};

	ASSERT_EQ(-ENODEV, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = 3;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = self->hwpt;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.ioas_id = self->ioas;
	cmd.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
}

TEST_F(bad, hwpt_alloc)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = self->idev, .pt_id = self->ioas,
	};

	cmd.flags = 1 << 7;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.__reserved = 0;
	cmd.dev_id = self->ioas;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.dev_id = self->idev;
	cmd.pt_id = self->stdev;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	/* No such object: upstream says EINVAL here, not ENOENT. */
	cmd.pt_id = 9999;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	/* Driver data without a type, and a type ioasim does not know. */
	cmd.pt_id = self->ioas;
	cmd.data_len = 8;
	cmd.data_uptr = (uintptr_t)self->buf;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	ASSERT_EQ(4, sim_stat("objects"));
}

TEST_F(bad, get_hw_info)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd), .dev_id = self->ioas,
	};

	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.dev_id = self->idev;
	/* An unknown flag; the input type (uapi_later.h) naming another. */
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE << 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.out_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 0;
	cmd.data_len = 64;
	cmd.data_uptr = 8;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
}

/* Dirty tracking's commands on HWPTs that cannot, or with bad ranges. */
TEST_F(bad, dirty_tracking)
{
	struct iommu_hwpt_set_dirty_tracking dirty = {
		.size = sizeof(dirty), .hwpt_id = self->hwpt,
	};
	__u64 bits = 0;
	struct iommu_hwpt_get_dirty_bitmap bitmap = {
		.size = sizeof(bitmap), .hwpt_id = self->hwpt,
		.iova = BASE, .length = PAGE, .page_size = PAGE,
		.data = (uintptr_t)&bits,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .dev_id = self->idev,
		.pt_id = self->ioas, .flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	void *mem;

	/* An automatic HWPT does not track. */
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd,
					 IOMMU_HWPT_SET_DIRTY_TRACKING,
					 &dirty));
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
					 &bitmap));
	dirty.flags = 1 << 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd,
					 IOMMU_HWPT_SET_DIRTY_TRACKING,
					 &dirty));
	dirty.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	dirty.hwpt_id = self->ioas;
	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				     &dirty));

	/* One that does: its bad ranges, in upstream's order of checks. */
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	bitmap.hwpt_id = alloc.out_hwpt_id;
	/* Tracking off. */
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	dirty.hwpt_id = alloc.out_hwpt_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
			       &dirty));
	/* The range must be mapped from end to end. */
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	mem = sim_mem(PAGE);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, mem, PAGE, BASE,
				   SIM_RW));
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
			       &bitmap));
	bitmap.flags = 1 << 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
					 &bitmap));
	bitmap.flags = 0;
	bitmap.__reserved = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
					 &bitmap));
	bitmap.__reserved = 0;
	bitmap.length = 0;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	bitmap.length = PAGE;
	bitmap.page_size = 0;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	bitmap.page_size = 2 * PAGE;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	bitmap.page_size = PAGE;
	bitmap.iova = BASE + 8;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &bitmap));
	bitmap.iova = UINT64_MAX - PAGE + 1;
	bitmap.length = 2 * PAGE;
	ASSERT_EQ(-EOVERFLOW, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
					&bitmap));
	ASSERT_EQ(0, sim_destroy(self->fd, alloc.out_hwpt_id));
}

/* Invalidation needs a nested HWPT; fault queues take no flags. */
TEST_F(bad, invalidate_and_fault_queue)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = self->hwpt,
	};
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	void *ro;

	ASSERT_EQ(-ENOENT, sim_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	inv.entry_num = 1;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &inv));
	ASSERT_EQ(0, inv.entry_num);
	fault.flags = 1;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC,
					 &fault));
	/*
	 * A readable, unwritable argument: the queue is made, the answer
	 * cannot be written, and neither the queue nor a file is left
	 * (the fixture's teardown counts the objects).
	 */
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	fault.flags = 0;
	memcpy(ro, &fault, sizeof(fault));
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, ro));
	ASSERT_EQ(0, munmap(ro, PAGE));
	/* The file's release, which takes the queue, has run by now. */
	ASSERT_EQ(-1, fcntl(self->fd + 1, F_GETFD));
}

/* Numbers of iommufd's type that are no command. */
TEST_F(bad, not_a_command)
{
	__u32 arg[64] = { sizeof(arg) };

	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0x7f), arg));
	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0xa1), arg));
	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, _IOW(IOMMUFD_TYPE, 0x80, __u64),
				     arg));
	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, _IO('x', 0x80), arg));
}

TEST_HARNESS_MAIN
