/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the selftest control plane (IOMMU_TEST_CMD), see control.c
 */
#ifndef __IOASIM_MOCK_CONTROL_H
#define __IOASIM_MOCK_CONTROL_H

void ioasim_control_init(void);
void ioasim_control_exit(void);

#endif /* __IOASIM_MOCK_CONTROL_H */
