/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - contexts and the object model
 *
 * A context (struct ioasim_ctx) is what one open of /dev/iommu owns. Every
 * object it hands to userspace sits in the context's table, an xarray
 * indexed by a 32-bit id in [1, INT_MAX]. An id is in one of two states:
 *
 *   reserved   the slot holds XA_ZERO_ENTRY: the id is taken, lookups do
 *              not see it, and the creator owns the object alone. This is
 *              the window between ioasim_obj_alloc() and ioasim_obj_publish()
 *              in which every step that can fail must happen; on failure the
 *              creator aborts and the id and memory go away without a trace.
 *   published  the slot holds the object; any thread may look it up.
 *
 * Each object carries two counts:
 *
 *   @users  long-term references. The table holds one from allocation
 *           until removal; every dependent object or attachment holds one
 *           more (an edge "holder -> held" in the object graph). Removal
 *           takes the table's reference only if it is the last one, in the
 *           same xa_lock section that clears the slot, so @users never
 *           drops to zero while the id is visible.
 *   @busy   short-term references: the table holds one while the object is
 *           published; each thread that looked the object up and is using
 *           it now holds one more. Removal drops the table's and then waits
 *           for @busy to reach zero before ->destroy() runs, so a looked-up
 *           object stays valid until ioasim_obj_put().
 *
 * A short-term lookup does not make the object undeletable: DESTROY of an
 * object that some ioctl is using removes the id at once and then waits
 * for that ioctl to finish. A short-term holder that wants to keep the
 * object must upgrade with ioasim_obj_hold(), which fails once removal has
 * begun (@users is zero).
 *
 * Teardown of a context destroys objects leaf first: any object whose only
 * long-term reference is the table's goes, which drops the references it
 * held on others, until the table is empty. Anything that cannot go is a
 * reference leak and is reported.
 *
 * Lock order of the whole core, outermost first. A lock may be taken
 * while holding only locks above it:
 *
 *   1. the test plane's rwsem (uapi.c), read around a control command
 *   2. struct ioasim_access::lock; released around the driver's unmap
 *      callback, which takes the driver's own locks and calls back in
 *   3. struct ioasim_ioas::mutex: the IOAS's HWPT list, and every domain
 *      joining or leaving its space (hwpt.c, device.c)
 *   4. struct ioasim_group::lock: a group's attachment
 *   5. struct ioasim_iopf_queue::lock (under 4 when a device faults)
 *   6. struct ioasim_space::lock: the IOVA trees, the attached domains
 *      and the alignment derived from them
 *   7. struct ioasim_pages::mutex, then the pinned mm's mmap lock
 *   8. struct ioasim_ctx::groups_lock (a leaf mutex)
 *   9. spinlocks, leaves all: the xa_lock of a context's @objects, of an
 *      IOAS's @accesses; nothing sleeps or takes another lock under them
 *
 * The iommu core's group mutex is taken by iommu_attach_group() and
 * friends under 4 and never calls back into ioasim.
 */
#ifndef __IOASIM_PRIVATE_H
#define __IOASIM_PRIVATE_H

#include <linux/atomic.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "ledger.h"

struct ioasim_ioas;
struct ioasim_obj;

/**
 * struct ioasim_obj_type - what the object model knows about a kind of object
 * @name: short name for messages ("ioas", "hwpt_paging", ...)
 * @destroy: release everything the object holds. Runs once, after the id
 *	is gone and the last short-term user has left; it must also cope with
 *	an object that ioasim_obj_abort_destroy() tears down before publish.
 *	The object's memory is freed by the caller afterwards.
 * @owner: the module ->destroy() lives in, when not ioasim itself (a test
 *	module's objects); it stays loaded while an object of the type exists
 *
 * A type is identified by the address of its descriptor: lookups compare
 * pointers.
 */
struct ioasim_obj_type {
	const char *name;
	void (*destroy)(struct ioasim_obj *obj);
	struct module *owner;
};

/**
 * struct ioasim_obj - header embedded first in every table object
 * @type: the object's kind; never changes
 * @users: long-term references, see the file comment
 * @busy: short-term references, see the file comment
 * @id: the object's id in its context's table
 */
struct ioasim_obj {
	const struct ioasim_obj_type *type;
	refcount_t users;
	refcount_t busy;
	u32 id;
};

/**
 * struct ioasim_ctx - state of one open /dev/iommu file
 * @refs: the open file, and each bound device and access (see ctx.c)
 * @objects: id -> object table; xa_lock protects slot changes and the
 *	transitions of @users to and from zero
 * @destroy_wait: woken when an object's @busy count reaches zero
 * @account_mm: IOMMU_OPTION_RLIMIT_MODE 1: charge pinned memory to the mm
 *	(as VFIO does) instead of the user; changes only while @objects is
 *	empty, under its xa_lock
 * @batch_bytes: temporary-memory budget of one pin batch, inherited by
 *	the pages objects created afterwards
 * @groups: iommu group id -> struct ioasim_group, for the groups of the
 *	bound devices
 * @groups_lock: protects @groups and the groups' reference counts
 * @vfio_ioas: the IOAS the VFIO compatibility ioctls work on, or NULL; not
 *	a reference: the IOAS clears it when destroyed. Under the xa_lock
 *	of @objects.
 */
