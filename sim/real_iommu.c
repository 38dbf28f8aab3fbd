// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: what a real IOMMU driver brings that the mock does not -
 * its MSI isolation, aperture and reserved regions, cache coherency and
 * missing features - and a real device on the VFIO type1 container path
 * and through removal; dirty-bitmap reads of the mock's domain while
 * domains of both drivers come and go. QEMU's edu device behind VT-d or
 * virtio-iommu, driven through ioasim_edu.ko's node; every case skips
 * without one (UML, make vm's mock machine). What the machine is, make vm
 * says on the kernel command line (realdev.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "iommufd_test.h"
#include "realdev.h"
#include "../core/uapi_later.h"

#define BYTES (64 * PAGE)
#define IOVA 0x100000UL
#define MOCK_IOVA MOCK_APERTURE_START
/* Both drivers reserve x86's interrupt window. */
#define MSI_START 0xfee00000UL
#define MSI_LAST 0xfeefffffUL

FIXTURE(iommu)
{
	int fd;
	__u32 ioas;
	int dev;
	__u32 dev_id;
	char *buf;
};

FIXTURE_SETUP(iommu)
{
	self->fd = -1;
	self->buf = MAP_FAILED;
	self->dev = sim_dev_open("edu", 0);
	if (self->dev < 0)
		SKIP(return, NO_EDU);
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = sim_mem(BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(iommu)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->fd >= 0)
		close(self->fd);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, BYTES);
	if (self->dev >= 0)
		SIM_ASSERT_NOTHING_LEFT();
}

/* Binding asks the platform whether the device's MSIs are isolated. */
TEST_F(iommu, msi_isolation)
{
	char was[8] = "";
	int isolated = sim_cmdline_ulong("ioasim_vm.isolated_msi=", 1);

	ASSERT_LT(0, sim_read_file(PARAM_UNSAFE, was, sizeof(was)));
	ASSERT_EQ(0, sim_write_file(PARAM_UNSAFE, "0"));
	/* Unisolated: EPERM, and nothing is left of the attempt. */
	ASSERT_EQ(isolated ? 0 : -EPERM,
		  sim_dev_bind(self->dev, self->fd, &self->dev_id));
	if (!isolated) {
		ASSERT_EQ(1, sim_stat("objects"));
		ASSERT_EQ(0, sim_write_file(PARAM_UNSAFE, "1"));
		ASSERT_EQ(0, sim_dev_bind(self->dev, self->fd, &self->dev_id));
	}
	ASSERT_EQ(2, sim_stat("objects"));
	ASSERT_EQ(0, sim_write_file(PARAM_UNSAFE, was[0] == 'Y' ? "1" : "0"));
}

/* The driver's aperture and reserved regions, as IOVA_RANGES says them. */
TEST_F(iommu, ranges)
{
	struct iommu_iova_range *r;
	__u32 n, i, pt = self->ioas;
	int msi_hole = 0;
	__u64 top;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	r = sim_iova_ranges(self->fd, self->ioas, &n);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(1, n);
	ASSERT_EQ(0, r[0].start);
	ASSERT_EQ(UINT64_MAX, r[0].last);
	free(r);

	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	r = sim_iova_ranges(self->fd, self->ioas, &n);
	ASSERT_NE(NULL, r);
	for (i = 0; i < n; i++) {
		TH_LOG("allowed %#llx-%#llx", (unsigned long long)r[i].start,
		       (unsigned long long)r[i].last);
		/* Nothing allowed overlaps the interrupt window ... */
		ASSERT_TRUE(r[i].last < MSI_START || r[i].start > MSI_LAST);
		/* ... and it is a hole between two ranges. */
		if (r[i].last == MSI_START - 1 && i + 1 < n &&
		    r[i + 1].start == MSI_LAST + 1)
			msi_hole = 1;
	}
	ASSERT_TRUE(msi_hole);
	top = r[n - 1].last;
	free(r);

	/* A mapping into the window is refused. */
	ASSERT_EQ(-EINVAL, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
					 MSI_START + PAGE, SIM_RW));
	/* The aperture's last page takes a mapping, and the device's DMA. */
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, PAGE,
				   IOVA, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf + PAGE, PAGE,
				   top - PAGE + 1, SIM_RW));
	fill(self->buf, 64, 12);
	ASSERT_EQ(0, sim_dev_copy(self->dev, top - PAGE + 1, IOVA, 64));
	ASSERT_EQ(0, memcmp(self->buf + PAGE, self->buf, 64));
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, 0, UINT64_MAX));
	/* Past the aperture, nothing. */
	if (top != UINT64_MAX) {
		ASSERT_EQ(-EINVAL, sim_map_fixed(self->fd, self->ioas,
						 self->buf, PAGE, top + 1,
						 SIM_RW));
	}
	/* A mapping the window would split keeps the device out. */
	ASSERT_EQ(0, sim_dev_detach(self->dev));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BYTES,
				   MSI_START - PAGE, SIM_RW));
	pt = self->ioas;
	ASSERT_EQ(-EADDRINUSE, sim_dev_attach(self->dev, &pt));
	/* The IOAS and the device: no automatic HWPT is left. */
	ASSERT_EQ(2, sim_stat("objects"));
}

