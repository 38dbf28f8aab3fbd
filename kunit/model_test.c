// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_model: a model-based fuzzer. Random operation
 * sequences on two IOASes, three mock VFIO devices and a pinning access,
 * checked after every step against a shadow model.
 *
 * The model is deliberately naive: sorted arrays and brute-force scans.
 * It predicts every return code and, with the HUGE_PAGES option off so
 * that automatic placement is plain lowest-fit, every IOVA. After each
 * step the areas of both IOASes must match the model exactly (range,
 * memory, offset), the unreserved IOVA reported by IOVA_RANGES must match
 * the model's, and each pages object's reference count must equal the
 * number of areas using it.
 *
 * Devices attach, replace and detach at random: two of one kind (they
 * must share an automatic HWPT on the same IOAS) and one of another kind
 * with a 4 GiB aperture (its own HWPT; refused where the IOAS maps above).
 * The access pins and unpins ranges, moves between the IOASes and is
 * destroyed and made again; its driver unpins when asked. IOASes are
 * destroyed (refused while anything is attached) and made again. After
 * every step: each attached device reads through its domain the user
 * address stored at the first and last page of every area and faults
 * past them, each domain maps exactly its IOAS's areas, the number of
 * HWPTs is the number of (IOAS, kind) pairs in use, and every pages
 * object pins exactly the indexes that domains or access pins need, each
 * once. After the last step everything is torn down and nothing may be
 * left: objects, pinned pages, or (with CONFIG_IOASIM_LEDGER) unbalanced
 * references, pins or mappings.
 *
 * A sequence is generated as a list of steps, each complete in itself,
 * and run from the list, so any sublist can be run again. When a run
 * disagrees with the model, the steps up to the disagreement are shrunk
 * (chunks removed while the same kind of disagreement remains) and the
 * shortest sequence is printed as a KUnit case to paste into this file,
 * between "model repro begin" and "model repro end" lines.
 *
 * Kernel arguments (make fuzz sets them): ioasim_test.model_seed=<seed>
 * replays one seed, ioasim_test.model_steps=<n> sets the steps per run,
 * ioasim_test.model_seconds=<s> keeps running new seeds for that long.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "helpers.h"
#include "model.h"

static ulong model_seed;
module_param(model_seed, ulong, 0444);
MODULE_PARM_DESC(model_seed, "seed of the ioasim_model suite (0: random)");

static uint model_steps = 400;
module_param(model_steps, uint, 0444);
MODULE_PARM_DESC(model_steps, "steps per sequence of the ioasim_model suite");

static uint model_seconds;
module_param(model_seconds, uint, 0444);
MODULE_PARM_DESC(model_seconds,
		 "keep running sequences for this long (0: a fixed count)");

/* Record the first disagreement; callers return what this returns. */
__printf(3, 4) bool model_differs(struct model *m, const char *kind,
				  const char *fmt, ...)
{
	va_list args;
	int n;

	if (m->why[0])
		return false;
	m->kind = kind;
	n = scnprintf(m->why, sizeof(m->why), "step %u (%s): ", m->step,
		      m->op);
	va_start(args, fmt);
	vscnprintf(m->why + n, sizeof(m->why) - n, fmt, args);
	va_end(args);
	return false;
}

static void model_teardown(void *data)
{
	struct model *m = data;
	unsigned int d;

	if (m->acc.access)
		ioasim_access_destroy(m->acc.access);
	m->acc.access = NULL;
	for (d = 0; d < NDEVS; d++)
		ioasim_mock_vfio_release(&m->dev[d].vfio);
	if (m->ctx && !ioasim_ctx_release_objects(m->ctx))
		ioasim_ctx_put(m->ctx);
	m->ctx = NULL;
}

KUNIT_DEFINE_ACTION_WRAPPER(model_teardown_action, model_teardown,
			    struct model *);

