// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: fail-nth from userspace. For each scenario, the n-th fault
 * injection site the operation passes (one of ioasim's fault points, or
 * any slab allocation: failslab's ignore-gfp-wait is turned off) is failed
 * through /proc/self/task/<tid>/fail-nth, for n = 1, 2, ... until the
 * operation passes fewer than n sites. Each failed run must report an error
 * (ENOMEM; EFAULT where pinning fails; ENOENT where a lookup fails, the
 * point that stands for an object destroyed by another thread) or
 * succeed, leave the objects and pins it found (read from
 * /sys/class/misc/iommu/ioasim/), and once the files are closed nothing
 * may be left. The count of sites swept is printed per scenario.
 *
 * Needs CONFIG_FAULT_INJECTION (the check configuration); without it the
 * tests are skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"
#include "ioasim_mock_uapi.h"
#include "../core/uapi_later.h"

#include "kselftest_harness.h"
#include "sim.h"

#define PAGE 4096UL
#define BUF_BYTES (16 * PAGE)
#define BASE MOCK_APERTURE_START

/* What one run works with; set up afresh each time. */
struct run {
	int fd;
	__u32 ioas, ioas2, hwpt, idev, stdev, parent;
	int afd;
	char *buf;
};

struct scenario {
	const char *name;
	/* Builds what the operation needs; no fault is armed yet. */
	int (*setup)(struct run *r);
	/* The operation under test: 0 or -errno. */
	int (*op)(struct run *r);
	/* Closing runs the operation: its "error" is whatever is left. */
	bool closes;
	/* The operation asks accesses to unpin before it can fail. */
	bool pins_may_drop;
	/* Nothing in it can fail (an unmap): it may pass no point at all. */
	bool infallible;
	/*
	 * Another errno a failed point may read as: a lookup's besides
	 * ENOENT, or EMFILE for a file descriptor.
	 */
	int also_errno;
};

static int fail_nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	return open(path, O_RDWR);
}

static int fail_nth_set(int nth_fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* How many points were left to pass before the armed one: 0 if it fired. */
static int fail_nth_left(int nth_fd)
{
	char buf[16] = { 0 };

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

static int mock_domain(struct run *r, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt_id,
	};
	int rc = sim_test_cmd(r->fd, &cmd);

	r->hwpt = cmd.mock_domain.out_hwpt_id;
	r->idev = cmd.mock_domain.out_idev_id;
	r->stdev = cmd.mock_domain.out_stdev_id;
	return rc;
}

static int setup_ioas(struct run *r)
{
	r->fd = sim_open_ioas(&r->ioas);
	if (r->fd < 0)
		return -errno;
	return sim_ioas_alloc(r->fd, &r->ioas2);
}

static int setup_attached(struct run *r)
{
	return setup_ioas(r) ?: mock_domain(r, r->ioas);
}

static int setup_attached_mapped(struct run *r)
{
	return setup_attached(r) ?:
	       sim_map_fixed(r->fd, r->ioas, r->buf, BUF_BYTES, BASE, SIM_RW);
}

static int setup_both_attached(struct run *r)
{
	return setup_attached_mapped(r) ?: mock_domain(r, r->ioas2);
}

static int setup_mapped(struct run *r)
{
	return setup_ioas(r) ?:
	       sim_map_fixed(r->fd, r->ioas, r->buf, BUF_BYTES, BASE, SIM_RW);
}

static int setup_access(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.create_access = {
			.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
		},
	};
	int rc = setup_attached_mapped(r);

	if (rc)
		return rc;
	cmd.id = r->ioas;
	rc = sim_test_cmd(r->fd, &cmd);
	r->afd = cmd.create_access.out_access_fd;
	return rc;
}

static int setup_pinned(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.access_pages = { .iova = BASE + PAGE, .length = 3 * PAGE },
	};
	int rc = setup_access(r);

	if (rc)
		return rc;
	cmd.id = r->afd;
	return sim_test_cmd(r->fd, &cmd);
}

static int setup_type1(struct run *r)
{
	struct iommu_vfio_ioas set = {
		.size = sizeof(set), .op = IOMMU_VFIO_IOAS_SET,
	};
	int rc = setup_attached(r);

	if (rc)
		return rc;
	set.ioas_id = r->ioas;
	return sim_ioctl(r->fd, IOMMU_VFIO_IOAS, &set);
}

static int op_map(struct run *r)
{
	return sim_map_fixed(r->fd, r->ioas, r->buf, BUF_BYTES, BASE, SIM_RW);
}

