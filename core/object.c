// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - object table: allocation, publication, lookup and removal
 *
 * The rules for the two reference counts and the reserved/published states
 * of an id are in ioasim_private.h. This file is the only place that moves
 * an object between those states.
 *
 * Lock order: xa_lock of a context's table is innermost; ->destroy()
 * callbacks and waits for short-term users run without it.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "inject.h"
#include "ioasim_private.h"
#include "ledger.h"

struct ioasim_stats ioasim_stats;
EXPORT_SYMBOL_IF_KUNIT(ioasim_stats);

/*
 * How long retiring an object waits for its short-term users. They are
 * ioctls in progress on the object, so a wait this long means one of them
 * never dropped its reference: a bug, reported and survived by leaking the
 * object. Test kernels shorten it, so that a lost reference fails its test
 * in seconds rather than hanging it (scripts/mutate.py).
 */
static unsigned int busy_wait_ms = 60000;
module_param(busy_wait_ms, uint, 0644);
MODULE_PARM_DESC(busy_wait_ms,
		 "ms to wait for an object's short-term users before declaring one leaked");

/**
 * __ioasim_obj_alloc() - allocate an object and reserve an id for it
 * @ctx: context whose table gets the id
 * @size: size of the containing structure, at least sizeof(struct ioasim_obj)
 * @type: the object type
 *
 * The object is zeroed, holds the table's long-term and short-term
 * references, and is invisible to lookups until ioasim_obj_publish(). The
 * creator finishes every step that can fail first; on failure it undoes its
 * own initialisation and calls ioasim_obj_abort().
 *
 * Context: process context, may sleep.
 * Return: the object, ERR_PTR(-ENOMEM), or ERR_PTR(-EBUSY) when the id
 * space is exhausted.
 */
struct ioasim_obj *__ioasim_obj_alloc(struct ioasim_ctx *ctx, size_t size,
				      const struct ioasim_obj_type *type)
{
	struct ioasim_obj *obj;
	int rc;

	might_sleep();
	/* LCOV_EXCL_START: a caller bug; no command passes such a type */
	if (WARN_ON_ONCE(size < sizeof(*obj) || !type || !type->destroy))
		return ERR_PTR(-EINVAL);
	/* LCOV_EXCL_STOP */

	/* A module's type: its objects are created while it runs, so it lives. */
	__module_get(type->owner);
	obj = ioasim_kzalloc("obj.alloc", size, GFP_KERNEL_ACCOUNT);
	if (!obj) {
		module_put(type->owner);
		return ERR_PTR(-ENOMEM);
	}
	obj->type = type;
	refcount_set(&obj->users, 1);
	refcount_set(&obj->busy, 1);

	rc = ioasim_should_fail("obj.reserve_id") ? -ENOMEM :
		xa_alloc(&ctx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
			 GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		module_put(type->owner);
		return ERR_PTR(rc);
	}
	atomic_long_inc(&ioasim_stats.objects);
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)ctx,
			   _RET_IP_);
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_BUSY, obj, (unsigned long)ctx,
			   _RET_IP_);
	return obj;
}
EXPORT_SYMBOL_NS_GPL(__ioasim_obj_alloc, IOASIM_TEST);

/**
 * ioasim_obj_publish() - make a fully built object visible by its id
 * @ctx: the object's context
 * @obj: an object from ioasim_obj_alloc() that has not been published
 *
 * From here on other threads can look the object up and take references,
 * so it can only go away through ioasim_obj_destroy() or context teardown.
 *
 * Context: any context; does not allocate (the slot exists already).
 */
void ioasim_obj_publish(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	void *old;

	old = xa_store(&ctx->objects, obj->id, obj, GFP_NOWAIT);
	/* A reserved slot reads back as NULL; anything else is a bug. */
	WARN_ON_ONCE(old); /* LCOV_EXCL_BR_LINE: impossible state */
}
EXPORT_SYMBOL_NS_GPL(ioasim_obj_publish, IOASIM_TEST);

/**
 * ioasim_obj_publish_held() - publish an object a kernel driver keeps
 * @ctx: the object's context
 * @obj: an object from ioasim_obj_alloc() that has not been published
 *
 * For bound devices and accesses: the driver that asked for the object
 * holds a long-term reference on it until it lets go (so userspace's
 * DESTROY gets -EBUSY), and a reference on @ctx (so the context outlives
 * the file while the driver uses it).
 *
 * Context: any context.
 * Return: the object's id.
 */
