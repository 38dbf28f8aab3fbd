// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the IOVA space of an IOAS: areas, reserved and allowed ranges,
 * automatic placement. The rules are in space.h.
 *
 * Every operation validates completely before it changes anything, so a
 * refused request leaves the trees as they were: unmap checks that every
 * area it would touch lies inside the range before removing any of them.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "fault.h"
#include "itree.h"
#include "ledger.h"
#include "space.h"

/* Automatic placement never returns IOVA in the first or last page. */
#define IOASIM_AUTO_FIRST	PAGE_SIZE
#define IOASIM_AUTO_LAST	(ULONG_MAX - PAGE_SIZE)

#define area_of(n) container_of(n, struct ioasim_area, node)

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
	struct interval_tree_node *node, *next;

	for (node = interval_tree_iter_first(&space->reserved, 0, ULONG_MAX);
	     node; node = next) {
		struct ioasim_reserved *res =
			container_of(node, struct ioasim_reserved, node);

		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		if (any || res->owner == owner) {
			interval_tree_remove(node, &space->reserved);
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
	/* LCOV_EXCL_BR_START: the IOAS unmaps everything first */
	WARN_ON(!RB_EMPTY_ROOT(&space->areas.rb_root));
	WARN_ON(space->ndomains);
	/* LCOV_EXCL_BR_STOP */
	space_free_reserved(space, NULL, true);
	ioasim_allowed_free(&space->allowed);
	xa_destroy(&space->domains);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_destroy);

/*
 * The lowest x >= @from with x % @align == @offset, or false if that
 * overflows. @align is a power of two above @offset.
 */
static bool next_aligned(unsigned long from, unsigned long align,
			 unsigned long offset, unsigned long *x)
{
	unsigned long base = ALIGN_DOWN(from, align) + offset;

	if (base >= from) {
		*x = base;
		return true;
	}
	return !check_add_overflow(base, align, x);
}

/* Find room for [x, x + length - 1] in the free parts of [first, last]. */
static bool space_fit(struct ioasim_space *space, unsigned long first,
		      unsigned long last, unsigned long length,
		      unsigned long align, unsigned long offset,
		      unsigned long *iova)
{
	struct rb_root_cached *used[] = { &space->reserved, &space->areas };
	struct ioasim_holes h;
	unsigned long x;

	ioasim_holes_init(&h, used, ARRAY_SIZE(used), first, last);
	while (ioasim_holes_next(&h)) {
		if (!next_aligned(h.first_free, align, offset, &x))
			continue;
		if (x <= h.last_free && h.last_free - x >= length - 1) {
			*iova = x;
			return true;
		}
	}
	return false;
}

/*
 * Place @length bytes whose memory starts at user address @uptr. The IOVA
 * keeps @uptr's offset within its page, and is aligned like @uptr up to the
 * length rounded to a power of two (capped at the huge-page size, or at
 * PAGE_SIZE with large pages off), so large IO pages stay usable.
 */
static int space_alloc_iova(struct ioasim_space *space, unsigned long uptr,
			    unsigned long length, unsigned long *iova)
{
	unsigned long align, max_align, step, offset, win_first, win_last;
	struct interval_tree_node *node;

	lockdep_assert_held_write(&space->lock);

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;

	align = roundup_pow_of_two(length);
	if (uptr)
		align = min(align, 1UL << __ffs(uptr));
	max_align = PAGE_SIZE;
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && !space->no_large_pages)
		max_align = PMD_SIZE;
	align = min(align, max_align);
	if (align < space->iova_alignment)
		return -EINVAL;

	/* Below PAGE_SIZE, keeping the page offset implies the alignment. */
	step = max(align, PAGE_SIZE);
	offset = uptr & (step - 1);

	if (RB_EMPTY_ROOT(&space->allowed.rb_root))
		return space_fit(space, IOASIM_AUTO_FIRST, IOASIM_AUTO_LAST,
				 length, step, offset, iova) ? 0 : -ENOSPC;

	/* Each run of adjacent allowed ranges is one window. */
	node = interval_tree_iter_first(&space->allowed, 0, ULONG_MAX);
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
		    space_fit(space, win_first, win_last, length, step, offset,
			      iova))
			return 0;
	}
	return -ENOSPC;
}

/* What stands in the way of mapping [iova, last] at a fixed IOVA. */
static int space_fixed_conflict(struct ioasim_space *space, unsigned long iova,
				unsigned long last)
{
	lockdep_assert_held(&space->lock);

	/* Reserved IOVA is refused as invalid, a mapping as existing. */
	if (interval_tree_iter_first(&space->reserved, iova, last))
		return -EINVAL;
	return interval_tree_iter_first(&space->areas, iova, last) ? -EEXIST : 0;
}

