/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the character device
 *
 * The top of the core: the misc device whose open files are contexts.
 * Only the module's init and exit, and drivers that are handed an
 * iommufd file descriptor, look here.
 */
#ifndef __IOASIM_CDEV_H
#define __IOASIM_CDEV_H

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/types.h>

struct ioasim_ctx;

struct ioasim_ctx *ioasim_ctx_from_fd(int fd);
bool ioasim_cdev_is_iommufd(void);
int ioasim_cdev_init(void);
void ioasim_cdev_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern const struct file_operations ioasim_fops;
extern struct miscdevice ioasim_misc;
#endif

#endif /* __IOASIM_CDEV_H */
