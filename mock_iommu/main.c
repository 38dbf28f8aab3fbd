// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the test module: the mock IOMMU, IOMMU_TEST_CMD and the mock
 * VFIO nodes; in the KUnit build (ioasim_test) also the suites that use
 * them, in a real kernel alone (ioasim_mock.ko)
 *
 * The pieces come up in dependency order and go in the reverse one: the
 * IOMMU first, since the control plane and the nodes create devices
 * behind it.
 */
#include <linux/module.h>

#include "control.h"
#include "mock.h"
#include "vfio_cdev.h"

/*
 * Registered when the test code loads (an initcall when built in, so
 * before the suites run), unregistered when it unloads.
 */
static int __init ioasim_mock_init(void)
{
	int rc;

	rc = ioasim_mock_iommu_register();
	if (rc)
		return rc;
	ioasim_control_init();
	rc = ioasim_vfio_nodes_init();
	if (rc) {
		ioasim_control_exit();
		ioasim_mock_iommu_unregister();
	}
	return rc;
}
module_init(ioasim_mock_init);

static void __exit ioasim_mock_exit(void)
{
	ioasim_vfio_nodes_exit();
	ioasim_control_exit();
	ioasim_mock_iommu_unregister();
}
module_exit(ioasim_mock_exit);

MODULE_DESCRIPTION("ioasim test module: mock IOMMU, mock VFIO nodes, IOMMU_TEST_CMD");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(IOASIM);
MODULE_IMPORT_NS(IOASIM_TEST);