static void area_free(struct ioasim_area *area)
{
	/* LCOV_EXCL_BR_START: unmap refuses areas that accesses pin */
	WARN_ON(!RB_EMPTY_ROOT(&area->access_pins.rb_root));
	/* LCOV_EXCL_BR_STOP */
	if (area->pages)
		ioasim_pages_put(area->pages);
	kfree(area);
}

static unsigned long area_length(struct ioasim_area *area)
{
	return area->node.last - area->node.start + 1;
}

/*
 * Bytes of the area from @byte on that are physically contiguous, at most
 * @left; they start at *@phys.
 */
static unsigned long area_contig(struct ioasim_area *area, unsigned long byte,
				 unsigned long left, phys_addr_t *phys)
{
	unsigned long chunk = min(PAGE_SIZE - (byte & ~PAGE_MASK), left);
	struct page *page;

	page = ioasim_pages_page(area->pages, byte >> PAGE_SHIFT);
	*phys = page_to_phys(page) + (byte & ~PAGE_MASK);
	while (chunk < left) {
		page = ioasim_pages_page(area->pages,
					 (byte + chunk) >> PAGE_SHIFT);
		if (page_to_phys(page) != *phys + chunk)
			break;
		chunk += min(PAGE_SIZE, left - chunk);
	}
	return chunk;
}

/*
 * The reference ledger counts a domain's mappings in its smallest IO page,
 * which every map and unmap is aligned to.
 */
static void ledger_domain(bool map, struct iommu_domain *domain,
			  unsigned long iova, size_t length)
{
	unsigned int shift = __ffs(domain->pgsize_bitmap);

	if (map)
		ioasim_ledger_take_range(IOASIM_LEDGER_MAP, domain,
					 iova >> shift, length >> shift,
					 _RET_IP_);
	else
		ioasim_ledger_give_range(IOASIM_LEDGER_MAP, domain,
					 iova >> shift, length >> shift,
					 _RET_IP_);
}

/*
 * Map the area's (pinned) memory into @domain, one call per physically
 * contiguous run; with large pages off, one call per CPU page, so that
 * the domain holds no IOPTE an area cut (ioasim_space_cut()) could split.
 * Every mapping asks for coherent DMA (IOMMU_CACHE): only devices whose
 * IOMMU keeps DMA cache coherent are bound, and domains that can enforce
 * it are told to (ioasim_hwpt_enforce_coherency()).
 */
static int area_map_domain(struct ioasim_area *area,
			   struct iommu_domain *domain)
{
	unsigned long iova = area->node.start, byte = area->start_byte;
	unsigned long left = area_length(area), chunk;
	phys_addr_t phys;
	int rc = 0;

	while (left) {
		chunk = area_contig(area, byte, left, &phys);
		if (area->space->no_large_pages)
			chunk = min(chunk, PAGE_SIZE - (byte & ~PAGE_MASK));
		rc = ioasim_should_fail("space.domain_map") ? -ENOMEM :
			iommu_map(domain, iova, phys, chunk,
				  area->prot | IOMMU_CACHE,
				  GFP_KERNEL_ACCOUNT);
		if (rc)
			break;
		ledger_domain(true, domain, iova, chunk);
		iova += chunk;
		byte += chunk;
		left -= chunk;
	}
	if (rc && iova > area->node.start) {
		iommu_unmap(domain, area->node.start, iova - area->node.start);
		ledger_domain(false, domain, area->node.start,
			      iova - area->node.start);
	}
	return rc;
}

static void area_unmap_domain(struct ioasim_area *area,
			      struct iommu_domain *domain)
{
	size_t done = iommu_unmap(domain, area->node.start, area_length(area));

	ledger_domain(false, domain, area->node.start, done);

	/* LCOV_EXCL_BR_START: a domain unmaps what it mapped */
	WARN_ON(done != area_length(area));
	/* LCOV_EXCL_BR_STOP */
}

/* From now on @domain holds the PFNs of the area's pages. */
static void area_store(struct ioasim_area *area, struct iommu_domain *domain)
{
	ioasim_pages_store_in_domain(area->pages, &area->pin, domain,
				     area->node.start, area->start_byte);
}

static int area_pin(struct ioasim_area *area)
{
	return ioasim_pages_add_user(area->pages, &area->pin,
				     area->start_byte >> PAGE_SHIFT,
				     (area->start_byte + area_length(area) - 1) >>
				     PAGE_SHIFT);
}

