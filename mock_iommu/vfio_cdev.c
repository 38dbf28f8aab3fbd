// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - mock VFIO devices as character devices
 *
 * With ioasim_test.vfio_devices=N on the kernel command line (or the
 * module parameter), the test build creates N devices behind the mock
 * IOMMU at boot and gives each a node, /dev/vfio/devices/ioasim-vfioK,
 * that speaks VFIO's device-centric interface as a VMM uses it:
 *
 *   VFIO_DEVICE_BIND_IOMMUFD       bind the device to an iommufd file
 *   VFIO_DEVICE_ATTACH_IOMMUFD_PT  attach to an IOAS or HWPT, or replace;
 *                                  with VFIO_DEVICE_ATTACH_PASID, one
 *                                  PASID of the device (Linux 6.15)
 *   VFIO_DEVICE_DETACH_IOMMUFD_PT  detach (nothing to do if not attached),
 *                                  or one PASID with
 *                                  VFIO_DEVICE_DETACH_PASID
 *   IOASIM_MOCK_VFIO_DMA           DMA by IOVA (ioasim_mock_uapi.h)
 *
 * Each open file is a device file of its own, as VFIO's are; one file of
 * a device can be bound at a time, and before binding a file only
 * answers BIND (-EINVAL otherwise). Closing a bound file detaches and
 * unbinds.
 *
 * The devices come in a fixed pattern of four, so that a program can
 * count on each situation: K % 4 == 0 and 1 in iommu groups of their own;
 * 2 in the group of K - 1 (a group of two devices); 3 behind an IOMMU of
 * another kind (a 4 GiB aperture, whose domains the others cannot use).
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "ioasim_mock_uapi.h"
#include "ioasim_private.h"
#include "mock.h"
#include "cdev.h"
#include "vfio.h"
#include "vfio_args.h"
#include "vfio_cdev.h"

static unsigned int vfio_devices;
module_param(vfio_devices, uint, 0444);
MODULE_PARM_DESC(vfio_devices,
		 "mock VFIO device nodes to create at load (default 0)");

/**
 * struct vfio_node - one mock VFIO device and its node
 * @misc: the node
 * @name: its name
 * @mdev: the device
 * @lock: protects @bound_file
 * @bound_file: the file bound to a context, or NULL
 */
struct vfio_node {
	struct miscdevice misc;
	char name[32];
	struct ioasim_mock_dev *mdev;
	struct mutex lock; /* see the kernel-doc above */
	struct file *bound_file;
};

/**
 * struct vfio_file - an open device file
 * @vfio: the mock VFIO device file
 * @node: the node it was opened through
 */
struct vfio_file {
	struct ioasim_mock_vfio vfio;
	struct vfio_node *node;
};

static struct vfio_node *vfio_nodes;
static unsigned int vfio_nnodes;

static int vfio_node_open(struct inode *inode, struct file *file)
{
	/* The misc core points private_data at the miscdevice. */
	struct vfio_node *node = container_of(file->private_data,
					      struct vfio_node, misc);
	struct vfio_file *vf;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	ioasim_mock_vfio_init(&vf->vfio, node->mdev);
	vf->node = node;
	file->private_data = vf;
	return 0;
}

static int vfio_node_release(struct inode *inode, struct file *file)
{
	struct vfio_file *vf = file->private_data;
	struct vfio_node *node = vf->node;

	ioasim_mock_vfio_release(&vf->vfio);
	mutex_lock(&node->lock);
	if (node->bound_file == file)
		node->bound_file = NULL;
	mutex_unlock(&node->lock);
	mutex_destroy(&vf->vfio.lock);
	kfree(vf);
	return 0;
}

static long vfio_node_bind(struct file *file, void __user *arg)
{
	struct vfio_file *vf = file->private_data;
	struct ioasim_mock_vfio *vfio = &vf->vfio;
	struct vfio_device_bind_iommufd bind;
	struct vfio_node *node = vf->node;
	struct ioasim_ctx *ctx;
	u32 dev_id;
	int rc;

	rc = vfio_args_bind(arg, &bind);
	if (rc)
		return rc;

	mutex_lock(&node->lock);
	/* One file of a device at a time, and one binding per file. */
	if (node->bound_file) {
		rc = -EINVAL;
		goto out_unlock;
	}
	ctx = ioasim_ctx_from_fd(bind.iommufd);
	if (IS_ERR(ctx)) {
		rc = PTR_ERR(ctx);
		goto out_unlock;
	}
	rc = ioasim_mock_vfio_bind(vfio, ctx, &dev_id);
	/* A binding holds the context itself. */
	ioasim_ctx_put(ctx);
	if (rc)
		goto out_unlock;
	if (vfio_args_bound(arg, dev_id)) {
		ioasim_mock_vfio_release(vfio);
		rc = -EFAULT;
		goto out_unlock;
	}
	node->bound_file = file;
out_unlock:
	mutex_unlock(&node->lock);
	return rc;
}

static long vfio_node_attach(struct ioasim_mock_vfio *vfio, void __user *arg)
{
	struct ioasim_vfio_attach_pt attach;
	int rc;

	rc = vfio_args_attach(arg, &attach) ?:
	     ioasim_mock_vfio_pasid_attach(vfio, attach.pasid, &attach.pt_id);
	if (rc)
		return rc;
	if (vfio_args_attached(arg, attach.pt_id)) {
		ioasim_mock_vfio_pasid_detach(vfio, attach.pasid);
		return -EFAULT;
	}
	return 0;
}

static long vfio_node_detach(struct ioasim_mock_vfio *vfio, void __user *arg)
{
	struct ioasim_vfio_detach_pt detach;

	return vfio_args_detach(arg, &detach) ?:
	       ioasim_mock_vfio_pasid_detach(vfio, detach.pasid);
}

