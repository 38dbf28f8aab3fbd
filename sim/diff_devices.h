/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: iommufd_diff.c's devices, HWPTs, dirty tracking, fault
 * queues and accesses, through the 6.12 uAPI and the selftest plane; each
 * a gen/run pair as in diff_ioas.h.
 */
#ifndef __IOASIM_SIM_DIFF_DEVICES_H
#define __IOASIM_SIM_DIFF_DEVICES_H

#include "diff_ioas.h"

/* Bits a bitmap or a buffer holds, folded to one printable number. */
static __u32 digest(const void *buf, size_t len)
{
	const __u8 *b = buf;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = sum * 31 + b[i];
	return sum;
}

/* A pagetable: a HWPT mostly, sometimes an IOAS. */
static __u64 some_pt(struct diff *d)
{
	return one_in(d, 3) ? some(d, HWPT) : some(d, IOAS);
}

/* pt flags: a mock device attached to pt */
static void gen_mock_domain(struct diff *d, struct call *c)
{
	c->a[0] = some_pt(d);
	c->a[1] = one_in(d, 3) ? (one_in(d, 8) ? 1U << 5 :
				  MOCK_FLAGS_DEVICE_NO_DIRTY) : 0;
}

static int run_mock_domain(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = obj(d, c->a[0]),
	};
	int rc;

	if (c->a[1]) {
		cmd.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS;
		cmd.mock_domain_flags.dev_flags = c->a[1];
	}
	rc = io(d, IOMMU_TEST_CMD, &cmd);
	if (!rc) {
		made(d, STDEV, cmd.mock_domain.out_stdev_id);
		/* An automatic HWPT may be one made before: named, or new. */
		if (!name(d, HWPT, cmd.mock_domain.out_hwpt_id))
			made(d, HWPT, cmd.mock_domain.out_hwpt_id);
		made(d, IDEV, cmd.mock_domain.out_idev_id);
	}
	return rc;
}

/* stdev pt */
static void gen_replace(struct diff *d, struct call *c)
{
	c->a[0] = some(d, STDEV);
	c->a[1] = one_in(d, 2) ? some(d, HWPT) : some(d, IOAS);
}

static int run_replace(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = obj(d, c->a[0]),
		.mock_domain_replace.pt_id = obj(d, c->a[1]),
	};
	int rc = io(d, IOMMU_TEST_CMD, &cmd);

	/* Replace answers the HWPT it attached to, automatic or named. */
	if (!rc && !name(d, HWPT, cmd.mock_domain_replace.pt_id))
		made(d, HWPT, cmd.mock_domain_replace.pt_id);
	return rc;
}

/* flags dev pt type fault: type 1 is the selftest's nested data */
static void gen_hwpt_alloc(struct diff *d, struct call *c)
{
	static const __u32 flags[] = {
		0, IOMMU_HWPT_ALLOC_NEST_PARENT,
		IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_FAULT_ID_VALID,
		IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		1U << 7,
	};

	c->a[0] = flags[pick(d, 6)];
	c->a[1] = some(d, IDEV);
	c->a[2] = one_in(d, 3) ? some(d, HWPT) : some(d, IOAS);
	c->a[3] = one_in(d, 3) ? pick(d, 3) : 0;
	c->a[4] = some(d, FAULT);
}

static int run_hwpt_alloc(struct diff *d, const struct call *c)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = c->a[0],
		.dev_id = obj(d, c->a[1]), .pt_id = obj(d, c->a[2]),
		.fault_id = obj(d, c->a[4]),
	};
	int rc;

	if (c->a[3]) {
		cmd.data_type = c->a[3] == 1 ? IOMMU_HWPT_DATA_SELFTEST : 7;
		cmd.data_len = sizeof(data);
		cmd.data_uptr = (uintptr_t)&data;
	}
	rc = io(d, IOMMU_HWPT_ALLOC, &cmd);
	if (!rc)
		made(d, HWPT, cmd.out_hwpt_id);
	return rc;
}

/* dev len flags */
static void gen_hw_info(struct diff *d, struct call *c)
{
	static const __u64 lens[] = { 0, 4, 8, 64 };

	c->a[0] = some(d, IDEV);
	c->a[1] = lens[pick(d, 4)];
	c->a[2] = one_in(d, 8) ? 1U << pick(d, 4) : 0;
}

static int run_hw_info(struct diff *d, const struct call *c)
{
	__u8 data[64];
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd), .dev_id = obj(d, c->a[0]),
		.data_len = c->a[1], .data_uptr = (uintptr_t)data,
		.flags = c->a[2],
	};
	int rc;

	memset(data, 0xa5, sizeof(data));
	rc = io(d, IOMMU_GET_HW_INFO, &cmd);
	if (!rc)
		out(d, " type=%x len=%x caps=%llx data=%x", cmd.out_data_type,
		    cmd.data_len, (unsigned long long)cmd.out_capabilities,
		    digest(data, sizeof(data)));
	return rc;
}

/* hwpt flags */
static void gen_set_dirty(struct diff *d, struct call *c)
{
	c->a[0] = some(d, HWPT);
	c->a[1] = one_in(d, 8) ? 2 : pick(d, 2);
}

