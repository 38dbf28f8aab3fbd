// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - dirty tracking: IOMMU_HWPT_SET_DIRTY_TRACKING and
 * IOMMU_HWPT_GET_DIRTY_BITMAP
 *
 * A HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING has a domain
 * whose driver keeps dirty bits (struct iommu_dirty_ops). ioasim turns
 * tracking on (first clearing what is left from before, so that the
 * first read shows only new writes) and off, and reads the bits into the
 * caller's bitmap: u64 words in host order, bit i standing for the
 * page_size bytes at iova + i * page_size. Bits are only ever set, never
 * cleared, in the caller's bitmap.
 *
 * The driver reports dirty ranges through iommu_dirty_bitmap_record().
 * Its bitmap side needs the iommufd driver library (IOMMUFD_DRIVER),
 * which kernels built without iommufd lack, so ioasim collects through
 * the other side, the IOTLB gather: it asks about one bit's worth of IOVA
 * at a time (or one IO page, if that is larger), and the gather comes
 * back with the span the driver found dirty. That span may reach past
 * what was asked: a large IO page has one dirty bit, reported (and
 * cleared) for all of it at once, so all of its bits are set. Only IOVA
 * that an area maps is asked about: nothing else can be dirty. The
 * gathers of a read that clears are merged and synced once at the end.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "device.h"
#include "inject.h"
#include "ioas.h"

/* Bits of the caller's bitmap built up at a time. */
#define DIRTY_WINDOW_WORDS 64
#define DIRTY_WINDOW_BITS (DIRTY_WINDOW_WORDS * 64)

struct dirty_walk {
	struct ioasim_space_walk walk;
	const struct iommu_hwpt_get_dirty_bitmap *cmd;
	struct ioasim_hwpt *hwpt;
	struct iommu_domain *domain;
	unsigned long flags;
	u64 iova, page_size, nbits, step;
	u64 next, last;		/* the IOVA the next part must start at */
	bool reached;		/* a part ended at @last */
	bool hole;		/* the range is not mapped from end to end */
	u64 __user *data;
	struct iommu_iotlb_gather synced;
	u64 window;		/* index of the window in @words, or U64_MAX */
	u64 words[DIRTY_WINDOW_WORDS];
	u64 user[DIRTY_WINDOW_WORDS];
};

