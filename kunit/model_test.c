// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_model: random operation sequences on two IOASes,
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
 * The seed is printed; a failing run is replayed with the kernel argument
 * ioasim_test.model_seed=<seed> (and ioasim_test.model_steps=<n>).
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sort.h>

#include "helpers.h"
#include "ioas.h"

static ulong model_seed;
module_param(model_seed, ulong, 0444);
MODULE_PARM_DESC(model_seed, "seed of the ioasim_model suite (0: random)");

static uint model_steps = 400;
module_param(model_steps, uint, 0444);
MODULE_PARM_DESC(model_steps, "steps per sequence of the ioasim_model suite");

#define PG PAGE_SIZE
#define UNIVERSE 256		/* fixed IOVAs and ranges fall below this page */
#define MAX_RANGES 512
#define UADDR 0x7f0000000000UL

struct m_area {
	u64 first, last;		/* IOVA, bytes, inclusive */
	struct ioasim_pages *pages;	/* identity of the memory */
	u64 start_byte;
};

struct m_range {
	u64 first, last;
};

struct m_ioas {
	u32 id;
	unsigned int nareas, nreserved, nallowed;
	struct m_area areas[MAX_RANGES];
	struct m_range reserved[MAX_RANGES];
	struct m_range allowed[2];
};

enum m_op { OP_MAP, OP_UNMAP, OP_COPY, OP_RESERVE, OP_UNRESERVE, OP_ALLOW,
	    NR_OPS };

static const char *const m_op_names[NR_OPS] = {
	"map", "unmap", "copy", "reserve", "unreserve", "allow",
};

struct model {
	struct kunit *test;
	unsigned int ok[NR_OPS], failed[NR_OPS];
	struct ioasim_ctx *ctx;
	struct rnd_state rnd;
	u64 seed;
	unsigned int step;
	char op[96];
	struct m_ioas ioas[2];
};

static u32 rnd(struct model *m, u32 n)
{
	return prandom_u32_state(&m->rnd) % n;
}

static bool overlaps(u64 a_first, u64 a_last, u64 b_first, u64 b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

static bool hits_areas(struct m_ioas *io, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < io->nareas; i++)
		if (overlaps(io->areas[i].first, io->areas[i].last, first, last))
			return true;
	return false;
}

static bool hits_ranges(const struct m_range *r, unsigned int n, u64 first,
			u64 last)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (overlaps(r[i].first, r[i].last, first, last))
			return true;
	return false;
}

static int cmp_area(const void *a, const void *b)
{
	const struct m_area *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static void m_add_area(struct m_ioas *io, const struct m_area *a)
{
	io->areas[io->nareas++] = *a;
	sort(io->areas, io->nareas, sizeof(*a), cmp_area, NULL);
}

/* Lowest page-aligned fit of @len bytes, as the allocator must find it. */
static bool m_lowest_fit(struct m_ioas *io, u64 len, u64 *iova)
{
	struct m_range win[2] = { { PG, ULONG_MAX - PG } };
	unsigned int nwin = 1, w, i;
	u64 c;

	if (io->nallowed) {
		nwin = io->nallowed;
		memcpy(win, io->allowed, sizeof(win));
		/* Adjacent allowed ranges form one window. */
		if (nwin == 2 && win[0].last + 1 == win[1].first) {
			win[0].last = win[1].last;
			nwin = 1;
		}
	}
	for (w = 0; w < nwin; w++) {
		c = max_t(u64, win[w].first, PG);
		while (c <= win[w].last && win[w].last - c >= len - 1) {
			u64 last = c + len - 1, next = 0;

			for (i = 0; i < io->nareas; i++)
				if (overlaps(io->areas[i].first,
					     io->areas[i].last, c, last))
					next = max(next, io->areas[i].last + 1);
			for (i = 0; i < io->nreserved; i++)
				if (overlaps(io->reserved[i].first,
					     io->reserved[i].last, c, last))
					next = max(next,
						   io->reserved[i].last + 1);
			if (!next) {
				*iova = c;
				return true;
			}
			c = ALIGN(next, PG);
		}
	}
	return false;
}

static int m_fixed_check(struct m_ioas *io, u64 iova, u64 len)
{
	if (hits_ranges(io->reserved, io->nreserved, iova, iova + len - 1))
		return -EINVAL;
	if (hits_areas(io, iova, iova + len - 1))
		return -EEXIST;
	return 0;
}

static void check_rc(struct model *m, enum m_op op, int got, int want)
{
	KUNIT_ASSERT_EQ_MSG(m->test, got, want,
			    "seed %llu step %u: %s returned %d, model says %d",
			    m->seed, m->step, m->op, got, want);
	if (got)
		m->failed[op]++;
	else
		m->ok[op]++;
}

static void op_map(struct model *m, struct m_ioas *io)
{
	bool fixed = rnd(m, 2);
	u64 len = (1 + rnd(m, 16)) * PG, iova = fixed ? rnd(m, UNIVERSE) * PG : 0;
	unsigned long uptr = UADDR + rnd(m, 1024) * PG;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = io->id,
		.user_va = uptr,
		.length = len,
		.iova = iova,
	};
	struct m_area a = { .start_byte = 0 };
	int want;

	snprintf(m->op, sizeof(m->op), "map ioas %u %s iova %llx len %llx",
		 io->id, fixed ? "fixed" : "auto", iova, len);
	want = fixed ? m_fixed_check(io, iova, len) :
		       (m_lowest_fit(io, len, &iova) ? 0 : -ENOSPC);
	check_rc(m, OP_MAP, ioasim_ioas_map(m->ctx, &cmd), want);
	if (want)
		return;
	KUNIT_ASSERT_EQ_MSG(m->test, cmd.iova, iova,
			    "seed %llu step %u: %s placed at %llx", m->seed,
			    m->step, m->op, cmd.iova);
	a.first = iova;
	a.last = iova + len - 1;
	a.pages = NULL;	/* learned from the IOAS in the next check */
	m_add_area(io, &a);
}

