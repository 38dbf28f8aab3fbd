// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - accesses (see access.h)
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/printk.h>

#include "access.h"
#include "inject.h"

#define IOASIM_ACCESS_RW_FLAGS (IOASIM_ACCESS_RW_WRITE | \
				IOASIM_ACCESS_RW_KTHREAD)

/*
 * @access joins @ioas: a hold on it, a page user of its space if the
 * access pins, and a slot in its list (*@list_id). All or nothing.
 */
static int access_join(struct ioasim_access *access, struct ioasim_ioas *ioas,
		       u32 *list_id)
{
	bool pins = access->ops->needs_pin_pages;
	int rc;

	if (!ioasim_obj_hold(&ioas->obj, access))
		return -ENOENT;
	rc = pins ? ioasim_space_add_page_user(&ioas->space) : 0;
	if (!rc) {
		rc = ioasim_should_fail("access.list") ? -ENOMEM :
			xa_alloc(&ioas->accesses, list_id, access,
				 xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (rc && pins)
			ioasim_space_remove_page_user(&ioas->space);
	}
	if (rc)
		ioasim_obj_unhold(&ioas->obj, access);
	return rc;
}

/*
 * @access leaves @ioas, undoing access_join(). Nothing new is pinned from
 * here on (@access->ioas is NULL); the driver is asked to unpin all it
 * pinned, with the lock dropped so that its ->unmap() can take it, and
 * whatever it kept is released for it.
 */
static void access_leave(struct ioasim_access *access, struct ioasim_ioas *ioas)
{
	unsigned int left;

	access->ioas = NULL;
	if (access->ops->unmap) {
		mutex_unlock(&access->lock);
		access->ops->unmap(access->data, 0, ULONG_MAX);
		mutex_lock(&access->lock);
	}
	left = ioasim_space_unpin_owner(&ioas->space, access);
	if (left)
		pr_warn("ioasim: access %u left %u pinned ranges behind; released\n",
			access->obj.id, left);
	xa_erase(&ioas->accesses, access->list_id);
	if (access->ops->needs_pin_pages)
		ioasim_space_remove_page_user(&ioas->space);
	ioasim_obj_unhold(&ioas->obj, access);
}

/*
 * What an access pins, copies and unpins through changes under its lock
 * (access_change_ioas()) and is read under it: nothing reaches an IOAS the
 * access has left.
 */
static struct ioasim_ioas *access_ioas(struct ioasim_access *access)
{
	lockdep_assert_held(&access->lock);
	return access->ioas;
}

static struct ioasim_ioas *access_unpin_ioas(struct ioasim_access *access)
{
	lockdep_assert_held(&access->lock);
	return access->unpin_ioas;
}

/*
 * Move @access from its IOAS to @to (either may be NULL): it joins @to
 * before it leaves the old one, so a failure leaves it where it was.
 * @access->unpin_ioas differs from @access->ioas only while another
 * thread is in access_leave() with the lock dropped: that move must end
 * first.
 */
static int access_change_ioas(struct ioasim_access *access,
			      struct ioasim_ioas *to)
{
	struct ioasim_ioas *from = access->ioas;
	u32 list_id = 0;
	int rc;

	lockdep_assert_held(&access->lock);
	if (from != access->unpin_ioas)
		return -EBUSY;
	if (from == to)
		return 0;
	rc = to ? access_join(access, to, &list_id) : 0;
	if (rc)
		return rc;
	if (from)
		access_leave(access, from);
	access->ioas = to;
	access->unpin_ioas = to;
	access->list_id = list_id;
	return 0;
}

/*
 * Attach, replace and detach: unless the access's being attached is
 * @attached, @refused; else move it to the IOAS *@ioas_id names, or to
 * none without @ioas_id.
 */
static int access_move(struct ioasim_access *access, bool attached,
		       const u32 *ioas_id, int refused)
{
	struct ioasim_ioas *to = NULL;
	int rc = refused;

	mutex_lock(&access->lock);
	if (!access->ioas != !attached)
		goto out_unlock;
	if (ioas_id) {
		to = ioasim_ioas_get(access->ctx, *ioas_id);
		if (IS_ERR(to)) {
			rc = PTR_ERR(to);
			goto out_unlock;
		}
	}
	rc = access_change_ioas(access, to);
	if (to)
		ioasim_ioas_put(access->ctx, to);
out_unlock:
	mutex_unlock(&access->lock);
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
EXPORT_SYMBOL_NS_GPL(ioasim_access_create, IOASIM);

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

	/* Invariant: nothing else takes long-term references. */
	WARN_ON(!gone);
	ioasim_ctx_put(ctx);
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_destroy, IOASIM);

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
	return access_move(access, false, &ioas_id, -EINVAL);
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_attach, IOASIM);

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
	return access_move(access, true, &ioas_id, -ENOENT);
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_replace, IOASIM);

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
	return access_move(access, true, NULL, -EINVAL);
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_detach, IOASIM);

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
	struct ioasim_ioas *ioas;
	unsigned long last;
	int rc;

	if (!access->ops->needs_pin_pages)
		return -EINVAL;
	rc = access_range(iova, length, flags, &last);
	if (rc)
		return rc;

	mutex_lock(&access->lock);
	ioas = access_ioas(access);
	if (ioas)
		rc = ioasim_space_pin(&ioas->space, iova, last,
				      flags & IOASIM_ACCESS_RW_WRITE, access,
				      out);
	else
		rc = -ENOENT;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_pin_pages, IOASIM);

/**
 * ioasim_access_unpin_pages() - undo one ioasim_access_pin_pages()
 * @access: the access
 * @iova: the IOVA given to the pin
 * @length: the length given to the pin
 *
 * The caller must have stopped using the pages.
 *
 * Context: process context, may sleep; may be called from ->unmap().
 * Return: 0, or -EINVAL if the access holds no pin of that range: the
 * same first byte, and a last byte in the same page.
 */
int ioasim_access_unpin_pages(struct ioasim_access *access,
			      unsigned long iova, unsigned long length)
{
	struct ioasim_ioas *ioas;
	unsigned long last;
	int rc;

	rc = access_range(iova, length, 0, &last);
	if (rc)
		return -EINVAL;

	mutex_lock(&access->lock);
	ioas = access_unpin_ioas(access);
	if (ioas)
		rc = ioasim_space_unpin(&ioas->space, iova, last, access);
	else
		rc = -EINVAL;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_unpin_pages, IOASIM);

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
	struct ioasim_ioas *ioas;
	unsigned long last;
	int rc;

	rc = access_range(iova, length, flags, &last);
	if (rc)
		return rc;

	mutex_lock(&access->lock);
	ioas = access_ioas(access);
	if (ioas)
		rc = ioasim_space_rw(&ioas->space, iova, buf, length,
				     flags & IOASIM_ACCESS_RW_WRITE);
	else
		rc = -ENOENT;
	mutex_unlock(&access->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(ioasim_access_rw, IOASIM);
