// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the edu device's node, /dev/vfio/devices/ioasim-eduN
 *
 * The ioctls and rules of the mock VFIO nodes (mock_iommu/vfio_cdev.c):
 * each open file is a device file of its own; one file of a device is
 * bound at a time; before BIND a file answers nothing but BIND (EINVAL);
 * closing the bound file detaches and unbinds. Once the PCI driver has
 * let the device go (unbind, or removal through sysfs), the binding is
 * gone and every ioctl answers ENODEV; the node's memory lives until the
 * last file closes.
 */
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "ioasim_private.h"
#include "cdev.h"
#include "device.h"
#include "edu.h"
#include "vfio_args.h"

static DEFINE_IDA(edu_ida);

static void edu_free(struct kref *kref)
{
	struct ioasim_edu *edu = container_of(kref, struct ioasim_edu, kref);

	if (edu->index >= 0)
		ida_free(&edu_ida, edu->index);
	mutex_destroy(&edu->lock);
	pci_dev_put(edu->pdev);
	kfree(edu);
}

/**
 * ioasim_edu_put() - drop a reference on the node
 * @edu: the node; freed with its last reference
 */
void ioasim_edu_put(struct ioasim_edu *edu)
{
	kref_put(&edu->kref, edu_free);
}

/* Detach and unbind, and stop the device mastering the bus first. */
static void edu_unbind_locked(struct ioasim_edu *edu)
{
	lockdep_assert_held(&edu->lock);
	if (!edu->idev)
		return;
	if (edu->attached)
		ioasim_device_detach(edu->idev);
	ioasim_device_unbind(edu->idev);
	edu->idev = NULL;
	edu->attached = false;
	edu->bound_file = NULL;
}

static int edu_open(struct inode *inode, struct file *file)
{
	/* The misc core points private_data at the miscdevice. */
	struct ioasim_edu *edu = container_of(file->private_data,
					      struct ioasim_edu, misc);

	/* Under the misc core's lock, which removal takes too. */
	kref_get(&edu->kref);
	return 0;
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct ioasim_edu *edu = container_of(file->private_data,
					      struct ioasim_edu, misc);

	mutex_lock(&edu->lock);
	if (edu->bound_file == file)
		edu_unbind_locked(edu);
	mutex_unlock(&edu->lock);
	ioasim_edu_put(edu);
	return 0;
}

static long edu_bind(struct ioasim_edu *edu, struct file *file,
		     void __user *arg)
{
	struct vfio_device_bind_iommufd bind;
	struct ioasim_device *idev;
	struct ioasim_ctx *ctx;
	u32 dev_id;
	int rc;

	rc = vfio_args_bind(arg, &bind);
	if (rc)
		return rc;
	if (edu->bound_file)
		return -EINVAL;
	ctx = ioasim_ctx_from_fd(bind.iommufd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	idev = ioasim_device_bind(ctx, &edu->pdev->dev, &dev_id);
	/* A binding holds the context itself. */
	ioasim_ctx_put(ctx);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	edu->idev = idev;
	edu->bound_file = file;
	if (vfio_args_bound(arg, dev_id)) {
		edu_unbind_locked(edu);
		return -EFAULT;
	}
	return 0;
}

static long edu_attach(struct ioasim_edu *edu, void __user *arg)
{
	struct ioasim_vfio_attach_pt attach;
	int rc;

	rc = vfio_args_attach(arg, &attach);
	if (rc)
		return rc;
	/* No PASID capability: VFIO's answer for a driver without PASIDs. */
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID)
		return -EOPNOTSUPP;
	if (edu->attached)
		rc = ioasim_device_replace(edu->idev, &attach.pt_id);
	else
		rc = ioasim_device_attach(edu->idev, &attach.pt_id);
	if (rc)
		return rc;
	edu->attached = true;
	if (vfio_args_attached(arg, attach.pt_id)) {
		ioasim_device_detach(edu->idev);
		edu->attached = false;
		return -EFAULT;
	}
	return 0;
}

