// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_ledger: the reference ledger (CONFIG_IOASIM_LEDGER).
 *
 * The ledger's own rules on private keys, with its reports silenced and
 * counted (a printed report fails a run); then the ledger against the
 * real code: its counts agree with the reference counts of live objects,
 * holders are named, and the debugfs graph shows who holds whom.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "access.h"
#include "device.h"
#include "helpers.h"
#include "ioas.h"
#include "ledger.h"
#include "mock.h"
#include "vfio.h"

static void ledger_loud(void *unused)
{
	ioasim_ledger_set_quiet(false);
}

/* Reports are counted, not printed, until the case ends. */
static void ledger_quiet(struct kunit *test)
{
	ioasim_ledger_set_quiet(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ledger_loud,
							NULL), 0);
}

static void ledger_balanced_key_leaves_nothing(struct kunit *test)
{
	unsigned long errors = ioasim_ledger_errors();
	int key;

	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, &key, 1, _THIS_IP_);
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, &key, 2, _THIS_IP_);
	ioasim_ledger_take_range(IOASIM_LEDGER_PIN, &key, 10, 5, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_USERS,
						  &key), 2);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_PIN, &key), 5);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, &key, 2, _THIS_IP_);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, &key, 1, _THIS_IP_);
	/* Given back in other pieces than taken. */
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, &key, 12, 3, _THIS_IP_);
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, &key, 10, 2, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_PIN, &key), 0);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_settle(&key, "test"), 0);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_errors(), errors);
}

static void ledger_reports_unmatched_give(struct kunit *test)
{
	unsigned long errors = ioasim_ledger_errors();
	int key;

	ledger_quiet(test);
	ioasim_ledger_take(IOASIM_LEDGER_OBJ_USERS, &key, 1, _THIS_IP_);
	/* Another holder's release does not match the take. */
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, &key, 2, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_errors(), errors + 1);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_USERS,
						  &key), 1);
	ioasim_ledger_give(IOASIM_LEDGER_OBJ_USERS, &key, 1, _THIS_IP_);
	/* An unpin of an index never pinned. */
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, &key, 3, 1, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_errors(), errors + 2);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_settle(&key, "test"), 0);
}

static void ledger_reports_double_pin(struct kunit *test)
{
	unsigned long errors = ioasim_ledger_errors();
	int key;

	ledger_quiet(test);
	ioasim_ledger_take_range(IOASIM_LEDGER_PIN, &key, 0, 4, _THIS_IP_);
	ioasim_ledger_take_range(IOASIM_LEDGER_PIN, &key, 3, 2, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_errors(), errors + 1);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_PIN, &key), 5);
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, &key, 0, 5, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_settle(&key, "test"), 0);
}

static void ledger_settle_reports_outstanding(struct kunit *test)
{
	unsigned long errors = ioasim_ledger_errors();
	int key;

	ledger_quiet(test);
	ioasim_ledger_take(IOASIM_LEDGER_PAGES_REF, &key, 0, _THIS_IP_);
	ioasim_ledger_take_range(IOASIM_LEDGER_MAP, &key, 100, 3, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_settle(&key, "test"), 4);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_errors(), errors + 4);
	/* Settling forgets them. */
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_MAP, &key), 0);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_settle(&key, "test"), 0);
}

struct ledger_fixture {
	struct ioasim_ctx *ctx;
	struct ioasim_mock_vfio *vfio;
	u32 ioas;
};

static unsigned int users(struct ioasim_obj *obj)
{
	return refcount_read(&obj->users);
}

