// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - I/O page fault queues: IOMMU_FAULT_QUEUE_ALLOC
 *
 * A fault queue is a table object with a file. HWPTs allocated with
 * IOMMU_HWPT_FAULT_ID_VALID hold the queue; a page fault of a device
 * attached to such a HWPT (ioasim_iopf_report(), which the test control
 * plane's TRIGGER_IOPF calls) becomes a struct iommu_hwpt_pgfault message
 * that userspace read()s from the file, and a struct
 * iommu_hwpt_page_response write()n back with the message's cookie
 * completes it.
 *
 * References: the open file holds the queue (so DESTROY answers EBUSY
 * until it is closed) and the context (so the table outlives it), as an
 * access's file does. A message read and not yet answered stays with the
 * queue and goes when the queue does.
 */
#include <kunit/visibility.h>
#include <linux/anon_inodes.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "inject.h"
#include "iopf.h"

struct ioasim_iopf_msg {
	struct list_head item;
	struct iommu_hwpt_pgfault fault;
};

static void ioasim_iopf_queue_destroy(struct ioasim_obj *obj)
{
	struct ioasim_iopf_queue *q =
		container_of(obj, struct ioasim_iopf_queue, obj);
	struct ioasim_iopf_msg *msg, *next;
	unsigned long index;

	list_for_each_entry_safe(msg, next, &q->deliver, item)
		kfree(msg);
	xa_for_each(&q->pending, index, msg)
		kfree(msg);
	xa_destroy(&q->pending);
	mutex_destroy(&q->lock);
}

const struct ioasim_obj_type ioasim_iopf_queue_type = {
	.name = "fault",
	.destroy = ioasim_iopf_queue_destroy,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_iopf_queue_type);

/*
 * The queue's messages move between its lists under its lock: a message
 * is delivered once, answered once.
 */
static struct ioasim_iopf_msg *iopf_next(struct ioasim_iopf_queue *q)
{
	lockdep_assert_held(&q->lock);
	return list_first_entry_or_null(&q->deliver, struct ioasim_iopf_msg,
					item);
}

static struct ioasim_iopf_msg *iopf_answered(struct ioasim_iopf_queue *q,
					     u32 cookie)
{
	lockdep_assert_held(&q->lock);
	return xa_erase(&q->pending, cookie);
}

static void iopf_queue_msg(struct ioasim_iopf_queue *q,
			   struct ioasim_iopf_msg *msg)
{
	lockdep_assert_held(&q->lock);
	list_add_tail(&msg->item, &q->deliver);
}

/*
 * Whole messages only, from the start: reads of a size that is not a
 * multiple of a message answer -ESPIPE; a buffer too small for the first
 * message, -EINVAL. Each message read waits for its response under its
 * cookie.
 */
static ssize_t iopf_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	const size_t size = sizeof(struct iommu_hwpt_pgfault);
	struct ioasim_iopf_queue *q = file->private_data;
	struct ioasim_iopf_msg *msg;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % size)
		return -ESPIPE;
	mutex_lock(&q->lock);
	while (done < count && (msg = iopf_next(q))) {
		rc = ioasim_should_fail("iopf.cookie") ? -ENOMEM :
			xa_alloc(&q->pending, &msg->fault.cookie, msg,
				 xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (rc)
			break;
		if (copy_to_user(buf + done, &msg->fault, size)) {
			xa_erase(&q->pending, msg->fault.cookie);
			rc = -EFAULT;
			break;
		}
		list_del(&msg->item);
		done += size;
	}
	mutex_unlock(&q->lock);
	return done ? done : rc;
}

/* Responses, whole ones: each must name a message read and not answered. */
static ssize_t iopf_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	const size_t size = sizeof(struct iommu_hwpt_page_response);
	struct ioasim_iopf_queue *q = file->private_data;
	struct iommu_hwpt_page_response resp;
	struct ioasim_iopf_msg *msg;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % size)
		return -ESPIPE;
	mutex_lock(&q->lock);
	while (done < count) {
		if (copy_from_user(&resp, buf + done, size)) {
			rc = -EFAULT;
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		msg = iopf_answered(q, resp.cookie);
		if (!msg) {
			rc = -EINVAL;
			break;
		}
		kfree(msg);
		done += size;
	}
	mutex_unlock(&q->lock);
	return done ? done : rc;
}

