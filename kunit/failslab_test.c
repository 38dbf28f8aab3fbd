// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_failslab: the scenario catalogue under the kernel's
 * own fail-nth.
 *
 * The other suites' sweeps fail only ioasim's named fault points, through
 * a plan that the kernel's injection sites cannot shift. Here the case's
 * thread arms current->fail_nth, as a write to
 * /proc/self/task/<tid>/fail-nth does, with failslab's ignore-gfp-wait
 * off: the n-th injection site the operation passes fails, whether it is
 * one of ioasim's points or any slab allocation on the way (the xarrays'
 * nodes, the mock driver's IOPTEs, GUP's VMA work, ...). Each scenario is
 * built afresh in a new context for every n, so a run whose failure was
 * absorbed (a fallback: success is a valid outcome) does not disturb the
 * next.
 *
 * After each failed run: the errno is one the operation may return; the
 * objects, pinned pages and domain mappings are those of before the
 * operation. After each run's teardown: no context, object or pinned page
 * is left and the reference ledger (when built in) found nothing
 * unbalanced.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "access.h"
#include "device.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"
#include "vfio.h"

#define PG PAGE_SIZE
#define NPAGES 32
#define BASE SZ_16M
#define MAX_RUNS 4096

struct fs_run {
	struct kunit *test;
	struct ioasim_ctx *ctx;
	struct ioasim_mock_vfio vfio[2];
	bool bound[2];
	struct ioasim_access *access;
	u32 ioas, ioas2;
	unsigned long uptr;
	struct page *pins[NPAGES];
	bool pinned;
	unsigned long pin_iova, pin_len;
};

struct fs_scenario {
	const char *name;
	/* Builds what the operation needs; nothing is armed yet. */
	int (*setup)(struct fs_run *r);
	/* The operation: 0 or a negative errno. */
	int (*op)(struct fs_run *r);
	/* The access's driver may unpin before the operation fails. */
	bool pins_may_drop;
	/* Closing: nothing to report, everything to release. */
	bool closes;
	/* Needs no memory it cannot do without: every site is absorbed. */
	bool infallible;
	/* An errno the operation may return besides ENOMEM, EFAULT and ENOENT. */
	int also;
};

struct fs_fixture {
	struct ioasim_mock_dev *mdev[2];
	unsigned long uptr;
	unsigned long scratch;
};

/* The access's driver: unpin its one pin if the IOAS is losing it. */
static void fs_access_unmap(void *data, unsigned long iova,
			    unsigned long length)
{
	struct fs_run *r = data;

	if (!r->pinned || r->pin_iova + r->pin_len - 1 < iova ||
	    r->pin_iova > iova + (length - 1))
		return;
	r->pinned = ioasim_access_unpin_pages(r->access, r->pin_iova,
					      r->pin_len) != 0;
}

static const struct ioasim_access_ops fs_access_ops = {
	.needs_pin_pages = true,
	.unmap = fs_access_unmap,
};

static int fs_map(struct fs_run *r, u32 ioas)
{
	return ioasim_test_map(r->ctx, ioas, r->uptr, NPAGES * PG, BASE, true);
}

static int fs_bind(struct fs_run *r, unsigned int d)
{
	u32 id;
	int rc = ioasim_mock_vfio_bind(&r->vfio[d], r->ctx, &id);

	r->bound[d] = !rc;
	return rc;
}

static int fs_attach(struct fs_run *r, unsigned int d, u32 ioas)
{
	u32 pt = ioas;

	return fs_bind(r, d) ?: ioasim_mock_vfio_attach(&r->vfio[d], &pt);
}

static int fs_two_ioas(struct fs_run *r)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int rc = ioasim_ioas_alloc(r->ctx, &alloc);

	if (rc)
		return rc;
	r->ioas = alloc.out_ioas_id;
	rc = ioasim_ioas_alloc(r->ctx, &alloc);
	r->ioas2 = alloc.out_ioas_id;
	return rc;
}

static int fs_access(struct fs_run *r)
{
	u32 id;

	r->access = ioasim_access_create(r->ctx, &fs_access_ops, r, &id);
	if (IS_ERR(r->access)) {
		int rc = PTR_ERR(r->access);

		r->access = NULL;
		return rc;
	}
	return ioasim_access_attach(r->access, r->ioas);
}

static int setup_none(struct fs_run *r)
{
	return 0;
}

static int setup_mapped(struct fs_run *r)
{
	return fs_two_ioas(r) ?: fs_map(r, r->ioas);
}

static int setup_attached(struct fs_run *r)
{
	return fs_two_ioas(r) ?: fs_attach(r, 0, r->ioas);
}

static int setup_both_attached(struct fs_run *r)
{
	return setup_mapped(r) ?: fs_attach(r, 0, r->ioas) ?:
	       fs_attach(r, 1, r->ioas2);
}

