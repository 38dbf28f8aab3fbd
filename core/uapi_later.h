/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ioasim - the uAPI ioasim speaks beyond the 6.12 headers it builds with
 *
 * Attaching a device per PASID came with Linux 6.15; an input type for
 * IOMMU_GET_HW_INFO later still. ioasim follows them, with their values
 * there. Each name is defined only where the headers at hand lack it, so
 * that userspace may include this beside newer headers.
 */
#ifndef __IOASIM_UAPI_LATER_H
#define __IOASIM_UAPI_LATER_H

#include <linux/types.h>

/* IOMMU_HWPT_ALLOC: the HWPT may be attached to a PASID of a device. */
#ifndef IOMMU_HWPT_ALLOC_PASID
#define IOMMU_HWPT_ALLOC_PASID 0x8
#endif

/*
 * IOMMU_GET_HW_INFO: with this flag the caller names the data type it
 * wants in the field the kernel writes out_data_type to (later headers
 * call it in_data_type, in a union at that offset): DEFAULT for the
 * device's own, or that type again; anything else is -EOPNOTSUPP.
 */
#ifndef IOMMU_HW_INFO_FLAG_INPUT_TYPE
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE 0x1
#endif
#ifndef IOMMU_HW_INFO_TYPE_DEFAULT
#define IOMMU_HW_INFO_TYPE_DEFAULT 0
#endif

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT and VFIO_DEVICE_DETACH_IOMMUFD_PT on a
 * device's cdev: with the PASID flag the request is for that PASID of the
 * device, and the structures carry it. The ioctl numbers are 6.12's.
 */
#ifndef VFIO_DEVICE_ATTACH_PASID
#define VFIO_DEVICE_ATTACH_PASID 0x1
#endif
#ifndef VFIO_DEVICE_DETACH_PASID
#define VFIO_DEVICE_DETACH_PASID 0x1
#endif

/**
 * struct ioasim_vfio_attach_pt - struct vfio_device_attach_iommufd_pt of
 *	Linux 6.15
 * @argsz: bytes the caller passes: up to @pt_id, up to @pasid with the flag
 * @flags: 0 or VFIO_DEVICE_ATTACH_PASID
 * @pt_id: in: an IOAS or HWPT; out: the HWPT attached
 * @pasid: the PASID, with the flag
 */
struct ioasim_vfio_attach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

/**
 * struct ioasim_vfio_detach_pt - struct vfio_device_detach_iommufd_pt of
 *	Linux 6.15
 * @argsz: bytes the caller passes: up to @flags, up to @pasid with the flag
 * @flags: 0 or VFIO_DEVICE_DETACH_PASID
 * @pasid: the PASID, with the flag
 */
struct ioasim_vfio_detach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};

#endif /* __IOASIM_UAPI_LATER_H */
