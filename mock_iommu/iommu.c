// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock IOMMU driver (see mock.h)
 *
 * The page table entries' format, and how the mock checks the callers of
 * unmap, are in pte.h; dirty tracking is in dirty.c.
 */
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/linux/iommufd.h>

#include "device.h"
#include "inject.h"
#include "iommufd_test.h"
#include "ledger.h"
#include "mock.h"
#include "pte.h"

static struct iommu_device ioasim_mock_iommu;

/**
 * ioasim_mock_mapped_pages() - how many IO pages a mock domain maps
 * @domain: a paging domain of the mock IOMMU
 *
 * Context: any context.
 * Return: the number of IO pages with a translation.
 */
unsigned long ioasim_mock_mapped_pages(struct iommu_domain *domain)
{
	return READ_ONCE(ioasim_mock_domain(domain)->nptes);
}

static int mock_identity_attach(struct iommu_domain *domain,
				struct device *dev)
{
	return 0;
}

static const struct iommu_domain_ops mock_static_ops = {
	.attach_dev = mock_identity_attach,
	.set_dev_pasid = ioasim_mock_set_dev_pasid,
};

static struct iommu_domain mock_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &mock_static_ops,
};

static struct iommu_domain mock_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &mock_static_ops,
};

/**
 * ioasim_mock_may_attach() - may a device use a mock domain's translation?
 * @md: the paging domain whose translation the device would use
 * @dev: the device
 * @tracking: the domain being attached has dirty ops of its own
 *
 * Only a device behind an IOMMU of the domain's own kind: -EINVAL is how
 * a driver says "incompatible", and what makes ioasim look for, or make,
 * another domain. A device that cannot track dirty pages would hide its
 * writes from a domain with dirty ops.
 *
 * Return: 0, -EINVAL, or -ENOMEM when the "mock.attach" site fails.
 */
int ioasim_mock_may_attach(struct ioasim_mock_domain *md, struct device *dev,
			   bool tracking)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);

	if (!mdev || md->kind != (mdev->flags & IOASIM_MOCK_DEV_KIND))
		return -EINVAL;
	if (tracking && (mdev->flags & IOASIM_MOCK_DEV_NO_DIRTY))
		return -EINVAL;
	return ioasim_should_fail("mock.attach") ? -ENOMEM : 0;
}

static int mock_attach(struct iommu_domain *domain, struct device *dev)
{
	return ioasim_mock_may_attach(ioasim_mock_domain(domain), dev,
				      domain->dirty_ops);
}

/* Page table entries walked under one lock round. */
#define MOCK_LOCK_ROUND 64

