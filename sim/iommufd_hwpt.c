// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: HWPTs from userspace through the selftest control plane:
 * dirty tracking, nested HWPTs and their invalidation, and fault queues
 * (faults raised, read, answered by cookie, the queue's file outliving
 * the HWPT and the context). Every test ends with all files closed and
 * checks that ioasim holds nothing any more.
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

FIXTURE(hwpt)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(hwpt)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0x11);
}

FIXTURE_TEARDOWN(hwpt)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
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
TEST_F(hwpt, dirty_tracking)
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
	/* IO pages (half a CPU page) 2 and 6: CPU pages 1 and 3. */
	__u64 bits, marked = (1 << 2) | (1 << 6), want = (1 << 1) | (1 << 3);
	void *ro;

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
	mark.dirty.page_size = PAGE / 2;
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
	ASSERT_EQ(want, bits);
	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				 alloc.out_hwpt_id, 0, &bits));
	ASSERT_EQ(want, bits);
	ASSERT_EQ(0, dirty_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				 alloc.out_hwpt_id, 0, &bits));
	ASSERT_EQ(0, bits);
	mark.dirty.page_size = 0;
	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &mark));

	/* A device that cannot track: no capability, no tracking HWPT. */
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas,
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
TEST_F(hwpt, nested_and_invalidate)
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
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
TEST_F(hwpt, fault_queue)
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
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
TEST_F(hwpt, fault_queue_unanswered)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };
	struct iommu_hwpt_pgfault msg;
	struct iommu_test_cmd md;
	__u32 dev_id, parent, nested;

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa));
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
TEST_F(hwpt, fault_queue_outlives_close)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, sim_stat("contexts"));
	ASSERT_EQ(0, close(qa.out_fault_fd));
}

TEST_HARNESS_MAIN