static long vfio_node_dma(struct ioasim_mock_vfio *vfio, void __user *arg)
{
	struct ioasim_mock_vfio_dma dma;
	void __user *ubuf;
	bool write;
	void *buf;
	long rc;

	rc = vfio_args_dma(arg, &dma);
	if (rc)
		return rc;
	write = dma.flags & IOASIM_MOCK_VFIO_DMA_WRITE;
	ubuf = u64_to_user_ptr(dma.uptr);
	buf = kvzalloc(dma.length, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (dma.flags & IOASIM_MOCK_VFIO_DMA_COPY) {
		/* What the device read is what it writes. */
		rc = ioasim_mock_vfio_dma(vfio, dma.src_iova, buf, dma.length,
					  false);
		if (!rc)
			rc = ioasim_mock_vfio_dma(vfio, dma.iova, buf,
						  dma.length, true);
		goto out_free;
	}
	if (write && copy_from_user(buf, ubuf, dma.length)) {
		rc = -EFAULT;
		goto out_free;
	}
	rc = ioasim_mock_vfio_dma(vfio, dma.iova, buf, dma.length, write);
	if (!rc && !write && copy_to_user(ubuf, buf, dma.length))
		rc = -EFAULT;
out_free:
	kvfree(buf);
	return rc;
}

static long vfio_node_ioctl(struct file *file, unsigned int ioctl,
			    unsigned long arg)
{
	struct vfio_file *vf = file->private_data;
	struct ioasim_mock_vfio *vfio = &vf->vfio;
	void __user *uarg = (void __user *)arg;
	bool bound;

	if (ioctl == VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_node_bind(file, uarg);

	/* Before BIND, a device file grants nothing. */
	mutex_lock(&vfio->lock);
	bound = vfio->idev;
	mutex_unlock(&vfio->lock);
	if (!bound)
		return -EINVAL;

	switch (ioctl) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return vfio_node_attach(vfio, uarg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return vfio_node_detach(vfio, uarg);
	case IOASIM_MOCK_VFIO_DMA:
		return vfio_node_dma(vfio, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vfio_node_fops = {
	.owner = THIS_MODULE,
	.open = vfio_node_open,
	.release = vfio_node_release,
	.unlocked_ioctl = vfio_node_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* Remove the first @n nodes and their devices. */
static void vfio_nodes_remove(unsigned int n)
{
	while (n--) {
		misc_deregister(&vfio_nodes[n].misc);
		kfree(vfio_nodes[n].misc.nodename);
		/* The probe's reference, given back at add, goes with it. */
		__module_get(THIS_MODULE);
		ioasim_mock_dev_destroy(vfio_nodes[n].mdev);
		mutex_destroy(&vfio_nodes[n].lock);
	}
}

static int vfio_node_add(unsigned int k)
{
	struct vfio_node *node = &vfio_nodes[k];
	/* Nodes 0 and 1 of each four have PASIDs; 3 has another IOMMU. */
	u32 flags = k % 4 == 3 ? IOASIM_MOCK_DEV_SMALL_APERTURE :
		    k % 4 < 2 ? IOASIM_MOCK_DEV_PASID : 0;
	int rc;

	node->mdev = ioasim_mock_dev_create_in_group(flags, k % 4 == 2 ?
						     vfio_nodes[k - 1].mdev :
						     NULL);
	if (IS_ERR(node->mdev))
		return PTR_ERR(node->mdev);
	/*
	 * The iommu core's probe took a reference on the mock for the
	 * device. The nodes are the module's own, made at load and removed
	 * at unload: that reference would keep it loaded for ever. An open
	 * node holds the module through its file instead.
	 */
	module_put(THIS_MODULE);
	mutex_init(&node->lock);
	snprintf(node->name, sizeof(node->name), "ioasim-vfio%u", k);
	node->misc.minor = MISC_DYNAMIC_MINOR;
	node->misc.name = node->name;
	node->misc.fops = &vfio_node_fops;
	node->misc.mode = 0660;
	node->misc.nodename = kasprintf(GFP_KERNEL, "vfio/devices/%s",
					node->name);
	rc = node->misc.nodename ? misc_register(&node->misc) : -ENOMEM;
	if (rc) {
		kfree(node->misc.nodename);
		__module_get(THIS_MODULE);
		ioasim_mock_dev_destroy(node->mdev);
		mutex_destroy(&node->lock);
	}
	return rc;
}

/**
 * ioasim_vfio_nodes_init() - create the vfio_devices mock VFIO nodes
 *
 * Context: module init, after the mock IOMMU is registered.
 * Return: 0 or an errno; on failure no node is left.
 */
int ioasim_vfio_nodes_init(void)
{
	unsigned int k;
	int rc;

	if (!vfio_devices)
		return 0;
	vfio_nodes = kcalloc(vfio_devices, sizeof(*vfio_nodes), GFP_KERNEL);
	if (!vfio_nodes)
		return -ENOMEM;
	for (k = 0; k < vfio_devices; k++) {
		rc = vfio_node_add(k);
		if (rc) {
			vfio_nodes_remove(k);
			kfree(vfio_nodes);
			vfio_nodes = NULL;
			return rc;
		}
		vfio_nnodes = k + 1;
	}
	return 0;
}

/**
 * ioasim_vfio_nodes_exit() - remove the mock VFIO nodes
 *
 * Context: module exit; no node is open (each open file holds the module).
 */
void ioasim_vfio_nodes_exit(void)
{
	vfio_nodes_remove(vfio_nnodes);
	kfree(vfio_nodes);
	vfio_nodes = NULL;
	vfio_nnodes = 0;
}