/* Coherency: enforced where the IOMMU can, and type1 says so. */
TEST_F(iommu, coherency)
{
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio), .op = IOMMU_VFIO_IOAS_SET,
	};
	int cc = sim_cmdline_ulong("ioasim_vm.enforce_cc=", 0);
	__u32 pt;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	/* The IOAS the container ioctls work on. */
	vfio.ioas_id = self->ioas;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &vfio));
	pt = self->ioas;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(cc, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
}

/* What QEMU's IOMMUs lack is refused with upstream's errno. */
TEST_F(iommu, features)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_set_dirty_tracking dirty = {
		.size = sizeof(dirty), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	__u32 hwpt, data[64];
	int vtd = sim_cmdline_ulong("ioasim_vm.isolated_msi=", 1);

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	info.dev_id = self->dev_id;
	info.data_len = sizeof(data);
	info.data_uptr = (uintptr_t)data;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	ASSERT_EQ(vtd ? IOMMU_HW_INFO_TYPE_INTEL_VTD : IOMMU_HW_INFO_TYPE_NONE,
		  info.out_data_type);
	ASSERT_EQ(vtd ? sizeof(struct iommu_hw_info_vtd) : 0, info.data_len);

	ASSERT_EQ(-EOPNOTSUPP,
		  hwpt_alloc(self->fd, self->dev_id, self->ioas,
			     IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(-EOPNOTSUPP,
		  hwpt_alloc(self->fd, self->dev_id, self->ioas,
			     IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas, 0, &hwpt));
	dirty.hwpt_id = hwpt;
	ASSERT_EQ(-EOPNOTSUPP,
		  sim_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &dirty));
	ASSERT_EQ(0, sim_destroy(self->fd, hwpt));
}

/*
 * The edu device has no PASID capability and QEMU's IOMMUs' 6.12 drivers
 * know no PASID-compatible HWPT: all of it is refused, with the width 0.
 * GET_HW_INFO's input type names the driver's own type or none.
 */
TEST_F(iommu, pasid)
{
	struct ioasim_vfio_attach_pt attach = {
		.argsz = sizeof(attach), .flags = VFIO_DEVICE_ATTACH_PASID,
		.pasid = 1,
	};
	struct ioasim_vfio_detach_pt detach = {
		.argsz = sizeof(detach), .flags = VFIO_DEVICE_DETACH_PASID,
		.pasid = 1,
	};
	struct iommu_hw_info info = {
		.size = sizeof(info), .flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE,
	};
	int vtd = sim_cmdline_ulong("ioasim_vm.isolated_msi=", 1);
	__u32 hwpt, own, other;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	own = vtd ? IOMMU_HW_INFO_TYPE_INTEL_VTD : IOMMU_HW_INFO_TYPE_NONE;
	/* Not the driver's: the mock's type, which no real driver has. */
	other = IOMMU_HW_INFO_TYPE_SELFTEST;
	info.dev_id = self->dev_id;
	info.out_data_type = own;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	ASSERT_EQ(own, info.out_data_type);
	ASSERT_EQ(0, info.out_max_pasid_log2);
	info.out_data_type = other;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));

	ASSERT_EQ(-EOPNOTSUPP,
		  hwpt_alloc(self->fd, self->dev_id, self->ioas,
			     IOMMU_HWPT_ALLOC_PASID, &hwpt));
	attach.pt_id = self->ioas;
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->dev,
					 VFIO_DEVICE_ATTACH_IOMMUFD_PT,
					 &attach));
	ASSERT_EQ(-EOPNOTSUPP, sim_ioctl(self->dev,
					 VFIO_DEVICE_DETACH_IOMMUFD_PT,
					 &detach));
	/* Without the flag the same structures are 6.12's requests. */
	attach.flags = 0;
	ASSERT_EQ(0, sim_ioctl(self->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			       &attach));
	detach.flags = 0;
	ASSERT_EQ(0, sim_ioctl(self->dev, VFIO_DEVICE_DETACH_IOMMUFD_PT,
			       &detach));
}

