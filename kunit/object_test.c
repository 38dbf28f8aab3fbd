// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_obj: the object model of ioasim_private.h.
 *
 * The cases use a test object type, struct test_node, whose nodes can hold
 * long-term references on other nodes (the edges of the object graph). Its
 * ->destroy() records the order of destruction and drops the node's edges.
 * The fixture counts live nodes; .exit tears the context down and checks
 * that nothing is left: no id, no node, no reference.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/random.h>

#include "inject.h"
#include "helpers.h"
#include "ioasim_private.h"

#define MAX_NODES 64
#define MAX_EDGES 2

struct obj_fixture {
	struct ioasim_ctx *ctx;
	int live;
	unsigned int ndestroyed;
	u32 order[MAX_NODES];
};

struct test_node {
	struct ioasim_obj obj;
	struct obj_fixture *fx;
	struct test_node *held[MAX_EDGES];
	bool auto_release;
};

static void node_destroy(struct ioasim_obj *obj)
{
	struct test_node *node = container_of(obj, struct test_node, obj);
	struct obj_fixture *fx = node->fx;
	int i;

	if (fx->ndestroyed < ARRAY_SIZE(fx->order))
		fx->order[fx->ndestroyed] = obj->id;
	fx->ndestroyed++;
	for (i = 0; i < MAX_EDGES; i++) {
		if (!node->held[i])
			continue;
		if (node->auto_release)
			ioasim_obj_unhold_try_destroy(fx->ctx,
						      &node->held[i]->obj, node);
		else
			ioasim_obj_unhold(&node->held[i]->obj, node);
	}
	fx->live--;
}

static const struct ioasim_obj_type node_type = {
	.name = "test_node",
	.destroy = node_destroy,
};

static const struct ioasim_obj_type other_type = {
	.name = "test_other",
	.destroy = node_destroy,
};

static unsigned int users(struct test_node *node)
{
	return refcount_read(&node->obj.users);
}

static unsigned int busy(struct test_node *node)
{
	return refcount_read(&node->obj.busy);
}

/* An unpublished node is aborted when the case ends unless published. */
static void node_abort_action(void *data)
{
	struct test_node *node = data;

	node->fx->live--;
	ioasim_obj_abort(node->fx->ctx, &node->obj);
}

static struct test_node *node_alloc(struct kunit *test,
				    const struct ioasim_obj_type *type)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *node;

	node = ioasim_obj_alloc(fx->ctx, struct test_node, obj, type);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(node), "alloc: %pe", node);
	node->fx = fx;
	fx->live++;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, node_abort_action,
							node), 0);
	return node;
}

static void node_publish(struct kunit *test, struct test_node *node)
{
	kunit_remove_action(test, node_abort_action, node);
	ioasim_obj_publish(node->fx->ctx, &node->obj);
}

static struct test_node *node_new(struct kunit *test)
{
	struct test_node *node = node_alloc(test, &node_type);

	node_publish(test, node);
	return node;
}

/* Look @id up as an ioctl would; returns 0 or the lookup's errno. */
static int lookup(struct kunit *test, u32 id,
		  const struct ioasim_obj_type *type)
{
	struct obj_fixture *fx = test->priv;
	struct ioasim_obj *obj = ioasim_obj_get(fx->ctx, id, type);

	if (IS_ERR(obj))
		return PTR_ERR(obj);
	KUNIT_EXPECT_EQ(test, obj->id, id);
	ioasim_obj_put(fx->ctx, obj);
	return 0;
}

/* A short-term reference owned by the case, dropped at its end. */
struct busy_ref {
	struct ioasim_ctx *ctx;
	struct ioasim_obj *obj;
};

static void busy_ref_put(void *data)
{
	struct busy_ref *ref = data;

	ioasim_obj_put(ref->ctx, ref->obj);
}

static struct busy_ref *busy_get(struct kunit *test, struct test_node *node)
{
	struct obj_fixture *fx = test->priv;
	struct busy_ref *ref;

	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	ref->ctx = fx->ctx;
	ref->obj = ioasim_obj_get(fx->ctx, node->obj.id, &node_type);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ref->obj), "get: %pe", ref->obj);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, busy_ref_put,
							ref), 0);
	return ref;
}

static void busy_put(struct kunit *test, struct busy_ref *ref)
{
	kunit_release_action(test, busy_ref_put, ref);
}