static bool model_setup(struct model *m)
{
	struct model_fixture *fx = m->test->priv;
	unsigned int s, d;
	u32 id;
	int rc;

	m->ubase = fx->ubase;
	m->ctx = ioasim_ctx_create();
	if (IS_ERR(m->ctx)) {
		m->ctx = NULL;
		return model_differs(m, "setup", "no context");
	}
	for (d = 0; d < NDEVS; d++) {
		ioasim_mock_vfio_init(&m->dev[d].vfio, fx->mdev[d]);
		m->dev[d].ioas = -1;
		memset(m->dev[d].pasid_ioas, -1, sizeof(m->dev[d].pasid_ioas));
	}
	m->nhwpts = 0;
	if (kunit_add_action_or_reset(m->test, model_teardown_action, m))
		return model_differs(m, "setup", "no memory");
	for (s = 0; s < 2; s++)
		if (!model_ioas_new(m, &m->ioas[s]))
			return false;
	for (d = 0; d < NDEVS; d++) {
		rc = ioasim_mock_vfio_bind(&m->dev[d].vfio, m->ctx, &id);
		if (rc)
			return model_differs(m, "setup", "bind returned %d", rc);
	}
	return model_access_new(m, 0);
}

/*
 * A random step: an operation by weight, an IOAS, then the operation's
 * own numbers. Sequences depend on this order of draws: keep it.
 */
static void model_gen_step(struct model *m, struct m_step *s)
{
	u32 draw = rnd(m, 100);

	memset(s, 0, sizeof(*s));
	while (draw >= model_ops[s->op].weight)
		draw -= model_ops[s->op++].weight;
	s->ioas = rnd(m, 2);
	if (model_ops[s->op].gen)
		model_ops[s->op].gen(m, s);
}

/*
 * Run @n steps: from @steps, or generated from @seed into @steps. Returns
 * true if the system agreed with the model throughout, teardown
 * included; else @m says where and why, and m->step is the index of the
 * step that disagreed (@n for the teardown).
 */
static bool model_exec(struct kunit *test, struct model *m, u64 seed,
		       struct m_step *steps, unsigned int n, bool generate,
		       bool planted)
{
	struct ioasim_test_totals before, after;
	bool ok;

	memset(m, 0, sizeof(*m));
	m->test = test;
	m->planted = planted;
	prandom_seed_state(&m->rnd, seed);
	ioasim_test_totals(&before);
	ok = model_setup(m);
	for (m->step = 0; ok && m->step < n; ) {
		struct m_step *s = &steps[m->step];

		if (generate)
			model_gen_step(m, s);
		ok = model_ops[s->op].exec(m, s) && model_check_all(m, s);
		if (ok)
			m->step++;
	}
	snprintf(m->op, sizeof(m->op), "teardown");
	kunit_release_action(test, model_teardown_action, m);
	ioasim_test_totals(&after);
	if (ok && (after.objects != before.objects ||
		   after.pinned != before.pinned ||
		   after.contexts != before.contexts ||
		   after.ledger_errors != before.ledger_errors))
		ok = model_differs(m, "teardown",
				   "left %ld objects, %ld pinned pages, %ld contexts, %lu ledger reports",
			       after.objects - before.objects,
			       after.pinned - before.pinned,
			       after.contexts - before.contexts,
			       after.ledger_errors - before.ledger_errors);
	return ok;
}

/*
 * Does @steps still disagree in the same way? On success the sequence is
 * cut after the step that disagreed.
 */
static bool model_fails_alike(struct kunit *test, struct model *m,
			      struct m_step *steps, unsigned int *n,
			      const char *kind, bool planted)
{
	if (model_exec(test, m, 0, steps, *n, false, planted) ||
	    strcmp(m->kind, kind))
		return false;
	*n = min(*n, m->step + 1);
	return true;
}

/* How small parameter @i of @s may shrink (model.h), or -1. */
static int m_param_floor(const struct m_step *s, unsigned int i)
{
	const struct m_op_desc *op = &model_ops[s->op];

	return op->mode_fixes && s->mode ? -1 : op->floor[i];
}

/*
 * Make numbers smaller, one at a time, while the disagreement remains:
 * a smaller IOVA or length often lets earlier steps go too.
 */
