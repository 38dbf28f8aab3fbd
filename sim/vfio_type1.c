// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: a VFIO type1 user on the /dev/iommu file. The container
 * ioctls work on the IOAS chosen with IOMMU_VFIO_IOAS; a mock device
 * attached to that IOAS (through the control plane) proves that
 * VFIO_IOMMU_MAP_DMA reaches a domain.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL
#define BUF_BYTES (16 * PAGE)

static int vfio_ioas_set(int fd, __u32 ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_SET, .ioas_id = ioas,
	};

	return sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd);
}

static int map_dma(int fd, void *vaddr, __u64 iova, __u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};

	return sim_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* Unmaps; *@size becomes what was unmapped. */
static int unmap_dma(int fd, __u64 iova, __u64 *size, __u32 flags)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .flags = flags,
		.iova = iova, .size = *size,
	};
	int rc = sim_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	*size = unmap.size;
	return rc;
}

static int attach_mock(int fd, __u32 ioas, __u32 *hwpt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas,
	};
	int rc = sim_ioctl(fd, IOMMU_TEST_CMD, &cmd);

	*hwpt = cmd.mock_domain.out_hwpt_id;
	return rc;
}

FIXTURE(type1)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(type1)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0x22);
}

FIXTURE_TEARDOWN(type1)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
}

/* What needs no container, and what fails without one. */
TEST_F(type1, no_container_ioas)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	__u64 size = PAGE;

	ASSERT_EQ(VFIO_API_VERSION, ioctl(self->fd, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_NOIOMMU_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_UPDATE_VADDR));
	ASSERT_EQ(-ENODEV, sim_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				     (void *)VFIO_DMA_CC_IOMMU));
	ASSERT_EQ(-ENODEV, sim_ioctl(self->fd, VFIO_SET_IOMMU,
				     (void *)VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(-ENODEV, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(-ENODEV, map_dma(self->fd, self->buf, 0, PAGE, RW));
	ASSERT_EQ(-ENODEV, unmap_dma(self->fd, 0, &size, 0));
	/* Not a container ioctl ioasim has. */
	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, VFIO_IOMMU_DIRTY_PAGES, NULL));
	ASSERT_EQ(-ENOTTY, sim_ioctl(self->fd, VFIO_GROUP_GET_STATUS, NULL));
}

/* A type1v2 user: set up, map, DMA through a domain, unmap. */
TEST_F(type1, v2_flow)
{
	__u64 iova = MOCK_APERTURE_START, size;
	__u32 hwpt;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_SET_IOMMU, (void *)99));
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_SET_IOMMU,
				     (void *)VFIO_NOIOMMU_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* Nothing attached: nothing could be incoherent. */
	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	/*
	 * The selftest's mock devices are coherent but cannot enforce it, as
	 * upstream's: a domain of theirs makes the answer 0.
	 */
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));

	ASSERT_EQ(0, map_dma(self->fd, self->buf, iova, BUF_BYTES / 2, RW));
	ASSERT_EQ(0, map_dma(self->fd, self->buf + BUF_BYTES / 2,
			     iova + BUF_BYTES / 2, BUF_BYTES / 2,
			     VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, BUF_BYTES));
	/* The same IOVA again. */
	ASSERT_EQ(-EEXIST, map_dma(self->fd, self->buf, iova, PAGE, RW));

	/* Type1 unmaps nothing without complaint. */
	size = PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, iova + BUF_BYTES, &size, 0));
	ASSERT_EQ(0, size);
	/* A range cutting a mapping: refused, nothing unmapped. */
	size = PAGE;
	ASSERT_EQ(-ENOENT, unmap_dma(self->fd, iova, &size, 0));
	ASSERT_EQ(0, size);
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, BUF_BYTES));
	/* Both mappings at once, told in bytes. */
	size = BUF_BYTES;
	ASSERT_EQ(0, unmap_dma(self->fd, iova, &size, 0));
	ASSERT_EQ(BUF_BYTES, size);
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, hwpt, iova, self->buf, PAGE));
}

