/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) when make selftests builds the kernel's own
 * iommufd selftests from the Debian tree. Debian backported selftests
 * that name a few things of a later uAPI than its 6.12 headers have: a
 * PASID-capable mock device and GET_HW_INFO's input type. ioasim serves
 * both (README, deliberate differences); the values come from its own
 * headers.
 */
#include "../../core/uapi_later.h"
#include "../../mock_iommu/ioasim_mock_uapi.h"

/*
 * struct iommu_hw_info: later kernels put the input type in a union with
 * out_data_type, at the same offset.
 */
#define in_data_type out_data_type
