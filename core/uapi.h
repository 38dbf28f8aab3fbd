/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the ioctl layer: the size rules every command follows, and
 * the hook through which a test module adds the selftest control plane
 */
#ifndef __IOASIM_UAPI_H
#define __IOASIM_UAPI_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct ioasim_ctx;
struct ioasim_ioas;
struct iommu_ioas_copy;
struct iommu_vfio_ioas;

/**
 * struct ioasim_ucmd - one ioctl in flight
 * @ctx: the file's context
 * @ubuf: the caller's argument
 * @user_size: its first u32, once read
 */
struct ioasim_ucmd {
	struct ioasim_ctx *ctx;
	void __user *ubuf;
	u32 user_size;
};

int ioasim_ucmd_read(struct ioasim_ucmd *ucmd, void *kcmd, size_t size,
		     size_t min_size);
int ioasim_ucmd_write(struct ioasim_ucmd *ucmd, const void *kcmd, size_t size);

long ioasim_ctx_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
		      void __user *arg);

long ioasim_vfio_compat_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
			      unsigned long arg);
int ioasim_vfio_ioas(struct ioasim_ctx *ctx, struct iommu_vfio_ioas *cmd);
struct ioasim_ioas *ioasim_vfio_ioas_get(struct ioasim_ctx *ctx);

/**
 * struct ioasim_test_plane - the selftest control plane of a test module
 * @ioctl: the command it answers (IOMMU_TEST_CMD)
 * @cmd: runs it; follows the size rules of every iommufd command
 * @copy_src: called before IOMMU_IOAS_COPY runs, to turn a source IOVA
 *	given in the plane's area-index form into an IOVA
 *
 * The plane lives with the mock IOMMU driver, outside core/; it registers
 * itself when the test code loads (the KUnit build, or ioasim_mock.ko in
 * a real kernel).
 */
struct ioasim_test_plane {
	unsigned int ioctl;
	int (*cmd)(struct ioasim_ucmd *ucmd);
	void (*copy_src)(struct ioasim_ctx *ctx, struct iommu_ioas_copy *cmd);
};

void ioasim_test_plane_register(const struct ioasim_test_plane *plane);
void ioasim_test_plane_unregister(void);

#endif /* __IOASIM_UAPI_H */