u32 ioasim_obj_publish_held(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	refcount_inc(&obj->users);
	/* The object stands for its driver's hold: tagged with itself. */
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)obj,
			   _RET_IP_);
	ioasim_ctx_get(ctx);
	ioasim_obj_publish(ctx, obj);
	return obj->id;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_publish_held);

/**
 * ioasim_obj_abort() - free an object that was never published
 * @ctx: the object's context
 * @obj: an unpublished object whose creator has undone its initialisation
 *
 * Releases the reserved id and the memory; the next allocation may reuse
 * the id.
 *
 * Context: any context.
 */
void ioasim_obj_abort(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	struct module *owner = obj->type->owner;
	void *old;

	old = xa_erase(&ctx->objects, obj->id);
	WARN_ON_ONCE(old); /* LCOV_EXCL_BR_LINE: only unpublished ids come here */
	/* Invariant: nobody can hold an unpublished object. */
	WARN_ON_ONCE(refcount_read(&obj->users) != 1);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)ctx,
			   _RET_IP_);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_BUSY, obj, (unsigned long)ctx,
			   _RET_IP_);
	ioasim_ledger_settle(obj, obj->type->name);
	kfree(obj);
	/* Last: the type may live in @owner. */
	module_put(owner);
	atomic_long_dec(&ioasim_stats.objects);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_abort);

/**
 * ioasim_obj_abort_destroy() - tear down an unpublished, initialised object
 * @ctx: the object's context
 * @obj: an unpublished object
 *
 * For creators whose failing step comes after the object took references
 * of its own: the type's ->destroy() releases them, then the id and memory
 * go as in ioasim_obj_abort().
 *
 * Context: process context, may sleep.
 */
void ioasim_obj_abort_destroy(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	obj->type->destroy(obj);
	ioasim_obj_abort(ctx, obj);
}
EXPORT_SYMBOL_NS_GPL(ioasim_obj_abort_destroy, IOASIM_TEST);

/**
 * ioasim_obj_get() - look up a published object and mark it busy
 * @ctx: the context to search
 * @id: the object's id
 * @type: the required type, or NULL for any
 *
 * The caller holds a short-term reference until ioasim_obj_put(); the
 * object's memory and state stay valid until then, even if it is destroyed
 * meanwhile (removal waits). To keep the object beyond that, upgrade with
 * ioasim_obj_hold().
 *
 * Context: any context.
 * Return: the object, or ERR_PTR(-ENOENT) if @id is not a published object
 * of @type.
 */
struct ioasim_obj *ioasim_obj_get(struct ioasim_ctx *ctx, u32 id,
				  const struct ioasim_obj_type *type)
{
	XA_STATE(xas, &ctx->objects, id);
	struct ioasim_obj *obj;

	/* Stands for a destroy by another thread. */
	if (ioasim_should_fail_planned("obj.get"))
		return ERR_PTR(-ENOENT);

	/*
	 * Under the lock DESTROY takes to remove the id: the object cannot
	 * be freed between the load and the reference (xas_load() asks
	 * lockdep for the lock, or RCU).
	 */
	xa_lock(&ctx->objects);
	obj = xas_load(&xas);
	if (xa_is_zero(obj))
		obj = NULL;
	if (!obj || (type && obj->type != type) ||
	    !refcount_inc_not_zero(&obj->busy))
		obj = ERR_PTR(-ENOENT);
	else
		ioasim_ledger_take(IOASIM_LEDGER_OBJ_BUSY, obj,
				   (unsigned long)current, _RET_IP_);
	xa_unlock(&ctx->objects);
	return obj;
}
EXPORT_SYMBOL_NS_GPL(ioasim_obj_get, IOASIM_TEST);

/**
 * ioasim_obj_put() - drop a short-term reference from ioasim_obj_get()
 * @ctx: the object's context
 * @obj: the object
 *
 * Context: any context. @obj must not be touched afterwards.
 */