static bool model_shrink_params(struct kunit *test, struct model *m,
				struct m_step *steps, unsigned int *n,
				struct m_step *trial, const char *kind,
				bool planted, unsigned int *runs)
{
	unsigned int i, k, c, len;
	bool progress = false;
	int floor;

	for (i = 0; i < *n; i++) {
		for (k = 0; k < ARRAY_SIZE(steps[i].p); k++) {
			floor = m_param_floor(&steps[i], k);
			for (c = 0; floor >= 0 && c < 3; c++) {
				u16 v = steps[i].p[k];
				u16 try = c == 0 ? floor : c == 1 ? v / 2 : v - 1;

				if (try >= v || try < floor)
					continue;
				memcpy(trial, steps, *n * sizeof(*trial));
				trial[i].p[k] = try;
				len = *n;
				(*runs)++;
				if (!model_fails_alike(test, m, trial, &len,
						       kind, planted))
					continue;
				memcpy(steps, trial, len * sizeof(*trial));
				*n = len;
				progress = true;
				if (i >= *n)
					return true;
			}
		}
	}
	return progress;
}

/*
 * Shrink a failing sequence: remove chunks of halving size while the
 * same kind of disagreement remains, until no single step can go; then
 * make its numbers smaller, and start over while that helps. Returns the
 * new length; @steps holds the shrunk sequence.
 */
static unsigned int model_shrink(struct kunit *test, struct model *m,
				 struct m_step *steps, unsigned int n,
				 const char *kind, bool planted,
				 unsigned int *runs)
{
	struct m_step *trial = kunit_kmalloc_array(test, n, sizeof(*trial),
						   GFP_KERNEL);
	unsigned int chunk, cut, i, len;
	bool progress;

	KUNIT_ASSERT_NOT_NULL(test, trial);
	*runs = 0;
again:
	chunk = max(n / 2, 1U);
	for (;;) {
		progress = false;
		for (i = 0; i < n; ) {
			cut = min(chunk, n - i);
			memcpy(trial, steps, i * sizeof(*trial));
			memcpy(trial + i, steps + i + cut,
			       (n - i - cut) * sizeof(*trial));
			len = n - cut;
			(*runs)++;
			if (model_fails_alike(test, m, trial, &len, kind,
					      planted)) {
				memcpy(steps, trial, len * sizeof(*trial));
				n = len;
				progress = true;
			} else {
				i += cut;
			}
		}
		if (chunk == 1 && !progress)
			break;
		if (chunk > 1)
			chunk /= 2;
	}
	if (model_shrink_params(test, m, steps, &n, trial, kind, planted,
				runs))
		goto again;
	kunit_kfree(test, trial);
	return n;
}

/* Print @steps as a KUnit case for this file, between marker lines. */
static void model_print_case(struct kunit *test, u64 seed,
			     const struct m_step *steps, unsigned int n)
{
	unsigned int i;

	kunit_info(test, "model repro begin\n");
	kunit_info(test, "| /* Found with ioasim_test.model_seed=%llu, shrunk to %u steps. */\n",
		   seed, n);
	kunit_info(test, "| static void model_repro_%llu(struct kunit *test)\n",
		   seed);
	kunit_info(test, "| {\n");
	kunit_info(test, "| \tstatic const struct m_step steps[] = {\n");
	for (i = 0; i < n; i++)
		kunit_info(test, "| \t\t{ .op = %s, .ioas = %u, .dev = %u, .mode = %u, .p = { %u, %u, %u, %u } },\n",
			   model_ops[steps[i].op].enum_name, steps[i].ioas,
			   steps[i].dev, steps[i].mode, steps[i].p[0],
			   steps[i].p[1], steps[i].p[2], steps[i].p[3]);
	kunit_info(test, "| \t};\n");
	kunit_info(test, "|\n");
	kunit_info(test, "| \tmodel_replay(test, steps, ARRAY_SIZE(steps));\n");
	kunit_info(test, "| }\n");
	kunit_info(test, "| /* and in ioasim_model_cases[]: KUNIT_CASE(model_repro_%llu), */\n",
		   seed);
	kunit_info(test, "model repro end\n");
}

