// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: random ioctls against /dev/iommu, bounded in time.
 *
 * Every command of the 6.12 uAPI, the selftest control plane and the VFIO
 * type1 container ioctls, with arguments drawn to be mostly plausible
 * (ids that exist or existed, page-aligned ranges in a mapped buffer)
 * and sometimes not (bad sizes and tails, unknown flags, wrapping ranges,
 * unmapped or unreadable user memory). Accesses address the IOAS by area
 * index, as the control plane's MOCK_FLAGS_ACCESS_SYZ form allows
 * syzkaller to, so that pins, copies and reads hit mapped memory.
 *
 * Each round opens /dev/iommu, runs a few hundred calls (in half of the
 * rounds from two threads sharing the file and the ids) and closes
 * everything; then no context, object or pinned page may be left. Every
 * call must return success or one of the errnos iommufd uses. The run
 * itself is the rest of the check: sim.sh fails it on any WARN, sanitizer
 * report or lockdep splat, and the check kernel's init fails it on a
 * kmemleak report.
 *
 * Kernel arguments: ioasim_fuzz.seconds=<s> (default 10) and
 * ioasim_fuzz.seed=<n> (default: from the clock; printed either way).
 * Where a real device's node exists (make vm's VT-d and virtio-iommu
 * machines), the fuzzer binds, attaches and detaches it, and has it copy
 * by DMA ioasim_fuzz.edu_copies=<n> times at most (default 8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#include "kselftest_harness.h"
#include "iommufd_fuzz.h"
#include "iommufd_fuzz_hwpt.h"

/* The errnos iommufd and its control plane answer with. */
static const int known_errnos[] = {
	EINVAL, ENOENT, EEXIST, EBUSY, ENOMEM, EFAULT, E2BIG, EOPNOTSUPP,
	ENOSPC, EADDRINUSE, EPERM, ENOTTY, EMSGSIZE, EOVERFLOW, EBADF,
	EBADFD, ERANGE, ENODEV,
	EIO,	/* MD_CHECK_REFS: a page's pin count is not the one given */
	EBADE,	/* ACCESS_PAGES: the pages pinned are not those at uptr */
	ESPIPE,	/* a fault queue's read or write of part of a message */
	EMFILE,
};

static const char *const op_names[NOPS] = {
	"ioas_alloc", "destroy", "map", "unmap", "copy", "iova_ranges",
	"allow_iovas", "option", "vfio_ioas", "hwpt_alloc", "get_hw_info",
	"mock_domain", "mock_replace", "create_access", "access_pages",
	"destroy_access_pages", "access_rw", "access_replace_ioas",
	"add_reserved", "md_check", "close_access", "type1", "size_rules",
	"raw", "dirty", "nested", "fault_queue", "real_device", "pasid",
};

static int op_ioas_alloc(struct fuzzer *f)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = do_ioctl(f, IOMMU_IOAS_ALLOC, &cmd);

	if (rc)
		return rc;
	remember(f->r, f->r->ids, &f->r->nids, cmd.out_ioas_id);
	__atomic_compare_exchange_n(&f->r->focus, &(__u32){ 0 },
				    cmd.out_ioas_id, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	return 0;
}

static int op_destroy(struct fuzzer *f)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = some_id(f) };

	return do_ioctl(f, IOMMU_DESTROY, &cmd);
}

static int op_map(struct fuzzer *f)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = some_flags(f, IOMMU_IOAS_MAP_FIXED_IOVA | SIM_RW),
		.ioas_id = some_ioas(f), .user_va = some_uva(f),
		.length = some_len(f), .iova = some_iova(f),
	};

	return do_ioctl(f, IOMMU_IOAS_MAP, &cmd);
}

static int op_unmap(struct fuzzer *f)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = some_ioas(f),
		.iova = one_in(f, 4) ? 0 : some_iova(f),
		.length = one_in(f, 4) ? UINT64_MAX : some_len(f),
	};

	return do_ioctl(f, IOMMU_IOAS_UNMAP, &cmd);
}

