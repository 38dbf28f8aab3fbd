// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - gaps in interval trees, see itree.h
 */
#include <kunit/visibility.h>
#include <linux/export.h>

#include "itree.h"

/**
 * ioasim_itree_gap() - find the lowest gap in [from, last]
 * @roots: array of trees whose union is searched
 * @nroots: how many
 * @from: where to start
 * @last: end of the window, inclusive
 * @gap_first: set to the gap's first value
 * @gap_last: set to the gap's last value
 *
 * Context: the caller holds whatever protects the trees.
 * Return: true if a gap was found.
 */
bool ioasim_itree_gap(struct rb_root_cached *const *roots,
		      unsigned int nroots, unsigned long from,
		       unsigned long last, unsigned long *gap_first,
		       unsigned long *gap_last)
{
	struct interval_tree_node *lowest, *node;
	unsigned long cur = from;
	unsigned int i;

	if (from > last)
		return false;
	for (;;) {
		lowest = NULL;
		for (i = 0; i < nroots; i++) {
			node = interval_tree_iter_first(roots[i], cur, last);
			if (node && (!lowest || node->start < lowest->start))
				lowest = node;
		}
		if (!lowest || lowest->start > cur) {
			*gap_first = cur;
			*gap_last = lowest ? lowest->start - 1 : last;
			return true;
		}
		/* cur is covered; skip past the interval covering it. */
		if (lowest->last >= last)
			return false;
		cur = lowest->last + 1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_itree_gap);
