// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: the selftest control plane (IOMMU_TEST_CMD) from userspace:
 * mock devices attached to IOASes and HWPTs, their page tables checked
 * against user memory, pin counts, reserved IOVA, accesses behind file
 * descriptors, the area-index (syzkaller) form, and the errors of each.
 * Every test ends with all files closed and checks that ioasim holds no
 * context, object or pinned page any more.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL
#define BUF_PAGES 16
#define BUF_BYTES (BUF_PAGES * PAGE)

/* A mock device attached to @pt_id; its ids come back in @cmd. */
static int mock_domain(int fd, __u32 pt_id, __u32 dev_flags,
		       struct iommu_test_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS;
	cmd->id = pt_id;
	cmd->mock_domain_flags.dev_flags = dev_flags;
	return sim_test_cmd(fd, cmd);
}

/* An access on @ioas; its file descriptor, or -errno. */
static int create_access(int fd, __u32 ioas, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = sim_test_cmd(fd, &cmd);

	return rc ?: (int)cmd.create_access.out_access_fd;
}

static int access_pages(int fd, int afd, __u64 iova, __u64 len, void *buf,
			__u32 flags, __u32 *pin_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = afd,
		.access_pages = { .flags = flags, .iova = iova, .length = len,
				  .uptr = (uintptr_t)buf },
	};
	int rc = sim_test_cmd(fd, &cmd);

	if (!rc && pin_id)
		*pin_id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static int access_unpin(int fd, int afd, __u32 pin_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = afd,
		.destroy_access_pages = { .access_pages_id = pin_id },
	};

	return sim_test_cmd(fd, &cmd);
}

static int access_rw(int fd, int afd, __u64 iova, void *buf, __u64 len,
		     __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = afd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)buf, .flags = flags },
	};

	return sim_test_cmd(fd, &cmd);
}

FIXTURE(control)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(control)
{
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = sim_mem(BUF_BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
	/* Fault every page in: the checks compare physical pages. */
	memset(self->buf, 0x11, BUF_BYTES);
}

FIXTURE_TEARDOWN(control)
{
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->buf, BUF_BYTES);
	SIM_ASSERT_NOTHING_LEFT();
}

/* A mock device's domain maps exactly what the IOAS maps. */
TEST_F(control, mock_domain_maps_the_ioas)
{
	struct iommu_test_cmd md;
	__u64 iova = MOCK_APERTURE_START;
	__u32 hwpt;

	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	hwpt = md.mock_domain.out_hwpt_id;
	ASSERT_NE(0, hwpt);
	ASSERT_NE(0, md.mock_domain.out_stdev_id);
	ASSERT_NE(0, md.mock_domain.out_idev_id);

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   iova, SIM_RW));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, BUF_BYTES));
	/* Half-page IO pages: the same check from an odd IO page. */
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova + PAGE / 2,
				   self->buf + PAGE / 2, PAGE));
	/* Another buffer's pages are not what the domain maps. */
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, hwpt, iova, self->buf + PAGE,
					 PAGE));
	/* Pinned once, for the domain. */
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 1));

	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, iova, BUF_BYTES));
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, hwpt, iova, self->buf, PAGE));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 0));

	/* The device holds the automatic HWPT; the stdev object holds it. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, hwpt));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, md.mock_domain.out_idev_id));
	ASSERT_EQ(0, sim_destroy(self->fd, md.mock_domain.out_stdev_id));
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, hwpt));
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, md.mock_domain.out_idev_id));
}

/* The mock's aperture is the IOAS's usable range while attached. */
TEST_F(control, aperture_in_iova_ranges)
{
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.num_iovas = 4, .allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_test_cmd md;

	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	ASSERT_EQ(1, cmd.num_iovas);
	ASSERT_EQ(MOCK_APERTURE_START, ranges[0].start);
	ASSERT_EQ(MOCK_APERTURE_LAST, ranges[0].last);
	/* Outside the aperture is reserved. */
	ASSERT_EQ(-EINVAL, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
					 MOCK_APERTURE_START - PAGE, SIM_RW));
}

