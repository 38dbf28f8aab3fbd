/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the character device and its ioctl layer
 */
#ifndef __IOASIM_UAPI_H
#define __IOASIM_UAPI_H

#include <linux/compiler_types.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

struct ioasim_ctx;

long ioasim_ctx_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
		      void __user *arg);
int ioasim_cdev_init(void);
void ioasim_cdev_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern const struct file_operations ioasim_fops;
extern struct miscdevice ioasim_misc;
#endif

#endif /* __IOASIM_UAPI_H */
