// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: the selftest control plane (IOMMU_TEST_CMD) from userspace:
 * mock devices attached to IOASes and HWPTs, their page tables checked
 * against user memory, pin counts, replace, reserved IOVA, the pin-batch
 * budget, the command's own size rules, and the reference ledger's graph.
 * Accesses are iommufd_access.c's, dirty tracking, nesting and fault
 * queues iommufd_hwpt.c's. Every test ends with all files closed and
 * checks that ioasim holds no context, object or pinned page any more.
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
#include "ioasim_mock_uapi.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL
#define BUF_PAGES 16
#define BUF_BYTES (BUF_PAGES * PAGE)

FIXTURE(control)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(control)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0x11);
}

FIXTURE_TEARDOWN(control)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
}

/* A mock device's domain maps exactly what the IOAS maps. */
TEST_F(control, mock_domain_maps_the_ioas)
{
	struct iommu_test_cmd md;
	__u64 iova = MOCK_APERTURE_START;
	__u32 hwpt;

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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

	ASSERT_EQ(-EINVAL, sim_mock_domain(self->fd, self->ioas, 1 << 7, &md));
	ASSERT_EQ(-ENOENT, sim_mock_domain(self->fd, 9999, 0, &md));
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas,
				     MOCK_FLAGS_DEVICE_NO_DIRTY |
				     MOCK_FLAGS_DEVICE_HUGE_IOVA, &md));
	stdev = md.mock_domain.out_stdev_id;
	/* A device id is not an IOAS or HWPT to attach to. */
	ASSERT_EQ(-EINVAL, sim_mock_domain(self->fd, stdev, 0, &md));
	/* Nor a selftest object an IOAS. */
	md.op = IOMMU_TEST_OP_ADD_RESERVED;
	md.id = stdev;
	md.add_reserved.start = 0;
	md.add_reserved.length = PAGE;
	ASSERT_EQ(-ENOENT, sim_test_cmd(self->fd, &md));
}

#define UNSAFE_INTERRUPTS "/sys/module/ioasim/parameters/allow_unsafe_interrupts"

/*
 * A device whose MSIs the platform does not isolate is refused, as
 * upstream and VFIO type1 refuse it, until the administrator sets
 * allow_unsafe_interrupts.
 */
TEST_F(control, msi_isolation)
{
	const __u32 flags = IOASIM_MOCK_FLAGS_DEVICE_MSI_UNISOLATED;
	struct iommu_test_cmd md;
	char old[8];
	int rc;

	ASSERT_LT(0, sim_read_file(UNSAFE_INTERRUPTS, old, sizeof(old)));
	ASSERT_EQ(0, sim_write_file(UNSAFE_INTERRUPTS, "0"));
	EXPECT_EQ(-EPERM, sim_mock_domain(self->fd, self->ioas, flags, &md));
	ASSERT_EQ(0, sim_write_file(UNSAFE_INTERRUPTS, "1"));
	rc = sim_mock_domain(self->fd, self->ioas, flags, &md);
	ASSERT_EQ(0, sim_write_file(UNSAFE_INTERRUPTS, old));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, sim_destroy(self->fd, md.mock_domain.out_stdev_id));
}

#define SW_MSI_START 0x8000000UL
#define SW_MSI_LAST (SW_MSI_START + 0x100000UL - 1)

/*
 * A driver's software-managed MSI window (IOMMU_RESV_SW_MSI): attaching
 * needs the domain's MSI cookie, made once per domain, and the IOAS keeps
 * the window free while the device is attached. A kernel without the DMA
 * API (UML) cannot make the cookie: ENODEV, and nothing is left behind.
 */
TEST_F(control, sw_msi_window)
{
	const __u32 flags = IOASIM_MOCK_FLAGS_DEVICE_SW_MSI;
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.num_iovas = 4, .allowed_iovas = (uintptr_t)r,
	};
	struct iommu_test_cmd md, md2;
	int rc;

	rc = sim_mock_domain(self->fd, self->ioas, flags, &md);
	if (rc == -ENODEV) {
		ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
		ASSERT_EQ(1, cmd.num_iovas);
		ASSERT_EQ(0, r[0].start);
		SKIP(return, "no CONFIG_IOMMU_DMA: no MSI cookie (UML)");
	}
	ASSERT_EQ(0, rc);
	/* A second device on the same domain: the cookie is made once. */
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, flags, &md2));
	ASSERT_EQ(md.mock_domain.out_hwpt_id, md2.mock_domain.out_hwpt_id);
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	ASSERT_EQ(2, cmd.num_iovas);
	ASSERT_EQ(MOCK_APERTURE_START, r[0].start);
	ASSERT_EQ(SW_MSI_START - 1, r[0].last);
	ASSERT_EQ(SW_MSI_LAST + 1, r[1].start);
	/* A reserved range refuses a map as upstream does: EINVAL. */
	ASSERT_EQ(-EINVAL, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
					 SW_MSI_START, SIM_RW));
	ASSERT_EQ(0, sim_destroy(self->fd, md2.mock_domain.out_stdev_id));
	ASSERT_EQ(0, sim_destroy(self->fd, md.mock_domain.out_stdev_id));
	/* Detached: the window is free again. */
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
				   SW_MSI_START, SIM_RW));
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
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas, 0, &md));
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
