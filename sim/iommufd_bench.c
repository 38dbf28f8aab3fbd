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
 *  map_unmap_64M_dN    64 MiB IOAS_MAP + IOAS_UNMAP with N mock domains
 *                      (N distinct domains, see mock_domains()), in pages
 *                      per second, of the memory every case maps (see
 *                      make_buffers())
 *  map_unmap_64M_dN_scattered  the same over memory no two of whose
 *                      neighbouring pages are physically adjacent: one
 *                      map call, and one PFN read back, per page
 *                      (the harness case map_unmap_64M measures all five
 *                      configurations, their windows taking turns)
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
#include <fcntl.h>
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

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

#define PAGE 4096UL
#define BIG (64UL << 20)
/* The test plane pins at most 16 MiB through one access. */
#define ACCESS_BYTES (16UL << 20)
#define BASE MOCK_APERTURE_START
/* A figure is measured in WINDOWS windows of at least WINDOW_NS each. */
#define WINDOWS 5
#define WINDOW_NS 200000000LL
/*
 * The 64 MiB case's windows stop after the turn that passes this: in a
 * sanitizer kernel one round of two domains takes longer than a window,
 * and there the figures mean nothing; in the others all five turns take
 * a few seconds.
 */
#define TURNS_NS 8000000000LL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The rates of one measurement's windows. Whatever else the machine runs
 * can only slow a window down, so the fastest window is the figure: it is
 * the closest to the kernel's own cost. The median window and the slowest
 * are printed beside it, to show how much the machine wandered.
 */
struct rates {
	double rate[WINDOWS];
	double per_ns;		/* rate = rounds * per_ns / nanoseconds */
	long long start;
	unsigned long rounds, in_window;
	int n;
};

/* A round does @per_round things; a rate is things per ns times @ns_scale. */
static void rates_init(struct rates *r, double per_round, double ns_scale)
{
	memset(r, 0, sizeof(*r));
	r->per_ns = per_round * ns_scale;
}

static void rates_open(struct rates *r)
{
	r->in_window = 0;
	r->start = now_ns();
}

/*
 * After each round; false once the window is closed and its rate kept. A
 * window closes at the first round's end after WINDOW_NS.
 */
static bool rates_more(struct rates *r)
{
	long long spent = now_ns() - r->start;

	r->rounds++;
	r->in_window++;
	if (spent < WINDOW_NS)
		return true;
	r->rate[r->n++] = r->in_window * r->per_ns / spent;
	return false;
}

static int cmp_rate(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "# bench NAME: BEST UNIT (median M, slowest S of N windows; DETAIL)" */
static void rates_print(struct rates *r, const char *name, const char *unit,
			const char *detail)
{
	qsort(r->rate, r->n, sizeof(r->rate[0]), cmp_rate);
	printf("# bench %s: %.3f %s (median %.3f, slowest %.3f of %d windows, %lu rounds; %s)\n",
	       name, r->rate[r->n - 1], unit, r->rate[r->n / 2], r->rate[0],
	       r->n, r->rounds, detail);
}

/*
 * The memory the cases map, made once, before the harness forks a child
 * per case; shared, so that no child copies it on write. Every case maps
 * the same pages, in the layout the allocator gave them. @scattered is
 * faulted in a page at a time, alternately with a second buffer that is
 * then freed, so that no two of its neighbouring pages are physically
 * adjacent: the worst layout for both kernels' mocks, which take one map
 * call per physically contiguous run.
 */
static char *plain = MAP_FAILED, *scattered = MAP_FAILED;

static char *shared_memory(size_t bytes, int flags)
{
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | flags, -1, 0);
}

static void __attribute__((constructor)) make_buffers(void)
{
	char *other;
	size_t i;

	plain = shared_memory(BIG, MAP_POPULATE);
	if (plain != MAP_FAILED)
		memset(plain, 0x5a, BIG);
	scattered = shared_memory(BIG, 0);
	other = shared_memory(BIG, 0);
	if (scattered == MAP_FAILED || other == MAP_FAILED)
		return;
	for (i = 0; i < BIG; i += PAGE) {
		scattered[i] = 0x5a;
		other[i] = 0x5a;
	}
	memset(scattered, 0x5a, BIG);
	munmap(other, BIG);
}

/*
 * How many physically contiguous runs back [buf, buf + bytes), from
 * /proc/self/pagemap (root sees the PFNs); 0 if it cannot be read. Both
 * kernels' mocks take one map call per run, so the figure says how the
 * buffer's layout weighs on a round.
 */
static unsigned long phys_runs(const char *buf, size_t bytes)
{
	__u64 e, prev = 0;
	unsigned long runs = 0, i;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	/* A child has no page table entries for shared memory until used. */
	madvise((void *)buf, bytes, MADV_POPULATE_READ);
	for (i = 0; i < bytes / PAGE; i++) {
		off_t at = ((uintptr_t)buf / PAGE + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), at) != sizeof(e) ||
		    !(e >> 63) || !(e & ((1ULL << 55) - 1))) {
			runs = 0;
			break;
		}
		e &= (1ULL << 55) - 1;
		runs += !i || e != prev + 1;
		prev = e;
	}
	close(fd);
	return runs;
}

static int mock_domain(int fd, __u32 pt, struct iommu_test_cmd *md)
{
	*md = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt,
	};
	return sim_test_cmd(fd, md);
}