/* @holder takes a long-term reference on @held, the way an attach does. */
static void node_link(struct kunit *test, struct test_node *holder,
		      struct test_node *held)
{
	struct busy_ref *ref = busy_get(test, held);
	int i;

	for (i = 0; i < MAX_EDGES && holder->held[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, MAX_EDGES);
	KUNIT_ASSERT_TRUE(test, ioasim_obj_hold(ref->obj, holder));
	holder->held[i] = held;
	busy_put(test, ref);
}

static int destroy(struct kunit *test, struct test_node *node)
{
	struct obj_fixture *fx = test->priv;

	return ioasim_obj_destroy(fx->ctx, node->obj.id, &node_type);
}

static int position(struct obj_fixture *fx, u32 id)
{
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, fx->ndestroyed, MAX_NODES); i++)
		if (fx->order[i] == id)
			return i;
	return -1;
}

/*
 * A DESTROY run from another thread, so a case can hold a short-term
 * reference while it waits. Prepared before the case takes that reference:
 * cleanup runs in reverse, so the reference is dropped before the join.
 */
struct destroyer {
	struct ioasim_ctx *ctx;
	struct completion done;
	bool started;
	u32 id;
	int rc;
};

static int destroyer_fn(void *data)
{
	struct destroyer *d = data;

	d->rc = ioasim_obj_destroy(d->ctx, d->id, NULL);
	/* Both the case and the cleanup's join wait for it. */
	complete_all(&d->done);
	return 0;
}

static void destroyer_join(void *data)
{
	struct destroyer *d = data;

	if (d->started)
		wait_for_completion(&d->done);
}

static struct destroyer *destroyer_prepare(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct destroyer *d;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->ctx = fx->ctx;
	init_completion(&d->done);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroyer_join,
							d), 0);
	return d;
}

/* Start destroying @node and return once its id has left the table. */
static void destroyer_start(struct kunit *test, struct destroyer *d,
			    struct test_node *node)
{
	struct task_struct *task;
	int tries;

	d->id = node->obj.id;
	task = kthread_run(destroyer_fn, d, "ioasim-destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	d->started = true;
	for (tries = 0; tries < 10000 && !lookup(test, d->id, NULL); tries++)
		usleep_range(100, 200);
	KUNIT_ASSERT_EQ(test, lookup(test, d->id, NULL), -ENOENT);
}

static void obj_publish_makes_visible(struct kunit *test)
{
	struct test_node *node = node_alloc(test, &node_type);

	KUNIT_EXPECT_GE(test, node->obj.id, 1);
	KUNIT_EXPECT_EQ(test, lookup(test, node->obj.id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, lookup(test, node->obj.id, &node_type), -ENOENT);
	KUNIT_EXPECT_EQ(test, destroy(test, node), -ENOENT);

	node_publish(test, node);
	KUNIT_EXPECT_EQ(test, lookup(test, node->obj.id, &node_type), 0);
	KUNIT_EXPECT_EQ(test, lookup(test, node->obj.id, NULL), 0);
	KUNIT_EXPECT_EQ(test, users(node), 1);
	KUNIT_EXPECT_EQ(test, busy(node), 1);
}

static void obj_ids_are_unique_and_nonzero(struct kunit *test)
{
	struct test_node *nodes[MAX_NODES];
	int i, j;

	for (i = 0; i < MAX_NODES; i++) {
		nodes[i] = node_new(test);
		KUNIT_EXPECT_GE(test, nodes[i]->obj.id, 1);
		KUNIT_EXPECT_LE(test, nodes[i]->obj.id, INT_MAX);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, nodes[i]->obj.id,
					nodes[j]->obj.id);
	}
}

enum lookup_target {
	TARGET_ZERO,
	TARGET_NEVER_ALLOCATED,
	TARGET_U32_MAX,
	TARGET_RESERVED,
	TARGET_DESTROYED,
	TARGET_OTHER_TYPE,
};

struct lookup_case {
	const char *desc;
	enum lookup_target target;
};

static const struct lookup_case lookup_cases[] = {
	{ "id 0", TARGET_ZERO },
	{ "an id never handed out", TARGET_NEVER_ALLOCATED },
	{ "id U32_MAX", TARGET_U32_MAX },
	{ "a reserved, unpublished id", TARGET_RESERVED },
	{ "a destroyed object's id", TARGET_DESTROYED },
	{ "an object of another type", TARGET_OTHER_TYPE },
};

KUNIT_ARRAY_PARAM_DESC(lookup, lookup_cases, desc);

/*
 * Lookup and DESTROY of anything but a published object of the right type
 * fail with ENOENT and change nothing.
 */
static void obj_bad_ids_are_enoent(struct kunit *test)
{
	const struct lookup_case *c = test->param_value;
	struct obj_fixture *fx = test->priv;
	struct test_node *live, *reserved, *gone, *other;
	u32 id = 0, gone_id;

	live = node_new(test);
	reserved = node_alloc(test, &node_type);
	gone = node_new(test);
	other = node_alloc(test, &other_type);
	node_publish(test, other);
	/* Last, so that no later allocation reuses the id. */
	gone_id = gone->obj.id;
	KUNIT_ASSERT_EQ(test, destroy(test, gone), 0);

	switch (c->target) {
	case TARGET_ZERO:
		id = 0;
		break;
	case TARGET_NEVER_ALLOCATED:
		id = other->obj.id + 100;
		break;
	case TARGET_U32_MAX:
		id = U32_MAX;
		break;
	case TARGET_RESERVED:
		id = reserved->obj.id;
		break;
	case TARGET_DESTROYED:
		id = gone_id;
		break;
	case TARGET_OTHER_TYPE:
		id = other->obj.id;
		/* The same id is fine when any type will do. */
		KUNIT_EXPECT_EQ(test, lookup(test, id, NULL), 0);
		break;
	}

	KUNIT_EXPECT_EQ(test, lookup(test, id, &node_type), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, id, &node_type),
			-ENOENT);

