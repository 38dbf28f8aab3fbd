/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: helpers shared by the userspace programs.
 */
#ifndef __IOASIM_SIM_H
#define __IOASIM_SIM_H

#include <fcntl.h>
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

/* Anonymous read-write memory, or MAP_FAILED. */
static inline void *sim_mem(size_t bytes)
{
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

#endif /* __IOASIM_SIM_H */