/* OR the window into the caller's bitmap. */
static int dirty_flush(struct dirty_walk *w)
{
	u64 first = w->window * DIRTY_WINDOW_WORDS;
	size_t n = min_t(u64, DIRTY_WINDOW_WORDS,
			 DIV_ROUND_UP(w->nbits, 64) - first);
	size_t i;

	if (w->window == U64_MAX)
		return 0;
	w->window = U64_MAX;
	if (copy_from_user(w->user, w->data + first, n * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		w->user[i] |= w->words[i];
	if (copy_to_user(w->data + first, w->user, n * sizeof(u64)))
		return -EFAULT;
	return 0;
}

static int dirty_set_bit(struct dirty_walk *w, u64 bit)
{
	u64 window = div_u64(bit, DIRTY_WINDOW_BITS);
	int rc;

	if (window != w->window) {
		rc = dirty_flush(w);
		if (rc)
			return rc;
		memset(w->words, 0, sizeof(w->words));
		w->window = window;
	}
	bit -= window * DIRTY_WINDOW_BITS;
	w->words[bit / 64] |= BIT_ULL(bit % 64);
	return 0;
}

/* A gather nothing was added to. A driver adds whole IO pages, never one byte. */
static bool dirty_none(const struct iommu_iotlb_gather *found)
{
	return found->start > found->end;
}

/*
 * What in [iova, iova + size) was dirty? On return @found spans what the
 * driver reported (start > end: nothing), which may reach past the range
 * for a large IO page. The driver clears it unless @flags has
 * IOMMU_DIRTY_NO_CLEAR; what it reports joins @synced.
 */
static int dirty_ask(struct iommu_domain *domain, unsigned long iova,
		     size_t size, unsigned long flags,
		     struct iommu_iotlb_gather *synced,
		     struct iommu_iotlb_gather *found)
{
	struct iommu_dirty_bitmap bitmap;
	int rc;

	iommu_dirty_bitmap_init(&bitmap, NULL, found);
	rc = domain->dirty_ops->read_and_clear_dirty(domain, iova, size, flags,
						     &bitmap);
	if (!dirty_none(found)) {
		synced->start = min(synced->start, found->start);
		synced->end = max(synced->end, found->end);
	}
	return rc;
}

/*
 * Report the dirty state of [first, last], IOVA one area maps. The bitmap
 * is cut into steps (a bit, or a whole IO page if that is larger) counted
 * from the bitmap's start; the driver is asked about the part of each step
 * that lies in [first, last] and nothing else, so the work is bounded by
 * what is mapped however large page_size is. A step found dirty sets all
 * of its bits, and those of every later step the driver's report reaches
 * into (within [first, last]), which are not asked about again.
 */
static int dirty_walk_range(struct dirty_walk *w, u64 first, u64 last,
			    u64 step)
{
	u64 bits_per_step = div64_u64(step, w->page_size);
	u64 n = div64_u64(first - w->iova, step), k, last_n;
	struct iommu_iotlb_gather found;
	u64 step_first, step_last;
	int rc;

	for (;; n++) {
		/* Inside [iova, iova + length - 1]: cannot wrap. */
		step_first = w->iova + n * step;
		step_last = step_first + (step - 1);
		rc = dirty_ask(w->domain, max(step_first, first),
			       min(step_last, last) - max(step_first, first) + 1,
			       w->flags, &w->synced, &found);
		if (!rc && !dirty_none(&found)) {
			/* The report starts in this step: last_n >= n. */
			last_n = div64_u64(min_t(u64, found.end, last) - w->iova,
					   step);
			for (k = n * bits_per_step;
			     !rc && k < (last_n + 1) * bits_per_step; k++)
				rc = dirty_set_bit(w, k);
			n = last_n;
			step_last = w->iova + n * step + (step - 1);
		}
		if (rc || step_last >= last)
			return rc;
		cond_resched();
	}
}

/*
 * The checks that need the space, in upstream's order after the length
 * and overflow checks: the range aligned to the IOAS's IOVA alignment,
 * then a page_size it is aligned to; then the driver; then (ioasim's own
 * rule) a power-of-two page_size, then tracking. Run under the walk's
 * lock, so the alignment holds throughout.
 */
static int dirty_begin(struct ioasim_space_walk *walk,
		       unsigned long iova_alignment)
{
	struct dirty_walk *w = container_of(walk, struct dirty_walk, walk);
	const struct iommu_hwpt_get_dirty_bitmap *cmd = w->cmd;
	u64 end = cmd->iova + cmd->length;	/* may be 2^64: 0 */

	if ((cmd->iova | end) & (iova_alignment - 1))
		return -EINVAL;
	if (!cmd->page_size || ((cmd->iova | end) & (cmd->page_size - 1)))
		return -EINVAL;
	if (!w->domain->dirty_ops)
		return -EOPNOTSUPP;
	if (!is_power_of_2(cmd->page_size))
		return -EINVAL;
	/* What the selftest driver answers for a read while off. */
	if (!READ_ONCE(w->hwpt->dirty_tracking))
		return -EINVAL;
	/*
	 * Ask in bits, or in the domain's IO pages if those are larger. Only
	 * now: a domain its driver finishes at attach has no page sizes
	 * before, and such a driver keeps no dirty bits.
	 */
	w->step = max_t(u64, cmd->page_size,
			1ULL << __ffs(w->domain->pgsize_bitmap));
	return 0;
}

/*
 * Only what an area maps can be dirty, and the range must be mapped from
 * end to end: at a hole the read stops, and answers -EINVAL once what
 * came before it is written out (upstream reads the same way).
 */
static int dirty_mapped(struct ioasim_space_walk *walk, unsigned long first,
			unsigned long last)
{
	struct dirty_walk *w = container_of(walk, struct dirty_walk, walk);
	int rc;

	if (first != w->next) {
		w->hole = true;
		return -EINVAL;
	}
	rc = dirty_walk_range(w, first, last, w->step);
	w->next = last + 1;
	w->reached = last == w->last;
	return rc;
}

static int dirty_read(struct ioasim_hwpt *hwpt,
		      const struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	struct iommu_domain *domain = hwpt->domain;
	struct dirty_walk *w;
	u64 last;
	int rc;

	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;
	w = ioasim_kzalloc("dirty.walk", sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->walk.begin = dirty_begin;
	w->walk.mapped = dirty_mapped;
	w->cmd = cmd;
	w->hwpt = hwpt;
	w->domain = domain;
	w->flags = cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ?
		   IOMMU_DIRTY_NO_CLEAR : 0;
	w->iova = cmd->iova;
	w->page_size = cmd->page_size;
	w->nbits = cmd->page_size ? div64_u64(cmd->length, cmd->page_size) : 0;
	w->data = u64_to_user_ptr(cmd->data);
	w->window = U64_MAX;
	iommu_iotlb_gather_init(&w->synced);
	w->next = cmd->iova;
	w->last = last;
	rc = ioasim_space_walk_mapped(&hwpt->ioas->space, cmd->iova, last,
				      &w->walk);
	if (!rc && !w->reached) {
		w->hole = true;
		rc = -EINVAL;
	}
	if (!rc || w->hole)
		rc = dirty_flush(w) ?: rc;
	/*
	 * Only what was cleared needs the flush: a read refused before any
	 * was must not touch a domain its driver has not finished.
	 */
	if (!(w->flags & IOMMU_DIRTY_NO_CLEAR) &&
	    w->synced.start <= w->synced.end)
		iommu_iotlb_sync(domain, &w->synced);
	kfree(w);
	return rc;
}

/* What a clean slate needs: every mapped part asked about, and cleared. */
struct dirty_clear {
	struct ioasim_space_walk walk;
	struct iommu_domain *domain;
	struct iommu_iotlb_gather synced;
};

static int dirty_clear_mapped(struct ioasim_space_walk *walk,
			      unsigned long first, unsigned long last)
{
	struct dirty_clear *c = container_of(walk, struct dirty_clear, walk);
	struct iommu_iotlb_gather found;

	return dirty_ask(c->domain, first, last - first + 1, 0, &c->synced,
			 &found);
}

/* Clear every area's dirty bits: tracking starts from a clean slate. */
static int dirty_clear_all(struct ioasim_space *space,
			   struct iommu_domain *domain)
{
	struct dirty_clear c = {
		.walk.mapped = dirty_clear_mapped,
		.domain = domain,
	};
	int rc;

	iommu_iotlb_gather_init(&c.synced);
	rc = ioasim_space_walk_mapped(space, 0, ULONG_MAX, &c.walk);
	iommu_iotlb_sync(domain, &c.synced);
	return rc;
}

/**
 * ioasim_hwpt_set_dirty_tracking() - IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ctx: the context
 * @cmd: flags (IOMMU_HWPT_DIRTY_TRACKING_ENABLE or 0), hwpt_id
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (unknown flags; a HWPT allocated without
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING); -ENOENT (no such paging HWPT); the
 * driver's error.
 */
int ioasim_hwpt_set_dirty_tracking(struct ioasim_ctx *ctx,
				   struct iommu_hwpt_set_dirty_tracking *cmd)
{
	bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	struct ioasim_space *space;
	struct ioasim_hwpt *hwpt;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = ioasim_hwpt_paging_get(ctx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	space = &hwpt->ioas->space;
	rc = -EOPNOTSUPP;
	if (hwpt->domain->dirty_ops) {
		rc = enable ? dirty_clear_all(space, hwpt->domain) : 0;
		if (!rc)
			rc = hwpt->domain->dirty_ops->set_dirty_tracking(hwpt->domain,
									 enable);
		if (!rc)
			WRITE_ONCE(hwpt->dirty_tracking, enable);
	}
	ioasim_obj_put(ctx, &hwpt->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_set_dirty_tracking);

/**
 * ioasim_hwpt_get_dirty_bitmap() - IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ctx: the context
 * @cmd: hwpt_id, flags (IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR or 0),
 *	iova, length, page_size, data (the caller's bitmap)
 *
 * Sets the bit of every page_size piece of [iova, iova + length) that a
 * device wrote since tracking began or the last read that cleared, and
 * clears the dirty state unless NO_CLEAR is given.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP (unknown flags, reserved field, a HWPT without
 * dirty tracking); -ENOENT (no such paging HWPT); -EINVAL (empty or
 * misaligned range, page_size 0 or not a power of two, tracking off, a
 * part of the range not mapped);
 * -EOVERFLOW (the range wraps or exceeds unsigned long); -EFAULT (the
 * bitmap is not writable); -ENOMEM.
 */
int ioasim_hwpt_get_dirty_bitmap(struct ioasim_ctx *ctx,
				 struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	struct ioasim_hwpt *hwpt;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = ioasim_hwpt_paging_get(ctx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = dirty_read(hwpt, cmd);
	ioasim_obj_put(ctx, &hwpt->obj);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_hwpt_get_dirty_bitmap);