static int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);
	unsigned long first = iova >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long n = pgsize * pgcount >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long pfn = paddr >> IOASIM_MOCK_IO_PAGE_SHIFT, i, flags;
	XA_STATE(xas, &md->ptes, first);
	unsigned long perm = (prot & IOMMU_READ ? IOASIM_MOCK_PTE_READ : 0) |
			     (prot & IOMMU_WRITE ? IOASIM_MOCK_PTE_WRITE : 0) |
			     FIELD_PREP(IOASIM_MOCK_PTE_ORDER,
					ilog2(pgsize >> IOASIM_MOCK_IO_PAGE_SHIFT));
	void *old;
	int rc = 0;

	if (!IS_ALIGNED(iova | paddr | pgsize, IOASIM_MOCK_IO_PAGE_SIZE)) {
		mock_violation(md, "misaligned map", iova);
		return -EINVAL;
	}
	/* A domain told to keep DMA coherent cannot map what snoops not. */
	if (md->enforce_cc && !(prot & IOMMU_CACHE)) {
		mock_violation(md, "map without IOMMU_CACHE on a coherent domain",
			       iova);
		return -EINVAL;
	}
	/* Per call, so per contiguous run: planned (see inject.h). */
	if (ioasim_should_fail_planned("mock.map"))
		return -ENOMEM;
	if (pgsize > IOASIM_MOCK_IO_PAGE_SIZE)
		atomic_inc(&md->large_maps);
	/* One walk along the entries; the nodes are allocated outside it. */
	i = 0;
	do {
		xas_lock(&xas);
		while (i < n) {
			flags = perm | (i ? 0 : IOASIM_MOCK_PTE_FIRST) |
				(i == n - 1 ? IOASIM_MOCK_PTE_LAST : 0);
			old = xas_store(&xas, xa_mk_value((pfn + i) <<
							  IOASIM_MOCK_PTE_SHIFT |
							  flags));
			if (xas_error(&xas))
				break;
			if (old) {
				/* Put back what was there. */
				xas_store(&xas, old);
				rc = -EBUSY;
				break;
			}
			md->nptes++;
			xas_next(&xas);
			if (!(++i % MOCK_LOCK_ROUND) &&
			    gfpflags_allow_blocking(gfp)) {
				xas_reset(&xas);
				xas_unlock(&xas);
				cond_resched();
				xas_lock(&xas);
			}
		}
		xas_unlock(&xas);
	} while (!rc && xas_nomem(&xas, gfp));
	rc = rc ?: xas_error(&xas);
	if (rc == -EBUSY) {
		mock_violation(md, "map over a mapping", iova + i *
			       IOASIM_MOCK_IO_PAGE_SIZE);
		rc = -EEXIST;
	}
	if (rc) {
		xa_lock(&md->ptes);
		md->nptes -= i;
		while (i--)
			__xa_erase(&md->ptes, first + i);
		xa_unlock(&md->ptes);
		return rc;
	}
	*mapped = pgsize * pgcount;
	return 0;
}

/*
 * A page must stay pinned for as long as a domain maps it: unpinned first,
 * it could be freed and reused while the device still reaches it. GUP
 * never counts pins of the zero page.
 */
static bool mock_pte_unpinned(void *entry)
{
	phys_addr_t phys = pte_phys(entry, 0);

	/* One verdict per CPU page, on its first entry. */
	if (offset_in_page(phys) || is_zero_pfn(PHYS_PFN(phys)))
		return false;
	return !folio_maybe_dma_pinned(page_folio(pfn_to_page(PHYS_PFN(phys))));
}

/*
 * Check and empty the entries [index, end] of one leaf of the table (they
 * lie in one XA_CHUNK_SIZE-aligned block), under the table's lock: a hole
 * or an unpinned page is a violation. A range that covers the whole leaf
 * drops it in one store, the way a driver frees a table level, rather
 * than emptying it entry by entry. *@last is the block's last entry, or
 * NULL if the block ends in a hole.
 */
static void mock_unmap_leaf(struct ioasim_mock_domain *md,
			    unsigned long index, unsigned long end, void **last)
{
	bool whole = IS_ALIGNED(index, XA_CHUNK_SIZE) &&
		     end - index == XA_CHUNK_SIZE - 1;
	unsigned long expect = index, found = 0;
	XA_STATE(xas, &md->ptes, index);
	void *entry;

	*last = NULL;
	xas_lock(&xas);
	xas_for_each(&xas, entry, end) {
		for (; expect < xas.xa_index; expect++)
			mock_violation(md, "unmap of a hole",
				       expect << IOASIM_MOCK_IO_PAGE_SHIFT);
		if (!md->unpinned_ok && mock_pte_unpinned(entry))
			mock_violation(md, "unmap of a page already unpinned",
				       expect << IOASIM_MOCK_IO_PAGE_SHIFT);
		if (!whole)
			xas_store(&xas, NULL);
		*last = entry;
		expect++;
		found++;
	}
	if (whole && found) {
		XA_STATE_ORDER(leaf, &md->ptes, index, XA_CHUNK_SHIFT);

		xas_store(&leaf, NULL);
	}
	md->nptes -= found;
	xas_unlock(&xas);
	/* Holes at the end of the block. */
	if (expect <= end)
		*last = NULL;
	for (; expect <= end; expect++)
		mock_violation(md, "unmap of a hole",
			       expect << IOASIM_MOCK_IO_PAGE_SHIFT);
}

