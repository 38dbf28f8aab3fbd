// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_iopf: fault queues (core/iopf.c).
 *
 * A queue made as IOMMU_FAULT_QUEUE_ALLOC makes it, its file in the case
 * thread's file table until the case closes it; messages put in with
 * ioasim_iopf_report() or by a device attached to a nested HWPT that
 * names the queue; the file's read, write and poll called as the VFS
 * calls them, with buffers in the case's user memory. The cases check
 * delivery order, answers by cookie, the queue's holders (its file and
 * its HWPTs) and that every message goes with the queue.
 */
#include <kunit/test.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "device.h"
#include "helpers.h"
#include "iommufd_test.h"
#include "iopf.h"
#include "mock.h"
#include "vfio.h"

#define MSG sizeof(struct iommu_hwpt_pgfault)
#define RESP sizeof(struct iommu_hwpt_page_response)

struct iopf_fixture {
	struct ioasim_ctx *ctx;
	unsigned long ubuf;	/* a page of user memory for messages */
};

struct iopf_queue_ref {
	struct file *file;
	struct ioasim_iopf_queue *q;
	u32 id;
	int fd;
};

/* A kernel thread's fput() is deferred: flush it, so release has run. */
static void iopf_file_put(struct file *file)
{
	fput(file);
	flush_delayed_fput();
}

static void iopf_fd_close(void *data)
{
	struct iopf_queue_ref *ref = data;

	iopf_file_put(file_close_fd(ref->fd));
}

/*
 * IOMMU_FAULT_QUEUE_ALLOC as the ioctl layer runs it: the queue is
 * published and its file installed in the case thread's file table; the
 * case closes it when it ends (or earlier, with iopf_close()).
 */
static struct iopf_queue_ref *iopf_queue(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	struct iopf_queue_ref *ref = kunit_kzalloc(test, sizeof(*ref),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_EQ(test, ioasim_iopf_queue_alloc(fx->ctx, &cmd,
						      &ref->file), 0);
	ref->q = ref->file->private_data;
	ref->id = cmd.out_fault_id;
	ref->fd = cmd.out_fault_fd;
	ioasim_iopf_queue_install(fx->ctx, &cmd, ref->file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, iopf_fd_close,
							ref), 0);
	return ref;
}

static void iopf_close(struct kunit *test, struct iopf_queue_ref *ref)
{
	kunit_release_action(test, iopf_fd_close, ref);
}

static void iopf_report(struct kunit *test, struct iopf_queue_ref *ref,
			u64 addr)
{
	struct iommu_hwpt_pgfault fault = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE, .dev_id = 7,
		.grpid = lower_32_bits(addr), .perm = IOMMU_PGFAULT_PERM_READ,
		.addr = addr,
	};

	KUNIT_ASSERT_EQ(test, ioasim_iopf_report(ref->q, &fault), 0);
}

static ssize_t iopf_read(struct kunit *test, struct iopf_queue_ref *ref,
			 unsigned long ubuf, size_t count)
{
	loff_t pos = 0;

	return ref->file->f_op->read(ref->file, (char __user *)ubuf, count,
				     &pos);
}

/* Read @n messages into the fixture's buffer and copy them out. */
static void iopf_read_msgs(struct kunit *test, struct iopf_queue_ref *ref,
			   struct iommu_hwpt_pgfault *msgs, unsigned int n)
{
	struct iopf_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, iopf_read(test, ref, fx->ubuf, n * MSG),
			(ssize_t)(n * MSG));
	KUNIT_ASSERT_EQ(test, copy_from_user(msgs, (void __user *)fx->ubuf,
					     n * MSG), 0);
}

static ssize_t iopf_answer(struct kunit *test, struct iopf_queue_ref *ref,
			   const u32 *cookies, const u32 *codes,
			   unsigned int n, size_t count)
{
	struct iopf_fixture *fx = test->priv;
	struct iommu_hwpt_page_response resp[4] = {};
	unsigned int i;
	loff_t pos = 0;

	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(resp));
	for (i = 0; i < n; i++) {
		resp[i].cookie = cookies[i];
		resp[i].code = codes[i];
	}
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)fx->ubuf, resp,
					   sizeof(resp)), 0);
	return ref->file->f_op->write(ref->file,
				      (const char __user *)fx->ubuf, count,
				      &pos);
}

/* The poll mask as a plain number, for KUnit's comparisons. */
#define POLL(mask) ((__force unsigned int)(mask))

static unsigned int iopf_poll(struct iopf_queue_ref *ref)
{
	return POLL(ref->file->f_op->poll(ref->file, NULL));
}

