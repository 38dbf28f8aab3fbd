// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock IOMMU's devices (see mock.h)
 *
 * A mock device is a platform device with the mock's name, whose platform
 * data points back at its struct ioasim_mock_dev. Adding it makes the
 * iommu core probe it through the mock IOMMU and give it a group.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "inject.h"
#include "mock.h"

/**
 * ioasim_mock_dev_of() - the mock device behind a struct device
 * @dev: any device
 *
 * Context: any context.
 * Return: the mock device, or NULL if @dev is not one of the mock's.
 */
struct ioasim_mock_dev *ioasim_mock_dev_of(struct device *dev)
{
	if (!dev_is_platform(dev) ||
	    strcmp(to_platform_device(dev)->name, IOASIM_MOCK_DEV_NAME))
		return NULL;
	return *(struct ioasim_mock_dev **)dev_get_platdata(dev);
}

/* Whether the iommu core has ever given the mock a device to probe. */
static bool mock_probed_any;

/**
 * ioasim_mock_dev_probed() - the mock IOMMU was asked to probe a device
 *
 * The iommu core gives a device without firmware description to the first
 * IOMMU registered without one; VT-d and AMD-Vi, built in, come first
 * where they are enabled, and then the mock is never asked. A device the
 * mock never probed is -ENODEV then, not a failed allocation.
 *
 * Context: the mock's probe_device.
 */
void ioasim_mock_dev_probed(void)
{
	WRITE_ONCE(mock_probed_any, true);
}

/**
 * ioasim_mock_dev_create_in_group() - add a device to a peer's iommu group
 * @flags: IOASIM_MOCK_DEV_* flags
 * @peer: the device whose group to join (it must outlive the new one), or
 *	NULL for a group of its own
 *
 * The iommu core probes the device while it is added: on return it has its
 * iommu group and is attached to the group's domain (the identity default
 * domain for a new group).
 *
 * Context: process context, may sleep.
 * Return: the device, or an ERR_PTR.
 */
struct ioasim_mock_dev *
ioasim_mock_dev_create_in_group(u32 flags, struct ioasim_mock_dev *peer)
{
	/* A PASID width as firmware gives it, read when the core probes. */
	const struct property_entry pasid_props[] = {
		PROPERTY_ENTRY_U32("pasid-num-bits", IOASIM_MOCK_PASID_BITS),
		{ }
	};
	struct platform_device_info info = {
		.name = IOASIM_MOCK_DEV_NAME,
		.id = PLATFORM_DEVID_AUTO,
		.size_data = sizeof(struct ioasim_mock_dev *),
		.properties = flags & IOASIM_MOCK_DEV_PASID ? pasid_props : NULL,
	};
	struct ioasim_mock_dev *mdev;
	struct iommu_group *group;
	int rc;

	mdev = ioasim_kzalloc("mock.dev_alloc", sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mdev->flags = flags;
	mdev->peer = peer;
	xa_init(&mdev->pasids);

	/* The platform data is a pointer back to @mdev. */
	info.data = &mdev;
	mdev->pdev = ioasim_should_fail("mock.dev_add") ? ERR_PTR(-ENOMEM) :
		platform_device_register_full(&info);
	if (IS_ERR(mdev->pdev)) {
		rc = PTR_ERR(mdev->pdev);
		xa_destroy(&mdev->pasids);
		kfree(mdev);
		/*
		 * platform_device_add() ignores a failure to allocate the
		 * name, and device_add() then refuses the nameless device
		 * with -EINVAL. Our name and id are always valid: it is
		 * memory.
		 */
		return ERR_PTR(rc == -EINVAL ? -ENOMEM : rc);
	}
	/*
	 * The bus notifier probed the IOMMU: the device has a group and the
	 * group a domain. For a mock device that fails only when memory runs
	 * out, and leaves a device nothing can bind or attach - or when the
	 * iommu core gives the mock no devices at all (VT-d or AMD-Vi take
	 * them: see ioasim_mock_dev_probed()).
	 */
	group = iommu_group_get(&mdev->pdev->dev);
	if (!group || !iommu_get_domain_for_dev(&mdev->pdev->dev)) {
		rc = READ_ONCE(mock_probed_any) ? -ENOMEM : -ENODEV;
		iommu_group_put(group);
		ioasim_mock_dev_destroy(mdev);
		return ERR_PTR(rc);
	}
	iommu_group_put(group);
	return mdev;
}

/**
 * ioasim_mock_dev_create() - add a device behind the mock IOMMU, in an
 *	iommu group of its own
 * @flags: IOASIM_MOCK_DEV_* flags
 *
 * Context: process context, may sleep.
 * Return: the device, or an ERR_PTR.
 */
struct ioasim_mock_dev *ioasim_mock_dev_create(u32 flags)
{
	return ioasim_mock_dev_create_in_group(flags, NULL);
}

/**
 * ioasim_mock_dev_destroy() - remove a device made by ioasim_mock_dev_create()
 * @mdev: the device; its domains must have been freed already
 *
 * Context: process context, may sleep.
 */
void ioasim_mock_dev_destroy(struct ioasim_mock_dev *mdev)
{
	platform_device_unregister(mdev->pdev);
	/* The core removes every PASID's domain before a device goes. */
	WARN_ON(!xa_empty(&mdev->pasids));
	xa_destroy(&mdev->pasids);
	kfree(mdev);
}
