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
 * and UNMAP of plain memory from 256 KiB to 64 MiB, of 64 MiB of
 * hugetlb memory and of 1024 maps of 4 KiB, through ioasim's IOAS_MAP,
 * ioasim's type1 MAP_DMA and VFIO's type1 MAP_DMA, interleaved, and
 * prints medians, ratios and slab bytes per pinned page, and ioasim's
 * IOAS_MAP into an IOAS no device uses (pinning without an IOMMU page
 * table). It uses the machine's second edu device for VFIO, so that both
 * drivers hold a device at once. IOASIM_BENCH_ONLY="WAY:CASE" (a way's
 * index, a case's name) runs that pair alone, IOASIM_BENCH_ROUNDS times
 * (make bench-vm-profile samples each so).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
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
	char *bar;
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
	rc = sim_write_file(path, bdf);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	rc = sim_write_file(path, driver);
	return rc ?: sim_write_file("/sys/bus/pci/drivers_probe", bdf);
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
		munmap(t->bar, 1 << 20);
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

/*
 * BAR0 registers, one access each: relaxed atomics are single loads and
 * stores the compiler neither merges nor drops.
 */
static void reg_write(char *bar, unsigned int off, __u64 val)
{
	__atomic_store_n((__u64 *)(bar + off), val, __ATOMIC_RELAXED);
}

static void reg_write32(char *bar, unsigned int off, __u32 val)
{
	__atomic_store_n((__u32 *)(bar + off), val, __ATOMIC_RELAXED);
}

static __u32 reg_read32(char *bar, unsigned int off)
{
	return __atomic_load_n((__u32 *)(bar + off), __ATOMIC_RELAXED);
}

/* The device copies @len bytes from @src to @dst; 0 or -EFAULT. */
static int t1_copy(struct t1 *t, __u64 dst, __u64 src, __u64 len)
{
	int mark, i, leg;

	if (t->node > 0)
		return sim_dev_copy(t->node, dst, src, len);
	/* VFIO: the program is the device's driver. */
	mark = log_mark();
	for (leg = 0; leg < 2; leg++) {
		reg_write(t->bar, EDU_REG_DMA_SRC, leg ? EDU_BUFFER : src);
		reg_write(t->bar, EDU_REG_DMA_DST, leg ? dst : EDU_BUFFER);
		reg_write(t->bar, EDU_REG_DMA_COUNT, len);
		reg_write32(t->bar, EDU_REG_DMA_CMD, 1 | leg << 1);
		for (i = 0; i < 400; i++) {
			usleep(5000);
			if (!(reg_read32(t->bar, EDU_REG_DMA_CMD) & 1))
				break;
		}
		if (i == 400) {
			close(mark);
			return -ETIMEDOUT;
		}
	}
	return log_fault(mark, src < dst ? src : dst,
			 (src > dst ? src : dst) + len - 1) ? -EFAULT : 0;
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
	snprintf(out[i++], 160, "map 256K: %d", map_dma(t, buf, IOVA, BYTES, RW));
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

/*
 * Differences that are upstream iommufd's too, as ioasim's answer begins
 * (README, "VFIO type1 side by side"): iommufd's type1 refuses to split a
 * mapping with ENOENT and writes back 0, VFIO with EINVAL, leaving the
 * size; iommufd checks no alignment of an unmap that finds nothing, VFIO
 * refuses a size that is not a multiple of its page size.
 */
static const char *const declared[] = {
	"unmap a page inside: -2 size 0",
	"unmap unaligned: 0",
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

/* The benchmark (make bench-vm): three ways to map, timed side by side. */
enum way { IOAS_MAP, IOASIM_TYPE1, VFIO_TYPE1, NO_DEVICE, WAYS };
static const char *const way_names[WAYS] = {
	"ioasim IOAS_MAP", "ioasim type1", "VFIO type1", "IOAS_MAP, no device",
};

#define ROUNDS 7
#define MAX_ROUNDS 1000
#define BIG (64UL << 20)
#define SMALL_MAPS 1024

/* IOASIM_BENCH_ONLY's way (or -1 for all) and case (or NULL for all). */
static int only_way = -1;
static const char *only_case;
static int rounds = ROUNDS;
/* perf record's control and ack FIFOs (IOASIM_BENCH_PERF="CTL:ACK"). */
static int perf_ctl = -1, perf_ack = -1;

/*
 * Sampling on for the timed loops only, off for the setup around them;
 * perf acknowledges each command, so no sample is taken late or missed.
 */
static int perf_say(const char *cmd)
{
	char ack[8];

	if (perf_ctl < 0)
		return 0;
	if (write(perf_ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    read(perf_ack, ack, sizeof(ack)) <= 0)
		return -EIO;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Bytes in live slab objects: active objects times their size, summed
 * over /proc/slabinfo. A delta of it is what a mapping keeps allocated,
 * without the free room of slab pages that Slab in /proc/meminfo counts.
 */
static double slab_bytes(void)
{
	unsigned long active, total, size;
	char line[512], name[64];
	double sum = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total,
			   &size) == 4)
			sum += (double)active * size;
	fclose(f);
	return sum;
}

static int way_map(struct t1 *t, enum way w, void *va, __u64 iova,
		   __u64 len)
{
	if (w == IOAS_MAP || w == NO_DEVICE)
		return sim_map_fixed(t->container, t->ioas, va, len, iova,
				     SIM_RW);
	return map_dma(t, va, iova, len, RW);
}

static int way_unmap(struct t1 *t, enum way w, __u64 iova, __u64 len)
{
	__u64 size = len;

	if (w == IOAS_MAP || w == NO_DEVICE)
		return sim_unmap(t->container, t->ioas, iova, len);
	return unmap_dma(t, iova, &size, 0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * One case: map (as one mapping, or as SMALL_MAPS of 4 KiB) and unmap
 * @len bytes of @buf through each way in turn, ROUNDS times; the medians
 * in ms and the slab bytes per pinned page each way took while mapped.
 */
static int bench_case(struct t1 *t, const char *what, char *buf, __u64 len,
		      bool small)
{
	static double ms[WAYS][MAX_ROUNDS], slab[WAYS][MAX_ROUNDS];
	double med[WAYS];
	int r, w, rc = 0;
	__u64 off;

	if (only_case && strcmp(only_case, what))
		return 0;
	if (perf_say("enable\n"))
		return -EIO;
	for (r = 0; r < rounds; r++) {
		for (w = 0; w < WAYS; w++) {
			struct t1 *tw = &t[w == VFIO_TYPE1 ? 1 :
					   w == NO_DEVICE ? 2 : 0];
			double before, start;

			if (only_way >= 0 && w != only_way)
				continue;
			/* Reading slabinfo would show in a profile: not then. */
			before = perf_ctl < 0 ? slab_bytes() : 0;
			start = now_ms();

			for (off = 0; off < len && !rc; off += small ? PAGE : len)
				rc = way_map(tw, w, buf + off, IOVA + off,
					     small ? PAGE : len);
			ms[w][r] = now_ms() - start;
			slab[w][r] = perf_ctl < 0 ?
				     (slab_bytes() - before) / (len / PAGE) : 0;
			start = now_ms();
			for (off = 0; off < len && !rc; off += small ? PAGE : len)
				rc = way_unmap(tw, w, IOVA + off,
					       small ? PAGE : len);
			ms[w][r] += now_ms() - start;
			if (rc)
				return rc;
		}
	}
	if (perf_say("disable\n"))
		return -EIO;
	for (w = 0; w < WAYS; w++) {
		if (only_way >= 0 && w != only_way)
			continue;
		med[w] = median(ms[w], rounds);
		printf("# bench %-18s %-16s %9.2f ms  %7.1f slab B/page\n",
		       what, way_names[w], med[w], median(slab[w], rounds));
	}
	if (only_way < 0)
		printf("# bench %-18s VFIO/ioasim: IOAS_MAP %.2fx, type1 %.2fx; %s %.1fx\n",
		       what, med[VFIO_TYPE1] / med[IOAS_MAP],
		       med[VFIO_TYPE1] / med[IOASIM_TYPE1],
		       "IOAS_MAP with/without a device",
		       med[IOAS_MAP] / med[NO_DEVICE]);
	return 0;
}

/*
 * IOASIM_BENCH_ONLY="WAY:CASE", IOASIM_BENCH_ROUNDS and
 * IOASIM_BENCH_PERF="CTL:ACK"; 0, -EINVAL or -errno.
 */
static int bench_only(void)
{
	const char *only = getenv("IOASIM_BENCH_ONLY");
	const char *n = getenv("IOASIM_BENCH_ROUNDS");
	const char *fifos = getenv("IOASIM_BENCH_PERF");
	char ctl[256], *end;

	if (fifos) {
		end = strchr(fifos, ':');
		if (!end || end - fifos >= (long)sizeof(ctl))
			return -EINVAL;
		snprintf(ctl, sizeof(ctl), "%.*s", (int)(end - fifos), fifos);
		perf_ctl = open(ctl, O_WRONLY);
		perf_ack = open(end + 1, O_RDONLY);
		if (perf_ctl < 0 || perf_ack < 0)
			return -errno;
	}

	if (n) {
		rounds = strtol(n, &end, 10);
		if (*end || rounds < 1 || rounds > MAX_ROUNDS)
			return -EINVAL;
	}
	if (!only)
		return 0;
	only_way = strtol(only, &end, 10);
	if (*end != ':' || only_way < 0 || only_way >= WAYS)
		return -EINVAL;
	only_case = end + 1;
	return 0;
}

TEST(bench)
{
	struct t1 t[3] = { 0 };
	char bdf[32];
	char *plain, *huge;

	if (!sim_cmdline_ulong("ioasim_vm.bench=", 0))
		SKIP(return, "a benchmark: make bench-vm runs it");
	if (access("/dev/vfio/devices/ioasim-edu1", F_OK) ||
	    access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "needs two edu devices and vfio-pci (VT-d machine)");
	ASSERT_EQ(0, bench_only());
	ASSERT_EQ(0, bdf_of(1, bdf, sizeof(bdf)));
	ASSERT_EQ(0, rebind(bdf, "ioasim_edu", "vfio-pci"));
	ASSERT_EQ(0, ioasim_open(&t[0], 0));
	ASSERT_EQ(0, vfio_open(&t[1], bdf));
	/* An IOAS no device uses: pins, and no IOMMU page table. */
	t[2].container = sim_open_ioas(&t[2].ioas);
	ASSERT_LE(0, t[2].container);

	plain = sim_mem(BIG);
	ASSERT_NE(MAP_FAILED, plain);
	memset(plain, 1, BIG);
	huge = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, huge);
	memset(huge, 1, BIG);

	ASSERT_EQ(0, bench_case(t, "256K plain", plain, BIG / 256, false));
	ASSERT_EQ(0, bench_case(t, "1M plain", plain, BIG / 64, false));
	ASSERT_EQ(0, bench_case(t, "4M plain", plain, BIG / 16, false));
	ASSERT_EQ(0, bench_case(t, "16M plain", plain, BIG / 4, false));
	ASSERT_EQ(0, bench_case(t, "64M plain", plain, BIG, false));
	ASSERT_EQ(0, bench_case(t, "64M hugetlb", huge, BIG, false));
	ASSERT_EQ(0, bench_case(t, "4K maps x1024", plain,
				SMALL_MAPS * PAGE, true));

	munmap(plain, BIG);
	munmap(huge, BIG);
	t1_close(&t[0]);
	t1_close(&t[1]);
	t1_close(&t[2]);
	ASSERT_EQ(0, rebind(bdf, "vfio-pci", "ioasim_edu"));
}

TEST_HARNESS_MAIN
