// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_uapi: the ioctl layer, driven with arguments in user
 * memory as a program would pass them: the size rules, unknown commands,
 * answers written back over no more than the caller's size, and objects
 * taken back when their id cannot be told.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "control.h"
#include "device.h"
#include "helpers.h"
#include "iommufd_test.h"
#include "ioas.h"
#include "cdev.h"
#include "uapi.h"
#include "vfio.h"

#define ARG_BYTES PAGE_SIZE

struct uapi_fixture {
	struct ioasim_ctx *ctx;
	unsigned long arg;	/* one page for the argument */
	unsigned long array;	/* one page for arrays it points to */
	unsigned long mem;	/* user memory to map */
};

/*
 * Put @size bytes of @kcmd in user memory (zero beyond), run @ioctl, and
 * read the argument back into @kcmd.
 */
static long ucall(struct kunit *test, unsigned int ioctl, void *kcmd,
		  size_t size)
{
	struct uapi_fixture *fx = test->priv;
	void __user *arg = (void __user *)fx->arg;
	long rc;

	KUNIT_ASSERT_EQ(test, clear_user(arg, ARG_BYTES), 0);
	KUNIT_ASSERT_EQ(test, copy_to_user(arg, kcmd, size), 0);
	rc = ioasim_ctx_ioctl(fx->ctx, ioctl, arg);
	KUNIT_ASSERT_EQ(test, copy_from_user(kcmd, arg, size), 0);
	return rc;
}

static unsigned int nioas(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;

	return ioasim_test_count(fx->ctx, &ioasim_ioas_type);
}

static void uapi_size_rules(struct kunit *test)
{
	u8 buf[64] = {};
	struct iommu_ioas_alloc *cmd = (void *)buf;

	/* Shorter than the structure's first release. */
	cmd->size = offsetofend(struct iommu_ioas_alloc, out_ioas_id) - 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_ALLOC, buf, sizeof(buf)),
			-EINVAL);
	/* Longer with a garbage tail: refused before anything happens. */
	cmd->size = sizeof(*cmd) + 8;
	buf[sizeof(*cmd) + 3] = 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_ALLOC, buf, sizeof(buf)),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, nioas(test), 0);
	/* Longer with a zero tail: fine; the tail stays zero. */
	memset(buf, 0, sizeof(buf));
	cmd->size = sizeof(buf);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_ALLOC, buf, sizeof(buf)),
			0);
	KUNIT_EXPECT_NE(test, cmd->out_ioas_id, 0);
	KUNIT_EXPECT_EQ(test, buf[sizeof(*cmd)], 0);
	KUNIT_EXPECT_EQ(test, nioas(test), 1);
}

/* A size of exactly the command's structure leaves what follows alone. */
static void uapi_answer_within_size(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	u32 after = 0;

	KUNIT_ASSERT_EQ(test, put_user(0x5a5a5a5a, (u32 __user *)(fx->arg +
								 sizeof(cmd))),
			0);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->arg, &cmd,
					   sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_ioctl(fx->ctx, IOMMU_IOAS_ALLOC,
					       (void __user *)fx->arg), 0);
	KUNIT_ASSERT_EQ(test, get_user(after, (u32 __user *)(fx->arg +
							    sizeof(cmd))), 0);
	KUNIT_EXPECT_EQ(test, after, 0x5a5a5a5a);
}

static void uapi_unknown_commands(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct iommu_destroy cmd = { .size = sizeof(cmd) };

	KUNIT_EXPECT_EQ(test, ucall(test, _IO(IOMMUFD_TYPE, 0x7f), &cmd,
				    sizeof(cmd)), -ENOTTY);
	KUNIT_EXPECT_EQ(test, ucall(test, _IO(IOMMUFD_TYPE, 0xff), &cmd,
				    sizeof(cmd)), -ENOTTY);
	/* The right number with another type or direction is not it. */
	KUNIT_EXPECT_EQ(test, ucall(test, _IO('x', IOMMUFD_CMD_DESTROY), &cmd,
				    sizeof(cmd)), -ENOTTY);
	KUNIT_EXPECT_EQ(test, ucall(test, _IOW(IOMMUFD_TYPE,
					       IOMMUFD_CMD_DESTROY, u32),
				    &cmd, sizeof(cmd)), -ENOTTY);
	/* An argument nowhere. */
	KUNIT_EXPECT_EQ(test, ioasim_ctx_ioctl(fx->ctx, IOMMU_DESTROY, NULL),
			-EFAULT);
}

