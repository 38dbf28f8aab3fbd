// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: /dev/iommu from userspace, the basic IOAS commands and the
 * ioctl size rules, in the kselftest harness (TAP on stdout).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kselftest_harness.h"
#include "sim.h"

#define BUF_BYTES (16 * 4096)

FIXTURE(iommufd)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(iommufd)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0);
}

FIXTURE_TEARDOWN(iommufd)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
}

TEST_F(iommufd, map_unmap_destroy)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = self->ioas,
		.user_va = (uintptr_t)self->buf,
		.length = BUF_BYTES,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = self->ioas,
	};
	struct iommu_destroy destroy = {
		.size = sizeof(destroy), .id = self->ioas,
	};

	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_MAP, &map));
	ASSERT_NE(0, map.iova);
	/* The same fixed IOVA again: EEXIST, as DPDK expects. */
	map.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_IOAS_MAP, &map));
	EXPECT_EQ(EEXIST, errno);

	unmap.iova = map.iova;
	unmap.length = BUF_BYTES;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_UNMAP, &unmap));
	EXPECT_EQ(BUF_BYTES, unmap.length);
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_IOAS_UNMAP, &unmap));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, ioctl(self->fd, IOMMU_DESTROY, &destroy));
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_DESTROY, &destroy));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(iommufd, iova_ranges_emsgsize)
{
	struct iommu_iova_range ranges[2];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.allowed_iovas = (uintptr_t)ranges,
	};

	/* QEMU's way: ask with room for none, learn the count, ask again. */
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(1, cmd.num_iovas);
	cmd.num_iovas = 2;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	EXPECT_EQ(1, cmd.num_iovas);
	EXPECT_EQ(0, ranges[0].start);
	EXPECT_EQ(UINT64_MAX, ranges[0].last);
}

TEST_F(iommufd, size_rules)
{
	struct {
		struct iommu_ioas_alloc cmd;
		__u64 tail;
	} big = { .cmd.size = sizeof(big) };
	struct iommu_destroy destroy = { .size = 2 };

	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_DESTROY, &destroy));
	EXPECT_EQ(EINVAL, errno);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_IOAS_ALLOC, &big));
	EXPECT_EQ(E2BIG, errno);
	big.tail = 0;
	EXPECT_EQ(0, ioctl(self->fd, IOMMU_IOAS_ALLOC, &big));
	EXPECT_EQ(-1, ioctl(self->fd, _IO(IOMMUFD_TYPE, 0x7f), &big));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * /dev/iommu is root's and its group's (0660), as iommufd's is, and the
 * mock VFIO nodes no wider: a user without the group cannot open them.
 */
TEST(device_node_modes)
{
	const char *const nodes[] = {
		"/dev/iommu", "/dev/vfio/devices/ioasim-vfio0",
	};
	struct stat st;
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		if (stat(nodes[i], &st)) {
			ASSERT_EQ(ENOENT, errno);
			ASSERT_NE(0, i) TH_LOG("no %s", nodes[i]);
			continue;
		}
		ASSERT_EQ(0660, st.st_mode & 07777) TH_LOG("%s", nodes[i]);
		ASSERT_EQ(0, st.st_uid);
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* nobody, in no group of the node's */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open("/dev/iommu", O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