static size_t mock_unmap_pages(struct iommu_domain *domain,
			       unsigned long iova, size_t pgsize,
			       size_t pgcount,
			       struct iommu_iotlb_gather *gather)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);
	unsigned long first = iova >> IOASIM_MOCK_IO_PAGE_SHIFT;
	unsigned long end = first +
			    (pgsize * pgcount >> IOASIM_MOCK_IO_PAGE_SHIFT) - 1;
	void *head = xa_load(&md->ptes, first), *last = NULL;
	unsigned long index, leaf_end;

	if (!IS_ALIGNED(iova | pgsize, IOASIM_MOCK_IO_PAGE_SIZE)) {
		mock_violation(md, "misaligned unmap", iova);
		return 0;
	}
	/* The first piece of an unmap starts where a map started. */
	if ((!gather || gather->start > gather->end) &&
	    (!head || !(xa_to_value(head) & IOASIM_MOCK_PTE_FIRST))) {
		mock_violation(md, "unmap not starting where a map did", iova);
		return 0;
	}
	/* A leaf of the table at a time, one lock round each. */
	for (index = first; index <= end; index = leaf_end + 1) {
		leaf_end = min(end, index | (XA_CHUNK_SIZE - 1));
		mock_unmap_leaf(md, index, leaf_end, &last);
	}
	md->unmap_ends_map = last &&
			     (xa_to_value(last) & IOASIM_MOCK_PTE_LAST);
	md->unmapping = gather;
	if (gather)
		iommu_iotlb_gather_add_range(gather, iova, pgsize * pgcount);
	else if (!md->unmap_ends_map)
		mock_violation(md, "unmap not ending where a map did", iova);
	return pgsize * pgcount;
}

/* The end of an iommu_unmap(): it must end where a map ended. */
static void mock_iotlb_sync(struct iommu_domain *domain,
			    struct iommu_iotlb_gather *gather)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);

	/* A sync after clearing dirty bits is no unmap's end. */
	if (md->unmapping && gather->start <= gather->end &&
	    !md->unmap_ends_map)
		mock_violation(md, "unmap not ending where a map did",
			       gather->end);
	md->unmapping = false;
}

/**
 * ioasim_mock_translate() - look an IOVA up without judging the caller
 * @md: a paging domain of the mock
 * @iova: the IOVA
 * @phys: out: where it translates to
 *
 * Unlike iova_to_phys(), an unmapped IOVA is an answer here, not a
 * contract violation: the control plane checks mappings with it.
 *
 * Context: any context.
 * Return: whether @iova is mapped.
 */
bool ioasim_mock_translate(struct ioasim_mock_domain *md, unsigned long iova,
			   phys_addr_t *phys)
{
	void *entry = xa_load(&md->ptes, iova >> IOASIM_MOCK_IO_PAGE_SHIFT);

	if (entry)
		*phys = pte_phys(entry, iova);
	return entry;
}

static phys_addr_t mock_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);
	void *entry = xa_load(&md->ptes, iova >> IOASIM_MOCK_IO_PAGE_SHIFT);

	if (!entry) {
		mock_violation(md, "translation of an unmapped IOVA", iova);
		return 0;
	}
	return pte_phys(entry, iova);
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct ioasim_mock_domain *md = ioasim_mock_domain(domain);

	/* Names the call sites of what is still mapped. */
	ioasim_ledger_settle(domain, "domain");
	if (!xa_empty(&md->ptes))
		mock_violation(md, "free of a domain that maps", 0);
	if (atomic_read(&md->pasid_users))
		mock_violation(md, "free of a domain a PASID holds", 0);
	xa_destroy(&md->ptes);
	kfree(md);
}

/* From now on every map must ask for coherent (snooped) DMA. */
static bool mock_enforce_cache_coherency(struct iommu_domain *domain)
{
	WRITE_ONCE(ioasim_mock_domain(domain)->enforce_cc, true);
	return true;
}

static const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_attach,
	.set_dev_pasid = ioasim_mock_set_dev_pasid,
	.enforce_cache_coherency = mock_enforce_cache_coherency,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iotlb_sync = mock_iotlb_sync,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_domain_free,
};

