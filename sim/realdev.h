/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: what the programs that drive a real device behind a real
 * IOMMU share - QEMU's edu device through ioasim_edu.ko's node - and what
 * make vm tells them about the machine on the kernel command line:
 *   ioasim_vm.isolated_msi=0|1  whether the platform isolates MSIs (VT-d
 *                               with interrupt remapping does,
 *                               virtio-iommu does not)
 *   ioasim_vm.enforce_cc=0|1    whether the IOMMU can enforce cache
 *                               coherency (VT-d with snoop control)
 */
#ifndef __IOASIM_SIM_REALDEV_H
#define __IOASIM_SIM_REALDEV_H

#include "devnode.h"

#define PAGE 4096UL
#define PARAM_UNSAFE "/sys/module/ioasim/parameters/allow_unsafe_interrupts"
#define NO_EDU "no real device: no edu node (UML, the mock VM)"

static inline void fill(void *buf, size_t len, unsigned char seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7 + (i >> 8);
}

/* /dev/kmsg from now on: the records after the mark. */
static inline int log_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Did the IOMMU driver report a fault at an address between @first and
 * @last since @mark (VT-d names the page, virtio-iommu the address)?
 * Closes @mark.
 */
static inline int log_fault(int mark, __u64 first, __u64 last)
{
	unsigned long long addr;
	char rec[1024], *p;
	unsigned int ep;
	int found = 0;
	ssize_t n;

	while ((n = read(mark, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;
		rec[n] = '\0';
		p = strstr(rec, "fault addr ");
		if (p && sscanf(p, "fault addr %llx", &addr) == 1 &&
		    addr >= (first & ~(PAGE - 1)) && addr <= last)
			found = 1;
		p = strstr(rec, "fault from EP ");
		if (p && sscanf(p, "fault from EP %u at %llx", &ep, &addr) == 2 &&
		    addr >= first && addr <= last)
			found = 1;
	}
	close(mark);
	return found;
}

/* Bind, letting unisolated MSIs through where the machine has no other. */
static inline int bind_edu(int dev, int fd, __u32 *dev_id)
{
	int rc = sim_dev_bind(dev, fd, dev_id);

	if (rc == -EPERM && !sim_cmdline_ulong("ioasim_vm.isolated_msi=", 1)) {
		if (sim_write_file(PARAM_UNSAFE, "1"))
			return rc;
		rc = sim_dev_bind(dev, fd, dev_id);
	}
	return rc;
}

static inline int hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id,
			     __u32 flags, __u32 *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
		.pt_id = pt_id,
	};
	int rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	*hwpt = cmd.out_hwpt_id;
	return rc;
}

#endif /* __IOASIM_SIM_REALDEV_H */