	/* Nothing changed. */
	KUNIT_EXPECT_EQ(test, fx->live, 3);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 1);
	KUNIT_EXPECT_EQ(test, users(live), 1);
	KUNIT_EXPECT_EQ(test, busy(live), 1);
	KUNIT_EXPECT_EQ(test, users(other), 1);
	KUNIT_EXPECT_EQ(test, lookup(test, live->obj.id, &node_type), 0);
}

static void obj_abort_leaves_no_trace(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *node = node_alloc(test, &node_type);
	u32 id = node->obj.id;

	kunit_release_action(test, node_abort_action, node);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ctx->objects));

	/* The id went back to the allocator. */
	node = node_new(test);
	KUNIT_EXPECT_EQ(test, node->obj.id, id);
}

/* Abort of an object that already holds edges releases them. */
static void obj_abort_destroy_releases_edges(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *held = node_new(test);
	struct test_node *holder = node_alloc(test, &node_type);

	node_link(test, holder, held);
	KUNIT_EXPECT_EQ(test, users(held), 2);
	KUNIT_EXPECT_EQ(test, destroy(test, held), -EBUSY);

	kunit_remove_action(test, node_abort_action, holder);
	ioasim_obj_abort_destroy(fx->ctx, &holder->obj);
	KUNIT_EXPECT_EQ(test, fx->live, 1);
	KUNIT_EXPECT_EQ(test, users(held), 1);
	KUNIT_EXPECT_EQ(test, destroy(test, held), 0);
}

struct alloc_sweep {
	struct test_node *held;
	struct test_node *made;
	int live_before;
};

/* Create a node holding @held, as an object that depends on another. */
static int alloc_sweep_step(struct kunit *test, void *arg)
{
	struct obj_fixture *fx = test->priv;
	struct alloc_sweep *s = arg;
	struct test_node *node;
	struct ioasim_obj *obj;
	int rc;

	s->live_before = fx->live;
	node = ioasim_obj_alloc(fx->ctx, struct test_node, obj, &node_type);
	if (IS_ERR(node))
		return PTR_ERR(node);
	node->fx = fx;
	fx->live++;

	obj = ioasim_obj_get(fx->ctx, s->held->obj.id, &node_type);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		fx->live--;
		ioasim_obj_abort(fx->ctx, &node->obj);
		return rc;
	}
	if (!ioasim_obj_hold(obj, node)) {
		ioasim_obj_put(fx->ctx, obj);
		fx->live--;
		ioasim_obj_abort(fx->ctx, &node->obj);
		return -ENOENT;
	}
	node->held[0] = s->held;
	ioasim_obj_put(fx->ctx, obj);
	ioasim_obj_publish(fx->ctx, &node->obj);
	s->made = node;
	return 0;
}

