// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_itree: the gaps of a window over the union of
 * interval trees (core/itree.h), which decide what is pinned and where
 * free IOVA is.
 *
 * Table cases name their trees' intervals and the gaps expected, windows
 * ending at ULONG_MAX among them; a reference-model case draws intervals
 * into up to three trees at random and compares the iterator's gaps with
 * the complement of a bitmap, with the seed printed on a mismatch.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/interval_tree.h>
#include <linux/prandom.h>
#include <linux/random.h>

#include "itree.h"

#define MAX_TREES 3
#define MAX_NODES 8
#define MAX_GAPS 8

struct itree_range {
	unsigned long first, last;
};

/* @nodes[t] holds tree t's intervals, ending at a last of 0 with first 1. */
struct itree_case {
	const char *desc;
	struct itree_range nodes[MAX_TREES][MAX_NODES];
	struct itree_range window;
	struct itree_range gaps[MAX_GAPS];
	unsigned int ngaps;
};

#define END { 1, 0 }
#define TOP ULONG_MAX

static const struct itree_case itree_cases[] = {
	{ "empty trees: the window is one gap",
	  .nodes = { { END }, { END }, { END } },
	  .window = { 10, 20 }, .gaps = { { 10, 20 } }, .ngaps = 1 },
	{ "an empty window has no gap",
	  .nodes = { { END }, { END }, { END } },
	  .window = { 21, 20 }, .ngaps = 0 },
	{ "one interval inside: a gap on each side",
	  .nodes = { { { 12, 15 }, END }, { END }, { END } },
	  .window = { 10, 20 }, .gaps = { { 10, 11 }, { 16, 20 } },
	  .ngaps = 2 },
	{ "intervals covering the window's ends",
	  .nodes = { { { 0, 10 }, { 20, 30 }, END }, { END }, { END } },
	  .window = { 10, 20 }, .gaps = { { 11, 19 } }, .ngaps = 1 },
	{ "adjacent intervals leave no gap between them",
	  .nodes = { { { 10, 14 }, END }, { { 15, 20 }, END }, { END } },
	  .window = { 10, 20 }, .ngaps = 0 },
	{ "overlapping intervals in two trees",
	  .nodes = { { { 10, 16 }, END }, { { 12, 13 }, { 18, 18 }, END },
		     { END } },
	  .window = { 10, 20 }, .gaps = { { 17, 17 }, { 19, 20 } },
	  .ngaps = 2 },
	{ "an interval nested in another of the same tree",
	  .nodes = { { { 10, 30 }, { 12, 14 }, END }, { END }, { END } },
	  .window = { 5, 40 }, .gaps = { { 5, 9 }, { 31, 40 } }, .ngaps = 2 },
	{ "three trees, gaps of one",
	  .nodes = { { { 0, 0 }, { 4, 4 }, END }, { { 2, 2 }, END },
		     { { 6, 7 }, END } },
	  .window = { 0, 7 }, .gaps = { { 1, 1 }, { 3, 3 }, { 5, 5 } },
	  .ngaps = 3 },
	{ "a window ending at ULONG_MAX, free at the top",
	  .nodes = { { { TOP - 10, TOP - 5 }, END }, { END }, { END } },
	  .window = { TOP - 20, TOP },
	  .gaps = { { TOP - 20, TOP - 11 }, { TOP - 4, TOP } }, .ngaps = 2 },
	{ "an interval ending at ULONG_MAX covers the window's end",
	  .nodes = { { { TOP - 5, TOP }, END }, { END }, { END } },
	  .window = { TOP - 20, TOP }, .gaps = { { TOP - 20, TOP - 6 } },
	  .ngaps = 1 },
	{ "the whole space, covered but for its first and last values",
	  .nodes = { { { 1, TOP - 1 }, END }, { END }, { END } },
	  .window = { 0, TOP }, .gaps = { { 0, 0 }, { TOP, TOP } },
	  .ngaps = 2 },
	{ "the whole space, covered",
	  .nodes = { { { 0, TOP }, END }, { END }, { END } },
	  .window = { 0, TOP }, .ngaps = 0 },
};