static int op_attach(struct run *r)
{
	return mock_domain(r, r->ioas);
}

static int op_copy(struct run *r)
{
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy), .dst_ioas_id = r->ioas2,
		.src_ioas_id = r->ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | SIM_RW,
		.length = BUF_BYTES, .src_iova = BASE, .dst_iova = BASE,
	};

	return sim_ioctl(r->fd, IOMMU_IOAS_COPY, &copy);
}

static int op_hwpt_alloc(struct run *r)
{
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .dev_id = r->idev, .pt_id = r->ioas2,
	};

	return sim_ioctl(r->fd, IOMMU_HWPT_ALLOC, &alloc);
}

static int op_replace(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = r->stdev,
		.mock_domain_replace = { .pt_id = r->ioas2 },
	};

	return sim_test_cmd(r->fd, &cmd);
}

static int op_access_pin(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = r->afd,
		.access_pages = { .iova = BASE + PAGE, .length = 3 * PAGE },
	};

	return sim_test_cmd(r->fd, &cmd);
}

static int op_unmap_pinned(struct run *r)
{
	return sim_unmap(r->fd, r->ioas, BASE, BUF_BYTES);
}

static int op_map_dma(struct run *r)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)r->buf, .iova = BASE, .size = BUF_BYTES,
	};

	return sim_ioctl(r->fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int op_ioas_alloc(struct run *r)
{
	__u32 id;

	return sim_ioas_alloc(r->fd, &id);
}

/* The attached, mapped IOAS and a HWPT on it for the device, with @flags. */
static int setup_hwpt(struct run *r, __u32 flags, __u32 *id)
{
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .flags = flags,
	};
	int rc = setup_attached_mapped(r);

	if (rc)
		return rc;
	/* The ids exist only now that the setup ran. */
	alloc.dev_id = r->idev;
	alloc.pt_id = r->ioas;
	rc = sim_ioctl(r->fd, IOMMU_HWPT_ALLOC, &alloc);
	*id = alloc.out_hwpt_id;
	return rc;
}

/* A nesting parent on the mapped IOAS, for a nested HWPT on it. */
static int setup_nest_parent(struct run *r)
{
	return setup_hwpt(r, IOMMU_HWPT_ALLOC_NEST_PARENT, &r->parent);
}

static int op_nested_alloc(struct run *r)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .dev_id = r->idev, .pt_id = r->parent,
		.data_type = IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	return sim_ioctl(r->fd, IOMMU_HWPT_ALLOC, &alloc);
}

/*
 * The device on a dirty-tracking HWPT, tracking on, every page of the
 * buffer written (the control plane's DIRTY).
 */
static int setup_dirty(struct run *r)
{
	__u64 bits = ~0ULL;
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	int rc = setup_hwpt(r, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &r->hwpt);

	if (rc)
		return rc;
	cmd.id = r->stdev;
	cmd.mock_domain_replace.pt_id = r->hwpt;
	set.hwpt_id = r->hwpt;
	rc = sim_test_cmd(r->fd, &cmd) ?:
	     sim_ioctl(r->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set);
	if (rc)
		return rc;
	cmd = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_DIRTY, .id = r->hwpt,
		.dirty = {
			.iova = BASE, .length = BUF_BYTES, .page_size = PAGE,
			.uptr = (uintptr_t)&bits,
		},
	};
	return sim_test_cmd(r->fd, &cmd);
}

static int op_dirty_read(struct run *r)
{
	__u64 bits = 0;
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get), .hwpt_id = r->hwpt, .iova = BASE,
		.length = BUF_BYTES, .page_size = PAGE,
		.data = (uintptr_t)&bits,
	};

	return sim_ioctl(r->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
}

/* The queue's file, on success, is closed with the run's access file. */
/* PASID 1 of the device to @pt (the control plane's PASID operations). */
static int pasid_to(struct run *r, __u32 op, __u32 pt)
{
	struct iommu_test_cmd cmd = { .op = op, .id = r->stdev };
	struct ioasim_test_pasid *args = (void *)&cmd.add_reserved;

	args->pasid = 1;
	args->pt_id = pt;
	return sim_test_cmd(r->fd, &cmd);
}

/*
 * A PASID-capable device on a PASID-compatible HWPT of the mapped IOAS
 * (its automatic one is not: it was made before any PASID), the second
 * IOAS mapped too.
 */
