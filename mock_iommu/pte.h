/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the mock IOMMU's page table entries, for iommu.c and dirty.c
 *
 * Page table entries are xarray values, one per IOASIM_MOCK_IO_PAGE_SIZE
 * of IOVA: the physical page number (in those units) shifted left by
 * IOASIM_MOCK_PTE_SHIFT, with IOASIM_MOCK_PTE_FIRST on the first entry of
 * a map_pages() call, IOASIM_MOCK_PTE_LAST on its last, the mapping's
 * permissions, and the order of the IO page the entry belongs to (larger
 * IO pages span several entries). A large IO page is one page to the
 * hardware: its dirty bit lives in its first entry and covers all of it.
 * An iommu_unmap() must start on a first entry and end on a last one; that
 * is how the mock catches a caller that unmaps part of what it mapped.
 * The iommu core may cut one iommu_unmap() into unmap_pages() calls
 * differently from how it cut the iommu_map() calls into map_pages()
 * calls (it aligns unmaps by IOVA alone), so the start is checked by the
 * first unmap_pages() call of a gather and the end when the gather is
 * synced.
 */
#ifndef __IOASIM_MOCK_PTE_H
#define __IOASIM_MOCK_PTE_H

#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/xarray.h>

#include "mock.h"

#define IOASIM_MOCK_PTE_FIRST	BIT(0)
#define IOASIM_MOCK_PTE_LAST	BIT(1)
#define IOASIM_MOCK_PTE_READ	BIT(2)
#define IOASIM_MOCK_PTE_WRITE	BIT(3)
#define IOASIM_MOCK_PTE_DIRTY	BIT(4)
/* log2 of the IO page's size in entries */
#define IOASIM_MOCK_PTE_ORDER	GENMASK(8, 5)
#define IOASIM_MOCK_PTE_SHIFT	9

/* A caller broke the driver's contract: counted, or a WARN. */
static inline void mock_violation(struct ioasim_mock_domain *md,
				  const char *what, unsigned long iova)
{
	if (md->report) {
		atomic_inc(&md->report->violations);
		return;
	}
	/* A contract violation fails the whole run. */
	WARN(1, "ioasim mock IOMMU: %s at IOVA %#lx\n", what, iova);
}

static inline phys_addr_t pte_phys(void *entry, unsigned long iova)
{
	return ((xa_to_value(entry) >> IOASIM_MOCK_PTE_SHIFT) <<
		IOASIM_MOCK_IO_PAGE_SHIFT) |
	       (iova & (IOASIM_MOCK_IO_PAGE_SIZE - 1));
}

/* The index of the first entry of the IO page the entry at @index is in. */
static inline unsigned long pte_head(void *entry, unsigned long index)
{
	return round_down(index, 1UL << FIELD_GET(IOASIM_MOCK_PTE_ORDER,
						  xa_to_value(entry)));
}

#endif /* __IOASIM_MOCK_PTE_H */