static int setup_replace(struct fs_run *r)
{
	return setup_mapped(r) ?: fs_map(r, r->ioas2) ?:
	       fs_attach(r, 0, r->ioas);
}

static int setup_mapped_bound(struct fs_run *r)
{
	return setup_mapped(r) ?: fs_bind(r, 0);
}

static int setup_access(struct fs_run *r)
{
	return setup_mapped(r) ?: fs_access(r);
}

static int fs_pin(struct fs_run *r, unsigned long iova, unsigned long len)
{
	int rc = ioasim_access_pin_pages(r->access, iova, len, r->pins, 0);

	if (!rc) {
		r->pinned = true;
		r->pin_iova = iova;
		r->pin_len = len;
	}
	return rc;
}

static int setup_pinning(struct fs_run *r)
{
	return setup_access(r) ?: fs_attach(r, 0, r->ioas) ?:
	       fs_pin(r, BASE + PG, 4 * PG);
}

static int setup_everything(struct fs_run *r)
{
	return setup_pinning(r) ?: fs_map(r, r->ioas2) ?:
	       fs_attach(r, 1, r->ioas2);
}

static int op_ioas_alloc(struct fs_run *r)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	return ioasim_ioas_alloc(r->ctx, &alloc);
}

static int op_map(struct fs_run *r)
{
	return fs_map(r, r->ioas);
}

static int op_copy(struct fs_run *r)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = r->ioas2, .src_ioas_id = r->ioas,
		.length = NPAGES * PG, .dst_iova = BASE, .src_iova = BASE,
	};

	return ioasim_ioas_copy(r->ctx, &cmd);
}

static int op_attach(struct fs_run *r)
{
	u32 pt = r->ioas;

	return ioasim_mock_vfio_attach(&r->vfio[0], &pt);
}

static int op_replace(struct fs_run *r)
{
	u32 pt = r->ioas2;

	return ioasim_mock_vfio_attach(&r->vfio[0], &pt);
}

/* PASID 1 of device 0, which is PASID-capable, to @ioas. */
static int fs_pasid_attach(struct fs_run *r, u32 ioas)
{
	u32 pt = ioas;

	return ioasim_mock_vfio_pasid_attach(&r->vfio[0], 1, &pt);
}

static int setup_pasid_replace(struct fs_run *r)
{
	return setup_mapped(r) ?: fs_map(r, r->ioas2) ?: fs_bind(r, 0) ?:
	       fs_pasid_attach(r, r->ioas);
}

static int op_pasid_attach(struct fs_run *r)
{
	return fs_pasid_attach(r, r->ioas);
}

static int op_pasid_replace(struct fs_run *r)
{
	return fs_pasid_attach(r, r->ioas2);
}

static int op_hwpt_alloc(struct fs_run *r)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = r->vfio[0].dev_id,
		.pt_id = r->ioas,
	};

	return ioasim_hwpt_alloc(r->ctx, &cmd);
}

static int op_pin(struct fs_run *r)
{
	return fs_pin(r, BASE, 8 * PG);
}

static int op_unmap_all(struct fs_run *r)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = r->ioas, .length = U64_MAX,
	};

	return ioasim_ioas_unmap(r->ctx, &cmd);
}

static int op_bind(struct fs_run *r)
{
	return fs_bind(r, 0);
}

static void fs_teardown(void *data);

/* Closing is the operation: it must leave nothing, whatever fails. */
static int op_close(struct fs_run *r)
{
	fs_teardown(r);
	return 0;
}

static const struct fs_scenario fs_scenarios[] = {
	{ "ioas_alloc", setup_none, op_ioas_alloc },
	{ "map_attached", setup_attached, op_map },
	{ "copy_between_attached", setup_both_attached, op_copy },
	{ "attach_mapped", setup_mapped_bound, op_attach },
	/* A pt_id it cannot find is EINVAL to HWPT_ALLOC. */
	{ "hwpt_alloc_mapped", setup_mapped_bound, op_hwpt_alloc,
	  .also = -EINVAL },
	{ "replace_to_mapped", setup_replace, op_replace },
	{ "pasid_attach_mapped", setup_mapped_bound, op_pasid_attach },
	{ "pasid_replace_to_mapped", setup_pasid_replace, op_pasid_replace },
	{ "access_pin", setup_access, op_pin },
	{ "unmap_with_access_pinning", setup_pinning, op_unmap_all,
	  .pins_may_drop = true, .infallible = true },
	{ "bind", setup_mapped, op_bind },
	{ "close_with_everything_live", setup_everything, op_close,
	  .closes = true },
};

/* What a failed operation must leave as it found it. */
struct fs_state {
	unsigned int objects;
	long pinned;
	unsigned long mapped;
};