/*
 * @n mock devices attached to @ioas, each through a domain of its own. A
 * second mock device attached to the IOAS itself would share the first
 * one's automatic domain (both kernels reuse a compatible one), so each
 * domain after the first is allocated on the IOAS for the first device
 * (IOMMU_HWPT_ALLOC, which maps the IOAS into it at once) and a new mock
 * device is attached to it. 0 or a negative errno; -EEXIST if a domain
 * turned out to be shared after all.
 */
static int mock_domains(int fd, __u32 ioas, int n)
{
	struct iommu_test_cmd first, md;
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = ioas,
	};
	int rc, i;

	if (n < 1)
		return 0;
	rc = mock_domain(fd, ioas, &first);
	if (rc)
		return rc;
	alloc.dev_id = first.mock_domain.out_idev_id;
	for (i = 1; i < n; i++) {
		rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc);
		if (!rc)
			rc = mock_domain(fd, alloc.out_hwpt_id, &md);
		if (rc)
			return rc;
		if (md.mock_domain.out_hwpt_id != alloc.out_hwpt_id ||
		    alloc.out_hwpt_id == first.mock_domain.out_hwpt_id)
			return -EEXIST;
	}
	return 0;
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
	self->buf = plain;
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(bench)
{
	close(self->fd);
}

/*
 * 64 MiB mapped and unmapped at one IOVA: with no, one and two mock
 * domains over the plain memory, and with one and two over the scattered
 * memory. Each configuration has an IOAS of its own, and their windows
 * take turns, so that a busy stretch of the host slows one window of each
 * rather than every window of one.
 */
TEST_F_TIMEOUT(bench, map_unmap_64M, 120)
{
	struct {
		const char *name;
		char *buf;
		int domains;
		__u32 ioas;
		struct rates r;
	} cfg[] = {
		{ "d0", plain, 0 },
		{ "d1", plain, 1 },
		{ "d2", plain, 2 },
		{ "d1_scattered", scattered, 1 },
		{ "d2_scattered", scattered, 2 },
	};
	char name[48], detail[64];
	unsigned int c, w;
	long long began;

	ASSERT_NE(MAP_FAILED, scattered);
	for (c = 0; c < ARRAY_SIZE(cfg); c++) {
		ASSERT_EQ(0, sim_ioas_alloc(self->fd, &cfg[c].ioas));
		ASSERT_EQ(0, mock_domains(self->fd, cfg[c].ioas,
					  cfg[c].domains));
		/* Pages per ns, times 1e3: millions per second. */
		rates_init(&cfg[c].r, BIG / PAGE, 1e3);
	}
	began = now_ns();
	for (w = 0; w < WINDOWS && now_ns() - began < TURNS_NS; w++) {
		for (c = 0; c < ARRAY_SIZE(cfg); c++) {
			rates_open(&cfg[c].r);
			do {
				ASSERT_EQ(0, sim_map_fixed(self->fd,
							   cfg[c].ioas,
							   cfg[c].buf, BIG,
							   BASE, SIM_RW));
				ASSERT_EQ(0, sim_unmap(self->fd, cfg[c].ioas,
						       BASE, BIG));
			} while (rates_more(&cfg[c].r));
		}
	}
	for (c = 0; c < ARRAY_SIZE(cfg); c++) {
		snprintf(name, sizeof(name), "map_unmap_64M_%s", cfg[c].name);
		snprintf(detail, sizeof(detail),
			 "%lu pages in %lu physical runs", BIG / PAGE,
			 phys_runs(cfg[c].buf, BIG));
		rates_print(&cfg[c].r, name, "M pages/s", detail);
	}
	/* Nothing stays pinned once the last unmap returned. */
	ASSERT_EQ(0, sim_check_refs(self->fd, plain, BIG, 0));
	ASSERT_EQ(0, sim_check_refs(self->fd, scattered, BIG, 0));
}

/* 1024 single-page maps at distinct IOVAs, then their unmaps. */
static void map_small(struct __test_metadata *_metadata, int fd, __u32 ioas,
		      char *buf, int domains)
{
	const unsigned long n = 1024;
	char name[32];
	struct rates r;
	unsigned long i;
	int w;

	ASSERT_EQ(0, mock_domains(fd, ioas, domains));

	/* Maps per ns, times 1e6: thousands per second. */
	rates_init(&r, n, 1e6);
	for (w = 0; w < WINDOWS; w++) {
		rates_open(&r);
		do {
			for (i = 0; i < n; i++)
				ASSERT_EQ(0, sim_map_fixed(fd, ioas,
							   buf + i * PAGE,
							   PAGE,
							   BASE + i * PAGE,
							   SIM_RW));
			for (i = 0; i < n; i++)
				ASSERT_EQ(0, sim_unmap(fd, ioas,
						       BASE + i * PAGE, PAGE));
		} while (rates_more(&r));
	}

	snprintf(name, sizeof(name), "map_4k_d%d", domains);
	rates_print(&r, name, "k maps/s", "1024 maps and unmaps a round");
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
	int try;

	if (!slab_counts_exact())
		SKIP(return, "needs slub_debug on the command line (make bench-compare)");
	ASSERT_EQ(0, mock_domains(self->fd, self->ioas, 1));
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
