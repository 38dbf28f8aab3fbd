// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: what only a real kernel can show - pins of hugetlb and THP
 * memory, the IO page sizes a mock domain gets for them, automatic IOVA
 * alignment with large pages on and off, RLIMIT_MEMLOCK on a process
 * without privileges, fork and two processes on one file, and module
 * unload while a context holds the mock. A case whose kernel lacks the
 * thing (UML: no hugetlbfs, no THP, no modules) skips and says so; make vm
 * runs them all, in a 64-bit and a 32-bit (compat_ioctl) build.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "kselftest_harness.h"
#include "backing.h"

/* iommufd_test.h's mock IO page: half a CPU page. */
#define IO_PAGE 2048UL

/* IOMMU_IOAS_MAP with an automatic IOVA. */
static int map_auto(int fd, __u32 ioas, void *buf, __u64 len, __u64 *iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .ioas_id = ioas, .flags = SIM_RW,
		.user_va = (uintptr_t)buf, .length = len,
	};
	int rc = sim_ioctl(fd, IOMMU_IOAS_MAP, &map);

	*iova = map.iova;
	return rc;
}

static int set_huge_pages(int fd, __u32 ioas, int on)
{
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = ioas, .val64 = on,
	};

	return sim_ioctl(fd, IOMMU_OPTION, &opt);
}

/*
 * A dirty-tracking HWPT on @ioas for a mock device with large IO pages:
 * the device first (MOCK_DOMAIN_FLAGS), then the HWPT for it.
 */
static int huge_hwpt(int fd, __u32 ioas, __u32 *hwpt)
{
	struct iommu_test_cmd md = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = ioas,
		.mock_domain_flags.dev_flags = MOCK_FLAGS_DEVICE_HUGE_IOVA,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = ioas,
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	int rc = sim_test_cmd(fd, &md);

	if (rc)
		return rc;
	alloc.dev_id = md.mock_domain_flags.out_idev_id;
	rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc);
	if (rc)
		return rc;
	*hwpt = track.hwpt_id = alloc.out_hwpt_id;
	return sim_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &track);
}

/*
 * The size of the IO page the mock domain of @hwpt maps @iova with: the
 * mock marks the one IO_PAGE at @iova dirty, and a large IO page has one
 * dirty bit for all of it, so the read sets every bit of that page.
 */
static long io_page_bytes(int fd, __u32 hwpt, __u64 iova)
{
	static __u64 bits[AREA / IO_PAGE / 64];
	struct iommu_test_cmd mark = {
		.op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = IO_PAGE,
			   .page_size = IO_PAGE, .uptr = (uintptr_t)bits },
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .hwpt_id = hwpt,
		.iova = iova & ~(SZ_2M - 1), .length = SZ_2M,
		.page_size = IO_PAGE, .data = (uintptr_t)bits,
	};
	long n = 0;
	size_t i;

	memset(bits, 0, sizeof(bits));
	bits[0] = 1;
	if (sim_test_cmd(fd, &mark) || mark.dirty.out_nr_dirty != 1)
		return -1;
	memset(bits, 0, sizeof(bits));
	if (sim_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get))
		return -1;
	for (i = 0; i < SZ_2M / IO_PAGE / 64; i++)
		n += __builtin_popcountll(bits[i]);
	return n * IO_PAGE;
}

FIXTURE(real)
{
	int fd;
	__u32 ioas;
	void *buf;
};

FIXTURE_VARIANT(real)
{
	enum backing kind;
	const char *what;
};

FIXTURE_VARIANT_ADD(real, hugetlb)
{
	.kind = HUGETLB, .what = "MAP_HUGETLB memory",
};

FIXTURE_VARIANT_ADD(real, hugetlbfs)
{
	.kind = HUGETLBFS, .what = "hugetlbfs",
};

FIXTURE_VARIANT_ADD(real, thp)
{
	.kind = THP, .what = "THP memory",
};

