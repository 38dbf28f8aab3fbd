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
 * One table, ucmd_table[], has a row per command: its structure's sizes,
 * the function that runs it, and what is written back. The dispatcher
 * reads the structure into a kernel copy with ioasim_ucmd_read() (which
 * applies the size rules), runs the command function (ioas.h, hwpt.h,
 * device.h) on it, and answers as the row says. A command that creates
 * an object and then cannot tell userspace its id (the write faults)
 * destroys it again, so nothing the caller cannot name is left behind.
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
EXPORT_SYMBOL_NS_GPL(ioasim_ucmd_read, IOASIM_TEST);

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
EXPORT_SYMBOL_NS_GPL(ioasim_ucmd_write, IOASIM_TEST);

/*
 * The commands whose answer is more than their structure: each reads and
 * writes what it needs itself, after the table has read its structure.
 */

/*
 * The array is allocated for what exists, not for what the caller claims
 * room for: start with none, and grow to the count the command reports,
 * up to the caller's room. Each round grows, so this ends even while
 * another thread keeps reserving.
 */
static int run_ioas_iova_ranges(struct ioasim_ucmd *ucmd, void *kcmd)
{
	struct iommu_ioas_iova_ranges *cmd = kcmd;
	struct iommu_iova_range *ranges = NULL;
	u32 room = cmd->num_iovas, cap = 0;
	int rc;

	for (;;) {
		cmd->num_iovas = cap;
		rc = ioasim_ioas_iova_ranges(ucmd->ctx, cmd, ranges);
		if (rc != -EMSGSIZE || cap == room)
			break;
		cap = min(cmd->num_iovas, room);
		kvfree(ranges);
		ranges = kvcalloc(cap, sizeof(*ranges), GFP_KERNEL);
		if (!ranges)
			return -ENOMEM;
	}
	/* With EMSGSIZE, the caller's room is filled and the count told. */
	if ((!rc || rc == -EMSGSIZE) &&
	    copy_to_user(u64_to_user_ptr(cmd->allowed_iovas), ranges,
			 array_size(min(cmd->num_iovas, cap), sizeof(*ranges))))
		rc = -EFAULT;
	kvfree(ranges);
	if (rc && rc != -EMSGSIZE)
		return rc;
	return ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd)) ?: rc;
}

/* The fd is installed only once userspace has its number and the id. */
static int run_fault_queue_alloc(struct ioasim_ucmd *ucmd, void *kcmd)
{
	struct iommu_fault_alloc *cmd = kcmd;
	struct file *file;
	int rc;

	rc = ioasim_iopf_queue_alloc(ucmd->ctx, cmd, &file);
	if (rc)
		return rc;
	rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
	if (rc) {
		put_unused_fd(cmd->out_fault_fd);
		/* Its release takes the unpublished queue with it. */
		fput(file);
		return rc;
	}
	ioasim_iopf_queue_install(ucmd->ctx, cmd, file);
	return 0;
}

/*
 * The driver's description goes to data_uptr: as much as the caller has
 * room for, and zeros in the rest of its room; data_len then tells the
 * driver's length.
 */
static int run_get_hw_info(struct ioasim_ucmd *ucmd, void *kcmd)
{
	struct iommu_hw_info *cmd = kcmd;
	void __user *ubuf = u64_to_user_ptr(cmd->data_uptr);
	u32 len, room = cmd->data_len;
	void *data;
	int rc;

	rc = ioasim_get_hw_info(ucmd->ctx, cmd, &data, &len);
	if (rc)
		return rc;
	if (copy_to_user(ubuf, data, min(room, len)) ||
	    (room > len && clear_user(ubuf + len, room - len)))
		rc = -EFAULT;
	kfree(data);
	cmd->data_len = len;
	return rc ?: ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
}

static void test_plane_copy_src(struct ioasim_ctx *ctx,
				struct iommu_ioas_copy *cmd);

/* The plain commands: a command function on the structure read. */
static int run_destroy(struct ioasim_ucmd *ucmd, void *kcmd)
{
	return ioasim_obj_destroy(ucmd->ctx,
				  ((struct iommu_destroy *)kcmd)->id, NULL);
}

/* The commands that need nothing of the ioctl but its context. */
#define UCMD_ON_CTX(_fn)						\
static int run_##_fn(struct ioasim_ucmd *ucmd, void *kcmd)		\
{									\
	return _fn(ucmd->ctx, kcmd);					\
}

