/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the arguments of a VFIO device node's ioctls
 *
 * The mock VFIO nodes (vfio_cdev.c) and the real device nodes of the edu
 * driver (edu/node.c) answer the same ioctls. Each reads its argument
 * here, by VFIO's argsz rules (at least the fields up to the last one
 * the command reads; no flags VFIO does not define), and writes its
 * answer back here.
 */
#ifndef __IOASIM_VFIO_ARGS_H
#define __IOASIM_VFIO_ARGS_H

#include <linux/iommu.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "ioasim_mock_uapi.h"
#include "uapi_later.h"

/* VFIO_DEVICE_BIND_IOMMUFD: -EFAULT, or -EINVAL for argsz, flags, fd. */
static inline int vfio_args_bind(void __user *arg,
				 struct vfio_device_bind_iommufd *bind)
{
	const size_t minsz = offsetofend(struct vfio_device_bind_iommufd,
					 out_devid);

	if (copy_from_user(bind, arg, minsz))
		return -EFAULT;
	if (bind->argsz < minsz || bind->flags || bind->iommufd < 0)
		return -EINVAL;
	return 0;
}

static inline int vfio_args_bound(void __user *arg, u32 dev_id)
{
	return put_user(dev_id, &((struct vfio_device_bind_iommufd __user *)
				  arg)->out_devid);
}

/*
 * The rules 6.15's ATTACH_IOMMUFD_PT and DETACH_IOMMUFD_PT share: @kbuf
 * starts with argsz and flags, as both structures do. At least @minsz
 * bytes; @flag is the one flag, and with it the caller passes the
 * whole @size. -EFAULT, or -EINVAL for argsz, flags.
 */
static inline int vfio_args_pasid_form(void __user *arg, void *kbuf,
				       size_t minsz, size_t size, u32 flag)
{
	const u32 *head = kbuf;	/* argsz, flags */

	if (copy_from_user(kbuf, arg, minsz))
		return -EFAULT;
	if (head[0] < minsz || head[1] & ~flag)
		return -EINVAL;
	if (!(head[1] & flag))
		return 0;
	if (head[0] < size)
		return -EINVAL;
	if (copy_from_user((u8 *)kbuf + minsz, (u8 __user *)arg + minsz,
			   size - minsz))
		return -EFAULT;
	return 0;
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, in Linux 6.15's layout (uapi_later.h):
 * at least up to @pt_id, and up to @pasid with VFIO_DEVICE_ATTACH_PASID.
 */
static inline int vfio_args_attach(void __user *arg,
				   struct ioasim_vfio_attach_pt *attach)
{
	attach->pasid = IOMMU_NO_PASID;
	return vfio_args_pasid_form(arg, attach,
				    offsetofend(struct ioasim_vfio_attach_pt,
						pt_id),
				    sizeof(*attach), VFIO_DEVICE_ATTACH_PASID);
}

static inline int vfio_args_attached(void __user *arg, u32 pt_id)
{
	return put_user(pt_id, &((struct ioasim_vfio_attach_pt __user *)
				 arg)->pt_id);
}

/*
 * VFIO_DEVICE_DETACH_IOMMUFD_PT, in Linux 6.15's layout: at least up to
 * @flags, and up to @pasid with VFIO_DEVICE_DETACH_PASID.
 */
static inline int vfio_args_detach(void __user *arg,
				   struct ioasim_vfio_detach_pt *detach)
{
	detach->pasid = IOMMU_NO_PASID;
	return vfio_args_pasid_form(arg, detach,
				    offsetofend(struct ioasim_vfio_detach_pt,
						flags),
				    sizeof(*detach), VFIO_DEVICE_DETACH_PASID);
}

/*
 * IOASIM_MOCK_VFIO_DMA: read by its argsz, at least up to @uptr and for a
 * copy up to @src_iova; the structure's tail beyond argsz reads as 0.
 * -EFAULT, or -EINVAL for argsz, flags, length, or a copy that names a
 * buffer or writes too.
 */
static inline int vfio_args_dma(void __user *arg,
				struct ioasim_mock_vfio_dma *dma)
{
	const size_t minsz = offsetofend(struct ioasim_mock_vfio_dma, uptr);
	u32 argsz;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	memset(dma, 0, sizeof(*dma));
	if (copy_from_user(dma, arg, min_t(size_t, argsz, sizeof(*dma))))
		return -EFAULT;
	if (dma->flags & ~(IOASIM_MOCK_VFIO_DMA_WRITE |
			   IOASIM_MOCK_VFIO_DMA_COPY) ||
	    !dma->length || dma->length > IOASIM_MOCK_VFIO_DMA_MAX)
		return -EINVAL;
	if (dma->flags & IOASIM_MOCK_VFIO_DMA_COPY &&
	    (dma->flags & IOASIM_MOCK_VFIO_DMA_WRITE || dma->uptr ||
	     argsz < offsetofend(struct ioasim_mock_vfio_dma, src_iova)))
		return -EINVAL;
	return 0;
}

#endif /* __IOASIM_VFIO_ARGS_H */
