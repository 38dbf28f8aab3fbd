// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: a real PCI device behind a real IOMMU. QEMU's edu device,
 * driven through ioasim_edu.ko's node (/dev/vfio/devices/ioasim-eduN),
 * copies memory by DMA through ioasim's mappings in a VT-d or
 * virtio-iommu domain; every case checks the user's bytes, and a blocked
 * transfer must leave the memory as it was and be reported by the IOMMU
 * driver in the kernel log. Without an edu node (UML, make vm's mock
 * machine) every case skips and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "backing.h"
#include "realdev.h"

#define IOVA 0x40000000UL
/* Where the device copies from and to, inside AREA. */
#define SRC 0x1000UL
#define DST 0x201000UL
#define LEN 3000UL
/* A blocked probe is short: virtio-iommu logs a fault per 4 bytes. */
#define PROBE 8UL

FIXTURE(edu)
{
	int fd;
	__u32 ioas;
	int dev;
	__u32 dev_id;
	char *buf;
};

FIXTURE_VARIANT(edu)
{
	enum backing kind;
	const char *what;
};

FIXTURE_VARIANT_ADD(edu, plain)
{
	.kind = PLAIN, .what = "plain memory",
};

FIXTURE_VARIANT_ADD(edu, hugetlb)
{
	.kind = HUGETLB, .what = "MAP_HUGETLB memory",
};

FIXTURE_VARIANT_ADD(edu, thp)
{
	.kind = THP, .what = "THP memory",
};

FIXTURE_SETUP(edu)
{
	self->buf = MAP_FAILED;
	self->fd = -1;
	self->dev = sim_dev_open("edu", 0);
	if (self->dev < 0)
		SKIP(return, NO_EDU);
	self->buf = area_map(variant->kind);
	if (self->buf == MAP_FAILED)
		SKIP(return, "no %s in this kernel", variant->what);
	if (variant->kind == THP && thp_kib() < (long)(SZ_2M >> 10))
		SKIP(return, "no THP backs the memory");
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, AREA, IOVA,
				   SIM_RW));
}

FIXTURE_TEARDOWN(edu)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->fd >= 0)
		close(self->fd);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, AREA);
	if (self->dev >= 0)
		SIM_ASSERT_NOTHING_LEFT();
}

/* The user writes, the device reads it and writes it back elsewhere. */
static int copy_checked(int dev, char *buf, unsigned char seed)
{
	int rc;

	fill(buf + SRC, LEN, seed);
	memset(buf + DST, 0, LEN);
	rc = sim_dev_copy(dev, IOVA + DST, IOVA + SRC, LEN);
	if (!rc && memcmp(buf + DST, buf + SRC, LEN))
		return -EILSEQ;
	return rc;
}

/* A copy the IOMMU must block: the memory stays, the driver reports it. */
static int copy_blocked(int dev, __u64 dst_iova, char *dst, __u64 src_iova)
{
	unsigned char before[PROBE];
	int mark, rc, reported;

	if (dst)
		memcpy(before, dst, PROBE);
	mark = log_mark();
	if (mark < 0)
		return -errno;
	rc = sim_dev_copy(dev, dst_iova, src_iova, PROBE);
	reported = log_fault(mark, rc == -EPERM || !dst ? src_iova : dst_iova,
			     (rc == -EPERM || !dst ? src_iova : dst_iova) +
			     PROBE - 1);
	if (dst && memcmp(before, dst, PROBE))
		return -EILSEQ;
	if (!reported)
		return -ENOMSG;
	return rc;
}

/* Through the automatic HWPT, then an explicit one. */
TEST_F(edu, map_and_dma)
{
	__u32 pt = self->ioas, hwpt;

	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_NE(self->ioas, pt);
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 1));
	ASSERT_EQ(0, sim_dev_detach(self->dev));

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas, 0, &hwpt));
	pt = hwpt;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(hwpt, pt);
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 2));
	/* The device's pages may be anywhere in the mapping. */
	ASSERT_EQ(0, sim_dev_copy(self->dev, IOVA + AREA - PAGE, IOVA + SRC,
				  64));
	ASSERT_EQ(0, memcmp(self->buf + AREA - PAGE, self->buf + SRC, 64));
	ASSERT_EQ(0, sim_dev_detach(self->dev));
	ASSERT_EQ(0, sim_destroy(self->fd, hwpt));
}

