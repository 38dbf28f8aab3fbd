/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - gaps in interval trees
 *
 * ioasim keeps IOVA ranges and page-index ranges in the kernel's interval
 * tree, every interval inclusive: [start, last]. The questions it asks are
 * about what no interval covers: which indexes of a range are not pinned
 * yet, where free IOVA is. This helper answers them over the union of
 * several trees without building that union.
 *
 * A window may end at ULONG_MAX; the iteration never computes last + 1 of
 * an interval or a gap that ends there.
 */
#ifndef __IOASIM_ITREE_H
#define __IOASIM_ITREE_H

#include <linux/interval_tree.h>
#include <linux/types.h>

bool ioasim_itree_gap(struct rb_root_cached *const *roots,
		      unsigned int nroots, unsigned long from,
		       unsigned long last, unsigned long *gap_first,
		       unsigned long *gap_last);

/**
 * struct ioasim_gaps - iterator over the gaps of a window
 * @roots: the trees whose union is searched
 * @nroots: how many
 * @cursor: the next value to look at
 * @last: end of the window, inclusive
 * @done: nothing left to look at
 * @first_free: the current gap's first value, after ioasim_gaps_next()
 * @last_free: the current gap's last value
 *
 * Usage::
 *
 *	ioasim_gaps_init(&h, roots, ARRAY_SIZE(roots), first, last);
 *	while (ioasim_gaps_next(&h))
 *		use(h.first_free, h.last_free);
 */
struct ioasim_gaps {
	struct rb_root_cached *const *roots;
	unsigned int nroots;
	unsigned long cursor;
	unsigned long last;
	bool done;
	unsigned long first_free;
	unsigned long last_free;
};

static inline void ioasim_gaps_init(struct ioasim_gaps *h,
				    struct rb_root_cached *const *roots,
				     unsigned int nroots, unsigned long first,
				     unsigned long last)
{
	h->roots = roots;
	h->nroots = nroots;
	h->cursor = first;
	h->last = last;
	h->done = first > last;
}

/**
 * ioasim_gaps_next() - advance to the next gap, in increasing order
 * @h: the iterator
 *
 * Return: true with @h->first_free and @h->last_free set, or false when
 * the window has no more gaps.
 */
static inline bool ioasim_gaps_next(struct ioasim_gaps *h)
{
	if (h->done || !ioasim_itree_gap(h->roots, h->nroots, h->cursor,
					 h->last, &h->first_free,
					  &h->last_free)) {
		h->done = true;
		return false;
	}
	if (h->last_free == h->last)
		h->done = true;
	else
		h->cursor = h->last_free + 1;
	return true;
}

#endif /* __IOASIM_ITREE_H */
