/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the mock IOMMU driver
 *
 * A real IOMMU driver as far as the kernel's iommu core can tell: one
 * struct iommu_device registered with iommu_device_register(), serving the
 * mock devices (platform devices named "ioasim_mock"; the platform bus is
 * one the iommu core probes), each in an iommu group of its own or in the
 * group of a peer device, so that groups of several devices exist. Their
 * default domain is a static identity domain, so the iommu core can always
 * attach it (UML has no IOMMU_DMA and forces identity defaults); a static
 * blocked domain serves DMA ownership.
 *
 * Paging domains translate with a software page table: one entry per IO
 * page of IOASIM_MOCK_IO_PAGE_SIZE (half a CPU page, so sub-page alignment
 * is exercised), within a fixed aperture. Domains of an
 * IOASIM_MOCK_DEV_HUGE_IOVA device also accept larger IO pages (a CPU page,
 * 64 KiB) where IOVA and memory are aligned for them, as huge-page capable
 * IOMMUs do.
 *
 * The mock checks its caller. Unmapping a range that does not start and
 * end where map calls started and ended, mapping over a mapping,
 * misaligned requests (which the iommu core never passes on),
 * translating an unmapped IOVA and freeing a domain that still maps
 * something are contract violations: they WARN, so that any run hitting
 * one fails. A device created with IOASIM_MOCK_DEV_REPORT gives domains
 * that count violations instead, for the tests of the checks themselves.
 *
 * A mock device does DMA (ioasim_mock_dev_dma()): it reads and writes
 * memory by IOVA through the paging domain it is attached to, and faults
 * cleanly where nothing, or nothing with the right permission, is mapped.
 *
 * Domains allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING (through
 * domain_alloc_user, for devices without IOASIM_MOCK_DEV_NO_DIRTY) track
 * dirty IO pages: while tracking is on, a device's DMA write sets the
 * dirty bit of each IO page it writes, as does ioasim_mock_mark_dirty()
 * (the control plane's DIRTY operation); read_and_clear_dirty reports and
 * clears them.
 *
 * Domain allocation, attach and map go through the project's fault hook
 * ("mock.domain_alloc", "mock.attach", "mock.map").
 */
#ifndef __IOASIM_MOCK_H
#define __IOASIM_MOCK_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/iommu.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

#define IOASIM_MOCK_IO_PAGE_SHIFT (PAGE_SHIFT - 1)
#define IOASIM_MOCK_IO_PAGE_SIZE BIT(IOASIM_MOCK_IO_PAGE_SHIFT)
#define IOASIM_MOCK_APERTURE_LAST GENMASK_ULL(47, 0)

/* Device creation flags. */
#define IOASIM_MOCK_DEV_REPORT BIT(0)
/* Reserved regions: one to be kept free, one relaxable (see iommu.c). */
#define IOASIM_MOCK_DEV_RESV BIT(1)
/*
 * Behind an IOMMU of another kind: its domains have the small aperture
 * below and do not attach to devices of the usual kind, nor theirs to it.
 */
#define IOASIM_MOCK_DEV_SMALL_APERTURE BIT(2)
/* Does not keep DMA cache coherent: cannot be bound to a context. */
#define IOASIM_MOCK_DEV_NO_COHERENCY BIT(3)
/* Its domains also map with larger IO pages, where memory allows. */
#define IOASIM_MOCK_DEV_HUGE_IOVA BIT(4)
/*
 * A device of the selftest control plane: its domains have the aperture
 * iommufd's test programs expect (selftest_aperture below) and attach only
 * to devices of that kind.
 */
#define IOASIM_MOCK_DEV_SELFTEST BIT(5)
/* Cannot track dirty pages: no dirty-tracking domains, nor attach to one. */
#define IOASIM_MOCK_DEV_NO_DIRTY BIT(6)
/*
 * Its MSIs are not isolated, as on a platform without interrupt
 * remapping: ioasim refuses to bind it unless allow_unsafe_interrupts is
 * set. Every other mock device is taken as isolated (it has no MSIs).
 */
#define IOASIM_MOCK_DEV_MSI_UNISOLATED BIT(7)
/*
 * Its driver gives a software-managed MSI window (IOMMU_RESV_SW_MSI at
 * IOASIM_MOCK_SW_MSI_START), as ARM's SMMU does: the domain's owner must
 * set up an MSI cookie before the device is attached.
 */
#define IOASIM_MOCK_DEV_SW_MSI BIT(8)
/*
 * PASID-capable, IOASIM_MOCK_PASID_BITS wide (pasid.c): each PASID may
 * use a domain of its own.
 */
#define IOASIM_MOCK_DEV_PASID BIT(9)
/* The flags that make a kind of IOMMU: domains attach within a kind. */
#define IOASIM_MOCK_DEV_KIND \
	(IOASIM_MOCK_DEV_SMALL_APERTURE | IOASIM_MOCK_DEV_SELFTEST)

/* The last is iommufd_test.h's MOCK_HUGE_PAGE_SIZE (512 IO pages). */
#define IOASIM_MOCK_LARGE_PAGE_SIZES (PAGE_SIZE | SZ_64K | SZ_1M)

#define IOASIM_MOCK_SMALL_APERTURE_LAST GENMASK_ULL(31, 0)
/* iommufd_test.h's MOCK_APERTURE_START and MOCK_APERTURE_LAST */
#define IOASIM_MOCK_SELFTEST_APERTURE_START BIT(24)
#define IOASIM_MOCK_SELFTEST_APERTURE_LAST (BIT(31) - 1)
#define IOASIM_MOCK_RESV_START 0x40000000UL
#define IOASIM_MOCK_RESV_LENGTH SZ_2M
#define IOASIM_MOCK_RELAXABLE_START 0x50000000UL
#define IOASIM_MOCK_SW_MSI_START 0x8000000UL
#define IOASIM_MOCK_SW_MSI_LENGTH SZ_1M
#define IOASIM_MOCK_RELAXABLE_LENGTH SZ_1M

#define IOASIM_MOCK_DEV_NAME "ioasim_mock"

/* iommufd_test.h's MOCK_PASID_WIDTH: the mock IOMMU's PASID width. */
#define IOASIM_MOCK_PASID_BITS 20
/*
 * iommufd_test.h's IOMMU_TEST_PASID_RESERVED: on this PASID every second
 * domain set fails, so that a replace fails and must restore the old one.
 */
#define IOASIM_MOCK_PASID_REFUSE 1024

/**
 * struct ioasim_mock_dev - a device behind the mock IOMMU
 * @pdev: the platform device the iommu core probes
 * @flags: IOASIM_MOCK_DEV_* given at creation
 * @peer: a device whose iommu group this one joined, or NULL
 * @violations: contract violations counted by its report-only domains
 * @pasids: PASID -> the domain the iommu core set there (pasid.c)
 * @refuse_sets: domains set on IOASIM_MOCK_PASID_REFUSE so far, refused
 *	ones included
 */
struct ioasim_mock_dev {
	struct platform_device *pdev;
	u32 flags;
	struct ioasim_mock_dev *peer;
	atomic_t violations;
	struct xarray pasids;
	atomic_t refuse_sets;
};

/**
 * struct ioasim_mock_domain - a paging domain of the mock IOMMU
 * @domain: the iommu core's view
 * @ptes: IO page index -> xa_value of a page table entry (see iommu.c)
 * @nptes: how many entries @ptes holds; changed under its lock
 * @report: the device whose violations are counted instead of WARNed, or
 *	NULL
 * @kind: the IOASIM_MOCK_DEV_KIND flags of the device it was allocated for
 * @large_maps: map_pages() calls with an IO page larger than the smallest
 * @unmap_ends_map: the last IO page the last unmap_pages() call removed
 *	was the last of a map_pages() call
 * @unmapping: an unmap_pages() call awaits its iotlb_sync()
 * @dirty_tracking: the domain records writes (only with dirty_ops)
 * @enforce_cc: enforce_cache_coherency() was called: a map without
 *	IOMMU_CACHE is a contract violation
 * @unpinned_ok: maps memory nobody pinned (the mock's own tests map kernel
 *	pages), so an unmap does not check that its pages are still pinned
 * @pasid_users: PASIDs of devices the domain is set on (pasid.c)
 */
struct ioasim_mock_domain {
	struct iommu_domain domain;
	struct xarray ptes;
	unsigned long nptes;
	struct ioasim_mock_dev *report;
	u32 kind;
	atomic_t large_maps;
	bool unmap_ends_map;
	bool unmapping;
	bool dirty_tracking;
	bool enforce_cc;
	bool unpinned_ok;
	atomic_t pasid_users;
};

void ioasim_mock_dev_probed(void);
struct ioasim_mock_dev *ioasim_mock_dev_create(u32 flags);
struct ioasim_mock_dev *
ioasim_mock_dev_create_in_group(u32 flags, struct ioasim_mock_dev *peer);
void ioasim_mock_dev_destroy(struct ioasim_mock_dev *mdev);
unsigned long ioasim_mock_mapped_pages(struct iommu_domain *domain);
struct ioasim_mock_domain *ioasim_mock_domain_of(struct iommu_domain *domain);
unsigned long ioasim_mock_mark_dirty(struct ioasim_mock_domain *md,
				     unsigned long iova, unsigned long length);
bool ioasim_mock_translate(struct ioasim_mock_domain *md, unsigned long iova,
			   phys_addr_t *phys);
int ioasim_mock_dev_dma(struct ioasim_mock_dev *mdev, unsigned long iova,
			void *buf, size_t len, bool write);

/* The IOTLB entries of a nested domain, as iommufd_test.h counts them. */
#define IOASIM_MOCK_NESTED_IOTLB_NUM 4

/**
 * struct ioasim_mock_nested - a nested domain of the mock IOMMU
 * @domain: the iommu core's view (IOMMU_DOMAIN_NESTED)
 * @parent: the paging domain that translates for it
 * @iotlb: a stage-1 cache in miniature: each entry holds the value given
 *	at allocation until an invalidation sets it to 0
 * @pasid_users: PASIDs of devices the domain is set on (pasid.c)
 *
 * Translation is the parent's; the first stage exists only as the cache
 * the invalidation commands work on, which the control plane reads back
 * (MD_CHECK_IOTLB).
 */
struct ioasim_mock_nested {
	struct iommu_domain domain;
	struct ioasim_mock_domain *parent;
	u32 iotlb[IOASIM_MOCK_NESTED_IOTLB_NUM];
	atomic_t pasid_users;
};

struct ioasim_mock_nested *ioasim_mock_nested_of(struct iommu_domain *domain);
struct iommu_domain *
ioasim_mock_nested_alloc(struct iommu_domain *parent,
			 const struct iommu_user_data *user_data);

bool ioasim_mock_set_dirty(struct ioasim_mock_domain *md, unsigned long index);
extern const struct iommu_dirty_ops ioasim_mock_dirty_ops;
int ioasim_mock_may_attach(struct ioasim_mock_domain *md, struct device *dev,
			   bool tracking);
int ioasim_mock_set_dev_pasid(struct iommu_domain *domain,
			      struct device *dev, ioasid_t pasid,
			      struct iommu_domain *old);
void ioasim_mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain);
struct iommu_domain *ioasim_mock_pasid_domain(struct ioasim_mock_dev *mdev,
					      ioasid_t pasid);
int ioasim_mock_iommu_register(void);
void ioasim_mock_iommu_unregister(void);
struct ioasim_mock_dev *ioasim_mock_dev_of(struct device *dev);

static inline struct ioasim_mock_domain *
ioasim_mock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct ioasim_mock_domain, domain);
}

#endif /* __IOASIM_MOCK_H */
