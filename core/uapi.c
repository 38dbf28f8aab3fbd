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
 * Each handler below owns a kernel copy of its command's structure: it
 * reads it with ioasim_ucmd_read() (which applies the size rules), calls the
 * command function (ioas.h, device.h), and writes the answer back. A
 * command that creates an object and then cannot tell userspace its id
 * (the write faults) destroys it again, so nothing the caller cannot name
 * is left behind.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "device.h"
#include "uapi.h"

/* The caller's size, no less than @min_size (the first release's). */
static int ucmd_read_size(struct ioasim_ucmd *ucmd, size_t min_size)
{
	if (get_user(ucmd->user_size, (u32 __user *)ucmd->ubuf))
		return -EFAULT;
	return ucmd->user_size < min_size ? -EINVAL : 0;
}

/**
 * ioasim_ucmd_read() - read a command's argument, applying the size rules
 * @ucmd: the ioctl
 * @kcmd: out: the structure as ioasim knows it; zero beyond the caller's
 * @size: its size
 * @min_size: the size of its first release
 *
 * Return: 0; -EINVAL if the caller's size is below @min_size, -E2BIG if
 * the caller's bytes beyond @size are not zero, -EFAULT.
 */
int ioasim_ucmd_read(struct ioasim_ucmd *ucmd, void *kcmd, size_t size,
		     size_t min_size)
{
	return ucmd_read_size(ucmd, min_size) ?:
	       copy_struct_from_user(kcmd, size, ucmd->ubuf, ucmd->user_size);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ucmd_read);

/**
 * ioasim_ucmd_write() - answer a command, over at most the caller's size
 * @ucmd: the ioctl, read with ioasim_ucmd_read()
 * @kcmd: the answer
 * @size: its size
 *
 * Return: 0 or -EFAULT.
 */
int ioasim_ucmd_write(struct ioasim_ucmd *ucmd, const void *kcmd, size_t size)
{
	if (copy_to_user(ucmd->ubuf, kcmd, min_t(size_t, size,
						 ucmd->user_size)))
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ucmd_write);

/* Answer a creating command, or take the new object back. */
static int ucmd_write_created(struct ioasim_ucmd *ucmd, const void *kcmd,
			      size_t size, u32 id)
{
	int rc = ioasim_ucmd_write(ucmd, kcmd, size);

	if (rc)
		ioasim_obj_destroy(ucmd->ctx, id, NULL);
	return rc;
}

static int ucmd_destroy(struct ioasim_ucmd *ucmd)
{
	struct iommu_destroy cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_destroy, id)) ?:
	       ioasim_obj_destroy(ucmd->ctx, cmd.id, NULL);
}

static int ucmd_ioas_alloc(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_alloc cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_ioas_alloc, out_ioas_id)) ?:
	       ioasim_ioas_alloc(ucmd->ctx, &cmd) ?:
	       ucmd_write_created(ucmd, &cmd, sizeof(cmd), cmd.out_ioas_id);
}

static int ucmd_ioas_allow_iovas(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_ioas_allow_iovas,
					    allowed_iovas)) ?:
	       ioasim_ioas_allow_iovas(ucmd->ctx, &cmd, NULL);
}

/*
 * The array is allocated for what exists, not for what the caller claims
 * room for: start with none, and grow to the count the command reports,
 * up to the caller's room. Each round grows, so this ends even while
 * another thread keeps reserving.
 */
static int ucmd_ioas_iova_ranges(struct ioasim_ucmd *ucmd)
{
	struct iommu_iova_range *ranges = NULL;
	struct iommu_ioas_iova_ranges cmd;
	u32 room, cap = 0;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_ioas_iova_ranges,
					  out_iova_alignment));
	if (rc)
		return rc;
	room = cmd.num_iovas;
	for (;;) {
		cmd.num_iovas = cap;
		rc = ioasim_ioas_iova_ranges(ucmd->ctx, &cmd, ranges);
		if (rc != -EMSGSIZE || cap == room)
			break;
		cap = min(cmd.num_iovas, room);
		kvfree(ranges);
		ranges = kvcalloc(cap, sizeof(*ranges), GFP_KERNEL);
		if (!ranges)
			return -ENOMEM;
	}
	/* With EMSGSIZE, the caller's room is filled and the count told. */
	if ((!rc || rc == -EMSGSIZE) &&
	    copy_to_user(u64_to_user_ptr(cmd.allowed_iovas), ranges,
			 array_size(min(cmd.num_iovas, cap), sizeof(*ranges))))
		rc = -EFAULT;
	kvfree(ranges);
	if (rc && rc != -EMSGSIZE)
		return rc;
	return ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd)) ?: rc;
}

