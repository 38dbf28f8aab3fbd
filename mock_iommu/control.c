// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the selftest control plane: IOMMU_TEST_CMD
 *
 * iommufd's test programs and syzkaller's descriptions drive a mock IOMMU
 * through one extra command on /dev/iommu, IOMMU_TEST_CMD, whose
 * operations and layouts are those of iommufd_test.h. This file answers
 * it for ioasim's mock driver, in test builds only:
 *
 *   MOCK_DOMAIN[_FLAGS]   create a mock device, bind it to the context and
 *                         attach it to an IOAS or HWPT. The device lives
 *                         in a "selftest" object of the context's table:
 *                         destroying that object detaches, unbinds and
 *                         removes the device.
 *   MOCK_DOMAIN_REPLACE   replace such a device's attachment.
 *   ADD_RESERVED          reserve IOVA in an IOAS for good.
 *   MD_CHECK_MAP          compare a mock domain's translations with the
 *                         physical pages behind a user buffer.
 *   MD_CHECK_REFS         compare the pin count of user pages with a
 *                         number.
 *   CREATE_ACCESS         an access (an emulated device) on an IOAS,
 *                         returned as a file descriptor; closing it
 *                         unpins what it pinned and destroys the access.
 *   ACCESS_REPLACE_IOAS, ACCESS_PAGES, DESTROY_ACCESS_PAGES, ACCESS_RW
 *                         move, pin, unpin, and copy through an access.
 *   SET_TEMP_MEMORY_LIMIT the temporary-memory budget of pin batches.
 *
 * With MOCK_FLAGS_ACCESS_SYZ, an IOVA is given as (area index, offset)
 * instead, so that random arguments reach mapped memory.
 *
 *   DIRTY                 mark IO pages of a dirty-tracking mock domain
 *                         written, by a bitmap of the user's.
 *   MD_CHECK_IOTLB        an IOTLB entry of a nested mock domain holds a
 *                         value.
 *
 *   TRIGGER_IOPF          a device takes a page fault: to the fault queue
 *                         of its HWPT, if it has one.
 *
 *   PASID_ATTACH, PASID_REPLACE, PASID_DETACH, PASID_CHECK_HWPT
 *                         a PASID of a selftest device (Linux 6.15's
 *                         operations, see ioasim_mock_uapi.h).
 */
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "access.h"
#include "control.h"
#include "device.h"
#include "iommufd_test.h"
#include "ioasim_mock_uapi.h"
#include "mock.h"
#include "uapi.h"

/**
 * struct control_device - a mock device the control plane created
 * @obj: table header ("selftest" objects)
 * @mdev: the device
 * @idev: its binding to the context
 */
struct control_device {
	struct ioasim_obj obj;
	struct ioasim_mock_dev *mdev;
	struct ioasim_device *idev;
};

/* The owner of the reserved ranges ADD_RESERVED adds: nobody removes them. */
static const char control_reserved;

static void control_device_destroy(struct ioasim_obj *obj)
{
	struct control_device *cdev = container_of(obj, struct control_device,
						   obj);

	/* An object aborted before publish may have got no further. */
	if (cdev->idev)
		ioasim_device_unbind(cdev->idev);
	if (cdev->mdev)
		ioasim_mock_dev_destroy(cdev->mdev);
}

static const struct ioasim_obj_type control_device_type = {
	.name = "selftest",
	.destroy = control_device_destroy,
	.owner = THIS_MODULE,
};

static void control_copy_src(struct ioasim_ctx *ctx,
			     struct iommu_ioas_copy *cmd)
{
	struct ioasim_ioas *ioas;

	if (!(cmd->flags & MOCK_FLAGS_ACCESS_SYZ))
		return;
	cmd->flags &= ~(u32)MOCK_FLAGS_ACCESS_SYZ;
	ioas = ioasim_ioas_get(ctx, cmd->src_ioas_id);
	if (IS_ERR(ioas))
		return;
	cmd->src_iova = ioasim_control_syz_iova(ioas, cmd->src_iova);
	ioasim_ioas_put(ctx, ioas);
}

