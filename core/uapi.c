// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the ioctl layer of /dev/iommu
 *
 * Every iommufd command's argument starts with a u32 holding its size, so
 * that structures can grow. The rules, as iommufd has them:
 *   - a size below the command's minimum (the structure as first released)
 *     is -EINVAL;
 *   - a size beyond what ioasim knows is accepted only if the extra bytes
 *     are zero (-E2BIG otherwise); fields ioasim does not know read as zero;
 *   - the answer is written back over at most the caller's size.
 * An unknown command is -ENOTTY.
 *
 * The command functions (ioas.h, device.h) work on kernel copies; this
 * layer copies in, calls, and copies out. A command that creates an object
 * and then cannot tell userspace its id (the copy out faults) destroys it
 * again, so nothing the caller cannot name is left behind.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "device.h"
#include "uapi.h"

/**
 * struct ioasim_ucmd - one ioctl in flight
 * @ctx: the file's context
 * @ubuf: the caller's argument
 * @user_size: its first u32
 * @cmd: the kernel copy, zero-extended to the size ioasim knows
 */
struct ioasim_ucmd {
	struct ioasim_ctx *ctx;
	void __user *ubuf;
	u32 user_size;
	void *cmd;
};

static int ucmd_respond(struct ioasim_ucmd *ucmd, size_t size)
{
	if (copy_to_user(ucmd->ubuf, ucmd->cmd, min_t(size_t, size,
						      ucmd->user_size)))
		return -EFAULT;
	return 0;
}

/* Answer a creating command, or take the new object back. */
static int ucmd_respond_created(struct ioasim_ucmd *ucmd, size_t size,
				u32 id)
{
	int rc = ucmd_respond(ucmd, size);

	if (rc)
		ioasim_obj_destroy(ucmd->ctx, id, NULL);
	return rc;
}

static int ucmd_destroy(struct ioasim_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return ioasim_obj_destroy(ucmd->ctx, cmd->id, NULL);
}

static int ucmd_ioas_alloc(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	int rc = ioasim_ioas_alloc(ucmd->ctx, cmd);

	return rc ?: ucmd_respond_created(ucmd, sizeof(*cmd),
					  cmd->out_ioas_id);
}

static int ucmd_ioas_allow_iovas(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommu_iova_range *ranges;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ranges = vmemdup_array_user(u64_to_user_ptr(cmd->allowed_iovas),
				    cmd->num_iovas, sizeof(*ranges));
	if (IS_ERR(ranges))
		return PTR_ERR(ranges);
	rc = ioasim_ioas_allow_iovas(ucmd->ctx, cmd, ranges);
	kvfree(ranges);
	return rc;
}