static int op_copy(struct fuzzer *f)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = some_flags(f, IOMMU_IOAS_MAP_FIXED_IOVA | SIM_RW),
		.dst_ioas_id = some_id(f), .src_ioas_id = some_ioas(f),
		.length = some_len(f), .dst_iova = some_iova(f),
		.src_iova = some_iova(f),
	};

	/* The source by area index, through the control plane. */
	if (!one_in(f, 3)) {
		cmd.flags |= MOCK_FLAGS_ACCESS_SYZ;
		cmd.src_iova = syz_iova(f);
		cmd.length = (1 + pick(f, 2)) * PAGE;
	}
	return do_ioctl(f, IOMMU_IOAS_COPY, &cmd);
}

static int op_iova_ranges(struct fuzzer *f)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = some_id(f),
		.num_iovas = pick(f, 9),
		.allowed_iovas = one_in(f, 8) ? 8 : (uintptr_t)ranges,
	};

	return do_ioctl(f, IOMMU_IOAS_IOVA_RANGES, &cmd);
}

static int op_allow_iovas(struct fuzzer *f)
{
	struct iommu_iova_range ranges[2];
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = some_id(f),
		.num_iovas = pick(f, 3), .allowed_iovas = (uintptr_t)ranges,
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		ranges[i].start = some_iova(f) & ~(PAGE - 1);
		ranges[i].last = ranges[i].start + some_len(f) - 1;
	}
	return do_ioctl(f, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

static int op_option(struct fuzzer *f)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = pick(f, 3),
		.op = pick(f, 3), .object_id = one_in(f, 2) ? 0 : some_id(f),
		.val64 = one_in(f, 4) ? next(f) : pick(f, 2),
	};

	return do_ioctl(f, IOMMU_OPTION, &cmd);
}

static int op_vfio_ioas(struct fuzzer *f)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .ioas_id = some_id(f), .op = pick(f, 4),
	};

	return do_ioctl(f, IOMMU_VFIO_IOAS, &cmd);
}

static int op_hwpt_alloc(struct fuzzer *f)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = some_flags(f, IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					IOMMU_HWPT_ALLOC_PASID),
		.dev_id = some_id(f), .pt_id = some_ioas(f),
	};
	int rc = do_ioctl(f, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		remember(f->r, f->r->ids, &f->r->nids, cmd.out_hwpt_id);
	return rc;
}

static int op_get_hw_info(struct fuzzer *f)
{
	__u64 data[8];
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd), .dev_id = some_id(f),
		.data_len = pick(f, sizeof(data) + 1),
		.data_uptr = one_in(f, 8) ? 8 : (uintptr_t)data,
	};

	return do_ioctl(f, IOMMU_GET_HW_INFO, &cmd);
}

static int op_mock_domain(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = {
		.op = one_in(f, 2) ? IOMMU_TEST_OP_MOCK_DOMAIN :
				     IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = some_ioas(f),
		.mock_domain_flags = {
			.dev_flags = some_flags(f, MOCK_FLAGS_DEVICE_PASID),
		},
	};
	int rc = test_cmd(f, &cmd);

	if (!rc) {
		remember(f->r, f->r->ids, &f->r->nids,
			 cmd.mock_domain.out_stdev_id);
		remember(f->r, f->r->ids, &f->r->nids,
			 cmd.mock_domain.out_hwpt_id);
		remember(f->r, f->r->ids, &f->r->nids,
			 cmd.mock_domain.out_idev_id);
	}
	return rc;
}

static int op_mock_replace(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = some_id(f),
		.mock_domain_replace = { .pt_id = some_id(f) },
	};

	return test_cmd(f, &cmd);
}

static int op_create_access(struct fuzzer *f)
{
	struct round *r = f->r;
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = some_ioas(f),
		.create_access = {
			.flags = some_flags(f,
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES),
		},
	};
	int rc = test_cmd(f, &cmd);

	if (rc)
		return rc;
	pthread_mutex_lock(&r->lock);
	if (r->nafds < MAX_AFDS) {
		r->afds[r->nafds++] = cmd.create_access.out_access_fd;
		cmd.create_access.out_access_fd = -1;
	}
	pthread_mutex_unlock(&r->lock);
	if ((int)cmd.create_access.out_access_fd >= 0)
		close(cmd.create_access.out_access_fd);
	return 0;
}