TEST_F(control, mock_domain_errors)
{
	struct iommu_test_cmd md;
	__u32 stdev;

	ASSERT_EQ(-EINVAL, mock_domain(self->fd, self->ioas, 1 << 7, &md));
	ASSERT_EQ(-ENOENT, mock_domain(self->fd, 9999, 0, &md));
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas,
				 MOCK_FLAGS_DEVICE_NO_DIRTY |
				 MOCK_FLAGS_DEVICE_HUGE_IOVA, &md));
	stdev = md.mock_domain.out_stdev_id;
	/* A device id is not an IOAS or HWPT to attach to. */
	ASSERT_EQ(-EINVAL, mock_domain(self->fd, stdev, 0, &md));
	/* Nor a selftest object an IOAS. */
	md.op = IOMMU_TEST_OP_ADD_RESERVED;
	md.id = stdev;
	md.add_reserved.start = 0;
	md.add_reserved.length = PAGE;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &md));
}

/* Replace moves a device between IOASes and HWPTs. */
TEST_F(control, replace)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_test_cmd md, rep = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	__u64 iova = MOCK_APERTURE_START;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &alloc));
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_map_fixed(self->fd, alloc.out_ioas_id, self->buf, PAGE,
				   iova, SIM_RW));

	hwpt.dev_id = md.mock_domain.out_idev_id;
	hwpt.pt_id = alloc.out_ioas_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &hwpt));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt.out_hwpt_id, iova, self->buf,
				   PAGE));

	rep.id = md.mock_domain.out_stdev_id;
	rep.mock_domain_replace.pt_id = hwpt.out_hwpt_id;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &rep));
	ASSERT_EQ(hwpt.out_hwpt_id, rep.mock_domain_replace.pt_id);
	/* The automatic HWPT of the first IOAS went with its last device. */
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, md.mock_domain.out_hwpt_id));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, hwpt.out_hwpt_id));

	/* Back to the first IOAS: a new automatic HWPT. */
	rep.mock_domain_replace.pt_id = self->ioas;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &rep));
	ASSERT_NE(hwpt.out_hwpt_id, rep.mock_domain_replace.pt_id);
	ASSERT_EQ(0, sim_destroy(self->fd, hwpt.out_hwpt_id));

	/* Replace needs a selftest device and something to attach to. */
	rep.mock_domain_replace.pt_id = 9999;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &rep));
	rep.id = self->ioas;
	rep.mock_domain_replace.pt_id = self->ioas;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &rep));
}

TEST_F(control, add_reserved)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED, .id = self->ioas,
		.add_reserved = { .start = 2 * PAGE, .length = 2 * PAGE },
	};

	ASSERT_EQ(0, sim_test_cmd(self->fd, &cmd));
	ASSERT_EQ(-EINVAL, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
					 3 * PAGE, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	/* Over a mapping: refused. */
	cmd.add_reserved.start = 0;
	ASSERT_EQ(-EADDRINUSE, sim_test_cmd(self->fd, &cmd));
	cmd.add_reserved.length = 0;
	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &cmd));
	cmd.add_reserved.start = UINT64_MAX;
	cmd.add_reserved.length = 2;
	ASSERT_EQ(-EOVERFLOW, sim_test_cmd(self->fd, &cmd));
	cmd.add_reserved.start = 8 * PAGE;
	cmd.id = 9999;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &cmd));
}

TEST_F(control, check_errors)
{
	struct iommu_test_cmd md;

	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	/* Not IO-page aligned. */
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, md.mock_domain.out_hwpt_id,
					 MOCK_APERTURE_START + 1, self->buf,
					 PAGE));
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, md.mock_domain.out_hwpt_id,
					 MOCK_APERTURE_START, self->buf, 1));
	/* Not a HWPT. */
	ASSERT_EQ(-ENOENT, sim_check_map(self->fd, self->ioas,
					 MOCK_APERTURE_START, self->buf, PAGE));
	/* The pin count is what it is, no other. */
	ASSERT_EQ(-EIO, sim_check_refs(self->fd, self->buf, PAGE, 2));
	ASSERT_EQ(-EINVAL, sim_check_refs(self->fd, self->buf + 1, PAGE, 1));
	ASSERT_EQ(-EFAULT, sim_check_refs(self->fd, NULL, PAGE, 0));
}