/*
 * Make a new area resident in every attached domain; on failure nothing
 * of it is left in any domain or pinned.
 */
static int area_fill_domains(struct ioasim_space *space,
			     struct ioasim_area *area)
{
	struct iommu_domain *domain, *undo;
	unsigned long index, undo_index;
	int rc;

	lockdep_assert_held_write(&space->lock);
	if (!space->ndomains)
		return 0;
	rc = area_pin(area);
	if (rc)
		return rc;
	xa_for_each(&space->domains, index, domain) {
		rc = area_map_domain(area, domain);
		if (!rc)
			continue;
		xa_for_each(&space->domains, undo_index, undo) {
			if (undo == domain)
				break;
			area_unmap_domain(area, undo);
		}
		ioasim_pages_remove_user(area->pages, &area->pin);
		return rc;
	}
	index = 0;
	area_store(area, xa_find(&space->domains, &index, ULONG_MAX,
				 XA_PRESENT));
	return 0;
}

/* Take an area out of every domain, then release its memory. */
static void area_unfill_domains(struct ioasim_space *space,
				struct ioasim_area *area)
{
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held_write(&space->lock);
	if (!space->ndomains)
		return;
	ioasim_pages_unstore(area->pages, &area->pin);
	xa_for_each(&space->domains, index, domain)
		area_unmap_domain(area, domain);
	ioasim_pages_remove_user(area->pages, &area->pin);
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

	for (i = 0; i < nslices; i++) {
		if ((prot & IOMMU_WRITE) && !slices[i].pages->writable)
			return -EPERM;
		if (check_add_overflow(length, slices[i].length, &length))
			return -EOVERFLOW;
	}

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
		rc = space_alloc_iova(space, slices[0].pages->uptr +
					     slices[0].start_byte, length, iova);
	else if (check_add_overflow(*iova, length - 1, &last))
		rc = -EOVERFLOW;
	else
		rc = space_fixed_conflict(space, *iova, last);
	if (rc)
		goto out_unlock;

	/* Validate every slice before the first area goes in. */
	for (i = 0; i < nslices; i++) {
		if ((slices[i].start_byte % PAGE_SIZE) & mask) {
			rc = -EINVAL;
			goto out_unlock;
		}
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
		rc = area_fill_domains(space, area);
		if (rc)
			break;
		interval_tree_insert(&area->node, &space->areas);
	}
	if (rc) {
		/* Slices before the failing one went in whole: take them out. */
		while (i--) {
			interval_tree_remove(&areas[i]->node, &space->areas);
			area_unfill_domains(space, areas[i]);
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
	struct interval_tree_node *node;
	unsigned long bytes = 0;
	int rc = 0;

	*unmapped = 0;
	down_write(&space->lock);
	node = interval_tree_iter_first(&space->areas, iova, last);
	for (; node; node = interval_tree_iter_next(node, iova, last)) {
		if (node->start < iova || node->last > last) {
			up_write(&space->lock);
			return -ENOENT;
		}
	}
	/* Only an unmap that will happen holds new access pins off. */
	node = interval_tree_iter_first(&space->areas, iova, last);
	for (; node; node = interval_tree_iter_next(node, iova, last)) {
		if (!RB_EMPTY_ROOT(&area_of(node)->access_pins.rb_root)) {
			area_of(node)->unmapping = true;
			rc = -EBUSY;
		}
	}
	if (rc) {
		up_write(&space->lock);
		return rc;
	}
	while ((node = interval_tree_iter_first(&space->areas, iova, last))) {
		interval_tree_remove(node, &space->areas);
		bytes += node->last - node->start + 1;
		area_unfill_domains(space, area_of(node));
		area_free(area_of(node));
	}
	up_write(&space->lock);
	*unmapped = bytes;
	return 0;
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
	if (!RB_EMPTY_ROOT(&area->access_pins.rb_root))
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
	interval_tree_remove(&area->node, &space->areas);
	lhs->space = space;
	rhs->space = space;
	lhs->pages = area->pages;
	rhs->pages = area->pages;
	ioasim_pages_get(area->pages);
	lhs->prot = area->prot;
	rhs->prot = area->prot;
	lhs->access_pins = RB_ROOT_CACHED;
	rhs->access_pins = RB_ROOT_CACHED;
	lhs->start_byte = area->start_byte;
	lhs->node.start = area->node.start;
	lhs->node.last = iova;
	rhs->start_byte = rhs_byte;
	rhs->node.start = start;
	rhs->node.last = area->node.last;
	if (space->ndomains)
		ioasim_pages_split_user(area->pages, &area->pin, &lhs->pin,
					&rhs->pin, rhs_byte, start);
	interval_tree_insert(&lhs->node, &space->areas);
	interval_tree_insert(&rhs->node, &space->areas);
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
	struct interval_tree_node *node;
	unsigned int i;
	int rc = 0;

	down_write(&space->lock);
	for (i = 0; i < n && !rc; i++) {
		node = interval_tree_iter_first(&space->areas, iovas[i],
						iovas[i]);
		if (node && node->start != iovas[i] &&
		    node->last != iovas[i])
			rc = area_split(space, area_of(node), iovas[i]);
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
	struct interval_tree_node *node;
	unsigned long last, cur, end;
	unsigned int n = 0, i;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&space->lock);
	/* Count the areas, and insist that they leave no gap. */
	cur = iova;
	for (node = interval_tree_iter_first(&space->areas, iova, last); node;
	     node = interval_tree_iter_next(node, iova, last)) {
		if (node->start > cur)
			break;
		n++;
		if (node->last >= last)
			break;
		cur = node->last + 1;
	}
	if (!node || node->start > cur || node->last < last) {
		rc = -ENOENT;
		goto out_unlock;
	}

	*slices = ioasim_kcalloc("space.slices", n, sizeof(**slices),
				 GFP_KERNEL);
	if (!*slices) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	node = interval_tree_iter_first(&space->areas, iova, last);
	for (i = 0; i < n; i++) {
		struct ioasim_area *area = area_of(node);
		struct ioasim_slice *slice = &(*slices)[i];

		cur = max(iova, node->start);
		end = min(last, node->last);
		slice->pages = area->pages;
		ioasim_pages_get(slice->pages);
		slice->start_byte = area->start_byte + (cur - node->start);
		slice->length = end - cur + 1;
		node = interval_tree_iter_next(node, iova, last);
	}
	*nslices = n;

out_unlock:
	up_read(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_slices);

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
	if (interval_tree_iter_first(&space->areas, start, last) ||
	    interval_tree_iter_first(&space->allowed, start, last))
		rc = -EADDRINUSE;
	else
		interval_tree_insert(&res->node, &space->reserved);
	up_write(&space->lock);
	if (rc)
		kfree(res);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_reserve);

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
		if (interval_tree_iter_first(&space->reserved, node->start,
					     node->last)) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc)
		swap(*allowed, space->allowed);
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_set_allowed);