static void op_unmap(struct model *m, struct m_ioas *io)
{
	bool all = !rnd(m, 16);
	u64 first = all ? 0 : rnd(m, UNIVERSE) * PG;
	u64 len = all ? U64_MAX : (1 + rnd(m, 32)) * PG;
	u64 last = all ? ULONG_MAX : first + len - 1, bytes = 0;
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = io->id, .iova = first,
		.length = len,
	};
	unsigned int i, kept = 0;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "unmap ioas %u iova %llx len %llx",
		 io->id, first, len);
	for (i = 0; i < io->nareas; i++) {
		struct m_area *a = &io->areas[i];

		if (!overlaps(a->first, a->last, first, last))
			continue;
		if (a->first < first || a->last > last)
			want = -ENOENT;
		bytes += a->last - a->first + 1;
	}
	if (!want && !bytes && !all)
		want = -ENOENT;
	check_rc(m, OP_UNMAP, ioasim_ioas_unmap(m->ctx, &cmd), want);
	if (want)
		return;
	KUNIT_ASSERT_EQ(m->test, cmd.length, bytes);
	for (i = 0; i < io->nareas; i++)
		if (!overlaps(io->areas[i].first, io->areas[i].last, first,
			      last))
			io->areas[kept++] = io->areas[i];
	io->nareas = kept;
}

static void op_copy(struct model *m, struct m_ioas *src, struct m_ioas *dst)
{
	bool fixed = rnd(m, 2);
	u64 src_iova = rnd(m, UNIVERSE) * PG, len = (1 + rnd(m, 8)) * PG;
	u64 iova = fixed ? rnd(m, UNIVERSE) * PG : 0, cur = src_iova;
	u64 src_last = src_iova + len - 1;
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.dst_ioas_id = dst->id,
		.src_ioas_id = src->id,
		.length = len,
		.dst_iova = iova,
		.src_iova = src_iova,
	};
	struct m_area pieces[8];
	unsigned int n = 0, i;
	bool covered = false;
	int want = 0;

	snprintf(m->op, sizeof(m->op),
		 "copy ioas %u %llx+%llx to ioas %u %s %llx", src->id,
		 src_iova, len, dst->id, fixed ? "fixed" : "auto", iova);
	/* The source must be mapped without a gap. */
	for (i = 0; i < src->nareas; i++) {
		struct m_area *a = &src->areas[i];

		if (a->last < cur)
			continue;
		if (a->first > cur)
			break;
		pieces[n].first = cur;
		pieces[n].last = min(a->last, src_last);
		pieces[n].pages = a->pages;
		pieces[n].start_byte = a->start_byte + (cur - a->first);
		n++;
		if (a->last >= src_last) {
			covered = true;
			break;
		}
		cur = a->last + 1;
	}
	if (!covered)
		want = -ENOENT;
	else if (fixed)
		want = m_fixed_check(dst, iova, len);
	else if (!m_lowest_fit(dst, len, &iova))
		want = -ENOSPC;
	check_rc(m, OP_COPY, ioasim_ioas_copy(m->ctx, &cmd), want);
	if (want)
		return;
	KUNIT_ASSERT_EQ(m->test, cmd.dst_iova, iova);
	for (i = 0; i < n; i++) {
		u64 first = iova + (pieces[i].first - src_iova);

		pieces[i].last = first + (pieces[i].last - pieces[i].first);
		pieces[i].first = first;
		m_add_area(dst, &pieces[i]);
	}
}