/**
 * ioasim_mock_domain_of() - the mock's view of a domain, if it is one
 * @domain: any domain
 *
 * Context: any context.
 * Return: the mock paging domain, or NULL if @domain is not one.
 */
struct ioasim_mock_domain *ioasim_mock_domain_of(struct iommu_domain *domain)
{
	if (domain->type != IOMMU_DOMAIN_UNMANAGED ||
	    domain->ops != &mock_domain_ops)
		return NULL;
	return ioasim_mock_domain(domain);
}

static struct iommu_domain *mock_domain_alloc_paging(struct device *dev)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);
	struct ioasim_mock_domain *md;

	md = ioasim_kzalloc("mock.domain_alloc", sizeof(*md), GFP_KERNEL);
	if (!md)
		return ERR_PTR(-ENOMEM);
	xa_init(&md->ptes);
	if (mdev && (mdev->flags & IOASIM_MOCK_DEV_REPORT))
		md->report = mdev;
	md->domain.ops = &mock_domain_ops;
	md->domain.pgsize_bitmap = IOASIM_MOCK_IO_PAGE_SIZE;
	if (mdev && (mdev->flags & IOASIM_MOCK_DEV_HUGE_IOVA))
		md->domain.pgsize_bitmap |= IOASIM_MOCK_LARGE_PAGE_SIZES;
	md->kind = mdev ? mdev->flags & IOASIM_MOCK_DEV_KIND : 0;
	md->domain.geometry.aperture_start = 0;
	md->domain.geometry.aperture_end = IOASIM_MOCK_APERTURE_LAST;
	if (md->kind & IOASIM_MOCK_DEV_SMALL_APERTURE) {
		md->domain.geometry.aperture_end =
			IOASIM_MOCK_SMALL_APERTURE_LAST;
	} else if (md->kind & IOASIM_MOCK_DEV_SELFTEST) {
		md->domain.geometry.aperture_start =
			IOASIM_MOCK_SELFTEST_APERTURE_START;
		md->domain.geometry.aperture_end =
			IOASIM_MOCK_SELFTEST_APERTURE_LAST;
	}
	md->domain.geometry.force_aperture = true;
	return &md->domain;
}

static bool mock_capable(struct device *dev, enum iommu_cap cap)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);

	if (!mdev)
		return false;
	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return !(mdev->flags & IOASIM_MOCK_DEV_NO_COHERENCY);
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		/* The selftest's devices are coherent but never enforce it. */
		return !(mdev->flags & (IOASIM_MOCK_DEV_NO_COHERENCY |
					IOASIM_MOCK_DEV_SELFTEST));
	case IOMMU_CAP_DIRTY_TRACKING:
		return !(mdev->flags & IOASIM_MOCK_DEV_NO_DIRTY);
	default:
		return false;
	}
}

/*
 * Domains iommufd asks for with flags or data. A paging one may be a
 * nesting parent, and track dirty pages if the device can; with a parent,
 * a nested one and nothing else. Any of them may serve PASIDs: the mock's
 * domains all can, so the flag changes nothing here.
 */
