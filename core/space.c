// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the IOVA space of an IOAS, part one: the space itself, where
 * automatic placement puts a mapping, and the reserved and allowed ranges
 * that constrain it. The rules are in space.h.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "inject.h"
#include "itree.h"
#include "space_internal.h"

/* Automatic placement never returns IOVA in the first or last page. */
#define IOASIM_AUTO_FIRST	PAGE_SIZE
#define IOASIM_AUTO_LAST	(ULONG_MAX - PAGE_SIZE)

/**
 * ioasim_space_init() - an empty IOVA space
 * @space: the space
 *
 * Context: any context.
 */
void ioasim_space_init(struct ioasim_space *space)
{
	init_rwsem(&space->lock);
	space->areas = RB_ROOT_CACHED;
	space->reserved = RB_ROOT_CACHED;
	space->allowed = RB_ROOT_CACHED;
	space->iova_alignment = 1;
	xa_init_flags(&space->domains, XA_FLAGS_ALLOC);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_init);

/**
 * ioasim_allowed_free() - free every node of an allowed-range tree
 * @allowed: the tree; empty afterwards
 *
 * Context: any context.
 */
void ioasim_allowed_free(struct rb_root_cached *allowed)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(allowed, 0, ULONG_MAX))) {
		interval_tree_remove(node, allowed);
		kfree(container_of(node, struct ioasim_allowed, node));
	}
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_allowed_free);

static void space_free_reserved(struct ioasim_space *space, const void *owner,
				bool any)
{
	struct rb_root_cached *reserved = space_reserved(space);
	struct interval_tree_node *node, *next;

	for (node = interval_tree_iter_first(reserved, 0, ULONG_MAX); node;
	     node = next) {
		struct ioasim_reserved *res =
			container_of(node, struct ioasim_reserved, node);

		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		if (any || res->owner == owner) {
			interval_tree_remove(node, reserved);
			kfree(res);
		}
	}
}

/**
 * ioasim_space_destroy() - free the bookkeeping of an unmapped space
 * @space: a space with no areas left
 *
 * Context: process context.
 */
void ioasim_space_destroy(struct ioasim_space *space)
{
	/* Invariant: the IOAS unmaps everything first. */
	WARN_ON(!RB_EMPTY_ROOT(&space->areas.rb_root));
	WARN_ON(space->ndomains);
	/* Uncontended: only for the reserved tree's lockdep check. */
	down_write(&space->lock);
	space_free_reserved(space, NULL, true);
	up_write(&space->lock);
	ioasim_allowed_free(&space->allowed);
	xa_destroy(&space->domains);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_destroy);

/*
 * Where a hole starting at @from places a mapping: @from rounded up to
 * @align, with the page offset @offset set in it, or false if that
 * overflows. This is upstream's rule, so that an automatic IOVA is the
 * one upstream would choose: below a page, @align does not keep the page
 * offset, and a hole that starts past its aligned start by less than
 * @offset still moves on to the next one.
 */
static bool next_aligned(unsigned long from, unsigned long align,
			 unsigned long offset, unsigned long *x)
{
	if (check_add_overflow(from, align - 1, x))
		return false;
	*x = (*x & ~(align - 1)) | offset;
	return true;
}

/* Find room for [x, x + length - 1] in the free parts of [first, last]. */
static bool space_fit(struct ioasim_space *space, unsigned long first,
		      unsigned long last, unsigned long length,
		      unsigned long align, unsigned long offset,
		      unsigned long *iova)
{
	struct rb_root_cached *used[] = {
		space_reserved(space), space_areas(space)
	};
	struct ioasim_gaps h;
	unsigned long x;

	ioasim_gaps_init(&h, used, ARRAY_SIZE(used), first, last);
	while (ioasim_gaps_next(&h)) {
		if (!next_aligned(h.first_free, align, offset, &x))
			continue;
		/* A start on the hole's last byte is refused, as upstream. */
		if (x < h.last_free && h.last_free - x >= length - 1) {
			*iova = x;
			return true;
		}
	}
	return false;
}