/* An access pins and copies; unmapping asks it to let go. */
TEST_F(control, access_pin_and_unmap)
{
	__u32 pin, pin2;
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   0x100000, SIM_RW));
	afd = create_access(self->fd, self->ioas,
			    MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);

	ASSERT_EQ(0, access_pages(self->fd, afd, 0x100000 + PAGE, 2 * PAGE,
				  self->buf + PAGE, MOCK_FLAGS_ACCESS_WRITE,
				  &pin));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + PAGE, 2 * PAGE, 1));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, PAGE, 0));
	/* The pages behind another buffer are not these. */
	ASSERT_EQ(-EBADE, access_pages(self->fd, afd, 0x100000, PAGE,
				       self->buf + PAGE, 0, NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, PAGE, 0));

	ASSERT_EQ(0, access_unpin(self->fd, afd, pin));
	ASSERT_EQ(-ENOENT, access_unpin(self->fd, afd, pin));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + PAGE, 2 * PAGE, 0));

	/* Pinned while the IOAS unmaps: the access is asked to unpin. */
	ASSERT_EQ(0, access_pages(self->fd, afd, 0x100000, PAGE, self->buf,
				  0, &pin2));
	ASSERT_NE(pin, pin2);
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, 0x100000, BUF_BYTES));
	ASSERT_EQ(-ENOENT, access_unpin(self->fd, afd, pin2));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 0));
	ASSERT_EQ(-ENOENT, access_pages(self->fd, afd, 0x100000, PAGE,
					self->buf, 0, NULL));
	ASSERT_EQ(0, close(afd));
}

/* Closing an access's file releases what it pinned, in any order. */
TEST_F(control, access_closed_while_pinning)
{
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   0, SIM_RW));
	afd = create_access(self->fd, self->ioas,
			    MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, access_pages(self->fd, afd, 0, BUF_BYTES, self->buf, 0,
				  NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 1));
	/* The access holds the context: /dev/iommu goes first. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, sim_stat("contexts"));
	ASSERT_EQ(0, close(afd));
}

TEST_F(control, access_errors)
{
	char big;
	int afd;

	ASSERT_EQ(-EOPNOTSUPP, create_access(self->fd, self->ioas, 2));
	ASSERT_EQ(-ENOENT, create_access(self->fd, 9999, 0));
	/* Only the IOAS is left. */
	ASSERT_EQ(1, sim_stat("objects"));

	afd = create_access(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	/* An access that did not ask to pin cannot. */
	ASSERT_EQ(-EOPNOTSUPP, access_pages(self->fd, afd, 0, PAGE, self->buf,
					    0, NULL));
	ASSERT_EQ(-EOPNOTSUPP, access_pages(self->fd, afd, 0, PAGE, self->buf,
					    1 << 3, NULL));
	ASSERT_EQ(-ENOMEM, access_pages(self->fd, afd, 0, 32 << 20, NULL, 0,
					NULL));
	ASSERT_EQ(-EOPNOTSUPP, access_rw(self->fd, afd, 0, &big, 1, 1 << 5));
	ASSERT_EQ(-ENOMEM, access_rw(self->fd, afd, 0, &big, 32 << 20, 0));
	/* Not an access's file descriptor. */
	ASSERT_EQ(-EBADFD, access_rw(self->fd, self->fd, 0, &big, 1, 0));
	ASSERT_EQ(-EBADFD, access_rw(self->fd, 1000, 0, &big, 1, 0));
	ASSERT_EQ(-EBADFD, access_unpin(self->fd, self->fd, 0));
	/* Outside what is mapped. */
	ASSERT_EQ(-ENOENT, access_rw(self->fd, afd, PAGE, &big, 1, 0));
	ASSERT_EQ(0, close(afd));
}

/*
 * As 6.12 answers: ACCESS_PAGES and ACCESS_RW judge the length and the
 * flags before the access's file descriptor, and a pin must start on a
 * page boundary of the memory, in either form of IOVA.
 */
