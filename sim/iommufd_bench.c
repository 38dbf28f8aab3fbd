// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: the data path's figures, from userspace.
 *
 * Speaks only the 6.12 uAPI and iommufd_test.h, so that the same binary
 * runs against ioasim and against the kernel's own iommufd with its
 * selftest mock (scripts/bench-compare.sh boots both). Each case checks
 * what it measures (every map and unmap succeeds, every byte comes back)
 * and prints its figure as
 *   # bench NAME: VALUE UNIT (detail)
 * which the scripts read. Each measurement runs for a bounded time, not a
 * bounded count, so that a slow (sanitizer) kernel stays quick.
 *
 *  map_unmap_64M_dN    64 MiB IOAS_MAP + IOAS_UNMAP with N mock domains,
 *                      in pages per second
 *  map_4k_dN           4 KiB maps, each unmapped again, per second
 *  bytes_per_page_*    kernel memory the pinned range costs per 4 KiB
 *                      page while it is pinned: through an access only, or
 *                      through one mock domain: the bytes of the slab
 *                      objects in use (/proc/slabinfo) before and after;
 *                      xarray nodes, the mock's IOPTEs and the test
 *                      plane's bookkeeping are all slab objects. Page
 *                      counts (MemFree, Slab) miss what the per-CPU lists
 *                      and the caches' free objects absorb, and so does
 *                      slabinfo unless every cache is debugged: these two
 *                      run only with slub_debug on the command line (make
 *                      bench-compare boots once more that way).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL
#define BIG (64UL << 20)
/* The test plane pins at most 16 MiB through one access. */
#define ACCESS_BYTES (16UL << 20)
#define BASE MOCK_APERTURE_START
/* How long one figure is measured for, in nanoseconds. */
#define BUDGET_NS 400000000LL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Resident anonymous memory: the benchmark times pinning, not faults. */
static void *populated(size_t bytes)
{
	void *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf != MAP_FAILED)
		memset(buf, 0x5a, bytes);
	return buf;
}

static int mock_domain(int fd, __u32 ioas, __u32 *stdev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas,
	};
	int rc = sim_test_cmd(fd, &cmd);

	*stdev = cmd.mock_domain.out_stdev_id;
	return rc;
}

/*
 * Bytes of slab objects in use, summed over /proc/slabinfo's caches
 * (active objects times their size); -1 if it cannot be read. A second's
 * wait first lets RCU free what earlier unmaps gave back (xarray nodes
 * go that way), so that it is not counted against the next step.
 */
static long long slab_bytes(void)
{
	long long active, size, total = 0;
	char line[512], name[64];
	FILE *f;

	sleep(1);
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %*d %lld", name, &active, &size) == 3)
			total += active * size;
	fclose(f);
	return total;
}

/* Whether slabinfo counts every object: each cache debugged. */
static bool slab_counts_exact(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "slub_debug");
}

FIXTURE(bench)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(bench)
{
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = populated(BIG);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(bench)
{
	munmap(self->buf, BIG);
	close(self->fd);
}

/* 64 MiB mapped and unmapped at one IOVA with @domains mock domains. */
static void map_unmap_big(struct __test_metadata *_metadata, int fd,
			  __u32 ioas, char *buf, int domains)
{
	long long start, spent;
	unsigned long rounds = 0;
	__u32 stdev;
	int i;

	for (i = 0; i < domains; i++)
		ASSERT_EQ(0, mock_domain(fd, ioas, &stdev));

	start = now_ns();
	do {
		ASSERT_EQ(0, sim_map_fixed(fd, ioas, buf, BIG,
					   BASE, SIM_RW));
		ASSERT_EQ(0, sim_unmap(fd, ioas, BASE, BIG));
		rounds++;
		spent = now_ns() - start;
	} while (spent < BUDGET_NS || rounds < 3);

	printf("# bench map_unmap_64M_d%d: %.3f M pages/s (%lu rounds of %lu pages)\n",
	       domains, rounds * (BIG / PAGE) * 1e3 / spent, rounds,
	       BIG / PAGE);
	/* Nothing stays pinned once the last unmap returned. */
	ASSERT_EQ(0, sim_check_refs(fd, buf, BIG, 0));
}

TEST_F(bench, map_unmap_64M_d0)
{
	map_unmap_big(_metadata, self->fd, self->ioas, self->buf, 0);
}

TEST_F(bench, map_unmap_64M_d1)
{
	map_unmap_big(_metadata, self->fd, self->ioas, self->buf, 1);
}

TEST_F(bench, map_unmap_64M_d2)
{
	map_unmap_big(_metadata, self->fd, self->ioas, self->buf, 2);
}

/* 1024 single-page maps at distinct IOVAs, then their unmaps. */
static void map_small(struct __test_metadata *_metadata, int fd, __u32 ioas,
		      char *buf, int domains)
{
	const unsigned long n = 1024;
	unsigned long rounds = 0, i;
	long long start, spent;
	__u32 stdev;
	int d;

	for (d = 0; d < domains; d++)
		ASSERT_EQ(0, mock_domain(fd, ioas, &stdev));

	start = now_ns();
	do {
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, sim_map_fixed(fd, ioas,
						   buf + i * PAGE, PAGE,
						   BASE + i * PAGE, SIM_RW));
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, sim_unmap(fd, ioas,
					       BASE + i * PAGE, PAGE));
		rounds++;
		spent = now_ns() - start;
	} while (spent < BUDGET_NS || rounds < 3);

	printf("# bench map_4k_d%d: %.1f k maps/s (%lu rounds of %lu maps and unmaps)\n",
	       domains, rounds * n * 1e6 / spent, rounds, n);
	ASSERT_EQ(0, sim_check_refs(fd, buf, n * PAGE, 0));
}