/*
 * Place @length bytes whose memory starts at user address @uptr. The IOVA
 * is aligned like @uptr up to the length rounded to a power of two (the
 * length alone for @uptr 0), capped at the huge-page size (at PAGE_SIZE in
 * a kernel without THP), so large IO pages stay usable, and gets @uptr's
 * offset within its page set in it (next_aligned()). Large pages off
 * (IOMMU_OPTION_HUGE_PAGES) changes the IO page size only, not the
 * placement: an IOVA placed now keeps its alignment when they come back
 * on.
 */
int ioasim_space_place(struct ioasim_space *space, unsigned long uptr,
		       unsigned long length, unsigned long *iova)
{
	unsigned long align, max_align, offset, win_first, win_last;
	struct interval_tree_node *node;

	lockdep_assert_held_write(&space->lock);

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;

	align = roundup_pow_of_two(length);
	if (uptr)
		align = min(align, 1UL << __ffs(uptr));
	max_align = PAGE_SIZE;
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		max_align = PMD_SIZE;
	align = min(align, max_align);
	if (align < space->iova_alignment)
		return -EINVAL;

	offset = uptr % PAGE_SIZE;

	if (RB_EMPTY_ROOT(&space_allowed(space)->rb_root))
		return space_fit(space, IOASIM_AUTO_FIRST, IOASIM_AUTO_LAST,
				 length, align, offset, iova) ? 0 : -ENOSPC;

	/* Each run of adjacent allowed ranges is one window. */
	node = interval_tree_iter_first(space_allowed(space), 0, ULONG_MAX);
	while (node) {
		win_first = node->start;
		win_last = node->last;
		node = interval_tree_iter_next(node, 0, ULONG_MAX);
		while (node && win_last != ULONG_MAX &&
		       node->start == win_last + 1) {
			win_last = node->last;
			node = interval_tree_iter_next(node, 0, ULONG_MAX);
		}
		win_first = max(win_first, IOASIM_AUTO_FIRST);
		win_last = min(win_last, IOASIM_AUTO_LAST);
		if (win_first <= win_last &&
		    space_fit(space, win_first, win_last, length, align, offset,
			      iova))
			return 0;
	}
	return -ENOSPC;
}

/* What stands in the way of mapping [iova, last] at a fixed IOVA. */
int ioasim_space_fixed_conflict(struct ioasim_space *space,
				unsigned long iova, unsigned long last)
{
	lockdep_assert_held(&space->lock);

	/* Reserved IOVA is refused as invalid, a mapping as existing. */
	if (interval_tree_iter_first(space_reserved(space), iova, last))
		return -EINVAL;
	if (interval_tree_iter_first(space_areas(space), iova, last))
		return -EEXIST;
	return 0;
}

/**
 * ioasim_space_reserve() - forbid mapping [start, last]
 * @space: the space
 * @start: first IOVA
 * @last: last IOVA, inclusive
 * @owner: who may remove it again
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -EINVAL if @start > @last; -EADDRINUSE if the range is mapped
 * or allowed; -ENOMEM.
 */
