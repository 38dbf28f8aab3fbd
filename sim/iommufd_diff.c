// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: one seeded sequence of 6.12 iommufd calls whose every
 * answer is printed, so that two kernels can be compared answer by answer
 * (make fuzz-diff boots ioasim's run kernel and upstream's comparison
 * kernel with it and compares the lines). The calls are records (diff.h):
 * the IOAS commands and the type1 container ioctls (diff_ioas.h), devices,
 * HWPTs, dirty tracking, fault queues and accesses (diff_devices.h).
 *
 * Run alone (make sim), the program draws a short sequence, requires every
 * errno to be one iommufd answers and nothing to be left after close, and
 * replays the cases that fuzz-diff once shrank (iommufd_diff_cases.h),
 * each of which must answer as upstream did.
 *
 * Kernel arguments:
 *   ioasim_diff.seed=<n>      the sequence (default 1)
 *   ioasim_diff.calls=<n>     its length (default 400)
 *   ioasim_diff.seconds=<n>   or as many calls as fit in n seconds
 *   ioasim_diff.print=1       print every answer
 *   ioasim_diff.batch=1       instead, run the sequences in /diff-batch:
 *                             "case K" lines, each followed by records
 *                             (what make fuzz-diff's shrinking asks)
 */
#define _GNU_SOURCE
#include <limits.h>
#include <time.h>

#include "diff_devices.h"
#include "iommufd_diff_cases.h"

#include "kselftest_harness.h"
#include "sim.h"

static const struct diff_op ops[] = {
	{ "ioas_alloc", "", 3, gen_none, run_ioas_alloc },
	{ "destroy", "@id", 3, gen_destroy, run_destroy },
	{ "map", "flags @ioas uva len iova", 8, gen_map, run_map },
	{ "unmap", "@ioas iova len", 5, gen_unmap, run_unmap },
	{ "copy", "flags @dst @src len dst_iova src_iova", 4, gen_copy,
	  run_copy },
	{ "iova_ranges", "@ioas num", 2, gen_iova_ranges, run_iova_ranges },
	{ "allow_iovas", "@ioas num start0 pages0 start1 pages1", 2,
	  gen_allow_iovas, run_allow_iovas },
	{ "option", "option op @obj val", 2, gen_option, run_option },
	{ "vfio_ioas", "op @ioas", 2, gen_vfio_ioas, run_vfio_ioas },
	{ "add_reserved", "@ioas start len", 1, gen_add_reserved,
	  run_add_reserved },
	{ "t1_ext", "ext", 1, gen_t1_ext, run_t1_ext },
	{ "t1_set", "type", 1, gen_t1_set, run_t1_set },
	{ "t1_map", "flags uva iova len", 2, gen_t1_map, run_t1_map },
	{ "t1_unmap", "flags iova len", 2, gen_t1_unmap, run_t1_unmap },
	{ "t1_info", "argsz", 1, gen_t1_info, run_t1_info },
	{ "mock_domain", "@pt flags", 3, gen_mock_domain, run_mock_domain },
	{ "replace", "@stdev @pt", 2, gen_replace, run_replace },
	{ "hwpt_alloc", "flags @dev @pt type @fault", 3, gen_hwpt_alloc,
	  run_hwpt_alloc },
	{ "hw_info", "@dev len flags", 1, gen_hw_info, run_hw_info },
	{ "set_dirty", "@hwpt flags", 2, gen_set_dirty, run_set_dirty },
	{ "get_dirty", "@hwpt flags iova len page_size", 2, gen_get_dirty,
	  run_get_dirty },
	{ "mark_dirty", "@hwpt iova len page_size", 1, gen_mark_dirty,
	  run_mark_dirty },
	{ "check_map", "@hwpt iova len uva", 2, gen_check_map, run_check_map },
	{ "check_refs", "uva len refs", 1, gen_check_refs, run_check_refs },
	{ "invalidate", "@hwpt type entry_len num flags iotlb_id", 1,
	  gen_invalidate, run_invalidate },
	{ "check_iotlb", "@hwpt @id iotlb", 1, gen_check_iotlb,
	  run_check_iotlb },
	{ "fault_alloc", "flags", 1, gen_fault_alloc, run_fault_alloc },
	{ "create_access", "@ioas flags", 2, gen_create_access,
	  run_create_access },
	{ "access_pages", "@afd flags iova len", 3, gen_access_pages,
	  run_access_pages },
	{ "unpin", "@afd @pin", 2, gen_unpin, run_unpin },
	{ "access_rw", "@afd flags iova len", 3, gen_access_rw, run_access_rw },
	{ "access_ioas", "@afd @ioas", 1, gen_access_ioas, run_access_ioas },
	{ "close_access", "@afd", 1, gen_close_access, run_close_access },
};

/* The errnos iommufd, its control plane and the type1 layer answer. */
static bool known(int rc)
{
	static const int errnos[] = {
		0, EINVAL, ENOENT, EEXIST, EBUSY, ENOMEM, EFAULT, E2BIG,
		EOPNOTSUPP, ENOSPC, EADDRINUSE, EPERM, ENOTTY, EMSGSIZE,
		EOVERFLOW, EBADF, EBADFD, ERANGE, ENODEV, EBADE, EDEADLOCK,
		EIO, EDOM,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (rc == errnos[i])
			return true;
	return false;
}

/* The user memory every sequence maps, at its fixed addresses. */
static void diff_memory(struct __test_metadata *_metadata)
{
	void *rw, *ro;

	rw = mmap((void *)RW_ADDR, RW_PAGES * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)RW_ADDR, rw);
	ro = mmap((void *)RO_ADDR, RO_PAGES * PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)RO_ADDR, ro);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nothing_left(struct __test_metadata *_metadata)
{
	/* Only ioasim counts what it holds; the comparison kernel does not. */
	if (sim_stat("contexts") >= 0)
		SIM_ASSERT_NOTHING_LEFT();
}

static void random_sequence(struct __test_metadata *_metadata)
{
	unsigned long seed = sim_cmdline_ulong("ioasim_diff.seed=", 1);
	unsigned long seconds = sim_cmdline_ulong("ioasim_diff.seconds=", 0);
	unsigned long calls = sim_cmdline_ulong("ioasim_diff.calls=",
						seconds ? ULONG_MAX : 400);
	static struct diff d;
	unsigned int total = 0, k, w;
	double start = now();
	unsigned long i;
	char num[32];

	d.print = sim_cmdline_ulong("ioasim_diff.print=", 0);
	d.num = num;
	for (k = 0; k < ARRAY_SIZE(ops); k++)
		total += ops[k].weight;

	printf("# diff seed %lu calls %lu\n", seed, calls);
	for (i = 0; i < calls; i++) {
		struct call c = { 0 };
		int rc;

		if (!(i % DIFF_EPOCH)) {
			if (i)
				diff_end(&d);
			if (seconds && now() - start >= seconds)
				break;
			ASSERT_EQ(0, diff_begin(&d));
			if (d.print)
				printf("# diff epoch %lu\n", i / DIFF_EPOCH);
		}
		/* Each call's own stream: dropping one leaves the others. */
		d.rnd = seed * 0x100000001b3ULL ^ (i + 1) * 0x9e3779b97f4a7c15ULL;
		w = pick(&d, total);
		for (c.op = 0; w >= ops[c.op].weight; c.op++)
			w -= ops[c.op].weight;
		ops[c.op].gen(&d, &c);
		snprintf(num, sizeof(num), "%lu", i);
		rc = diff_run(&d, &ops[c.op], &c, NULL, 0);
		ASSERT_TRUE(known(rc)) {
			TH_LOG("call %lu (%s): errno %d is no iommufd answer", i,
			       ops[c.op].name, rc);
		}
	}
	if (i % DIFF_EPOCH || i == calls)
		diff_end(&d);
	printf("# diff done %lu in %.2f s\n", i, now() - start);
}

/*
 * Runs one sequence of "record : rc=E answer" lines (@text) in a fresh
 * context; with @check, each answer must be the one the line gives.
 */
static int replay(struct __test_metadata *_metadata, struct diff *d,
		  const char *text, bool check)
{
	char answer[1040], num[32];
	unsigned int i = 0;
	int bad = 0;

	d->num = num;
	if (diff_begin(d))
		return -1;
	while (*text) {
		size_t len = strcspn(text, "\n");
		const char *colon = strstr(text, " : ");
		struct call c;

		if (!diff_parse(ops, ARRAY_SIZE(ops), text, &c)) {
			TH_LOG("not a record: %.*s", (int)len, text);
			bad++;
		} else {
			snprintf(num, sizeof(num), "%u", i++);
			diff_run(d, &ops[c.op], &c, answer, sizeof(answer));
			if (check && colon && colon < text + len &&
			    (strlen(answer) != (size_t)(text + len - colon - 3) ||
			     strncmp(answer, colon + 3, strlen(answer)))) {
				TH_LOG("%.*s\n  answered: %s", (int)len, text,
				       answer);
				bad++;
			}
		}
		text += len + !!text[len];
	}
	diff_end(d);
	return bad;
}

/*
 * Does a case take an IOVA the kernel chose? The cases were recorded in
 * UML, which has no THP: there an automatic IOVA is aligned to at most a
 * page, in a kernel with THP to up to a huge page (upstream's rule), so
 * the answer differs with the kernel.
 */
static bool takes_automatic_iova(const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		const char *answer = strstr(text, " : rc=0");
		struct call c;

		if (answer && answer < text + len &&
		    diff_parse(ops, ARRAY_SIZE(ops), text, &c) &&
		    (!strcmp(ops[c.op].name, "map") ||
		     !strcmp(ops[c.op].name, "copy")) &&
		    !(c.a[0] & IOMMU_IOAS_MAP_FIXED_IOVA))
			return true;
		text += len + !!text[len];
	}
	return false;
}