/**
 * model_replay() - run a fixed sequence, e.g. a pasted shrunk one
 * @test: the running case
 * @steps: the steps
 * @n: how many
 *
 * Fails the case with the disagreement, if any.
 */
static void __maybe_unused model_replay(struct kunit *test,
					const struct m_step *steps,
					unsigned int n)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct m_step *copy = kunit_kmalloc_array(test, n, sizeof(*steps),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, steps, n * sizeof(*steps));
	if (!model_exec(test, m, 0, copy, n, false, false))
		KUNIT_FAIL(test, "%s", m->why);
}

struct model_stats {
	unsigned int ok[NR_OPS], failed[NR_OPS];
	u64 steps;
};

/*
 * One generated run. On a disagreement: shrink, print the case, and
 * return false with the disagreement in @m.
 */
static bool model_run(struct kunit *test, struct model *m, u64 seed,
		      unsigned int n, bool planted, struct model_stats *st,
		      unsigned int *shrunk)
{
	struct m_step *steps = kvcalloc(n, sizeof(*steps), GFP_KERNEL);
	unsigned int i, len, runs;
	char why[sizeof(m->why)];
	const char *kind;
	bool ok;

	KUNIT_ASSERT_NOT_NULL(test, steps);
	ok = model_exec(test, m, seed, steps, n, true, planted);
	for (i = 0; i < NR_OPS; i++) {
		st->ok[i] += m->ok[i];
		st->failed[i] += m->failed[i];
	}
	st->steps += ok ? n : m->step + 1;
	if (ok) {
		kvfree(steps);
		return true;
	}
	strscpy(why, m->why, sizeof(why));
	kind = m->kind;
	len = min(m->step + 1, n);
	kunit_info(test, "seed %llu: %s; shrinking %u steps\n", seed, why,
		   len);
	len = model_shrink(test, m, steps, len, kind, planted, &runs);
	kunit_info(test, "shrunk to %u steps in %u runs\n", len, runs);
	model_print_case(test, seed, steps, len);
	/* Leave the shrunk sequence's own disagreement in @m. */
	model_fails_alike(test, m, steps, &len, kind, planted);
	if (shrunk)
		*shrunk = len;
	/* Report the original disagreement, with the seed. */
	snprintf(m->why, sizeof(m->why), "seed %llu: %s", seed, why);
	kvfree(steps);
	return false;
}

static void model_report(struct kunit *test, const struct model_stats *st,
			 u64 ns)
{
	unsigned int i;

	for (i = 0; i < NR_OPS; i++) {
		kunit_info(test, "%-12s %6u succeeded, %6u refused\n",
			   model_ops[i].name, st->ok[i], st->failed[i]);
		/* A sequence that never gets past the checks proves little. */
		KUNIT_EXPECT_GT_MSG(test, st->ok[i], 0, "%s never succeeded",
				    model_ops[i].name);
	}
	kunit_info(test, "%llu steps in %llu ms: %llu steps per second (each step checked in full)\n",
		   st->steps, div_u64(ns, NSEC_PER_MSEC),
		   div64_u64(st->steps * NSEC_PER_SEC, max_t(u64, ns, 1)));
}

static void model_sequences(struct kunit *test, u64 base, unsigned int runs,
			    unsigned int seconds)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct model_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	ktime_t start = ktime_get();
	u64 seed;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, st);
	for (seed = base; ; seed++) {
		if (!model_run(test, m, seed, model_steps, false, st, NULL)) {
			KUNIT_FAIL(test, "%s", m->why);
			return;
		}
		if (seconds ? ktime_ms_delta(ktime_get(), start) >=
			      seconds * MSEC_PER_SEC :
			      seed + 1 - base >= runs)
			break;
		cond_resched();
	}
	kunit_info(test, "seeds %llu to %llu, %u steps each (replay one: ioasim_test.model_seed=<seed>)\n",
		   base, seed, model_steps);
	model_report(test, st, ktime_to_ns(ktime_sub(ktime_get(), start)));
}