static int control_mock_domain(struct ioasim_ucmd *ucmd,
			       struct iommu_test_cmd *cmd)
{
	u32 dev_flags = 0, mock_flags = IOASIM_MOCK_DEV_SELFTEST;
	struct control_device *cdev;
	u32 pt_id = cmd->id, dev_id;
	int rc;

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	if (dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY |
			  MOCK_FLAGS_DEVICE_HUGE_IOVA |
			  MOCK_FLAGS_DEVICE_PASID |
			  IOASIM_MOCK_FLAGS_DEVICE_MSI_UNISOLATED |
			  IOASIM_MOCK_FLAGS_DEVICE_SW_MSI))
		return -EINVAL;
	if (dev_flags & MOCK_FLAGS_DEVICE_PASID)
		mock_flags |= IOASIM_MOCK_DEV_PASID;
	if (dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY)
		mock_flags |= IOASIM_MOCK_DEV_NO_DIRTY;
	if (dev_flags & MOCK_FLAGS_DEVICE_HUGE_IOVA)
		mock_flags |= IOASIM_MOCK_DEV_HUGE_IOVA;
	if (dev_flags & IOASIM_MOCK_FLAGS_DEVICE_MSI_UNISOLATED)
		mock_flags |= IOASIM_MOCK_DEV_MSI_UNISOLATED;
	if (dev_flags & IOASIM_MOCK_FLAGS_DEVICE_SW_MSI)
		mock_flags |= IOASIM_MOCK_DEV_SW_MSI;

	cdev = ioasim_obj_alloc(ucmd->ctx, struct control_device, obj,
				&control_device_type);
	if (IS_ERR(cdev))
		return PTR_ERR(cdev);
	cdev->mdev = ioasim_mock_dev_create(mock_flags);
	if (IS_ERR(cdev->mdev)) {
		rc = PTR_ERR(cdev->mdev);
		cdev->mdev = NULL;
		goto out_abort;
	}
	cdev->idev = ioasim_device_bind_weak(ucmd->ctx,
					     &cdev->mdev->pdev->dev,
						 &dev_id);
	if (IS_ERR(cdev->idev)) {
		rc = PTR_ERR(cdev->idev);
		cdev->idev = NULL;
		goto out_abort;
	}
	rc = ioasim_device_attach(cdev->idev, &pt_id);
	if (rc)
		goto out_abort;

	cmd->mock_domain.out_stdev_id = cdev->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = dev_id;
	rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	ioasim_obj_publish(ucmd->ctx, &cdev->obj);
	return 0;

out_abort:
	ioasim_obj_abort_destroy(ucmd->ctx, &cdev->obj);
	return rc;
}

static int control_mock_domain_replace(struct ioasim_ucmd *ucmd,
				       struct iommu_test_cmd *cmd)
{
	u32 pt_id = cmd->mock_domain_replace.pt_id;
	struct control_device *cdev;
	int rc;

	cdev = ioasim_obj_get_as(ucmd->ctx, cmd->id, &control_device_type,
				 struct control_device, obj);
	if (IS_ERR(cdev))
		return PTR_ERR(cdev);
	rc = ioasim_device_replace(cdev->idev, &pt_id);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
	}
	ioasim_obj_put(ucmd->ctx, &cdev->obj);
	return rc;
}

/* The PASID operations' part of the command (ioasim_mock_uapi.h). */
static struct ioasim_test_pasid *control_pasid_args(struct iommu_test_cmd *cmd)
{
	BUILD_BUG_ON(offsetof(struct iommu_test_cmd, add_reserved) != 16 ||
		     sizeof(cmd->add_reserved) < sizeof(struct ioasim_test_pasid));
	return (struct ioasim_test_pasid *)&cmd->add_reserved;
}