static int ucmd_ioas_iova_ranges(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_ioas_iova_ranges probe = *cmd;
	struct iommu_iova_range *ranges;
	u32 cap;
	int rc;

	/* Ask for the count first: never allocate what the caller claims. */
	probe.num_iovas = 0;
	rc = ioasim_ioas_iova_ranges(ucmd->ctx, &probe, NULL);
	if (rc && rc != -EMSGSIZE)
		return rc;
	cap = min(cmd->num_iovas, probe.num_iovas);
	ranges = kvcalloc(max(cap, 1U), sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	rc = ioasim_ioas_iova_ranges(ucmd->ctx, cmd, ranges);
	/* The holes may have changed since the probe; tell the truth. */
	if (rc == -EMSGSIZE || (!rc && cmd->num_iovas > cap)) {
		if (copy_to_user(u64_to_user_ptr(cmd->allowed_iovas), ranges,
				 array_size(cap, sizeof(*ranges))))
			rc = -EFAULT;
		else
			rc = -EMSGSIZE;
	} else if (!rc &&
		   copy_to_user(u64_to_user_ptr(cmd->allowed_iovas), ranges,
				array_size(cmd->num_iovas,
					   sizeof(*ranges)))) {
		rc = -EFAULT;
	}
	kvfree(ranges);
	if (rc && rc != -EMSGSIZE)
		return rc;
	/* The count goes back with EMSGSIZE too: that is the protocol. */
	return ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}

static int ucmd_ioas_map(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;

	return ioasim_ioas_map(ucmd->ctx, cmd) ?:
	       ucmd_respond(ucmd, sizeof(*cmd));
}

static int ucmd_ioas_copy(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;

	return ioasim_ioas_copy(ucmd->ctx, cmd) ?:
	       ucmd_respond(ucmd, sizeof(*cmd));
}

static int ucmd_ioas_unmap(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;

	return ioasim_ioas_unmap(ucmd->ctx, cmd) ?:
	       ucmd_respond(ucmd, sizeof(*cmd));
}

static int ucmd_option(struct ioasim_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;

	return ioasim_option(ucmd->ctx, cmd) ?:
	       ucmd_respond(ucmd, sizeof(*cmd));
}

static int ucmd_hwpt_alloc(struct ioasim_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	int rc = ioasim_hwpt_alloc(ucmd->ctx, cmd);

	return rc ?: ucmd_respond_created(ucmd, sizeof(*cmd),
					  cmd->out_hwpt_id);
}

static int ucmd_vfio_ioas(struct ioasim_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;

	return ioasim_vfio_ioas(ucmd->ctx, cmd) ?:
	       ucmd_respond(ucmd, sizeof(*cmd));
}

static int ucmd_get_hw_info(struct ioasim_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void __user *ubuf = u64_to_user_ptr(cmd->data_uptr);
	u32 len, copy;
	void *data;
	int rc;

	rc = ioasim_get_hw_info(ucmd->ctx, cmd, &data, &len);
	if (rc)
		return rc;
	/* What the caller's buffer has beyond the data reads as zero. */
	copy = min(cmd->data_len, len);
	if (copy_to_user(ubuf, data, copy) ||
	    clear_user(ubuf + copy, cmd->data_len - copy))
		rc = -EFAULT;
	kfree(data);
	if (rc)
		return rc;
	/* The driver's length, so that the caller learns it. */
	cmd->data_len = len;
	return ucmd_respond(ucmd, sizeof(*cmd));
}

/* Commands of the extensions ioasim does not have yet. */
static int ucmd_not_supported(struct ioasim_ucmd *ucmd)
{
	return -EOPNOTSUPP;
}

/**
 * struct ioasim_ucmd_op - how to run one command
 * @ioctl: the ioctl number (the uAPI's IOMMU_* value)
 * @size: the structure as ioasim knows it
 * @min_size: the structure as first released: up to its last field then
 * @run: copies the answer out itself
 */
struct ioasim_ucmd_op {
	unsigned int ioctl;
	u32 size;
	u32 min_size;
	int (*run)(struct ioasim_ucmd *ucmd);
};

#define UCMD_OP(_ioctl, _run, _type, _last)				\
	{								\
		.ioctl = _ioctl,					\
		.size = sizeof(_type),					\
		.min_size = offsetofend(_type, _last),			\
		.run = _run,						\
	}

static const struct ioasim_ucmd_op ioasim_ucmd_ops[] = {
	UCMD_OP(IOMMU_DESTROY, ucmd_destroy, struct iommu_destroy, id),
	UCMD_OP(IOMMU_IOAS_ALLOC, ucmd_ioas_alloc, struct iommu_ioas_alloc,
		out_ioas_id),
	UCMD_OP(IOMMU_IOAS_ALLOW_IOVAS, ucmd_ioas_allow_iovas,
		struct iommu_ioas_allow_iovas, allowed_iovas),
	UCMD_OP(IOMMU_IOAS_COPY, ucmd_ioas_copy, struct iommu_ioas_copy,
		src_iova),
	UCMD_OP(IOMMU_IOAS_IOVA_RANGES, ucmd_ioas_iova_ranges,
		struct iommu_ioas_iova_ranges, out_iova_alignment),
	UCMD_OP(IOMMU_IOAS_MAP, ucmd_ioas_map, struct iommu_ioas_map, iova),
	UCMD_OP(IOMMU_IOAS_UNMAP, ucmd_ioas_unmap, struct iommu_ioas_unmap,
		length),
	UCMD_OP(IOMMU_OPTION, ucmd_option, struct iommu_option, val64),
	UCMD_OP(IOMMU_VFIO_IOAS, ucmd_vfio_ioas, struct iommu_vfio_ioas,
		__reserved),
	UCMD_OP(IOMMU_HWPT_ALLOC, ucmd_hwpt_alloc, struct iommu_hwpt_alloc,
		__reserved),
	UCMD_OP(IOMMU_GET_HW_INFO, ucmd_get_hw_info, struct iommu_hw_info,
		__reserved),
	UCMD_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, ucmd_not_supported,
		struct iommu_hwpt_set_dirty_tracking, __reserved),
	UCMD_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, ucmd_not_supported,
		struct iommu_hwpt_get_dirty_bitmap, data),
	UCMD_OP(IOMMU_HWPT_INVALIDATE, ucmd_not_supported,
		struct iommu_hwpt_invalidate, __reserved),
	UCMD_OP(IOMMU_FAULT_QUEUE_ALLOC, ucmd_not_supported,
		struct iommu_fault_alloc, out_fault_fd),
};

/* The largest command structure: the kernel copy lives on the stack. */
union ioasim_ucmd_buf {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map ioas_map;
	struct iommu_ioas_unmap ioas_unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_set_dirty_tracking set_dirty;
	struct iommu_hwpt_get_dirty_bitmap get_dirty;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_fault_alloc fault_alloc;
};

/**
 * ioasim_ctx_ioctl() - run one iommufd command on a context
 * @ctx: the context of the file
 * @ioctl: the ioctl number
 * @arg: the caller's argument
 *
 * Context: process context of the caller, may sleep.
 * Return: 0 or a negative errno, see the file comment; -ENOTTY for a
 * command that is not iommufd's.
 */
long ioasim_ctx_ioctl(struct ioasim_ctx *ctx, unsigned int ioctl,
		      void __user *arg)
{
	const struct ioasim_ucmd_op *op = NULL;
	union ioasim_ucmd_buf buf;
	struct ioasim_ucmd ucmd = { .ctx = ctx, .ubuf = arg, .cmd = &buf };
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(ioasim_ucmd_ops) && !op; i++)
		if (ioasim_ucmd_ops[i].ioctl == ioctl)
			op = &ioasim_ucmd_ops[i];
	if (!op)
		return -ENOTTY;

	if (get_user(ucmd.user_size, (u32 __user *)arg))
		return -EFAULT;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	rc = copy_struct_from_user(&buf, op->size, arg, ucmd.user_size);
	if (rc)
		return rc;
	return op->run(&ucmd);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_ioctl);
