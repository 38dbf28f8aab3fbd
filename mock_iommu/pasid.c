// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock IOMMU's PASIDs (see mock.h)
 *
 * A device created with IOASIM_MOCK_DEV_PASID is IOASIM_MOCK_PASID_BITS
 * wide, which the iommu core learns as it learns a platform device's
 * width from firmware (the "pasid-num-bits" property, device.c). Each of
 * its PASIDs may be given a domain of its own: the device keeps a table
 * PASID -> domain, which the iommu core fills through the domain's
 * set_dev_pasid and empties through the driver's remove_dev_pasid.
 * Paging and nested domains, and the static blocked domain, take PASIDs,
 * within the IOMMU's kind as for an attach.
 *
 * The contract checks (which WARN, or count for a report-only device):
 * a PASID set while it holds a domain (the 6.12 core removes before it
 * sets again), a removal of a domain the PASID does not hold, a PASID
 * beyond the device's width or of a device without PASIDs, and a domain
 * freed while a PASID holds it (at the domain's free, see iommu.c and
 * nested.c).
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/xarray.h>

#include "inject.h"
#include "mock.h"

/*
 * The paging domain whose kind and reports a domain's PASID use goes by
 * (a nested domain's parent), and the domain's PASID count. The static
 * blocked domain has neither: it translates nothing.
 */
static atomic_t *mock_pasid_users(struct iommu_domain *domain,
				  struct ioasim_mock_domain **md)
{
	struct ioasim_mock_nested *nested = ioasim_mock_nested_of(domain);

	*md = ioasim_mock_domain_of(domain);
	if (*md)
		return &(*md)->pasid_users;
	if (nested) {
		*md = nested->parent;
		return &nested->pasid_users;
	}
	return NULL;
}

/* As mock_violation(), for a PASID: a report-only device counts it. */
static void mock_pasid_violation(struct ioasim_mock_domain *md,
				 const char *what, ioasid_t pasid)
{
	if (md && md->report) {
		atomic_inc(&md->report->violations);
		return;
	}
	WARN(1, "ioasim mock IOMMU: %s, PASID %u\n", what, pasid);
}

/**
 * ioasim_mock_set_dev_pasid() - set_dev_pasid of the mock's domains
 * @domain: a paging, nested or the blocked domain of the mock
 * @dev: a device the mock probed
 * @pasid: the PASID
 * @old: the domain replaced; the 6.12 core passes NULL
 *
 * Return: 0; -EINVAL for a device of another kind (as an attach would
 * answer); -ENOMEM on the "mock.set_dev_pasid" fault site, for every
 * second set on IOASIM_MOCK_PASID_REFUSE, or when the table cannot grow;
 * -EBUSY for a PASID set twice (a contract violation).
 */
int ioasim_mock_set_dev_pasid(struct iommu_domain *domain,
			      struct device *dev, ioasid_t pasid,
			      struct iommu_domain *old)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);
	struct ioasim_mock_domain *md;
	atomic_t *users;
	int rc;

	users = mock_pasid_users(domain, &md);
	if (md) {
		rc = ioasim_mock_may_attach(md, dev, domain->dirty_ops);
		if (rc)
			return rc;
	}
	if (!mdev || !(mdev->flags & IOASIM_MOCK_DEV_PASID) ||
	    pasid >= BIT(IOASIM_MOCK_PASID_BITS)) {
		mock_pasid_violation(md, "set_dev_pasid beyond the device's PASIDs",
				     pasid);
		return -EINVAL;
	}
	if (ioasim_should_fail("mock.set_dev_pasid"))
		return -ENOMEM;
	if (pasid == IOASIM_MOCK_PASID_REFUSE &&
	    !(atomic_inc_return(&mdev->refuse_sets) & 1))
		return -ENOMEM;
	rc = xa_insert(&mdev->pasids, pasid, domain, GFP_KERNEL);
	if (rc == -EBUSY)
		mock_pasid_violation(md, "set_dev_pasid on a PASID that has a domain",
				     pasid);
	if (rc)
		return rc;
	if (users)
		atomic_inc(users);
	return 0;
}

/**
 * ioasim_mock_remove_dev_pasid() - remove_dev_pasid of the mock IOMMU
 * @dev: a device the mock probed
 * @pasid: the PASID
 * @domain: the domain the core believes the PASID holds
 */
void ioasim_mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain)
{
	struct ioasim_mock_dev *mdev = ioasim_mock_dev_of(dev);
	struct ioasim_mock_domain *md;
	atomic_t *users;

	users = mock_pasid_users(domain, &md);
	if (!mdev || xa_cmpxchg(&mdev->pasids, pasid, domain, NULL,
				GFP_KERNEL) != domain) {
		mock_pasid_violation(md, "remove_dev_pasid of a domain the PASID does not hold",
				     pasid);
		return;
	}
	if (users)
		atomic_dec(users);
}

/**
 * ioasim_mock_pasid_domain() - the domain a PASID of a mock device holds
 * @mdev: the device
 * @pasid: the PASID
 *
 * Context: any context; the answer may change at once.
 * Return: the domain, or NULL.
 */
struct iommu_domain *ioasim_mock_pasid_domain(struct ioasim_mock_dev *mdev,
					      ioasid_t pasid)
{
	return xa_load(&mdev->pasids, pasid);
}
