// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the IOVA space of an IOAS, part two: its attached domains.
 *
 * A domain joining the space is filled: every area is mapped into it, and
 * the first domain registers every area with its pages (pins them) and
 * then holds their PFNs. A domain leaving is emptied; the last one to
 * leave unregisters. Joining and leaving are each one critical section
 * under the space's lock, and the IOAS's mutex serialises them (see the
 * lock order in ioasim_private.h). The domains also set the space's IOVA
 * alignment: their smallest IO page, raised to a CPU page with large
 * pages off or with an access that pins.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "inject.h"
#include "itree.h"
#include "ledger.h"
#include "space_internal.h"

/*
 * Pages of an area: read ahead, one lock round for up to
 * IOASIM_LOCK_ROUND, or a batch
 * just pinned, handed in whole (the walk never leaves it).
 */
struct area_cursor {
	struct ioasim_area *area;
	unsigned long first, n;
	struct page **pages;
	struct page *ahead[IOASIM_LOCK_ROUND];
};

/* The pinned page of @index, an index of the cursor's area. */
static struct page *cursor_page(struct area_cursor *c, unsigned long index)
{
	struct ioasim_area *area = c->area;

	if (index < c->first || index - c->first >= c->n) {
		c->first = index;
		c->n = min(area_last_index(area) - index + 1,
			   ARRAY_SIZE(c->ahead));
		c->pages = c->ahead;
		ioasim_pages_fill(area->pages, index, c->n, c->ahead);
	}
	return c->pages[index - c->first];
}

/*
 * The run of the area's memory from @byte on that is physically
 * contiguous, at most @left bytes: its length; it starts at *@phys.
 */
static unsigned long area_contig(struct area_cursor *c, unsigned long byte,
				 unsigned long left, phys_addr_t *phys)
{
	unsigned long run = min(PAGE_SIZE - offset_in_page(byte), left);
	struct page *page;

	page = cursor_page(c, byte >> PAGE_SHIFT);
	*phys = page_to_phys(page) + offset_in_page(byte);
	while (run < left) {
		page = cursor_page(c, (byte + run) >> PAGE_SHIFT);
		if (page_to_phys(page) != *phys + run)
			break;
		run += min(PAGE_SIZE, left - run);
	}
	return run;
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

static void area_unmap_range(struct iommu_domain *domain, unsigned long iova,
			     unsigned long length)
{
	size_t done = iommu_unmap(domain, iova, length);

	ledger_domain(false, domain, iova, done);

	/* Invariant: a domain unmaps what it mapped. */
	WARN_ON(done != length);
}

/*
 * Map @length bytes of the area's (pinned) memory from its byte @byte on
 * at @iova, one call per physically contiguous run; with large pages off,
 * one call per CPU page, so that the domain holds no IOPTE an area cut
 * (ioasim_space_cut()) could split. Every mapping asks for coherent DMA
 * (IOMMU_CACHE): only devices whose IOMMU keeps DMA cache coherent are
 * bound, and domains that can enforce it are told to
 * (ioasim_hwpt_enforce_coherency()). On failure nothing is left mapped.
 */
static int area_map_range(struct area_cursor *c, struct iommu_domain *domain,
			  unsigned long iova, unsigned long byte,
			  unsigned long length)
{
	struct ioasim_area *area = c->area;
	unsigned long start = iova, run;
	phys_addr_t phys;
	int rc = 0;

	while (length) {
		run = area_contig(c, byte, length, &phys);
		if (area->space->no_large_pages)
			run = min(run, PAGE_SIZE - offset_in_page(byte));
		rc = iommu_map(domain, iova, phys, run,
			       area->prot | IOMMU_CACHE, GFP_KERNEL_ACCOUNT);
		if (rc)
			break;
		ledger_domain(true, domain, iova, run);
		iova += run;
		byte += run;
		length -= run;
	}
	if (rc && iova > start)
		area_unmap_range(domain, start, iova - start);
	return rc;
}

/* The whole area into @domain, reading its pages where they are held. */
static int area_map_domain(struct ioasim_area *area,
			   struct iommu_domain *domain)
{
	struct area_cursor c = { .area = area };

	/* Once per mapping, whatever the memory's layout (see inject.h). */
	if (ioasim_should_fail("space.domain_map"))
		return -ENOMEM;
	return area_map_range(&c, domain, area->node.start, area->start_byte,
			      area_length(area));
}

static void area_unmap_domain(struct ioasim_area *area,
			      struct iommu_domain *domain)
{
	area_unmap_range(domain, area->node.start, area_length(area));
}

/*
 * The domains an area's pages go into as each batch is pinned, and come
 * out of as each chunk is unpinned: every domain of the space, or @only.
 */
struct area_sink {
	struct ioasim_pages_sink sink;
	struct ioasim_area *area;
	struct iommu_domain *only;
};

/* The sink's domain at or after *@index (counting from 0), or NULL. */
static struct iommu_domain *sink_domain(const struct area_sink *s,
					unsigned long *index)
{
	if (s->only)
		return *index ? NULL : s->only;
	return xa_find(space_domains(s->area->space), index, ULONG_MAX,
		       XA_PRESENT);
}

/* Where the area maps the bytes of the indexes [first, last]. */
static void area_window(const struct ioasim_area *area, unsigned long first,
			unsigned long last, unsigned long *iova,
			unsigned long *byte, unsigned long *length)
{
	unsigned long from = max(first << PAGE_SHIFT, area->start_byte);
	unsigned long to = min((last << PAGE_SHIFT) + PAGE_SIZE - 1,
			       area->start_byte + area_length(area) - 1);

	*iova = area->node.start + (from - area->start_byte);
	*byte = from;
	*length = to - from + 1;
}

static int area_sink_map(const struct ioasim_pages_sink *sink,
			 unsigned long index, struct page **pages,
			 unsigned long n)
{
	const struct area_sink *s = container_of(sink, struct area_sink,
						 sink);
	struct area_cursor c = {
		.area = s->area, .first = index, .n = n, .pages = pages,
	};
	unsigned long iova, byte, length, i, j;
	struct iommu_domain *domain, *undo;
	int rc = 0;

	area_window(s->area, index, index + n - 1, &iova, &byte, &length);
	for (i = 0; (domain = sink_domain(s, &i)); i++) {
		/* Once per mapping and domain, at its first batch. */
		if (byte == s->area->start_byte &&
		    ioasim_should_fail("space.domain_map"))
			rc = -ENOMEM;
		else
			rc = area_map_range(&c, domain, iova, byte, length);
		if (rc)
			break;
	}
	if (rc) {
		for (j = 0; (undo = sink_domain(s, &j)); j++) {
			if (undo == domain)
				break;
			area_unmap_range(undo, iova, length);
		}
	}
	return rc;
}

static void area_sink_unmap(const struct ioasim_pages_sink *sink,
			    unsigned long first, unsigned long last)
{
	const struct area_sink *s = container_of(sink, struct area_sink,
						 sink);
	unsigned long iova, byte, length, i;
	struct iommu_domain *domain;

	area_window(s->area, first, last, &iova, &byte, &length);
	for (i = 0; (domain = sink_domain(s, &i)); i++)
		area_unmap_range(domain, iova, length);
}

#define AREA_SINK(a, o) {						\
	.sink = { .map = area_sink_map, .unmap = area_sink_unmap },	\
	.area = (a), .only = (o),					\
}