TEST_F(bench, map_4k_d0)
{
	map_small(_metadata, self->fd, self->ioas, self->buf, 0);
}

TEST_F(bench, map_4k_d1)
{
	map_small(_metadata, self->fd, self->ioas, self->buf, 1);
}

/*
 * Kernel memory per pinned page: slab objects in use before pinning and
 * while pinned (the buffer's own pages are resident before either
 * reading). The smallest of three tries is taken: other allocations only
 * add.
 */
static void print_cost(const char *name, long long bytes,
		       unsigned long len)
{
	printf("# bench bytes_per_page_%s: %.2f bytes (%lld bytes for %lu pages)\n",
	       name, (double)bytes / (len / PAGE), bytes, len / PAGE);
}

TEST_F(bench, bytes_per_page_access)
{
	long long best = -1, before, during;
	__u32 access_pages;
	int try;

	if (!slab_counts_exact())
		SKIP(return, "needs slub_debug on the command line (make bench-compare)");
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BIG, BASE,
				   SIM_RW));
	for (try = 0; try < 3; try++) {
		struct iommu_test_cmd create = {
			.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = self->ioas,
			.create_access = {
				.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
			},
		};
		struct iommu_test_cmd pin = {
			.op = IOMMU_TEST_OP_ACCESS_PAGES,
			.access_pages = { .iova = BASE, .length = ACCESS_BYTES,
					  .uptr = (uintptr_t)self->buf },
		};
		struct iommu_test_cmd unpin = {
			.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		};
		int afd;

		ASSERT_EQ(0, sim_test_cmd(self->fd, &create));
		afd = create.create_access.out_access_fd;
		pin.id = afd;
		before = slab_bytes();
		ASSERT_EQ(0, sim_test_cmd(self->fd, &pin));
		during = slab_bytes();
		access_pages = pin.access_pages.out_access_pages_id;
		ASSERT_EQ(0, sim_check_refs(self->fd, self->buf,
					    ACCESS_BYTES, 1));
		unpin.id = afd;
		unpin.destroy_access_pages.access_pages_id = access_pages;
		ASSERT_EQ(0, sim_test_cmd(self->fd, &unpin));
		ASSERT_EQ(0, close(afd));
		ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BIG, 0));
		ASSERT_LT(0, before);
		if (best < 0 || during - before < best)
			best = during - before;
	}
	print_cost("access", best, ACCESS_BYTES);
}

TEST_F(bench, bytes_per_page_domain)
{
	long long best = -1, before, during;
	__u32 stdev;
	int try;

	if (!slab_counts_exact())
		SKIP(return, "needs slub_debug on the command line (make bench-compare)");
	ASSERT_EQ(0, mock_domain(self->fd, self->ioas, &stdev));
	for (try = 0; try < 3; try++) {
		before = slab_bytes();
		ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf,
					   BIG, BASE, SIM_RW));
		during = slab_bytes();
		ASSERT_EQ(0, sim_check_refs(self->fd, self->buf, BIG, 1));
		ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, BASE, BIG));
		ASSERT_LT(0, before);
		if (best < 0 || during - before < best)
			best = during - before;
	}
	print_cost("domain", best, BIG);
}

TEST_HARNESS_MAIN