static void itree_case_desc(const struct itree_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(itree, itree_cases, itree_case_desc);

/* The trees of a case, freed with it. */
struct itree_fixture {
	struct rb_root_cached roots[MAX_TREES];
	struct rb_root_cached *ptrs[MAX_TREES];
	struct interval_tree_node nodes[MAX_TREES * MAX_NODES];
	unsigned int nnodes;
};

static struct itree_fixture *itree_fixture(struct kunit *test)
{
	struct itree_fixture *fx = kunit_kzalloc(test, sizeof(*fx),
						 GFP_KERNEL);
	unsigned int t;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	for (t = 0; t < MAX_TREES; t++) {
		fx->roots[t] = RB_ROOT_CACHED;
		fx->ptrs[t] = &fx->roots[t];
	}
	return fx;
}

static void itree_insert(struct kunit *test, struct itree_fixture *fx,
			 unsigned int t, unsigned long first,
			 unsigned long last)
{
	struct interval_tree_node *node;

	KUNIT_ASSERT_LT(test, fx->nnodes, ARRAY_SIZE(fx->nodes));
	node = &fx->nodes[fx->nnodes++];
	node->start = first;
	node->last = last;
	interval_tree_insert(node, &fx->roots[t]);
}

static void itree_gaps_table(struct kunit *test)
{
	const struct itree_case *c = test->param_value;
	struct itree_fixture *fx = itree_fixture(test);
	const struct itree_range *r;
	struct ioasim_gaps h;
	unsigned int t, n = 0;

	for (t = 0; t < MAX_TREES; t++)
		for (r = c->nodes[t]; r->first <= r->last; r++)
			itree_insert(test, fx, t, r->first, r->last);

	ioasim_gaps_init(&h, fx->ptrs, MAX_TREES, c->window.first,
			 c->window.last);
	while (ioasim_gaps_next(&h)) {
		KUNIT_ASSERT_LT_MSG(test, n, c->ngaps,
				    "an extra gap [%#lx, %#lx]", h.first_free,
				    h.last_free);
		KUNIT_EXPECT_EQ_MSG(test, h.first_free, c->gaps[n].first,
				    "gap %u", n);
		KUNIT_EXPECT_EQ_MSG(test, h.last_free, c->gaps[n].last,
				    "gap %u", n);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, c->ngaps);
	/* A finished iterator stays finished. */
	KUNIT_EXPECT_FALSE(test, ioasim_gaps_next(&h));
}

/* ioasim_itree_gap() alone: the lowest gap from a starting point. */
static void itree_gap_from(struct kunit *test)
{
	struct itree_fixture *fx = itree_fixture(test);
	unsigned long first = 0, last = 0;

	itree_insert(test, fx, 0, 10, 19);
	itree_insert(test, fx, 1, 20, 29);
	KUNIT_EXPECT_TRUE(test, ioasim_itree_gap(fx->ptrs, 2, 15, 40, &first,
						 &last));
	KUNIT_EXPECT_EQ(test, first, 30);
	KUNIT_EXPECT_EQ(test, last, 40);
	/* Covered up to the window's end: no gap, nothing written. */
	first = 7;
	last = 7;
	KUNIT_EXPECT_FALSE(test, ioasim_itree_gap(fx->ptrs, 2, 12, 29, &first,
						  &last));
	KUNIT_EXPECT_EQ(test, first, 7);
	KUNIT_EXPECT_EQ(test, last, 7);
	KUNIT_EXPECT_FALSE(test, ioasim_itree_gap(fx->ptrs, 2, 5, 4, &first,
						  &last));
	/* No trees at all: the window is free. */
	KUNIT_EXPECT_TRUE(test, ioasim_itree_gap(fx->ptrs, 0, 12, 29, &first,
						 &last));
	KUNIT_EXPECT_EQ(test, first, 12);
	KUNIT_EXPECT_EQ(test, last, 29);
}

#define MODEL_SPAN 96
#define MODEL_ROUNDS 300

/*
 * Random intervals in a span near 0 or near ULONG_MAX, random windows:
 * the gaps must be exactly the runs the bitmap of covered values leaves.
 */
static void itree_gaps_model(struct kunit *test)
{
	DECLARE_BITMAP(covered, MODEL_SPAN);
	struct rnd_state rnd;
	u64 seed = get_random_u64();
	unsigned int round;

	prandom_seed_state(&rnd, seed);
	for (round = 0; round < MODEL_ROUNDS; round++) {
		struct itree_fixture *fx = itree_fixture(test);
		unsigned long base = prandom_u32_state(&rnd) % 2 ?
				     0 : ULONG_MAX - (MODEL_SPAN - 1);
		unsigned int ntrees = 1 + prandom_u32_state(&rnd) % MAX_TREES;
		unsigned int nnodes = prandom_u32_state(&rnd) % 10;
		unsigned int i, wf, wl, pos;
		struct ioasim_gaps h;

		bitmap_zero(covered, MODEL_SPAN);
		for (i = 0; i < nnodes; i++) {
			unsigned int f = prandom_u32_state(&rnd) % MODEL_SPAN;
			unsigned int l = f + prandom_u32_state(&rnd) %
					 (MODEL_SPAN - f);

			itree_insert(test, fx, prandom_u32_state(&rnd) % ntrees,
				     base + f, base + l);
			bitmap_set(covered, f, l - f + 1);
		}
		wf = prandom_u32_state(&rnd) % MODEL_SPAN;
		wl = wf + prandom_u32_state(&rnd) % (MODEL_SPAN - wf);

		ioasim_gaps_init(&h, fx->ptrs, ntrees, base + wf, base + wl);
		pos = wf;
		while (ioasim_gaps_next(&h)) {
			unsigned int gf = h.first_free - base;
			unsigned int gl = h.last_free - base;

			/* The values up to the gap are covered, the gap not. */
			KUNIT_ASSERT_EQ_MSG(test, find_next_zero_bit(covered,
								     gf, pos),
					    gf, "seed %llu round %u", seed,
					    round);
			KUNIT_ASSERT_LE_MSG(test, gl, wl, "seed %llu round %u",
					    seed, round);
			KUNIT_ASSERT_EQ_MSG(test, find_next_bit(covered,
								gl + 1, gf),
					    gl + 1, "seed %llu round %u",
					    seed, round);
			/* A gap ends at the window's end or at a cover. */
			KUNIT_ASSERT_TRUE_MSG(test, gl == wl ||
					      test_bit(gl + 1, covered),
					      "seed %llu round %u", seed,
					      round);
			pos = gl + 1;
		}
		/* Nothing free after the last gap. */
		if (pos <= wl)
			KUNIT_ASSERT_EQ_MSG(test,
					    find_next_zero_bit(covered,
							       wl + 1, pos),
					    wl + 1, "seed %llu round %u", seed,
					    round);
		kunit_kfree(test, fx);
	}
}

static struct kunit_case ioasim_itree_cases[] = {
	KUNIT_CASE_PARAM(itree_gaps_table, itree_gen_params),
	KUNIT_CASE(itree_gap_from),
	KUNIT_CASE(itree_gaps_model),
	{}
};

static struct kunit_suite ioasim_itree_suite = {
	.name = "ioasim_itree",
	.test_cases = ioasim_itree_cases,
};

kunit_test_suite(ioasim_itree_suite);
