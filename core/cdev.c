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
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "cdev.h"
#include "ioasim_private.h"
#include "pages.h"
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

/**
 * ioasim_ctx_from_fd() - the context of an open /dev/iommu file
 * @fd: a file descriptor of the calling process
 *
 * For drivers that userspace hands an iommufd file (VFIO's
 * BIND_IOMMUFD).
 *
 * Context: process context.
 * Return: the context with a reference (ioasim_ctx_put() it), or
 * ERR_PTR(-EBADF) if @fd is not open, -EBADFD if it is not ioasim's.
 */
struct ioasim_ctx *ioasim_ctx_from_fd(int fd)
{
	struct ioasim_ctx *ctx = ERR_PTR(-EBADFD);
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op == &ioasim_fops) {
		ctx = file->private_data;
		ioasim_ctx_get(ctx);
	}
	fput(file);
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(ioasim_ctx_from_fd, IOASIM);

/*
 * /sys/class/misc/<devname>/ioasim/: what all contexts hold, so that a
 * test can tell that closing its files released everything.
 */
static ssize_t stat_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr,
						    struct dev_ext_attribute,
						    attr);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(ea->var));
}

static struct dev_ext_attribute stat_contexts = {
	__ATTR(contexts, 0444, stat_show, NULL), &ioasim_stats.contexts
};

static struct dev_ext_attribute stat_objects = {
	__ATTR(objects, 0444, stat_show, NULL), &ioasim_stats.objects
};

static struct dev_ext_attribute stat_pinned_pages = {
	__ATTR(pinned_pages, 0444, stat_show, NULL), &ioasim_pinned_pages
};

static struct attribute *ioasim_stat_attrs[] = {
	&stat_contexts.attr.attr,
	&stat_objects.attr.attr,
	&stat_pinned_pages.attr.attr,
	NULL,
};

static const struct attribute_group ioasim_stat_group = {
	.name = "ioasim",
	.attrs = ioasim_stat_attrs,
};

static const struct attribute_group *ioasim_groups[] = {
	&ioasim_stat_group,
	NULL,
};

VISIBLE_IF_KUNIT struct miscdevice ioasim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.fops = &ioasim_fops,
	.groups = ioasim_groups,
	/* As iommufd's: root and the group the administrator grants. */
	.mode = 0660,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_misc);

/**
 * ioasim_cdev_is_iommufd() - does ioasim serve /dev/iommu?
 *
 * Then it stands in for the kernel's iommufd, and what test programs
 * look for under iommufd's names (the fault-injection directory) carries
 * those names.
 *
 * Context: any context.
 * Return: true unless the devname parameter renamed the device.
 */
bool ioasim_cdev_is_iommufd(void)
{
	return !strcmp(devname, "iommu");
}

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

/**
 * ioasim_cdev_exit() - unregister the character device
 *
 * Context: module exit.
 */
void ioasim_cdev_exit(void)
{
	misc_deregister(&ioasim_misc);
}