static int run_set_dirty(struct diff *d, const struct call *c)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .hwpt_id = obj(d, c->a[0]),
		.flags = c->a[1],
	};

	return io(d, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static __u64 some_page_size(struct diff *d)
{
	static const __u64 sizes[] = { PAGE, PAGE, 512, 0, 3000, 1UL << 21 };

	return sizes[pick(d, 6)];
}

/*
 * A bitmap the kernel may write: 64 bytes at the end of a page whose next
 * page is not mapped, so a bitmap longer than asked for faults.
 */
static __u8 *dirty_bitmap(void)
{
	static __u8 *page;

	if (!page) {
		page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED)
			abort();
		munmap(page + PAGE, PAGE);
	}
	return page + PAGE - 64;
}

/* hwpt flags iova len page_size */
static void gen_get_dirty(struct diff *d, struct call *c)
{
	c->a[0] = some(d, HWPT);
	c->a[1] = one_in(d, 8) ? 1U << pick(d, 3) : 0;
	c->a[2] = some_iova(d);
	c->a[3] = some_len(d);
	c->a[4] = some_page_size(d);
}

static int run_get_dirty(struct diff *d, const struct call *c)
{
	__u8 *bitmap = dirty_bitmap();
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = obj(d, c->a[0]),
		.flags = c->a[1], .iova = c->a[2], .length = c->a[3],
		.page_size = c->a[4], .data = (uintptr_t)bitmap,
	};
	int rc;

	memset(bitmap, 0, 64);
	rc = io(d, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
	if (!rc)
		out(d, " bitmap=%x", digest(bitmap, 64));
	return rc;
}

/* hwpt iova len page_size: the selftest marks every other page dirty */
static void gen_mark_dirty(struct diff *d, struct call *c)
{
	gen_get_dirty(d, c);
	c->a[1] = c->a[2];
	c->a[2] = c->a[3];
	c->a[3] = c->a[4];
	c->a[4] = 0;
}

static int run_mark_dirty(struct diff *d, const struct call *c)
{
	__u8 *bitmap = dirty_bitmap();
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_DIRTY,
		.id = obj(d, c->a[0]),
		.dirty = {
			.iova = c->a[1], .length = c->a[2],
			.page_size = c->a[3], .uptr = (uintptr_t)bitmap,
		},
	};
	int rc;

	memset(bitmap, 0x55, 64);
	rc = io(d, IOMMU_TEST_CMD, &cmd);
	if (!rc)
		out(d, " dirtied=%llu",
		    (unsigned long long)cmd.dirty.out_nr_dirty);
	return rc;
}

/* hwpt iova len uva: a user address that an answer paired with the IOVA */
static void gen_check_map(struct diff *d, struct call *c)
{
	unsigned int i;

	c->a[0] = some(d, HWPT);
	c->a[1] = some_iova(d);
	c->a[2] = some_len(d);
	c->a[3] = some_uva(d);
	if (d->niovas && !one_in(d, 4)) {
		i = pick(d, d->niovas);
		c->a[1] = d->iovas[i];
		c->a[3] = d->uvas[i];
		c->a[2] = (1 + pick(d, 2)) * PAGE;
	}
}

static int run_check_map(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = obj(d, c->a[0]),
		.check_map = {
			.iova = c->a[1], .length = c->a[2], .uptr = c->a[3],
		},
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* uva len refs */
static void gen_check_refs(struct diff *d, struct call *c)
{
	c->a[0] = some_uva(d);
	c->a[1] = (1 + pick(d, 4)) * PAGE;
	c->a[2] = pick(d, 3);
}

static int run_check_refs(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = {
			.uptr = c->a[0], .length = c->a[1], .refs = c->a[2],
		},
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* hwpt type entry_len num flags iotlb_id */
static void gen_invalidate(struct diff *d, struct call *c)
{
	static const __u64 lens[] = { 8, 8, 4, 16 };

	c->a[0] = some(d, HWPT);
	c->a[1] = one_in(d, 6) ? (one_in(d, 2) ? 0 :
		  IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID) :
		  IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	c->a[2] = lens[pick(d, 4)];
	c->a[3] = pick(d, 3);
	c->a[4] = one_in(d, 3) ? IOMMU_TEST_INVALIDATE_FLAG_ALL :
		  one_in(d, 8) ? 1U << 3 : 0;
	c->a[5] = pick(d, MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 2);
}

static int run_invalidate(struct diff *d, const struct call *c)
{
	struct iommu_hwpt_invalidate_selftest inv[2] = {
		{ .flags = c->a[4], .iotlb_id = c->a[5] },
		{ .flags = 0, .iotlb_id = 0 },
	};
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = obj(d, c->a[0]),
		.data_uptr = (uintptr_t)inv, .data_type = c->a[1],
		.entry_len = c->a[2], .entry_num = c->a[3],
	};
	__u8 buf[2 * 16] = { 0 };
	int rc;

	/* Entries of another length: each at its own stride, zero past it. */
	if (cmd.entry_len != sizeof(inv[0])) {
		memcpy(buf, &inv[0], sizeof(inv[0]));
		memcpy(buf + 16, &inv[1], sizeof(inv[1]));
		cmd.data_uptr = (uintptr_t)buf;
	}
	rc = io(d, IOMMU_HWPT_INVALIDATE, &cmd);
	out(d, " num=%u", cmd.entry_num);
	return rc;
}

/* hwpt id iotlb */
static void gen_check_iotlb(struct diff *d, struct call *c)
{
	c->a[0] = some(d, HWPT);
	c->a[1] = pick(d, MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 2);
	c->a[2] = one_in(d, 2) ? IOMMU_TEST_IOTLB_DEFAULT : 0;
}

static int run_check_iotlb(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = obj(d, c->a[0]),
		.check_iotlb = { .id = c->a[1], .iotlb = c->a[2] },
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* flags */
static void gen_fault_alloc(struct diff *d, struct call *c)
{
	c->a[0] = one_in(d, 8) ? 1 : 0;
}

static int run_fault_alloc(struct diff *d, const struct call *c)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd), .flags = c->a[0] };
	int rc = io(d, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		made(d, FAULT, cmd.out_fault_id);
		close(cmd.out_fault_fd);
	}
	return rc;
}