TEST_F(type1, unmap_all)
{
	__u64 size;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, map_dma(self->fd, self->buf, 0, PAGE, RW));
	ASSERT_EQ(0, map_dma(self->fd, self->buf + PAGE, 1UL << 40, PAGE, RW));
	size = PAGE;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, 0, &size,
				     VFIO_DMA_UNMAP_FLAG_ALL));
	size = 0;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, PAGE, &size,
				     VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(0, unmap_dma(self->fd, 0, &size, VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(2 * PAGE, size);
	/* Nothing left is fine too. */
	size = 0;
	ASSERT_EQ(0, unmap_dma(self->fd, 0, &size, VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(0, size);
}

TEST_F(type1, map_unmap_errors)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_dma_map map = {
		.argsz = offsetof(struct vfio_iommu_type1_dma_map, size),
		.flags = RW, .vaddr = (uintptr_t)self->buf, .size = PAGE,
	};
	__u64 size;
	__u32 hwpt;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(-EINVAL, map_dma(self->fd, self->buf, MOCK_APERTURE_START,
				   PAGE, RW | VFIO_DMA_MAP_FLAG_VADDR));
	ASSERT_EQ(-EINVAL, map_dma(self->fd, self->buf, MOCK_APERTURE_START,
				   0, RW));
	/* Below the IO page the domain needs. */
	ASSERT_EQ(-EINVAL, map_dma(self->fd, self->buf,
				   MOCK_APERTURE_START + 512, PAGE, RW));
	/* Outside the mock's aperture. */
	ASSERT_EQ(-EINVAL, map_dma(self->fd, self->buf, 0, PAGE, RW));
	ASSERT_EQ(-EOVERFLOW, map_dma(self->fd, self->buf, -PAGE, 2 * PAGE,
				      RW));
	/* Memory that is not there. */
	ASSERT_EQ(-EFAULT, map_dma(self->fd, NULL, MOCK_APERTURE_START, PAGE,
				   RW));

	unmap.argsz = offsetof(struct vfio_iommu_type1_dma_unmap, size);
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	size = PAGE;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, 0, &size,
				     VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP));
	size = 0;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, PAGE, &size, 0));
	/* A wrapping range unmaps nothing, and says so: size 0. */
	size = 2 * PAGE;
	ASSERT_EQ(-EOVERFLOW, unmap_dma(self->fd, -PAGE, &size, 0));
	ASSERT_EQ(0, size);
	/* UNMAP_ALL with a range: refused before anything, size untouched. */
	size = PAGE;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, 0, &size,
				     VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(PAGE, size);
}

/* GET_INFO: sizes, then the capability chain once there is room. */
TEST_F(type1, get_info)
{
	struct vfio_iommu_type1_info_cap_iova_range *ranges = NULL;
	struct vfio_iommu_type1_info_dma_avail *avail = NULL;
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_info_cap_header *cap;
	struct vfio_iommu_type1_info *full;
	unsigned char big[512];
	unsigned int i, offset;
	__u32 hwpt;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	info.argsz = offsetof(struct vfio_iommu_type1_info, iova_pgsizes);
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));

	/* No room for capabilities: told how much room they need. */
	info.argsz = sizeof(info);
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info.flags);
	/* The mock's half-page IO pages, rounded up to a CPU page. */
	ASSERT_EQ(PAGE, info.iova_pgsizes);
	ASSERT_EQ(0, info.cap_offset);
	ASSERT_LT(sizeof(info), info.argsz);
	ASSERT_GE(sizeof(big), info.argsz);

	memset(big, 0xff, sizeof(big));
	full = (void *)big;
	full->argsz = sizeof(big);
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, big));
	ASSERT_EQ(info.argsz, full->argsz);
	ASSERT_EQ(0, full->pad);
	ASSERT_NE(0, full->cap_offset);
	for (offset = full->cap_offset; offset; offset = cap->next) {
		ASSERT_GE(full->argsz - sizeof(*cap), offset);
		ASSERT_EQ(0, offset % 8);
		cap = (void *)(big + offset);
		ASSERT_EQ(1, cap->version);
		if (cap->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
			avail = (void *)cap;
		else if (cap->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			ranges = (void *)cap;
	}
	ASSERT_NE(NULL, avail);
	ASSERT_NE(NULL, ranges);
	ASSERT_EQ(UINT32_MAX, avail->avail);
	ASSERT_EQ(1, ranges->nr_iovas);
	ASSERT_EQ(0, ranges->reserved);
	ASSERT_EQ(MOCK_APERTURE_START, ranges->iova_ranges[0].start);
	ASSERT_EQ(MOCK_APERTURE_LAST, ranges->iova_ranges[0].end);
	/* Padding and what lies beyond the answer's end is not garbage. */
	for (i = (unsigned char *)avail + sizeof(*avail) - big;
	     i < (unsigned char *)ranges - big; i++)
		ASSERT_EQ(0, big[i]);
	for (i = full->argsz; i < sizeof(big); i++)
		ASSERT_EQ(0xff, big[i]);

	/*
	 * Room for the info and the DMA limit but not the whole chain: the
	 * capabilities that fit whole are written, unlinked from the info
	 * (cap_offset 0); the ranges' header only once all ranges fit.
	 */
	memset(big, 0xff, sizeof(big));
	full->argsz = (unsigned char *)ranges - big;
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, big));
	ASSERT_EQ(info.argsz, full->argsz);
	ASSERT_EQ(0, full->cap_offset);
	ASSERT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, avail->header.id);
	ASSERT_EQ(UINT32_MAX, avail->avail);
	/* Its link to the next one is written: that one's start fits. */
	ASSERT_EQ((unsigned char *)ranges - big, avail->header.next);
	for (i = (unsigned char *)ranges - big; i < sizeof(big); i++)
		ASSERT_EQ(0xff, big[i]);
	/* One byte short of the whole: the range does not fit. */
	memset(big, 0xff, sizeof(big));
	full->argsz = info.argsz - 1;
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, big));
	ASSERT_EQ(0, full->cap_offset);
	ASSERT_EQ(UINT64_MAX, ranges->iova_ranges[0].start);
	ASSERT_EQ(0xffff, ranges->header.id);
	/* Short of the DMA limit's end: only the info. */
	memset(big, 0xff, sizeof(big));
	full->argsz = (unsigned char *)avail - big + 4;
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, big));
	ASSERT_EQ(0xffff, avail->header.id);
}

