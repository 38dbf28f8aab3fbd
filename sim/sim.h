/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: helpers shared by the userspace programs.
 */
#ifndef __IOASIM_SIM_H
#define __IOASIM_SIM_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

/*
 * Open /dev/iommu and allocate an IOAS in it; -1 with errno set on
 * failure (nothing left open).
 */
static inline int sim_open_ioas(__u32 *ioas)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		return -1;
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)) {
		close(fd);
		return -1;
	}
	*ioas = alloc.out_ioas_id;
	return fd;
}

/* An ioctl's result as 0 or -errno, for ASSERT_EQ(-EINVAL, ...). */
static inline int sim_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

static inline int sim_ioas_alloc(int fd, __u32 *ioas)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int rc = sim_ioctl(fd, IOMMU_IOAS_ALLOC, &alloc);

	*ioas = alloc.out_ioas_id;
	return rc;
}

/* IOMMU_IOAS_MAP at a fixed IOVA; @flags add the access flags. */
static inline int sim_map_fixed(int fd, __u32 ioas, void *buf, __u64 len,
				__u64 iova, __u32 flags)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | flags,
		.user_va = (uintptr_t)buf, .length = len, .iova = iova,
	};

	return sim_ioctl(fd, IOMMU_IOAS_MAP, &map);
}

#define SIM_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static inline int sim_unmap(int fd, __u32 ioas, __u64 iova, __u64 len)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = ioas,
		.iova = iova, .length = len,
	};

	return sim_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
}

static inline int sim_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return sim_ioctl(fd, IOMMU_DESTROY, &cmd);
}

/* The selftest control plane (test builds of ioasim only). */
static inline int sim_test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return sim_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* A mock device attached to @pt_id; its ids come back in @cmd. */
static inline int sim_mock_domain(int fd, __u32 pt_id, __u32 dev_flags,
				  struct iommu_test_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS;
	cmd->id = pt_id;
	cmd->mock_domain_flags.dev_flags = dev_flags;
	return sim_test_cmd(fd, cmd);
}

/* An access on @ioas; its file descriptor, or -errno. */
static inline int sim_access_create(int fd, __u32 ioas, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = sim_test_cmd(fd, &cmd);

	return rc ?: (int)cmd.create_access.out_access_fd;
}

/* ACCESS_PAGES: pin [iova, iova + len) for access @afd; its pin id. */
static inline int sim_access_pages(int fd, int afd, __u64 iova, __u64 len,
				   void *buf, __u32 flags, __u32 *pin_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = afd,
		.access_pages = { .flags = flags, .iova = iova, .length = len,
				  .uptr = (uintptr_t)buf },
	};
	int rc = sim_test_cmd(fd, &cmd);

	if (!rc && pin_id)
		*pin_id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static inline int sim_access_unpin(int fd, int afd, __u32 pin_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = afd,
		.destroy_access_pages = { .access_pages_id = pin_id },
	};

	return sim_test_cmd(fd, &cmd);
}

static inline int sim_access_rw(int fd, int afd, __u64 iova, void *buf,
				__u64 len, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = afd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)buf, .flags = flags },
	};

	return sim_test_cmd(fd, &cmd);
}

/* Every IO page of a mock HWPT's range translates to @buf's pages. */
static inline int sim_check_map(int fd, __u32 hwpt, __u64 iova, void *buf,
				__u64 len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)buf },
	};

	return sim_test_cmd(fd, &cmd);
}

/* Every page of @buf is pinned exactly @refs times. */
static inline int sim_check_refs(int fd, void *buf, __u64 len, __u32 refs)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)buf,
				.refs = refs },
	};

	return sim_test_cmd(fd, &cmd);
}

/* Anonymous read-write memory, or MAP_FAILED. */
static inline void *sim_mem(size_t bytes)
{
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/*
 * One of the counters in /sys/class/misc/iommu/ioasim/ (contexts,
 * objects, pinned_pages), or -1 if it cannot be read.
 */
static inline long sim_stat(const char *name)
{
	char path[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/misc/iommu/ioasim/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/*
 * Read up to @len - 1 bytes of the file at @path into @buf, NUL-ended;
 * returns the length, or -1 with errno set.
 */
static inline ssize_t sim_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Write @text to the file at @path (sysfs); 0 or -errno. */
static inline int sim_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -errno;
}

/*
 * IOMMU_IOAS_IOVA_RANGES as QEMU and libvfn ask: how many first, then
 * all. A calloc()ed array of *@n ranges, or NULL.
 */
static inline struct iommu_iova_range *
sim_iova_ranges(int fd, __u32 ioas, __u32 *n)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = ioas,
	};
	struct iommu_iova_range *ranges;

	if (sim_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd) != -EMSGSIZE)
		return NULL;
	ranges = calloc(cmd.num_iovas, sizeof(*ranges));
	if (!ranges)
		return NULL;
	cmd.allowed_iovas = (uintptr_t)ranges;
	if (sim_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd)) {
		free(ranges);
		return NULL;
	}
	*n = cmd.num_iovas;
	return ranges;
}

/* A number from the kernel command line ("key=N"), or @dflt. */
static inline unsigned long sim_cmdline_ulong(const char *key,
					      unsigned long dflt)
{
	char line[4096], *at;

	if (sim_read_file("/proc/cmdline", line, sizeof(line)) <= 0)
		return dflt;
	at = strstr(line, key);
	return at ? strtoul(at + strlen(key), NULL, 0) : dflt;
}

/* Nothing is left of any context: to be true once every file is closed. */
#define SIM_ASSERT_NOTHING_LEFT()					\
	do {								\
		ASSERT_EQ(0, sim_stat("contexts"));			\
		ASSERT_EQ(0, sim_stat("objects"));			\
		ASSERT_EQ(0, sim_stat("pinned_pages"));			\
	} while (0)

/*
 * The set-up most fixtures share: self->fd on /dev/iommu with an IOAS in
 * self->ioas, and @bytes of memory at self->buf, faulted in with @fill
 * (the checks compare physical pages). The teardown closes the file if
 * the test left it open and proves that nothing of it is left.
 */
#define SIM_SETUP_IOAS(_bytes, _fill)					\
	do {								\
		size_t bytes__ = (_bytes);				\
									\
		self->fd = sim_open_ioas(&self->ioas);			\
		ASSERT_LE(0, self->fd);					\
		self->buf = sim_mem(bytes__);				\
		ASSERT_NE(MAP_FAILED, self->buf);			\
		memset(self->buf, _fill, bytes__);			\
	} while (0)

#define SIM_TEARDOWN_IOAS(_bytes)					\
	do {								\
		if (self->fd >= 0)					\
			close(self->fd);				\
		munmap(self->buf, _bytes);				\
		SIM_ASSERT_NOTHING_LEFT();				\
	} while (0)

#endif /* __IOASIM_SIM_H */
