/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: iommufd_diff.c's IOAS commands and the VFIO type1
 * container ioctls, each a pair: gen draws a record's arguments, run
 * makes the call and prints what it answered.
 */
#ifndef __IOASIM_SIM_DIFF_IOAS_H
#define __IOASIM_SIM_DIFF_IOAS_H

#include "diff.h"

static __u64 some_len(struct diff *d)
{
	switch (pick(d, 12)) {
	case 0:
		return 0;
	case 1:
		return 1 + pick(d, PAGE - 1);
	case 2:
		return UINT64_MAX;
	default:
		return (1 + pick(d, 8)) * PAGE;
	}
}

static __u64 some_iova(struct diff *d)
{
	switch (pick(d, 10)) {
	case 0:
		return UINT64_MAX - PAGE + 1;
	case 1:
		return MOCK_APERTURE_START + pick(d, 64) * PAGE + pick(d, 2) * 512;
	case 2:
		return pick(d, 16) * PAGE;
	default:
		if (d->niovas && one_in(d, 2))
			return d->iovas[pick(d, d->niovas)] +
			       pick(d, 3) * PAGE;
		return MOCK_APERTURE_START + pick(d, 64) * PAGE;
	}
}

static __u64 some_uva(struct diff *d)
{
	switch (pick(d, 8)) {
	case 0:
		return RO_ADDR + pick(d, RO_PAGES / 2) * PAGE;
	case 1:
		return RW_ADDR + pick(d, RW_PAGES / 2) * PAGE + pick(d, 8) * 64;
	case 2:
		return 0;
	default:
		return RW_ADDR + pick(d, RW_PAGES / 2) * PAGE;
	}
}

static __u32 some_map_flags(struct diff *d)
{
	__u32 f = pick(d, 8);

	return one_in(d, 16) ? f | 1U << (3 + pick(d, 8)) : f;
}

static void gen_none(struct diff *d, struct call *c)
{
}

static int run_ioas_alloc(struct diff *d, const struct call *c)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = io(d, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc)
		made(d, IOAS, cmd.out_ioas_id);
	return rc;
}

static void gen_destroy(struct diff *d, struct call *c)
{
	c->a[0] = some_obj(d);
}

static int run_destroy(struct diff *d, const struct call *c)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = obj(d, c->a[0]) };
	int rc = io(d, IOMMU_DESTROY, &cmd);

	if (!rc) {
		forget(d, cmd.id);
		model_forget(d, cmd.id);
	}
	return rc;
}

/* flags ioas uva len iova */
static void gen_map(struct diff *d, struct call *c)
{
	c->a[0] = some_map_flags(d);
	c->a[1] = some(d, IOAS);
	c->a[2] = some_uva(d);
	c->a[3] = some_len(d);
	c->a[4] = some_iova(d);
}

static int run_map(struct diff *d, const struct call *c)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = c->a[0],
		.ioas_id = obj(d, c->a[1]), .user_va = c->a[2],
		.length = c->a[3], .iova = c->a[4],
	};
	int rc = io(d, IOMMU_IOAS_MAP, &cmd);

	if (!rc) {
		answered_iova(d, cmd.iova, cmd.user_va);
		model_map(d, cmd.ioas_id, cmd.iova, cmd.length);
	}
	return rc;
}

/* ioas iova len */
static void gen_unmap(struct diff *d, struct call *c)
{
	c->a[0] = some(d, IOAS);
	c->a[1] = some_iova(d);
	c->a[2] = some_len(d);
	if (one_in(d, 6)) {
		c->a[1] = 0;
		c->a[2] = UINT64_MAX;
	}
}

static int run_unmap(struct diff *d, const struct call *c)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = obj(d, c->a[0]),
		.iova = c->a[1], .length = c->a[2],
	};
	bool all = !cmd.iova && cmd.length == UINT64_MAX;
	int rc = io(d, IOMMU_IOAS_UNMAP, &cmd);

	if (!rc) {
		out(d, " length=%llx", (unsigned long long)cmd.length);
		model_unmap(d, cmd.ioas_id, c->a[1],
			    all ? UINT64_MAX : c->a[1] + c->a[2] - 1);
	} else if (rc == ENOENT) {
		unmap_refused(d, cmd.ioas_id, c->a[1], c->a[2]);
	}
	return rc;
}

/* flags dst src len dst_iova src_iova */
static void gen_copy(struct diff *d, struct call *c)
{
	c->a[0] = some_map_flags(d);
	c->a[1] = some(d, IOAS);
	c->a[2] = some(d, IOAS);
	c->a[3] = some_len(d);
	c->a[4] = some_iova(d);
	c->a[5] = some_iova(d);
}

