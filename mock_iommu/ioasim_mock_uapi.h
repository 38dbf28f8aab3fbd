/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ioasim - the mock VFIO device's one ioctl of its own, for userspace
 *
 * The mock VFIO device nodes (/dev/vfio/devices/ioasim-vfioN, created by
 * the test build when booted with ioasim_test.vfio_devices=N) answer
 * VFIO's BIND_IOMMUFD, ATTACH_IOMMUFD_PT and DETACH_IOMMUFD_PT, and this:
 * the device reads or writes memory by IOVA through what it is attached
 * to, so that a program can prove its translations end to end.
 */
#ifndef __IOASIM_MOCK_UAPI_H
#define __IOASIM_MOCK_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct ioasim_mock_vfio_dma - IOASIM_MOCK_VFIO_DMA
 * @argsz: the bytes of this structure the caller passes: at least up to
 *	@uptr, and up to @src_iova for a copy
 * @flags: one of
 *	0: the device reads memory at @iova into @uptr;
 *	IOASIM_MOCK_VFIO_DMA_WRITE: the device writes the bytes at @uptr
 *	to memory at @iova;
 *	IOASIM_MOCK_VFIO_DMA_COPY: the device reads memory at @src_iova and
 *	writes what it read at @iova (@uptr must be 0). This is the one
 *	form a device without a CPU-visible buffer can do, so the real
 *	device nodes answer only this one (EOPNOTSUPP otherwise).
 * @iova: first IOVA (the destination of a copy)
 * @length: bytes, at most IOASIM_MOCK_VFIO_DMA_MAX
 * @uptr: the caller's buffer
 * @src_iova: the first IOVA a copy reads
 *
 * Errors: EINVAL (argsz, flags, length, device not bound), EPERM (not
 * attached: DMA is blocked), EFAULT (an IOVA not mapped for that
 * direction; a device that faults midway has moved the bytes before the
 * fault, as hardware does).
 */
struct ioasim_mock_vfio_dma {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
	__aligned_u64 src_iova;
};

#define IOASIM_MOCK_VFIO_DMA_WRITE 0x1
#define IOASIM_MOCK_VFIO_DMA_COPY 0x2
#define IOASIM_MOCK_VFIO_DMA_MAX 0x100000 /* 1 MiB */

#define IOASIM_MOCK_VFIO_DMA _IO('|', 0x01)

/*
 * IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: a device flag of ioasim's own, beside
 * the selftest's MOCK_FLAGS_DEVICE_*. The device's MSIs are not isolated,
 * as on a platform without interrupt remapping, so binding it is EPERM
 * unless ioasim's allow_unsafe_interrupts parameter is set.
 */
#define IOASIM_MOCK_FLAGS_DEVICE_MSI_UNISOLATED 0x80000000U
/*
 * Another: the device's driver gives a software-managed MSI window
 * (IOMMU_RESV_SW_MSI) of 1 MiB at 0x8000000, which an IOAS the device is
 * attached to keeps free. Attaching it needs the DMA API's MSI cookie,
 * which a kernel without CONFIG_IOMMU_DMA (UML) cannot make: ENODEV.
 */
#define IOASIM_MOCK_FLAGS_DEVICE_SW_MSI 0x40000000U

/*
 * IOMMU_TEST_CMD's PASID operations, with the numbers and the layout of
 * Linux 6.15's iommufd_test.h, which the 6.12 one predates. There they
 * are enum constants (16 and 17 are operations ioasim does not serve):
 * include one header or the other.
 *
 *   PASID_ATTACH      attach PASID @pasid of the selftest device @id to
 *                     @pt_id (a HWPT or an IOAS); @pt_id returns the HWPT
 *   PASID_REPLACE     move the attached PASID to @pt_id
 *   PASID_DETACH      detach it (0 also if it was not attached)
 *   PASID_CHECK_HWPT  the PASID is attached to HWPT @pt_id, or to nothing
 *                     if @pt_id is 0, in ioasim's books and in the
 *                     mock IOMMU's alike (-EINVAL if not)
 *
 * MOCK_FLAGS_DEVICE_PASID makes the selftest device PASID-capable, with
 * a width of MOCK_PASID_WIDTH bits. On PASID IOMMU_TEST_PASID_RESERVED of
 * such a device every second domain set fails with -ENOMEM: a replace
 * fails there once after an attach, and the old HWPT must stay.
 */
#define IOMMU_TEST_OP_PASID_ATTACH 18
#define IOMMU_TEST_OP_PASID_REPLACE 19
#define IOMMU_TEST_OP_PASID_DETACH 20
#define IOMMU_TEST_OP_PASID_CHECK_HWPT 21
#ifndef MOCK_FLAGS_DEVICE_PASID
#define MOCK_FLAGS_DEVICE_PASID 0x4
#endif
#ifndef MOCK_PASID_WIDTH
#define MOCK_PASID_WIDTH 20
#endif
#ifndef IOMMU_TEST_PASID_RESERVED
#define IOMMU_TEST_PASID_RESERVED 1024
#endif

/**
 * struct ioasim_test_pasid - the union of struct iommu_test_cmd for the
 *	PASID operations (pasid_attach, pasid_replace, pasid_detach,
 *	pasid_check there)
 * @pasid: the PASID
 * @pt_id: the HWPT or IOAS (not read by PASID_DETACH)
 */
struct ioasim_test_pasid {
	__u32 pasid;
	__u32 pt_id;
};

#endif /* __IOASIM_MOCK_UAPI_H */