static void control_plane_back(void *unused)
{
	ioasim_control_init();
}

/* IOMMU_TEST_CMD is a command only while a test plane is registered. */
static void uapi_test_plane_registration(struct kunit *test)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd), .op = 0xffff };

	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_TEST_CMD, &cmd, sizeof(cmd)),
			-EOPNOTSUPP);
	ioasim_control_exit();
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							control_plane_back,
							NULL), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_TEST_CMD, &cmd, sizeof(cmd)),
			-ENOTTY);
	kunit_release_action(test, control_plane_back, NULL);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_TEST_CMD, &cmd, sizeof(cmd)),
			-EOPNOTSUPP);
}

/* The IOAS commands through the ioctl layer, arrays in user memory. */
static void uapi_ioas_commands(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_iova_range r[2] = {
		{ .start = 0x100000, .last = 0x1fffff },
	};
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .num_iovas = 1,
		.allowed_iovas = fx->array,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = fx->mem, .length = PAGE_SIZE,
	};
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges), .allowed_iovas = fx->array,
	};
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };

	KUNIT_ASSERT_EQ(test, ucall(test, IOMMU_IOAS_ALLOC, &alloc,
				    sizeof(alloc)), 0);
	allow.ioas_id = alloc.out_ioas_id;
	map.ioas_id = alloc.out_ioas_id;
	ranges.ioas_id = alloc.out_ioas_id;
	unmap.ioas_id = alloc.out_ioas_id;
	opt.object_id = alloc.out_ioas_id;
	destroy.id = alloc.out_ioas_id;

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->array, r,
					   sizeof(r[0])), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_ALLOW_IOVAS, &allow,
				    sizeof(allow)), 0);
	/* Automatic placement honours the allowed range read from user. */
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_MAP, &map, sizeof(map)),
			0);
	KUNIT_EXPECT_EQ(test, map.iova, 0x100000);

	/* IOVA_RANGES: the count comes back with EMSGSIZE, then the list. */
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_IOVA_RANGES, &ranges,
				    sizeof(ranges)), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, ranges.num_iovas, 1);
	ranges.num_iovas = 2;
	KUNIT_ASSERT_EQ(test, clear_user((void __user *)fx->array,
					 sizeof(r)), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_IOVA_RANGES, &ranges,
				    sizeof(ranges)), 0);
	KUNIT_EXPECT_EQ(test, ranges.num_iovas, 1);
	KUNIT_ASSERT_EQ(test, copy_from_user(r, (void __user *)fx->array,
					     sizeof(r)), 0);
	KUNIT_EXPECT_EQ(test, r[0].start, 0);
	KUNIT_EXPECT_EQ(test, r[0].last, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, r[1].last, 0);

	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_OPTION, &opt, sizeof(opt)), 0);
	KUNIT_EXPECT_EQ(test, opt.val64, 1);
	unmap.iova = map.iova;
	unmap.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_UNMAP, &unmap,
				    sizeof(unmap)), 0);
	KUNIT_EXPECT_EQ(test, unmap.length, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), -ENOENT);
	/* The IOAS is gone: looked up before the array is read. */
	allow.allowed_iovas = 0;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_ALLOW_IOVAS, &allow,
				    sizeof(allow)), -ENOENT);
}

/* VFIO_IOAS chooses the compatibility IOAS; destroying it clears it. */
static void uapi_vfio_ioas(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_GET,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	u32 ioas = ioasim_test_ioas(test, fx->ctx);

	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			-ENODEV);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = 9999;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			-ENOENT);
	cmd.ioas_id = ioas;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			0);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.ioas_id = 0;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			0);
	KUNIT_EXPECT_EQ(test, cmd.ioas_id, ioas);
	cmd.op = 7;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			-EOPNOTSUPP);
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			-EOPNOTSUPP);
	cmd.__reserved = 0;

	/* The compatibility IOAS is not held: it can go, and is forgotten. */
	destroy.id = ioas;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			-ENODEV);
	KUNIT_EXPECT_NULL(test, fx->ctx->vfio_ioas);

	ioas = ioasim_test_ioas(test, fx->ctx);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = ioas;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			0);
	cmd.op = IOMMU_VFIO_IOAS_CLEAR;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			0);
	KUNIT_EXPECT_NULL(test, fx->ctx->vfio_ioas);
}

