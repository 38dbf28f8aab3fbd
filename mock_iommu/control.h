/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the selftest control plane (IOMMU_TEST_CMD), see control.c;
 * its access operations are in control_access.c
 */
#ifndef __IOASIM_MOCK_CONTROL_H
#define __IOASIM_MOCK_CONTROL_H

#include <linux/types.h>

struct ioasim_ioas;
struct ioasim_ucmd;
struct iommu_test_cmd;

void ioasim_control_init(void);
void ioasim_control_exit(void);

unsigned long ioasim_control_syz_iova(struct ioasim_ioas *ioas, u64 value);
int ioasim_control_access_cmd(struct ioasim_ucmd *ucmd,
			      struct iommu_test_cmd *cmd);

#endif /* __IOASIM_MOCK_CONTROL_H */