/* New seeds every run: 8 runs, or what the kernel arguments ask. */
static void model_random_sequences(struct kunit *test)
{
	u64 base = model_seed ?: get_random_u32();

	model_sequences(test, base, model_seed ? 1 : 8, model_seconds);
}

/* The same sequences every time: part of every `make check`. */
static void model_fixed_seeds(struct kunit *test)
{
	model_sequences(test, FIXED_SEED, 4, 0);
}

/*
 * The shrinker at work on a known mistake: with the model made to forget
 * that reservations cannot cover areas, a random run soon disagrees on
 * a reserve, and the shortest sequence that shows it is a map and a
 * reserve over it.
 */
static void model_shrinks_planted_mistake(struct kunit *test)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct model_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	unsigned int shrunk = 0;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_FALSE_MSG(test,
			       model_run(test, m, FIXED_SEED, 400, true, st,
					 &shrunk),
			       "the planted mistake went unnoticed");
	KUNIT_EXPECT_STREQ(test, m->kind, "rc");
	KUNIT_EXPECT_EQ(test, shrunk, 2);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m->why, "reserve"));
}

/*
 * A fixed sequence in the form the shrinker prints: an IOAS whose pages a
 * copy shares is refused destruction while a device and a pinning access
 * use it, then destroyed once the access is made again elsewhere and the
 * device has gone.
 */
static void model_repro_example(struct kunit *test)
{
	static const struct m_step steps[] = {
		{ .op = OP_MAP, .ioas = 0, .dev = 0, .mode = 1, .p = { 4, 4, 10, 0 } },
		{ .op = OP_ATTACH, .ioas = 0, .dev = 2, .mode = 0, .p = { 0, 0, 0, 0 } },
		{ .op = OP_PIN, .ioas = 0, .dev = 0, .mode = 0, .p = { 5, 2, 0, 0 } },
		{ .op = OP_COPY, .ioas = 1, .dev = 0, .mode = 0, .p = { 4, 4, 0, 0 } },
		{ .op = OP_DESTROY_IOAS, .ioas = 0, .dev = 0, .mode = 0, .p = { 0, 0, 0, 0 } },
		{ .op = OP_NEW_ACCESS, .ioas = 1, .dev = 0, .mode = 0, .p = { 0, 0, 0, 0 } },
		{ .op = OP_DETACH, .ioas = 0, .dev = 2, .mode = 0, .p = { 0, 0, 0, 0 } },
		{ .op = OP_DESTROY_IOAS, .ioas = 0, .dev = 0, .mode = 0, .p = { 0, 0, 0, 0 } },
		{ .op = OP_UNMAP, .ioas = 1, .dev = 0, .mode = 1, .p = { 0, 0, 0, 0 } },
	};

	model_replay(test, steps, ARRAY_SIZE(steps));
}

static int model_init(struct kunit *test)
{
	struct model_fixture *fx = kunit_kzalloc(test, sizeof(*fx),
						 GFP_KERNEL);
	unsigned int d;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	test->priv = fx;
	/* Every page starts with its own user address. */
	fx->ubase = ioasim_test_user_mem_tagged(test, UPAGES * PG, PG);
	for (d = 0; d < NDEVS; d++)
		fx->mdev[d] = ioasim_test_mock_dev(test, small_kind(d) ?
						   IOASIM_MOCK_DEV_SMALL_APERTURE :
						   IOASIM_MOCK_DEV_PASID);
	return 0;
}

static struct kunit_case ioasim_model_cases[] = {
	KUNIT_CASE(model_fixed_seeds),
	KUNIT_CASE(model_random_sequences),
	KUNIT_CASE(model_shrinks_planted_mistake),
	KUNIT_CASE(model_repro_example),
	{}
};

static struct kunit_suite ioasim_model_suite = {
	.name = "ioasim_model",
	.init = model_init,
	.test_cases = ioasim_model_cases,
};

kunit_test_suite(ioasim_model_suite);