/*
 * GET_HW_INFO: the mock IOMMU's driver data is copied up to the caller's
 * buffer, the rest of the buffer zeroed, and the driver's length told.
 */
static void uapi_get_hw_info(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, mdev);
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd), .data_len = 16,
		.data_uptr = fx->array,
		.out_data_type = 0x77, .out_capabilities = 0x77,
	};
	struct iommu_test_hw_info *info;
	u64 data[2];
	u32 dev_id;

	KUNIT_ASSERT_EQ(test, put_user(0x5a5a5a5aULL,
				       (u64 __user *)(fx->array + 8)), 0);
	cmd.dev_id = 9999;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), -ENOENT);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &dev_id), 0);
	cmd.dev_id = dev_id;
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE << 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), -EOPNOTSUPP);
	/* The input type: the device's own (by name or by default) only. */
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.out_data_type = IOMMU_HW_INFO_TYPE_SELFTEST + 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), -EOPNOTSUPP);
	cmd.out_data_type = IOMMU_HW_INFO_TYPE_SELFTEST;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, cmd.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	cmd.out_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, cmd.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	/* Without the flag the field is output only. */
	cmd.flags = 0;
	cmd.out_data_type = 0x77;
	cmd.__reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), -EOPNOTSUPP);
	cmd.__reserved[1] = 0;

	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, cmd.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	KUNIT_EXPECT_EQ(test, cmd.data_len, sizeof(struct iommu_test_hw_info));
	KUNIT_EXPECT_EQ(test, cmd.out_capabilities,
			IOMMU_HW_CAP_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, cmd.out_max_pasid_log2, 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(data, (void __user *)fx->array,
					     sizeof(data)), 0);
	info = (struct iommu_test_hw_info *)data;
	KUNIT_EXPECT_EQ(test, info->flags, 0);
	KUNIT_EXPECT_EQ(test, info->test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	KUNIT_EXPECT_EQ(test, data[1], 0);

	/* A buffer shorter than the data gets what fits. */
	KUNIT_ASSERT_EQ(test, put_user(0x5a5a5a5a5a5a5a5aULL,
				       (u64 __user *)fx->array), 0);
	cmd.data_len = 4;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_GET_HW_INFO, &cmd,
				    sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, cmd.data_len, sizeof(struct iommu_test_hw_info));
	KUNIT_ASSERT_EQ(test, copy_from_user(data, (void __user *)fx->array,
					     sizeof(data)), 0);
	KUNIT_EXPECT_EQ(test, data[0], 0x5a5a5a5a00000000ULL);
}

/* COPY and HWPT_ALLOC answer through the argument too. */
static void uapi_copy_and_hwpt_alloc(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct ioasim_mock_dev *mdev = ioasim_test_mock_dev(test, 0);
	struct ioasim_mock_vfio *vfio = ioasim_test_vfio(test, mdev);
	u32 src = ioasim_test_ioas(test, fx->ctx);
	u32 dst = ioasim_test_ioas(test, fx->ctx), dev_id;
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy), .flags = IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = dst, .src_ioas_id = src, .length = PAGE_SIZE,
		.src_iova = 0x10000,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .pt_id = dst,
	};
	struct iommu_destroy destroy = { .size = sizeof(destroy) };

	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, src, fx->mem,
					      PAGE_SIZE, 0x10000, true), 0);
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_IOAS_COPY, &copy,
				    sizeof(copy)), 0);
	KUNIT_EXPECT_NE(test, copy.dst_iova, 0);

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx, &dev_id), 0);
	alloc.dev_id = dev_id;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_HWPT_ALLOC, &alloc,
				    sizeof(alloc)), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(fx->ctx,
						&ioasim_hwpt_paging_type), 1);
	destroy.id = alloc.out_hwpt_id;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), 0);
	/* A bound device cannot be destroyed from userspace. */
	destroy.id = dev_id;
	KUNIT_EXPECT_EQ(test, ucall(test, IOMMU_DESTROY, &destroy,
				    sizeof(destroy)), -EBUSY);
}