static int op_access_pages(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = some_afd(f),
		.access_pages = {
			.flags = some_flags(f, MOCK_FLAGS_ACCESS_WRITE),
			.iova = syz_iova(f), .length = some_len(f),
			/* Mostly 0: no check of which pages were pinned. */
			.uptr = one_in(f, 4) ? some_uva(f) : 0,
		},
	};
	int rc;

	if (one_in(f, 8))
		cmd.access_pages.iova = some_iova(f);
	else
		cmd.access_pages.flags |= MOCK_FLAGS_ACCESS_SYZ;
	rc = test_cmd(f, &cmd);
	if (!rc)
		remember(f->r, f->r->pins, &f->r->npins,
			 cmd.access_pages.out_access_pages_id);
	return rc;
}

static int op_destroy_access_pages(struct fuzzer *f)
{
	struct round *r = f->r;
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = some_afd(f),
	};

	pthread_mutex_lock(&r->lock);
	cmd.destroy_access_pages.access_pages_id =
		r->npins && !one_in(f, 8) ? r->pins[pick(f, r->npins)] :
					    (__u32)next(f);
	pthread_mutex_unlock(&r->lock);
	return test_cmd(f, &cmd);
}

static int op_access_rw(struct fuzzer *f)
{
	char data[256];
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = some_afd(f),
		.access_rw = {
			.iova = syz_iova(f), .length = pick(f, sizeof(data) + 1),
			.uptr = (uintptr_t)data,
			.flags = some_flags(f, MOCK_ACCESS_RW_WRITE |
					       MOCK_ACCESS_RW_SLOW_PATH) |
				 MOCK_FLAGS_ACCESS_SYZ,
		},
	};

	memset(data, 0x5a, sizeof(data));
	return test_cmd(f, &cmd);
}

static int op_access_replace_ioas(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, .id = some_afd(f),
		.access_replace_ioas = { .ioas_id = some_id(f) },
	};

	return test_cmd(f, &cmd);
}

static int op_add_reserved(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED, .id = some_id(f),
		.add_reserved = { .start = some_iova(f),
				  .length = some_len(f) },
	};

	return test_cmd(f, &cmd);
}

static int op_md_check(struct fuzzer *f)
{
	struct iommu_test_cmd cmd = { .id = some_id(f) };

	if (one_in(f, 2)) {
		cmd.op = IOMMU_TEST_OP_MD_CHECK_MAP;
		cmd.check_map.iova = some_iova(f);
		cmd.check_map.length = pick(f, 4) * PAGE;
		cmd.check_map.uptr = some_uva(f);
	} else {
		cmd.op = IOMMU_TEST_OP_MD_CHECK_REFS;
		cmd.check_refs.length = pick(f, 4) * PAGE;
		cmd.check_refs.uptr = some_uva(f);
		cmd.check_refs.refs = pick(f, 3);
	}
	return test_cmd(f, &cmd);
}

static int op_close_access(struct fuzzer *f)
{
	struct round *r = f->r;
	int afd = -1;

	pthread_mutex_lock(&r->lock);
	if (r->nafds) {
		unsigned int i = pick(f, r->nafds);

		afd = r->afds[i];
		r->afds[i] = r->afds[--r->nafds];
	}
	pthread_mutex_unlock(&r->lock);
	return afd >= 0 && close(afd) ? -errno : 0;
}

static int op_type1(struct fuzzer *f)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = some_flags(f, VFIO_DMA_MAP_FLAG_READ |
				       VFIO_DMA_MAP_FLAG_WRITE),
		.vaddr = some_uva(f), .iova = some_iova(f), .size = some_len(f),
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = some_flags(f, VFIO_DMA_UNMAP_FLAG_ALL),
		.iova = some_iova(f), .size = some_len(f),
	};
	char info[256] = { 0 };
	struct vfio_iommu_type1_info *i = (void *)info;

	switch (pick(f, 5)) {
	case 0:
		return ioctl(f->r->fd, VFIO_SET_IOMMU,
			     one_in(f, 4) ? pick(f, 16) : VFIO_TYPE1v2_IOMMU) ?
			-errno : 0;
	case 1:
		return do_ioctl(f, VFIO_IOMMU_MAP_DMA, &map);
	case 2:
		return do_ioctl(f, VFIO_IOMMU_UNMAP_DMA, &unmap);
	case 3:
		i->argsz = pick(f, sizeof(info) + 1);
		return do_ioctl(f, VFIO_IOMMU_GET_INFO, info);
	default:
		return ioctl(f->r->fd, VFIO_CHECK_EXTENSION, pick(f, 16)) < 0 ?
			-errno : 0;
	}
}