struct ioasim_ctx {
	refcount_t refs;
	struct xarray objects;
	wait_queue_head_t destroy_wait;
	bool account_mm;
	size_t batch_bytes;
	struct xarray groups;
	struct mutex groups_lock; /* see the kernel-doc above */
	struct ioasim_ioas *vfio_ioas;
};

/**
 * struct ioasim_stats - what all contexts hold together
 * @contexts: contexts not yet released
 * @objects: table objects allocated and not yet freed
 *
 * Read from userspace (the character device's sysfs attributes), with
 * ioasim_pinned_pages (pages.h), to prove that closing everything
 * released everything.
 */
struct ioasim_stats {
	atomic_long_t contexts;
	atomic_long_t objects;
};

extern struct ioasim_stats ioasim_stats;

struct ioasim_ctx *ioasim_ctx_create(void);
void ioasim_ctx_put(struct ioasim_ctx *ctx);

static inline void ioasim_ctx_get(struct ioasim_ctx *ctx)
{
	ioasim_ledger_take(IOASIM_LEDGER_CTX_REF, ctx, 0, _THIS_IP_);
	refcount_inc(&ctx->refs);
}

unsigned int ioasim_ctx_release_objects(struct ioasim_ctx *ctx);

/*
 * ctx->vfio_ioas is read and changed only under the object table's lock:
 * a reader takes its reference under it, and DESTROY removes the IOAS's
 * id under it.
 */
static inline struct ioasim_ioas *ioasim_ctx_vfio_ioas(struct ioasim_ctx *ctx)
{
	lockdep_assert_held(&ctx->objects.xa_lock);
	return ctx->vfio_ioas;
}

static inline void ioasim_ctx_set_vfio_ioas(struct ioasim_ctx *ctx,
					    struct ioasim_ioas *ioas)
{
	lockdep_assert_held(&ctx->objects.xa_lock);
	ctx->vfio_ioas = ioas;
}

void ioasim_obj_show(struct seq_file *m, const void *key, bool counts);
int ioasim_ctx_set_account_mode(struct ioasim_ctx *ctx, u64 mode);

struct ioasim_obj *__ioasim_obj_alloc(struct ioasim_ctx *ctx, size_t size,
				      const struct ioasim_obj_type *type);
void ioasim_obj_publish(struct ioasim_ctx *ctx, struct ioasim_obj *obj);
u32 ioasim_obj_publish_held(struct ioasim_ctx *ctx, struct ioasim_obj *obj);
void ioasim_obj_abort(struct ioasim_ctx *ctx, struct ioasim_obj *obj);
void ioasim_obj_abort_destroy(struct ioasim_ctx *ctx, struct ioasim_obj *obj);

struct ioasim_obj *ioasim_obj_get(struct ioasim_ctx *ctx, u32 id,
				  const struct ioasim_obj_type *type);

/*
 * ioasim_obj_get_as() - ioasim_obj_get() for one type, yielding the
 * structure the object is embedded in (@member names the header), or an
 * ERR_PTR. Each kind of object wraps it in a typed lookup of its own.
 */
#define ioasim_obj_get_as(ctx, id, type, container, member)		\
	({								\
		struct ioasim_obj *__obj = ioasim_obj_get(ctx, id, type);	\
		IS_ERR(__obj) ? ERR_CAST(__obj) :			\
			container_of(__obj, container, member);		\
	})
void ioasim_obj_put(struct ioasim_ctx *ctx, struct ioasim_obj *obj);
bool ioasim_obj_tryget(struct ioasim_obj *obj);
bool ioasim_obj_hold(struct ioasim_obj *obj, const void *holder);
void ioasim_obj_unhold(struct ioasim_obj *obj, const void *holder);

int ioasim_obj_destroy(struct ioasim_ctx *ctx, u32 id,
		       const struct ioasim_obj_type *type);
bool ioasim_obj_unhold_try_destroy(struct ioasim_ctx *ctx,
				   struct ioasim_obj *obj, const void *holder);

/**
 * ioasim_obj_alloc() - allocate a table object of a containing type
 * @ctx: context whose table gets the id
 * @obj_type: the containing struct, e.g. struct ioasim_ioas
 * @member: the struct ioasim_obj member of @obj_type; must come first
 * @type: the object type descriptor
 *
 * Return: a zeroed @obj_type with a reserved id, or an ERR_PTR.
 */
#define ioasim_obj_alloc(ctx, obj_type, member, type)			\
	({								\
		static_assert(offsetof(typeof(obj_type), member) == 0);	\
		(typeof(obj_type) *)__ioasim_obj_alloc(ctx,		\
				sizeof(typeof(obj_type)), type);	\
	})

#endif /* __IOASIM_PRIVATE_H */
