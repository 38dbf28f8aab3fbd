// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock IOMMU's dirty tracking: a dirty bit in the first page
 * table entry of each IO page (pte.h), set by the device's writes and by
 * the control plane, read and cleared through the domain's dirty ops.
 */
#include <linux/iommu.h>

#include "mock.h"
#include "pte.h"

/**
 * ioasim_mock_set_dirty() - the device wrote the IO page @index lies in
 * @md: a paging domain of the mock
 * @index: an IO page number (IOVA >> IOASIM_MOCK_IO_PAGE_SHIFT)
 *
 * Context: any context.
 * Return: whether the page is mapped (and so now dirty).
 */
bool ioasim_mock_set_dirty(struct ioasim_mock_domain *md, unsigned long index)
{
	void *entry = xa_load(&md->ptes, index);

	if (!entry)
		return false;
	index = pte_head(entry, index);
	entry = xa_load(&md->ptes, index);
	/* Replacing an entry allocates nothing. */
	xa_store(&md->ptes, index,
		 xa_mk_value(xa_to_value(entry) | IOASIM_MOCK_PTE_DIRTY),
		 GFP_NOWAIT);
	return true;
}

/**
 * ioasim_mock_mark_dirty() - the device wrote [iova, iova + length)
 * @md: a paging domain of the mock
 * @iova: first IOVA
 * @length: bytes
 *
 * Sets the dirty bit of every mapped IO page the range touches, whether or
 * not the domain tracks (the caller decides whether that is allowed).
 *
 * Context: any context.
 * Return: how many mapped IOASIM_MOCK_IO_PAGE_SIZE units the range holds.
 */
unsigned long ioasim_mock_mark_dirty(struct ioasim_mock_domain *md,
				     unsigned long iova, unsigned long length)
{
	unsigned long index = iova >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long last = (iova + length - 1) >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long n = 0;

	for (; index <= last; index++)
		n += ioasim_mock_set_dirty(md, index);
	return n;
}

static int mock_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	WRITE_ONCE(ioasim_mock_domain(domain)->dirty_tracking, enable);
	return 0;
}

/*
 * Report the dirty IO pages the range touches, and clear them unless asked
 * not to. A large IO page is one dirty bit: it is reported from where the
 * range meets it to its end, even past the range's end (the core reads a
 * bitmap in pieces, and records past a piece's end in the next one), and
 * cleared whole, as hardware would.
 */
static int mock_read_and_clear_dirty(struct iommu_domain *domain,
				     unsigned long iova, size_t size,
				     unsigned long flags,
				     struct iommu_dirty_bitmap *dirty)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);
	unsigned long index = iova >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long last = (iova + size - 1) >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long head, end, value;
	void *entry;

	if (!IS_ALIGNED(iova | size, IOASIM_MOCK_IO_PAGE_SIZE)) {
		mock_violation(md, "misaligned dirty read", iova);
		return -EINVAL;
	}
	/*
	 * Only mapped IOVA can be dirty: a caller that asks about more makes
	 * the walk below as long as it likes.
	 */
	if (!xa_load(&md->ptes, index) || !xa_load(&md->ptes, last)) {
		mock_violation(md, "dirty read of unmapped IOVA", iova);
		return -EINVAL;
	}
	while (index <= last) {
		entry = xa_load(&md->ptes, index);
		if (!entry) {
			index++;
			continue;
		}
		head = pte_head(entry, index);
		end = head + BIT(FIELD_GET(IOASIM_MOCK_PTE_ORDER,
					   xa_to_value(entry))) - 1;
		value = xa_to_value(xa_load(&md->ptes, head));
		if (value & IOASIM_MOCK_PTE_DIRTY) {
			iommu_dirty_bitmap_record(dirty, index <<
						  IOASIM_MOCK_IO_PAGE_SHIFT,
						  (end - index + 1) <<
						  IOASIM_MOCK_IO_PAGE_SHIFT);
			if (!(flags & IOMMU_DIRTY_NO_CLEAR))
				xa_store(&md->ptes, head,
					 xa_mk_value(value &
						     ~IOASIM_MOCK_PTE_DIRTY),
					 GFP_NOWAIT);
		}
		index = end + 1;
	}
	return 0;
}

const struct iommu_dirty_ops ioasim_mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};
