// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_bench: throughput figures, printed, never asserted.
 *
 * Each figure is the best of a few repetitions over the same 64 MiB
 * buffer in the same run, so the ratios between them are meaningful even
 * on a noisy machine; the absolute numbers are not. The floor is pinning
 * and unpinning the buffer through the pages layer alone: anything that
 * makes the memory resident costs at least that.
 *
 * The cases are marked slow: skip them with --filter "speed>slow".
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/mman.h>
#include <linux/vmstat.h>

#include "helpers.h"
#include "ioas.h"
#include "mock.h"
#include "pages.h"

#define BENCH_BYTES (64UL << 20)
#define BENCH_PAGES (BENCH_BYTES >> PAGE_SHIFT)
#define BENCH_REPS 3

/* Slab in use, in pages; the pin path's extra memory is all slab. */
static long slab_pages(void)
{
	return global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
	       global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
}

static u64 pages_per_sec(u64 ns)
{
	return ns ? div64_u64((u64)BENCH_PAGES * NSEC_PER_SEC, ns) : 0;
}

/* The floor: GUP alone, no ioasim bookkeeping, whole buffer pinned. */
static u64 time_raw_gup(struct kunit *test, unsigned long uptr)
{
	struct page **all;
	unsigned long done, chunk = IOASIM_BATCH_BYTES_DEFAULT /
				     sizeof(struct page *);
	u64 t, best = U64_MAX;
	long got;
	int rep;

	all = kunit_kmalloc_array(test, BENCH_PAGES, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	for (rep = 0; rep < BENCH_REPS; rep++) {
		t = ktime_get_ns();
		for (done = 0; done < BENCH_PAGES; done += got) {
			got = pin_user_pages_fast(uptr + done * PAGE_SIZE,
						  min(chunk, BENCH_PAGES - done),
						  FOLL_WRITE | FOLL_LONGTERM,
						  all + done);
			if (got <= 0)
				break;
		}
		unpin_user_pages(all, done);
		best = min(best, ktime_get_ns() - t);
		KUNIT_ASSERT_EQ(test, done, BENCH_PAGES);
	}
	return best;
}

/* Best time of pinning and unpinning the whole buffer, in ns. */
static u64 time_pin_unpin(struct kunit *test, unsigned long uptr,
			  size_t batch_bytes, long *bytes_per_page)
{
	struct ioasim_pages_user user;
	struct ioasim_pages *pages;
	u64 t, best = U64_MAX;
	long slab_before;
	int rep, rc;

	pages = ioasim_pages_create(uptr, BENCH_BYTES, true,
				    IOASIM_ACCOUNT_NONE, batch_bytes);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pages));
	for (rep = 0; rep < BENCH_REPS; rep++) {
		slab_before = slab_pages();
		t = ktime_get_ns();
		rc = ioasim_pages_add_user(pages, &user, 0, BENCH_PAGES - 1);
		if (bytes_per_page && !rep)
			*bytes_per_page = (slab_pages() - slab_before) *
					  (long)PAGE_SIZE / (long)BENCH_PAGES;
		if (rc)
			break;
		KUNIT_EXPECT_EQ(test, pages->npinned, BENCH_PAGES);
		ioasim_pages_remove_user(pages, &user);
		best = min(best, ktime_get_ns() - t);
	}
	KUNIT_EXPECT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0);
	ioasim_pages_put(pages);
	return best;
}

/* Best time of IOAS_MAP + IOAS_UNMAP of the whole buffer, in ns. */
static u64 time_map_unmap(struct kunit *test, struct ioasim_ctx *ctx, u32 id,
			  unsigned long uptr)
{
	u64 t, best = U64_MAX;
	int rep;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		struct iommu_ioas_map map = {
			.size = sizeof(map), .ioas_id = id,
			.flags = IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = uptr, .length = BENCH_BYTES,
		};
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = id,
		};

		t = ktime_get_ns();
		KUNIT_ASSERT_EQ(test, ioasim_ioas_map(ctx, &map), 0);
		unmap.iova = map.iova;
		unmap.length = BENCH_BYTES;
		KUNIT_ASSERT_EQ(test, ioasim_ioas_unmap(ctx, &unmap), 0);
		best = min(best, ktime_get_ns() - t);
		KUNIT_EXPECT_EQ(test, unmap.length, BENCH_BYTES);
	}
	return best;
}

/*
 * Map the buffer with a domain attached and count the pages object's own
 * entries while it is mapped: the domain holds the PFNs.
 */
