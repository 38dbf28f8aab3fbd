// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: one seeded sequence of 6.12 iommufd calls whose every
 * answer is printed, so that two kernels can be compared answer by answer
 * (make fuzz-diff boots ioasim's run kernel and upstream's comparison
 * kernel with it and compares the lines).
 *
 * Each call is drawn from a generator seeded with the seed and the call's
 * number, so one call's arguments do not depend on another's. Objects are
 * named by kind and creation order ("ioas#2"), never by id, so two kernels
 * that hand out ids differently still print the same line. User memory
 * sits at fixed addresses: automatic IOVAs follow the user address.
 *
 * Every line reads "# diff N op rc=E out..." where E is 0 or an errno.
 * Run alone (make sim), the program draws a short sequence, requires every
 * errno to be one iommufd answers and nothing to be left after close.
 *
 * Kernel arguments: ioasim_diff.seed=<n> (default 1), ioasim_diff.calls=
 * <n> (default 400), ioasim_diff.print=1 to print the lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
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
#define RW_ADDR 0x10000000UL
#define RW_PAGES 64
#define RO_ADDR 0x10100000UL
#define RO_PAGES 16
#define MAX_OBJS 32

enum obj_kind { IOAS, HWPT, STDEV, IDEV, AFD, PIN, NKINDS };

static const char *const kind_names[NKINDS] = {
	"ioas", "hwpt", "stdev", "idev", "afd", "pin",
};

/* The objects of one kind, in creation order; a slot is never reused. */
struct pool {
	__u32 id[MAX_OBJS];
	unsigned int n;
	unsigned int made;
};

struct diff {
	int fd;
	__u64 rnd;
	bool print;
	struct pool pool[NKINDS];
	__u64 iovas[MAX_OBJS];	/* IOVAs maps and copies answered */
	unsigned int niovas;
	char line[1024];
	size_t len;
};

static __u64 next(struct diff *d)
{
	/* splitmix64 */
	__u64 z = (d->rnd += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 pick(struct diff *d, __u32 n)
{
	return next(d) % n;
}

static bool one_in(struct diff *d, __u32 n)
{
	return !pick(d, n);
}

static void out(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->len += vsnprintf(d->line + d->len, sizeof(d->line) - d->len, fmt,
			    ap);
	va_end(ap);
	if (d->len >= sizeof(d->line))
		d->len = sizeof(d->line) - 1;
}

/* An object of @kind, named by creation order; sometimes a bad id. */
static __u32 some(struct diff *d, enum obj_kind kind)
{
	struct pool *p = &d->pool[kind];

	if (!p->n || one_in(d, 12))
		return one_in(d, 2) ? 0 : 1000 + pick(d, 4);
	return p->id[pick(d, p->n)];
}

/* Any object at all: an id of the wrong kind is a mistake to answer. */
static __u32 some_obj(struct diff *d)
{
	return some(d, (enum obj_kind)pick(d, IDEV + 1));
}

static void made(struct diff *d, enum obj_kind kind, __u32 id)
{
	struct pool *p = &d->pool[kind];

	if (p->n < MAX_OBJS)
		p->id[p->n++] = id;
	out(d, " %s#%u", kind_names[kind], p->made++);
}

/* An id's name, for answers that name an object; false if unknown. */
static bool name(struct diff *d, enum obj_kind kind, __u32 id)
{
	struct pool *p = &d->pool[kind];
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->id[i] == id) {
			out(d, " %s@%u", kind_names[kind], i);
			return true;
		}
	return false;
}

/* An object's name, or "kind?" for an id no answer named. */
static void named(struct diff *d, enum obj_kind kind, __u32 id)
{
	if (!name(d, kind, id))
		out(d, " %s?", kind_names[kind]);
}

static void forget(struct diff *d, __u32 id)
{
	unsigned int k, i;

	for (k = 0; k < AFD; k++)
		for (i = 0; i < d->pool[k].n; i++)
			if (d->pool[k].id[i] == id)
				d->pool[k].id[i] = 0;
}

static int io(struct diff *d, unsigned long req, void *arg)
{
	return ioctl(d->fd, req, arg) ? errno : 0;
}

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

/* An IOVA a map or a copy answered: printed, and drawn from later. */
static void answered_iova(struct diff *d, __u64 iova)
{
	out(d, " iova=%llx", (unsigned long long)iova);
	d->iovas[d->niovas < MAX_OBJS ? d->niovas++ : pick(d, MAX_OBJS)] = iova;
}

static int op_ioas_alloc(struct diff *d)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = io(d, IOMMU_IOAS_ALLOC, &c);

	if (!rc)
		made(d, IOAS, c.out_ioas_id);
	return rc;
}