static int setup_pasid_device(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.mock_domain_flags.dev_flags = MOCK_FLAGS_DEVICE_PASID,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .flags = IOMMU_HWPT_ALLOC_PASID,
	};
	int rc = setup_mapped(r) ?:
		 sim_map_fixed(r->fd, r->ioas2, r->buf, BUF_BYTES, BASE, SIM_RW);

	if (rc)
		return rc;
	cmd.id = r->ioas;
	rc = sim_test_cmd(r->fd, &cmd);
	if (rc)
		return rc;
	r->stdev = cmd.mock_domain.out_stdev_id;
	alloc.dev_id = cmd.mock_domain.out_idev_id;
	alloc.pt_id = r->ioas;
	rc = sim_ioctl(r->fd, IOMMU_HWPT_ALLOC, &alloc);
	if (rc)
		return rc;
	cmd = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = r->stdev,
		.mock_domain_replace.pt_id = alloc.out_hwpt_id,
	};
	return sim_test_cmd(r->fd, &cmd);
}

static int setup_pasid_attached(struct run *r)
{
	return setup_pasid_device(r) ?:
	       pasid_to(r, IOMMU_TEST_OP_PASID_ATTACH, r->ioas);
}

static int op_pasid_attach(struct run *r)
{
	return pasid_to(r, IOMMU_TEST_OP_PASID_ATTACH, r->ioas2);
}

static int op_pasid_replace(struct run *r)
{
	return pasid_to(r, IOMMU_TEST_OP_PASID_REPLACE, r->ioas2);
}

static int op_fault_queue_alloc(struct run *r)
{
	struct iommu_fault_alloc qa = { .size = sizeof(qa) };
	int rc = sim_ioctl(r->fd, IOMMU_FAULT_QUEUE_ALLOC, &qa);

	if (!rc)
		r->afd = qa.out_fault_fd;
	return rc;
}

static int op_close(struct run *r)
{
	int rc = close(r->afd) ?: close(r->fd);

	r->afd = -1;
	r->fd = -1;
	return rc ? -errno : 0;
}

static const struct scenario scenarios[] = {
	{ "ioas_alloc", setup_ioas, op_ioas_alloc },
	{ "map_with_domain", setup_attached, op_map },
	{ "attach_to_mapped_ioas", setup_mapped, op_attach },
	{ "copy_with_domain", setup_both_attached, op_copy },
	/* HWPT_ALLOC answers EINVAL for a pt_id it cannot find (upstream). */
	{ "hwpt_alloc", setup_attached_mapped, op_hwpt_alloc,
	  .also_errno = EINVAL },
	{ "replace", setup_attached_mapped, op_replace },
	{ "access_pin", setup_access, op_access_pin },
	{ "unmap_with_access_pinning", setup_pinned, op_unmap_pinned,
	  .pins_may_drop = true, .infallible = true },
	{ "type1_map_dma", setup_type1, op_map_dma },
	{ "close_with_everything_live", setup_pinned, op_close,
	  .closes = true },
	/* Its fd number's fault point stands for a full file table. */
	{ "fault_queue_alloc", setup_ioas, op_fault_queue_alloc,
	  .also_errno = EMFILE },
	/* HWPT_ALLOC answers EINVAL for a parent it cannot find. */
	{ "nested_alloc", setup_nest_parent, op_nested_alloc,
	  .also_errno = EINVAL },
	{ "dirty_bitmap_read", setup_dirty, op_dirty_read },
	{ "pasid_attach", setup_pasid_device, op_pasid_attach },
	{ "pasid_replace", setup_pasid_attached, op_pasid_replace },
};

FIXTURE(fail_nth)
{
	int nth_fd;
	char *buf;
	char gfp_wait[8];
};

FIXTURE_VARIANT(fail_nth)
{
	unsigned int scenario;
};

FIXTURE_VARIANT_ADD(fail_nth, ioas_alloc) {
	.scenario = 0,
};

FIXTURE_VARIANT_ADD(fail_nth, map_with_domain) {
	.scenario = 1,
};

FIXTURE_VARIANT_ADD(fail_nth, attach_to_mapped_ioas) {
	.scenario = 2,
};

FIXTURE_VARIANT_ADD(fail_nth, copy_with_domain) {
	.scenario = 3,
};

FIXTURE_VARIANT_ADD(fail_nth, hwpt_alloc) {
	.scenario = 4,
};

FIXTURE_VARIANT_ADD(fail_nth, replace) {
	.scenario = 5,
};