UCMD_ON_CTX(ioasim_ioas_alloc)
UCMD_ON_CTX(ioasim_ioas_map)
UCMD_ON_CTX(ioasim_ioas_unmap)
UCMD_ON_CTX(ioasim_option)
UCMD_ON_CTX(ioasim_vfio_ioas)
UCMD_ON_CTX(ioasim_hwpt_alloc)
UCMD_ON_CTX(ioasim_hwpt_set_dirty_tracking)
UCMD_ON_CTX(ioasim_hwpt_get_dirty_bitmap)
UCMD_ON_CTX(ioasim_hwpt_invalidate)

static int run_ioas_allow_iovas(struct ioasim_ucmd *ucmd, void *kcmd)
{
	return ioasim_ioas_allow_iovas(ucmd->ctx, kcmd, NULL);
}

/* A plane that names source IOVAs its own way translates them first. */
static int run_ioas_copy(struct ioasim_ucmd *ucmd, void *kcmd)
{
	test_plane_copy_src(ucmd->ctx, kcmd);
	return ioasim_ioas_copy(ucmd->ctx, kcmd);
}

/*
 * What goes back to the caller once a command has run: nothing, or what
 * the command wrote itself (UCMD_ITSELF); the structure when the command
 * succeeded (UCMD_ON_SUCCESS), or whatever happened (UCMD_ALWAYS); or, for
 * a command that made an object (UCMD_NEW_ID), the structure on success,
 * and if that write fails the object named at @id_at is destroyed again.
 */
enum ucmd_answer {
	UCMD_ITSELF,
	UCMD_ON_SUCCESS,
	UCMD_ALWAYS,
	UCMD_NEW_ID,
};

/*
 * Room for every structure of the table: a row whose structure does not fit
 * does not build.
 */
union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
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
 * struct ucmd_row - one command of /dev/iommu
 * @ioctl: its number
 * @size: its structure as ioasim knows it
 * @min_size: its structure as first released
 * @answer: what is written back (enum ucmd_answer)
 * @id_at: with UCMD_NEW_ID, the offset of the new object's id
 * @run: the command, on the structure read
 */
struct ucmd_row {
	unsigned int ioctl;
	u16 size, min_size;
	u8 answer, id_at;
	int (*run)(struct ioasim_ucmd *ucmd, void *kcmd);
};

#define UCMD_ROW(_ioctl, _type, _last, _answer, _id_at, _run)		\
	{								\
		.ioctl = _ioctl,					\
		.size = sizeof(_type) + BUILD_BUG_ON_ZERO(sizeof(_type) >	\
					sizeof(union ucmd_buffer)),	\
		.min_size = offsetofend(_type, _last),			\
		.answer = _answer, .id_at = _id_at, .run = _run,	\
	}
#define UCMD(_ioctl, _type, _last, _answer, _run)			\
	UCMD_ROW(_ioctl, _type, _last, _answer, 0, _run)
#define UCMD_CREATE(_ioctl, _type, _last, _id, _run)			\
	UCMD_ROW(_ioctl, _type, _last, UCMD_NEW_ID, offsetof(_type, _id), _run)

static const struct ucmd_row ucmd_table[] = {
	UCMD(IOMMU_DESTROY, struct iommu_destroy, id, UCMD_ITSELF,
	     run_destroy),
	UCMD_CREATE(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id,
		    out_ioas_id, run_ioasim_ioas_alloc),
	UCMD(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
	     allowed_iovas, UCMD_ITSELF, run_ioas_allow_iovas),
	UCMD(IOMMU_IOAS_COPY, struct iommu_ioas_copy, src_iova,
	     UCMD_ON_SUCCESS, run_ioas_copy),
	UCMD(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
	     out_iova_alignment, UCMD_ITSELF, run_ioas_iova_ranges),
	UCMD(IOMMU_IOAS_MAP, struct iommu_ioas_map, iova, UCMD_ON_SUCCESS,
	     run_ioasim_ioas_map),
	UCMD(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, length,
	     UCMD_ON_SUCCESS, run_ioasim_ioas_unmap),
	UCMD(IOMMU_OPTION, struct iommu_option, val64, UCMD_ON_SUCCESS,
	     run_ioasim_option),
	UCMD(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, __reserved,
	     UCMD_ON_SUCCESS, run_ioasim_vfio_ioas),
	UCMD_CREATE(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved,
		    out_hwpt_id, run_ioasim_hwpt_alloc),
	UCMD(IOMMU_GET_HW_INFO, struct iommu_hw_info, __reserved,
	     UCMD_ITSELF, run_get_hw_info),
	UCMD(IOMMU_HWPT_SET_DIRTY_TRACKING,
	     struct iommu_hwpt_set_dirty_tracking, __reserved, UCMD_ITSELF,
	     run_ioasim_hwpt_set_dirty_tracking),
	UCMD(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iommu_hwpt_get_dirty_bitmap,
	     data, UCMD_ITSELF, run_ioasim_hwpt_get_dirty_bitmap),
	/* entry_num tells how many entries the driver handled, also on error. */
	UCMD(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate, __reserved,
	     UCMD_ALWAYS, run_ioasim_hwpt_invalidate),
	UCMD(IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc, out_fault_fd,
	     UCMD_ITSELF, run_fault_queue_alloc),
};