/* An access fd, or one that is none. */
static __u64 some_afd(struct diff *d)
{
	unsigned int n = d->pool[AFD].n;

	if (!n || one_in(d, 12))
		return 999;
	return REF(AFD, pick(d, n < MAX_OBJS ? n : MAX_OBJS));
}

/* ioas flags */
static void gen_create_access(struct diff *d, struct call *c)
{
	c->a[0] = some(d, IOAS);
	c->a[1] = pick(d, 2) ? MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0;
}

static int run_create_access(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = obj(d, c->a[0]), .create_access.flags = c->a[1],
	};
	int rc = io(d, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		made(d, AFD, cmd.create_access.out_access_fd);
	return rc;
}

/* afd flags iova len: the pinned pages are checked against no memory */
static void gen_access_pages(struct diff *d, struct call *c)
{
	c->a[0] = some_afd(d);
	c->a[1] = pick(d, 2) ? MOCK_FLAGS_ACCESS_WRITE : 0;
	c->a[2] = some_iova(d);
	c->a[3] = some_len(d);
}

static int run_access_pages(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = (__u32)id_of(d, c->a[0]),
		.access_pages = {
			.flags = c->a[1], .iova = c->a[2], .length = c->a[3],
		},
	};
	int rc = io(d, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		made(d, PIN, cmd.access_pages.out_access_pages_id);
	return rc;
}

/* afd pin */
static void gen_unpin(struct diff *d, struct call *c)
{
	c->a[0] = some_afd(d);
	c->a[1] = some(d, PIN);
}

static int run_unpin(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = (__u32)id_of(d, c->a[0]),
		.destroy_access_pages.access_pages_id = obj(d, c->a[1]),
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* afd flags iova len: the bytes read are printed as one number */
static void gen_access_rw(struct diff *d, struct call *c)
{
	c->a[0] = some_afd(d);
	c->a[1] = (pick(d, 3) ? 0 : MOCK_ACCESS_RW_WRITE) |
		  (one_in(d, 4) ? MOCK_ACCESS_RW_SLOW_PATH : 0);
	c->a[2] = some_iova(d) + pick(d, 4) * 8;
	c->a[3] = 1 + pick(d, 64);
}

static int run_access_rw(struct diff *d, const struct call *c)
{
	unsigned char buf[64];
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_ACCESS_RW,
		.id = (__u32)id_of(d, c->a[0]),
		.access_rw = {
			.flags = c->a[1], .iova = c->a[2],
			.length = c->a[3] < sizeof(buf) ? c->a[3] : sizeof(buf),
			.uptr = (uintptr_t)buf,
		},
	};
	int rc;

	memset(buf, 0x5a, sizeof(buf));
	rc = io(d, IOMMU_TEST_CMD, &cmd);
	if (!rc && !(cmd.access_rw.flags & MOCK_ACCESS_RW_WRITE))
		out(d, " sum=%x", digest(buf, cmd.access_rw.length));
	return rc;
}

/* afd ioas */
static void gen_access_ioas(struct diff *d, struct call *c)
{
	c->a[0] = some_afd(d);
	c->a[1] = some(d, IOAS);
}

static int run_access_ioas(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		.id = (__u32)id_of(d, c->a[0]),
		.access_replace_ioas.ioas_id = obj(d, c->a[1]),
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* afd: closing an access file ends the access */
static void gen_close_access(struct diff *d, struct call *c)
{
	c->a[0] = some_afd(d);
}

static int run_close_access(struct diff *d, const struct call *c)
{
	__s64 fd = id_of(d, c->a[0]);

	/* Only an access this sequence opened is closed; else no fd. */
	if (!(c->a[0] & REF_BIT) || fd < 0)
		fd = -1;
	else
		d->pool[AFD].id[REF_INDEX(c->a[0])] = -1;
	return close((int)fd) ? errno : 0;
}

#endif /* __IOASIM_SIM_DIFF_DEVICES_H */