static void alloc_sweep_check(struct kunit *test, void *arg, int rc)
{
	struct obj_fixture *fx = test->priv;
	struct alloc_sweep *s = arg;
	struct ioasim_obj *obj;
	unsigned long index;
	unsigned int n = 0;

	KUNIT_EXPECT_TRUE(test, rc == -ENOMEM || rc == -ENOENT);
	KUNIT_EXPECT_EQ(test, fx->live, s->live_before);
	KUNIT_EXPECT_EQ(test, users(s->held), 1);
	KUNIT_EXPECT_EQ(test, busy(s->held), 1);
	xa_for_each(&fx->ctx->objects, index, obj)
		n++;
	KUNIT_EXPECT_EQ(test, n, 1);
}

/* Fail each fault point of object creation in turn: no trace is left. */
static void obj_create_fail_nth(struct kunit *test)
{
	static const char *const points[] = {
		"obj.alloc", "obj.reserve_id", "obj.get", NULL
	};
	struct alloc_sweep s = { .held = node_new(test) };
	struct ioasim_sweep sweep = {
		.step = alloc_sweep_step,
		.check = alloc_sweep_check,
		.arg = &s,
	};

	KUNIT_EXPECT_GE(test, ioasim_inject_sweep(test, &sweep, points), 3);
	KUNIT_ASSERT_NOT_NULL(test, s.made);
	KUNIT_EXPECT_EQ(test, users(s.held), 2);
}

static void obj_ctx_create_fault(struct kunit *test)
{
	struct ioasim_inject_plan plan = { .fail_nth = 1 };
	struct ioasim_ctx *ctx;

	KUNIT_ASSERT_EQ(test, ioasim_inject_plan_install(test, &plan), 0);
	ctx = ioasim_ctx_create();
	ioasim_inject_plan_remove(test);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -ENOMEM);
	KUNIT_EXPECT_STREQ(test, plan.failed, "ctx.alloc");
	if (!IS_ERR(ctx))
		ioasim_ctx_put(ctx);
}

static void obj_destroy_last_reference(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *node = node_new(test);
	u32 id = node->obj.id;

	KUNIT_EXPECT_EQ(test, destroy(test, node), 0);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 1);
	KUNIT_EXPECT_EQ(test, fx->order[0], id);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
	KUNIT_EXPECT_EQ(test, lookup(test, id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioasim_obj_destroy(fx->ctx, id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 1);
}

static void obj_destroy_held_is_ebusy(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *held = node_new(test);
	struct test_node *holder = node_new(test);

	node_link(test, holder, held);
	KUNIT_EXPECT_EQ(test, destroy(test, held), -EBUSY);
	KUNIT_EXPECT_EQ(test, users(held), 2);
	KUNIT_EXPECT_EQ(test, busy(held), 1);
	KUNIT_EXPECT_EQ(test, lookup(test, held->obj.id, &node_type), 0);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 0);

	KUNIT_EXPECT_EQ(test, destroy(test, holder), 0);
	KUNIT_EXPECT_EQ(test, users(held), 1);
	KUNIT_EXPECT_EQ(test, destroy(test, held), 0);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 2);
}

/*
 * DESTROY of an object some thread is using removes the id at once, but
 * ->destroy() runs only after that thread has let go.
 */
static void obj_destroy_waits_for_short_term(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct destroyer *d = destroyer_prepare(test);
	struct test_node *node = node_new(test);
	struct busy_ref *ref = busy_get(test, node);

	destroyer_start(test, d, node);
	/* The id is gone, the object is not. */
	msleep(20);
	KUNIT_EXPECT_FALSE(test, completion_done(&d->done));
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 0);
	KUNIT_EXPECT_EQ(test, fx->live, 1);

	busy_put(test, ref);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, 10 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, d->rc, 0);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 1);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
}

static void obj_hold_while_published(struct kunit *test)
{
	struct test_node *node = node_new(test);
	struct busy_ref *ref = busy_get(test, node);

	KUNIT_ASSERT_TRUE(test, ioasim_obj_hold(ref->obj, test));
	busy_put(test, ref);
	KUNIT_EXPECT_EQ(test, users(node), 2);
	KUNIT_EXPECT_EQ(test, destroy(test, node), -EBUSY);
	ioasim_obj_unhold(&node->obj, test);
	KUNIT_EXPECT_EQ(test, destroy(test, node), 0);
}