static void op_reserve(struct model *m, struct m_ioas *io)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);
	u64 first = rnd(m, UNIVERSE) * PG, last = first + rnd(m, 8) * PG + PG - 1;
	int want = 0;

	KUNIT_ASSERT_FALSE(m->test, IS_ERR(ioas));
	KUNIT_ASSERT_LT(m->test, io->nreserved, MAX_RANGES);
	snprintf(m->op, sizeof(m->op), "reserve ioas %u [%llx, %llx]", io->id,
		 first, last);
	if (hits_areas(io, first, last) ||
	    hits_ranges(io->allowed, io->nallowed, first, last))
		want = -EADDRINUSE;
	check_rc(m, OP_RESERVE, ioasim_space_reserve(&ioas->space, first, last, m), want);
	if (!want) {
		io->reserved[io->nreserved].first = first;
		io->reserved[io->nreserved].last = last;
		io->nreserved++;
	}
	ioasim_ioas_put(m->ctx, ioas);
}

static void op_unreserve(struct model *m, struct m_ioas *io)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);

	KUNIT_ASSERT_FALSE(m->test, IS_ERR(ioas));
	snprintf(m->op, sizeof(m->op), "unreserve ioas %u", io->id);
	ioasim_space_unreserve(&ioas->space, m);
	io->nreserved = 0;
	m->ok[OP_UNRESERVE]++;
	ioasim_ioas_put(m->ctx, ioas);
}

static void op_allow(struct model *m, struct m_ioas *io)
{
	struct iommu_iova_range r[2];
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = io->id,
	};
	unsigned int i;
	u64 at = 0;
	int want = 0;

	cmd.num_iovas = rnd(m, 3);
	for (i = 0; i < cmd.num_iovas; i++) {
		/* Sorted and disjoint, possibly adjacent. */
		r[i].start = at + rnd(m, 2) * rnd(m, 64) * PG;
		r[i].last = r[i].start + (2 + rnd(m, 64)) * PG - 1;
		at = r[i].last + 1;
		if (hits_ranges(io->reserved, io->nreserved, r[i].start,
				r[i].last))
			want = -EADDRINUSE;
	}
	snprintf(m->op, sizeof(m->op), "allow ioas %u, %u ranges", io->id,
		 cmd.num_iovas);
	check_rc(m, OP_ALLOW, ioasim_ioas_allow_iovas(m->ctx, &cmd, r), want);
	if (want)
		return;
	io->nallowed = cmd.num_iovas;
	for (i = 0; i < cmd.num_iovas; i++) {
		io->allowed[i].first = r[i].start;
		io->allowed[i].last = r[i].last;
	}
}

/* The IOAS must hold exactly the model's areas; learn new pages objects. */
static void check_areas(struct model *m, struct m_ioas *io)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);
	struct interval_tree_node *node;
	unsigned int i = 0;

	KUNIT_ASSERT_FALSE(m->test, IS_ERR(ioas));
	down_read(&ioas->space.lock);
	for (node = interval_tree_iter_first(&ioas->space.areas, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX), i++) {
		struct ioasim_area *area =
			container_of(node, struct ioasim_area, node);
		struct m_area *a = &io->areas[i];

		if (i >= io->nareas)
			break;
		if (!a->pages)
			a->pages = area->pages;
		if (node->start != a->first || node->last != a->last ||
		    area->pages != a->pages ||
		    area->start_byte != a->start_byte)
			break;
	}
	up_read(&ioas->space.lock);
	ioasim_ioas_put(m->ctx, ioas);
	KUNIT_ASSERT_TRUE_MSG(m->test, !node && i == io->nareas,
			      "seed %llu step %u: after %s, ioas %u area %u differs from the model (%u areas expected)",
			      m->seed, m->step, m->op, io->id, i, io->nareas);
}

