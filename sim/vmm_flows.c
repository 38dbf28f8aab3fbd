// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: /dev/iommu and the mock VFIO device nodes driven in the
 * orders real consumers use them: QEMU's iommufd backend, DPDK on the
 * type1 container ioctls, libvfn; then the device node's own errors.
 * The devices do DMA through what they are attached to, so every mapping
 * is proved end to end. The kernel is booted with
 * ioasim_test.vfio_devices=4: ioasim-vfio0 and 1 in groups of their own,
 * 2 in 1's group, 3 behind an IOMMU of another kind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#include "kselftest_harness.h"
#include "devnode.h"

#define PAGE 4096UL
#define BUF_BYTES (64 * PAGE)

/* Fill @len bytes with a pattern that differs per @seed and offset. */
static void pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

FIXTURE(vmm)
{
	int fd;
	unsigned char *buf;
};

FIXTURE_SETUP(vmm)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	self->buf = sim_mem(BUF_BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(vmm)
{
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->buf, BUF_BYTES);
	SIM_ASSERT_NOTHING_LEFT();
}

/*
 * QEMU's iommufd backend: open the device node, bind, allocate an IOAS,
 * ask for the hardware info, attach, read the usable ranges, map guest
 * RAM at fixed IOVA, run DMA, unmap, detach, destroy, close.
 */
TEST_F(vmm, qemu)
{
	struct iommu_test_hw_info info;
	struct iommu_hw_info hw = {
		.size = sizeof(hw), .data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};
	struct iommu_iova_range *ranges;
	unsigned char out[3 * PAGE], in[3 * PAGE];
	__u32 dev_id, ioas, hwpt, n = 0;
	__u64 iova;
	int dev;

	dev = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas));
	hw.dev_id = dev_id;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &hw));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, hw.out_data_type);
	ASSERT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, info.test_reg);

	hwpt = ioas;
	ASSERT_EQ(0, sim_dev_attach(dev, &hwpt));
	ASSERT_NE(ioas, hwpt);
	ranges = sim_iova_ranges(self->fd, ioas, &n);
	ASSERT_NE(NULL, ranges);
	ASSERT_LE(1, n);
	/* Guest RAM at the start of the first usable range, page aligned. */
	iova = (ranges[0].start + PAGE - 1) & ~(PAGE - 1);
	free(ranges);
	iova += 0x100000;
	ASSERT_EQ(0, sim_map_fixed(self->fd, ioas, self->buf, BUF_BYTES, iova,
				   SIM_RW));

	/* The device writes guest memory; the CPU sees it, and back. */
	pattern(out, sizeof(out), 1);
	ASSERT_EQ(0, sim_dev_dma(dev, iova + 5 * PAGE + 100, out, sizeof(out), 1));
	ASSERT_EQ(0, memcmp(self->buf + 5 * PAGE + 100, out, sizeof(out)));
	pattern(self->buf + 20 * PAGE, sizeof(in), 2);
	ASSERT_EQ(0, sim_dev_dma(dev, iova + 20 * PAGE, in, sizeof(in), 0));
	ASSERT_EQ(0, memcmp(self->buf + 20 * PAGE, in, sizeof(in)));
	/* A copy, the one DMA the real devices' nodes can do for a program. */
	ASSERT_EQ(0, sim_dev_copy(dev, iova + 30 * PAGE - 8, iova + 20 * PAGE,
				  sizeof(in)));
	ASSERT_EQ(0, memcmp(self->buf + 30 * PAGE - 8, in, sizeof(in)));

	ASSERT_EQ(0, sim_unmap(self->fd, ioas, iova, BUF_BYTES));
	ASSERT_EQ(-EFAULT, sim_dev_copy(dev, iova, iova + PAGE, 8));
	ASSERT_EQ(-EFAULT, sim_dev_dma(dev, iova, in, 64, 0));
	ASSERT_EQ(0, sim_dev_detach(dev));
	ASSERT_EQ(-EPERM, sim_dev_dma(dev, iova, in, 64, 0));
	/* The automatic HWPT went with its last device. */
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, hwpt));
	ASSERT_EQ(0, sim_destroy(self->fd, ioas));
	ASSERT_EQ(0, close(dev));
}

/*
 * QEMU with an explicit HWPT, then moving the device to another address
 * space by attaching again (a replace, as on a guest IOMMU mode switch).
 */
