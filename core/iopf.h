/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - fault queues (IOMMU_FAULT_QUEUE_ALLOC)
 *
 * A fault queue is an object of the context's table and a file: the
 * page faults of devices attached to a nested HWPT that names the queue
 * are read from the file as struct iommu_hwpt_pgfault messages, whole and
 * in order, and answered by writing struct iommu_hwpt_page_response with
 * the message's cookie. The queue lives while its file or a HWPT holds
 * it; messages left unread or unanswered go with it.
 */
#ifndef __IOASIM_IOPF_H
#define __IOASIM_IOPF_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "ioasim_private.h"

struct file;

/**
 * struct ioasim_iopf_queue - a fault queue (IOMMU_FAULT_QUEUE_ALLOC)
 * @obj: table header
 * @ctx: the context (its file holds a reference)
 * @lock: protects @deliver and @pending
 * @deliver: messages not yet read, oldest first
 * @pending: cookie -> message read and not yet answered
 * @wait: woken when a message arrives
 * @published: its command succeeded; until then its file's release takes
 *	the queue with it
 */
struct ioasim_iopf_queue {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	struct mutex lock; /* see the kernel-doc above */
	struct list_head deliver;
	struct xarray pending;
	wait_queue_head_t wait;
	bool published;
};

extern const struct ioasim_obj_type ioasim_iopf_queue_type;

int ioasim_iopf_queue_alloc(struct ioasim_ctx *ctx,
			    struct iommu_fault_alloc *cmd, struct file **file);
void ioasim_iopf_queue_install(struct ioasim_ctx *ctx,
			       struct iommu_fault_alloc *cmd, struct file *file);
int ioasim_iopf_report(struct ioasim_iopf_queue *q,
		       const struct iommu_hwpt_pgfault *fault);

/* A table lookup that yields the queue, or an ERR_PTR. */
static inline struct ioasim_iopf_queue *
ioasim_iopf_queue_get(struct ioasim_ctx *ctx, u32 id)
{
	return ioasim_obj_get_as(ctx, id, &ioasim_iopf_queue_type,
				 struct ioasim_iopf_queue, obj);
}

#endif /* __IOASIM_IOPF_H */