void ioasim_obj_put(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_BUSY, obj, (unsigned long)current,
			   _RET_IP_);
	if (refcount_dec_and_test(&obj->busy))
		wake_up_all(&ctx->destroy_wait);
}
EXPORT_SYMBOL_NS_GPL(ioasim_obj_put, IOASIM_TEST);

/**
 * ioasim_obj_tryget() - take a short-term reference on an object found
 *	through a back-pointer rather than by id
 * @obj: an object whose memory the caller knows to be valid, e.g. because
 *	it is still linked where its ->destroy() unlinks it
 *
 * Release with ioasim_obj_put(); removal waits for it as for a lookup.
 *
 * Context: any context.
 * Return: true if the reference was taken; false if the object's removal
 * has progressed to waiting for its last user.
 */
bool ioasim_obj_tryget(struct ioasim_obj *obj)
{
	if (!refcount_inc_not_zero(&obj->busy))
		return false;
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_BUSY, obj, (unsigned long)current,
			   _RET_IP_);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_tryget);

/**
 * ioasim_obj_hold() - take a long-term reference on an object in use
 * @obj: an object the caller holds a short-term reference on, or created
 *	and has not published yet
 * @holder: the object or structure that keeps the reference, which must
 *	pass the same to ioasim_obj_unhold(); the reference ledger names it
 *
 * Context: any context.
 * Return: true if the reference was taken; false if removal of @obj has
 * already begun, in which case the caller must treat it as gone.
 */
bool ioasim_obj_hold(struct ioasim_obj *obj, const void *holder)
{
	/* Invariant, else a caller bug (see above). */
	WARN_ON_ONCE(!refcount_read(&obj->busy));
	if (!refcount_inc_not_zero(&obj->users))
		return false;
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)holder,
			   _RET_IP_);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_hold);

/**
 * ioasim_obj_unhold() - drop a long-term reference from ioasim_obj_hold()
 * @obj: the object
 * @holder: as passed to ioasim_obj_hold()
 *
 * Never drops the last reference: the table holds one until removal, and
 * removal fails while other long-term references exist.
 *
 * Context: any context.
 */
void ioasim_obj_unhold(struct ioasim_obj *obj, const void *holder)
{
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)holder,
			   _RET_IP_);
	refcount_dec(&obj->users);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_unhold);

/*
 * The id is gone and the table's long-term reference with it: drop the
 * table's short-term reference, wait for in-flight users, and free. A
 * user that outstays busy_wait_ms is a leaked reference: WARN and leave
 * the object allocated.
 */
static void ioasim_obj_retire(struct ioasim_ctx *ctx, struct ioasim_obj *obj)
{
	const char *name = obj->type->name;
	struct module *owner = obj->type->owner;

	might_sleep();
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_BUSY, obj, (unsigned long)ctx,
			   _RET_IP_);
	if (!refcount_dec_and_test(&obj->busy) &&
	    !wait_event_timeout(ctx->destroy_wait, !refcount_read(&obj->busy),
				msecs_to_jiffies(READ_ONCE(busy_wait_ms)))) {
		/* Freeing it would pull it from under whoever still has it. */
		WARN(1, "ioasim: %s object %u still busy after %u ms: leaked\n",
		     name, obj->id, READ_ONCE(busy_wait_ms));
		return;
	}
	obj->type->destroy(obj);
	ioasim_ledger_settle(obj, name);
	kfree(obj);
	/* Last: the type may live in @owner. */
	module_put(owner);
	atomic_long_dec(&ioasim_stats.objects);
}

/**
 * ioasim_obj_destroy() - the DESTROY operation
 * @ctx: the context
 * @id: id of the object to destroy
 * @type: the required type, or NULL for any
 *
 * Succeeds only when the table holds the last long-term reference. The id
 * disappears at once; the object is freed after the last short-term user
 * (an ioctl working on it right now) has left.
 *
 * Context: process context, may sleep. The caller must not hold a
 * short-term reference on the object.
 * Return: 0; -ENOENT if @id is not a published object of @type; -EBUSY if
 * other objects or attachments still hold it, with nothing changed.
 */