/* The row of @ioctl, or NULL if it is not one of these commands. */
static const struct ucmd_row *ucmd_row_of(unsigned int ioctl)
{
	const struct ucmd_row *row;

	for (row = ucmd_table; row < ucmd_table + ARRAY_SIZE(ucmd_table); row++)
		if (row->ioctl == ioctl)
			return row;
	return NULL;
}

/* Read, run and answer one command of the table. */
static int ucmd_dispatch(struct ioasim_ucmd *ucmd, const struct ucmd_row *row)
{
	union ucmd_buffer buf;
	int rc;

	rc = ioasim_ucmd_read(ucmd, &buf, row->size, row->min_size);
	if (rc)
		return rc;
	rc = row->run(ucmd, &buf);
	switch (row->answer) {
	case UCMD_ALWAYS:
		return ioasim_ucmd_write(ucmd, &buf, row->size) ?: rc;
	case UCMD_ON_SUCCESS:
		return rc ?: ioasim_ucmd_write(ucmd, &buf, row->size);
	case UCMD_NEW_ID:
		if (rc)
			return rc;
		rc = ioasim_ucmd_write(ucmd, &buf, row->size);
		/* Nothing the caller cannot name is left behind. */
		if (rc)
			ioasim_obj_destroy(ucmd->ctx,
					   *(u32 *)((u8 *)&buf + row->id_at),
					   NULL);
		return rc;
	default:
		return rc;
	}
}

/*
 * The registered plane, if any: IOMMU_TEST_CMD is -ENOTTY until a test
 * module (the KUnit build, or ioasim_mock.ko) registers one. Readers hold
 * the rwsem while they call into it, so unregistering waits for them.
 */
static const struct ioasim_test_plane *test_plane;
static DECLARE_RWSEM(test_plane_rwsem);

/* @test_plane, read or replaced only under its rwsem. */
static const struct ioasim_test_plane *test_plane_get(void)
{
	lockdep_assert_held(&test_plane_rwsem);
	return test_plane;
}

static void test_plane_set(const struct ioasim_test_plane *plane)
{
	lockdep_assert_held_write(&test_plane_rwsem);
	test_plane = plane;
}

/**
 * ioasim_test_plane_register() - make IOMMU_TEST_CMD available
 * @plane: the plane; stays registered until ioasim_test_plane_unregister()
 *
 * Context: process context, may sleep.
 */
void ioasim_test_plane_register(const struct ioasim_test_plane *plane)
{
	down_write(&test_plane_rwsem);
	test_plane_set(plane);
	up_write(&test_plane_rwsem);
}
EXPORT_SYMBOL_NS_GPL(ioasim_test_plane_register, IOASIM_TEST);

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
	test_plane_set(NULL);
	up_write(&test_plane_rwsem);
}
EXPORT_SYMBOL_NS_GPL(ioasim_test_plane_unregister, IOASIM_TEST);

static int test_plane_ioctl(struct ioasim_ucmd *ucmd, unsigned int ioctl)
{
	const struct ioasim_test_plane *plane;
	int rc = -ENOTTY;

	down_read(&test_plane_rwsem);
	plane = test_plane_get();
	if (plane && plane->ioctl == ioctl)
		rc = plane->cmd(ucmd);
	up_read(&test_plane_rwsem);
	return rc;
}

static void test_plane_copy_src(struct ioasim_ctx *ctx,
				struct iommu_ioas_copy *cmd)
{
	const struct ioasim_test_plane *plane;

	down_read(&test_plane_rwsem);
	plane = test_plane_get();
	if (plane)
		plane->copy_src(ctx, cmd);
	up_read(&test_plane_rwsem);
}

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
	const struct ucmd_row *row = ucmd_row_of(ioctl);
	long rc;

	if (row)
		return ucmd_dispatch(&ucmd, row);
	rc = test_plane_ioctl(&ucmd, ioctl);
	if (rc != -ENOTTY)
		return rc;
	return ioasim_vfio_compat_ioctl(ctx, ioctl, (unsigned long)arg);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ctx_ioctl);