static unsigned long entries_with_domain(struct kunit *test,
					 struct ioasim_ctx *ctx, u32 id,
					 unsigned long uptr)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .ioas_id = id,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = uptr, .length = BENCH_BYTES,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = id, .length = BENCH_BYTES,
	};
	struct interval_tree_node *node;
	struct ioasim_ioas *ioas;
	unsigned long index, n = 0;
	void *entry;

	KUNIT_ASSERT_EQ(test, ioasim_ioas_map(ctx, &map), 0);
	unmap.iova = map.iova;
	/* No assertion while the reference is held. */
	ioas = ioasim_ioas_get(ctx, id);
	if (!IS_ERR(ioas)) {
		node = interval_tree_iter_first(&ioas->space.areas, map.iova,
						map.iova);
		if (node) {
			struct ioasim_pages *pages =
				container_of(node, struct ioasim_area, node)->pages;

			KUNIT_EXPECT_EQ(test, pages->npinned, BENCH_PAGES);
			xa_for_each(&pages->pinned, index, entry)
				n++;
		}
		KUNIT_EXPECT_NOT_NULL(test, node);
		ioasim_ioas_put(ctx, ioas);
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(ioas));
	KUNIT_EXPECT_EQ(test, ioasim_ioas_unmap(ctx, &unmap), 0);
	return n;
}

static void bench_pin_floor_and_map(struct kunit *test)
{
	unsigned long uptr = ioasim_test_user_mem(test, BENCH_BYTES,
						  PROT_READ | PROT_WRITE);
	struct ioasim_ctx *ctx = ioasim_test_ctx(test);
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct iommu_domain *domain = ioasim_test_paging_domain(test, mdev);
	u64 gup_ns, pin_ns, small_ns, map_ns, domain_ns;
	unsigned long stored;
	long bytes_per_page = 0;

	kunit_info(test, "reference ledger %s\n",
		   IS_ENABLED(CONFIG_IOASIM_LEDGER) ?
		   "on: its per-page records are measured too (make bench: off)" :
		   "off");
	/* Fault the buffer in once, untimed. */
	time_pin_unpin(test, uptr, IOASIM_BATCH_BYTES_DEFAULT, NULL);
	pin_ns = time_pin_unpin(test, uptr, IOASIM_BATCH_BYTES_DEFAULT,
				&bytes_per_page);
	small_ns = time_pin_unpin(test, uptr, sizeof(struct page *), NULL);
	gup_ns = time_raw_gup(test, uptr);

	KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(ctx, &alloc), 0);
	map_ns = time_map_unmap(test, ctx, alloc.out_ioas_id, uptr);

	ioasim_test_space_join(test, ctx, alloc.out_ioas_id, domain);
	domain_ns = time_map_unmap(test, ctx, alloc.out_ioas_id, uptr);
	KUNIT_EXPECT_EQ(test, ioasim_mock_mapped_pages(domain), 0);
	stored = entries_with_domain(test, ctx, alloc.out_ioas_id, uptr);

	kunit_info(test, "64 MiB = %lu pages, best of %d, ns and pages/s:\n",
		   BENCH_PAGES, BENCH_REPS);
	kunit_info(test, "  GUP pin + unpin alone (the floor)   %10llu ns %12llu/s\n",
		   gup_ns, pages_per_sec(gup_ns));
	kunit_info(test, "  pages layer, 64 KiB batches         %10llu ns %12llu/s  (%llu%% of the floor's rate)\n",
		   pin_ns, pages_per_sec(pin_ns),
		   div64_u64(gup_ns * 100, max_t(u64, pin_ns, 1)));
	kunit_info(test, "  pages layer, one-page batches       %10llu ns %12llu/s  (%llu%% of the floor's rate)\n",
		   small_ns, pages_per_sec(small_ns),
		   div64_u64(gup_ns * 100, max_t(u64, small_ns, 1)));
	kunit_info(test, "  map + unmap, no domain (no pinning) %10llu ns %12llu/s  (%llux the floor's rate)\n",
		   map_ns, pages_per_sec(map_ns),
		   div64_u64(gup_ns, max_t(u64, map_ns, 1)));
	kunit_info(test, "  map + unmap, one mock domain        %10llu ns %12llu/s  (%llu%% of the floor's rate)\n",
		   domain_ns, pages_per_sec(domain_ns),
		   div64_u64(gup_ns * 100, max_t(u64, domain_ns, 1)));
	kunit_info(test, "  kernel memory while pinned: about %ld bytes per page\n",
		   bytes_per_page);
	kunit_info(test, "  entries ioasim keeps with one domain mapping it all: %lu for %lu pinned pages\n",
		   stored, BENCH_PAGES);
}

static struct kunit_case ioasim_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_pin_floor_and_map),
	{}
};

static struct kunit_suite ioasim_bench_suite = {
	.name = "ioasim_bench",
	.test_cases = ioasim_bench_cases,
};

kunit_test_suite(ioasim_bench_suite);