/* Answers can always be written; messages read when some are queued. */
static __poll_t iopf_poll(struct file *file, struct poll_table_struct *wait)
{
	struct ioasim_iopf_queue *q = file->private_data;
	bool queued;

	poll_wait(file, &q->wait, wait);
	mutex_lock(&q->lock);
	queued = iopf_next(q);
	mutex_unlock(&q->lock);
	return EPOLLOUT | (queued ? EPOLLIN | EPOLLRDNORM : 0);
}

/*
 * The file's hold on the queue and the context go. A queue whose file
 * never reached userspace (its command failed after the file was made)
 * goes with it.
 */
static int iopf_release(struct inode *inode, struct file *file)
{
	struct ioasim_iopf_queue *q = file->private_data;
	struct ioasim_ctx *ctx = q->ctx;

	ioasim_obj_unhold(&q->obj, file);
	if (!q->published)
		ioasim_obj_abort_destroy(ctx, &q->obj);
	ioasim_ctx_put(ctx);
	return 0;
}

static const struct file_operations ioasim_iopf_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = iopf_read,
	.write = iopf_write,
	.poll = iopf_poll,
	.release = iopf_release,
	.llseek = noop_llseek,
};

/**
 * ioasim_iopf_queue_alloc() - IOMMU_FAULT_QUEUE_ALLOC, before answering
 * @ctx: the context
 * @cmd: in: flags; out: out_fault_id, out_fault_fd (reserved, not yet
 *	installed)
 * @file: out: the queue's file
 *
 * The caller answers userspace, then calls ioasim_iopf_queue_install();
 * if the answer fails, it releases the fd number and fput()s @file, which
 * takes the unpublished queue with it.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (flags); -EMFILE; -ENOMEM.
 */
int ioasim_iopf_queue_alloc(struct ioasim_ctx *ctx,
			    struct iommu_fault_alloc *cmd, struct file **file)
{
	struct ioasim_iopf_queue *q;
	int fd, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	q = ioasim_obj_alloc(ctx, struct ioasim_iopf_queue, obj,
			     &ioasim_iopf_queue_type);
	if (IS_ERR(q))
		return PTR_ERR(q);
	q->ctx = ctx;
	mutex_init(&q->lock);
	INIT_LIST_HEAD(&q->deliver);
	xa_init_flags(&q->pending, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&q->wait);

	fd = ioasim_should_fail("iopf.fd") ? -EMFILE :
		get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto out_abort;
	}
	*file = ioasim_should_fail("iopf.file") ? ERR_PTR(-ENOMEM) :
		anon_inode_getfile("[ioasim-pgfault]", &ioasim_iopf_fops, q,
				   O_RDWR);
	if (IS_ERR(*file)) {
		rc = PTR_ERR(*file);
		put_unused_fd(fd);
		goto out_abort;
	}
	/* From here on the file's release undoes these. */
	ioasim_obj_hold(&q->obj, *file);
	ioasim_ctx_get(ctx);
	cmd->out_fault_id = q->obj.id;
	cmd->out_fault_fd = fd;
	return 0;

out_abort:
	ioasim_obj_abort_destroy(ctx, &q->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_iopf_queue_alloc);

/**
 * ioasim_iopf_queue_install() - publish the queue and give userspace its fd
 * @ctx: the context
 * @cmd: as filled by ioasim_iopf_queue_alloc()
 * @file: the queue's file
 *
 * Context: process context.
 */
void ioasim_iopf_queue_install(struct ioasim_ctx *ctx,
			       struct iommu_fault_alloc *cmd, struct file *file)
{
	struct ioasim_iopf_queue *q = file->private_data;

	q->published = true;
	ioasim_obj_publish(ctx, &q->obj);
	fd_install(cmd->out_fault_fd, file);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_iopf_queue_install);

/**
 * ioasim_iopf_report() - queue a page fault of a device
 * @q: the queue of the HWPT the device is attached to
 * @fault: the message; dev_id, pasid, grpid, perm, addr filled in
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int ioasim_iopf_report(struct ioasim_iopf_queue *q,
		       const struct iommu_hwpt_pgfault *fault)
{
	struct ioasim_iopf_msg *msg;

	msg = ioasim_kzalloc("iopf.msg", sizeof(*msg), GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	msg->fault = *fault;
	mutex_lock(&q->lock);
	iopf_queue_msg(q, msg);
	mutex_unlock(&q->lock);
	wake_up_interruptible(&q->wait);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_iopf_report);