TEST_F(control, access_order_of_checks)
{
	char big;
	int afd;

	/* A bad fd with a bad length, or with unknown flags. */
	ASSERT_EQ(-ENOMEM, access_pages(self->fd, 1000, 0, 32 << 20, NULL, 0,
					NULL));
	ASSERT_EQ(-EOPNOTSUPP, access_pages(self->fd, 1000, 0, PAGE, NULL,
					    1 << 3, NULL));
	ASSERT_EQ(-ENOMEM, access_rw(self->fd, 1000, 0, &big, 32 << 20, 0));
	ASSERT_EQ(-EOPNOTSUPP, access_rw(self->fd, 1000, 0, &big, 1, 1 << 5));
	ASSERT_EQ(-EBADFD, access_pages(self->fd, 1000, 0, PAGE, NULL, 0,
					NULL));

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf,
				   2 * PAGE, 0x400000, SIM_RW));
	afd = create_access(self->fd, self->ioas,
			    MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	/* Starting inside a page: refused, plain and by area index. */
	ASSERT_EQ(-EINVAL, access_pages(self->fd, afd, 0x400010, 16, NULL, 0,
					NULL));
	ASSERT_EQ(-EINVAL, access_pages(self->fd, afd, 0x10ULL << 32, 16, NULL,
					MOCK_FLAGS_ACCESS_SYZ, NULL));
	/* An offset that runs past the mapping, unaligned then aligned. */
	ASSERT_EQ(-EINVAL, access_pages(self->fd, afd, 0x10ULL << 32,
					2 * PAGE, NULL, MOCK_FLAGS_ACCESS_SYZ,
					NULL));
	ASSERT_EQ(-ENOENT, access_pages(self->fd, afd,
					(unsigned long long)PAGE << 32,
					2 * PAGE, NULL, MOCK_FLAGS_ACCESS_SYZ,
					NULL));
	/* Nothing was pinned by any of them. */
	ASSERT_EQ(0, sim_stat("pinned_pages"));
	ASSERT_EQ(0, access_pages(self->fd, afd, 0x400000 + PAGE, 16,
				  self->buf + PAGE, 0, NULL));
	ASSERT_EQ(0, close(afd));
}

/* ACCESS_RW reads and writes the IOAS's memory, across areas. */
TEST_F(control, access_rw)
{
	char data[3 * 64], back[sizeof(data)];
	__u32 flags[] = { 0, MOCK_ACCESS_RW_SLOW_PATH };
	unsigned int i;
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf + 4 * PAGE,
				   PAGE, PAGE, SIM_RW));
	afd = create_access(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	for (i = 0; i < 2; i++) {
		memset(data, 'a' + i, sizeof(data));
		/* Straddles the two areas, whose memory is apart. */
		ASSERT_EQ(0, access_rw(self->fd, afd, PAGE - 64, data,
				       sizeof(data),
				       flags[i] | MOCK_ACCESS_RW_WRITE));
		ASSERT_EQ('a' + i, self->buf[PAGE - 1]);
		ASSERT_EQ('a' + i, self->buf[4 * PAGE + 127]);
		ASSERT_EQ(0x11, self->buf[4 * PAGE + 128]);
		memset(back, 0, sizeof(back));
		ASSERT_EQ(0, access_rw(self->fd, afd, PAGE - 64, back,
				       sizeof(back), flags[i]));
		ASSERT_EQ(0, memcmp(data, back, sizeof(data)));
	}
	ASSERT_EQ(0, close(afd));
}

/* MOCK_FLAGS_ACCESS_SYZ: IOVA as (area index, offset). */
TEST_F(control, area_index_form)
{
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy), .dst_ioas_id = self->ioas,
		.src_ioas_id = self->ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 MOCK_FLAGS_ACCESS_SYZ,
		.length = PAGE, .dst_iova = 0x800000,
		/* area 1, offset 0 */
		.src_iova = 1,
	};
	char c = 0;
	int afd;

	self->buf[5 * PAGE + 8] = 'x';
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf + 5 * PAGE,
				   PAGE, 0x400000, SIM_RW));
	afd = create_access(self->fd, self->ioas,
			    MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	/* Area 1, offset 8: the byte at 0x400008. */
	ASSERT_EQ(0, access_rw(self->fd, afd, (8ULL << 32) | 1, &c, 1,
			       MOCK_FLAGS_ACCESS_SYZ));
	ASSERT_EQ('x', c);
	ASSERT_EQ(0, access_pages(self->fd, afd, 1, PAGE, NULL,
				  MOCK_FLAGS_ACCESS_SYZ, NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + 5 * PAGE, PAGE, 1));

	/* COPY's source in the same form: area 1 to 0x800000. */
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	c = 0;
	ASSERT_EQ(0, access_rw(self->fd, afd, 0x800008, &c, 1, 0));
	ASSERT_EQ('x', c);
	/* No area 7: the IOVA becomes 0, which area 0 maps. */
	c = 0;
	ASSERT_EQ(0, access_rw(self->fd, afd, (8ULL << 32) | 7, &c, 1,
			       MOCK_FLAGS_ACCESS_SYZ));
	ASSERT_EQ(0x11, c);
	ASSERT_EQ(0, close(afd));
}

