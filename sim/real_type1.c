// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: one VFIO type1 sequence, on one edu device behind VT-d,
 * through ioasim (the container ioctls of /dev/iommu, the device's
 * ioasim_edu node) and through Debian's vfio-pci and vfio_iommu_type1
 * (group, container, device file, BAR0 by mmap). Every answer is put
 * side by side - the IOVA ranges GET_INFO reports, maps into the
 * interrupt window and past the aperture, overlapping maps, partial and
 * whole unmaps, DMA that must be blocked - and a difference not in the
 * declared list below fails the run. The device moves between the two
 * drivers through sysfs (driver_override).
 *
 * With ioasim_vm.bench=1 (make bench-vm), the benchmark case times MAP
 * and UNMAP of 64 MiB (plain and hugetlb memory) and of 4 KiB, through
 * ioasim's IOAS_MAP, ioasim's type1 MAP_DMA and VFIO's type1 MAP_DMA,
 * interleaved, and prints medians, ratios and slab bytes per pinned
 * page. It uses the machine's second edu device for VFIO, so that both
 * drivers hold a device at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "realdev.h"

#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_BUFFER 0x40000
#define BYTES (64 * PAGE)
#define IOVA 0x100000UL
#define MSI_START 0xfee00000UL

/* One type1 user: ioasim's /dev/iommu, or VFIO's container. */
struct t1 {
	const char *name;
	int container;
	int group;
	int device;
	volatile char *bar;
	int node;
	__u32 ioas;
};

static int bdf_of(unsigned int k, char *bdf, size_t len)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/misc/ioasim-edu%u/device", k);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(bdf, len, "%s", strrchr(link, '/') + 1);
	return 0;
}

/* Give the device at @bdf to @driver, by driver_override. */
static int rebind(const char *bdf, const char *from, const char *driver)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", from);
	rc = write_file(path, bdf);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	rc = write_file(path, driver);
	return rc ?: write_file("/sys/bus/pci/drivers_probe", bdf);
}