/* Any iommufd command with a size that is short, long or garbage-tailed. */
static int op_size_rules(struct fuzzer *f)
{
	static const unsigned long cmds[] = {
		IOMMU_DESTROY, IOMMU_IOAS_ALLOC, IOMMU_IOAS_ALLOW_IOVAS,
		IOMMU_IOAS_COPY, IOMMU_IOAS_IOVA_RANGES, IOMMU_IOAS_MAP,
		IOMMU_IOAS_UNMAP, IOMMU_OPTION, IOMMU_VFIO_IOAS,
		IOMMU_HWPT_ALLOC, IOMMU_GET_HW_INFO, IOMMU_TEST_CMD,
	};
	__u32 arg[64] = { 0 };
	unsigned int i;

	for (i = 1; i < 64; i++)
		arg[i] = one_in(f, 2) ? some_id(f) : 0;
	arg[0] = pick(f, sizeof(arg) + 1);
	if (one_in(f, 2))
		arg[pick(f, 64)] = (__u32)next(f);
	return do_ioctl(f, cmds[pick(f, ARRAY_SIZE(cmds))], arg);
}

/* iommufd's ioctl type with numbers around its commands. */
static int op_raw(struct fuzzer *f)
{
	__u32 arg[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		arg[i] = (__u32)next(f);
	arg[0] = pick(f, sizeof(arg) + 1);
	return do_ioctl(f, _IO(IOMMUFD_TYPE, 0x70 + pick(f, 0x40)), arg);
}

/* What must work now and then for the run to have reached anything. */
static const bool must_succeed[NOPS] = {
	[0] = true,	/* ioas_alloc */
	[2] = true,	/* map */
	[3] = true,	/* unmap */
	[4] = true,	/* copy by area index */
	[11] = true,	/* mock_domain */
	[13] = true,	/* create_access */
	[14] = true,	/* access_pages by area index */
	[16] = true,	/* access_rw by area index */
	[27] = true,	/* real_device, where there is one */
};

static int (*const ops[NOPS])(struct fuzzer *f) = {
	op_ioas_alloc, op_destroy, op_map, op_unmap, op_copy, op_iova_ranges,
	op_allow_iovas, op_option, op_vfio_ioas, op_hwpt_alloc,
	op_get_hw_info, op_mock_domain, op_mock_replace, op_create_access,
	op_access_pages, op_destroy_access_pages, op_access_rw,
	op_access_replace_ioas, op_add_reserved, op_md_check,
	op_close_access, op_type1, op_size_rules, op_raw, op_dirty,
	op_nested, op_fault_queue, op_real_device, op_pasid,
};

static bool known(int rc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known_errnos); i++)
		if (rc == -known_errnos[i])
			return true;
	return !rc;
}

static void *fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;
	struct round *r = f->r;
	unsigned int n, op;
	int rc;

	for (n = 0; n < CALLS_PER_ROUND; n++) {
		/* The object makers more often: a fuller table finds more. */
		op = one_in(f, 8) ? pick(f, 2) ? 0 : 11 : pick(f, NOPS);
		rc = ops[op](f);
		pthread_mutex_lock(&r->lock);
		r->calls[op]++;
		r->ok[op] += !rc;
		if (!known(rc) && !r->bad_errno) {
			r->bad_errno = -rc;
			r->bad_op = op;
		}
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/*
 * Can the control plane make mock devices here? Not beside VT-d or
 * AMD-Vi: the iommu core gives a device without firmware description to
 * the first IOMMU registered without one, which is theirs.
 */
static bool mock_devices(void)
{
	struct iommu_test_cmd md;
	__u32 ioas;
	int fd = sim_open_ioas(&ioas);
	bool yes;

	if (fd < 0)
		return true;
	yes = sim_mock_domain(fd, ioas, 0, &md) != -ENODEV;
	close(fd);
	return yes;
}

FIXTURE(fuzz)
{
	char *buf;
};

FIXTURE_SETUP(fuzz)
{
	self->buf = sim_mem(BUF_BYTES + GUARD_BYTES);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0x42, BUF_BYTES);
	/*
	 * A hole the pins and maps must fail on with EFAULT, and above it
	 * more of the same, as far as a range starting in the hole reaches:
	 * whatever lies above (the harness's pages, which it shares with
	 * its parent) is memory a map could name and an access or the
	 * device then write, which the kernel does as told.
	 */
	ASSERT_EQ(0, mprotect(self->buf + BUF_BYTES - PAGE, PAGE + GUARD_BYTES,
			      PROT_NONE));
}