/*
 * Arguments the kernel cannot read, and answers it cannot write: EFAULT,
 * and an unmap whose size cannot be told back still unmaps.
 */
TEST_F(type1, unreadable_and_unwritable)
{
	struct vfio_iommu_type1_dma_unmap *unmap;
	struct vfio_iommu_type1_info *info, *info_big;
	unsigned char *ro;
	__u32 hwpt;
	__u64 size;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, NULL));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, NULL));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, NULL));

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	info = (void *)ro;
	info_big = (void *)(ro + 1024);
	unmap = (void *)(ro + 2048);
	info->argsz = sizeof(*info);
	info_big->argsz = 1024;
	unmap->argsz = sizeof(*unmap);
	unmap->iova = MOCK_APERTURE_START;
	unmap->size = PAGE;
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));

	/* No room for capabilities, then room for all of them. */
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, info));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, info_big));

	ASSERT_EQ(0, map_dma(self->fd, self->buf, MOCK_APERTURE_START, PAGE,
			     RW));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, unmap));
	ASSERT_EQ(0, munmap(ro, PAGE));

	/*
	 * The info itself writable, the capabilities after it not: room for
	 * all but the last byte, so the answer is written piece by piece.
	 */
	ro = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	info = (void *)(ro + PAGE - sizeof(*info));
	info->argsz = sizeof(*info);
	ASSERT_EQ(0, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, info));
	ASSERT_LT(sizeof(*info), info->argsz);
	info->argsz -= 1;
	ASSERT_EQ(0, mprotect(ro + PAGE, PAGE, PROT_READ));
	ASSERT_EQ(-EFAULT, sim_ioctl(self->fd, VFIO_IOMMU_GET_INFO, info));
	ASSERT_EQ(0, munmap(ro, 2 * PAGE));

	/* The unmap above went through though its size was never told. */
	size = PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, MOCK_APERTURE_START, &size, 0));
	ASSERT_EQ(0, size);
}