int ioasim_obj_destroy(struct ioasim_ctx *ctx, u32 id,
		       const struct ioasim_obj_type *type)
{
	struct ioasim_obj *obj;

	xa_lock(&ctx->objects);
	obj = xa_load(&ctx->objects, id);
	if (!obj || (type && obj->type != type)) {
		xa_unlock(&ctx->objects);
		return -ENOENT;
	}
	if (!refcount_dec_if_one(&obj->users)) {
		xa_unlock(&ctx->objects);
		return -EBUSY;
	}
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)ctx,
			   _RET_IP_);
	__xa_erase(&ctx->objects, id);
	xa_unlock(&ctx->objects);

	ioasim_obj_retire(ctx, obj);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_destroy);

/**
 * ioasim_obj_unhold_try_destroy() - drop a long-term reference and destroy
 *	the object if only the table's is left
 * @ctx: the object's context
 * @obj: a published object the caller holds a long-term reference on
 * @holder: as passed to ioasim_obj_hold()
 *
 * For objects that live only as long as something uses them, such as a
 * domain created automatically for an attachment.
 *
 * Context: process context, may sleep. The caller must not hold a
 * short-term reference on @obj.
 * Return: true if @obj was destroyed.
 */
bool ioasim_obj_unhold_try_destroy(struct ioasim_ctx *ctx,
				   struct ioasim_obj *obj, const void *holder)
{
	xa_lock(&ctx->objects);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)holder,
			   _RET_IP_);
	refcount_dec(&obj->users);
	if (xa_load(&ctx->objects, obj->id) != obj ||
	    !refcount_dec_if_one(&obj->users)) {
		xa_unlock(&ctx->objects);
		return false;
	}
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj, (unsigned long)ctx,
			   _RET_IP_);
	__xa_erase(&ctx->objects, obj->id);
	xa_unlock(&ctx->objects);

	ioasim_obj_retire(ctx, obj);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_obj_unhold_try_destroy);

/**
 * ioasim_ctx_release_objects() - destroy every object of a closing context
 * @ctx: the context; no ioctl may run on it any more
 *
 * Destroys leaves first: each pass destroys every object whose only
 * long-term reference is the table's, which releases what it held, until a
 * pass makes no progress. What is left is held by a reference that nothing
 * will drop: a leak or a cycle.
 *
 * Context: process context, may sleep.
 * Return: how many ids are still in the table (published or reserved).
 */
unsigned int ioasim_ctx_release_objects(struct ioasim_ctx *ctx)
{
	XA_STATE(xas, &ctx->objects, 0);
	struct ioasim_obj *obj;
	unsigned long index;
	unsigned int destroyed, left = 0;
	void *entry;

	do {
		destroyed = 0;
		xa_for_each(&ctx->objects, index, obj) {
			if (!refcount_dec_if_one(&obj->users))
				continue;
			ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, obj,
					   (unsigned long)ctx, _RET_IP_);
			xa_erase(&ctx->objects, index);
			ioasim_obj_retire(ctx, obj);
			destroyed++;
		}
	} while (destroyed);

	/*
	 * Unlike xa_for_each(), this walk also sees reserved ids (zero
	 * entries). Index 0 is never an id: an ALLOC1 xarray parks its own
	 * zero entry there.
	 */
	rcu_read_lock();
	xas_for_each(&xas, entry, U32_MAX) {
		if (xas_retry(&xas, entry) && !xa_is_zero(entry))
			continue;
		if (!xas.xa_index)
			continue;
		if (xa_is_zero(entry)) {
			pr_err("ioasim: id %lu left reserved at close\n",
			       xas.xa_index);
		} else {
			obj = entry;
			pr_err("ioasim: %s object %u left at close with %u users\n",
			       obj->type->name, obj->id,
			       refcount_read(&obj->users));
		}
		left++;
	}
	rcu_read_unlock();
	return left;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_release_objects);

/**
 * ioasim_obj_show() - print an object for the reference ledger's graph
 * @m: the debugfs file
 * @key: the object (a struct ioasim_obj)
 * @counts: also print its long- and short-term counts
 *
 * Context: any context; the ledger's lock keeps the object alive.
 */
void ioasim_obj_show(struct seq_file *m, const void *key, bool counts)
{
	const struct ioasim_obj *obj = key;

	seq_printf(m, "%s %u", obj->type->name, obj->id);
	if (counts)
		seq_printf(m, ": users %u busy %u", refcount_read(&obj->users),
			   refcount_read(&obj->busy));
}