static void fs_snapshot(struct fs_run *r, struct fs_state *st)
{
	struct ioasim_obj *obj;
	unsigned long index;

	st->objects = 0;
	st->mapped = 0;
	st->pinned = atomic_long_read(&ioasim_pinned_pages);
	if (!r->ctx)
		return;
	xa_for_each(&r->ctx->objects, index, obj) {
		struct ioasim_hwpt *hwpt;

		st->objects++;
		if (obj->type != &ioasim_hwpt_paging_type)
			continue;
		hwpt = container_of(obj, struct ioasim_hwpt, obj);
		st->mapped += ioasim_mock_mapped_pages(hwpt->domain);
	}
}

static void fs_teardown(void *data)
{
	struct fs_run *r = data;
	unsigned int d;

	if (!r->ctx)
		return;
	if (r->access)
		ioasim_access_destroy(r->access);
	r->access = NULL;
	for (d = 0; d < ARRAY_SIZE(r->vfio); d++)
		ioasim_mock_vfio_release(&r->vfio[d]);
	ioasim_ctx_put(r->ctx);
	r->ctx = NULL;
}

KUNIT_DEFINE_ACTION_WRAPPER(fs_teardown_action, fs_teardown, struct fs_run *);

/*
 * One run: build the scenario, fail the n-th injection site of its
 * operation (0: none), check, tear down. Returns whether the armed site
 * was reached; *rc is the operation's result.
 */
static bool fs_run_once(struct kunit *test, const struct fs_scenario *sc,
			unsigned int n, int *rc)
{
	struct fs_fixture *fx = test->priv;
	struct fs_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct fs_state before, after;
	struct ioasim_test_totals base, now;
	unsigned int d, left;

	KUNIT_ASSERT_NOT_NULL(test, r);
	ioasim_test_totals(&base);
	r->test = test;
	r->uptr = fx->uptr;
	r->ctx = ioasim_ctx_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->ctx));
	for (d = 0; d < ARRAY_SIZE(r->vfio); d++)
		ioasim_mock_vfio_init(&r->vfio[d], fx->mdev[d]);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							fs_teardown_action, r),
			0);
	KUNIT_ASSERT_EQ_MSG(test, sc->setup(r), 0, "%s: setup", sc->name);

	fs_snapshot(r, &before);
	current->fail_nth = n;
	*rc = sc->op(r);
	left = current->fail_nth;
	current->fail_nth = 0;

	if (n && !left) {
		/* ENOENT: a failed lookup, as if another thread destroyed. */
		KUNIT_EXPECT_TRUE_MSG(test, *rc == 0 || *rc == -ENOMEM ||
				      *rc == -EFAULT || *rc == -ENOENT ||
				      (sc->also && *rc == sc->also),
				      "%s: site %u failed with %d", sc->name, n,
				      *rc);
		if (*rc) {
			fs_snapshot(r, &after);
			KUNIT_EXPECT_EQ_MSG(test, after.objects,
					    before.objects,
					    "%s: site %u", sc->name, n);
			KUNIT_EXPECT_EQ_MSG(test, after.mapped, before.mapped,
					    "%s: site %u", sc->name, n);
			if (!sc->pins_may_drop)
				KUNIT_EXPECT_EQ_MSG(test, after.pinned,
						    before.pinned,
						    "%s: site %u", sc->name,
						    n);
		}
	} else {
		KUNIT_EXPECT_EQ_MSG(test, *rc, 0, "%s: no fault injected",
				    sc->name);
	}

	kunit_release_action(test, fs_teardown_action, r);
	kunit_kfree(test, r);
	ioasim_test_totals(&now);
	KUNIT_EXPECT_EQ_MSG(test, now.contexts, base.contexts, "%s: site %u",
			    sc->name, n);
	KUNIT_EXPECT_EQ_MSG(test, now.objects, base.objects, "%s: site %u",
			    sc->name, n);
	KUNIT_EXPECT_EQ_MSG(test, now.pinned, base.pinned, "%s: site %u",
			    sc->name, n);
	KUNIT_EXPECT_EQ_MSG(test, now.ledger_errors, base.ledger_errors,
			    "%s: site %u: ledger unbalanced", sc->name, n);
	return n && !left;
}

