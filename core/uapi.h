/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the ioctl layer of /dev/iommu
 */
#ifndef __IOASIM_UAPI_H
#define __IOASIM_UAPI_H

#include <linux/compiler_types.h>

struct ioasim_ctx;

long ioasim_ctx_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
		      void __user *arg);

#endif /* __IOASIM_UAPI_H */