/*
 * The short way in, for an area whose pages no other user holds: pinned a
 * batch at a time straight into @storing, which then stores the PFNs, and
 * into every other domain of the space unless @alone. 1 if the pages are
 * shared: nothing done.
 */
static int area_join_stored(struct ioasim_area *area,
			    struct iommu_domain *storing, bool alone)
{
	struct area_sink s = AREA_SINK(area, alone ? storing : NULL);

	return ioasim_pages_add_stored_user(area->pages, &area->reg,
					    area_first_index(area),
					    area_last_index(area), storing,
					    area->node.start, area->start_byte,
					    &s.sink);
}

/*
 * The short way out: every domain of the space (or only @only) unmaps the
 * area a chunk at a time, each chunk unpinned after. False if the pages
 * are shared: nothing done.
 */
static bool area_leave_stored(struct ioasim_area *area,
			      struct iommu_domain *only)
{
	struct area_sink s = AREA_SINK(area, only);

	return ioasim_pages_remove_stored_user(area->pages, &area->reg,
					       &s.sink);
}

/* From now on @domain holds the PFNs of the area's pages. */
static void area_store(struct ioasim_area *area, struct iommu_domain *domain)
{
	ioasim_pages_store_in_domain(area->pages, &area->reg, domain,
				     area->node.start, area->start_byte);
}

/* Have the area's pages pinned for it: the domains' registration. */
static int area_register(struct ioasim_area *area)
{
	return ioasim_pages_add_user(area->pages, &area->reg,
				     area_first_index(area),
				     area_last_index(area));
}

/*
 * @area joins @domain: registered first if @domain is the space's first,
 * then mapped. On failure neither is left.
 */
static int area_join_domain(struct ioasim_area *area,
			    struct iommu_domain *domain, bool first)
{
	int rc = first ? area_register(area) : 0;

	if (rc)
		return rc;
	rc = area_map_domain(area, domain);
	if (rc && first)
		ioasim_pages_remove_user(area->pages, &area->reg);
	return rc;
}

/*
 * @area leaves @domain. While another domain (@heir) still maps it, the
 * PFNs @domain held move there first; without one the area is unregistered
 * once @domain no longer maps it.
 */
