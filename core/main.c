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
#include "ledger.h"
#include "uapi.h"

static int __init ioasim_init(void)
{
	int rc = ioasim_fault_init();

	if (rc)
		return rc;
	ioasim_ledger_init();
	rc = ioasim_cdev_init();
	/* LCOV_EXCL_START: only a device name already taken gets here */
	if (rc) {
		ioasim_ledger_exit();
		ioasim_fault_exit();
	}
	/* LCOV_EXCL_STOP */
	return rc;
}
module_init(ioasim_init);

static void __exit ioasim_exit(void)
{
	ioasim_cdev_exit();
	ioasim_ledger_exit();
	ioasim_fault_exit();
}
module_exit(ioasim_exit);

MODULE_DESCRIPTION("ioasim: a testable iommufd core");
MODULE_LICENSE("GPL");
/* iommu_group_replace_domain() is exported for iommufd implementations. */
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