static int op_destroy(struct diff *d)
{
	struct iommu_destroy c = { .size = sizeof(c), .id = some_obj(d) };
	int rc = io(d, IOMMU_DESTROY, &c);

	if (!rc)
		forget(d, c.id);
	return rc;
}

static int op_map(struct diff *d)
{
	struct iommu_ioas_map c = {
		.size = sizeof(c), .flags = some_map_flags(d),
		.ioas_id = some(d, IOAS), .user_va = some_uva(d),
		.length = some_len(d), .iova = some_iova(d),
	};
	int rc;

	named(d, IOAS, c.ioas_id);
	out(d, " (%x %llx+%llx at %llx)", c.flags,
	    (unsigned long long)c.user_va, (unsigned long long)c.length,
	    (unsigned long long)c.iova);
	rc = io(d, IOMMU_IOAS_MAP, &c);
	if (!rc)
		answered_iova(d, c.iova);
	return rc;
}

static int op_unmap(struct diff *d)
{
	struct iommu_ioas_unmap c = {
		.size = sizeof(c), .ioas_id = some(d, IOAS),
		.iova = some_iova(d), .length = some_len(d),
	};
	int rc;

	if (one_in(d, 6)) {
		c.iova = 0;
		c.length = UINT64_MAX;
	}
	named(d, IOAS, c.ioas_id);
	out(d, " (%llx+%llx)", (unsigned long long)c.iova,
	    (unsigned long long)c.length);
	rc = io(d, IOMMU_IOAS_UNMAP, &c);
	if (!rc)
		out(d, " length=%llx", (unsigned long long)c.length);
	return rc;
}

static int op_copy(struct diff *d)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c), .flags = some_map_flags(d),
		.dst_ioas_id = some(d, IOAS), .src_ioas_id = some(d, IOAS),
		.length = some_len(d), .dst_iova = some_iova(d),
		.src_iova = some_iova(d),
	};
	int rc;

	named(d, IOAS, c.src_ioas_id);
	named(d, IOAS, c.dst_ioas_id);
	out(d, " (%x %llx+%llx to %llx)", c.flags,
	    (unsigned long long)c.src_iova, (unsigned long long)c.length,
	    (unsigned long long)c.dst_iova);
	rc = io(d, IOMMU_IOAS_COPY, &c);
	if (!rc)
		answered_iova(d, c.dst_iova);
	return rc;
}

static int op_iova_ranges(struct diff *d)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges c = {
		.size = sizeof(c), .ioas_id = some(d, IOAS),
		.num_iovas = pick(d, 5), .allowed_iovas = (uintptr_t)r,
	};
	unsigned int i;
	int rc;

	memset(r, 0, sizeof(r));
	rc = io(d, IOMMU_IOAS_IOVA_RANGES, &c);
	if (rc && rc != EMSGSIZE)
		return rc;
	out(d, " n=%u align=%llx", c.num_iovas,
	    (unsigned long long)c.out_iova_alignment);
	for (i = 0; !rc && i < c.num_iovas && i < 4; i++)
		out(d, " %llx-%llx", (unsigned long long)r[i].start,
		    (unsigned long long)r[i].last);
	return rc;
}

