/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: memory of the kinds a real kernel backs differently -
 * plain pages, MAP_HUGETLB, a hugetlbfs file, THP - for the programs that
 * map it and check what the kernel made of it.
 */
#ifndef __IOASIM_SIM_BACKING_H
#define __IOASIM_SIM_BACKING_H

#include "sim.h"

#define SZ_2M (2UL << 20)
#define AREA (2 * SZ_2M)
/* AREA bytes at a 2 MiB boundary: hugetlb, THP, or plain. */
enum backing { PLAIN, HUGETLB, HUGETLBFS, THP };

static inline void *area_map(enum backing kind)
{
	char *raw, *buf;
	int fd;

	switch (kind) {
	case HUGETLB:
		buf = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		break;
	case HUGETLBFS:
		fd = open("/dev/hugepages/sim-real-memory", O_RDWR | O_CREAT,
			  0600);
		if (fd < 0)
			return MAP_FAILED;
		unlink("/dev/hugepages/sim-real-memory");
		buf = ftruncate(fd, AREA) ? MAP_FAILED :
		      mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		close(fd);
		break;
	default:
		raw = mmap(NULL, AREA + SZ_2M, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			return raw;
		buf = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
		if (kind == THP && madvise(buf, AREA, MADV_HUGEPAGE))
			return MAP_FAILED;
		break;
	}
	if (buf != MAP_FAILED)
		memset(buf, 0x5a, AREA);
	return buf;
}

/* Anonymous huge pages the process has now, from /proc/self/smaps_rollup. */
static inline long thp_kib(void)
{
	char text[4096], *p;

	if (sim_read_file("/proc/self/smaps_rollup", text, sizeof(text)) < 0)
		return -1;
	p = strstr(text, "AnonHugePages:");
	return p ? strtol(p + strlen("AnonHugePages:"), NULL, 10) : -1;
}

#endif /* __IOASIM_SIM_BACKING_H */
