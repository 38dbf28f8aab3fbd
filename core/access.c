// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - accesses (see access.h)
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/printk.h>

#include "access.h"
#include "fault.h"

#define IOASIM_ACCESS_RW_FLAGS (IOASIM_ACCESS_RW_WRITE | \
				IOASIM_ACCESS_RW_KTHREAD)

/*
 * Move @access from its IOAS to @new (either may be NULL). The access
 * joins @new before it leaves the old one, and is asked to unpin
 * everything before it leaves; the lock is dropped meanwhile, so that its
 * ->unmap() can unpin.
 */
static int access_change_ioas(struct ioasim_access *access,
			      struct ioasim_ioas *new)
{
	bool pins = access->ops->needs_pin_pages;
	struct ioasim_ioas *cur = access->ioas;
	unsigned int left;
	u32 new_id = 0;
	int rc;

	lockdep_assert_held(&access->lock);

	/* Another thread is moving the access right now. */
	if (cur != access->unpin_ioas)
		return -EBUSY;
	if (cur == new)
		return 0;

	if (new) {
		if (!ioasim_obj_hold(&new->obj, access))
			return -ENOENT;
		rc = pins ? ioasim_space_add_page_user(&new->space) : 0;
		if (rc)
			goto out_unhold;
		rc = ioasim_should_fail("access.list") ? -ENOMEM :
			xa_alloc(&new->accesses, &new_id, access,
				 xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto out_page_user;
	}

	if (cur) {
		/* No new pins in @cur from here on; unpinning goes on. */
		access->ioas = NULL;
		if (access->ops->unmap) {
			mutex_unlock(&access->lock);
			access->ops->unmap(access->data, 0, ULONG_MAX);
			mutex_lock(&access->lock);
		}
		left = ioasim_space_unpin_owner(&cur->space, access);
		if (left)
			pr_warn("ioasim: access %u left %u pinned ranges behind; released\n",
				access->obj.id, left);
		xa_erase(&cur->accesses, access->list_id);
		if (pins)
			ioasim_space_remove_page_user(&cur->space);
		ioasim_obj_unhold(&cur->obj, access);
	}
	access->ioas = new;
	access->unpin_ioas = new;
	access->list_id = new_id;
	return 0;

out_page_user:
	if (pins)
		ioasim_space_remove_page_user(&new->space);
out_unhold:
	ioasim_obj_unhold(&new->obj, access);
	return rc;
}

static int access_change_ioas_id(struct ioasim_access *access, u32 ioas_id)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(access->ctx, ioas_id);
	int rc;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = access_change_ioas(access, ioas);
	ioasim_ioas_put(access->ctx, ioas);
	return rc;
}

static void ioasim_access_destroy_obj(struct ioasim_obj *obj)
{
	struct ioasim_access *access =
		container_of(obj, struct ioasim_access, obj);

	mutex_lock(&access->lock);
	if (access->ioas)
		access_change_ioas(access, NULL);
	mutex_unlock(&access->lock);
	mutex_destroy(&access->lock);
}

const struct ioasim_obj_type ioasim_access_type = {
	.name = "access",
	.destroy = ioasim_access_destroy_obj,
};
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_type);

/**
 * ioasim_access_create() - create an access for a driver
 * @ctx: the context
 * @ops: the driver's operations; ->unmap is required to pin pages
 * @data: passed to @ops
 * @id: out: the access's id
 *
 * Context: process context, may sleep.
 * Return: the access (detached), or ERR_PTR(-EINVAL) if @ops asks for
 * pinning without ->unmap, or -ENOMEM.
 */
struct ioasim_access *ioasim_access_create(struct ioasim_ctx *ctx,
					   const struct ioasim_access_ops *ops,
					   void *data, u32 *id)
{
	struct ioasim_access *access;

	if (ops->needs_pin_pages && !ops->unmap)
		return ERR_PTR(-EINVAL);

	access = ioasim_obj_alloc(ctx, struct ioasim_access, obj,
				  &ioasim_access_type);
	if (IS_ERR(access))
		return access;
	access->ctx = ctx;
	access->ops = ops;
	access->data = data;
	mutex_init(&access->lock);
	/* The driver's until ioasim_access_destroy(). */
	*id = ioasim_obj_publish_held(ctx, &access->obj);
	return access;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_create);

/**
 * ioasim_access_destroy() - detach and destroy an access
 * @access: the access; the driver must not use it any more
 *
 * Waits for unmap notifications running on the access to return.
 *
 * Context: process context, may sleep.
 */
void ioasim_access_destroy(struct ioasim_access *access)
{
	struct ioasim_ctx *ctx = access->ctx;
	bool gone = ioasim_obj_unhold_try_destroy(ctx, &access->obj,
						  access);

	/* Cannot fail: nothing else takes long-term references. */
	WARN_ON(!gone);
	ioasim_ctx_put(ctx);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_destroy);