static int op_allow_iovas(struct diff *d)
{
	struct iommu_iova_range r[2] = {
		{ .start = some_iova(d) },
		{ .start = some_iova(d) },
	};
	struct iommu_ioas_allow_iovas c = {
		.size = sizeof(c), .ioas_id = some(d, IOAS),
		.num_iovas = pick(d, 3), .allowed_iovas = (uintptr_t)r,
	};

	r[0].last = r[0].start + (1 + pick(d, 256)) * PAGE - 1;
	r[1].last = r[1].start + pick(d, 64) * PAGE + PAGE - 1;
	return io(d, IOMMU_IOAS_ALLOW_IOVAS, &c);
}

static int op_option(struct diff *d)
{
	struct iommu_option c = {
		.size = sizeof(c), .option_id = 1 + pick(d, 2),
		.op = pick(d, 2), .object_id = some(d, IOAS),
		.val64 = pick(d, 3),
	};
	int rc;

	if (c.option_id == IOMMU_OPTION_RLIMIT_MODE)
		c.object_id = 0;
	rc = io(d, IOMMU_OPTION, &c);
	if (!rc && c.op == IOMMU_OPTION_OP_GET)
		out(d, " val=%llu", (unsigned long long)c.val64);
	return rc;
}

static int op_vfio_ioas(struct diff *d)
{
	struct iommu_vfio_ioas c = {
		.size = sizeof(c), .ioas_id = some(d, IOAS), .op = pick(d, 4),
	};
	int rc;

	out(d, " op %u", c.op);
	if (c.op == IOMMU_VFIO_IOAS_SET)
		named(d, IOAS, c.ioas_id);
	rc = io(d, IOMMU_VFIO_IOAS, &c);
	if (!rc && c.op == IOMMU_VFIO_IOAS_GET)
		named(d, IOAS, c.ioas_id);
	return rc;
}

static int op_mock_domain(struct diff *d)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = one_in(d, 3) ? some(d, HWPT) : some(d, IOAS),
	};
	int rc = io(d, IOMMU_TEST_CMD, &c);

	if (!rc) {
		made(d, STDEV, c.mock_domain.out_stdev_id);
		/* An automatic HWPT may be one made before: named, or new. */
		if (!name(d, HWPT, c.mock_domain.out_hwpt_id))
			made(d, HWPT, c.mock_domain.out_hwpt_id);
		made(d, IDEV, c.mock_domain.out_idev_id);
	}
	return rc;
}

static int op_replace(struct diff *d)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = some(d, STDEV),
		.mock_domain_replace.pt_id = one_in(d, 2) ? some(d, HWPT) :
							    some(d, IOAS),
	};
	int rc = io(d, IOMMU_TEST_CMD, &c);

	/* Replace answers the HWPT it attached to, automatic or named. */
	if (!rc && !name(d, HWPT, c.mock_domain_replace.pt_id))
		made(d, HWPT, c.mock_domain_replace.pt_id);
	return rc;
}

static int op_hwpt_alloc(struct diff *d)
{
	static const __u32 flags[] = {
		0, IOMMU_HWPT_ALLOC_NEST_PARENT,
		IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 1U << 7,
	};
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c), .flags = flags[pick(d, 4)],
		.dev_id = some(d, IDEV), .pt_id = some(d, IOAS),
	};
	int rc = io(d, IOMMU_HWPT_ALLOC, &c);

	if (!rc)
		made(d, HWPT, c.out_hwpt_id);
	return rc;
}

static int op_create_access(struct diff *d)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = some(d, IOAS),
		.create_access.flags = pick(d, 2) ?
			MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0,
	};
	int rc;

	named(d, IOAS, c.id);
	rc = io(d, IOMMU_TEST_CMD, &c);
	if (!rc)
		made(d, AFD, c.create_access.out_access_fd);
	return rc;
}

static int some_afd(struct diff *d)
{
	struct pool *p = &d->pool[AFD];

	return p->n && !one_in(d, 12) ? (int)p->id[pick(d, p->n)] : 999;
}