static long edu_detach(struct ioasim_edu *edu, void __user *arg)
{
	struct ioasim_vfio_detach_pt detach;
	int rc;

	rc = vfio_args_detach(arg, &detach);
	if (rc)
		return rc;
	if (detach.flags & VFIO_DEVICE_DETACH_PASID)
		return -EOPNOTSUPP;
	if (edu->attached)
		rc = ioasim_device_detach(edu->idev);
	edu->attached = false;
	return rc;
}

static long edu_dma(struct ioasim_edu *edu, void __user *arg)
{
	struct ioasim_mock_vfio_dma dma;
	int rc;

	rc = vfio_args_dma(arg, &dma);
	if (rc)
		return rc;
	/* The CPU cannot reach the device's buffer: copies only. */
	if (!(dma.flags & IOASIM_MOCK_VFIO_DMA_COPY))
		return -EOPNOTSUPP;
	rc = ioasim_edu_copy(edu, dma.iova, dma.src_iova, dma.length);
	/* Blocked while not attached is the blocking domain's doing. */
	if (rc == -EFAULT && !edu->attached)
		rc = -EPERM;
	return rc;
}

static long edu_ioctl(struct file *file, unsigned int ioctl,
		      unsigned long arg)
{
	struct ioasim_edu *edu = container_of(file->private_data,
					      struct ioasim_edu, misc);
	void __user *uarg = (void __user *)arg;
	long rc;

	mutex_lock(&edu->lock);
	if (edu->removed) {
		rc = -ENODEV;
		goto out_unlock;
	}
	if (ioctl == VFIO_DEVICE_BIND_IOMMUFD) {
		rc = edu_bind(edu, file, uarg);
		goto out_unlock;
	}
	/* Before BIND, a device file grants nothing. */
	if (edu->bound_file != file) {
		rc = -EINVAL;
		goto out_unlock;
	}
	switch (ioctl) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		rc = edu_attach(edu, uarg);
		break;
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		rc = edu_detach(edu, uarg);
		break;
	case IOASIM_MOCK_VFIO_DMA:
		rc = edu_dma(edu, uarg);
		break;
	default:
		rc = -ENOTTY;
	}
out_unlock:
	mutex_unlock(&edu->lock);
	return rc;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * ioasim_edu_node_add() - give a probed device its node
 * @edu: the device, with the probe's reference
 *
 * Return: 0 or an errno; on failure @edu is the caller's to put.
 */
int ioasim_edu_node_add(struct ioasim_edu *edu)
{
	int rc;

	edu->index = ida_alloc(&edu_ida, GFP_KERNEL);
	if (edu->index < 0)
		return edu->index;
	snprintf(edu->name, sizeof(edu->name), "ioasim-edu%d", edu->index);
	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = edu->name;
	edu->misc.fops = &edu_fops;
	edu->misc.mode = 0660;
	edu->misc.parent = &edu->pdev->dev;
	edu->misc.nodename = kasprintf(GFP_KERNEL, "vfio/devices/%s",
				       edu->name);
	rc = edu->misc.nodename ? misc_register(&edu->misc) : -ENOMEM;
	if (rc)
		kfree(edu->misc.nodename);
	return rc;
}

/**
 * ioasim_edu_node_remove() - the PCI driver lets the device go
 * @edu: the device
 *
 * No new file opens once the node is deregistered; a bound file loses
 * its binding here, after bus mastering is off, so no DMA follows; the
 * files still open answer ENODEV until they close.
 */
void ioasim_edu_node_remove(struct ioasim_edu *edu)
{
	misc_deregister(&edu->misc);
	kfree(edu->misc.nodename);
	mutex_lock(&edu->lock);
	edu->removed = true;
	pci_clear_master(edu->pdev);
	edu_unbind_locked(edu);
	mutex_unlock(&edu->lock);
}