static void area_leave_domain(struct ioasim_area *area,
			      struct iommu_domain *domain,
			      struct iommu_domain *heir)
{
	if (!heir && area_leave_stored(area, domain))
		return;
	if (!heir)
		ioasim_pages_unstore(area->pages, &area->reg);
	else if (area->reg.domain == domain)
		area_store(area, heir);
	area_unmap_domain(area, domain);
	if (!heir)
		ioasim_pages_remove_user(area->pages, &area->reg);
}

/* The first domain in @space's table, or NULL. */
static struct iommu_domain *space_first_domain(struct ioasim_space *space)
{
	unsigned long index = 0;

	return xa_find(space_domains(space), &index, ULONG_MAX, XA_PRESENT);
}

/**
 * ioasim_area_fill_domains() - a new area joins every attached domain
 * @space: the space, write-locked
 * @area: the area, not yet in @space's tree
 *
 * Context: process context, may sleep; under @space->lock.
 * Return: 0, or a pin or map error; then the area is in no domain and
 * nothing is pinned for it.
 */
int ioasim_area_fill_domains(struct ioasim_space *space,
			     struct ioasim_area *area)
{
	struct iommu_domain *domain, *undo;
	unsigned long index, undo_index;
	bool first = true;
	int rc;

	lockdep_assert_held_write(&space->lock);
	if (!space->ndomains)
		return 0;
	rc = area_join_stored(area, space_first_domain(space), false);
	if (rc <= 0)
		return rc;
	/* Pages another area holds too: pinned, mapped, then stored. */
	xa_for_each(space_domains(space), index, domain) {
		rc = area_join_domain(area, domain, first);
		if (rc)
			goto out_undo;
		first = false;
	}
	if (!first)
		area_store(area, space_first_domain(space));
	return 0;

out_undo:
	/* Its PFNs were never handed to a domain: unmap, then unregister. */
	xa_for_each(space_domains(space), undo_index, undo) {
		if (undo == domain)
			break;
		area_unmap_domain(area, undo);
	}
	if (!first)
		ioasim_pages_remove_user(area->pages, &area->reg);
	return rc;
}

/**
 * ioasim_area_empty_domains() - an area leaves every attached domain
 * @space: the space, write-locked
 * @area: an area every domain maps
 *
 * Each domain unmaps it before its pages are unpinned.
 *
 * Context: process context, may sleep; under @space->lock.
 */
void ioasim_area_empty_domains(struct ioasim_space *space,
			       struct ioasim_area *area)
{
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held_write(&space->lock);
	if (!space->ndomains || area_leave_stored(area, NULL))
		return;
	ioasim_pages_unstore(area->pages, &area->reg);
	xa_for_each(space_domains(space), index, domain)
		area_unmap_domain(area, domain);
	ioasim_pages_remove_user(area->pages, &area->reg);
}

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
	xa_for_each(space_domains(space), index, domain)
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
	xa_for_each(space_domains(space), index, domain)
		align = max(align, domain_alignment(domain));
	return align;
}

/* Would every area still be valid with @align? */
static bool space_areas_fit(struct ioasim_space *space, unsigned long align)
{
	struct ioasim_area *area;

	lockdep_assert_held(&space->lock);
	space_for_each_area(area, space, 0, ULONG_MAX) {
		if ((area->node.start | area_length(area) |
		     offset_in_page(area->start_byte)) & (align - 1))
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
	struct ioasim_area *area, *undo;
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
		xa_alloc(space_domains(space), &id, domain, xa_limit_32b,
			 GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unreserve;

	space_for_each_area(area, space, 0, ULONG_MAX) {
		/* The first domain holds the PFNs from now on. */
		rc = first ? area_join_stored(area, domain, true) : 1;
		if (rc == 1) {
			rc = area_join_domain(area, domain, first);
			if (!rc && first)
				area_store(area, domain);
		}
		if (rc)
			goto out_undo;
	}
	space->ndomains++;
	space->iova_alignment = space_alignment(space);
	up_write(&space->lock);
	return 0;

out_undo:
	/* The areas before the failing one leave again. */
	space_for_each_area(undo, space, 0, ULONG_MAX) {
		if (undo == area)
			break;
		if (first)
			area_leave_domain(undo, domain, NULL);
		else
			area_unmap_domain(undo, domain);
	}
	xa_erase(space_domains(space), id);
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
	struct ioasim_area *area;
	struct iommu_domain *other;
	unsigned long index;

	down_write(&space->lock);
	xa_for_each(space_domains(space), index, other) {
		if (other == domain)
			break;
	}
	/* LCOV_EXCL_START: a caller bug; attach and detach are paired */
	if (WARN_ON(other != domain)) {
		up_write(&space->lock);
		return;
	}
	/* LCOV_EXCL_STOP */
	xa_erase(space_domains(space), index);
	space->ndomains--;
	/* Where the PFNs go while @domain still maps them: another domain. */
	other = space_first_domain(space);
	space_for_each_area(area, space, 0, ULONG_MAX)
		area_leave_domain(area, domain, other);
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
		   !RB_EMPTY_ROOT(&space_areas(space)->rb_root)) {
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
