/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - what the four parts of the IOVA space share (space.c,
 * space_domain.c, space_map.c, space_access.c); nothing outside them
 * includes this.
 *
 * Two walks over the areas, written once:
 *
 *   space_for_each_area()    every area that overlaps [first, last], in
 *                            IOVA order, gaps and all
 *   space_for_each_piece()   the pieces of [first, last] from first on:
 *                            each the part of the range inside one area,
 *                            consecutive, stopping at the first gap;
 *                            space_pieces_whole() tells whether the pieces
 *                            covered the range to its last byte
 *
 * Both need the space's lock held, and neither survives the removal of
 * the area it stands on.
 */
#ifndef __IOASIM_SPACE_INTERNAL_H
#define __IOASIM_SPACE_INTERNAL_H

#include "space.h"

#define area_of(n) container_of(n, struct ioasim_area, node)

/*
 * The space's trees and domain table, for code that holds its lock. Every
 * read or change of them outside init and teardown goes through these, so
 * that lockdep names a walk that forgot the lock even when no race shows.
 */
static inline struct rb_root_cached *space_areas(struct ioasim_space *space)
{
	lockdep_assert_held(&space->lock);
	return &space->areas;
}

static inline struct rb_root_cached *space_reserved(struct ioasim_space *space)
{
	lockdep_assert_held(&space->lock);
	return &space->reserved;
}

static inline struct rb_root_cached *space_allowed(struct ioasim_space *space)
{
	lockdep_assert_held(&space->lock);
	return &space->allowed;
}

static inline struct xarray *space_domains(struct ioasim_space *space)
{
	lockdep_assert_held(&space->lock);
	return &space->domains;
}

static inline unsigned long area_length(const struct ioasim_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* The offset in the area's pages of the byte mapped at @iova. */
static inline unsigned long area_byte(const struct ioasim_area *area,
				      unsigned long iova)
{
	return area->start_byte + (iova - area->node.start);
}

/* The first and last page index of the area's memory. */
static inline unsigned long area_first_index(const struct ioasim_area *area)
{
	return area->start_byte >> PAGE_SHIFT;
}

static inline unsigned long area_last_index(const struct ioasim_area *area)
{
	return (area->start_byte + area_length(area) - 1) >> PAGE_SHIFT;
}

static inline struct ioasim_area *
space_area_first(struct ioasim_space *space, unsigned long first,
		 unsigned long last)
{
	struct interval_tree_node *node =
		interval_tree_iter_first(space_areas(space), first, last);

	return node ? area_of(node) : NULL;
}

static inline struct ioasim_area *
space_area_next(struct ioasim_area *area, unsigned long first,
		unsigned long last)
{
	struct interval_tree_node *node =
		interval_tree_iter_next(&area->node, first, last);

	return node ? area_of(node) : NULL;
}

#define space_for_each_area(area, space, first, last)			\
	for (area = space_area_first(space, first, last); area;		\
	     area = space_area_next(area, first, last))

/**
 * struct space_pieces - the state of space_for_each_piece()
 * @space: the space walked
 * @cur: first IOVA of the current piece
 * @piece_last: last IOVA of the current piece
 * @last: last IOVA of the range
 * @whole: the pieces reached @last
 */
struct space_pieces {
	struct ioasim_space *space;
	unsigned long cur, piece_last, last;
	bool whole;
};

/* The piece of the walk's range that starts at @iova, if an area maps it. */
static inline struct ioasim_area *space_pieces_at(struct space_pieces *pcs,
						  unsigned long iova)
{
	struct ioasim_area *area = space_area_first(pcs->space, iova, iova);

	if (!area)
		return NULL;
	pcs->cur = iova;
	pcs->piece_last = min(pcs->last, area->node.last);
	return area;
}

static inline struct ioasim_area *
space_pieces_first(struct space_pieces *pcs, struct ioasim_space *space,
		   unsigned long first, unsigned long last)
{
	lockdep_assert_held(&space->lock);
	pcs->space = space;
	pcs->last = last;
	pcs->whole = false;
	return space_pieces_at(pcs, first);
}

static inline struct ioasim_area *space_pieces_next(struct space_pieces *pcs)
{
	/* Never past the range's end: it may be ULONG_MAX. */
	if (pcs->piece_last == pcs->last) {
		pcs->whole = true;
		return NULL;
	}
	return space_pieces_at(pcs, pcs->piece_last + 1);
}

#define space_for_each_piece(pcs, area, space, first, last)		\
	for (area = space_pieces_first(pcs, space, first, last); area;	\
	     area = space_pieces_next(pcs))

/* After the walk: did areas map every byte of the range? */
static inline bool space_pieces_whole(const struct space_pieces *pcs)
{
	return pcs->whole;
}

/* space.c */
int ioasim_space_place(struct ioasim_space *space, unsigned long uptr,
		       unsigned long length, unsigned long *iova);
int ioasim_space_fixed_conflict(struct ioasim_space *space,
				unsigned long iova, unsigned long last);

/* space_domain.c */
int ioasim_area_fill_domains(struct ioasim_space *space,
			     struct ioasim_area *area);
void ioasim_area_empty_domains(struct ioasim_space *space,
			       struct ioasim_area *area);

#endif /* __IOASIM_SPACE_INTERNAL_H */
