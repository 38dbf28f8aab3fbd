// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the character device
 *
 * A misc device, /dev/iommu unless the module parameter devname says
 * otherwise (so that ioasim can sit beside the kernel's own iommufd). Each
 * open file is one context; release drops the file's reference, and the
 * context goes when nothing else (a bound device, an access) holds it.
 */
#include <kunit/visibility.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "ioasim_private.h"
#include "uapi.h"

static char *devname = "iommu";
module_param(devname, charp, 0444);
MODULE_PARM_DESC(devname, "name of the character device (default: iommu)");

static int ioasim_fops_open(struct inode *inode, struct file *file)
{
	struct ioasim_ctx *ctx = ioasim_ctx_create();

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	file->private_data = ctx;
	return 0;
}

static int ioasim_fops_release(struct inode *inode, struct file *file)
{
	ioasim_ctx_put(file->private_data);
	return 0;
}

static long ioasim_fops_ioctl(struct file *file, unsigned int ioctl,
			      unsigned long arg)
{
	return ioasim_ctx_ioctl(file->private_data, ioctl,
				(void __user *)arg);
}

VISIBLE_IF_KUNIT const struct file_operations ioasim_fops = {
	.owner = THIS_MODULE,
	.open = ioasim_fops_open,
	.release = ioasim_fops_release,
	.unlocked_ioctl = ioasim_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_fops);

VISIBLE_IF_KUNIT struct miscdevice ioasim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.fops = &ioasim_fops,
	.mode = 0666,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_misc);

/**
 * ioasim_cdev_init() - register the character device
 *
 * Context: module init.
 * Return: 0 or the misc layer's error (-EBUSY if the name is taken).
 */
int ioasim_cdev_init(void)
{
	ioasim_misc.name = devname;
	ioasim_misc.nodename = devname;
	return misc_register(&ioasim_misc);
}

/* LCOV_EXCL_START: runs on unload only; the coverage kernel is built in */
/**
 * ioasim_cdev_exit() - unregister the character device
 *
 * Context: module exit.
 */
void ioasim_cdev_exit(void)
{
	misc_deregister(&ioasim_misc);
} /* LCOV_EXCL_STOP */