/**
 * ioasim_space_holes() - the IOVA ranges that are not reserved
 * @space: the space
 * @holes: array receiving up to *@nholes ranges, lowest first
 * @nholes: in: the capacity of @holes; out: how many ranges exist, which
 *	may be more than were stored
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_holes(struct ioasim_space *space,
			struct iommu_iova_range *holes, u32 *nholes)
{
	struct rb_root_cached *roots[] = { &space->reserved };
	struct ioasim_holes h;
	u32 cap = *nholes, n = 0;

	down_read(&space->lock);
	ioasim_holes_init(&h, roots, 1, 0, ULONG_MAX);
	while (ioasim_holes_next(&h)) {
		if (n < cap) {
			holes[n].start = h.first_free;
			holes[n].last = h.last_free;
		}
		n++;
	}
	up_read(&space->lock);
	*nholes = n;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_holes);

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
	struct interval_tree_node *node;
	bool found = false;

	down_read(&space->lock);
	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (!nth--) {
			*iova = node->start;
			found = true;
			break;
		}
	}
	up_read(&space->lock);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_nth_area);

/**
 * ioasim_space_pgsizes() - the IO page sizes every mapping can use
 * @space: the space
 *
 * What VFIO reports as iova_pgsizes: the page sizes all attached domains
 * support, never below a CPU page (as VFIO rounds them), nor below the
 * space's IOVA alignment.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: a bitmap of page sizes.
 */
unsigned long ioasim_space_pgsizes(struct ioasim_space *space)
{
	unsigned long pgsizes = ULONG_MAX, index;
	struct iommu_domain *domain;

	down_read(&space->lock);
	xa_for_each(&space->domains, index, domain)
		pgsizes &= domain->pgsize_bitmap;
	if (pgsizes & ~PAGE_MASK)
		pgsizes = (pgsizes & PAGE_MASK) | PAGE_SIZE;
	pgsizes = max(pgsizes, space->iova_alignment);
	up_read(&space->lock);
	return pgsizes;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_pgsizes);

static unsigned long domain_alignment(struct iommu_domain *domain)
{
	return 1UL << __ffs(domain->pgsize_bitmap);
}