/* Messages come out whole, in the order the faults came, each once. */
static void iopf_delivery_order(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct iopf_queue_ref *ref = iopf_queue(test);
	struct iommu_hwpt_pgfault msgs[3];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, iopf_poll(ref), POLL(EPOLLOUT));
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, MSG), 0);
	for (i = 0; i < 3; i++)
		iopf_report(test, ref, 0x1000 * (i + 1));
	KUNIT_EXPECT_EQ(test, iopf_poll(ref),
			POLL(EPOLLOUT | EPOLLIN | EPOLLRDNORM));

	/* Two of three, then the third: oldest first, whole messages. */
	iopf_read_msgs(test, ref, msgs, 2);
	iopf_read_msgs(test, ref, msgs + 2, 1);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, msgs[i].addr, 0x1000 * (i + 1));
		KUNIT_EXPECT_EQ(test, msgs[i].dev_id, 7);
		KUNIT_EXPECT_NE(test, msgs[i].cookie, 0);
	}
	KUNIT_EXPECT_NE(test, msgs[0].cookie, msgs[1].cookie);
	KUNIT_EXPECT_NE(test, msgs[1].cookie, msgs[2].cookie);
	/* Nothing left to deliver: a read returns nothing. */
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, 2 * MSG), 0);
	KUNIT_EXPECT_EQ(test, iopf_poll(ref), POLL(EPOLLOUT));
}

/* A read asks for whole messages from the start; a fault leaves it queued. */
static void iopf_read_rules(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct iopf_queue_ref *ref = iopf_queue(test);
	unsigned long ro = ioasim_test_user_mem(test, PAGE_SIZE, PROT_READ);
	struct iommu_hwpt_pgfault msg;
	loff_t pos = MSG;

	iopf_report(test, ref, 0x5000);
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, MSG - 1),
			-ESPIPE);
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, MSG + 1),
			-ESPIPE);
	KUNIT_EXPECT_EQ(test, ref->file->f_op->read(ref->file,
						    (char __user *)fx->ubuf,
						    MSG, &pos), -ESPIPE);
	/* Unwritable memory: EFAULT, and the message is still there. */
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, ro, MSG), -EFAULT);
	iopf_read_msgs(test, ref, &msg, 1);
	KUNIT_EXPECT_EQ(test, msg.addr, 0x5000);
	/* Room for two, one queued: the one. */
	iopf_report(test, ref, 0x6000);
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, 2 * MSG),
			(ssize_t)MSG);
}

/* Each message read is answered once, by its cookie. */
static void iopf_answers_by_cookie(struct kunit *test)
{
	static const u32 ok[] = { IOMMUFD_PAGE_RESP_SUCCESS,
				  IOMMUFD_PAGE_RESP_INVALID };
	static const u32 bad_code[] = { IOMMUFD_PAGE_RESP_INVALID + 1 };
	struct iopf_queue_ref *ref = iopf_queue(test);
	struct iommu_hwpt_pgfault msgs[3];
	u32 cookies[2];

	iopf_report(test, ref, 0x1000);
	iopf_report(test, ref, 0x2000);
	iopf_report(test, ref, 0x3000);
	iopf_read_msgs(test, ref, msgs, 3);

	/* Not whole responses, a code 6.12 does not know, an unknown cookie. */
	cookies[0] = msgs[0].cookie;
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, ok, 1, RESP - 1),
			-ESPIPE);
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, bad_code, 1,
					  RESP), -EINVAL);
	cookies[0] = msgs[2].cookie + 100;
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, ok, 1, RESP),
			-EINVAL);

	/* The last two, out of order and with both codes: both taken. */
	cookies[0] = msgs[2].cookie;
	cookies[1] = msgs[1].cookie;
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, ok, 2,
					  2 * RESP), (ssize_t)(2 * RESP));
	/* Answered already: EINVAL; the first of a batch counts on its own. */
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, ok, 1, RESP),
			-EINVAL);
	cookies[0] = msgs[0].cookie;
	cookies[1] = msgs[1].cookie;
	KUNIT_EXPECT_EQ(test, iopf_answer(test, ref, cookies, ok, 2,
					  2 * RESP), (ssize_t)RESP);
	KUNIT_EXPECT_TRUE(test, xa_empty(&ref->q->pending));
}

/* Messages unread and unanswered go with the queue, which goes last. */
static void iopf_queue_goes_with_its_file(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct ioasim_test_totals before, after;
	struct iopf_queue_ref *ref;
	struct iommu_hwpt_pgfault msg;

	ioasim_test_totals(&before);
	ref = iopf_queue(test);
	/* The file holds the queue: DESTROY is refused. */
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, ref->id, NULL),
			-EBUSY);
	iopf_report(test, ref, 0x1000);
	iopf_report(test, ref, 0x2000);
	iopf_read_msgs(test, ref, &msg, 1);
	iopf_close(test, ref);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, ref->id, NULL),
			0);
	ioasim_test_totals(&after);
	KUNIT_EXPECT_EQ(test, after.objects, before.objects);
}

