// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - module entry points
 *
 * ioasim is an iommufd core built for testing: the I/O address space,
 * page pinning and IOMMU-domain attach logic behind /dev/iommu. The same
 * sources build into KUnit suites under UML and into this module.
 */
#include <linux/module.h>

#include "inject.h"
#include "ioasim_private.h"
#include "ledger.h"
#include "cdev.h"

static int __init ioasim_init(void)
{
	int rc;

	/* Serving /dev/iommu, the knobs are where iommufd's users look. */
	rc = ioasim_inject_init(ioasim_cdev_is_iommufd() ? "fail_iommufd" :
				"fail_ioasim");
	if (rc)
		return rc;
	ioasim_ledger_init(ioasim_obj_show);
	rc = ioasim_cdev_init();
	/* LCOV_EXCL_START: only a device name already taken gets here */
	if (rc) {
		ioasim_ledger_exit();
		ioasim_inject_exit();
	}
	/* LCOV_EXCL_STOP */
	return rc;
}
module_init(ioasim_init);

static void __exit ioasim_exit(void)
{
	ioasim_cdev_exit();
	ioasim_ledger_exit();
	ioasim_inject_exit();
}
module_exit(ioasim_exit);

MODULE_DESCRIPTION("ioasim: a testable iommufd core");
MODULE_LICENSE("GPL");
/* iommu_group_replace_domain() is exported for iommufd implementations. */
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