int ioasim_space_reserve(struct ioasim_space *space, unsigned long start,
			 unsigned long last, const void *owner)
{
	struct ioasim_reserved *res;
	int rc = 0;

	if (start > last)
		return -EINVAL;
	res = ioasim_kzalloc("space.reserve", sizeof(*res), GFP_KERNEL_ACCOUNT);
	if (!res)
		return -ENOMEM;
	res->node.start = start;
	res->node.last = last;
	res->owner = owner;

	down_write(&space->lock);
	if (interval_tree_iter_first(space_areas(space), start, last) ||
	    interval_tree_iter_first(space_allowed(space), start, last))
		rc = -EADDRINUSE;
	else
		interval_tree_insert(&res->node, space_reserved(space));
	up_write(&space->lock);
	if (rc)
		kfree(res);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(ioasim_space_reserve, IOASIM_TEST);

/**
 * ioasim_space_unreserve() - remove every reserved range of @owner
 * @space: the space
 * @owner: as given to ioasim_space_reserve()
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_unreserve(struct ioasim_space *space, const void *owner)
{
	down_write(&space->lock);
	space_free_reserved(space, owner, false);
	up_write(&space->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unreserve);

/**
 * ioasim_space_set_allowed() - replace the allowed ranges, all or nothing
 * @space: the space
 * @allowed: in: the new ranges (non-overlapping); out: the ranges that are
 *	no longer in use (the old ones, or the new ones if refused), for the
 *	caller to free with ioasim_allowed_free()
 *
 * An empty tree allows everything again.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0, or -EADDRINUSE if a new range overlaps a reserved one.
 */
int ioasim_space_set_allowed(struct ioasim_space *space,
			     struct rb_root_cached *allowed)
{
	struct interval_tree_node *node;
	int rc = 0;

	down_write(&space->lock);
	for (node = interval_tree_iter_first(allowed, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (interval_tree_iter_first(space_reserved(space), node->start,
					     node->last)) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc)
		swap(*allowed, *space_allowed(space));
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_set_allowed);

/**
 * ioasim_space_iova_ranges() - the IOVA ranges that are not reserved
 * @space: the space
 * @ranges: array receiving up to *@nranges ranges, lowest first
 * @nranges: in: the capacity of @ranges; out: how many ranges exist, which
 *	may be more than were stored
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_iova_ranges(struct ioasim_space *space,
			      struct iommu_iova_range *ranges, u32 *nranges)
{
	struct rb_root_cached *roots[1];
	struct ioasim_gaps h;
	u32 cap = *nranges, n = 0;

	down_read(&space->lock);
	roots[0] = space_reserved(space);
	ioasim_gaps_init(&h, roots, 1, 0, ULONG_MAX);
	while (ioasim_gaps_next(&h)) {
		if (n < cap) {
			ranges[n].start = h.first_free;
			ranges[n].last = h.last_free;
		}
		n++;
	}
	up_read(&space->lock);
	*nranges = n;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_iova_ranges);

/**
 * ioasim_space_walk_mapped() - visit the mapped parts of [first, last]
 * @space: the space
 * @first: first IOVA
 * @last: last IOVA, inclusive
 * @walk: what to do with them
 *
 * The space cannot change during the walk, so what @walk->begin checked
 * holds for every part it is then shown. Each part costs a reschedule
 * point: the number of parts is the space's, not the caller's.
 *
 * Context: process context, may sleep; takes @space->lock for reading.
 * Return: 0, or the first non-zero return of @walk's functions.
 */
int ioasim_space_walk_mapped(struct ioasim_space *space, unsigned long first,
			     unsigned long last, struct ioasim_space_walk *walk)
{
	struct ioasim_area *area;
	int rc = 0;

	down_read(&space->lock);
	if (walk->begin)
		rc = walk->begin(walk, space->iova_alignment);
	if (rc)
		goto out_unlock;
	space_for_each_area(area, space, first, last) {
		rc = walk->mapped(walk, max(first, area->node.start),
				  min(last, area->node.last));
		if (rc)
			break;
		cond_resched();
	}
out_unlock:
	up_read(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_walk_mapped);

/**
 * ioasim_space_nth_area() - where the @nth area starts, counting from 0
 * @space: the space
 * @nth: which area, in IOVA order
 * @iova: out: its first IOVA
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: whether the space has more than @nth areas.
 */
bool ioasim_space_nth_area(struct ioasim_space *space, unsigned int nth,
			   unsigned long *iova)
{
	struct ioasim_area *area;
	bool found = false;

	down_read(&space->lock);
	space_for_each_area(area, space, 0, ULONG_MAX) {
		if (!nth--) {
			*iova = area->node.start;
			found = true;
			break;
		}
	}
	up_read(&space->lock);
	return found;
}
EXPORT_SYMBOL_NS_GPL(ioasim_space_nth_area, IOASIM_TEST);