static int ucmd_ioas_map(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_map cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_ioas_map, iova)) ?:
	       ioasim_ioas_map(ucmd->ctx, &cmd) ?:
	       ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

static void test_plane_copy_src(struct ioasim_ctx *ctx,
				struct iommu_ioas_copy *cmd);

static int ucmd_ioas_copy(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_copy cmd;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_ioas_copy, src_iova));
	if (rc)
		return rc;
	test_plane_copy_src(ucmd->ctx, &cmd);
	return ioasim_ioas_copy(ucmd->ctx, &cmd) ?:
	       ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

static int ucmd_ioas_unmap(struct ioasim_ucmd *ucmd)
{
	struct iommu_ioas_unmap cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_ioas_unmap, length)) ?:
	       ioasim_ioas_unmap(ucmd->ctx, &cmd) ?:
	       ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

static int ucmd_option(struct ioasim_ucmd *ucmd)
{
	struct iommu_option cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_option, val64)) ?:
	       ioasim_option(ucmd->ctx, &cmd) ?:
	       ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

static int ucmd_vfio_ioas(struct ioasim_ucmd *ucmd)
{
	struct iommu_vfio_ioas cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_vfio_ioas, __reserved)) ?:
	       ioasim_vfio_ioas(ucmd->ctx, &cmd) ?:
	       ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

/* The fd is installed only once userspace has its number and the id. */
static int ucmd_fault_queue_alloc(struct ioasim_ucmd *ucmd)
{
	struct iommu_fault_alloc cmd;
	struct file *file;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_fault_alloc,
					  out_fault_fd)) ?:
	     ioasim_iopf_queue_alloc(ucmd->ctx, &cmd, &file);
	if (rc)
		return rc;
	rc = ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
	if (rc) {
		put_unused_fd(cmd.out_fault_fd);
		/* Its release takes the unpublished queue with it. */
		fput(file);
		return rc;
	}
	ioasim_iopf_queue_install(ucmd->ctx, &cmd, file);
	return 0;
}

/* The count handled goes back whatever happened, as upstream answers. */
static int ucmd_hwpt_invalidate(struct ioasim_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate cmd;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_hwpt_invalidate,
					  __reserved));
	if (rc)
		return rc;
	rc = ioasim_hwpt_invalidate(ucmd->ctx, &cmd);
	return ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd)) ?: rc;
}

static int ucmd_set_dirty_tracking(struct ioasim_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_hwpt_set_dirty_tracking,
					    __reserved)) ?:
	       ioasim_hwpt_set_dirty_tracking(ucmd->ctx, &cmd);
}

static int ucmd_get_dirty_bitmap(struct ioasim_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_hwpt_get_dirty_bitmap,
					    data)) ?:
	       ioasim_hwpt_get_dirty_bitmap(ucmd->ctx, &cmd);
}

static int ucmd_hwpt_alloc(struct ioasim_ucmd *ucmd)
{
	struct iommu_hwpt_alloc cmd;

	return ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
				offsetofend(struct iommu_hwpt_alloc, __reserved)) ?:
	       ioasim_hwpt_alloc(ucmd->ctx, &cmd) ?:
	       ucmd_write_created(ucmd, &cmd, sizeof(cmd), cmd.out_hwpt_id);
}

static int ucmd_get_hw_info(struct ioasim_ucmd *ucmd)
{
	struct iommu_hw_info cmd;
	void __user *ubuf;
	u32 len, copy;
	void *data;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &cmd, sizeof(cmd),
			      offsetofend(struct iommu_hw_info, __reserved)) ?:
	     ioasim_get_hw_info(ucmd->ctx, &cmd, &data, &len);
	if (rc)
		return rc;
	/* What the caller's buffer has beyond the data reads as zero. */
	ubuf = u64_to_user_ptr(cmd.data_uptr);
	copy = min(cmd.data_len, len);
	if (copy_to_user(ubuf, data, copy) ||
	    clear_user(ubuf + copy, cmd.data_len - copy))
		rc = -EFAULT;
	kfree(data);
	if (rc)
		return rc;
	/* The driver's length, so that the caller learns it. */
	cmd.data_len = len;
	return ioasim_ucmd_write(ucmd, &cmd, sizeof(cmd));
}