FIXTURE_VARIANT_ADD(fail_nth, access_pin) {
	.scenario = 6,
};

FIXTURE_VARIANT_ADD(fail_nth, unmap_with_access_pinning) {
	.scenario = 7,
};

FIXTURE_VARIANT_ADD(fail_nth, type1_map_dma) {
	.scenario = 8,
};

FIXTURE_VARIANT_ADD(fail_nth, close_with_everything_live) {
	.scenario = 9,
};

FIXTURE_VARIANT_ADD(fail_nth, fault_queue_alloc) {
	.scenario = 10,
};

FIXTURE_VARIANT_ADD(fail_nth, nested_alloc) {
	.scenario = 11,
};

FIXTURE_VARIANT_ADD(fail_nth, dirty_bitmap_read) {
	.scenario = 12,
};

FIXTURE_VARIANT_ADD(fail_nth, pasid_attach) {
	.scenario = 13,
};

FIXTURE_VARIANT_ADD(fail_nth, pasid_replace) {
	.scenario = 14,
};

/*
 * Set a fault-injection knob in debugfs; its old value goes to @old.
 * Plain read() and write(): some of these files cannot seek.
 */
static int knob(const char *name, const char *val, char *old, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s", name);
	if (old) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, old, len - 1);
		old[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

FIXTURE_SETUP(fail_nth)
{
	self->nth_fd = fail_nth_open();
	if (self->nth_fd < 0)
		SKIP(return, "no fail-nth in this kernel (FAULT_INJECTION)");
	/* No stack trace on the console for each injected fault. */
	ASSERT_EQ(0, knob("fail_iommufd/verbose", "0", NULL, 0));
	ASSERT_EQ(0, knob("failslab/verbose", "0", NULL, 0));
	/* failslab fails sleeping allocations too: most of ioasim's. */
	ASSERT_EQ(0, knob("failslab/ignore-gfp-wait", "N", self->gfp_wait,
			  sizeof(self->gfp_wait)));
	self->buf = sim_mem(BUF_BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0x33, BUF_BYTES);
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->nth_fd < 0)
		return;
	close(self->nth_fd);
	knob("failslab/ignore-gfp-wait", self->gfp_wait, NULL, 0);
	munmap(self->buf, BUF_BYTES);
	SIM_ASSERT_NOTHING_LEFT();
}

TEST_F_TIMEOUT(fail_nth, sweep, 600)
{
	const struct scenario *s = &scenarios[variant->scenario];
	long objects, pinned, now;
	unsigned int n, failed = 0;
	int rc, left;

	for (n = 1;; n++) {
		struct run r = { .fd = -1, .afd = -1, .buf = self->buf };

		ASSERT_EQ(0, s->setup(&r));
		objects = sim_stat("objects");
		pinned = sim_stat("pinned_pages");
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, n));
		rc = s->op(&r);
		left = fail_nth_left(self->nth_fd);
		ASSERT_EQ(0, fail_nth_set(self->nth_fd, 0));
		ASSERT_LE(0, left);
		if (left) {
			/* Fewer than n points: the run without a fault. */
			ASSERT_EQ(0, rc);
			if (r.afd >= 0)
				close(r.afd);
			if (r.fd >= 0)
				close(r.fd);
			SIM_ASSERT_NOTHING_LEFT();
			break;
		}
		if (rc) {
			failed++;
			/* A failed step says so plainly, and leaves no trace. */
			ASSERT_TRUE(rc == -ENOMEM || rc == -EFAULT ||
				    rc == -ENOENT ||
				    (s->also_errno && rc == -s->also_errno))
				TH_LOG("%s: point %u: %s", s->name, n,
				       strerror(-rc));
			ASSERT_EQ(objects, sim_stat("objects"));
			/* An access asked to unpin may have done so. */
			now = sim_stat("pinned_pages");
			ASSERT_TRUE(s->pins_may_drop ? now <= pinned :
				    now == pinned);
		}
		if (r.afd >= 0)
			close(r.afd);
		if (r.fd >= 0)
			close(r.fd);
		SIM_ASSERT_NOTHING_LEFT();
	}
	printf("# %s: %u sites swept (ioasim's and failslab's), %u failed it\n",
	       s->name, n - 1, failed);
	/*
	 * Every operation that can fail passes through at least one point
	 * of ioasim's; one that cannot never fails at any.
	 */
	ASSERT_TRUE(s->infallible ? !failed : s->closes || n > 1);
}

TEST_HARNESS_MAIN