/*
 * The alignment the attached domains, the accesses that pin pages and the
 * HUGE_PAGES option demand: with large pages off, domains are filled a
 * CPU page at a time.
 */
static unsigned long space_alignment(struct ioasim_space *space)
{
	unsigned long align = space->no_large_pages || space->npage_users ?
			      PAGE_SIZE : 1;
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held(&space->lock);
	xa_for_each(&space->domains, index, domain)
		align = max(align, domain_alignment(domain));
	return align;
}

/* Would every area still be valid with @align? */
static bool space_areas_fit(struct ioasim_space *space, unsigned long align)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct ioasim_area *area = area_of(node);

		if ((node->start | area_length(area) |
		     (area->start_byte % PAGE_SIZE)) & (align - 1))
			return false;
	}
	return true;
}

/* Reserve what lies outside the domain's aperture, owned by the domain. */
static int space_reserve_aperture(struct ioasim_space *space,
				  struct iommu_domain *domain)
{
	const struct iommu_domain_geometry *geo = &domain->geometry;
	int rc = 0;

	if (!geo->force_aperture)
		return 0;
	if (geo->aperture_start)
		rc = ioasim_space_reserve(space, 0, geo->aperture_start - 1,
					  domain);
	if (!rc && geo->aperture_end < ULONG_MAX)
		rc = ioasim_space_reserve(space, geo->aperture_end + 1,
					  ULONG_MAX, domain);
	if (rc)
		ioasim_space_unreserve(space, domain);
	return rc;
}

/**
 * ioasim_space_add_domain() - attach a domain: map every area into it
 * @space: the space
 * @domain: a paging domain not attached to @space
 *
 * The first domain makes every area resident (pinned); every domain then
 * maps all of them. On failure the domain maps nothing, nothing stays
 * pinned for it, and the space is as before.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -EADDRINUSE if an area lies outside the domain's aperture or
 * violates its IO page alignment; -ENOMEM; a pin or map error.
 */
int ioasim_space_add_domain(struct ioasim_space *space,
			    struct iommu_domain *domain)
{
	struct interval_tree_node *node, *undo;
	bool first;
	u32 id;
	int rc;

	/* The aperture is reserved before the lock is taken for the rest. */
	rc = space_reserve_aperture(space, domain);
	if (rc)
		return rc;

	/*
	 * Whether this is the first domain, which pins, and the alignment
	 * the areas must keep are read under the lock: a domain leaving
	 * meanwhile would otherwise take the pins this one relies on.
	 */
	down_write(&space->lock);
	first = !space->ndomains;
	if (!space_areas_fit(space, max(space->iova_alignment,
					domain_alignment(domain)))) {
		rc = -EADDRINUSE;
		goto out_unreserve;
	}
	rc = ioasim_should_fail("space.domain_slot") ? -ENOMEM :
		xa_alloc(&space->domains, &id, domain, xa_limit_32b,
			 GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unreserve;

	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct ioasim_area *area = area_of(node);

		if (first) {
			rc = area_pin(area);
			if (rc)
				break;
		}
		rc = area_map_domain(area, domain);
		if (rc) {
			if (first)
				ioasim_pages_remove_user(area->pages,
							 &area->pin);
			break;
		}
	}
	if (rc) {
		for (undo = interval_tree_iter_first(&space->areas, 0,
						     ULONG_MAX);
		     undo != node;
		     undo = interval_tree_iter_next(undo, 0, ULONG_MAX)) {
			area_unmap_domain(area_of(undo), domain);
			if (first)
				ioasim_pages_remove_user(area_of(undo)->pages,
							 &area_of(undo)->pin);
		}
		xa_erase(&space->domains, id);
		goto out_unreserve;
	}
	/* The first domain holds the PFNs from now on. */
	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     first && node; node = interval_tree_iter_next(node, 0, ULONG_MAX))
		area_store(area_of(node), domain);
	space->ndomains++;
	space->iova_alignment = space_alignment(space);
	up_write(&space->lock);
	return 0;

out_unreserve:
	up_write(&space->lock);
	ioasim_space_unreserve(space, domain);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_add_domain);