static int op_access_pages(struct diff *d)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = some_afd(d),
		.access_pages = {
			.flags = pick(d, 2) ? MOCK_FLAGS_ACCESS_WRITE : 0,
			.iova = some_iova(d), .length = some_len(d),
		},
	};
	int rc;

	/* The pages it pinned must be the ones at uptr: point at nothing. */
	c.access_pages.uptr = 0;
	named(d, AFD, c.id);
	out(d, " (%x %llx+%llx)", c.access_pages.flags,
	    (unsigned long long)c.access_pages.iova,
	    (unsigned long long)c.access_pages.length);
	rc = io(d, IOMMU_TEST_CMD, &c);
	if (!rc)
		made(d, PIN, c.access_pages.out_access_pages_id);
	return rc;
}

static int op_unpin(struct diff *d)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = some_afd(d),
		.destroy_access_pages.access_pages_id = some(d, PIN),
	};

	return io(d, IOMMU_TEST_CMD, &c);
}

static int op_access_rw(struct diff *d)
{
	unsigned char buf[64];
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_ACCESS_RW,
		.id = some_afd(d),
		.access_rw = {
			.iova = some_iova(d) + pick(d, 4) * 8,
			.length = 1 + pick(d, sizeof(buf)),
			.uptr = (uintptr_t)buf,
			.flags = pick(d, 3) ? 0 : MOCK_ACCESS_RW_WRITE,
		},
	};
	unsigned int i, sum = 0;
	int rc;

	memset(buf, 0x5a, sizeof(buf));
	named(d, AFD, c.id);
	out(d, " (%x %llx+%llx)", c.access_rw.flags,
	    (unsigned long long)c.access_rw.iova,
	    (unsigned long long)c.access_rw.length);
	rc = io(d, IOMMU_TEST_CMD, &c);
	if (!rc && !(c.access_rw.flags & MOCK_ACCESS_RW_WRITE)) {
		for (i = 0; i < c.access_rw.length; i++)
			sum = sum * 31 + buf[i];
		out(d, " sum=%x", sum);
	}
	return rc;
}

static int op_close_access(struct diff *d)
{
	struct pool *p = &d->pool[AFD];
	unsigned int i;

	/* Nothing to close is nothing to answer. */
	if (!p->n)
		return 0;
	i = pick(d, p->n);
	close((int)p->id[i]);
	p->id[i] = p->id[--p->n];
	return 0;
}

static int op_type1(struct diff *d)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = pick(d, 4),
		.vaddr = some_uva(d), .iova = some_iova(d),
		.size = some_len(d),
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = some_iova(d),
		.size = some_len(d),
	};
	int rc, w;

	switch (pick(d, 4)) {
	case 0:
		w = 1 + pick(d, 10);
		rc = ioctl(d->fd, VFIO_CHECK_EXTENSION, w);
		out(d, " ext %d", w);
		return rc < 0 ? errno : (out(d, "=%d", rc), 0);
	case 1:
		w = pick(d, 2) ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
		rc = ioctl(d->fd, VFIO_SET_IOMMU, w);
		out(d, " set %d", w);
		return rc < 0 ? errno : 0;
	case 2:
		out(d, " map (%x %llx+%llx at %llx)", map.flags,
		    (unsigned long long)map.vaddr,
		    (unsigned long long)map.size,
		    (unsigned long long)map.iova);
		return io(d, VFIO_IOMMU_MAP_DMA, &map);
	default:
		if (one_in(d, 4)) {
			unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
			unmap.iova = 0;
			unmap.size = 0;
		}
		out(d, " unmap (%x %llx+%llx)", unmap.flags,
		    (unsigned long long)unmap.iova,
		    (unsigned long long)unmap.size);
		rc = io(d, VFIO_IOMMU_UNMAP_DMA, &unmap);
		out(d, " size=%llx", (unsigned long long)unmap.size);
		return rc;
	}
}