static void fs_scenario_desc(const struct fs_scenario *sc, char *desc)
{
	strscpy(desc, sc->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fs_scenario, fs_scenarios, fs_scenario_desc);

static void fs_knobs_set(struct kunit *test, struct fs_fixture *fx);
static void fs_knobs_restore(struct fs_fixture *fx);

static void failslab_sweep(struct kunit *test)
{
	const struct fs_scenario *sc = test->param_value;
	unsigned int n, failed = 0, absorbed = 0;
	int rc;

	fs_knobs_set(test, test->priv);
	for (n = 1; n <= MAX_RUNS; n++) {
		if (!fs_run_once(test, sc, n, &rc))
			break;
		if (rc)
			failed++;
		else
			absorbed++;
		/* Stop at the first broken run: the rest would repeat it. */
		if (test->status == KUNIT_FAILURE)
			break;
	}
	fs_knobs_restore(test->priv);
	if (test->status == KUNIT_FAILURE)
		return;
	KUNIT_ASSERT_LE_MSG(test, n, MAX_RUNS, "%s never ran out of sites",
			    sc->name);
	kunit_info(test, "%s: %u injection sites swept, %u failed the operation, %u absorbed\n",
		   sc->name, n - 1, failed, absorbed);
	/*
	 * An operation that allocates must show some failure; closing and
	 * unmapping have nothing to show, but must have passed sites to prove
	 * anything, and must have absorbed every one.
	 */
	if (sc->closes || sc->infallible) {
		KUNIT_EXPECT_GT(test, absorbed, 0);
		KUNIT_EXPECT_EQ(test, failed, 0);
	} else {
		KUNIT_EXPECT_GT(test, failed, 0);
	}
}

/*
 * failslab's debugfs knobs are what a user would flip; the case flips
 * them through an internal mount of debugfs and restores them when it
 * ends.
 */
struct fs_knob {
	const char *path;
	char old[24];
};

static struct fs_knob fs_knobs[] = {
	{ "failslab/ignore-gfp-wait" },
	{ "failslab/verbose" },
	{ "fail_iommufd/verbose" },
};

/*
 * debugfs attribute files have no read_iter/write_iter, so the knob is
 * read and written as a user would: through @ubuf, user memory of the
 * case's own mm.
 */
static int fs_knob_rw(unsigned long ubuf, const char *path, const char *val,
		      char *old, size_t oldlen)
{
	struct file_system_type *fs = get_fs_type("debugfs");
	char __user *u = (char __user *)ubuf;
	size_t len = strlen(val);
	struct vfsmount *mnt;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int rc = 0;

	if (!fs)
		return -ENODEV;
	mnt = vfs_kern_mount(fs, 0, "debugfs", NULL);
	/* debugfs is built in: get_fs_type() took no module reference. */
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	f = file_open_root_mnt(mnt, path, O_RDWR, 0);
	if (IS_ERR(f)) {
		rc = PTR_ERR(f);
		goto out;
	}
	if (old) {
		n = vfs_read(f, u, oldlen - 1, &pos);
		if (n < 0 || copy_from_user(old, u, n)) {
			rc = n < 0 ? n : -EFAULT;
			goto out_put;
		}
		old[n] = '\0';
		pos = 0;
	}
	if (copy_to_user(u, val, len)) {
		rc = -EFAULT;
		goto out_put;
	}
	n = vfs_write(f, u, len, &pos);
	if (n != len)
		rc = n < 0 ? n : -EIO;
out_put:
	fput(f);
out:
	mntput(mnt);
	return rc;
}

/*
 * Put the knobs back. Runs at the end of the case on its own thread,
 * which has the mm the user buffer lives in; an aborted case leaves them
 * set, which matters to nobody: only an armed fail-nth or a failslab
 * probability makes failslab fail anything.
 */
static void fs_knobs_restore(struct fs_fixture *fx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fs_knobs); i++)
		if (fs_knobs[i].old[0])
			fs_knob_rw(fx->scratch, fs_knobs[i].path,
				   fs_knobs[i].old, NULL, 0);
}

static void fs_knobs_set(struct kunit *test, struct fs_fixture *fx)
{
	static const char *const set[] = { "N", "0", "0" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fs_knobs); i++) {
		fs_knobs[i].old[0] = '\0';
		KUNIT_ASSERT_EQ_MSG(test,
				    fs_knob_rw(fx->scratch, fs_knobs[i].path,
					       set[i], fs_knobs[i].old,
					       sizeof(fs_knobs[i].old)),
				    0, "debugfs %s", fs_knobs[i].path);
	}
}

static int failslab_init(struct kunit *test)
{
	struct fs_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	fx->uptr = ioasim_test_user_mem_tagged(test, NPAGES * PG, PG);
	fx->scratch = ioasim_test_user_mem(test, PG, PROT_READ | PROT_WRITE);
	fx->mdev[0] = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_SELFTEST |
					   IOASIM_MOCK_DEV_PASID);
	fx->mdev[1] = ioasim_test_mock_dev(test, IOASIM_MOCK_DEV_SELFTEST);
	return 0;
}

static struct kunit_case ioasim_failslab_cases[] = {
	KUNIT_CASE_PARAM(failslab_sweep, fs_scenario_gen_params),
	{}
};

static struct kunit_suite ioasim_failslab_suite = {
	.name = "ioasim_failslab",
	.init = failslab_init,
	.test_cases = ioasim_failslab_cases,
};

kunit_test_suite(ioasim_failslab_suite);