/* The cases fuzz-diff shrank: ioasim must answer each as upstream did. */
TEST(diff_shrunk_cases)
{
	bool thp = !access("/sys/kernel/mm/transparent_hugepage", F_OK);
	static struct diff d;
	unsigned int i;

	diff_memory(_metadata);
	for (i = 0; i < ARRAY_SIZE(diff_cases); i++) {
		const struct diff_case *dc = &diff_cases[i];

		if (thp && takes_automatic_iova(dc->calls)) {
			printf("# case %u: an automatic IOVA; in UML only\n", i);
			continue;
		}

		EXPECT_EQ(0, replay(_metadata, &d, dc->calls, true)) {
			TH_LOG("case %u: %s", i, dc->why);
		}
	}
	nothing_left(_metadata);
}

/* The sequences make fuzz-diff's shrinking asks for, each printed. */
static void run_batch(struct __test_metadata *_metadata)
{
	static char text[1 << 20];
	static struct diff d;
	FILE *f;
	size_t n;
	char *p, *next;

	f = fopen("/diff-batch", "r");
	ASSERT_NE(NULL, f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	d.print = true;
	/* "case K" lines part the sequences. */
	for (p = strstr(text, "case "); p; p = next) {
		unsigned long k = strtoul(p + 5, NULL, 10);

		p += strcspn(p, "\n");
		p += !!*p;
		next = strstr(p, "case ");
		if (next)
			next[-1] = '\0';
		printf("# diff case %lu\n", k);
		ASSERT_LE(0, replay(_metadata, &d, p, false));
	}
	printf("# diff done: the batch\n");
}

/* A long sequence outlives the harness's default 30 s; boots end at 900. */
FIXTURE(diff) {
};

FIXTURE_SETUP(diff)
{
}

FIXTURE_TEARDOWN(diff)
{
}

TEST_F_TIMEOUT(diff, sequence, 900)
{
	diff_memory(_metadata);
	if (sim_cmdline_ulong("ioasim_diff.batch=", 0))
		run_batch(_metadata);
	else
		random_sequence(_metadata);
	nothing_left(_metadata);
}

TEST_HARNESS_MAIN