/* Unreserved IOVA as IOVA_RANGES reports it, against the model's. */
static void check_ranges(struct model *m, struct m_ioas *io)
{
	struct iommu_iova_range *got;
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = io->id,
		.num_iovas = MAX_RANGES + 1,
	};
	u64 cur = 0;
	unsigned int i;

	got = kunit_kcalloc(m->test, MAX_RANGES + 1, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(m->test, got);
	KUNIT_ASSERT_EQ(m->test, ioasim_ioas_iova_ranges(m->ctx, &cmd, got), 0);
	/* Every reported hole is free, and every gap between holes is not. */
	for (i = 0; i < cmd.num_iovas; i++) {
		KUNIT_ASSERT_FALSE_MSG(m->test,
				       hits_ranges(io->reserved, io->nreserved,
						   got[i].start, got[i].last),
				       "seed %llu step %u: range %u is reserved",
				       m->seed, m->step, i);
		if (got[i].start > cur)
			KUNIT_ASSERT_TRUE_MSG(m->test,
					      hits_ranges(io->reserved,
							  io->nreserved, cur,
							  cur),
					      "seed %llu step %u: %llx missing",
					      m->seed, m->step, cur);
		cur = got[i].last + 1;
	}
	kunit_kfree(m->test, got);
}

static void check_pages_refs(struct model *m)
{
	unsigned int s, i, t, j, users;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < m->ioas[s].nareas; i++) {
			struct ioasim_pages *p = m->ioas[s].areas[i].pages;

			users = 0;
			for (t = 0; t < 2; t++)
				for (j = 0; j < m->ioas[t].nareas; j++)
					users += m->ioas[t].areas[j].pages == p;
			KUNIT_ASSERT_EQ_MSG(m->test, kref_read(&p->kref), users,
					    "seed %llu step %u: after %s",
					    m->seed, m->step, m->op);
		}
	}
}

static void model_run(struct kunit *test, u64 seed, unsigned int steps,
		      unsigned int *ok, unsigned int *failed)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option off = {
		.size = sizeof(off), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .val64 = 0,
	};
	unsigned int s;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	m->seed = seed;
	m->ctx = ioasim_test_ctx(test);
	prandom_seed_state(&m->rnd, seed);
	for (s = 0; s < 2; s++) {
		KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(m->ctx, &alloc), 0);
		m->ioas[s].id = alloc.out_ioas_id;
		off.object_id = alloc.out_ioas_id;
		KUNIT_ASSERT_EQ(test, ioasim_option(m->ctx, &off), 0);
	}

	for (m->step = 0; m->step < steps; m->step++) {
		struct m_ioas *io = &m->ioas[rnd(m, 2)];
		u32 op = rnd(m, 100);

		if (op < 35)
			op_map(m, io);
		else if (op < 60)
			op_unmap(m, io);
		else if (op < 80)
			op_copy(m, &m->ioas[0], io);
		else if (op < 90)
			op_reserve(m, io);
		else if (op < 94)
			op_unreserve(m, io);
		else
			op_allow(m, io);
		check_areas(m, &m->ioas[0]);
		check_areas(m, &m->ioas[1]);
		check_ranges(m, io);
		check_pages_refs(m);
	}
	for (s = 0; s < NR_OPS; s++) {
		ok[s] += m->ok[s];
		failed[s] += m->failed[s];
	}
}

static void model_random_sequences(struct kunit *test)
{
	u64 base = model_seed ?: get_random_u32();
	unsigned int i, runs = model_seed ? 1 : 8;
	unsigned int ok[NR_OPS] = {}, failed[NR_OPS] = {};

	kunit_info(test, "seed %llu, %u runs of %u steps (replay: ioasim_test.model_seed=%llu)\n",
		   base, runs, model_steps, base);
	for (i = 0; i < runs; i++)
		model_run(test, base + i, model_steps, ok, failed);
	for (i = 0; i < NR_OPS; i++) {
		kunit_info(test, "%-9s %5u succeeded, %5u refused\n",
			   m_op_names[i], ok[i], failed[i]);
		/* A sequence that never gets past the checks proves little. */
		KUNIT_EXPECT_GT(test, ok[i], 0);
	}
}

static int model_init(struct kunit *test)
{
	/* IOAS commands run with the caller's mm. */
	ioasim_test_user_mem(test, PAGE_SIZE, PROT_READ);
	return 0;
}

static struct kunit_case ioasim_model_cases[] = {
	KUNIT_CASE(model_random_sequences),
	{}
};

static struct kunit_suite ioasim_model_suite = {
	.name = "ioasim_model",
	.init = model_init,
	.test_cases = ioasim_model_cases,
};

kunit_test_suite(ioasim_model_suite);