/* Access replace moves an access to another IOAS. */
TEST_F(control, access_replace_ioas)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd rep = { .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS };
	char c = 0;
	int afd;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &alloc));
	self->buf[3 * PAGE] = 'y';
	ASSERT_EQ(0, sim_map_fixed(self->fd, alloc.out_ioas_id,
				   self->buf + 3 * PAGE, PAGE, 0, SIM_RW));
	afd = create_access(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(-ENOENT, access_rw(self->fd, afd, 0, &c, 1, 0));
	rep.id = afd;
	rep.access_replace_ioas.ioas_id = alloc.out_ioas_id;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &rep));
	ASSERT_EQ(0, access_rw(self->fd, afd, 0, &c, 1, 0));
	ASSERT_EQ('y', c);
	/* The access holds its IOAS. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, alloc.out_ioas_id));
	rep.access_replace_ioas.ioas_id = 9999;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &rep));
	ASSERT_EQ(0, close(afd));
	ASSERT_EQ(0, sim_destroy(self->fd, alloc.out_ioas_id));
}

/* Tiny pin batches still pin and map everything. */
TEST_F(control, temp_memory_limit)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = 11 },
	};
	struct iommu_test_cmd md;

	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &cmd));
	cmd.memory_limit.limit = 16;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &cmd));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_check_map(self->fd, md.mock_domain.out_hwpt_id,
				   MOCK_APERTURE_START, self->buf, BUF_BYTES));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 1));
}

/* The command's own rules: sizes, and unknown operations. */
TEST_F(control, command_rules)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_IOTLB };
	char big[sizeof(cmd) + 8] = { 0 };

	/* No nested HWPT 0, no device 0. */
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &cmd));
	cmd.op = IOMMU_TEST_OP_TRIGGER_IOPF;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &cmd));
	cmd.op = 1000;
	ASSERT_EQ(-EOPNOTSUPP, sim_test_cmd(self->fd, &cmd));

	cmd.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT;
	cmd.memory_limit.limit = 65536;
	cmd.size = offsetof(struct iommu_test_cmd, last);
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_TEST_CMD, &cmd));
	memcpy(big, &cmd, sizeof(cmd));
	((struct iommu_test_cmd *)big)->size = sizeof(big);
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_TEST_CMD, big));
	big[sizeof(big) - 1] = 1;
	ASSERT_EQ(-E2BIG, sim_ioctl(self->fd, IOMMU_TEST_CMD, big));
}

/* Move the mock device of @md (MOCK_DOMAIN_REPLACE) to @pt_id. */
static int move(int fd, const struct iommu_test_cmd *md, __u32 pt_id)
{
	struct iommu_test_cmd rep = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = md->mock_domain.out_stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return sim_test_cmd(fd, &rep);
}

static int dirty_ioctl(int fd, unsigned long req, __u32 hwpt, __u32 flags,
		       __u64 *bits)
{
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set), .hwpt_id = hwpt, .flags = flags,
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .hwpt_id = hwpt, .flags = flags,
		.iova = MOCK_APERTURE_START, .length = BUF_BYTES,
		.page_size = PAGE, .data = (uintptr_t)bits,
	};

	if (req == IOMMU_HWPT_SET_DIRTY_TRACKING)
		return sim_ioctl(fd, req, &set);
	*bits = 0;
	return sim_ioctl(fd, req, &get);
}

/*
 * Dirty tracking through the control plane: a tracking HWPT, pages marked
 * written with DIRTY, the bitmap read with and without clearing; a device
 * created with MOCK_FLAGS_DEVICE_NO_DIRTY can have none.
 */
