/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - accesses: kernel drivers that reach an IOAS with the CPU
 *
 * An emulated device (the mdev case: a driver with a software page table
 * instead of an IOMMU) creates an access, attaches it to an IOAS, and then
 * either copies through IOVA (ioasim_access_rw()) or pins the pages
 * behind IOVA and uses them directly (ioasim_access_pin_pages()).
 *
 * Pinning comes with a duty: when userspace unmaps IOVA an access has
 * pinned, the access's ->unmap() is called and must unpin everything it
 * pinned in that range (with ioasim_access_unpin_pages(), exactly the
 * ranges it pinned) before returning. Unmap asks a bounded number of
 * times and then fails with -EDEADLOCK, so a driver that does not let go
 * makes the unmap fail, never hang. An access leaving an IOAS (detach,
 * replace, destroy) is asked to unpin everything; whatever it still holds
 * then is released for it, with a warning in the log.
 *
 * References: the access holds its context and, while attached, its IOAS;
 * the driver holds the access until ioasim_access_destroy(), so
 * IOMMU_DESTROY of its id fails with -EBUSY.
 */
#ifndef __IOASIM_ACCESS_H
#define __IOASIM_ACCESS_H

#include <linux/bits.h>
#include <linux/mutex.h>

#include "ioas.h"

struct page;

/* Flags of ioasim_access_pin_pages() and ioasim_access_rw(). */
#define IOASIM_ACCESS_RW_WRITE BIT(0)
/* The caller is a kernel thread; accepted for compatibility, no effect. */
#define IOASIM_ACCESS_RW_KTHREAD BIT(1)

/**
 * struct ioasim_access_ops - what an access's driver provides
 * @needs_pin_pages: the driver pins pages; requires @unmap
 * @unmap: unpin everything pinned in [iova, iova + length - 1]; may sleep
 */
struct ioasim_access_ops {
	bool needs_pin_pages;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

/**
 * struct ioasim_access - an access object
 * @obj: table header
 * @ctx: the context (a reference)
 * @ops: the driver's operations
 * @data: passed to @ops
 * @lock: protects @ioas, @unpin_ioas and @list_id
 * @ioas: the IOAS new pins and copies go to, or NULL
 * @unpin_ioas: the IOAS pins are released in; differs from @ioas only
 *	while the access is leaving it
 * @list_id: the access's index in @ioas->accesses
 */
struct ioasim_access {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	const struct ioasim_access_ops *ops;
	void *data;
	struct mutex lock; /* see the kernel-doc above */
	struct ioasim_ioas *ioas;
	struct ioasim_ioas *unpin_ioas;
	u32 list_id;
};

extern const struct ioasim_obj_type ioasim_access_type;

struct ioasim_access *ioasim_access_create(struct ioasim_ctx *ctx,
					   const struct ioasim_access_ops *ops,
					   void *data, u32 *id);
void ioasim_access_destroy(struct ioasim_access *access);
int ioasim_access_attach(struct ioasim_access *access, u32 ioas_id);
int ioasim_access_replace(struct ioasim_access *access, u32 ioas_id);
int ioasim_access_detach(struct ioasim_access *access);
int ioasim_access_pin_pages(struct ioasim_access *access, unsigned long iova,
			    unsigned long length, struct page **out,
			    unsigned int flags);
int ioasim_access_unpin_pages(struct ioasim_access *access,
			      unsigned long iova, unsigned long length);
int ioasim_access_rw(struct ioasim_access *access, unsigned long iova,
		     void *buf, size_t length, unsigned int flags);

/**
 * ioasim_access_notify_unmap() - tell an access's driver that [iova, last]
 *	is going away
 * @access: an access attached to the IOAS, referenced by the caller
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 *
 * The driver unpins whatever it pinned there before returning.
 *
 * Context: process context, may sleep; no IOAS or space lock held.
 */
static inline void ioasim_access_notify_unmap(struct ioasim_access *access,
					      unsigned long iova,
					      unsigned long last)
{
	access->ops->unmap(access->data, iova, last - iova + 1);
}

#endif /* __IOASIM_ACCESS_H */