/**
 * ioasim_space_remove_domain() - detach a domain: unmap every area from it
 * @space: the space
 * @domain: a domain attached with ioasim_space_add_domain()
 *
 * The last domain to go releases the pins of every area, after the
 * domain no longer maps them.
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_remove_domain(struct ioasim_space *space,
				struct iommu_domain *domain)
{
	struct interval_tree_node *node;
	struct iommu_domain *other;
	unsigned long index;

	down_write(&space->lock);
	xa_for_each(&space->domains, index, other) {
		if (other == domain)
			break;
	}
	/* LCOV_EXCL_START: a caller bug; attach and detach are paired */
	if (WARN_ON(other != domain)) {
		up_write(&space->lock);
		return;
	}
	/* LCOV_EXCL_STOP */
	xa_erase(&space->domains, index);
	space->ndomains--;
	/* Where the PFNs go while @domain still maps them: another domain. */
	index = 0;
	other = xa_find(&space->domains, &index, ULONG_MAX, XA_PRESENT);

	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct ioasim_area *area = area_of(node);

		if (!other)
			ioasim_pages_unstore(area->pages, &area->pin);
		else if (area->pin.domain == domain)
			area_store(area, other);
		area_unmap_domain(area, domain);
		if (!other)
			ioasim_pages_remove_user(area->pages, &area->pin);
	}
	space->iova_alignment = space_alignment(space);
	up_write(&space->lock);
	ioasim_space_unreserve(space, domain);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_remove_domain);

/**
 * ioasim_space_set_large_pages() - the HUGE_PAGES option of an IOAS
 * @space: the space
 * @enable: allow IOVA placement and domain mappings to use large pages
 *
 * Turning large pages off raises the IOVA alignment to PAGE_SIZE; it is
 * refused once domains map areas, and when an area could not keep the new
 * alignment.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0, -EINVAL if domains already map areas, -EADDRINUSE if an area
 * conflicts with the new alignment.
 */
int ioasim_space_set_large_pages(struct ioasim_space *space, bool enable)
{
	int rc = 0;

	down_write(&space->lock);
	if (enable || space->no_large_pages) {
		space->no_large_pages = !enable;
	} else if (space->ndomains &&
		   !RB_EMPTY_ROOT(&space->areas.rb_root)) {
		rc = -EINVAL;
	} else if (!space_areas_fit(space, max(space->iova_alignment,
					      PAGE_SIZE))) {
		rc = -EADDRINUSE;
	} else {
		space->no_large_pages = true;
	}
	if (!rc)
		space->iova_alignment = space_alignment(space);
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_set_large_pages);

/**
 * ioasim_space_add_page_user() - an access that pins pages joins the space
 * @space: the space
 *
 * Pinned pages are handed out whole, so from now on every area must be
 * made of whole CPU pages: the IOVA alignment becomes at least PAGE_SIZE.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0, or -EADDRINUSE if an existing area is not page aligned.
 */
int ioasim_space_add_page_user(struct ioasim_space *space)
{
	int rc = 0;

	down_write(&space->lock);
	if (space_areas_fit(space, max(space->iova_alignment, PAGE_SIZE))) {
		space->npage_users++;
		space->iova_alignment = space_alignment(space);
	} else {
		rc = -EADDRINUSE;
	}
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_add_page_user);

/**
 * ioasim_space_remove_page_user() - undo ioasim_space_add_page_user()
 * @space: the space
 *
 * Context: process context, may sleep; takes @space->lock.
 */
void ioasim_space_remove_page_user(struct ioasim_space *space)
{
	down_write(&space->lock);
	space->npage_users--;
	space->iova_alignment = space_alignment(space);
	up_write(&space->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_remove_page_user);

/*
 * The area holding @iova and the last IOVA of [@iova, @last] inside it.
 */
static struct ioasim_area *space_piece(struct ioasim_space *space,
				       unsigned long iova, unsigned long last,
				       unsigned long *piece_last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&space->areas, iova, iova);
	if (!node)
		return NULL;
	*piece_last = min(last, node->last);
	return area_of(node);
}

static unsigned long area_byte(struct ioasim_area *area, unsigned long iova)
{
	return area->start_byte + (iova - area->node.start);
}

static bool area_allows(struct ioasim_area *area, bool write)
{
	return area->prot & (write ? IOMMU_WRITE : IOMMU_READ);
}

/*
 * Check that areas cover [iova, last] without a gap and allow the access;
 * for pinning, also that every piece starts at a page boundary of its
 * memory and every piece but the last ends at one, so that the pages
 * handed out are exactly the memory of the range.
 */