/* Each way a translation goes away blocks the same DMA. */
TEST_F(edu, blocked)
{
	__u32 pt = self->ioas;

	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	/* A read-only mapping: the device's write is blocked. */
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, IOVA, AREA));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, SZ_2M,
				   IOVA, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf + SZ_2M,
				   SZ_2M, IOVA + SZ_2M,
				   IOMMU_IOAS_MAP_READABLE));
	fill(self->buf + SRC, PROBE, 3);
	ASSERT_EQ(-EFAULT, copy_blocked(self->dev, IOVA + DST,
					self->buf + DST, IOVA + SRC));
	/* An IOVA never mapped: the device's read is blocked. */
	ASSERT_EQ(-EFAULT, copy_blocked(self->dev, IOVA + SRC, NULL,
					0x10000000UL));
	/* After UNMAP. */
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, IOVA + SZ_2M, SZ_2M));
	ASSERT_EQ(-EFAULT, copy_blocked(self->dev, IOVA + SRC, NULL,
					IOVA + DST));
	/* After DETACH: the group is in its blocking domain. */
	ASSERT_EQ(0, sim_dev_detach(self->dev));
	ASSERT_EQ(-EPERM, copy_blocked(self->dev, IOVA + SRC + PAGE,
				       self->buf + SRC + PAGE, IOVA + SRC));
	/* What the mapping still has is reachable again once attached. */
	pt = self->ioas;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(0, sim_dev_copy(self->dev, IOVA + SRC + PAGE, IOVA + SRC,
				  PROBE));
	ASSERT_EQ(0, memcmp(self->buf + SRC + PAGE, self->buf + SRC, PROBE));
}

/* After a REPLACE, DMA goes through the new IOAS's memory. */
TEST_F(edu, replace)
{
	char *other = sim_mem(AREA);
	__u32 ioas2, pt = self->ioas;

	ASSERT_NE(MAP_FAILED, other);
	memset(other, 0x11, AREA);
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, sim_map_fixed(self->fd, ioas2, other, AREA, IOVA,
				   SIM_RW));
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 4));

	pt = ioas2;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	fill(other + SRC, LEN, 5);
	memset(self->buf + DST, 0, LEN);
	ASSERT_EQ(0, sim_dev_copy(self->dev, IOVA + DST, IOVA + SRC, LEN));
	ASSERT_EQ(0, memcmp(other + DST, other + SRC, LEN));
	ASSERT_EQ(0, self->buf[DST]);
	ASSERT_EQ(0, sim_dev_detach(self->dev));
	ASSERT_EQ(0, sim_destroy(self->fd, ioas2));
	munmap(other, AREA);
}

/* Two devices in two groups: one domain, the same pages. */
TEST_F(edu, two_devices)
{
	__u32 pt = self->ioas, pt2 = self->ioas, ioas2, dev2_id;
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.src_ioas_id = self->ioas, .src_iova = IOVA, .length = AREA,
		.dst_iova = IOVA,
	};
	int dev2 = sim_dev_open("edu", 1);

	if (dev2 < 0)
		SKIP(return, "one edu device in this machine");
	ASSERT_EQ(0, bind_edu(dev2, self->fd, &dev2_id));
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(0, sim_dev_attach(dev2, &pt2));
	/* Both groups fit the first's domain: it is shared. */
	ASSERT_EQ(pt, pt2);
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 6));
	ASSERT_EQ(0, copy_checked(dev2, self->buf, 7));

	/* COPY to a second IOAS with the second device. */
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas2));
	copy.dst_ioas_id = ioas2;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	pt2 = ioas2;
	ASSERT_EQ(0, sim_dev_attach(dev2, &pt2));
	ASSERT_NE(pt, pt2);
	ASSERT_EQ(0, copy_checked(dev2, self->buf, 8));
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 9));
	ASSERT_EQ(0, close(dev2));
	ASSERT_EQ(0, sim_destroy(self->fd, ioas2));
}

/* An access pins and reads the pages a real domain maps. */
TEST_F(edu, access)
{
	__u32 pt = self->ioas;
	char got[LEN];
	int afd;

	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(0, copy_checked(self->dev, self->buf, 10));
	afd = sim_access_create(self->fd, self->ioas, 0);
	if (afd == -ENOTTY || afd == -EOPNOTSUPP)
		SKIP(return, "no test control plane (ioasim_mock.ko) here");
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sim_access_rw(self->fd, afd, IOVA + DST, got, LEN, 0));
	ASSERT_EQ(0, memcmp(got, self->buf + SRC, LEN));
	close(afd);
}

TEST_HARNESS_MAIN
