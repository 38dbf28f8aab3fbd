// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim KUnit helpers: the fail-nth sweep driver and fixtures.
 */
#include <kunit/test-bug.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "device.h"
#include "inject.h"
#include "helpers.h"
#include "ioasim_private.h"
#include "ledger.h"
#include "mock.h"
#include "vfio.h"

KUNIT_DEFINE_ACTION_WRAPPER(vfio_release_action, ioasim_mock_vfio_release,
			    struct ioasim_mock_vfio *);
KUNIT_DEFINE_ACTION_WRAPPER(mock_dev_destroy_action, ioasim_mock_dev_destroy,
			    struct ioasim_mock_dev *);
KUNIT_DEFINE_ACTION_WRAPPER(domain_free_action, iommu_domain_free,
			    struct iommu_domain *);

/* A step that passes more fault points than this is looping. */
#define IOASIM_SWEEP_MAX_POINTS 4096

/*
 * Points whose failure the code absorbs by design (a fallback, not an
 * error): a sweep cannot expect an error from them, and their own tests
 * fail them directly.
 */
static const char *const ioasim_absorbed_points[] = {
	"pages.batch", NULL
};

/**
 * ioasim_inject_sweep() - fail each fault point of a step in turn
 * @test: the running case
 * @sweep: the step and its check
 * @must_see: NULL-terminated names of fault points the step must pass
 *	through, or NULL; proves the sweep reached the paths it is meant for
 *
 * Run n fails the n-th fault point the step passes, not counting points
 * whose failure has a fallback by design. A failed run must
 * return an error (a fault point that is silently absorbed hides an
 * unchecked failure) and leave the state as before, which @check asserts.
 * The sweep ends with a run in which no point was failed; that run must
 * succeed and is left in place for the caller to inspect.
 *
 * Context: the case's thread.
 * Return: the number of fault points swept.
 */
unsigned int ioasim_inject_sweep(struct kunit *test,
				 const struct ioasim_sweep *sweep,
				 const char *const *must_see)
{
	const char *seen[32] = {};
	struct ioasim_inject_plan plan = { .spare = ioasim_absorbed_points };
	unsigned int n, nseen = 0, i;
	int rc;

	for (n = 1; n <= IOASIM_SWEEP_MAX_POINTS; n++) {
		plan.fail_nth = n;
		KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
		rc = sweep->step(test, sweep->arg);
		ioasim_inject_plan_remove(test);

		if (!plan.failed) {
			KUNIT_ASSERT_EQ_MSG(test, rc, 0,
					    "step failed with no fault injected: %pe",
					    ERR_PTR(rc));
			break;
		}
		KUNIT_ASSERT_LT_MSG(test, rc, 0,
				    "fault point %u (%s) was failed but the step succeeded",
				    n, plan.failed);
		sweep->check(test, sweep->arg, rc);

		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], plan.failed))
				break;
		if (i == nseen && nseen < ARRAY_SIZE(seen))
			seen[nseen++] = plan.failed;
	}
	KUNIT_ASSERT_LE_MSG(test, n, IOASIM_SWEEP_MAX_POINTS,
			    "step never finished without a fault");

	for (; must_see && *must_see; must_see++) {
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], *must_see))
				break;
		KUNIT_EXPECT_LT_MSG(test, i, nseen,
				    "fault point %s was never reached", *must_see);
	}
	kunit_info(test, "swept %u fault points\n", n - 1);
	return n - 1;
}

/*
 * Runs after every later-registered cleanup of the case: whatever the case
 * aborted or released in its own cleanups is gone by then, so anything
 * still in the table is a leak.
 */
static void ioasim_test_ctx_teardown(void *data)
{
	struct kunit *test = kunit_get_current_test();
	struct ioasim_ctx *ctx = data;
	unsigned int left;

	if (test)
		KUNIT_EXPECT_EQ_MSG(test, refcount_read(&ctx->refs), 1,
				    "context still referenced: a device bound or an access alive");
	left = ioasim_ctx_release_objects(ctx);
	if (test)
		KUNIT_EXPECT_EQ_MSG(test, left, 0, "objects left in the table");
	if (!left)
		ioasim_ctx_put(ctx);
}

