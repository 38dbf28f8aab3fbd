/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) when make selftests builds the kernel's own
 * iommufd selftests from the Debian tree. Debian backported selftests
 * that name a few things of a later uAPI than its 6.12 one; these are
 * their values there, so that the programs build against 6.12's headers.
 * ioasim speaks 6.12: the cases that really use them fail (see the
 * README's selftest table), the rest are untouched.
 */

/*
 * struct iommu_hw_info: later kernels put an input type in a union with
 * out_data_type, at the same offset. Writing it writes out_data_type.
 */
#define in_data_type out_data_type
/* 6.12's IOMMU_HW_INFO_TYPE_NONE: "whatever the device has". */
#define IOMMU_HW_INFO_TYPE_DEFAULT 0
/* Later: in_data_type is valid. 6.12 knows no flags: -EOPNOTSUPP. */
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
/* iommufd_test.h: a PASID-capable mock device, unknown to 6.12's mock. */
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#define MOCK_PASID_WIDTH 20