/* The VFIO type1 container path of the same file, on a real device. */
TEST_F(iommu, type1)
{
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio), .op = IOMMU_VFIO_IOAS_SET,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)self->buf, .iova = IOVA, .size = BYTES,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = IOVA, .size = BYTES,
	};
	__u32 pt;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	/* The IOAS the container ioctls work on. */
	vfio.ioas_id = self->ioas;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &vfio));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	pt = self->ioas;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	fill(self->buf + PAGE, 2000, 11);
	ASSERT_EQ(0, sim_dev_copy(self->dev, IOVA + 9 * PAGE, IOVA + PAGE,
				  2000));
	ASSERT_EQ(0, memcmp(self->buf + 9 * PAGE, self->buf + PAGE, 2000));
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(BYTES, unmap.size);
	ASSERT_EQ(-EFAULT, sim_dev_copy(self->dev, IOVA + 9 * PAGE,
					IOVA + PAGE, 8));
}

/*
 * Why MOCK_DOMAIN's answer @rc means the machine has no mock device, or
 * NULL. The iommu core gives a device without firmware description to
 * the first IOMMU registered without one: VT-d's, never the mock's.
 */
static const char *no_mock_device(int rc)
{
	if (rc == -ENOTTY)
		return "no test control plane (ioasim_mock.ko) here";
	if (rc == -ENODEV)
		return "the mock's devices cannot be probed beside this IOMMU";
	return NULL;
}

/*
 * Two IOMMU drivers in one machine (the real one and the test module's
 * mock): a device never replaces onto a domain of the other's, either
 * way round; each answers as an attach does, and stays where it was.
 */
TEST_F(iommu, two_drivers)
{
	struct iommu_test_cmd md, rep = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	__u32 ioas2, edu_hwpt, pt;
	int rc;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
	ASSERT_EQ(0, sim_ioas_alloc(self->fd, &ioas2));
	/* Inside the selftest mock's aperture. */
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BYTES,
				   MOCK_IOVA, SIM_RW));
	ASSERT_EQ(0, sim_map_fixed(self->fd, ioas2, self->buf, BYTES,
				   MOCK_IOVA, SIM_RW));
	edu_hwpt = self->ioas;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &edu_hwpt));
	rc = sim_mock_domain(self->fd, ioas2, 0, &md);
	if (no_mock_device(rc))
		SKIP(return, "%s", no_mock_device(rc));
	ASSERT_EQ(0, rc);
	ASSERT_NE(md.mock_domain_flags.out_hwpt_id, edu_hwpt);

	/* The mock's device onto the real driver's domain. */
	rep.id = md.mock_domain_flags.out_stdev_id;
	rep.mock_domain_replace.pt_id = edu_hwpt;
	ASSERT_EQ(-EINVAL, sim_test_cmd(self->fd, &rep));
	/* The real device onto the mock's domain, by HWPT and by IOAS. */
	pt = md.mock_domain_flags.out_hwpt_id;
	ASSERT_EQ(-EINVAL, sim_dev_attach(self->dev, &pt));
	pt = ioas2;
	ASSERT_EQ(0, sim_dev_attach(self->dev, &pt));
	ASSERT_NE(md.mock_domain_flags.out_hwpt_id, pt);
	/* It still does DMA where it is. */
	fill(self->buf, 64, 13);
	ASSERT_EQ(0, sim_dev_copy(self->dev, MOCK_IOVA + PAGE, MOCK_IOVA, 64));
	ASSERT_EQ(0, memcmp(self->buf + PAGE, self->buf, 64));
}

