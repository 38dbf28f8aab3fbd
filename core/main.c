// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - module entry points
 *
 * ioasim is an iommufd core built for testing: the I/O address space,
 * page pinning and IOMMU-domain attach logic behind /dev/iommu. The same
 * sources build into KUnit suites under UML and into this module.
 */
#include <linux/module.h>

#include "fault.h"

static int __init ioasim_init(void)
{
	return ioasim_fault_init();
}
module_init(ioasim_init);

/* LCOV_EXCL_START: runs on unload only; the coverage kernel is built in */
static void __exit ioasim_exit(void)
{
	ioasim_fault_exit();
}
module_exit(ioasim_exit);
/* LCOV_EXCL_STOP */

MODULE_DESCRIPTION("ioasim: a testable iommufd core");
MODULE_LICENSE("GPL");
/* iommu_group_replace_domain() is exported for iommufd implementations. */
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