TEST_F(vmm, qemu_hwpt_and_replace)
{
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	__u32 dev_id, ioas1, ioas2, pt;
	unsigned char c = 0;
	int dev;

	dev = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas1));
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas2));
	alloc.dev_id = dev_id;
	alloc.pt_id = ioas1;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	pt = alloc.out_hwpt_id;
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));
	ASSERT_EQ(alloc.out_hwpt_id, pt);

	self->buf[0] = 'A';
	self->buf[PAGE] = 'B';
	ASSERT_EQ(0, sim_map_fixed(self->fd, ioas1, self->buf, PAGE, 0x10000,
				   SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, ioas2, self->buf + PAGE, PAGE,
				   0x10000, SIM_RW));
	ASSERT_EQ(0, sim_dev_dma(dev, 0x10000, &c, 1, 0));
	ASSERT_EQ('A', c);

	pt = ioas2;
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));
	ASSERT_NE(alloc.out_hwpt_id, pt);
	ASSERT_EQ(0, sim_dev_dma(dev, 0x10000, &c, 1, 0));
	ASSERT_EQ('B', c);
	/* The explicit HWPT stays until destroyed; its IOAS is held. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, ioas1));
	ASSERT_EQ(0, sim_destroy(self->fd, alloc.out_hwpt_id));
	ASSERT_EQ(0, sim_destroy(self->fd, ioas1));
	/* QEMU closes the device before /dev/iommu. */
	ASSERT_EQ(0, close(dev));
}

/*
 * DPDK on the type1 container ioctls: memory segments are mapped at
 * IOVA = their own address; mapping a segment again answers EEXIST,
 * which DPDK takes as "already mapped".
 */
TEST_F(vmm, dpdk_type1)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)self->buf, .iova = (uintptr_t)self->buf,
		.size = BUF_BYTES,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = (uintptr_t)self->buf,
		.size = BUF_BYTES,
	};
	struct iommu_vfio_ioas set = {
		.size = sizeof(set), .op = IOMMU_VFIO_IOAS_SET,
	};
	unsigned char out[256], in[256];
	__u32 ioas, pt;
	int dev;

	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas));
	set.ioas_id = ioas;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &set));
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	dev = sim_dev_open("vfio", 1);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, NULL));
	pt = ioas;
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));

	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(-EEXIST, sim_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	pattern(out, sizeof(out), 3);
	ASSERT_EQ(0, sim_dev_dma(dev, map.iova + 7 * PAGE - 10, out, sizeof(out),
				 1));
	ASSERT_EQ(0, memcmp(self->buf + 7 * PAGE - 10, out, sizeof(out)));
	ASSERT_EQ(0, sim_dev_dma(dev, map.iova + 7 * PAGE - 10, in, sizeof(in),
				 0));
	ASSERT_EQ(0, memcmp(in, out, sizeof(in)));

	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(BUF_BYTES, unmap.size);
	/* DPDK unmaps again at exit: nothing there is not an error. */
	unmap.size = BUF_BYTES;
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(0, unmap.size);
	ASSERT_EQ(-EFAULT, sim_dev_dma(dev, map.iova, in, 1, 0));
	ASSERT_EQ(0, close(dev));
}

/*
 * libvfn: usable ranges first, then short-lived mappings at IOVAs of its
 * own choosing, mapped and unmapped around each command; two devices of
 * one iommu group share the attachment.
 */
TEST_F(vmm, libvfn)
{
	struct iommu_iova_range *ranges;
	__u32 ioas, other, pt1, pt2, n = 0;
	unsigned char out[128], in[128];
	unsigned int i;
	__u64 base;
	int dev1, dev2;

	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas));
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &other));
	dev1 = sim_dev_open("vfio", 1);
	dev2 = sim_dev_open("vfio", 2);
	ASSERT_LE(0, dev1);
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, sim_dev_bind(dev1, self->fd, NULL));
	ASSERT_EQ(0, sim_dev_bind(dev2, self->fd, NULL));
	pt1 = ioas;
	ASSERT_EQ(0, sim_dev_attach(dev1, &pt1));
	/* A group has one attachment. */
	pt2 = other;
	ASSERT_EQ(-EINVAL, sim_dev_attach(dev2, &pt2));
	pt2 = ioas;
	ASSERT_EQ(0, sim_dev_attach(dev2, &pt2));
	ASSERT_EQ(pt1, pt2);

	ranges = sim_iova_ranges(self->fd, ioas, &n);
	ASSERT_NE(NULL, ranges);
	base = (ranges[0].start + 0xfffff) & ~0xfffffULL;
	ASSERT_LE(base + 64 * PAGE, ranges[0].last);
	free(ranges);

	for (i = 0; i < 64; i++) {
		__u64 iova = base + (i % 8) * PAGE;
		unsigned char *mem = self->buf + i * PAGE;

		ASSERT_EQ(0, sim_map_fixed(self->fd, ioas, mem, PAGE, iova, SIM_RW));
		pattern(out, sizeof(out), i);
		ASSERT_EQ(0, sim_dev_dma(i % 2 ? dev1 : dev2, iova + 64, out,
					 sizeof(out), 1));
		ASSERT_EQ(0, sim_dev_dma(i % 2 ? dev2 : dev1, iova + 64, in,
					 sizeof(in), 0));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
		ASSERT_EQ(0, memcmp(mem + 64, out, sizeof(out)));
		ASSERT_EQ(0, sim_unmap(self->fd, ioas, iova, PAGE));
	}
	ASSERT_EQ(0, close(dev1));
	ASSERT_EQ(0, close(dev2));
}

