/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the IOVA space of an IOAS
 *
 * Three interval trees, in bytes of IOVA, every interval inclusive
 * ([start, last]; an interval may end at ULONG_MAX, so never compute
 * last + 1 without checking):
 *
 *   areas     what is mapped: struct ioasim_area, each a slice of one
 *             pages object. Areas never overlap.
 *   reserved  what must never be mapped: struct ioasim_reserved, each with
 *             an owner (a device's reserved regions, the test control
 *             plane, ...); only its owner removes it. No area overlaps a
 *             reserved range.
 *   allowed   when not empty, automatic IOVA allocation places mappings
 *             only inside the union of these (IOAS_ALLOW_IOVAS); no
 *             allowed range overlaps a reserved one. A fixed IOVA is not
 *             limited by it.
 *
 * Mapping records the user memory behind an area; it pins nothing while
 * nothing needs the memory resident. Once a domain is attached, every area
 * is registered with its pages (pinned) and mapped into every domain, and
 * each new area is too; unmapping takes an area out of every domain before
 * its pages are released, so a device never reaches unpinned memory.
 *
 * A domain's aperture becomes reserved IOVA owned by the domain, and its
 * smallest IO page raises @iova_alignment; attaching fails with EADDRINUSE
 * if an existing area conflicts with either.
 *
 * Accesses (emulated devices) pin ranges of areas for themselves; an
 * area with access pins is not unmapped: ioasim_space_unmap() marks it
 * and returns -EBUSY, so that the caller asks the accesses to unpin and
 * tries again.
 *
 * Alignment: every area's IOVA and length are multiples of
 * @iova_alignment, which the attached domains raise (1 without any).
 * Automatically placed IOVA keeps the user address's offset within the
 * page and, when the length allows, a larger alignment, so that large IO
 * pages can be used.
 */
#ifndef __IOASIM_SPACE_H
#define __IOASIM_SPACE_H

#include <linux/interval_tree.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "pages.h"

struct ioasim_space;

/**
 * struct ioasim_area - one mapped range of IOVA
 * @node: in ioasim_space::areas; protected by the space's @lock
 * @space: the space it belongs to
 * @pages: the memory behind it (a reference)
 * @start_byte: offset of the area's first byte from @pages' index 0
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 * @reg: the area's registration with @pages (its pages pinned for it)
 *	while domains are attached
 * @npins: how many pins accesses hold through the area; the pins
 *	themselves are in @pages (struct ioasim_pages_pin, @holder the area)
 * @unmapping: an unmap waits for the access pins to go; no new ones
 */
struct ioasim_area {
	struct interval_tree_node node;
	struct ioasim_space *space;
	struct ioasim_pages *pages;
	unsigned long start_byte;
	int prot;
	struct ioasim_pages_user reg;
	unsigned int npins;
	bool unmapping;
};

/**
 * struct ioasim_reserved - IOVA that must not be mapped
 * @node: in ioasim_space::reserved
 * @owner: who added it, and who removes it
 */
struct ioasim_reserved {
	struct interval_tree_node node;
	const void *owner;
};

/**
 * struct ioasim_allowed - IOVA where automatic allocation may place maps
 * @node: in ioasim_space::allowed, or in a tree being built
 */
struct ioasim_allowed {
	struct interval_tree_node node;
};

/**
 * struct ioasim_space - the IOVA bookkeeping of one IOAS
 * @lock: protects every field below; written under down_write(), and
 *	every decision that depends on two of them (is this the first
 *	domain, does an area fit the alignment) is made inside one
 *	critical section
 * @areas: mapped IOVA; under @lock
 * @reserved: forbidden IOVA; under @lock
 * @allowed: where automatic allocation may go (all of it when empty);
 *	under @lock
 * @iova_alignment: power of two every area's IOVA and length respect;
 *	under @lock, always recomputed by space_alignment() from the three
 *	fields it depends on; lockless readers (IOVA_RANGES) use READ_ONCE()
 * @no_large_pages: the HUGE_PAGES option is off: automatic IOVA is not
 *	aligned beyond PAGE_SIZE; under @lock
 * @npage_users: attached accesses that pin pages, which need every area
 *	to be made of whole CPU pages; under @lock
 * @domains: the attached domains, index -> struct iommu_domain *; under
 *	@lock (the xarray's own lock only makes single loads safe)
 * @ndomains: how many; under @lock. The first domain to join pins every
 *	area, the last to leave unpins them, so joining and leaving are
 *	each one critical section. The IOAS's mutex serialises them as well
 *	(see the lock order in ioasim_private.h).
 */