FIXTURE_TEARDOWN(fuzz)
{
	munmap(self->buf, BUF_BYTES + GUARD_BYTES);
	SIM_ASSERT_NOTHING_LEFT();
}

TEST_F_TIMEOUT(fuzz, random_ioctls, 900)
{
	unsigned long seconds = sim_cmdline_ulong("ioasim_fuzz.seconds=", 10);
	__u64 seed = sim_cmdline_ulong("ioasim_fuzz.seed=", time(NULL));
	unsigned long calls[NOPS] = { 0 }, ok[NOPS] = { 0 }, total = 0;
	struct timespec start, now;
	unsigned int rounds = 0, i, threads;
	double elapsed;

	edu_copies_max = sim_cmdline_ulong("ioasim_fuzz.edu_copies=", 8);
	if (access("/dev/vfio/devices/ioasim-edu0", F_OK)) {
		/* The mock's node copies at once: no limit needed. */
		node_kind = "vfio";
		edu_copies_max = UINT32_MAX;
	}

	printf("# seed %llu, %lu s (replay: ioasim_fuzz.seed=%llu)\n",
	       (unsigned long long)seed, seconds, (unsigned long long)seed);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		struct round r = { .buf = self->buf };
		struct fuzzer f[2];
		pthread_t t[2];

		pthread_mutex_init(&r.lock, NULL);
		r.fd = open("/dev/iommu", O_RDWR);
		ASSERT_LE(0, r.fd);
		/*
		 * A device node, real where there is one: after the round's
		 * /dev/iommu, so that close_range() below takes it.
		 */
		r.edu = sim_dev_open(node_kind, 0);
		if (r.edu < 0 && errno != ENOENT)
			ASSERT_EQ(ENOENT, errno);
		threads = 1 + rounds % 2;
		for (i = 0; i < threads; i++) {
			f[i].r = &r;
			f[i].state = (seed + rounds) * 2654435761ULL + i + 1;
			ASSERT_EQ(0, pthread_create(&t[i], NULL, fuzz_thread,
						    &f[i]));
		}
		for (i = 0; i < threads; i++)
			ASSERT_EQ(0, pthread_join(t[i], NULL));
		/*
		 * Every file the round made: the recorded accesses, and any a
		 * random TEST_CMD made (CREATE_ACCESS by chance) that nobody
		 * recorded. All were opened after the round's /dev/iommu.
		 */
		ASSERT_EQ(0, close_range(r.fd + 1, ~0U, 0));
		ASSERT_EQ(0, close(r.fd));
		ASSERT_EQ(0, r.bad_errno)
			TH_LOG("seed %llu round %u: %s returned errno %d",
			       (unsigned long long)seed, rounds,
			       op_names[r.bad_op], r.bad_errno);
		SIM_ASSERT_NOTHING_LEFT();
		for (i = 0; i < NOPS; i++) {
			calls[i] += r.calls[i];
			ok[i] += r.ok[i];
			total += r.calls[i];
		}
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) +
			  (now.tv_nsec - start.tv_nsec) / 1e9;
	} while (elapsed < seconds);

	for (i = 0; i < NOPS; i++)
		printf("# %-22s %7lu calls, %6lu succeeded\n", op_names[i],
		       calls[i], ok[i]);
	printf("# %u rounds, %lu calls in %.1f s: %.0f calls per second\n",
	       rounds, total, elapsed, total / elapsed);
	/* Random arguments that never get anything done prove little. */
	for (i = 0; i < NOPS; i++) {
		if (!must_succeed[i] || ok[i] ||
		    (i == 27 && access("/dev/vfio/devices/ioasim-edu0", F_OK) &&
		     access("/dev/vfio/devices/ioasim-vfio0", F_OK)) ||
		    (i == 11 && !mock_devices()))
			continue;
		printf("# %s never succeeded\n", op_names[i]);
		EXPECT_LT(0, ok[i]);
	}
}

TEST_HARNESS_MAIN