TEST_F(control, dirty_tracking)
{
	struct iommu_test_cmd md, mark = { .op = IOMMU_TEST_OP_DIRTY };
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = self->ioas,
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .iova = MOCK_APERTURE_START,
		.length = BUF_BYTES, .page_size = PAGE,
		.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
	};
	__u64 bits, marked = (1 << 1) | (1 << 3);
	void *ro;

	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	info.dev_id = md.mock_domain.out_idev_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	ASSERT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, info.out_capabilities);
	alloc.dev_id = md.mock_domain.out_idev_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_EQ(0, move(self->fd, &md, alloc.out_hwpt_id));

	/* DIRTY needs tracking on, and a bitmap. */
	mark.id = alloc.out_hwpt_id;
	mark.dirty.iova = MOCK_APERTURE_START;
	mark.dirty.length = BUF_BYTES;
	mark.dirty.page_size = PAGE;
	mark.dirty.uptr = (uintptr_t)&marked;
	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &mark));
	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				 alloc.out_hwpt_id,
				 IOMMU_HWPT_DIRTY_TRACKING_ENABLE, NULL));
	ASSERT_EQ(0, sim_test_cmd(self->fd, &mark));
	ASSERT_EQ(2, mark.dirty.out_nr_dirty);

	/* A bitmap it can read but not write: dirty bits cannot land. */
	ro = sim_mem(PAGE);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	get.hwpt_id = alloc.out_hwpt_id;
	get.data = (uintptr_t)ro;
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				     &get));
	ASSERT_EQ(0, munmap(ro, PAGE));

	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				 alloc.out_hwpt_id,
				 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, &bits));
	ASSERT_EQ(marked, bits);
	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				 alloc.out_hwpt_id, 0, &bits));
	ASSERT_EQ(marked, bits);
	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				 alloc.out_hwpt_id, 0, &bits));
	ASSERT_EQ(0, bits);
	mark.dirty.page_size = 0;
	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &mark));

	/* A device that cannot track: no capability, no tracking HWPT. */
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas,
				 MOCK_FLAGS_DEVICE_NO_DIRTY, &md));
	info.dev_id = md.mock_domain_flags.out_idev_id;
	/* The last call returned the driver's data length: no buffer now. */
	info.data_len = 0;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	ASSERT_EQ(0, info.out_capabilities);
	alloc.dev_id = md.mock_domain_flags.out_idev_id;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
}

static int check_iotlb(int fd, __u32 hwpt, __u32 index, __u32 value)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = hwpt,
		.check_iotlb = { .id = index, .iotlb = value },
	};

	return sim_test_cmd(fd, &cmd);
}

/*
 * Nesting: a nesting parent, a nested HWPT from the selftest data, a
 * device moved onto it, invalidations checked through MD_CHECK_IOTLB,
 * and the count handled written back when an entry is refused.
 */
TEST_F(control, nested_and_invalidate)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv[2] = {
		{ .iotlb_id = 2 }, { .iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_NUM },
	};
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv[0]), .entry_num = 1,
	};
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent), .pt_id = self->ioas,
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested), .data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};
	struct iommu_test_cmd md;
	__u32 i;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	parent.dev_id = md.mock_domain.out_idev_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &parent));
	nested.dev_id = parent.dev_id;
	nested.pt_id = parent.out_hwpt_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	ASSERT_EQ(0, move(self->fd, &md, nested.out_hwpt_id));
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		ASSERT_EQ(0, check_iotlb(self->fd, nested.out_hwpt_id, i,
					 IOMMU_TEST_IOTLB_DEFAULT));
	ASSERT_EQ(-EINVAL, check_iotlb(self->fd, nested.out_hwpt_id,
				       MOCK_NESTED_DOMAIN_IOTLB_NUM, 0));

	cmd.hwpt_id = nested.out_hwpt_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	ASSERT_EQ(1, cmd.entry_num);
	ASSERT_EQ(0, check_iotlb(self->fd, nested.out_hwpt_id, 2, 0));
	ASSERT_EQ(0, check_iotlb(self->fd, nested.out_hwpt_id, 1,
				 IOMMU_TEST_IOTLB_DEFAULT));
	/* The second entry names no IOTLB entry: one handled. */
	inv[0].iotlb_id = 1;
	cmd.entry_num = 2;
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	ASSERT_EQ(1, cmd.entry_num);
	ASSERT_EQ(0, check_iotlb(self->fd, nested.out_hwpt_id, 1, 0));
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	cmd.entry_num = 1;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	ASSERT_EQ(0, check_iotlb(self->fd, nested.out_hwpt_id, 0, 0));

	/* The nested HWPT holds its parent; the device holds it. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, parent.out_hwpt_id));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, nested.out_hwpt_id));
}

static int trigger_iopf(int fd, __u32 dev_id, __u64 addr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id, .pasid = 0x1, .grpid = 0x2,
			.perm = IOMMU_PGFAULT_PERM_READ, .addr = addr,
		},
	};

	return sim_test_cmd(fd, &cmd);
}

/*
 * A nested HWPT whose faults go to queue @fault_id, on a new nesting
 * parent of @ioas for device @dev_id: 6.12 takes fault queues on nested
 * HWPTs only. Returns the ioctl's errno; *@parent is set either way.
 */