struct ioasim_space {
	struct rw_semaphore lock;
	struct rb_root_cached areas;
	struct rb_root_cached reserved;
	struct rb_root_cached allowed;
	unsigned long iova_alignment;
	bool no_large_pages;
	unsigned int npage_users;
	struct xarray domains;
	unsigned int ndomains;
};

/**
 * struct ioasim_slice - a piece of pages to map, for map and copy
 * @pages: the memory (the slice holds a reference)
 * @start_byte: offset from @pages' index 0
 * @length: bytes
 */
struct ioasim_slice {
	struct ioasim_pages *pages;
	unsigned long start_byte;
	unsigned long length;
};

/**
 * struct ioasim_space_walk - a read-only visit of what a space maps
 * @begin: called first, under the same lock as the visit, with the
 *	space's IOVA alignment; a non-zero return ends the walk with it.
 *	May be NULL.
 * @mapped: called for each mapped part of the range, [first, last], in
 *	IOVA order; a non-zero return ends the walk with it
 */
struct ioasim_space_walk {
	int (*begin)(struct ioasim_space_walk *walk,
		     unsigned long iova_alignment);
	int (*mapped)(struct ioasim_space_walk *walk, unsigned long first,
		      unsigned long last);
};

int ioasim_space_walk_mapped(struct ioasim_space *space, unsigned long first,
			     unsigned long last, struct ioasim_space_walk *walk);

void ioasim_space_init(struct ioasim_space *space);
void ioasim_space_destroy(struct ioasim_space *space);

int ioasim_space_map(struct ioasim_space *space,
		     const struct ioasim_slice *slices, unsigned int nslices,
		     unsigned long *iova, int prot, bool fixed);
int ioasim_space_unmap(struct ioasim_space *space, unsigned long iova,
		       unsigned long last, unsigned long *unmapped);
int ioasim_space_slices(struct ioasim_space *space, unsigned long iova,
			unsigned long length, struct ioasim_slice **slices,
			unsigned int *nslices);
void ioasim_slices_put(struct ioasim_slice *slices, unsigned int nslices);

int ioasim_space_reserve(struct ioasim_space *space, unsigned long start,
			 unsigned long last, const void *owner);
void ioasim_space_unreserve(struct ioasim_space *space, const void *owner);
int ioasim_space_set_allowed(struct ioasim_space *space,
			     struct rb_root_cached *allowed);
void ioasim_allowed_free(struct rb_root_cached *allowed);
void ioasim_space_iova_ranges(struct ioasim_space *space,
			      struct iommu_iova_range *ranges, u32 *nranges);

struct iommu_domain;

int ioasim_space_cut(struct ioasim_space *space, const unsigned long *iovas,
		     unsigned int n);
unsigned long ioasim_space_pgsizes(struct ioasim_space *space);
bool ioasim_space_nth_area(struct ioasim_space *space, unsigned int nth,
			   unsigned long *iova);
int ioasim_space_add_domain(struct ioasim_space *space,
			    struct iommu_domain *domain);
void ioasim_space_remove_domain(struct ioasim_space *space,
				struct iommu_domain *domain);
int ioasim_space_set_large_pages(struct ioasim_space *space, bool enable);

int ioasim_space_add_page_user(struct ioasim_space *space);
void ioasim_space_remove_page_user(struct ioasim_space *space);
int ioasim_space_pin(struct ioasim_space *space, unsigned long iova,
		     unsigned long last, bool write, const void *owner,
		     struct page **out);
int ioasim_space_unpin(struct ioasim_space *space, unsigned long iova,
		       unsigned long last, const void *owner);
unsigned int ioasim_space_unpin_owner(struct ioasim_space *space,
				      const void *owner);
void ioasim_space_unmap_cancel(struct ioasim_space *space,
			       unsigned long iova, unsigned long last);
int ioasim_space_rw(struct ioasim_space *space, unsigned long iova,
		    void *buf, unsigned long length, bool write);

#endif /* __IOASIM_SPACE_H */