static int space_check_run(struct ioasim_space *space, unsigned long iova,
			   unsigned long last, bool write, bool whole_pages)
{
	unsigned long cur = iova, piece_last;
	struct ioasim_area *area;

	for (;;) {
		area = space_piece(space, cur, last, &piece_last);
		if (!area)
			return -ENOENT;
		if (area->unmapping)
			return -EINVAL;
		if (!area_allows(area, write))
			return -EPERM;
		if (whole_pages &&
		    (area_byte(area, cur) % PAGE_SIZE ||
		     (piece_last != last &&
		      (area_byte(area, piece_last) + 1) % PAGE_SIZE)))
			return -EINVAL;
		if (piece_last == last)
			return 0;
		cur = piece_last + 1;
	}
}

static struct ioasim_access_pin *area_find_pin(struct ioasim_area *area,
					       unsigned long iova,
					       unsigned long last,
					       const void *owner)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&area->access_pins, iova, last);
	     node; node = interval_tree_iter_next(node, iova, last)) {
		struct ioasim_access_pin *pin =
			container_of(node, struct ioasim_access_pin, node);

		if (node->start == iova && node->last == last &&
		    pin->owner == owner)
			return pin;
	}
	return NULL;
}

static void area_drop_pin(struct ioasim_area *area,
			  struct ioasim_access_pin *pin)
{
	interval_tree_remove(&pin->node, &area->access_pins);
	ioasim_pages_remove_user(area->pages, &pin->user);
	kfree(pin);
}

static void area_put_pin(struct ioasim_area *area,
			 struct ioasim_access_pin *pin)
{
	if (!--pin->refs)
		area_drop_pin(area, pin);
}

/* Pin [iova, last] of @area for @owner; fill @out with its pages. */
static int area_pin_piece(struct ioasim_area *area, unsigned long iova,
			  unsigned long last, const void *owner,
			  struct page **out)
{
	unsigned long first = area_byte(area, iova) >> PAGE_SHIFT;
	unsigned long final = area_byte(area, last) >> PAGE_SHIFT, i;
	struct ioasim_access_pin *pin = area_find_pin(area, iova, last, owner);
	int rc;

	if (pin) {
		pin->refs++;
	} else {
		pin = ioasim_kzalloc("space.access_pin", sizeof(*pin),
				     GFP_KERNEL_ACCOUNT);
		if (!pin)
			return -ENOMEM;
		rc = ioasim_pages_add_user(area->pages, &pin->user, first,
					   final);
		if (rc) {
			kfree(pin);
			return rc;
		}
		pin->node.start = iova;
		pin->node.last = last;
		pin->owner = owner;
		pin->refs = 1;
		interval_tree_insert(&pin->node, &area->access_pins);
	}
	for (i = first; i <= final; i++)
		*out++ = ioasim_pages_page(area->pages, i);
	return 0;
}

/**
 * ioasim_space_pin() - pin the pages behind [iova, last] for an access
 * @space: the space
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 * @write: the pages will be written
 * @owner: the access; unpin with the same owner and exactly the same range
 * @out: the pages, one per CPU page the range touches, in order
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -ENOENT if part of the range is not mapped; -EPERM if an
 * area does not allow the direction; -EINVAL if an area is being unmapped
 * or two areas do not meet at a page boundary; -ENOMEM or a pin error.
 * On error nothing stays pinned.
 */
int ioasim_space_pin(struct ioasim_space *space, unsigned long iova,
		     unsigned long last, bool write, const void *owner,
		     struct page **out)
{
	unsigned long cur = iova, piece_last, undo;
	struct ioasim_area *area;
	int rc;

	down_write(&space->lock);
	rc = space_check_run(space, iova, last, write, true);
	if (rc)
		goto out_unlock;
	for (;;) {
		area = space_piece(space, cur, last, &piece_last);
		rc = area_pin_piece(area, cur, piece_last, owner, out);
		if (rc)
			break;
		out += (area_byte(area, piece_last) >> PAGE_SHIFT) -
		       (area_byte(area, cur) >> PAGE_SHIFT) + 1;
		if (piece_last == last)
			goto out_unlock;
		cur = piece_last + 1;
	}
	/* Release the pieces before the one that failed. */
	for (undo = iova; undo != cur; undo = piece_last + 1) {
		area = space_piece(space, undo, last, &piece_last);
		area_put_pin(area, area_find_pin(area, undo, piece_last,
						 owner));
	}
out_unlock:
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_pin);

/**
 * ioasim_space_unpin() - undo one ioasim_space_pin()
 * @space: the space
 * @iova: the @iova given to ioasim_space_pin()
 * @last: the @last given to it
 * @owner: the @owner given to it
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0, or -EINVAL if @owner holds no pin of exactly that range (and
 * nothing is unpinned).
 */