static struct iommu_domain *
mock_domain_alloc_user(struct device *dev, u32 flags,
		       struct iommu_domain *parent,
		       const struct iommu_user_data *user_data)
{
	u32 can = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID;
	struct iommu_domain *domain;

	if (parent && !(flags & ~IOMMU_HWPT_ALLOC_PASID))
		return ioasim_mock_nested_alloc(parent, user_data);
	if (mock_capable(dev, IOMMU_CAP_DIRTY_TRACKING))
		can |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (parent || user_data || (flags & ~can))
		return ERR_PTR(-EOPNOTSUPP);
	/* The iommu core fills in what it owns of a paging domain. */
	domain = iommu_paging_domain_alloc(dev);
	if (!IS_ERR(domain) && (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		domain->dirty_ops = &ioasim_mock_dirty_ops;
	return domain;
}

/*
 * IOASIM_MOCK_DEV_RESV devices have a region that must never be mapped
 * and a relaxable direct-mapped one, which an IOAS need not keep free;
 * IOASIM_MOCK_DEV_SW_MSI devices a software-managed MSI window.
 */
static void mock_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);
	struct iommu_resv_region *region;

	if (mdev && (mdev->flags & IOASIM_MOCK_DEV_SW_MSI)) {
		region = iommu_alloc_resv_region(IOASIM_MOCK_SW_MSI_START,
						 IOASIM_MOCK_SW_MSI_LENGTH,
						 IOMMU_WRITE | IOMMU_NOEXEC |
						 IOMMU_MMIO, IOMMU_RESV_SW_MSI,
						 GFP_KERNEL);
		if (region)
			list_add_tail(&region->list, head);
	}
	if (!mdev || !(mdev->flags & IOASIM_MOCK_DEV_RESV))
		return;
	region = iommu_alloc_resv_region(IOASIM_MOCK_RESV_START,
					 IOASIM_MOCK_RESV_LENGTH, 0,
					 IOMMU_RESV_RESERVED, GFP_KERNEL);
	if (region)
		list_add_tail(&region->list, head);
	region = iommu_alloc_resv_region(IOASIM_MOCK_RELAXABLE_START,
					 IOASIM_MOCK_RELAXABLE_LENGTH,
					 IOMMU_READ | IOMMU_WRITE,
					 IOMMU_RESV_DIRECT_RELAXABLE, GFP_KERNEL);
	if (region)
		list_add_tail(&region->list, head);
}

/* A device joins its peer's group when it was created with one. */
static struct iommu_group *mock_device_group(struct device *dev)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);
	struct iommu_group *group;

	if (!mdev->peer)
		return generic_device_group(dev);
	group = iommu_group_get(&mdev->peer->pdev->dev);
	return group ?: ERR_PTR(-ENODEV);
}

static struct iommu_device *mock_probe_device(struct device *dev)
{
	if (!ioasim_mock_dev_of(dev))
		return ERR_PTR(-ENODEV);
	ioasim_mock_dev_probed();
	return &ioasim_mock_iommu;
}

/* The register file iommufd's test programs read through GET_HW_INFO. */
static const struct iommu_test_hw_info mock_registers = {
	.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
};

static void *mock_hw_info(struct device *dev, u32 *length, u32 *type)
{
	void *copy = kmemdup(&mock_registers, sizeof(mock_registers),
			     GFP_KERNEL);

	if (!copy)
		return ERR_PTR(-ENOMEM);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	*length = sizeof(mock_registers);
	return copy;
}

static const struct iommu_ops ioasim_mock_ops = {
	.owner = THIS_MODULE,
	.default_domain = &mock_identity_domain,
	.identity_domain = &mock_identity_domain,
	.blocked_domain = &mock_blocked_domain,
	.pgsize_bitmap = IOASIM_MOCK_IO_PAGE_SIZE,
	.capable = mock_capable,
	.hw_info = mock_hw_info,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_user = mock_domain_alloc_user,
	.probe_device = mock_probe_device,
	.device_group = mock_device_group,
	.get_resv_regions = mock_get_resv_regions,
	.remove_dev_pasid = ioasim_mock_remove_dev_pasid,
	.default_domain_ops = &mock_domain_ops,
};

/*
 * The device's data mover. A naturally aligned 8-byte transfer is one
 * access, as a device's is: a reader never sees half of a word another
 * CPU is writing, which memcpy() (free to copy in overlapping pieces)
 * does not promise. It is also what the model's checks read, and one load
 * costs far less than the string copy the compiler makes of memcpy().
 */
static void mock_dma_copy(void *to, const void *from, size_t len)
{
	if (len == sizeof(u64) &&
	    IS_ALIGNED((unsigned long)to | (unsigned long)from, sizeof(u64)))
		WRITE_ONCE(*(u64 *)to, READ_ONCE(*(const u64 *)from));
	else
		memcpy(to, from, len);
}

