/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: iommufd_fuzz.c's operations on what hangs off a HWPT and on
 * devices - dirty tracking, nested HWPTs and their invalidation, fault
 * queues, a device node (a real device's, or the mock's), a selftest
 * device's PASIDs - apart from
 * the IOAS, access and container operations of iommufd_fuzz.c, for size.
 * Included once, by iommufd_fuzz.c.
 */
#ifndef __IOASIM_SIM_IOMMUFD_FUZZ_HWPT_H
#define __IOASIM_SIM_IOMMUFD_FUZZ_HWPT_H

#include <unistd.h>

#include "devnode.h"
#include "iommufd_fuzz.h"
#include "../core/uapi_later.h"

/*
 * The bitmap of a dirty read: one bit per page_size of the range, and a
 * read asks for at most 128 pages at a page_size as small as 1 byte. The
 * word after the bits a read asks for must stay as it was.
 */
#define DIRTY_MAX_BYTES (128 * PAGE)
#define DIRTY_GUARD 0x6775617264ULL
static __thread __u64 dirty_bits[DIRTY_MAX_BYTES / 64 + 1];

/* Dirty tracking: turn it on or off, mark pages, read the bitmap. */
static int op_dirty(struct fuzzer *f)
{
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set), .hwpt_id = some_id(f),
		.flags = some_flags(f, IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .hwpt_id = some_id(f),
		.flags = some_flags(f, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
		.iova = MOCK_APERTURE_START, .length = (1 + pick(f, 128)) * PAGE,
		.page_size = one_in(f, 8) ? pick(f, 3 * PAGE) :
					    PAGE << pick(f, 2),
		.data = one_in(f, 8) ? 8 : (__u64)(uintptr_t)dirty_bits,
	};
	struct iommu_test_cmd mark = {
		.op = IOMMU_TEST_OP_DIRTY, .id = get.hwpt_id,
		.dirty = {
			.iova = MOCK_APERTURE_START, .length = 128 * PAGE,
			.page_size = PAGE, .uptr = (uintptr_t)dirty_bits,
		},
	};
	/* Words a read may write; a bad page_size is refused first. */
	size_t words = get.page_size ?
		       (get.length / get.page_size + 63) / 64 : 2;
	int rc;

	memset(dirty_bits, 0, (words + 1) * sizeof(*dirty_bits));
	dirty_bits[0] = next(f);
	dirty_bits[1] = next(f);
	switch (pick(f, 3)) {
	case 0:
		return do_ioctl(f, IOMMU_HWPT_SET_DIRTY_TRACKING, &set);
	case 1:
		return test_cmd(f, &mark);
	default:
		if (one_in(f, 8))
			get.iova = some_iova(f);
		dirty_bits[words] = DIRTY_GUARD;
		rc = do_ioctl(f, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
		/* Written past the bits asked for: no errno iommufd has. */
		return dirty_bits[words] == DIRTY_GUARD ? rc : -EILSEQ;
	}
}

/* A nested HWPT on some HWPT, or an invalidation of some HWPT. */
static int op_nested(struct fuzzer *f)
{
	struct iommu_hwpt_selftest data = { .iotlb = next(f) };
	struct iommu_hwpt_invalidate_selftest inv[2] = {
		{ .flags = some_flags(f, IOMMU_TEST_INVALIDATE_FLAG_ALL),
		  .iotlb_id = pick(f, 5) },
		{ .iotlb_id = pick(f, 5) },
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .dev_id = some_id(f), .pt_id = some_id(f),
		.flags = some_flags(f, IOMMU_HWPT_ALLOC_NEST_PARENT),
		.data_type = one_in(f, 2) ? IOMMU_HWPT_DATA_SELFTEST : 0,
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = some_id(f),
		.data_uptr = one_in(f, 8) ? 8 : (uintptr_t)inv,
		.data_type = one_in(f, 8) ? next(f) :
			     IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = one_in(f, 8) ? pick(f, 16) : sizeof(inv[0]),
		.entry_num = pick(f, 3),
	};
	int rc;

	if (one_in(f, 2))
		return do_ioctl(f, IOMMU_TEST_CMD, &(struct iommu_test_cmd){
			.size = sizeof(struct iommu_test_cmd),
			.op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = cmd.hwpt_id,
			.check_iotlb = { .id = pick(f, 5), .iotlb = data.iotlb },
		}) ?: do_ioctl(f, IOMMU_HWPT_INVALIDATE, &cmd);
	alloc.data_len = alloc.data_type ? sizeof(data) : 0;
	rc = do_ioctl(f, IOMMU_HWPT_ALLOC, &alloc);
	if (!rc)
		remember(f->r, f->r->ids, &f->r->nids, alloc.out_hwpt_id);
	return rc;
}

/*
 * Fault queues: made, given to nested HWPTs (the only kind 6.12 gives a
 * queue; the parent is some HWPT op_nested made with NEST_PARENT),
 * faulted into, read and answered.
 */
static int op_fault_queue(struct fuzzer *f)
{
	struct iommu_fault_alloc qa = {
		.size = sizeof(qa), .flags = some_flags(f, 0),
	};
	struct iommu_hwpt_selftest data = { .iotlb = next(f) };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .dev_id = some_id(f), .pt_id = some_id(f),
		.flags = IOMMU_HWPT_FAULT_ID_VALID, .fault_id = some_id(f),
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};
	struct iommu_test_cmd trigger = {
		.size = sizeof(trigger), .op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = some_id(f), .addr = next(f) },
	};
	struct iommu_hwpt_pgfault msg[2];
	struct iommu_hwpt_page_response resp = {
		.cookie = pick(f, 8), .code = pick(f, 3),
	};
	ssize_t n;
	int rc, fd;

	switch (pick(f, 5)) {
	case 0:
		rc = do_ioctl(f, IOMMU_FAULT_QUEUE_ALLOC, &qa);
		if (rc)
			return rc;
		remember(f->r, f->r->ids, &f->r->nids, qa.out_fault_id);
		pthread_mutex_lock(&f->r->lock);
		if (f->r->nafds < MAX_AFDS)
			f->r->afds[f->r->nafds++] = qa.out_fault_fd;
		pthread_mutex_unlock(&f->r->lock);
		return 0;
	case 1:
		rc = do_ioctl(f, IOMMU_HWPT_ALLOC, &alloc);
		if (!rc)
			remember(f->r, f->r->ids, &f->r->nids,
				 alloc.out_hwpt_id);
		return rc;
	case 2:
		return do_ioctl(f, IOMMU_TEST_CMD, &trigger);
	}
	/* Only files of this round's: any other could block (the console). */
	fd = some_afd(f);
	pthread_mutex_lock(&f->r->lock);
	for (rc = 0; rc < (int)f->r->nafds && f->r->afds[rc] != fd; rc++)
		;
	if (rc == (int)f->r->nafds)
		fd = -1;
	pthread_mutex_unlock(&f->r->lock);
	if (fd < 0)
		return 0;
	if (one_in(f, 2))
		n = read(fd, msg, one_in(f, 4) ? pick(f, 64) : sizeof(msg));
	else
		n = write(fd, &resp, one_in(f, 4) ? pick(f, 16) : sizeof(resp));
	return n < 0 ? -errno : 0;
}