/**
 * ioasim_test_ctx() - a context owned by the case
 * @test: the running case
 *
 * Register it before anything that puts objects into it: its teardown
 * must run after theirs, and then fails the case if any object is left.
 *
 * Return: the context; asserts on failure.
 */
struct ioasim_ctx *ioasim_test_ctx(struct kunit *test)
{
	struct ioasim_ctx *ctx = ioasim_ctx_create();

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ctx), "ctx: %pe", ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ioasim_test_ctx_teardown,
							ctx), 0);
	return ctx;
}

/**
 * ioasim_test_user_mem() - anonymous user memory in the case's own mm
 * @test: the running case; gets an mm if it had none
 * @bytes: size, a multiple of PAGE_SIZE
 * @prot: PROT_* bits
 *
 * Unmapped when the case ends.
 *
 * Return: the user address; asserts on failure.
 */
unsigned long ioasim_test_user_mem(struct kunit *test, unsigned long bytes,
				   unsigned long prot)
{
	unsigned long uptr;

	uptr = kunit_vm_mmap(test, NULL, 0, bytes, prot,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(uptr), "mmap: %pe",
			       ERR_PTR(uptr));
	KUNIT_ASSERT_NOT_NULL(test, current->mm);
	return uptr;
}

/**
 * ioasim_test_user_mem_tagged() - writable user memory that says where it is
 * @test: the running case
 * @bytes: size, a multiple of PAGE_SIZE
 * @stride: every @stride bytes (a multiple of 8) hold, as a u64, their own
 *	user address, so that whoever reads them (a device through a domain,
 *	an access, a pinned page) proves which memory it reached
 *
 * Return: the user address; asserts on failure.
 */
unsigned long ioasim_test_user_mem_tagged(struct kunit *test,
					  unsigned long bytes,
					  unsigned long stride)
{
	unsigned long uptr = ioasim_test_user_mem(test, bytes,
						  PROT_READ | PROT_WRITE);
	unsigned long k;

	for (k = 0; k < bytes; k += stride)
		KUNIT_ASSERT_EQ(test, put_user((u64)(uptr + k),
					       (u64 __user *)(uptr + k)), 0);
	return uptr;
}

/**
 * ioasim_test_mock_dev() - a device behind the mock IOMMU, owned by the case
 * @test: the running case
 * @flags: IOASIM_MOCK_DEV_* flags
 *
 * Return: the device; asserts on failure.
 */
struct ioasim_mock_dev *ioasim_test_mock_dev(struct kunit *test, u32 flags)
{
	return ioasim_test_mock_dev_in_group(test, flags, NULL);
}

/**
 * ioasim_test_mock_dev_in_group() - a mock device in a peer's iommu group
 * @test: the running case
 * @flags: IOASIM_MOCK_DEV_* flags
 * @peer: the device whose group to join; created before, so destroyed
 *	after, or NULL for a group of its own
 *
 * Return: the device; asserts on failure.
 */
struct ioasim_mock_dev *
ioasim_test_mock_dev_in_group(struct kunit *test, u32 flags,
			      struct ioasim_mock_dev *peer)
{
	struct ioasim_mock_dev *mdev =
		ioasim_mock_dev_create_in_group(flags, peer);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mdev), "mock device: %pe", mdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							mock_dev_destroy_action,
							mdev), 0);
	return mdev;
}

/**
 * ioasim_test_paging_domain() - a mock paging domain owned by the case
 * @test: the running case
 * @mdev: the device it is allocated for; must outlive the domain
 *
 * Return: the domain; asserts on failure.
 */
struct iommu_domain *ioasim_test_paging_domain(struct kunit *test,
					       struct ioasim_mock_dev *mdev)
{
	struct iommu_domain *domain;

	domain = iommu_paging_domain_alloc(&mdev->pdev->dev);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(domain), "domain: %pe", domain);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							domain_free_action,
							domain), 0);
	return domain;
}