static int run_copy(struct diff *d, const struct call *c)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = c->a[0],
		.dst_ioas_id = obj(d, c->a[1]), .src_ioas_id = obj(d, c->a[2]),
		.length = c->a[3], .dst_iova = c->a[4], .src_iova = c->a[5],
	};
	int rc = io(d, IOMMU_IOAS_COPY, &cmd);

	if (!rc) {
		answered_iova(d, cmd.dst_iova, 0);
		model_copy(d, cmd.dst_ioas_id, cmd.dst_iova, cmd.src_ioas_id,
			   cmd.src_iova, cmd.length);
	}
	return rc;
}

/* ioas num */
static void gen_iova_ranges(struct diff *d, struct call *c)
{
	c->a[0] = some(d, IOAS);
	c->a[1] = pick(d, 5);
}

static int run_iova_ranges(struct diff *d, const struct call *c)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = obj(d, c->a[0]),
		.num_iovas = c->a[1], .allowed_iovas = (uintptr_t)r,
	};
	unsigned int i;
	int rc;

	memset(r, 0, sizeof(r));
	rc = io(d, IOMMU_IOAS_IOVA_RANGES, &cmd);
	if (rc && rc != EMSGSIZE)
		return rc;
	out(d, " n=%u align=%llx", cmd.num_iovas,
	    (unsigned long long)cmd.out_iova_alignment);
	for (i = 0; !rc && i < cmd.num_iovas && i < 4; i++)
		out(d, " %llx-%llx", (unsigned long long)r[i].start,
		    (unsigned long long)r[i].last);
	return rc;
}

/* ioas num start0 pages0 start1 pages1 */
static void gen_allow_iovas(struct diff *d, struct call *c)
{
	c->a[0] = some(d, IOAS);
	c->a[1] = pick(d, 3);
	c->a[2] = some_iova(d);
	c->a[3] = 1 + pick(d, 256);
	c->a[4] = some_iova(d);
	c->a[5] = 1 + pick(d, 64);
}

static int run_allow_iovas(struct diff *d, const struct call *c)
{
	struct iommu_iova_range r[2] = {
		{ .start = c->a[2], .last = c->a[2] + c->a[3] * PAGE - 1 },
		{ .start = c->a[4], .last = c->a[4] + c->a[5] * PAGE - 1 },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = obj(d, c->a[0]),
		.num_iovas = c->a[1], .allowed_iovas = (uintptr_t)r,
	};

	return io(d, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* option op obj val */
static void gen_option(struct diff *d, struct call *c)
{
	c->a[0] = 1 + pick(d, 2);
	c->a[1] = pick(d, 2);
	c->a[2] = c->a[0] == IOMMU_OPTION_RLIMIT_MODE ? 0 : some(d, IOAS);
	c->a[3] = pick(d, 3);
}

static int run_option(struct diff *d, const struct call *c)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = c->a[0], .op = c->a[1],
		.object_id = obj(d, c->a[2]), .val64 = c->a[3],
	};
	int rc = io(d, IOMMU_OPTION, &cmd);

	if (!rc && cmd.op == IOMMU_OPTION_OP_GET)
		out(d, " val=%llu", (unsigned long long)cmd.val64);
	return rc;
}

/* op ioas */
static void gen_vfio_ioas(struct diff *d, struct call *c)
{
	c->a[0] = pick(d, 4);
	c->a[1] = some(d, IOAS);
}

static int run_vfio_ioas(struct diff *d, const struct call *c)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .op = c->a[0], .ioas_id = obj(d, c->a[1]),
	};
	int rc = io(d, IOMMU_VFIO_IOAS, &cmd);

	if (rc)
		return rc;
	if (cmd.op == IOMMU_VFIO_IOAS_GET)
		named(d, IOAS, cmd.ioas_id);
	else if (cmd.op == IOMMU_VFIO_IOAS_SET)
		d->compat = cmd.ioas_id;
	else if (cmd.op == IOMMU_VFIO_IOAS_CLEAR)
		d->compat = 0;
	return rc;
}

/* ioas start len: the selftest plane's reserved range */
static void gen_add_reserved(struct diff *d, struct call *c)
{
	c->a[0] = some(d, IOAS);
	c->a[1] = some_iova(d);
	c->a[2] = some_len(d);
}

static int run_add_reserved(struct diff *d, const struct call *c)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = obj(d, c->a[0]),
		.add_reserved = { .start = c->a[1], .length = c->a[2] },
	};

	return io(d, IOMMU_TEST_CMD, &cmd);
}

