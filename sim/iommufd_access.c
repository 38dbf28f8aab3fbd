// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: accesses of the selftest control plane from userspace:
 * pins and copies behind file descriptors, unmap asking them to let go,
 * closing in either order, the area-index (syzkaller) form, replace, and
 * the order in which their errors are judged. Every test ends with all
 * files closed and checks that ioasim holds nothing any more.
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

FIXTURE(access)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(access)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0x11);
}

FIXTURE_TEARDOWN(access)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
}

/* An access pins and copies; unmapping asks it to let go. */
TEST_F(access, access_pin_and_unmap)
{
	__u32 pin, pin2;
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   0x100000, SIM_RW));
	afd = sim_access_create(self->fd, self->ioas,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);

	ASSERT_EQ(0, sim_access_pages(self->fd, afd, 0x100000 + PAGE, 2 * PAGE,
				      self->buf + PAGE, MOCK_FLAGS_ACCESS_WRITE,
				      &pin));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + PAGE, 2 * PAGE, 1));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, PAGE, 0));
	/* The pages behind another buffer are not these. */
	ASSERT_EQ(-EBADE, sim_access_pages(self->fd, afd, 0x100000, PAGE,
					   self->buf + PAGE, 0, NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, PAGE, 0));

	ASSERT_EQ(0, sim_access_unpin(self->fd, afd, pin));
	ASSERT_EQ(-ENOENT, sim_access_unpin(self->fd, afd, pin));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + PAGE, 2 * PAGE, 0));

	/* Pinned while the IOAS unmaps: the access is asked to unpin. */
	ASSERT_EQ(0, sim_access_pages(self->fd, afd, 0x100000, PAGE, self->buf,
				      0, &pin2));
	ASSERT_NE(pin, pin2);
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, 0x100000, BUF_BYTES));
	ASSERT_EQ(-ENOENT, sim_access_unpin(self->fd, afd, pin2));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 0));
	ASSERT_EQ(-ENOENT, sim_access_pages(self->fd, afd, 0x100000, PAGE,
					    self->buf, 0, NULL));
	ASSERT_EQ(0, close(afd));
}

/* Closing an access's file releases what it pinned, in any order. */
TEST_F(access, access_closed_while_pinning)
{
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   0, SIM_RW));
	afd = sim_access_create(self->fd, self->ioas,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sim_access_pages(self->fd, afd, 0, BUF_BYTES, self->buf, 0,
				      NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 1));
	/* The access holds the context: /dev/iommu goes first. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, sim_stat("contexts"));
	ASSERT_EQ(0, close(afd));
}

TEST_F(access, access_errors)
{
	char big;
	int afd;

	ASSERT_EQ(-EOPNOTSUPP, sim_access_create(self->fd, self->ioas, 2));
	ASSERT_EQ(-ENOENT, sim_access_create(self->fd, 9999, 0));
	/* Only the IOAS is left. */
	ASSERT_EQ(1, sim_stat("objects"));

	afd = sim_access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	/* An access that did not ask to pin cannot. */
	ASSERT_EQ(-EOPNOTSUPP, sim_access_pages(self->fd, afd, 0, PAGE, self->buf,
						0, NULL));
	ASSERT_EQ(-EOPNOTSUPP, sim_access_pages(self->fd, afd, 0, PAGE, self->buf,
						1 << 3, NULL));
	ASSERT_EQ(-ENOMEM, sim_access_pages(self->fd, afd, 0, 32 << 20, NULL, 0,
					    NULL));
	ASSERT_EQ(-EOPNOTSUPP, sim_access_rw(self->fd, afd, 0, &big, 1, 1 << 5));
	ASSERT_EQ(-ENOMEM, sim_access_rw(self->fd, afd, 0, &big, 32 << 20, 0));
	/* Not an access's file descriptor. */
	ASSERT_EQ(-EBADFD, sim_access_rw(self->fd, self->fd, 0, &big, 1, 0));
	ASSERT_EQ(-EBADFD, sim_access_rw(self->fd, 1000, 0, &big, 1, 0));
	ASSERT_EQ(-EBADFD, sim_access_unpin(self->fd, self->fd, 0));
	/* Outside what is mapped. */
	ASSERT_EQ(-ENOENT, sim_access_rw(self->fd, afd, PAGE, &big, 1, 0));
	ASSERT_EQ(0, close(afd));
}

/*
 * As 6.12 answers: ACCESS_PAGES and ACCESS_RW judge the length and the
 * flags before the access's file descriptor, and a pin must start on a
 * page boundary of the memory, in either form of IOVA.
 */