static int vfio_open(struct t1 *t, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[128], link[256], *g;
	__u16 cmd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	g = strrchr(link, '/') + 1;
	snprintf(path, sizeof(path), "/dev/vfio/%s", g);
	t->container = open("/dev/vfio/vfio", O_RDWR);
	t->group = open(path, O_RDWR);
	if (t->container < 0 || t->group < 0)
		return -errno;
	if (ioctl(t->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -ENODEV;
	if (ioctl(t->group, VFIO_GROUP_SET_CONTAINER, &t->container) ||
	    ioctl(t->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	t->device = ioctl(t->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (t->device < 0)
		return -errno;
	/* Bus mastering, through the config region. */
	{
		struct vfio_region_info cfg = {
			.argsz = sizeof(cfg),
			.index = VFIO_PCI_CONFIG_REGION_INDEX,
		};
		struct vfio_region_info bar = {
			.argsz = sizeof(bar),
			.index = VFIO_PCI_BAR0_REGION_INDEX,
		};

		if (ioctl(t->device, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
		    pread(t->device, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
			return -errno;
		cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
		if (pwrite(t->device, &cmd, 2, cfg.offset + PCI_COMMAND) != 2 ||
		    ioctl(t->device, VFIO_DEVICE_GET_REGION_INFO, &bar))
			return -errno;
		t->bar = mmap(NULL, bar.size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, t->device, bar.offset);
		if (t->bar == MAP_FAILED)
			return -errno;
	}
	t->name = "vfio";
	return 0;
}

static int ioasim_open(struct t1 *t, unsigned int k)
{
	struct iommu_vfio_ioas vfio = {
		.size = sizeof(vfio), .op = IOMMU_VFIO_IOAS_SET,
	};
	__u32 dev_id, pt;

	t->container = sim_open_ioas(&t->ioas);
	t->node = sim_dev_open("edu", k);
	if (t->container < 0 || t->node < 0)
		return -errno;
	vfio.ioas_id = t->ioas;
	if (bind_edu(t->node, t->container, &dev_id) ||
	    sim_ioctl(t->container, IOMMU_VFIO_IOAS, &vfio) ||
	    ioctl(t->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -EINVAL;
	pt = t->ioas;
	t->name = "ioasim";
	return sim_dev_attach(t->node, &pt);
}

static void t1_close(struct t1 *t)
{
	if (t->bar && t->bar != MAP_FAILED)
		munmap((void *)t->bar, 1 << 20);
	if (t->device > 0)
		close(t->device);
	if (t->node > 0)
		close(t->node);
	if (t->group > 0)
		close(t->group);
	if (t->container > 0)
		close(t->container);
	memset(t, 0, sizeof(*t));
}

static int map_dma(struct t1 *t, void *va, __u64 iova, __u64 size,
		   __u32 flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return sim_ioctl(t->container, VFIO_IOMMU_MAP_DMA, &map);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static int unmap_dma(struct t1 *t, __u64 iova, __u64 *size, __u32 flags)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .flags = flags, .iova = iova,
		.size = *size,
	};
	int rc = sim_ioctl(t->container, VFIO_IOMMU_UNMAP_DMA, &unmap);

	*size = unmap.size;
	return rc;
}

/* The device copies @len bytes from @src to @dst; 0 or -EFAULT. */
static int t1_copy(struct t1 *t, __u64 dst, __u64 src, __u64 len)
{
	int mark, rc, faulted, i, leg;

	if (t->node > 0)
		return sim_dev_copy(t->node, dst, src, len);
	/* VFIO: the program is the device's driver. */
	mark = log_mark();
	for (leg = 0; leg < 2; leg++) {
		volatile __u64 *r = (volatile __u64 *)t->bar;

		r[EDU_REG_DMA_SRC / 8] = leg ? EDU_BUFFER : src;
		r[EDU_REG_DMA_DST / 8] = leg ? dst : EDU_BUFFER;
		r[EDU_REG_DMA_COUNT / 8] = len;
		((volatile __u32 *)t->bar)[EDU_REG_DMA_CMD / 4] = 1 | leg << 1;
		for (i = 0; i < 400; i++) {
			usleep(5000);
			if (!(((volatile __u32 *)t->bar)[EDU_REG_DMA_CMD / 4] & 1))
				break;
		}
		if (i == 400) {
			close(mark);
			return -ETIMEDOUT;
		}
	}
	faulted = log_fault(mark, src < dst ? src : dst,
			    (src > dst ? src : dst) + len - 1);
	rc = faulted ? -EFAULT : 0;
	return rc;
}

/* GET_INFO's IOVA ranges, as "start-last,start-last". */
static int t1_ranges(struct t1 *t, char *out, size_t len)
{
	char buf[4096] = { 0 };
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *cap;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	size_t at = 0;
	__u32 off, i;

	info->argsz = sizeof(buf);
	if (ioctl(t->container, VFIO_IOMMU_GET_INFO, info))
		return -errno;
	out[0] = '\0';
	for (off = info->cap_offset; off; off = cap->next) {
		cap = (void *)(buf + off);
		if (cap->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		r = (void *)cap;
		for (i = 0; i < r->nr_iovas; i++)
			at += snprintf(out + at, len - at, "%s%#llx-%#llx",
				       i ? "," : "",
				       (unsigned long long)r->iova_ranges[i].start,
				       (unsigned long long)r->iova_ranges[i].end);
	}
	return 0;
}

/*
 * The sequence, each step's answer written as text: the errno, and what
 * else the step returns.
 */
#define STEPS 12

static void t1_sequence(struct t1 *t, char *buf, char out[STEPS][160])
{
	__u64 size;
	int i = 0, rc;

	rc = t1_ranges(t, out[i], sizeof(out[i]));
	if (rc)
		snprintf(out[i], sizeof(out[i]), "errno %d", -rc);
	i++;
	snprintf(out[i++], 160, "map 64K: %d", map_dma(t, buf, IOVA, BYTES, RW));
	snprintf(out[i++], 160, "overlap: %d",
		 map_dma(t, buf, IOVA + PAGE, PAGE, RW));
	snprintf(out[i++], 160, "msi window: %d",
		 map_dma(t, buf, MSI_START, PAGE, RW));
	snprintf(out[i++], 160, "past aperture: %d",
		 map_dma(t, buf, 1ULL << 39, PAGE, RW));
	fill(buf + PAGE, 64, 21);
	rc = t1_copy(t, IOVA + 2 * PAGE, IOVA + PAGE, 64);
	snprintf(out[i++], 160, "dma: %d %s", rc,
		 memcmp(buf + 2 * PAGE, buf + PAGE, 64) ? "differs" : "same");
	size = PAGE;
	rc = unmap_dma(t, IOVA + 8 * PAGE, &size, 0);
	snprintf(out[i++], 160, "unmap a page inside: %d size %#llx", rc,
		 (unsigned long long)size);
	size = BYTES + PAGE;
	rc = unmap_dma(t, IOVA - PAGE, &size, 0);
	snprintf(out[i++], 160, "unmap around: %d size %#llx", rc,
		 (unsigned long long)size);
	size = 0;
	rc = unmap_dma(t, IOVA, &size, 0);
	snprintf(out[i++], 160, "unmap size 0: %d", rc);
	size = 100;
	rc = unmap_dma(t, IOVA, &size, 0);
	snprintf(out[i++], 160, "unmap unaligned: %d", rc);
	memset(buf + 3 * PAGE, 0x5c, 8);
	/*
	 * The IOMMU driver prints 10 faults per 5 s; ioasim's node paces
	 * its blocked transfers by that, the program does for VFIO's.
	 */
	if (t->node <= 0)
		usleep(5200000);
	rc = t1_copy(t, IOVA + 3 * PAGE, IOVA + PAGE, 8);
	snprintf(out[i++], 160, "dma after unmap: %d %s", rc,
		 buf[3 * PAGE] == 0x5c ? "unchanged" : "written");
	size = 0;
	rc = map_dma(t, buf, IOVA, BYTES / 2, RW) ?:
	     unmap_dma(t, 0, &size, VFIO_DMA_UNMAP_FLAG_ALL);
	snprintf(out[i++], 160, "unmap all: %d size %#llx", rc,
		 (unsigned long long)size);
}

/* Differences that are known, and why (README, "type1 side by side"). */
static const char *const declared[] = {
	NULL,
};

FIXTURE(side)
{
	char bdf[32];
	char *buf;
};

FIXTURE_SETUP(side)
{
	self->buf = MAP_FAILED;
	if (access("/dev/vfio/devices/ioasim-edu0", F_OK))
		SKIP(return, NO_EDU);
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "no vfio-pci in this machine");
	ASSERT_EQ(0, bdf_of(0, self->bdf, sizeof(self->bdf)));
	self->buf = sim_mem(BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(side)
{
	if (self->buf != MAP_FAILED)
		munmap(self->buf, BYTES);
}

TEST_F(side, type1)
{
	char a[STEPS][160], b[STEPS][160];
	struct t1 t = { 0 };
	int i, k, undeclared = 0;

	ASSERT_EQ(0, ioasim_open(&t, 0));
	t1_sequence(&t, self->buf, a);
	t1_close(&t);

	ASSERT_EQ(0, rebind(self->bdf, "ioasim_edu", "vfio-pci"));
	ASSERT_EQ(0, vfio_open(&t, self->bdf));
	memset(self->buf, 0, BYTES);
	t1_sequence(&t, self->buf, b);
	t1_close(&t);
	ASSERT_EQ(0, rebind(self->bdf, "vfio-pci", "ioasim_edu"));
	for (i = 0; i < 100 && access("/dev/vfio/devices/ioasim-edu0", F_OK);
	     i++)
		usleep(20000);

	printf("# %-3s %-44s %s\n", "", "ioasim", "vfio type1");
	for (i = 0; i < STEPS; i++) {
		int same = !strcmp(a[i], b[i]), known = 0;

		for (k = 0; declared[k]; k++)
			known |= !strncmp(a[i], declared[k], strlen(declared[k]));
		printf("# %-3s %-44s %s\n", same ? "" : known ? "(d)" : "!=",
		       a[i], b[i]);
		undeclared += !same && !known;
	}
	ASSERT_EQ(0, undeclared);
}

TEST_HARNESS_MAIN