/* Once removal has begun, a short-term holder can no longer keep it. */
static void obj_hold_fails_once_removal_began(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct destroyer *d = destroyer_prepare(test);
	struct test_node *node = node_new(test);
	struct busy_ref *ref = busy_get(test, node);

	destroyer_start(test, d, node);
	KUNIT_EXPECT_FALSE(test, ioasim_obj_hold(ref->obj, test));
	KUNIT_EXPECT_EQ(test, users(node), 0);

	busy_put(test, ref);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, 10 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, d->rc, 0);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
}

/* An object kept alive only by its users goes with the last of them. */
static void obj_auto_destroy_with_last_holder(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *shared = node_new(test);
	struct test_node *a = node_new(test);
	struct test_node *b = node_new(test);
	u32 shared_id = shared->obj.id;

	a->auto_release = true;
	b->auto_release = true;
	node_link(test, a, shared);
	node_link(test, b, shared);

	KUNIT_EXPECT_EQ(test, destroy(test, a), 0);
	KUNIT_EXPECT_EQ(test, lookup(test, shared_id, &node_type), 0);
	KUNIT_EXPECT_EQ(test, users(shared), 2);

	KUNIT_EXPECT_EQ(test, destroy(test, b), 0);
	KUNIT_EXPECT_EQ(test, lookup(test, shared_id, &node_type), -ENOENT);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 3);
	KUNIT_EXPECT_EQ(test, fx->order[2], shared_id);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
}

/* unhold_try_destroy leaves an object that someone else still holds. */
static void obj_auto_destroy_keeps_held(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *shared = node_new(test);
	struct test_node *keeper = node_new(test);
	struct busy_ref *ref = busy_get(test, shared);

	node_link(test, keeper, shared);
	KUNIT_ASSERT_TRUE(test, ioasim_obj_hold(ref->obj, test));
	busy_put(test, ref);

	KUNIT_EXPECT_FALSE(test, ioasim_obj_unhold_try_destroy(fx->ctx,
							       &shared->obj,
							       test));
	KUNIT_EXPECT_EQ(test, users(shared), 2);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 0);
}

/*
 * Reference model: over random acyclic graphs in which holders may have
 * higher or lower ids than what they hold, teardown destroys every holder
 * before anything it holds, and destroys everything.
 */
static void obj_teardown_is_leaf_first(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node **nodes;
	u32 *rank, (*edges)[2];
	unsigned int nedges = 0, i, j, e;
	struct rnd_state rnd;
	u32 seed = get_random_u32();

	nodes = kunit_kcalloc(test, MAX_NODES, sizeof(*nodes), GFP_KERNEL);
	rank = kunit_kcalloc(test, MAX_NODES, sizeof(*rank), GFP_KERNEL);
	edges = kunit_kcalloc(test, MAX_NODES * MAX_EDGES, sizeof(*edges),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nodes);
	KUNIT_ASSERT_NOT_NULL(test, rank);
	KUNIT_ASSERT_NOT_NULL(test, edges);
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < MAX_NODES; i++) {
		nodes[i] = node_new(test);
		rank[i] = i;
	}
	/* A random topological order: edges go from higher to lower rank. */
	for (i = MAX_NODES - 1; i > 0; i--)
		swap(rank[i], rank[prandom_u32_state(&rnd) % (i + 1)]);
	for (i = 0; i < MAX_NODES; i++) {
		for (e = 0; e < MAX_EDGES; e++) {
			j = prandom_u32_state(&rnd) % MAX_NODES;
			if (rank[j] >= rank[i] || nodes[i]->held[0] == nodes[j])
				continue;
			node_link(test, nodes[i], nodes[j]);
			/* The nodes are freed by the teardown: keep their ids. */
			edges[nedges][0] = nodes[i]->obj.id;
			edges[nedges][1] = nodes[j]->obj.id;
			nedges++;
		}
	}

	KUNIT_ASSERT_EQ_MSG(test, ioasim_ctx_release_objects(fx->ctx), 0,
			    "seed %u", seed);
	KUNIT_ASSERT_EQ(test, fx->ndestroyed, MAX_NODES);
	for (e = 0; e < nedges; e++)
		KUNIT_EXPECT_LT_MSG(test, position(fx, edges[e][0]),
				    position(fx, edges[e][1]),
				    "seed %u: node %u destroyed after node %u it held",
				    seed, edges[e][0], edges[e][1]);
}