/* Type1 v1 wants page-sized IOPTEs: large pages go off. */
TEST_F(type1, v1_disables_large_pages)
{
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET, .object_id = self->ioas,
	};
	__u32 hwpt;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_OPTION, &opt));
	ASSERT_EQ(0, opt.val64);

	/* Once a domain maps something, it is too late to turn them off. */
	opt.op = IOMMU_OPTION_OP_SET;
	opt.val64 = 1;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_OPTION, &opt));
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(0, map_dma(self->fd, self->buf, MOCK_APERTURE_START, PAGE,
			     RW));
	ASSERT_EQ(-EINVAL, sim_ioctl(self->fd, VFIO_SET_IOMMU,
				     (void *)VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
}

/*
 * Type1 v1 unmaps part of a mapping: the mapping is cut at the range's
 * edges, the domain keeps translating what is left, and exactly the
 * unmapped pages are unpinned.
 */
TEST_F(type1, v1_partial_unmap)
{
	__u64 iova = MOCK_APERTURE_START, size;
	__u32 hwpt;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, attach_mock(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(0, map_dma(self->fd, self->buf, iova, BUF_BYTES, RW));

	/* Two pages from the middle. */
	size = 2 * PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, iova + 4 * PAGE, &size, 0));
	ASSERT_EQ(2 * PAGE, size);
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, 4 * PAGE));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova + 6 * PAGE,
				   self->buf + 6 * PAGE, BUF_BYTES - 6 * PAGE));
	ASSERT_EQ(-EINVAL, sim_check_map(self->fd, hwpt, iova + 4 * PAGE,
					 self->buf + 4 * PAGE, PAGE));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + 4 * PAGE, 2 * PAGE, 0));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, 4 * PAGE, 1));
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf + 6 * PAGE,
				    BUF_BYTES - 6 * PAGE, 1));

	/* The first page, then a range over a hole and two part-mappings. */
	size = PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, iova, &size, 0));
	ASSERT_EQ(PAGE, size);
	size = 6 * PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, iova + 2 * PAGE, &size, 0));
	ASSERT_EQ(4 * PAGE, size);
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova + PAGE,
				   self->buf + PAGE, PAGE));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova + 8 * PAGE,
				   self->buf + 8 * PAGE, BUF_BYTES - 8 * PAGE));
	/* A cut must fall on a page. */
	size = PAGE;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, iova + 9 * PAGE + 2048, &size,
				     0));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova + 8 * PAGE,
				   self->buf + 8 * PAGE, BUF_BYTES - 8 * PAGE));

	size = 0;
	ASSERT_EQ(0, unmap_dma(self->fd, 0, &size, VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(BUF_BYTES - 7 * PAGE, size);
	ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BUF_BYTES, 0));
}

/* A mapping an access pins is not cut; without a domain, cuts are free. */
TEST_F(type1, v1_cut_refused_under_access_pin)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = self->ioas,
		.create_access = {
			.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
		},
	};
	__u64 size;
	int afd;

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, map_dma(self->fd, self->buf, 0x100000, BUF_BYTES, RW));
	size = PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, 0x100000 + 3 * PAGE, &size, 0));
	ASSERT_EQ(PAGE, size);

	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_TEST_CMD, &cmd));
	afd = cmd.create_access.out_access_fd;
	memset(&cmd.access_pages, 0, sizeof(cmd.access_pages));
	cmd.op = IOMMU_TEST_OP_ACCESS_PAGES;
	cmd.id = afd;
	cmd.access_pages.iova = 0x100000 + 8 * PAGE;
	cmd.access_pages.length = PAGE;
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_TEST_CMD, &cmd));
	/* The cut is refused: the caller's size is left as it was. */
	size = PAGE;
	ASSERT_EQ(-EINVAL, unmap_dma(self->fd, 0x100000 + 10 * PAGE, &size,
				     0));
	ASSERT_EQ(PAGE, size);
	ASSERT_EQ(0, close(afd));
	size = PAGE;
	ASSERT_EQ(0, unmap_dma(self->fd, 0x100000 + 10 * PAGE, &size, 0));
	ASSERT_EQ(PAGE, size);
}

/* Destroying the container's IOAS leaves no container behind. */
TEST_F(type1, ioas_destroyed)
{
	struct iommu_destroy destroy = {
		.size = sizeof(destroy), .id = self->ioas,
	};
	struct iommu_vfio_ioas get = {
		.size = sizeof(get), .op = IOMMU_VFIO_IOAS_GET,
	};

	ASSERT_EQ(0, vfio_ioas_set(self->fd, self->ioas));
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &get));
	ASSERT_EQ(self->ioas, get.ioas_id);
	ASSERT_EQ(0, sim_ioctl(self->fd, IOMMU_DESTROY, &destroy));
	ASSERT_EQ(-ENODEV, sim_ioctl(self->fd, IOMMU_VFIO_IOAS, &get));
	ASSERT_EQ(-ENODEV, map_dma(self->fd, self->buf, 0, PAGE, RW));
}

TEST_HARNESS_MAIN