static const struct {
	const char *name;
	int (*run)(struct diff *d);
	unsigned int weight;
} ops[] = {
	{ "ioas_alloc", op_ioas_alloc, 3 },
	{ "destroy", op_destroy, 3 },
	{ "map", op_map, 8 },
	{ "unmap", op_unmap, 5 },
	{ "copy", op_copy, 4 },
	{ "iova_ranges", op_iova_ranges, 2 },
	{ "allow_iovas", op_allow_iovas, 2 },
	{ "option", op_option, 2 },
	{ "vfio_ioas", op_vfio_ioas, 2 },
	{ "mock_domain", op_mock_domain, 3 },
	{ "replace", op_replace, 2 },
	{ "hwpt_alloc", op_hwpt_alloc, 2 },
	{ "create_access", op_create_access, 2 },
	{ "access_pages", op_access_pages, 3 },
	{ "unpin", op_unpin, 2 },
	{ "access_rw", op_access_rw, 3 },
	{ "close_access", op_close_access, 1 },
	{ "type1", op_type1, 3 },
};

/* The errnos iommufd, its control plane and the type1 layer answer. */
static bool known(int rc)
{
	static const int errnos[] = {
		0, EINVAL, ENOENT, EEXIST, EBUSY, ENOMEM, EFAULT, E2BIG,
		EOPNOTSUPP, ENOSPC, EADDRINUSE, EPERM, ENOTTY, EMSGSIZE,
		EOVERFLOW, EBADF, EBADFD, ERANGE, ENODEV, EBADE, EDEADLOCK,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (rc == errnos[i])
			return true;
	return false;
}

TEST(diff_sequence)
{
	unsigned long seed = sim_cmdline_ulong("ioasim_diff.seed=", 1);
	unsigned long calls = sim_cmdline_ulong("ioasim_diff.calls=", 400);
	unsigned int total = 0, i, k, w;
	struct diff *d = calloc(1, sizeof(*d));
	void *rw, *ro;
	__u32 ioas;

	ASSERT_NE(NULL, d);
	d->print = sim_cmdline_ulong("ioasim_diff.print=", 0);
	rw = mmap((void *)RW_ADDR, RW_PAGES * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)RW_ADDR, rw);
	ro = mmap((void *)RO_ADDR, RO_PAGES * PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)RO_ADDR, ro);
	for (i = 0; i < RW_PAGES * PAGE / 8; i++)
		((__u64 *)rw)[i] = RW_ADDR + i * 8;

	d->fd = sim_open_ioas(&ioas);
	ASSERT_LE(0, d->fd);
	d->pool[IOAS].id[d->pool[IOAS].n++] = ioas;
	d->pool[IOAS].made++;
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;

	printf("# diff seed %lu calls %lu\n", seed, calls);
	for (i = 0; i < calls; i++) {
		int rc;

		/* Each call's own stream: dropping one leaves the others. */
		d->rnd = seed * 0x100000001b3ULL ^ (i + 1) * 0x9e3779b97f4a7c15ULL;
		w = pick(d, total);
		for (k = 0; w >= ops[k].weight; k++)
			w -= ops[k].weight;
		d->len = 0;
		d->line[0] = '\0';
		rc = ops[k].run(d);
		ASSERT_TRUE(known(rc)) {
			TH_LOG("call %u (%s): errno %d is no iommufd answer", i,
			       ops[k].name, rc);
		}
		if (d->print)
			printf("# diff %u %s rc=%d%s\n", i, ops[k].name, rc,
			       d->line);
	}
	printf("# diff done %lu\n", calls);
	for (i = 0; i < d->pool[AFD].n; i++)
		close((int)d->pool[AFD].id[i]);
	close(d->fd);
	munmap(rw, RW_PAGES * PAGE);
	munmap(ro, RO_PAGES * PAGE);
	free(d);
	/* Only ioasim counts what it holds; the comparison kernel does not. */
	if (sim_stat("contexts") >= 0)
		SIM_ASSERT_NOTHING_LEFT();
}

TEST_HARNESS_MAIN