static int nested_with_queue(int fd, __u32 ioas, __u32 dev_id,
			     __u32 fault_id, __u32 *parent, __u32 *nested)
{
	static struct iommu_hwpt_selftest data = {
		.iotlb = IOMMU_TEST_IOTLB_DEFAULT,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = ioas, .dev_id = dev_id,
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	int rc;

	*parent = 0;
	rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc);
	if (rc)
		return rc;
	*parent = alloc.out_hwpt_id;
	alloc.pt_id = *parent;
	alloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	alloc.fault_id = fault_id;
	alloc.data_type = IOMMU_HWPT_DATA_SELFTEST;
	alloc.data_len = sizeof(data);
	alloc.data_uptr = (uintptr_t)&data;
	rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc);
	*nested = alloc.out_hwpt_id;
	return rc;
}

/*
 * Fault queues: a nested HWPT with a queue, a device on it taking two
 * faults,
 * the messages read and answered, and the rules of the file; the queue
 * lives while its file or a HWPT holds it.
 */
TEST_F(control, fault_queue)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = self->ioas,
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
	};
	struct iommu_hwpt_pgfault msg[3];
	struct iommu_hwpt_page_response resp[2] = { { 0 } };
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct iommu_test_cmd md;
	__u32 parent, nested;
	void *ro;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa));
	ASSERT_LE(0, (int)qa.out_fault_fd);
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	alloc.dev_id = md.mock_domain.out_idev_id;
	/* A paging HWPT takes no queue in 6.12, whatever the id. */
	alloc.fault_id = qa.out_fault_id;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_EQ(-ENOENT, nested_with_queue(self->fd, self->ioas,
					     alloc.dev_id, 9999, &parent,
					     &nested));
	ASSERT_EQ(0, sim_destroy(self->fd, parent));
	ASSERT_EQ(0, nested_with_queue(self->fd, self->ioas, alloc.dev_id,
				       qa.out_fault_id, &parent, &nested));
	alloc.out_hwpt_id = nested;
	/* Not attached to it yet: the fault has nowhere to go. */
	ASSERT_EQ(0, trigger_iopf(self->fd, alloc.dev_id, 0x1000));
	ASSERT_EQ(0, read(qa.out_fault_fd, msg, sizeof(msg)));
	ASSERT_EQ(0, move(self->fd, &md, alloc.out_hwpt_id));
	pfd.fd = qa.out_fault_fd;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, trigger_iopf(self->fd, alloc.dev_id, 0x1000));
	ASSERT_EQ(0, trigger_iopf(self->fd, alloc.dev_id, 0x2000));
	ASSERT_EQ(-ENOENT, trigger_iopf(self->fd, 9999, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN | POLLOUT, pfd.revents);

	/* Whole messages only; they come in order. */
	ASSERT_EQ(-1, read(qa.out_fault_fd, msg, sizeof(msg[0]) - 1));
	ASSERT_EQ(ESPIPE, errno);
	/* Into memory it cannot write: nothing is taken off the queue. */
	ro = sim_mem(PAGE);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	ASSERT_EQ(-1, read(qa.out_fault_fd, ro, sizeof(msg[0])));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(2 * sizeof(msg[0]), read(qa.out_fault_fd, msg, sizeof(msg)));
	ASSERT_EQ(alloc.dev_id, msg[0].dev_id);
	ASSERT_EQ(0x1000, msg[0].addr);
	ASSERT_EQ(0x2000, msg[1].addr);
	ASSERT_EQ(1, msg[0].pasid);
	ASSERT_EQ(2, msg[0].grpid);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ, msg[0].perm);
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE |
		  IOMMU_PGFAULT_FLAGS_PASID_VALID, msg[0].flags);
	ASSERT_NE(msg[0].cookie, msg[1].cookie);

	/* Responses from memory it cannot read answer nothing. */
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_NONE));
	ASSERT_EQ(-1, write(qa.out_fault_fd, ro, sizeof(resp[0])));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, munmap(ro, PAGE));

	/* Responses: a bad code, an unknown cookie, then the right ones. */
	resp[0].cookie = msg[0].cookie;
	resp[0].code = 7;
	ASSERT_EQ(-1, write(qa.out_fault_fd, resp, sizeof(resp[0])));
	ASSERT_EQ(EINVAL, errno);
	resp[0].code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp[1].cookie = msg[1].cookie + 100;
	ASSERT_EQ(sizeof(resp[0]), write(qa.out_fault_fd, resp, sizeof(resp)));
	resp[1].cookie = msg[1].cookie;
	resp[1].code = IOMMUFD_PAGE_RESP_INVALID;
	ASSERT_EQ(sizeof(resp[0]), write(qa.out_fault_fd, &resp[1],
					 sizeof(resp[1])));
	/* Answered already. */
	ASSERT_EQ(-1, write(qa.out_fault_fd, &resp[1], sizeof(resp[1])));
	ASSERT_EQ(EINVAL, errno);

	/* The file and the HWPT hold the queue. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, qa.out_fault_id));
	ASSERT_EQ(0, close(qa.out_fault_fd));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, qa.out_fault_id));
	/* Messages left unread, or read and unanswered, go with the queue. */
	ASSERT_EQ(0, trigger_iopf(self->fd, alloc.dev_id, 0x3000));
}