/* What dirty_beside_real_domains' churning thread works with. */
struct churn {
	int fd, dev;
	__u32 ioas, edu_id, mock_id;
	int stop;
	int rc, rounds;
};

/*
 * Domains of both drivers made, attached, detached and freed on one IOAS:
 * the real device's automatic and explicit HWPTs (an explicit one also
 * freed before any attach finished it), and the mock's tracking HWPTs.
 */
static void *churn(void *arg)
{
	struct churn *c = arg;
	__u32 pt, hwpt;
	int rc = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED) && !rc) {
		pt = c->ioas;
		rc = sim_dev_attach(c->dev, &pt) ?: sim_dev_detach(c->dev);
		if (!rc)
			rc = hwpt_alloc(c->fd, c->edu_id, c->ioas, 0, &hwpt);
		if (!rc) {
			pt = hwpt;
			rc = sim_dev_attach(c->dev, &pt) ?:
			     sim_dev_detach(c->dev) ?: sim_destroy(c->fd, hwpt);
		}
		if (!rc)
			rc = hwpt_alloc(c->fd, c->edu_id, c->ioas, 0, &hwpt) ?:
			     sim_destroy(c->fd, hwpt);
		if (!rc)
			rc = hwpt_alloc(c->fd, c->mock_id, c->ioas,
					IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					&hwpt) ?: sim_destroy(c->fd, hwpt);
		c->rounds++;
	}
	__atomic_store_n(&c->rc, rc, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Dirty-bitmap reads, each of which finds pages and flushes the mock's
 * domain, while the other thread makes and frees domains of both drivers
 * on the same IOAS: each read sees exactly what was marked, and every
 * flush reaches the domain the read asked (iommufd_fuzz once saw one
 * reach an unfinished virtio-iommu domain; docs/real-iommu.md).
 */
TEST_F(iommu, dirty_beside_real_domains)
{
	struct iommu_test_cmd md, rep = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	}, mark = { .op = IOMMU_TEST_OP_DIRTY };
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .iova = MOCK_IOVA, .length = BYTES,
		.page_size = PAGE,
	};
	/* IO pages (half a CPU page) 2 and 6: CPU pages 1 and 3. */
	__u64 marked = (1 << 2) | (1 << 6), want = (1 << 1) | (1 << 3);
	struct churn c = { .fd = self->fd, .dev = self->dev,
			   .ioas = self->ioas };
	__u64 bits = 0;
	pthread_t thread;
	__u32 tracking;
	int reads = 0;
	time_t end;
	int rc;

	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &c.edu_id));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BYTES,
				   MOCK_IOVA, SIM_RW));
	rc = sim_mock_domain(self->fd, self->ioas, 0, &md);
	if (no_mock_device(rc))
		SKIP(return, "%s", no_mock_device(rc));
	ASSERT_EQ(0, rc);
	c.mock_id = md.mock_domain_flags.out_idev_id;
	ASSERT_EQ(0, hwpt_alloc(self->fd, c.mock_id, self->ioas,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &tracking));
	rep.id = md.mock_domain_flags.out_stdev_id;
	rep.mock_domain_replace.pt_id = tracking;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &rep));
	set.hwpt_id = tracking;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
	mark.id = tracking;
	mark.dirty.iova = MOCK_IOVA;
	mark.dirty.length = BYTES;
	mark.dirty.page_size = PAGE / 2;
	mark.dirty.uptr = (uintptr_t)&marked;
	get.hwpt_id = tracking;
	get.data = (uintptr_t)&bits;

	ASSERT_EQ(0, pthread_create(&thread, NULL, churn, &c));
	end = time(NULL) + 3;
	while (time(NULL) < end && !__atomic_load_n(&c.rc, __ATOMIC_RELAXED)) {
		bits = 0;
		rc = sim_test_cmd(self->fd, &mark) ?:
		     sim_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
		if (rc || bits != want)
			break;
		reads++;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(want, bits);
	ASSERT_EQ(0, c.rc);
	TH_LOG("%d reads, %d rounds of the other thread", reads, c.rounds);
	ASSERT_LT(0, reads);
	ASSERT_LT(0, c.rounds);
}