int ioasim_space_unpin(struct ioasim_space *space, unsigned long iova,
		       unsigned long last, const void *owner)
{
	unsigned long cur = iova, piece_last;
	struct ioasim_area *area;
	int rc = 0;

	down_write(&space->lock);
	/* Check every piece before releasing any. */
	for (;;) {
		area = space_piece(space, cur, last, &piece_last);
		if (!area || !area_find_pin(area, cur, piece_last, owner)) {
			rc = -EINVAL;
			goto out_unlock;
		}
		if (piece_last == last)
			break;
		cur = piece_last + 1;
	}
	for (cur = iova;; cur = piece_last + 1) {
		area = space_piece(space, cur, last, &piece_last);
		area_put_pin(area, area_find_pin(area, cur, piece_last, owner));
		if (piece_last == last)
			break;
	}
out_unlock:
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unpin);

/**
 * ioasim_space_unpin_owner() - release every pin an access still holds
 * @space: the space
 * @owner: the access
 *
 * For an access leaving the space that did not unpin everything when
 * asked to.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: how many pinned ranges were released.
 */
unsigned int ioasim_space_unpin_owner(struct ioasim_space *space,
				      const void *owner)
{
	struct interval_tree_node *node, *pnode, *next;
	unsigned int n = 0;

	down_write(&space->lock);
	for (node = interval_tree_iter_first(&space->areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct ioasim_area *area = area_of(node);

		for (pnode = interval_tree_iter_first(&area->access_pins, 0,
						      ULONG_MAX);
		     pnode; pnode = next) {
			struct ioasim_access_pin *pin =
				container_of(pnode, struct ioasim_access_pin,
					     node);

			next = interval_tree_iter_next(pnode, 0, ULONG_MAX);
			if (pin->owner != owner)
				continue;
			area_drop_pin(area, pin);
			n++;
		}
	}
	up_write(&space->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unpin_owner);

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
	struct interval_tree_node *node;

	down_write(&space->lock);
	for (node = interval_tree_iter_first(&space->areas, iova, last);
	     node; node = interval_tree_iter_next(node, iova, last))
		area_of(node)->unmapping = false;
	up_write(&space->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unmap_cancel);

/* Copy between @buf and @pages from @byte on, for @length bytes. */
static void pages_copy(struct ioasim_pages *pages, unsigned long byte,
		       void *buf, unsigned long length, bool write)
{
	while (length) {
		unsigned long chunk = min(length,
					  PAGE_SIZE - (byte % PAGE_SIZE));
		struct page *page = ioasim_pages_page(pages,
						      byte >> PAGE_SHIFT);
		void *va = kmap_local_page(page);

		if (write)
			memcpy(va + byte % PAGE_SIZE, buf, chunk);
		else
			memcpy(buf, va + byte % PAGE_SIZE, chunk);
		kunmap_local(va);
		if (write)
			set_page_dirty_lock(page);
		byte += chunk;
		buf += chunk;
		length -= chunk;
	}
}

/**
 * ioasim_space_rw() - read or write the memory behind IOVA with the CPU
 * @space: the space
 * @iova: first IOVA
 * @buf: the data to write, or where to put what is read
 * @length: bytes, at least one; @iova + @length must not wrap
 * @write: write to the mapped memory (the area must allow IOMMU_WRITE),
 *	else read it (IOMMU_READ)
 *
 * Pages nobody has pinned are pinned for the copy only, in the mm that
 * mapped them, so this works from any thread.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -ENOENT if part of the range is not mapped; -EPERM if an area
 * does not allow the direction; -EINVAL if an area is being unmapped; a
 * pin error. On error some pieces may have been copied.
 */
int ioasim_space_rw(struct ioasim_space *space, unsigned long iova,
		    void *buf, unsigned long length, bool write)
{
	unsigned long last = iova + length - 1, cur = iova, piece_last;
	struct ioasim_pages_user tmp;
	struct ioasim_area *area;
	int rc;

	down_read(&space->lock);
	rc = space_check_run(space, iova, last, write, false);
	while (!rc) {
		unsigned long byte;

		area = space_piece(space, cur, last, &piece_last);
		byte = area_byte(area, cur);
		rc = ioasim_pages_add_user(area->pages, &tmp,
					   byte >> PAGE_SHIFT,
					   area_byte(area, piece_last) >>
					   PAGE_SHIFT);
		if (rc)
			break;
		pages_copy(area->pages, byte, buf, piece_last - cur + 1, write);
		ioasim_pages_remove_user(area->pages, &tmp);
		if (piece_last == last)
			break;
		buf += piece_last - cur + 1;
		cur = piece_last + 1;
	}
	up_read(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_rw);