/* An unpublished queue (its command failed at the end) goes with its file. */
static void iopf_unpublished_goes_with_its_file(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	struct ioasim_test_totals before, after;
	struct file *file;

	ioasim_test_totals(&before);
	KUNIT_EXPECT_EQ(test, ioasim_iopf_queue_alloc(fx->ctx, &cmd, &file),
			0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, cmd.out_fault_id,
						 NULL), -ENOENT);
	put_unused_fd(cmd.out_fault_fd);
	iopf_file_put(file);
	ioasim_test_totals(&after);
	KUNIT_EXPECT_EQ(test, after.objects, before.objects);
	KUNIT_EXPECT_EQ(test, after.contexts, before.contexts);
	cmd.flags = 1;
	KUNIT_EXPECT_EQ(test, ioasim_iopf_queue_alloc(fx->ctx, &cmd, &file),
			-EOPNOTSUPP);
}

/**
 * struct iopf_nested - a device attached to a nested HWPT given a queue
 * @vfio: the device's file
 * @parent: the nesting parent, on an empty IOAS
 * @nested: the nested HWPT, holding the queue
 */
struct iopf_nested {
	struct ioasim_mock_vfio *vfio;
	u32 parent, nested;
};

/* A nested HWPT on @parent, with @flags, whose faults go to @ref. */
static u32 iopf_nested_for(struct kunit *test, struct iopf_queue_ref *ref,
			   u32 dev_id, u32 parent, u32 flags)
{
	struct iopf_fixture *fx = test->priv;
	unsigned long udata = ioasim_test_user_mem(test, PAGE_SIZE,
						   PROT_READ | PROT_WRITE);
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID | flags,
		.dev_id = dev_id, .pt_id = parent, .fault_id = ref->id,
		.data_type = IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
		.data_uptr = udata,
	};

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)udata, &data,
					   sizeof(data)), 0);
	KUNIT_ASSERT_EQ(test, ioasim_hwpt_alloc(fx->ctx, &cmd), 0);
	return cmd.out_hwpt_id;
}

static void iopf_nested_attached(struct kunit *test,
				 struct iopf_queue_ref *ref,
				 struct iopf_nested *n)
{
	struct iopf_fixture *fx = test->priv;
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};

	n->vfio = ioasim_test_vfio(test, ioasim_test_mock_dev(test, 0));
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(n->vfio, fx->ctx,
						    &cmd.dev_id), 0);
	cmd.pt_id = ioasim_test_ioas(test, fx->ctx);
	KUNIT_ASSERT_EQ(test, ioasim_hwpt_alloc(fx->ctx, &cmd), 0);
	n->parent = cmd.out_hwpt_id;
	n->nested = iopf_nested_for(test, ref, cmd.dev_id, n->parent, 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(n->vfio, &n->nested), 0);
}

/* Which of the queue's two holders goes first. */
static const bool iopf_hwpt_first[] = { false, true };

static void iopf_order_desc(const bool *hwpt_first, char *desc)
{
	strscpy(desc, *hwpt_first ? "the HWPT goes first" :
		"the file goes first", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(iopf_order, iopf_hwpt_first, iopf_order_desc);

/*
 * A nested HWPT given the queue: its device's faults reach the queue, the
 * HWPT and the file both hold the queue, and either outlives the other.
 */
static void iopf_queue_of_a_nested_hwpt(struct kunit *test)
{
	const bool *hwpt_first = test->param_value;
	struct iopf_fixture *fx = test->priv;
	struct iommu_hwpt_pgfault fault = { .addr = 0x9000 };
	struct iopf_queue_ref *ref = iopf_queue(test);
	struct iommu_hwpt_pgfault msg;
	struct iopf_nested n;

	iopf_nested_attached(test, ref, &n);
	/* A fault of the attached device reaches the queue, once. */
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(n.vfio->idev, &fault), 0);
	iopf_read_msgs(test, ref, &msg, 1);
	KUNIT_EXPECT_EQ(test, msg.addr, 0x9000);
	KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, MSG), 0);
	/* One more, left unread; after the detach, faults go nowhere. */
	fault.addr = 0xa000;
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(n.vfio->idev, &fault), 0);
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_detach(n.vfio), 0);
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(n.vfio->idev, &fault), 0);

	if (*hwpt_first) {
		/* The file still reads what the HWPT's device raised. */
		KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, n.nested,
							 NULL), 0);
		iopf_read_msgs(test, ref, &msg, 1);
		KUNIT_EXPECT_EQ(test, msg.addr, 0xa000);
		KUNIT_EXPECT_EQ(test, iopf_read(test, ref, fx->ubuf, MSG), 0);
		KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, ref->id,
							 NULL), -EBUSY);
		iopf_close(test, ref);
	} else {
		/* The HWPT keeps the queue, and its message nobody read. */
		iopf_close(test, ref);
		KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, ref->id,
							 NULL), -EBUSY);
		KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, n.nested,
							 NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, ref->id, NULL), 0);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, n.parent, NULL), 0);
}