/* The ledger's holds on live objects are their long-term references. */
static void ledger_agrees_with_refcounts(struct kunit *test)
{
	struct ledger_fixture *fx = test->priv;
	struct ioasim_ioas *ioas;
	struct ioasim_obj *hwpt;
	u32 pt = fx->ioas, id;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(fx->vfio, fx->ctx, &id),
			0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(fx->vfio, &pt), 0);
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	hwpt = ioasim_obj_get(fx->ctx, pt, &ioasim_hwpt_paging_type);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_ASSERT_FALSE(test, IS_ERR(hwpt));
	/* The table and the HWPT hold the IOAS; table and device the HWPT. */
	KUNIT_EXPECT_EQ(test, users(&ioas->obj), 2);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_USERS,
						  ioas), 2);
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_USERS,
						  hwpt), users(hwpt));
	/* Each lookup is a get: the table's and ours. */
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_BUSY,
						  hwpt), 2);
	ioasim_obj_put(fx->ctx, hwpt);
	ioasim_ioas_put(fx->ctx, ioas);

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_detach(fx->vfio), 0);
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_EXPECT_EQ(test, ioasim_ledger_count(IOASIM_LEDGER_OBJ_USERS,
						  ioas), 1);
	ioasim_ioas_put(fx->ctx, ioas);
}

static char *show_graph(struct kunit *test)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = 4 * PAGE_SIZE;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	KUNIT_ASSERT_EQ(test, ioasim_ledger_show_graph(m, NULL), 0);
	KUNIT_ASSERT_LT_MSG(test, m->count, m->size, "graph overflowed");
	return m->buf;
}

/* The debugfs graph names every holder and where it took hold. */
static void ledger_graph_shows_holders(struct kunit *test)
{
	struct ledger_fixture *fx = test->priv;
	struct ioasim_ioas *ioas;
	char line[96], *graph;
	u32 pt = fx->ioas, id;

	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(fx->vfio, fx->ctx, &id),
			0);
	KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_attach(fx->vfio, &pt), 0);
	/* A hold of the case's own, as a leak would look. */
	ioas = ioasim_ioas_get(fx->ctx, fx->ioas);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	KUNIT_ASSERT_TRUE(test, ioasim_obj_hold(&ioas->obj, test));
	ioasim_ioas_put(fx->ctx, ioas);

	graph = show_graph(test);
	kunit_info(test, "%s", graph);
	snprintf(line, sizeof(line), "  ioas %u: users 3 busy 1\n", fx->ioas);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(graph, line), "no %s", line);
	snprintf(line, sizeof(line), "    held by hwpt_paging %u at ", pt);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(graph, line), "no %s", line);
	snprintf(line, sizeof(line), "    held by device %u at ", id);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(graph, line), "no %s", line);
	/* The leak names the function that took it. */
	KUNIT_EXPECT_NOT_NULL(test, strstr(graph, "ledger_graph_shows_holders"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(graph, "pages mapped"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(graph, "held by table at "));

	ioasim_obj_unhold(&ioas->obj, test);
	graph = show_graph(test);
	KUNIT_EXPECT_NULL(test, strstr(graph, "ledger_graph_shows_holders"));
}

static int ledger_init(struct kunit *test)
{
	struct ledger_fixture *fx = kunit_kzalloc(test, sizeof(*fx),
						  GFP_KERNEL);
	unsigned long uptr;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	uptr = ioasim_test_user_mem(test, 4 * PAGE_SIZE,
				    PROT_READ | PROT_WRITE);
	fx->ctx = ioasim_test_ctx(test);
	fx->vfio = ioasim_test_vfio(test,
				    ioasim_test_mock_dev(test,
							 IOASIM_MOCK_DEV_SELFTEST));
	fx->ioas = ioasim_test_ioas(test, fx->ctx);
	KUNIT_ASSERT_EQ(test, ioasim_test_map(fx->ctx, fx->ioas, uptr,
					      4 * PAGE_SIZE, SZ_16M, true), 0);
	return 0;
}

static struct kunit_case ioasim_ledger_cases[] = {
	KUNIT_CASE(ledger_balanced_key_leaves_nothing),
	KUNIT_CASE(ledger_reports_unmatched_give),
	KUNIT_CASE(ledger_reports_double_pin),
	KUNIT_CASE(ledger_settle_reports_outstanding),
	KUNIT_CASE(ledger_agrees_with_refcounts),
	KUNIT_CASE(ledger_graph_shows_holders),
	{}
};

static struct kunit_suite ioasim_ledger_suite = {
	.name = "ioasim_ledger",
	.init = ledger_init,
	.test_cases = ioasim_ledger_cases,
};

kunit_test_suite(ioasim_ledger_suite);
