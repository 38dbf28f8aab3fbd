/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: helpers shared by the userspace programs.
 */
#ifndef __IOASIM_SIM_H
#define __IOASIM_SIM_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

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

/* Nothing is left of any context: to be true once every file is closed. */
#define SIM_ASSERT_NOTHING_LEFT()					\
	do {								\
		ASSERT_EQ(0, sim_stat("contexts"));			\
		ASSERT_EQ(0, sim_stat("objects"));			\
		ASSERT_EQ(0, sim_stat("pinned_pages"));			\
	} while (0)

#endif /* __IOASIM_SIM_H */