/* PASID_CHECK_HWPT: ioasim's record and the mock's table agree with it. */
static int control_pasid_check(struct ioasim_ucmd *ucmd,
			       struct control_device *cdev, u32 pasid,
			       u32 hwpt_id)
{
	struct iommu_domain *held = ioasim_mock_pasid_domain(cdev->mdev, pasid);
	struct ioasim_hwpt *attached =
		ioasim_device_pasid_hwpt(cdev->idev, pasid);
	struct ioasim_obj *obj;
	int rc = 0;

	if (!hwpt_id)
		return attached || held ? -EINVAL : 0;
	obj = ioasim_obj_get(ucmd->ctx, hwpt_id, NULL);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if ((obj->type != &ioasim_hwpt_paging_type &&
	     obj->type != &ioasim_hwpt_nested_type) ||
	    attached != container_of(obj, struct ioasim_hwpt, obj) ||
	    held != attached->domain)
		rc = -EINVAL;
	ioasim_obj_put(ucmd->ctx, obj);
	return rc;
}

static int control_pasid(struct ioasim_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct ioasim_test_pasid *args = control_pasid_args(cmd);
	struct control_device *cdev;
	u32 pt_id = args->pt_id;
	int rc;

	cdev = ioasim_obj_get_as(ucmd->ctx, cmd->id, &control_device_type,
				 struct control_device, obj);
	if (IS_ERR(cdev))
		return PTR_ERR(cdev);
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = cmd->op == IOMMU_TEST_OP_PASID_ATTACH ?
		     ioasim_device_pasid_attach(cdev->idev, args->pasid, &pt_id) :
		     ioasim_device_pasid_replace(cdev->idev, args->pasid,
						 &pt_id);
		if (!rc && cmd->op == IOMMU_TEST_OP_PASID_ATTACH) {
			args->pt_id = pt_id;
			rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
		}
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		/* As upstream's: nothing attached is nothing to do. */
		ioasim_device_pasid_detach(cdev->idev, args->pasid);
		rc = 0;
		break;
	default:
		rc = control_pasid_check(ucmd, cdev, args->pasid, pt_id);
		break;
	}
	ioasim_obj_put(ucmd->ctx, &cdev->obj);
	return rc;
}

static int control_add_reserved(struct ioasim_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	u64 start = cmd->add_reserved.start, length = cmd->add_reserved.length;
	struct ioasim_ioas *ioas;
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow((unsigned long)start,
			       (unsigned long)length - 1, &last))
		return -EOVERFLOW;
	ioas = ioasim_ioas_get(ucmd->ctx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = ioasim_space_reserve(&ioas->space, start, last, &control_reserved);
	ioasim_ioas_put(ucmd->ctx, ioas);
	return rc;
}

/* The physical address of the user byte at @uptr. */
static int user_phys(unsigned long uptr, phys_addr_t *phys)
{
	struct page *page;
	long n;

	n = get_user_pages_fast(uptr & PAGE_MASK, 1, 0, &page);
	if (n < 0)
		return n;
	if (n != 1)
		return -EFAULT;
	*phys = page_to_phys(page) + offset_in_page(uptr);
	put_page(page);
	return 0;
}

/* Every IO page of [iova, iova + length) translates to the user buffer. */
static int control_check_map(struct ioasim_ucmd *ucmd,
			     struct iommu_test_cmd *cmd)
{
	unsigned long iova = cmd->check_map.iova, end;
	unsigned long uptr = cmd->check_map.uptr;
	u64 length = cmd->check_map.length;
	struct ioasim_mock_domain *md;
	phys_addr_t want, have;
	struct ioasim_hwpt *hwpt;
	int rc = 0;