/**
 * ioasim_test_domain_free() - free a domain from ioasim_test_paging_domain()
 *	now rather than when the case ends
 * @test: the running case
 * @domain: the domain
 */
void ioasim_test_domain_free(struct kunit *test, struct iommu_domain *domain)
{
	kunit_release_action(test, domain_free_action, domain);
}

/*
 * A domain in an IOAS's space until the case ends. A short-term
 * reference belongs to the thread that took it, and cleanup actions run
 * in another: the IOAS is looked up again on each side.
 */
struct ioasim_test_joined {
	struct ioasim_ctx *ctx;
	u32 ioas_id;
	struct iommu_domain *domain;
};

static void space_leave_action(void *data)
{
	struct ioasim_test_joined *j = data;
	struct ioasim_ioas *ioas = ioasim_ioas_get(j->ctx, j->ioas_id);

	if (WARN_ON(IS_ERR(ioas)))
		return;
	ioasim_space_remove_domain(&ioas->space, j->domain);
	ioasim_ioas_put(j->ctx, ioas);
}

/**
 * ioasim_test_space_leave_at_end() - take a domain out of an IOAS's space
 *	when the case ends (or at ioasim_test_space_leave())
 * @test: the running case
 * @ctx: the context
 * @ioas_id: an IOAS of @ctx, which must outlive the case's actions
 * @domain: a domain in the IOAS's space
 *
 * Return: a handle for ioasim_test_space_leave(); asserts on failure.
 */
struct ioasim_test_joined *
ioasim_test_space_leave_at_end(struct kunit *test, struct ioasim_ctx *ctx,
			       u32 ioas_id, struct iommu_domain *domain)
{
	struct ioasim_test_joined *j = kunit_kzalloc(test, sizeof(*j),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, j);
	j->ctx = ctx;
	j->ioas_id = ioas_id;
	j->domain = domain;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							space_leave_action,
							j), 0);
	return j;
}

/**
 * ioasim_test_space_join() - put a domain in an IOAS's space until the
 *	case ends (or ioasim_test_space_leave())
 * @test: the running case
 * @ctx: the context
 * @ioas_id: an IOAS of @ctx, which must outlive the case's actions
 * @domain: a paging domain, mapping nothing yet
 *
 * The domain maps every area of the IOAS, as an attached HWPT's would.
 *
 * Return: a handle for ioasim_test_space_leave(); asserts on failure.
 */
struct ioasim_test_joined *ioasim_test_space_join(struct kunit *test,
						  struct ioasim_ctx *ctx,
						  u32 ioas_id,
						  struct iommu_domain *domain)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(ctx, ioas_id);
	int rc;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	rc = ioasim_space_add_domain(&ioas->space, domain);
	ioasim_ioas_put(ctx, ioas);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "adding the domain: %pe", ERR_PTR(rc));
	return ioasim_test_space_leave_at_end(test, ctx, ioas_id, domain);
}

/**
 * ioasim_test_space_leave() - take a domain out of the space now
 * @test: the running case
 * @joined: from ioasim_test_space_join()
 */
void ioasim_test_space_leave(struct kunit *test,
			     struct ioasim_test_joined *joined)
{
	kunit_release_action(test, space_leave_action, joined);
}

struct device_attached {
	struct iommu_domain *domain;
	struct device *dev;
};

static void device_detach_action(void *data)
{
	struct device_attached *da = data;

	iommu_detach_device(da->domain, da->dev);
}

/**
 * ioasim_test_attach_device() - a mock device behind a domain until the
 *	case ends
 * @test: the running case
 * @domain: a domain from ioasim_test_paging_domain()
 * @mdev: the device; must outlive the case's actions
 *
 * Asserts that the iommu core attached it.
 */
void ioasim_test_attach_device(struct kunit *test, struct iommu_domain *domain,
			       struct ioasim_mock_dev *mdev)
{
	struct device_attached *da = kunit_kzalloc(test, sizeof(*da),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, da);
	da->domain = domain;
	da->dev = &mdev->pdev->dev;
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, da->dev), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							device_detach_action,
							da), 0);
}