/* A leaked long-term reference keeps its object at teardown. */
static void obj_teardown_reports_leaked_reference(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *leaked = node_new(test);
	u32 fine_id = node_new(test)->obj.id;
	struct busy_ref *ref = busy_get(test, leaked);

	KUNIT_ASSERT_TRUE(test, ioasim_obj_hold(ref->obj, test));
	busy_put(test, ref);

	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 1);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 1);
	KUNIT_EXPECT_EQ(test, fx->order[0], fine_id);
	KUNIT_EXPECT_EQ(test, lookup(test, leaked->obj.id, NULL), 0);

	/* Return the leaked reference; then teardown completes. */
	ioasim_obj_unhold(&leaked->obj, test);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 0);
	KUNIT_EXPECT_EQ(test, fx->live, 0);
}

/* Two objects holding each other can never go; teardown says so. */
static void obj_teardown_reports_cycle(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *a = node_new(test);
	struct test_node *b = node_new(test);
	u32 a_id = a->obj.id, b_id = b->obj.id;

	node_link(test, a, b);
	node_link(test, b, a);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 2);
	KUNIT_EXPECT_EQ(test, fx->ndestroyed, 0);

	/*
	 * Break the cycle by dropping b's edge: a is then held only by the
	 * table, goes first, and releases b.
	 */
	b->held[0] = NULL;
	ioasim_obj_unhold(&a->obj, b);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 0);
	KUNIT_EXPECT_EQ(test, position(fx, a_id), 0);
	KUNIT_EXPECT_EQ(test, position(fx, b_id), 1);
}

/* A reservation nobody published or aborted is reported at teardown. */
static void obj_teardown_reports_reserved_id(struct kunit *test)
{
	struct obj_fixture *fx = test->priv;
	struct test_node *node = node_alloc(test, &node_type);

	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 1);
	kunit_release_action(test, node_abort_action, node);
	KUNIT_EXPECT_EQ(test, ioasim_ctx_release_objects(fx->ctx), 0);
}

/*
 * Registered before the context, so it runs after the context's teardown
 * has destroyed every node.
 */
static void obj_check_nodes_freed(void *data)
{
	struct kunit *test = data;
	struct obj_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, fx->live, 0, "test nodes not freed");
}

static int obj_init(struct kunit *test)
{
	struct obj_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							obj_check_nodes_freed,
							test), 0);
	fx->ctx = ioasim_test_ctx(test);
	return 0;
}

static struct kunit_case ioasim_obj_cases[] = {
	KUNIT_CASE(obj_publish_makes_visible),
	KUNIT_CASE(obj_ids_are_unique_and_nonzero),
	KUNIT_CASE_PARAM(obj_bad_ids_are_enoent, lookup_gen_params),
	KUNIT_CASE(obj_abort_leaves_no_trace),
	KUNIT_CASE(obj_abort_destroy_releases_edges),
	KUNIT_CASE(obj_create_fail_nth),
	KUNIT_CASE(obj_ctx_create_fault),
	KUNIT_CASE(obj_destroy_last_reference),
	KUNIT_CASE(obj_destroy_held_is_ebusy),
	KUNIT_CASE(obj_destroy_waits_for_short_term),
	KUNIT_CASE(obj_hold_while_published),
	KUNIT_CASE(obj_hold_fails_once_removal_began),
	KUNIT_CASE(obj_auto_destroy_with_last_holder),
	KUNIT_CASE(obj_auto_destroy_keeps_held),
	KUNIT_CASE(obj_teardown_is_leaf_first),
	KUNIT_CASE(obj_teardown_reports_leaked_reference),
	KUNIT_CASE(obj_teardown_reports_cycle),
	KUNIT_CASE(obj_teardown_reports_reserved_id),
	{}
};

static struct kunit_suite ioasim_obj_suite = {
	.name = "ioasim_obj",
	.init = obj_init,
	.test_cases = ioasim_obj_cases,
};

kunit_test_suite(ioasim_obj_suite);
