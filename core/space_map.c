// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the IOVA space of an IOAS, part three: mapping, unmapping,
 * cutting, and handing out the memory behind a range (for copy).
 *
 * Every operation validates completely before it changes anything, so a
 * refused request leaves the trees as they were: unmap checks that every
 * area it would touch lies inside the range before removing any of them.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "inject.h"
#include "space_internal.h"

static void area_free(struct ioasim_area *area)
{
	/* Invariant: unmap refuses areas that accesses pin. */
	WARN_ON(area->npins);
	if (area->pages)
		ioasim_pages_put(area->pages);
	kfree(area);
}

/**
 * ioasim_space_map() - map slices of pages at consecutive IOVA
 * @space: the space
 * @slices: the memory, in IOVA order; the new areas take their own
 *	references on the pages
 * @nslices: how many, at least one
 * @iova: in: the IOVA when @fixed; out: where the mapping was placed
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 * @fixed: map exactly at *@iova instead of choosing a place
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -EINVAL for a zero or misaligned length or IOVA, or an IOVA
 * inside a reserved range; -EEXIST if the fixed IOVA is already mapped;
 * -EOVERFLOW if the range wraps; -ENOSPC if no room was found; -EPERM for
 * a writable mapping of memory pinned read-only; -ENOMEM.
 */