/* The id of a new object cannot be written back: no object stays. */
static void uapi_created_object_taken_back(struct kunit *test)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct uapi_fixture *fx = test->priv;
	unsigned long base, ro, arg;

	/*
	 * The argument straddles a writable page and a read-only one: it
	 * reads whole (out_ioas_id reads as zero), the answer faults.
	 */
	base = ioasim_test_user_mem(test, 2 * PAGE_SIZE,
				    PROT_READ | PROT_WRITE);
	ro = kunit_vm_mmap(test, NULL, base + PAGE_SIZE, PAGE_SIZE, PROT_READ,
			   MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_EQ(test, ro, base + PAGE_SIZE);
	arg = ro - offsetof(struct iommu_ioas_alloc, out_ioas_id);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)arg, &cmd,
					   offsetof(struct iommu_ioas_alloc,
						    out_ioas_id)), 0);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_ioctl(fx->ctx, IOMMU_IOAS_ALLOC,
					       (void __user *)arg), -EFAULT);
	KUNIT_EXPECT_EQ(test, nioas(test), 0);
}

/*
 * The character device is registered, and its file operations make one
 * context per open file, run ioctls on it, and release it on close. (The
 * file is a bare struct file: no VFS, just the operations.)
 */
static void uapi_char_device(struct kunit *test)
{
	struct uapi_fixture *fx = test->priv;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct file *file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	struct ioasim_ctx *ctx;

	KUNIT_ASSERT_NOT_NULL(test, file);
	KUNIT_EXPECT_NOT_NULL(test, ioasim_misc.this_device);
	KUNIT_EXPECT_STREQ(test, ioasim_misc.name, "iommu");
	KUNIT_EXPECT_NE(test, ioasim_misc.minor, MISC_DYNAMIC_MINOR);

	KUNIT_ASSERT_EQ(test, ioasim_fops.open(NULL, file), 0);
	ctx = file->private_data;
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->arg, &cmd,
					   sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, ioasim_fops.unlocked_ioctl(file,
							 IOMMU_IOAS_ALLOC,
							 fx->arg), 0);
	KUNIT_EXPECT_EQ(test, ioasim_test_count(ctx, &ioasim_ioas_type), 1);
	/* Close destroys what the file made (the context's last reference). */
	KUNIT_EXPECT_EQ(test, refcount_read(&ctx->refs), 1);
	KUNIT_EXPECT_EQ(test, ioasim_fops.release(NULL, file), 0);
}

static int uapi_init(struct kunit *test)
{
	struct uapi_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->arg = ioasim_test_user_mem(test, ARG_BYTES,
				       PROT_READ | PROT_WRITE);
	fx->array = ioasim_test_user_mem(test, PAGE_SIZE,
					 PROT_READ | PROT_WRITE);
	fx->mem = ioasim_test_user_mem(test, PAGE_SIZE,
				       PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	return 0;
}

static struct kunit_case ioasim_uapi_cases[] = {
	KUNIT_CASE(uapi_size_rules),
	KUNIT_CASE(uapi_answer_within_size),
	KUNIT_CASE(uapi_unknown_commands),
	KUNIT_CASE(uapi_test_plane_registration),
	KUNIT_CASE(uapi_ioas_commands),
	KUNIT_CASE(uapi_vfio_ioas),
	KUNIT_CASE(uapi_get_hw_info),
	KUNIT_CASE(uapi_copy_and_hwpt_alloc),
	KUNIT_CASE(uapi_created_object_taken_back),
	KUNIT_CASE(uapi_char_device),
	{}
};

static struct kunit_suite ioasim_uapi_suite = {
	.name = "ioasim_uapi",
	.init = uapi_init,
	.test_cases = ioasim_uapi_cases,
};

kunit_test_suite(ioasim_uapi_suite);