FIXTURE_SETUP(real)
{
	self->buf = MAP_FAILED;
	self->fd = sim_open_ioas(&self->ioas);
	ASSERT_LE(0, self->fd);
	self->buf = area_map(variant->kind);
	if (self->buf == MAP_FAILED)
		SKIP(return, "no %s in this kernel (UML has none)",
		     variant->what);
	if (variant->kind == THP && thp_kib() < (long)(SZ_2M >> 10))
		SKIP(return, "no THP backs the memory (UML has none)");
}

FIXTURE_TEARDOWN(real)
{
	if (self->buf != MAP_FAILED)
		munmap(self->buf, AREA);
	close(self->fd);
	SIM_ASSERT_NOTHING_LEFT();
}

/*
 * Huge-page memory pins as one run per folio, gets an IOVA with its 2 MiB
 * alignment, and reaches a domain in the mock's largest IO pages (1 MiB).
 */
TEST_F(real, map_large_pages)
{
	__u64 iova;
	__u32 hwpt;

	ASSERT_EQ(0, huge_hwpt(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(0, map_auto(self->fd, self->ioas, self->buf, AREA, &iova));
	ASSERT_EQ(0, iova % SZ_2M);
	ASSERT_EQ(AREA / getpagesize(), sim_stat("pinned_pages"));
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, AREA));
	ASSERT_EQ(1L << 20, io_page_bytes(self->fd, hwpt, iova + SZ_2M));
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, iova, AREA));
	ASSERT_EQ(0, sim_stat("pinned_pages"));
}

/*
 * IOMMU_OPTION_HUGE_PAGES off: the domain gets CPU-page IO pages, and the
 * automatic IOVA keeps the memory's 2 MiB alignment all the same (only
 * the IO page size changes, as upstream); on again, large IO pages.
 */
TEST_F(real, huge_pages_option)
{
	__u64 iova;
	__u32 hwpt;

	ASSERT_EQ(0, set_huge_pages(self->fd, self->ioas, 0));
	ASSERT_EQ(0, huge_hwpt(self->fd, self->ioas, &hwpt));
	ASSERT_EQ(0, map_auto(self->fd, self->ioas, self->buf, AREA, &iova));
	ASSERT_EQ(0, iova % SZ_2M);
	ASSERT_EQ(0, sim_check_map(self->fd, hwpt, iova, self->buf, AREA));
	ASSERT_EQ(getpagesize(), io_page_bytes(self->fd, hwpt, iova + SZ_2M));
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, iova, AREA));

	ASSERT_EQ(0, set_huge_pages(self->fd, self->ioas, 1));
	ASSERT_EQ(0, map_auto(self->fd, self->ioas, self->buf, AREA, &iova));
	ASSERT_EQ(0, iova % SZ_2M);
	ASSERT_EQ(1L << 20, io_page_bytes(self->fd, hwpt, iova));
}

/* The VM's modules; UML has ioasim built in. */
static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * Neither module can go while a context holds a mock device and a domain
 * of the mock's: the unload is refused, and all still works after.
 */
TEST(unload_while_in_use)
{
	__u32 ioas, hwpt;
	int fd, rc;

	if (access("/sys/module/ioasim_mock/refcnt", F_OK))
		SKIP(return, "ioasim is not a module here (UML builds it in)");
	fd = sim_open_ioas(&ioas);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, huge_hwpt(fd, ioas, &hwpt));
	rc = delete_module("ioasim_mock");
	ASSERT_EQ(-EWOULDBLOCK, rc);
	ASSERT_EQ(-EWOULDBLOCK, delete_module("ioasim"));
	ASSERT_EQ(0, sim_destroy(fd, hwpt));
	close(fd);
	SIM_ASSERT_NOTHING_LEFT();
}

/*
 * RLIMIT_MEMLOCK binds a process without CAP_IPC_LOCK: a map past the
 * limit fails with ENOMEM and leaves nothing pinned or charged; within
 * it, pins are charged and given back. Memory is pinned, so charged, for
 * a domain: the IOAS has one.
 */