#if IS_ENABLED(CONFIG_IOASIM_KUNIT_TEST)
/*
 * The registered plane, if any. Readers hold the rwsem while they call
 * into it, so unregistering waits for them.
 */
static const struct ioasim_test_plane *test_plane;
static DECLARE_RWSEM(test_plane_rwsem);

/**
 * ioasim_test_plane_register() - make IOMMU_TEST_CMD available
 * @plane: the plane; stays registered until ioasim_test_plane_unregister()
 *
 * Context: process context, may sleep.
 */
void ioasim_test_plane_register(const struct ioasim_test_plane *plane)
{
	down_write(&test_plane_rwsem);
	test_plane = plane;
	up_write(&test_plane_rwsem);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_test_plane_register);

/* LCOV_EXCL_START: runs on unload only; the coverage kernel is built in */
/**
 * ioasim_test_plane_unregister() - undo ioasim_test_plane_register()
 *
 * Returns once no command runs in the plane any more.
 *
 * Context: process context, may sleep.
 */
void ioasim_test_plane_unregister(void)
{
	down_write(&test_plane_rwsem);
	test_plane = NULL;
	up_write(&test_plane_rwsem);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_test_plane_unregister);
/* LCOV_EXCL_STOP */

static int test_plane_ioctl(struct ioasim_ucmd *ucmd, unsigned int ioctl)
{
	int rc = -ENOTTY;

	down_read(&test_plane_rwsem);
	if (test_plane && test_plane->ioctl == ioctl)
		rc = test_plane->cmd(ucmd);
	up_read(&test_plane_rwsem);
	return rc;
}

static void test_plane_copy_src(struct ioasim_ctx *ctx,
				struct iommu_ioas_copy *cmd)
{
	down_read(&test_plane_rwsem);
	if (test_plane)
		test_plane->copy_src(ctx, cmd);
	up_read(&test_plane_rwsem);
}
#else
static int test_plane_ioctl(struct ioasim_ucmd *ucmd, unsigned int ioctl)
{
	return -ENOTTY;
}

static void test_plane_copy_src(struct ioasim_ctx *ctx,
				struct iommu_ioas_copy *cmd)
{
}
#endif

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
	struct ioasim_ucmd ucmd = { .ctx = ctx, .ubuf = arg };
	long rc;

	switch (ioctl) {
	case IOMMU_DESTROY:
		return ucmd_destroy(&ucmd);
	case IOMMU_IOAS_ALLOC:
		return ucmd_ioas_alloc(&ucmd);
	case IOMMU_IOAS_ALLOW_IOVAS:
		return ucmd_ioas_allow_iovas(&ucmd);
	case IOMMU_IOAS_COPY:
		return ucmd_ioas_copy(&ucmd);
	case IOMMU_IOAS_IOVA_RANGES:
		return ucmd_ioas_iova_ranges(&ucmd);
	case IOMMU_IOAS_MAP:
		return ucmd_ioas_map(&ucmd);
	case IOMMU_IOAS_UNMAP:
		return ucmd_ioas_unmap(&ucmd);
	case IOMMU_OPTION:
		return ucmd_option(&ucmd);
	case IOMMU_VFIO_IOAS:
		return ucmd_vfio_ioas(&ucmd);
	case IOMMU_HWPT_ALLOC:
		return ucmd_hwpt_alloc(&ucmd);
	case IOMMU_GET_HW_INFO:
		return ucmd_get_hw_info(&ucmd);
	case IOMMU_HWPT_SET_DIRTY_TRACKING:
		return ucmd_set_dirty_tracking(&ucmd);
	case IOMMU_HWPT_GET_DIRTY_BITMAP:
		return ucmd_get_dirty_bitmap(&ucmd);
	case IOMMU_HWPT_INVALIDATE:
		return ucmd_hwpt_invalidate(&ucmd);
	case IOMMU_FAULT_QUEUE_ALLOC:
		return ucmd_fault_queue_alloc(&ucmd);
	default:
		break;
	}
	rc = test_plane_ioctl(&ucmd, ioctl);
	if (rc != -ENOTTY)
		return rc;
	return ioasim_vfio_compat_ioctl(ctx, ioctl, (unsigned long)arg);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_ioctl);
