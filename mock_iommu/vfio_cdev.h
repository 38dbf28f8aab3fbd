/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - mock VFIO devices as character devices, see vfio_cdev.c
 */
#ifndef __IOASIM_MOCK_VFIO_CDEV_H
#define __IOASIM_MOCK_VFIO_CDEV_H

int ioasim_vfio_nodes_init(void);
void ioasim_vfio_nodes_exit(void);

#endif /* __IOASIM_MOCK_VFIO_CDEV_H */