/*
 * A fault that names an attached PASID goes to that PASID's HWPT's queue;
 * one that names another PASID, or none, to the group's.
 */
static void iopf_by_pasid(struct kunit *test)
{
	struct iopf_fixture *fx = test->priv;
	struct ioasim_mock_vfio *vfio =
		ioasim_test_vfio(test, ioasim_test_mock_dev(test,
							    IOASIM_MOCK_DEV_PASID));
	struct iopf_queue_ref *group_q = iopf_queue(test);
	struct iopf_queue_ref *pasid_q = iopf_queue(test);
	struct iommu_hwpt_alloc parent = {
		.size = sizeof(parent),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
	};
	struct iommu_hwpt_pgfault fault = {
		.flags = IOMMU_PGFAULT_FLAGS_PASID_VALID, .pasid = 3,
		.addr = 0x3000,
	};
	struct iommu_hwpt_pgfault msg[2];
	u32 on_group, on_pasid;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(vfio, fx->ctx,
						    &parent.dev_id), 0);
	parent.pt_id = ioasim_test_ioas(test, fx->ctx);
	KUNIT_ASSERT_EQ(test, ioasim_hwpt_alloc(fx->ctx, &parent), 0);
	on_group = iopf_nested_for(test, group_q, parent.dev_id,
				   parent.out_hwpt_id, IOMMU_HWPT_ALLOC_PASID);
	on_pasid = iopf_nested_for(test, pasid_q, parent.dev_id,
				   parent.out_hwpt_id, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(vfio, &on_group), 0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_pasid_attach(vfio, 3, &on_pasid),
			0);

	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(vfio->idev, &fault), 0);
	fault.pasid = 4;
	fault.addr = 0x4000;
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(vfio->idev, &fault), 0);
	fault.flags = 0;
	fault.pasid = 3;
	fault.addr = 0x5000;
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(vfio->idev, &fault), 0);

	iopf_read_msgs(test, pasid_q, msg, 1);
	KUNIT_EXPECT_EQ(test, msg[0].addr, 0x3000);
	KUNIT_EXPECT_EQ(test, iopf_read(test, pasid_q, fx->ubuf, MSG), 0);
	iopf_read_msgs(test, group_q, msg, 2);
	KUNIT_EXPECT_EQ(test, msg[0].addr, 0x4000);
	KUNIT_EXPECT_EQ(test, msg[1].addr, 0x5000);
	/* Detached, the PASID's faults go to the group's queue. */
	KUNIT_EXPECT_EQ(test, ioasim_mock_vfio_pasid_detach(vfio, 3), 0);
	fault.flags = IOMMU_PGFAULT_FLAGS_PASID_VALID;
	KUNIT_EXPECT_EQ(test, ioasim_device_iopf(vfio->idev, &fault), 0);
	iopf_read_msgs(test, group_q, msg, 1);
	KUNIT_EXPECT_EQ(test, iopf_read(test, pasid_q, fx->ubuf, MSG), 0);
	ioasim_mock_vfio_release(vfio);
}

static int iopf_init(struct kunit *test)
{
	struct iopf_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->ubuf = ioasim_test_user_mem(test, PAGE_SIZE,
					PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	return 0;
}

static struct kunit_case ioasim_iopf_cases[] = {
	KUNIT_CASE(iopf_delivery_order),
	KUNIT_CASE(iopf_read_rules),
	KUNIT_CASE(iopf_answers_by_cookie),
	KUNIT_CASE(iopf_queue_goes_with_its_file),
	KUNIT_CASE(iopf_unpublished_goes_with_its_file),
	KUNIT_CASE_PARAM(iopf_queue_of_a_nested_hwpt, iopf_order_gen_params),
	KUNIT_CASE(iopf_by_pasid),
	{}
};

static struct kunit_suite ioasim_iopf_suite = {
	.name = "ioasim_iopf",
	.init = iopf_init,
	.test_cases = ioasim_iopf_cases,
};

kunit_test_suite(ioasim_iopf_suite);