/*
 * A real device's DMA takes 200 ms and more (QEMU's edu), and a blocked
 * one may wait for the IOMMU driver's log to take its report (a few
 * bytes keep virtio-iommu's reports, one per 4 bytes, few): a run copies
 * ioasim_fuzz.edu_copies= times at most (default 8), so that the rest of
 * it stays fast.
 */
static unsigned int edu_copies, edu_copies_max;
static const char *node_kind = "edu";

/*
 * The device node of the round - a real device's (make vm's VT-d and
 * virtio-iommu machines), else the mock's first VFIO node: bind, attach
 * or replace, detach, a copy by DMA, closing and reopening the file while
 * the other thread works on the context, and ioctls with random numbers
 * and sizes.
 */
static int op_real_device(struct fuzzer *f)
{
	struct ioasim_mock_vfio_dma dma = {
		.argsz = sizeof(dma), .flags = IOASIM_MOCK_VFIO_DMA_COPY,
		.length = 1 + pick(f, 8),
	};
	__u32 arg[16] = { 0 }, id;
	int rc, fd = f->r->edu;

	if (fd < 0)
		return 0;
	switch (pick(f, 6)) {
	case 0:
		rc = sim_dev_bind(fd, f->r->fd, &id);
		if (!rc)
			remember(f->r, f->r->ids, &f->r->nids, id);
		return rc;
	case 1:
		id = some_ioas(f);
		rc = sim_dev_attach(fd, &id);
		if (!rc)
			remember(f->r, f->r->ids, &f->r->nids, id);
		return rc;
	case 2:
		return sim_dev_detach(fd);
	case 3:
		if (__atomic_fetch_add(&edu_copies, 1, __ATOMIC_RELAXED) >=
		    edu_copies_max)
			return 0;
		dma.iova = some_iova(f);
		dma.src_iova = some_iova(f);
		return sim_ioctl(fd, IOASIM_MOCK_VFIO_DMA, &dma);
	case 4:
		/* Closing unbinds; the round's file stays the same number. */
		rc = sim_dev_open(node_kind, 0);
		if (rc < 0)
			return -errno;
		rc = dup2(rc, fd) < 0 ? -errno : close(rc);
		return rc;
	}
	arg[0] = pick(f, sizeof(arg) + 1);
	return sim_ioctl(fd, one_in(f, 2) ? VFIO_DEVICE_ATTACH_IOMMUFD_PT :
			 _IO(';', 100 + pick(f, 24)), arg);
}

/*
 * A PASID of a selftest device (the control plane's PASID operations):
 * attach, replace, detach or check, the PASID a usual one, the one the
 * mock refuses every second time, one past the width, or none.
 */
static int op_pasid(struct fuzzer *f)
{
	static const __u32 ops[] = {
		IOMMU_TEST_OP_PASID_ATTACH, IOMMU_TEST_OP_PASID_REPLACE,
		IOMMU_TEST_OP_PASID_DETACH, IOMMU_TEST_OP_PASID_CHECK_HWPT,
	};
	static const __u32 pasids[] = {
		1, 2, IOMMU_TEST_PASID_RESERVED, 1U << MOCK_PASID_WIDTH, 0,
	};
	struct iommu_test_cmd cmd = { .op = ops[pick(f, 4)], .id = some_id(f) };
	struct ioasim_test_pasid *args = (void *)&cmd.add_reserved;
	int rc;

	args->pasid = pasids[pick(f, 5)];
	args->pt_id = one_in(f, 2) ? some_ioas(f) : some_id(f);
	rc = test_cmd(f, &cmd);
	if (!rc && cmd.op == IOMMU_TEST_OP_PASID_ATTACH)
		remember(f->r, f->r->ids, &f->r->nids, args->pt_id);
	return rc;
}

#endif /* __IOASIM_SIM_IOMMUFD_FUZZ_HWPT_H */
