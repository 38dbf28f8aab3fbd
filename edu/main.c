// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - test-only PCI driver for QEMU's edu device (see edu.h)
 *
 * Binds 1234:11e8 only. driver_managed_dma: the PCI core leaves the
 * device's DMA to the driver, which hands it to ioasim at BIND, so a
 * context claims the group's DMA ownership as it does for vfio-pci.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "edu.h"

#define EDU_VENDOR	0x1234	/* QEMU's test devices */
#define EDU_DEVICE	0x11e8

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ioasim_edu *edu;
	int rc;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	rc = pcim_iomap_regions(pdev, BIT(0), "ioasim_edu");
	if (rc)
		return rc;
	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pci_dev_get(pdev);
	edu->regs = pcim_iomap_table(pdev)[0];
	edu->index = -1;
	kref_init(&edu->kref);
	mutex_init(&edu->lock);
	if (!ioasim_edu_alive(edu)) {
		rc = -ENODEV;
		goto out_put;
	}
	/* Its DMA goes nowhere until a context attaches it. */
	pci_set_master(pdev);
	rc = ioasim_edu_node_add(edu);
	if (rc)
		goto out_master;
	pci_set_drvdata(pdev, edu);
	return 0;

out_master:
	pci_clear_master(pdev);
out_put:
	ioasim_edu_put(edu);
	return rc;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct ioasim_edu *edu = pci_get_drvdata(pdev);

	ioasim_edu_node_remove(edu);
	ioasim_edu_put(edu);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "ioasim_edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.driver_managed_dma = true,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("ioasim test-only driver: QEMU's edu PCI device as a VFIO-like node");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(IOASIM);