/**
 * ioasim_access_attach() - attach a detached access to an IOAS
 * @access: the access
 * @ioas_id: the IOAS
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if attached already; -ENOENT (no such IOAS);
 * -EADDRINUSE if the access pins pages and the IOAS maps something that
 * is not made of whole pages; -EBUSY if another thread is moving the
 * access; -ENOMEM.
 */
int ioasim_access_attach(struct ioasim_access *access, u32 ioas_id)
{
	int rc = -EINVAL;

	mutex_lock(&access->lock);
	if (!access->ioas)
		rc = access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_attach);

/**
 * ioasim_access_replace() - move an attached access to another IOAS
 * @access: the access
 * @ioas_id: the new IOAS; the current one is a no-op
 *
 * The access is asked to unpin everything in the old IOAS.
 *
 * Context: process context, may sleep.
 * Return: as ioasim_access_attach(), but -ENOENT also if not attached.
 */
int ioasim_access_replace(struct ioasim_access *access, u32 ioas_id)
{
	int rc = -ENOENT;

	mutex_lock(&access->lock);
	if (access->ioas)
		rc = access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_replace);

/**
 * ioasim_access_detach() - detach an access from its IOAS
 * @access: the access
 *
 * The access is asked to unpin everything first.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if not attached; -EBUSY if another thread is moving
 * the access.
 */
int ioasim_access_detach(struct ioasim_access *access)
{
	int rc = -EINVAL;

	mutex_lock(&access->lock);
	if (access->ioas)
		rc = access_change_ioas(access, NULL);
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_detach);

/* Argument checks common to pinning and copying; sets *@last. */
static int access_range(unsigned long iova, unsigned long length,
			unsigned int flags, unsigned long *last)
{
	if (!length || (flags & ~IOASIM_ACCESS_RW_FLAGS))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, last))
		return -EOVERFLOW;
	return 0;
}

/**
 * ioasim_access_pin_pages() - pin the pages behind a range of IOVA
 * @access: an access created with ->needs_pin_pages
 * @iova: first IOVA
 * @length: bytes
 * @out: one struct page pointer per CPU page the range touches
 * @flags: IOASIM_ACCESS_RW_WRITE if the pages will be written
 *
 * The pages stay pinned until ioasim_access_unpin_pages() with the same
 * range; pinning one range twice needs two unpins.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL (no pinning declared, zero length, unknown flags, an
 * area being unmapped, areas not meeting at page boundaries); -EOVERFLOW;
 * -ENOENT (not attached, or part of the range not mapped); -EPERM (an area
 * without the needed permission); -ENOMEM or a pin error.
 */
int ioasim_access_pin_pages(struct ioasim_access *access, unsigned long iova,
			    unsigned long length, struct page **out,
			    unsigned int flags)
{
	unsigned long last;
	int rc;

	if (!access->ops->needs_pin_pages)
		return -EINVAL;
	rc = access_range(iova, length, flags, &last);
	if (rc)
		return rc;

	mutex_lock(&access->lock);
	if (access->ioas)
		rc = ioasim_space_pin(&access->ioas->space, iova, last,
				      flags & IOASIM_ACCESS_RW_WRITE, access,
				      out);
	else
		rc = -ENOENT;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_pin_pages);

/**
 * ioasim_access_unpin_pages() - undo one ioasim_access_pin_pages()
 * @access: the access
 * @iova: the IOVA given to the pin
 * @length: the length given to the pin
 *
 * The caller must have stopped using the pages.
 *
 * Context: process context, may sleep; may be called from ->unmap().
 * Return: 0, or -EINVAL if the access holds no pin of exactly that range.
 */
int ioasim_access_unpin_pages(struct ioasim_access *access,
			      unsigned long iova, unsigned long length)
{
	unsigned long last;
	int rc;

	rc = access_range(iova, length, 0, &last);
	if (rc)
		return -EINVAL;

	mutex_lock(&access->lock);
	if (access->unpin_ioas)
		rc = ioasim_space_unpin(&access->unpin_ioas->space, iova, last,
					access);
	else
		rc = -EINVAL;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_unpin_pages);

/**
 * ioasim_access_rw() - copy between a buffer and the memory behind IOVA
 * @access: the access
 * @iova: first IOVA
 * @buf: the data to write, or where to put what is read
 * @length: bytes
 * @flags: IOASIM_ACCESS_RW_WRITE to write the mapped memory, else read;
 *	IOASIM_ACCESS_RW_KTHREAD is accepted
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL (zero length, unknown flags, an area being
 * unmapped); -EOVERFLOW; -ENOENT (not attached, part of the range not
 * mapped); -EPERM; a pin error.
 */
int ioasim_access_rw(struct ioasim_access *access, unsigned long iova,
		     void *buf, size_t length, unsigned int flags)
{
	unsigned long last;
	int rc;

	rc = access_range(iova, length, flags, &last);
	if (rc)
		return rc;

	mutex_lock(&access->lock);
	if (access->ioas)
		rc = ioasim_space_rw(&access->ioas->space, iova, buf, length,
				     flags & IOASIM_ACCESS_RW_WRITE);
	else
		rc = -ENOENT;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_access_rw);