/**
 * ioasim_mock_dev_dma() - the device reads or writes memory by IOVA
 * @mdev: the device
 * @iova: first IOVA
 * @buf: what to write, or where to put what is read
 * @len: bytes
 * @write: the device writes memory (needs IOMMU_WRITE), else reads it
 *	(needs IOMMU_READ)
 *
 * Translates through the paging domain the device is attached to, IO page
 * by IO page, as the hardware would; a fault is the device's problem, not
 * a contract violation. Like a real device, a transfer that faults midway
 * has moved the bytes before the fault.
 *
 * Context: process context.
 * Return: 0; -EPERM if the device is not attached to a paging domain of
 * the mock (identity or blocked); -EFAULT at an IOVA that is not mapped,
 * or not mapped for that direction.
 */
int ioasim_mock_dev_dma(struct ioasim_mock_dev *mdev, unsigned long iova,
			void *buf, size_t len, bool write)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(&mdev->pdev->dev);
	unsigned long need = write ? IOASIM_MOCK_PTE_WRITE :
				     IOASIM_MOCK_PTE_READ;
	struct ioasim_mock_domain *md;
	size_t chunk;
	void *entry;

	/* A nested domain translates with its parent. */
	if (domain && ioasim_mock_nested_of(domain))
		domain = &ioasim_mock_nested_of(domain)->parent->domain;
	if (!domain || domain->ops != &mock_domain_ops)
		return -EPERM;
	md = ioasim_mock_domain(domain);
	while (len) {
		phys_addr_t phys;
		void *va;

		entry = xa_load(&md->ptes, iova >> IOASIM_MOCK_IO_PAGE_SHIFT);
		if (!entry || !(xa_to_value(entry) & need))
			return -EFAULT;
		phys = pte_phys(entry, iova);
		chunk = min_t(size_t, len, IOASIM_MOCK_IO_PAGE_SIZE -
				(iova & (IOASIM_MOCK_IO_PAGE_SIZE - 1)));
		va = kmap_local_pfn(PHYS_PFN(phys));
		if (write && READ_ONCE(md->dirty_tracking))
			ioasim_mock_set_dirty(md, iova >> IOASIM_MOCK_IO_PAGE_SHIFT);
		if (write)
			mock_dma_copy(va + offset_in_page(phys), buf, chunk);
		else
			mock_dma_copy(buf, va + offset_in_page(phys), chunk);
		kunmap_local(va);
		iova += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* The mock's devices have no MSIs: isolated, but for the kind that is not. */
static int mock_msi_isolated(struct device *dev)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);

	if (!mdev)
		return -1;
	return !(mdev->flags & IOASIM_MOCK_DEV_MSI_UNISOLATED);
}

static const struct ioasim_msi_oracle mock_msi_oracle = {
	.isolated = mock_msi_isolated,
};

/**
 * ioasim_mock_iommu_register() - put the mock IOMMU in the iommu core
 *
 * From now on the core probes every device added with the mock's
 * platform name through the mock, and leaves every other device alone.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int ioasim_mock_iommu_register(void)
{
	int rc;

	/* What the core allows a device's PASIDs: none, unless it has. */
	ioasim_mock_iommu.max_pasids = BIT(IOASIM_MOCK_PASID_BITS);
	/* The iommu core links each probed device to this sysfs node. */
	rc = iommu_device_sysfs_add(&ioasim_mock_iommu, NULL, NULL,
				    "ioasim-mock");
	if (rc)
		return rc;
	rc = iommu_device_register(&ioasim_mock_iommu, &ioasim_mock_ops,
				   NULL);
	if (rc) {
		iommu_device_sysfs_remove(&ioasim_mock_iommu);
		return rc;
	}
	ioasim_test_msi_oracle(&mock_msi_oracle);
	return 0;
}

/**
 * ioasim_mock_iommu_unregister() - take the mock IOMMU out again
 *
 * Context: process context, may sleep; every mock device is gone.
 */
void ioasim_mock_iommu_unregister(void)
{
	ioasim_test_msi_oracle(NULL);
	iommu_device_unregister(&ioasim_mock_iommu);
	iommu_device_sysfs_remove(&ioasim_mock_iommu);
}