/* The PCI address of edu node 0, from its sysfs parent. */
static int edu_bdf(char *bdf, size_t len)
{
	char link[256];
	ssize_t n = readlink("/sys/class/misc/ioasim-edu0/device", link,
			     sizeof(link) - 1);

	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(bdf, len, "%s", strrchr(link, '/') + 1);
	return 0;
}

/* Waits for edu node 0 to come back (a probe is asynchronous to us). */
static int edu_back(void)
{
	int i, dev;

	for (i = 0; i < 100; i++) {
		dev = sim_dev_open("edu", 0);
		if (dev >= 0) {
			close(dev);
			return 0;
		}
		usleep(20000);
	}
	return -ENODEV;
}

/*
 * The PCI driver lets a bound, attached device go: the binding goes too,
 * and the node's file answers ENODEV. @how: "unbind" (the driver's sysfs
 * unbind, then bind) or "remove" (the device's sysfs remove, then a bus
 * rescan).
 */
static void removal(struct __test_metadata *_metadata, int fd, __u32 ioas,
		    char *buf, const char *how)
{
	char bdf[32], path[128];
	__u32 dev_id, pt = ioas;
	long objects;
	int dev;

	ASSERT_EQ(0, edu_bdf(bdf, sizeof(bdf)));
	dev = sim_dev_open("edu", 0);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, bind_edu(dev, fd, &dev_id));
	ASSERT_EQ(0, sim_map_fixed(fd, ioas, buf, BYTES, IOVA, SIM_RW));
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));
	ASSERT_EQ(0, sim_dev_copy(dev, IOVA + PAGE, IOVA, 64));
	objects = sim_stat("objects");

	if (!strcmp(how, "unbind")) {
		ASSERT_EQ(0, sim_write_file("/sys/bus/pci/drivers/ioasim_edu/unbind",
					    bdf));
	} else {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
			 bdf);
		ASSERT_EQ(0, sim_write_file(path, "1"));
	}
	/* The device and its automatic HWPT are gone; the file says so. */
	ASSERT_EQ(objects - 2, sim_stat("objects"));
	ASSERT_EQ(-ENODEV, sim_dev_copy(dev, IOVA + PAGE, IOVA, 64));
	ASSERT_EQ(-ENODEV, sim_dev_detach(dev));
	ASSERT_EQ(-ENOENT, sim_destroy(fd, dev_id));
	ASSERT_EQ(0, sim_unmap(fd, ioas, IOVA, BYTES));
	ASSERT_EQ(0, close(dev));

	if (!strcmp(how, "unbind")) {
		ASSERT_EQ(0, sim_write_file("/sys/bus/pci/drivers/ioasim_edu/bind",
					    bdf));
	} else {
		ASSERT_EQ(0, sim_write_file("/sys/bus/pci/rescan", "1"));
	}
	ASSERT_EQ(0, edu_back());
}

TEST_F(iommu, removal)
{
	/* The fixture's file would keep the node's memory, not the device. */
	ASSERT_EQ(0, close(self->dev));
	self->dev = -1;
	removal(_metadata, self->fd, self->ioas, self->buf, "unbind");
	removal(_metadata, self->fd, self->ioas, self->buf, "remove");
	self->dev = sim_dev_open("edu", 0);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, bind_edu(self->dev, self->fd, &self->dev_id));
}

TEST_HARNESS_MAIN