int ioasim_space_map(struct ioasim_space *space,
		     const struct ioasim_slice *slices, unsigned int nslices,
		     unsigned long *iova, int prot, bool fixed)
{
	unsigned long length = 0, cur, last, mask;
	struct ioasim_area **areas;
	unsigned int i;
	int rc;

	for (i = 0; i < nslices; i++)
		if (check_add_overflow(length, slices[i].length, &length))
			return -EOVERFLOW;

	areas = ioasim_kcalloc("space.areas", nslices, sizeof(*areas),
			       GFP_KERNEL);
	if (!areas)
		return -ENOMEM;
	for (i = 0; i < nslices; i++) {
		areas[i] = ioasim_kzalloc("space.area_alloc", sizeof(*areas[i]),
					  GFP_KERNEL_ACCOUNT);
		if (!areas[i]) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	down_write(&space->lock);
	mask = space->iova_alignment - 1;
	if (!length || (length & mask) || (fixed && (*iova & mask)))
		rc = -EINVAL;
	else if (!fixed)
		rc = ioasim_space_place(space, slices[0].pages->uptr +
					     slices[0].start_byte, length, iova);
	else if (check_add_overflow(*iova, length - 1, &last))
		rc = -EOVERFLOW;
	else
		rc = ioasim_space_fixed_conflict(space, *iova, last);
	if (rc)
		goto out_unlock;

	/*
	 * Validate every slice before the first area goes in, each in turn
	 * as upstream inserts them: its permission, then its alignment.
	 */
	for (i = 0; i < nslices; i++) {
		if ((prot & IOMMU_WRITE) && !slices[i].pages->writable)
			rc = -EPERM;
		else if ((slices[i].start_byte % PAGE_SIZE) & mask)
			rc = -EINVAL;
		if (rc)
			goto out_unlock;
	}

	/* The conflict check or the allocator proved the range fits. */
	for (i = 0, cur = *iova; i < nslices; cur += slices[i].length, i++) {
		struct ioasim_area *area = areas[i];

		area->space = space;
		area->pages = slices[i].pages;
		ioasim_pages_get(area->pages);
		area->start_byte = slices[i].start_byte;
		area->prot = prot;
		area->node.start = cur;
		area->node.last = cur + slices[i].length - 1;
		rc = ioasim_area_fill_domains(space, area);
		if (rc)
			break;
		interval_tree_insert(&area->node, space_areas(space));
	}
	if (rc) {
		/* Slices before the failing one went in whole: take them out. */
		while (i--) {
			interval_tree_remove(&areas[i]->node, space_areas(space));
			ioasim_area_empty_domains(space, areas[i]);
		}
		goto out_unlock;
	}
	for (i = 0; i < nslices; i++)
		areas[i] = NULL;

out_unlock:
	up_write(&space->lock);
out_free:
	for (i = 0; i < nslices; i++)
		if (areas[i])
			area_free(areas[i]);
	kfree(areas);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_map);

/**
 * ioasim_space_unmap() - remove every area inside [iova, last]
 * @space: the space
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 * @unmapped: set to the number of bytes unmapped
 *
 * Areas are unmapped whole: if any area overlaps the range without lying
 * inside it, nothing is unmapped.
 *
 * An area that accesses still pin is not unmapped; it is marked so that
 * no new pins are taken, and -EBUSY tells the caller to ask the accesses
 * to unpin and try again (or to give up with ioasim_space_unmap_cancel()).
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0 (also when nothing was mapped there); -ENOENT if an area
 * crosses the range's boundary; -EBUSY if accesses pin an area in it.
 */
int ioasim_space_unmap(struct ioasim_space *space, unsigned long iova,
		       unsigned long last, unsigned long *unmapped)
{
	struct ioasim_area *area;
	unsigned long bytes = 0;
	int rc = 0;

	*unmapped = 0;
	down_write(&space->lock);
	space_for_each_area(area, space, iova, last) {
		if (area->node.start < iova || area->node.last > last) {
			rc = -ENOENT;
			goto out_unlock;
		}
	}
	/* Only an unmap that will happen holds new access pins off. */
	space_for_each_area(area, space, iova, last) {
		if (area->npins) {
			area->unmapping = true;
			rc = -EBUSY;
		}
	}
	if (rc)
		goto out_unlock;
	/* Removal moves the walk's ground: take the first until none. */
	while ((area = space_area_first(space, iova, last))) {
		interval_tree_remove(&area->node, space_areas(space));
		bytes += area_length(area);
		ioasim_area_empty_domains(space, area);
		area_free(area);
	}
	*unmapped = bytes;
out_unlock:
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unmap);

/**
 * ioasim_slices_put() - release slices from ioasim_space_slices()
 * @slices: the array
 * @nslices: its length
 *
 * Context: process context.
 */
void ioasim_slices_put(struct ioasim_slice *slices, unsigned int nslices)
{
	unsigned int i;

	for (i = 0; i < nslices; i++)
		ioasim_pages_put(slices[i].pages);
	kfree(slices);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_slices_put);

/*
 * Cut @area after @iova, which is inside it: two areas take its place,
 * sharing its pages and its registration. See ioasim_space_cut().
 */
static int area_split(struct ioasim_space *space, struct ioasim_area *area,
		      unsigned long iova)
{
	unsigned long mask = space->iova_alignment - 1, start = iova + 1;
	unsigned long rhs_byte = area->start_byte + (start - area->node.start);
	struct ioasim_area *lhs, *rhs;

	lockdep_assert_held_write(&space->lock);
	if (area->unmapping)
		return -EBUSY;
	/* Access pins are per area: they would have to be split too. */
	if (area->npins)
		return -EINVAL;
	/* A domain may hold IOPTEs larger than a page. */
	if (space->ndomains && !space->no_large_pages)
		return -EINVAL;
	if ((start & mask) || ((rhs_byte % PAGE_SIZE) & mask))
		return -EINVAL;

	lhs = ioasim_kzalloc("space.cut", sizeof(*lhs), GFP_KERNEL_ACCOUNT);
	rhs = ioasim_kzalloc("space.cut", sizeof(*rhs), GFP_KERNEL_ACCOUNT);
	if (!lhs || !rhs) {
		kfree(lhs);
		kfree(rhs);
		return -ENOMEM;
	}
	interval_tree_remove(&area->node, space_areas(space));
	lhs->space = space;
	rhs->space = space;
	lhs->pages = area->pages;
	rhs->pages = area->pages;
	ioasim_pages_get(area->pages);
	lhs->prot = area->prot;
	rhs->prot = area->prot;
	lhs->start_byte = area->start_byte;
	lhs->node.start = area->node.start;
	lhs->node.last = iova;
	rhs->start_byte = rhs_byte;
	rhs->node.start = start;
	rhs->node.last = area->node.last;
	if (space->ndomains)
		ioasim_pages_split_user(area->pages, &area->reg, &lhs->reg,
					&rhs->reg, rhs_byte, start);
	interval_tree_insert(&lhs->node, space_areas(space));
	interval_tree_insert(&rhs->node, space_areas(space));
	/* The halves took over the pages reference and the registration. */
	area->pages = NULL;
	area_free(area);
	return 0;
}

/**
 * ioasim_space_cut() - cut the areas that continue past given IOVAs
 * @space: the space
 * @iovas: IOVAs after which a new area must begin
 * @n: how many
 *
 * VFIO type1 v1 lets an unmap take part of a mapping: the caller cuts at
 * the range's edges first, then unmaps whole areas. An area is cut only
 * if nothing depends on its being whole: no access pins it, and no domain
 * can hold an IOPTE across the cut (large pages are off, so domains map a
 * page at a time). IOVAs that are not mapped, or an area's first or last
 * byte, are left alone.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -EINVAL if a cut is not aligned or not allowed (see above),
 * -EBUSY if the area is being unmapped, -ENOMEM. Cuts made before an
 * error stay: the areas they made are whole areas like any other.
 */
int ioasim_space_cut(struct ioasim_space *space, const unsigned long *iovas,
		     unsigned int n)
{
	struct ioasim_area *area;
	unsigned int i;
	int rc = 0;

	down_write(&space->lock);
	for (i = 0; i < n && !rc; i++) {
		area = space_area_first(space, iovas[i], iovas[i]);
		if (area && area->node.start != iovas[i] &&
		    area->node.last != iovas[i])
			rc = area_split(space, area, iovas[i]);
	}
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_cut);

/**
 * ioasim_space_slices() - the memory behind a fully mapped IOVA range
 * @space: the space
 * @iova: first IOVA
 * @length: bytes, not zero
 * @slices: set to an array of slices, one per area touched, each holding a
 *	reference on its pages; release with ioasim_slices_put()
 * @nslices: set to the array's length
 *
 * This is how copy shares memory between mappings without pinning it
 * again: the new areas use the same pages objects.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -EOVERFLOW if the range wraps; -ENOENT if any byte of it is
 * not mapped; -ENOMEM.
 */
int ioasim_space_slices(struct ioasim_space *space, unsigned long iova,
			unsigned long length, struct ioasim_slice **slices,
			unsigned int *nslices)
{
	struct space_pieces pcs;
	struct ioasim_slice *slice;
	struct ioasim_area *area;
	unsigned int n = 0;
	unsigned long last;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&space->lock);
	/* One slice per piece, and the pieces must leave no gap. */
	space_for_each_piece(&pcs, area, space, iova, last)
		n++;
	if (!space_pieces_whole(&pcs)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	*slices = ioasim_kcalloc("space.slices", n, sizeof(**slices),
				 GFP_KERNEL);
	if (!*slices) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	slice = *slices;
	space_for_each_piece(&pcs, area, space, iova, last) {
		slice->pages = area->pages;
		ioasim_pages_get(slice->pages);
		slice->start_byte = area_byte(area, pcs.cur);
		slice->length = pcs.piece_last - pcs.cur + 1;
		slice++;
	}
	*nslices = n;

out_unlock:
	up_read(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_slices);

/**
 * ioasim_space_unmap_cancel() - give up an unmap that got -EBUSY
 * @space: the space
 * @iova: first IOVA of the unmap
 * @last: its last IOVA
 *
 * Accesses may pin the areas in the range again.
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_unmap_cancel(struct ioasim_space *space,
			       unsigned long iova, unsigned long last)
{
	struct ioasim_area *area;

	down_write(&space->lock);
	space_for_each_area(area, space, iova, last)
		area->unmapping = false;
	up_write(&space->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unmap_cancel);