TEST(memlock_unprivileged)
{
	long page = getpagesize();
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit lim = { 8 * page, 8 * page };
		__u32 ioas, hwpt;
		int rc;
		__u64 iova;
		void *buf = sim_mem(16 * page);
		int fd = sim_open_ioas(&ioas);

		if (fd < 0 || buf == MAP_FAILED || huge_hwpt(fd, ioas, &hwpt) ||
		    setrlimit(RLIMIT_MEMLOCK, &lim) || setgid(65534) ||
		    setuid(65534))
			_exit(10);
		memset(buf, 1, 16 * page);
		rc = map_auto(fd, ioas, buf, 16 * page, &iova);
		if (rc != -ENOMEM) {
			fprintf(stderr, "# map past the limit: %d\n", rc);
			_exit(11);
		}
		if (sim_stat("pinned_pages") != 0)
			_exit(12);
		if (map_auto(fd, ioas, buf, 8 * page, &iova))
			_exit(13);
		if (sim_stat("pinned_pages") != 8)
			_exit(14);
		/* The limit is full: one more page does not fit. */
		if (map_auto(fd, ioas, (char *)buf + 8 * page, page, &iova) !=
		    -ENOMEM)
			_exit(15);
		close(fd);
		_exit(sim_stat("pinned_pages") ? 16 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	SIM_ASSERT_NOTHING_LEFT();
}

/*
 * A child inherits the file: it maps its own memory (pinned from its mm,
 * for the IOAS's domain) while the parent maps the parent's, at once;
 * what the child mapped stays pinned after it exits, until unmapped.
 */
TEST(fork_shares_the_file)
{
	long page = getpagesize();
	char *mine = sim_mem(4 * page);
	__u32 ioas, hwpt;
	int fd, i, status;
	pid_t pid;

	fd = sim_open_ioas(&ioas);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, huge_hwpt(fd, ioas, &hwpt));
	ASSERT_TRUE(mine != MAP_FAILED);
	memset(mine, 1, 4 * page);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *theirs = sim_mem(4 * page);

		memset(theirs, 2, 4 * page);
		for (i = 0; i < 64; i++) {
			if (sim_map_fixed(fd, ioas, theirs, 4 * page,
					  1UL << 30, SIM_RW) ||
			    sim_unmap(fd, ioas, 1UL << 30, 4 * page))
				_exit(1);
		}
		_exit(sim_map_fixed(fd, ioas, theirs, 4 * page, 1UL << 30,
				    SIM_RW) ? 2 : 0);
	}
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, sim_map_fixed(fd, ioas, mine, 4 * page, 1UL << 25,
					   SIM_RW));
		ASSERT_EQ(0, sim_unmap(fd, ioas, 1UL << 25, 4 * page));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* The child is gone; its pages are still pinned for the IOAS. */
	ASSERT_EQ(4, sim_stat("pinned_pages"));
	ASSERT_EQ(0, sim_unmap(fd, ioas, 1UL << 30, 4 * page));
	ASSERT_EQ(0, sim_stat("pinned_pages"));
	close(fd);
	SIM_ASSERT_NOTHING_LEFT();
}

/* Two processes, each with its own file, map and unmap at once. */
TEST(two_processes)
{
	long page = getpagesize();
	int status, k;
	pid_t pid[2];

	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (!pid[k]) {
			char *buf = sim_mem(16 * page);
			__u32 ioas, hwpt;
			__u64 iova;
			int fd = sim_open_ioas(&ioas), i;

			if (fd < 0 || buf == MAP_FAILED ||
			    huge_hwpt(fd, ioas, &hwpt))
				_exit(1);
			for (i = 0; i < 200; i++) {
				if (map_auto(fd, ioas, buf, 16 * page, &iova) ||
				    sim_check_map(fd, hwpt, iova, buf,
						  16 * page) ||
				    sim_unmap(fd, ioas, iova, 16 * page))
					_exit(2);
			}
			close(fd);
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	SIM_ASSERT_NOTHING_LEFT();
}

TEST_HARNESS_MAIN