/* A device node's errors, each leaving nothing behind. */
TEST_F(vmm, device_node_errors)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};
	struct ioasim_mock_vfio_dma dma = {
		.argsz = sizeof(dma), .flags = 1 << 4, .length = 1,
	};
	__u32 dev_id, ioas, pt;
	unsigned char c;
	int dev, dev_again, small;

	dev = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas));
	/* Nothing but BIND before BIND. */
	pt = ioas;
	ASSERT_EQ(-EINVAL, sim_dev_attach(dev, &pt));
	ASSERT_EQ(-EINVAL, sim_dev_detach(dev));
	ASSERT_EQ(-EINVAL, sim_dev_dma(dev, 0, &c, 1, 0));

	bind.argsz = offsetof(struct vfio_device_bind_iommufd, out_devid);
	bind.iommufd = self->fd;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.argsz = sizeof(bind);
	bind.flags = 1;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(-EINVAL, sim_dev_bind(dev, -1, NULL));
	ASSERT_EQ(-EBADF, sim_dev_bind(dev, 1000, NULL));
	ASSERT_EQ(-EBADFD, sim_dev_bind(dev, dev, NULL));
	ASSERT_EQ(1, sim_stat("objects"));

	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(-EINVAL, sim_dev_bind(dev, self->fd, NULL));
	/* Another file of the same device cannot bind while this one is. */
	dev_again = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev_again);
	ASSERT_EQ(-EINVAL, sim_dev_bind(dev_again, self->fd, NULL));
	ASSERT_EQ(0, close(dev_again));
	/* The device is the driver's: not destroyable by id. */
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, dev_id));

	ASSERT_EQ(0, sim_dev_detach(dev));
	ASSERT_EQ(-EPERM, sim_dev_dma(dev, 0, &c, 1, 0));
	attach.flags = 1;
	attach.pt_id = ioas;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				     &attach));
	attach.flags = 0;
	attach.argsz = 8;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				     &attach));
	detach.flags = 1;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT,
				     &detach));
	pt = 9999;
	ASSERT_EQ(-ENOENT, sim_dev_attach(dev, &pt));
	pt = dev_id;
	ASSERT_EQ(-EINVAL, sim_dev_attach(dev, &pt));

	/* A HWPT of one kind of IOMMU does not fit a device of another. */
	pt = ioas;
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));
	small = sim_dev_open("vfio", 3);
	ASSERT_LE(0, small);
	ASSERT_EQ(0, sim_dev_bind(small, self->fd, NULL));
	ASSERT_EQ(-EINVAL, sim_dev_attach(small, &pt));
	pt = ioas;
	ASSERT_EQ(0, sim_dev_attach(small, &pt));

	ASSERT_EQ(-EINVAL, sim_dev_dma(dev, 0, &c, 0, 0));
	ASSERT_EQ(-EINVAL, sim_dev_dma(dev, 0, &c, IOASIM_MOCK_VFIO_DMA_MAX + 1,
				       0));
	dma.uptr = (uintptr_t)&c;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	dma.flags = 0;
	dma.argsz = 8;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	ASSERT_EQ(-ENOTTY, sim_ioctl(dev, VFIO_DEVICE_GET_INFO, NULL));
	/* A copy names no buffer, comes alone, and needs argsz to src_iova. */
	dma.flags = IOASIM_MOCK_VFIO_DMA_COPY;
	dma.argsz = sizeof(dma);
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	dma.uptr = 0;
	dma.flags |= IOASIM_MOCK_VFIO_DMA_WRITE;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	dma.flags = IOASIM_MOCK_VFIO_DMA_COPY;
	dma.argsz = offsetof(struct ioasim_mock_vfio_dma, src_iova);
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	/* ... and a plain request may stop before it. */
	dma.flags = IOASIM_MOCK_VFIO_DMA_WRITE;
	dma.uptr = (uintptr_t)&c;
	dma.iova = 0x1000;
	ASSERT_EQ(-EFAULT, sim_ioctl(dev, IOASIM_MOCK_VFIO_DMA, &dma));
	/* DMA to nothing mapped faults; the device's buffer stays unread. */
	ASSERT_EQ(-EFAULT, sim_dev_dma(dev, 0x1000, &c, 1, 0));

	/* Closing /dev/iommu first: the bound devices keep its context. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, sim_stat("contexts"));
	ASSERT_EQ(0, close(small));
	ASSERT_EQ(0, close(dev));
}

TEST_HARNESS_MAIN