/* VFIO_CHECK_EXTENSION: ext */
static void gen_t1_ext(struct diff *d, struct call *c)
{
	c->a[0] = 1 + pick(d, 10);
}

static int run_t1_ext(struct diff *d, const struct call *c)
{
	int rc = ioctl(d->fd, VFIO_CHECK_EXTENSION, (int)c->a[0]);

	if (rc < 0)
		return errno;
	out(d, " =%d", rc);
	return 0;
}

/* VFIO_SET_IOMMU: type */
static void gen_t1_set(struct diff *d, struct call *c)
{
	c->a[0] = pick(d, 2) ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
}

static int run_t1_set(struct diff *d, const struct call *c)
{
	return ioctl(d->fd, VFIO_SET_IOMMU, (int)c->a[0]) < 0 ? errno : 0;
}

/* VFIO_IOMMU_MAP_DMA: flags uva iova len */
static void gen_t1_map(struct diff *d, struct call *c)
{
	c->a[0] = pick(d, 4);
	c->a[1] = some_uva(d);
	c->a[2] = some_iova(d);
	c->a[3] = some_len(d);
}

static int run_t1_map(struct diff *d, const struct call *c)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd), .flags = c->a[0], .vaddr = c->a[1],
		.iova = c->a[2], .size = c->a[3],
	};
	int rc = io(d, VFIO_IOMMU_MAP_DMA, &cmd);

	if (!rc)
		model_map(d, d->compat, cmd.iova, cmd.size);
	return rc;
}

/* VFIO_IOMMU_UNMAP_DMA: flags iova len */
static void gen_t1_unmap(struct diff *d, struct call *c)
{
	c->a[0] = 0;
	c->a[1] = some_iova(d);
	c->a[2] = some_len(d);
	if (one_in(d, 4)) {
		c->a[0] = VFIO_DMA_UNMAP_FLAG_ALL;
		c->a[1] = 0;
		c->a[2] = 0;
	} else if (one_in(d, 16)) {
		c->a[0] = 1U << pick(d, 3);
	}
}

static int run_t1_unmap(struct diff *d, const struct call *c)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd), .flags = c->a[0], .iova = c->a[1],
		.size = c->a[2],
	};
	int rc = io(d, VFIO_IOMMU_UNMAP_DMA, &cmd);

	out(d, " size=%llx", (unsigned long long)cmd.size);
	if (!rc && cmd.flags & VFIO_DMA_UNMAP_FLAG_ALL)
		model_unmap(d, d->compat, 0, UINT64_MAX);
	else if (!rc && c->a[2])
		model_unmap(d, d->compat, c->a[1], c->a[1] + c->a[2] - 1);
	else if (rc == ENOENT)
		unmap_refused(d, d->compat, c->a[1], c->a[2]);
	return rc;
}

/* VFIO_IOMMU_GET_INFO with its capability chain: argsz */
static void gen_t1_info(struct diff *d, struct call *c)
{
	static const __u64 sizes[] = { 256, 16, 8, 24 };

	c->a[0] = sizes[pick(d, 4)];
}

static int run_t1_info(struct diff *d, const struct call *c)
{
	union {
		struct vfio_iommu_type1_info info;
		__u8 bytes[256];
	} u = { .info = { .argsz = c->a[0] } };
	__u32 off;
	int rc = io(d, VFIO_IOMMU_GET_INFO, &u);

	if (rc)
		return rc;
	out(d, " argsz=%x flags=%x pgsizes=%llx", u.info.argsz, u.info.flags,
	    (unsigned long long)u.info.iova_pgsizes);
	if (c->a[0] < sizeof(u.info) || !(u.info.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	for (off = u.info.cap_offset; off && off + 8 <= c->a[0];) {
		struct vfio_info_cap_header *h = (void *)(u.bytes + off);

		out(d, " cap%u", h->id);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)h;
			__u32 i;

			for (i = 0; i < r->nr_iovas &&
			     off + sizeof(*r) + (i + 1) * sizeof(r->iova_ranges[0]) <=
			     c->a[0]; i++)
				out(d, " %llx-%llx",
				    (unsigned long long)r->iova_ranges[i].start,
				    (unsigned long long)r->iova_ranges[i].end);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			out(d, " avail=%u",
			    ((struct vfio_iommu_type1_info_dma_avail *)h)->avail);
		}
		if (h->next <= off)
			break;
		off = h->next;
	}
	return 0;
}

#endif /* __IOASIM_SIM_DIFF_IOAS_H */