TEST_F(access, access_order_of_checks)
{
	char big;
	int afd;

	/* A bad fd with a bad length, or with unknown flags. */
	ASSERT_EQ(-ENOMEM, sim_access_pages(self->fd, 1000, 0, 32 << 20, NULL, 0,
					    NULL));
	ASSERT_EQ(-EOPNOTSUPP, sim_access_pages(self->fd, 1000, 0, PAGE, NULL,
						1 << 3, NULL));
	ASSERT_EQ(-ENOMEM, sim_access_rw(self->fd, 1000, 0, &big, 32 << 20, 0));
	ASSERT_EQ(-EOPNOTSUPP, sim_access_rw(self->fd, 1000, 0, &big, 1, 1 << 5));
	ASSERT_EQ(-EBADFD, sim_access_pages(self->fd, 1000, 0, PAGE, NULL, 0,
					    NULL));

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf,
				   2 * PAGE, 0x400000, SIM_RW));
	afd = sim_access_create(self->fd, self->ioas,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	/* Starting inside a page: refused, plain and by area index. */
	ASSERT_EQ(-EINVAL, sim_access_pages(self->fd, afd, 0x400010, 16, NULL, 0,
					    NULL));
	ASSERT_EQ(-EINVAL, sim_access_pages(self->fd, afd, 0x10ULL << 32, 16, NULL,
					    MOCK_FLAGS_ACCESS_SYZ, NULL));
	/* An offset that runs past the mapping, unaligned then aligned. */
	ASSERT_EQ(-EINVAL, sim_access_pages(self->fd, afd, 0x10ULL << 32,
					    2 * PAGE, NULL, MOCK_FLAGS_ACCESS_SYZ,
					    NULL));
	ASSERT_EQ(-ENOENT, sim_access_pages(self->fd, afd,
					    (unsigned long long)PAGE << 32,
					    2 * PAGE, NULL, MOCK_FLAGS_ACCESS_SYZ,
					    NULL));
	/* Nothing was pinned by any of them. */
	ASSERT_EQ(0, sim_stat("pinned_pages"));
	ASSERT_EQ(0, sim_access_pages(self->fd, afd, 0x400000 + PAGE, 16,
				      self->buf + PAGE, 0, NULL));
	ASSERT_EQ(0, close(afd));
}

/* ACCESS_RW reads and writes the IOAS's memory, across areas. */
TEST_F(access, access_rw)
{
	char data[3 * 64], back[sizeof(data)];
	__u32 flags[] = { 0, MOCK_ACCESS_RW_SLOW_PATH };
	unsigned int i;
	int afd;

	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE, 0, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf + 4 * PAGE,
				   PAGE, PAGE, SIM_RW));
	afd = sim_access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	for (i = 0; i < 2; i++) {
		memset(data, 'a' + i, sizeof(data));
		/* Straddles the two areas, whose memory is apart. */
		ASSERT_EQ(0, sim_access_rw(self->fd, afd, PAGE - 64, data,
					   sizeof(data),
					   flags[i] | MOCK_ACCESS_RW_WRITE));
		ASSERT_EQ('a' + i, self->buf[PAGE - 1]);
		ASSERT_EQ('a' + i, self->buf[4 * PAGE + 127]);
		ASSERT_EQ(0x11, self->buf[4 * PAGE + 128]);
		memset(back, 0, sizeof(back));
		ASSERT_EQ(0, sim_access_rw(self->fd, afd, PAGE - 64, back,
					   sizeof(back), flags[i]));
		ASSERT_EQ(0, memcmp(data, back, sizeof(data)));
	}
	ASSERT_EQ(0, close(afd));
}

/*
 * A map records its range and pins nothing: memory missing from it shows
 * only where something pins. An access reaches the pages on either side
 * of a hole, and only the hole faults - so a map that runs past the end
 * of one's buffer names whatever lies beyond it, and a write through it
 * lands there.
 */
TEST_F(access, map_over_a_hole)
{
	char c = 'X';
	int afd;

	ASSERT_EQ(0, munmap(self->buf + PAGE, PAGE));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, 3 * PAGE, 0,
				   SIM_RW));
	afd = sim_access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, 2 * PAGE, &c, 1,
				   MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ('X', self->buf[2 * PAGE]);
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, 0, &c, 1,
				   MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ('X', self->buf[0]);
	ASSERT_EQ(-EFAULT, sim_access_rw(self->fd, afd, PAGE, &c, 1,
					 MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, close(afd));
	/* The teardown unmaps the whole buffer: give the hole back. */
	ASSERT_NE(MAP_FAILED, mmap(self->buf + PAGE, PAGE,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
}

/* MOCK_FLAGS_ACCESS_SYZ: IOVA as (area index, offset). */
TEST_F(access, area_index_form)
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
	afd = sim_access_create(self->fd, self->ioas,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	ASSERT_LE(0, afd);
	/* Area 1, offset 8: the byte at 0x400008. */
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, (8ULL << 32) | 1, &c, 1,
				   MOCK_FLAGS_ACCESS_SYZ));
	ASSERT_EQ('x', c);
	ASSERT_EQ(0, sim_access_pages(self->fd, afd, 1, PAGE, NULL,
				      MOCK_FLAGS_ACCESS_SYZ, NULL));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + 5 * PAGE, PAGE, 1));

	/* COPY's source in the same form: area 1 to 0x800000. */
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	c = 0;
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, 0x800008, &c, 1, 0));
	ASSERT_EQ('x', c);
	/* No area 7: the IOVA becomes 0, which area 0 maps. */
	c = 0;
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, (8ULL << 32) | 7, &c, 1,
				   MOCK_FLAGS_ACCESS_SYZ));
	ASSERT_EQ(0x11, c);
	ASSERT_EQ(0, close(afd));
}

/* Access replace moves an access to another IOAS. */
TEST_F(access, access_replace_ioas)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd rep = { .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS };
	char c = 0;
	int afd;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_ALLOC, &alloc));
	self->buf[3 * PAGE] = 'y';
	ASSERT_EQ(0, sim_map_fixed(self->fd, alloc.out_ioas_id,
				   self->buf + 3 * PAGE, PAGE, 0, SIM_RW));
	afd = sim_access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(-ENOENT, sim_access_rw(self->fd, afd, 0, &c, 1, 0));
	rep.id = afd;
	rep.access_replace_ioas.ioas_id = alloc.out_ioas_id;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &rep));
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, 0, &c, 1, 0));
	ASSERT_EQ('y', c);
	/* The access holds its IOAS. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, alloc.out_ioas_id));
	rep.access_replace_ioas.ioas_id = 9999;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &rep));
	ASSERT_EQ(0, close(afd));
	ASSERT_EQ(0, sim_destroy(self->fd, alloc.out_ioas_id));
}

TEST_HARNESS_MAIN
