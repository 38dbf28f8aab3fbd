// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the mock IOMMU's nested domains (see mock.h)
 *
 * A nested domain stands for a guest's stage-1 table on top of a paging
 * domain of the mock (its parent), which does the translating. What it
 * has of its own is a tiny IOTLB whose entries userspace sets at
 * allocation and clears by invalidation, and reads back through
 * IOMMU_TEST_OP_MD_CHECK_IOTLB.
 */
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/linux/iommufd.h>

#include "inject.h"
#include "iommufd_test.h"
#include "mock.h"
#include "pte.h"

static int mock_nested_attach(struct iommu_domain *domain, struct device *dev)
{
	struct ioasim_mock_nested *nested =
		container_of(domain, struct ioasim_mock_nested, domain);

	/*
	 * The device reaches memory through the parent's translation, so it
	 * must be of the parent's kind. A nested domain has no dirty ops of
	 * its own: a device that cannot track may attach to it, as to
	 * upstream's mock, whatever its parent tracks.
	 */
	return ioasim_mock_may_attach(nested->parent, dev, domain->dirty_ops);
}

static void mock_nested_free(struct iommu_domain *domain)
{
	struct ioasim_mock_nested *nested =
		container_of(domain, struct ioasim_mock_nested, domain);

	/* The parent reports; it outlives its nested domains. */
	if (atomic_read(&nested->pasid_users))
		mock_violation(nested->parent, "free of a domain a PASID holds",
			       0);
	kfree(nested);
}

/*
 * What one invalidation entry asks of the nested domain's IOTLB. The
 * entry's id must name an entry even when the flag asks for all of them,
 * as upstream's mock has it.
 */
static int mock_nested_flush(struct ioasim_mock_nested *nested,
			     const struct iommu_hwpt_invalidate_selftest *inv)
{
	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->iotlb_id >= IOASIM_MOCK_NESTED_IOTLB_NUM)
		return -EINVAL;
	if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
		memset(nested->iotlb, 0, sizeof(nested->iotlb));
	else
		nested->iotlb[inv->iotlb_id] = 0;
	return 0;
}

/*
 * The user's array, entry by entry; @array->entry_num becomes how many
 * were done, also when one is refused (it is the next).
 */
static int mock_nested_invalidate(struct iommu_domain *domain,
				  struct iommu_user_data_array *array)
{
	struct ioasim_mock_nested *nested =
		container_of(domain, struct ioasim_mock_nested, domain);
	struct iommu_hwpt_invalidate_selftest inv;
	u32 done;
	int rc = 0;

	/* An array of another type is refused, even an empty one. */
	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		array->entry_num = 0;
		return -EINVAL;
	}
	for (done = 0; !rc && done < array->entry_num; done += !rc)
		rc = iommu_copy_struct_from_user_array(&inv, array,
						       IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						       done, iotlb_id) ?:
		     mock_nested_flush(nested, &inv);
	array->entry_num = done;
	return rc;
}

static const struct iommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_nested_attach,
	.set_dev_pasid = ioasim_mock_set_dev_pasid,
	.free = mock_nested_free,
	.cache_invalidate_user = mock_nested_invalidate,
};

/**
 * ioasim_mock_nested_of() - the mock's view of a nested domain
 * @domain: a domain
 *
 * Return: the nested domain, or NULL if @domain is not one of the mock's.
 */
struct ioasim_mock_nested *ioasim_mock_nested_of(struct iommu_domain *domain)
{
	if (domain->type != IOMMU_DOMAIN_NESTED ||
	    domain->ops != &mock_nested_ops)
		return NULL;
	return container_of(domain, struct ioasim_mock_nested, domain);
}

/**
 * ioasim_mock_nested_alloc() - a nested domain on a paging domain
 * @parent: a paging domain of the mock
 * @user_data: iommufd_test.h's allocation data: the value every IOTLB
 *	entry starts out holding
 *
 * Context: process context, may sleep.
 * Return: the domain, or an ERR_PTR: -EINVAL for a parent that is not the
 * mock's, -EOPNOTSUPP for data of another type.
 */
struct iommu_domain *
ioasim_mock_nested_alloc(struct iommu_domain *parent,
			 const struct iommu_user_data *user_data)
{
	struct ioasim_mock_nested *nested;
	struct iommu_hwpt_selftest data;
	int rc;

	if (!ioasim_mock_domain_of(parent))
		return ERR_PTR(-EINVAL);
	rc = user_data->type == IOMMU_HWPT_DATA_SELFTEST ?
	     iommu_copy_struct_from_user(&data, user_data,
					 IOMMU_HWPT_DATA_SELFTEST, iotlb) :
	     -EOPNOTSUPP;
	if (rc)
		return ERR_PTR(rc);
	nested = ioasim_kzalloc("mock.nested_alloc", sizeof(*nested),
				GFP_KERNEL);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	memset32(nested->iotlb, data.iotlb, ARRAY_SIZE(nested->iotlb));
	nested->parent = ioasim_mock_domain(parent);
	nested->domain.type = IOMMU_DOMAIN_NESTED;
	nested->domain.ops = &mock_nested_ops;
	return &nested->domain;
}