	if ((iova | length | uptr) % IOASIM_MOCK_IO_PAGE_SIZE ||
	    check_add_overflow(uptr, (unsigned long)length, &end))
		return -EINVAL;
	hwpt = ioasim_hwpt_paging_get(ucmd->ctx, cmd->id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	md = ioasim_mock_domain_of(hwpt->domain);
	if (!md)
		rc = -EINVAL;
	for (; !rc && uptr != end; uptr += IOASIM_MOCK_IO_PAGE_SIZE,
	     iova += IOASIM_MOCK_IO_PAGE_SIZE) {
		rc = user_phys(uptr, &want);
		if (!rc && (!ioasim_mock_translate(md, iova, &have) ||
			    have != want))
			rc = -EINVAL;
	}
	ioasim_obj_put(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* DIRTY refuses bitmaps longer than this, in bits (as upstream). */
#define CONTROL_MAX_DIRTY_BITS (SZ_16M * BITS_PER_BYTE)

/*
 * DIRTY: for every bit set in the user's bitmap, the device wrote one IO
 * page, which becomes dirty if it is mapped. Answers how many were. The
 * domain must be tracking. Bit i names the IO page whose number is
 * (iova + i * page_size) / page_size, as upstream's mock keys its page
 * table: with page_size the IO page size that is the page at
 * iova + i * page_size, with any other it is not, and the plane answers
 * as upstream's does.
 */
static int control_dirty(struct ioasim_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	u64 iova = cmd->dirty.iova, length = cmd->dirty.length;
	u64 page_size = cmd->dirty.page_size, nbits, i;
	struct ioasim_mock_domain *md;
	struct ioasim_hwpt *hwpt;
	unsigned long *bits;
	u64 count = 0;
	int rc;

	if (!page_size || !length || iova % page_size ||
	    length % page_size || !cmd->dirty.uptr)
		return -EINVAL;
	nbits = div64_u64(length, page_size);
	if (nbits > CONTROL_MAX_DIRTY_BITS)
		return -EOVERFLOW;
	hwpt = ioasim_hwpt_paging_get(ucmd->ctx, cmd->id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	md = ioasim_mock_domain_of(hwpt->domain);
	if (!md || !READ_ONCE(md->dirty_tracking)) {
		rc = -EINVAL;
		goto out_put;
	}
	bits = kvcalloc(BITS_TO_LONGS(nbits), sizeof(*bits),
			GFP_KERNEL_ACCOUNT);
	if (!bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(bits, u64_to_user_ptr(cmd->dirty.uptr),
			   DIV_ROUND_UP(nbits, BITS_PER_BYTE))) {
		rc = -EFAULT;
		goto out_free;
	}
	for_each_set_bit(i, bits, nbits)
		count += !!ioasim_mock_mark_dirty(md,
						  (div64_u64(iova, page_size) + i)
						  << IOASIM_MOCK_IO_PAGE_SHIFT,
						  IOASIM_MOCK_IO_PAGE_SIZE);
	cmd->dirty.out_nr_dirty = count;
	rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
out_free:
	kvfree(bits);
out_put:
	ioasim_obj_put(ucmd->ctx, &hwpt->obj);
	return rc;
}

static int control_trigger_iopf(struct ioasim_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	struct iommu_hwpt_pgfault fault = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.dev_id = cmd->trigger_iopf.dev_id,
		.pasid = cmd->trigger_iopf.pasid,
		.grpid = cmd->trigger_iopf.grpid,
		.perm = cmd->trigger_iopf.perm,
		.addr = cmd->trigger_iopf.addr,
	};
	struct ioasim_device *idev;
	int rc;

	if (fault.pasid != IOMMU_NO_PASID)
		fault.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	idev = ioasim_device_get(ucmd->ctx, fault.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	rc = ioasim_device_iopf(idev, &fault);
	ioasim_obj_put(ucmd->ctx, &idev->obj);
	return rc;
}

/* MD_CHECK_IOTLB: entry check_iotlb.id of a nested HWPT's cache. */
static int control_check_iotlb(struct ioasim_ucmd *ucmd,
			       struct iommu_test_cmd *cmd)
{
	struct ioasim_mock_nested *nested;
	struct ioasim_hwpt *hwpt;
	u32 index = cmd->check_iotlb.id;
	int rc = 0;

	/* The HWPT is looked up first: a wrong one is ENOENT, any index. */
	hwpt = ioasim_hwpt_nested_get(ucmd->ctx, cmd->id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	nested = ioasim_mock_nested_of(hwpt->domain);
	if (!nested || index >= IOASIM_MOCK_NESTED_IOTLB_NUM ||
	    nested->iotlb[index] != cmd->check_iotlb.iotlb)
		rc = -EINVAL;
	ioasim_obj_put(ucmd->ctx, &hwpt->obj);
	return rc;
}

/* Each page of the user buffer is pinned exactly @refs times. */
static int control_check_refs(struct iommu_test_cmd *cmd)
{
	unsigned long uptr = cmd->check_refs.uptr, end;
	u64 length = cmd->check_refs.length;
	struct page *page;
	int rc = 0;
	long n;

	if ((length | uptr) % PAGE_SIZE ||
	    check_add_overflow(uptr, (unsigned long)length, &end))
		return -EINVAL;
	for (; !rc && uptr != end; uptr += PAGE_SIZE) {
		n = get_user_pages_fast(uptr, 1, 0, &page);
		if (n < 0)
			return n;
		if (n != 1)
			return -EFAULT;
		/* A large folio counts its pins elsewhere: not checked. */
		if (!PageCompound(page) &&
		    page_ref_count(page) / GUP_PIN_COUNTING_BIAS !=
		    cmd->check_refs.refs)
			rc = -EIO;
		put_page(page);
	}
	return rc;
}

static int control_set_memory_limit(struct ioasim_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	/* A batch must hold at least one entry of the kind upstream keeps. */
	if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(u32))
		return -EINVAL;
	WRITE_ONCE(ucmd->ctx->batch_bytes, cmd->memory_limit.limit);
	return 0;
}

static int control_cmd(struct ioasim_ucmd *ucmd)
{
	struct iommu_test_cmd cmd;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_test_cmd, last));
	if (rc)
		return rc;

	switch (cmd.op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return control_add_reserved(ucmd, &cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return control_mock_domain(ucmd, &cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return control_mock_domain_replace(ucmd, &cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return control_check_map(ucmd, &cmd);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return control_check_refs(&cmd);
	case IOMMU_TEST_OP_CREATE_ACCESS:
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
	case IOMMU_TEST_OP_ACCESS_PAGES:
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_RW:
		return ioasim_control_access_cmd(ucmd, &cmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		return control_set_memory_limit(ucmd, &cmd);
	case IOMMU_TEST_OP_DIRTY:
		return control_dirty(ucmd, &cmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return control_check_iotlb(ucmd, &cmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return control_trigger_iopf(ucmd, &cmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return control_pasid(ucmd, &cmd);
	default:
		return -EOPNOTSUPP;
	}
}

static const struct ioasim_test_plane control_plane = {
	.ioctl = IOMMU_TEST_CMD,
	.cmd = control_cmd,
	.copy_src = control_copy_src,
};

/**
 * ioasim_control_init() - answer IOMMU_TEST_CMD from now on
 *
 * Context: process context, may sleep.
 */
void ioasim_control_init(void)
{
	ioasim_test_plane_register(&control_plane);
}

/**
 * ioasim_control_exit() - stop answering IOMMU_TEST_CMD
 *
 * Waits for commands in progress. The plane's objects and access files
 * run its code when they go: as a module, the test code must outlive
 * the contexts that used the plane (it is built in under UML).
 *
 * Context: process context, may sleep.
 */
void ioasim_control_exit(void)
{
	ioasim_test_plane_unregister();
}