/* Read and never answered, with the file closed before the context. */
TEST_F(control, fault_queue_unanswered)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };
	struct iommu_hwpt_pgfault msg;
	struct iommu_test_cmd md;
	__u32 dev_id, parent, nested;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa));
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	dev_id = md.mock_domain.out_idev_id;
	ASSERT_EQ(0, nested_with_queue(self->fd, self->ioas, dev_id,
				       qa.out_fault_id, &parent, &nested));
	ASSERT_EQ(0, move(self->fd, &md, nested));
	ASSERT_EQ(0, trigger_iopf(self->fd, dev_id, 0x1000));
	ASSERT_EQ(sizeof(msg), read(qa.out_fault_fd, &msg, sizeof(msg)));
	/* Nothing more to read. */
	ASSERT_EQ(0, read(qa.out_fault_fd, &msg, sizeof(msg)));
	/* Move the device off, destroy the HWPTs, then the queue. */
	ASSERT_EQ(0, move(self->fd, &md, self->ioas));
	ASSERT_EQ(0, sim_destroy(self->fd, nested));
	ASSERT_EQ(0, sim_destroy(self->fd, parent));
	ASSERT_EQ(0, close(qa.out_fault_fd));
	ASSERT_EQ(0, sim_destroy(self->fd, qa.out_fault_id));
}

/* Closing /dev/iommu first: the queue's file keeps the context. */
TEST_F(control, fault_queue_outlives_close)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, sim_stat("contexts"));
	ASSERT_EQ(0, close(qa.out_fault_fd));
}

/* The whole of /sys/kernel/debug/ioasim/graph, or NULL without it. */
static char *read_graph(void)
{
	static char graph[16384];

	if (sim_read_file("/sys/kernel/debug/ioasim/graph", graph,
			  sizeof(graph)) < 0)
		return NULL;
	return graph;
}

/* The reference ledger's graph names who holds whom, and forgets it. */
TEST_F(control, debugfs_graph)
{
	struct iommu_test_cmd md;
	char line[96], *graph;

	if (!read_graph())
		SKIP(return, "no CONFIG_IOASIM_LEDGER or no debugfs");
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, 0, &md));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	graph = read_graph();
	ASSERT_NE(NULL, graph);
	snprintf(line, sizeof(line), "  ioas %u: users 2 busy 1\n",
		 self->ioas);
	ASSERT_NE(NULL, strstr(graph, line)) TH_LOG("%s", graph);
	snprintf(line, sizeof(line), "    held by hwpt_paging %u at ",
		 md.mock_domain.out_hwpt_id);
	ASSERT_NE(NULL, strstr(graph, line)) TH_LOG("%s", graph);
	snprintf(line, sizeof(line), "    held by device %u at ",
		 md.mock_domain.out_idev_id);
	ASSERT_NE(NULL, strstr(graph, line)) TH_LOG("%s", graph);
	snprintf(line, sizeof(line), ": 1 references, %lu pages pinned\n",
		 BUF_BYTES / PAGE);
	ASSERT_NE(NULL, strstr(graph, line)) TH_LOG("%s", graph);
	ASSERT_NE(NULL, strstr(graph, " IO pages mapped\n"));

	close(self->fd);
	self->fd = -1;
	graph = read_graph();
	ASSERT_NE(NULL, graph);
	ASSERT_EQ(NULL, strstr(graph, "context ")) TH_LOG("%s", graph);
	ASSERT_EQ(NULL, strstr(graph, "pages ")) TH_LOG("%s", graph);
}

TEST_HARNESS_MAIN
