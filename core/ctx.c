// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - contexts
 *
 * A context is created by open() of the character device. Its reference
 * count has one holder for the open file and one for every device bound
 * and every access created through it, because a driver that bound a
 * device keeps the context's file open (as VFIO does). When the last
 * reference goes, no ioctl can run on it any more; everything the
 * context's table still holds is destroyed then, in dependency order (see
 * ioasim_ctx_release_objects()).
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/export.h>
#include <linux/slab.h>

#include "inject.h"
#include "ioasim_private.h"
#include "pages.h"

/**
 * ioasim_ctx_create() - allocate an empty context
 *
 * Context: process context, may sleep.
 * Return: the context or ERR_PTR(-ENOMEM).
 */
struct ioasim_ctx *ioasim_ctx_create(void)
{
	struct ioasim_ctx *ctx;

	ctx = ioasim_kzalloc("ctx.alloc", sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	refcount_set(&ctx->refs, 1);
	xa_init_flags(&ctx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init(&ctx->groups);
	mutex_init(&ctx->groups_lock);
	init_waitqueue_head(&ctx->destroy_wait);
	ctx->batch_bytes = IOASIM_BATCH_BYTES_DEFAULT;
	atomic_long_inc(&ioasim_stats.contexts);
	ioasim_ledger_take(IOASIM_LEDGER_CTX_REF, ctx, 0, _RET_IP_);
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_create);

/**
 * ioasim_ctx_put() - drop a reference; the last destroys the context
 * @ctx: the context
 *
 * The last reference destroys everything the context holds. An object
 * that cannot be destroyed because a reference to it was leaked is
 * reported and left allocated rather than freed under its holder.
 *
 * Context: process context, may sleep.
 */
void ioasim_ctx_put(struct ioasim_ctx *ctx)
{
	unsigned int left;

	ioasim_ledger_give(IOASIM_LEDGER_CTX_REF, ctx, 0, _RET_IP_);
	if (!refcount_dec_and_test(&ctx->refs))
		return;
	left = ioasim_ctx_release_objects(ctx);

	/* LCOV_EXCL_BR_START: only a reference leak gets here (tests use */
	/* ioasim_ctx_release_objects() to provoke one without a WARN) */
	WARN(left, "ioasim: %u objects leaked at context teardown\n", left);
	/* LCOV_EXCL_BR_STOP */
	/* Invariant: groups go with the last device of each. */
	WARN_ON(!xa_empty(&ctx->groups));
	xa_destroy(&ctx->groups);
	mutex_destroy(&ctx->groups_lock);
	xa_destroy(&ctx->objects);
	ioasim_ledger_settle(ctx, "context");
	kfree(ctx);
	atomic_long_dec(&ioasim_stats.contexts);
}
EXPORT_SYMBOL_NS_GPL(ioasim_ctx_put, IOASIM);

/*
 * Whether the context holds objects, published or still being made: asked
 * under the table's lock, so that none appears before the answer is acted
 * on.
 */
static bool ctx_has_objects(struct ioasim_ctx *ctx)
{
	lockdep_assert_held(&ctx->objects.xa_lock);
	return !xa_empty(&ctx->objects);
}

/**
 * ioasim_ctx_set_account_mode() - choose who is charged for pinned memory
 * @ctx: the context
 * @mode: 0 charges the user (RLIMIT_MEMLOCK), 1 the mm (the VFIO way)
 *
 * Pages objects keep the mode they were created with, so the mode can
 * change only while the context holds no object at all; that is checked
 * before the value, as IOMMU_OPTION answers.
 *
 * Context: any context.
 * Return: 0, -EBUSY if the context holds objects, else -EINVAL for a mode
 * above 1.
 */
int ioasim_ctx_set_account_mode(struct ioasim_ctx *ctx, u64 mode)
{
	int rc = 0;

	xa_lock(&ctx->objects);
	if (ctx_has_objects(ctx))
		rc = -EBUSY;
	else if (mode > 1)
		rc = -EINVAL;
	else
		WRITE_ONCE(ctx->account_mm, mode);
	xa_unlock(&ctx->objects);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_set_account_mode);