/**
 * ioasim_test_vfio() - a mock VFIO device file, closed when the case ends
 * @test: the running case
 * @mdev: the device; must outlive the file
 *
 * Open it after the context it binds to: closing unbinds, which must come
 * before the context's teardown.
 *
 * Return: the file; asserts on failure.
 */
struct ioasim_mock_vfio *ioasim_test_vfio(struct kunit *test,
					  struct ioasim_mock_dev *mdev)
{
	struct ioasim_mock_vfio *vfio = kunit_kzalloc(test, sizeof(*vfio),
						      GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vfio);
	ioasim_mock_vfio_init(vfio, mdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							vfio_release_action,
							vfio), 0);
	return vfio;
}

/**
 * ioasim_test_ioas() - IOMMU_IOAS_ALLOC that must succeed
 * @test: the running case
 * @ctx: the context
 *
 * Return: the new IOAS's id.
 */
u32 ioasim_test_ioas(struct kunit *test, struct ioasim_ctx *ctx)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(ctx, &cmd), 0);
	return cmd.out_ioas_id;
}

/**
 * ioasim_test_map() - IOMMU_IOAS_MAP at a fixed IOVA
 * @ctx: the context
 * @ioas_id: the IOAS
 * @uptr: user address
 * @length: bytes
 * @iova: where
 * @writeable: map for writing too
 *
 * Return: what IOMMU_IOAS_MAP returned.
 */
int ioasim_test_map(struct ioasim_ctx *ctx, u32 ioas_id, unsigned long uptr,
		    u64 length, u64 iova, bool writeable)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 (writeable ? IOMMU_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = ioas_id, .user_va = uptr, .length = length,
		.iova = iova,
	};

	return ioasim_ioas_map(ctx, &cmd);
}

/**
 * ioasim_test_count() - how many published objects of a type a table holds
 * @ctx: the context
 * @type: the type
 *
 * Return: the count.
 */
unsigned int ioasim_test_count(struct ioasim_ctx *ctx,
			       const struct ioasim_obj_type *type)
{
	struct ioasim_obj *obj;
	unsigned long index;
	unsigned int n = 0;

	xa_lock(&ctx->objects);
	xa_for_each(&ctx->objects, index, obj)
		n += obj->type == type;
	xa_unlock(&ctx->objects);
	return n;
}

/**
 * ioasim_test_hwpt_domain() - the domain of a paging HWPT
 * @ctx: the context
 * @id: the HWPT's id
 *
 * The HWPT may be destroyed right after; the caller must know that it is
 * not, e.g. because a device it controls is attached to it.
 *
 * Return: the domain, or NULL if @id is not a paging HWPT.
 */
struct iommu_domain *ioasim_test_hwpt_domain(struct ioasim_ctx *ctx, u32 id)
{
	struct ioasim_obj *obj = ioasim_obj_get(ctx, id,
						&ioasim_hwpt_paging_type);
	struct iommu_domain *domain;

	if (IS_ERR(obj))
		return NULL;
	domain = container_of(obj, struct ioasim_hwpt, obj)->domain;
	ioasim_obj_put(ctx, obj);
	return domain;
}

/**
 * ioasim_test_totals() - read what all of ioasim holds now
 * @t: filled in
 *
 * Compare a reading after a run with one before it: a run that released
 * everything it took leaves all four as they were.
 */
void ioasim_test_totals(struct ioasim_test_totals *t)
{
	t->contexts = atomic_long_read(&ioasim_stats.contexts);
	t->objects = atomic_long_read(&ioasim_stats.objects);
	t->pinned = atomic_long_read(&ioasim_pinned_pages);
#if IS_ENABLED(CONFIG_IOASIM_LEDGER)
	t->ledger_errors = ioasim_ledger_errors();
#else
	t->ledger_errors = 0;
#endif
}

/* The suites also use what ioasim.ko exports to KUnit alone. */
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
