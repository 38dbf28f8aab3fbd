// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite ioasim_model: random operation sequences on two IOASes,
 * three mock VFIO devices and a pinning access, checked after every step
 * against a shadow model.
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
 * The access pins and unpins ranges and moves between the IOASes; its
 * driver unpins when asked. After every step: each attached device reads
 * through its domain the user address stored at the start of a random
 * mapped page and faults on an unmapped one, each domain maps exactly its
 * IOAS's areas, the number of HWPTs is the number of (IOAS, kind) pairs
 * in use, and every pages object pins exactly the indexes that domains or
 * access pins need, each once.
 *
 * The seed is printed; a failing run is replayed with the kernel argument
 * ioasim_test.model_seed=<seed> (and ioasim_test.model_steps=<n>).
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/uaccess.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sort.h>

#include "access.h"
#include "device.h"
#include "helpers.h"
#include "ioas.h"
#include "mock.h"
#include "vfio.h"

static ulong model_seed;
module_param(model_seed, ulong, 0444);
MODULE_PARM_DESC(model_seed, "seed of the ioasim_model suite (0: random)");

static uint model_steps = 400;
module_param(model_steps, uint, 0444);
MODULE_PARM_DESC(model_steps, "steps per sequence of the ioasim_model suite");

#define PG PAGE_SIZE
#define UNIVERSE 256		/* fixed IOVAs and ranges fall below this page */
#define MAX_RANGES 512
#define UPAGES (1024 + 16)	/* user memory: maps start in the first 1024 */
#define HI SZ_4G		/* fixed maps sometimes go here, above ... */
#define SMALL_LAST IOASIM_MOCK_SMALL_APERTURE_LAST /* ... this aperture */
#define NDEVS 3			/* the last one is of the small kind */
#define MAX_PINS 64

struct m_area {
	u64 first, last;		/* IOVA, bytes, inclusive */
	struct ioasim_pages *pages;	/* identity of the memory */
	u64 start_byte;
	u64 uva;			/* user address of the first byte */
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
	    OP_ATTACH, OP_DETACH, OP_PIN, OP_UNPIN, OP_MOVE, NR_OPS };

static const char *const m_op_names[NR_OPS] = {
	"map", "unmap", "copy", "reserve", "unreserve", "allow",
	"attach", "detach", "pin", "unpin", "move",
};

struct m_dev {
	struct ioasim_mock_vfio *vfio;
	int ioas;			/* index of the IOAS attached to, or -1 */
	u32 pt;				/* the HWPT attached to */
};

struct m_pin {
	u64 iova, len;
};

struct model;

struct m_access {
	struct model *m;
	struct ioasim_access *access;
	int ioas;
	unsigned int npins;
	struct m_pin pins[MAX_PINS];
};

struct model {
	struct kunit *test;
	unsigned int ok[NR_OPS], failed[NR_OPS];
	struct ioasim_ctx *ctx;
	struct rnd_state rnd;
	u64 seed;
	unsigned int step;
	char op[96];
	unsigned long ubase;
	struct m_ioas ioas[2];
	struct m_dev dev[NDEVS];
	struct m_access acc;
};

static bool small_kind(unsigned int d)
{
	return d == NDEVS - 1;
}

/* Is a device of the small kind attached to IOAS @s? */
static bool small_on(struct model *m, int s)
{
	return m->dev[NDEVS - 1].ioas == s;
}

struct model_fixture {
	unsigned long ubase;
	struct ioasim_mock_dev *mdev[NDEVS];
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

static int m_fixed_check(struct model *m, struct m_ioas *io, u64 iova,
			 u64 len)
{
	if (hits_ranges(io->reserved, io->nreserved, iova, iova + len - 1))
		return -EINVAL;
	/* Outside the small aperture is reserved while such a domain is on. */
	if (small_on(m, io - m->ioas) && iova + len - 1 > SMALL_LAST)
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
	bool fixed = rnd(m, 2), hi = fixed && !rnd(m, 16);
	u64 len = (1 + rnd(m, 16)) * PG;
	u64 iova = hi ? HI + rnd(m, 16) * PG :
		   fixed ? rnd(m, UNIVERSE) * PG : 0;
	unsigned long uptr = m->ubase + rnd(m, 1024) * PG;
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
	want = fixed ? m_fixed_check(m, io, iova, len) :
		       (m_lowest_fit(io, len, &iova) ? 0 : -ENOSPC);
	check_rc(m, OP_MAP, ioasim_ioas_map(m->ctx, &cmd), want);
	if (want)
		return;
	KUNIT_ASSERT_EQ_MSG(m->test, cmd.iova, iova,
			    "seed %llu step %u: %s placed at %llx", m->seed,
			    m->step, m->op, cmd.iova);
	a.first = iova;
	a.last = iova + len - 1;
	a.uva = uptr;
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
		pieces[n].uva = a->uva + (cur - a->first);
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
		want = m_fixed_check(m, dst, iova, len);
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

/*
 * Reserved in the model: its own reservations, and what lies outside the
 * aperture of an attached domain.
 */
static bool m_reserved(struct model *m, struct m_ioas *io, u64 first,
		       u64 last)
{
	int s = io - m->ioas;
	unsigned int d;

	if (hits_ranges(io->reserved, io->nreserved, first, last))
		return true;
	for (d = 0; d < NDEVS; d++) {
		u64 top = small_kind(d) ? SMALL_LAST : IOASIM_MOCK_APERTURE_LAST;

		if (m->dev[d].ioas == s && last > top)
			return true;
	}
	return false;
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
				       m_reserved(m, io, got[i].start,
						  got[i].last),
				       "seed %llu step %u: range %u is reserved",
				       m->seed, m->step, i);
		if (got[i].start > cur)
			KUNIT_ASSERT_TRUE_MSG(m->test,
					      m_reserved(m, io, cur, cur),
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

/* The model's area of IOAS @s holding @iova, or NULL. */
static struct m_area *m_area_at(struct model *m, int s, u64 iova)
{
	struct m_ioas *io = &m->ioas[s];
	unsigned int i;

	for (i = 0; i < io->nareas; i++)
		if (io->areas[i].first <= iova && iova <= io->areas[i].last)
			return &io->areas[i];
	return NULL;
}

static void op_attach(struct model *m)
{
	unsigned int d = rnd(m, NDEVS), e;
	struct m_dev *dev = &m->dev[d];
	int s = rnd(m, 2), want = 0;
	u32 pt = m->ioas[s].id, want_pt = 0;
	unsigned int i;

	snprintf(m->op, sizeof(m->op), "%s device %u to ioas %u",
		 dev->ioas < 0 ? "attach" : "replace", d, m->ioas[s].id);
	for (e = 0; e < NDEVS; e++)
		if (m->dev[e].ioas == s &&
		    small_kind(e) == small_kind(d))
			want_pt = m->dev[e].pt;
	if (!want_pt && small_kind(d)) {
		for (i = 0; i < m->ioas[s].nareas; i++)
			if (m->ioas[s].areas[i].last > SMALL_LAST)
				want = -EADDRINUSE;
	}
	check_rc(m, OP_ATTACH, ioasim_mock_vfio_attach(dev->vfio, &pt), want);
	if (want)
		return;
	if (want_pt) {
		KUNIT_ASSERT_EQ_MSG(m->test, pt, want_pt,
				    "seed %llu step %u: %s: not the shared HWPT",
				    m->seed, m->step, m->op);
	} else {
		for (e = 0; e < NDEVS; e++)
			KUNIT_ASSERT_TRUE_MSG(m->test,
					      e == d || m->dev[e].ioas < 0 ||
					      m->dev[e].pt != pt,
					      "seed %llu step %u: %s: HWPT %u shared",
					      m->seed, m->step, m->op, pt);
	}
	dev->ioas = s;
	dev->pt = pt;
}

static void op_detach(struct model *m)
{
	unsigned int d = rnd(m, NDEVS);

	snprintf(m->op, sizeof(m->op), "detach device %u", d);
	check_rc(m, OP_DETACH, ioasim_mock_vfio_detach(m->dev[d].vfio), 0);
	m->dev[d].ioas = -1;
}

/* The access's driver: unpin whatever it pinned in the range. */
static void m_access_unmap(void *data, unsigned long iova,
			   unsigned long length)
{
	struct m_access *acc = data;
	unsigned int i, kept = 0;

	for (i = 0; i < acc->npins; i++) {
		struct m_pin *p = &acc->pins[i];

		if (p->iova + p->len - 1 < iova ||
		    p->iova > iova + (length - 1)) {
			acc->pins[kept++] = *p;
			continue;
		}
		KUNIT_EXPECT_EQ(acc->m->test,
				ioasim_access_unpin_pages(acc->access, p->iova,
							  p->len), 0);
	}
	acc->npins = kept;
}

KUNIT_DEFINE_ACTION_WRAPPER(access_destroy_action, ioasim_access_destroy,
			    struct ioasim_access *);

static const struct ioasim_access_ops m_access_ops = {
	.needs_pin_pages = true,
	.unmap = m_access_unmap,
};

static u64 page_word(struct page *page)
{
	u64 *va = kmap_local_page(page), v = *va;

	kunmap_local(va);
	return v;
}

static void op_pin(struct model *m)
{
	struct m_access *acc = &m->acc;
	u64 iova = rnd(m, UNIVERSE) * PG, len = (1 + rnd(m, 4)) * PG, cur;
	struct page *pages[4];
	unsigned int k;
	int want = 0;

	if (acc->npins == MAX_PINS)
		return;
	snprintf(m->op, sizeof(m->op), "pin ioas %u %llx+%llx",
		 m->ioas[acc->ioas].id, iova, len);
	for (cur = iova; cur < iova + len; cur += PG)
		if (!m_area_at(m, acc->ioas, cur))
			want = -ENOENT;
	check_rc(m, OP_PIN, ioasim_access_pin_pages(acc->access, iova, len,
						    pages, 0), want);
	if (want)
		return;
	for (k = 0; k < len / PG; k++) {
		struct m_area *a = m_area_at(m, acc->ioas, iova + k * PG);

		KUNIT_ASSERT_EQ_MSG(m->test, page_word(pages[k]),
				    a->uva + (iova + k * PG - a->first),
				    "seed %llu step %u: %s: page %u",
				    m->seed, m->step, m->op, k);
	}
	acc->pins[acc->npins].iova = iova;
	acc->pins[acc->npins++].len = len;
}

static void op_unpin(struct model *m)
{
	struct m_access *acc = &m->acc;
	struct m_pin p;
	unsigned int i;

	if (!acc->npins)
		return;
	i = rnd(m, acc->npins);
	p = acc->pins[i];
	snprintf(m->op, sizeof(m->op), "unpin %llx+%llx", p.iova, p.len);
	acc->pins[i] = acc->pins[--acc->npins];
	check_rc(m, OP_UNPIN, ioasim_access_unpin_pages(acc->access, p.iova,
							p.len), 0);
}

static void op_move(struct model *m)
{
	struct m_access *acc = &m->acc;
	int s = !acc->ioas;

	snprintf(m->op, sizeof(m->op), "move access to ioas %u",
		 m->ioas[s].id);
	check_rc(m, OP_MOVE, ioasim_access_replace(acc->access, m->ioas[s].id),
		 0);
	KUNIT_ASSERT_EQ(m->test, acc->npins, 0);
	acc->ioas = s;
}

/*
 * Through every attached device: a random mapped page reads the user
 * address stored at its start, an unmapped one faults, and the domain maps
 * exactly the IOAS's areas. Detached devices are blocked.
 */
static void check_devices(struct model *m)
{
	unsigned int d, e, pairs = 0;

	for (d = 0; d < NDEVS; d++) {
		struct m_dev *dev = &m->dev[d];
		struct m_ioas *io;
		struct m_area *a;
		u64 v, bytes = 0, iova;
		unsigned int i;
		int rc;

		if (dev->ioas < 0) {
			rc = ioasim_mock_vfio_dma(dev->vfio, PG, &v, 8, false);
			KUNIT_ASSERT_EQ(m->test, rc, -EPERM);
			continue;
		}
		/* Count each (IOAS, kind) pair once. */
		for (e = 0; e < d; e++)
			if (m->dev[e].ioas == dev->ioas &&
			    small_kind(e) == small_kind(d))
				break;
		pairs += e == d;

		io = &m->ioas[dev->ioas];
		for (i = 0; i < io->nareas; i++)
			bytes += io->areas[i].last - io->areas[i].first + 1;
		KUNIT_ASSERT_EQ_MSG(m->test,
				    ioasim_mock_mapped_pages(ioasim_test_hwpt_domain(m->ctx,
										     dev->pt)),
				    bytes / IOASIM_MOCK_IO_PAGE_SIZE,
				    "seed %llu step %u: after %s, device %u",
				    m->seed, m->step, m->op, d);
		if (io->nareas) {
			a = &io->areas[rnd(m, io->nareas)];
			iova = a->first + rnd(m, (a->last - a->first + 1) / PG) *
			       PG;
			rc = ioasim_mock_vfio_dma(dev->vfio, iova, &v, 8,
						  false);
			KUNIT_ASSERT_EQ(m->test, rc, 0);
			KUNIT_ASSERT_EQ_MSG(m->test, v, a->uva + (iova - a->first),
					    "seed %llu step %u: after %s, device %u at %llx",
					    m->seed, m->step, m->op, d, iova);
		}
		iova = rnd(m, UNIVERSE) * PG;
		if (!m_area_at(m, dev->ioas, iova))
			KUNIT_ASSERT_EQ(m->test,
					ioasim_mock_vfio_dma(dev->vfio, iova,
							     &v, 8, false),
					-EFAULT);
	}
	KUNIT_ASSERT_EQ_MSG(m->test,
			    ioasim_test_count(m->ctx, &ioasim_hwpt_paging_type),
			    pairs, "seed %llu step %u: after %s", m->seed,
			    m->step, m->op);
}

/* Mark in @bits the indexes of @a's pages behind [first, last]. */
static void mark_pages(struct m_area *a, u64 first, u64 last,
		       unsigned long *bits)
{
	u64 i = (a->start_byte + (first - a->first)) >> PAGE_SHIFT;
	u64 end = (a->start_byte + (last - a->first)) >> PAGE_SHIFT;

	for (; i <= end; i++)
		__set_bit(i, bits);
}

/*
 * Every pages object pins exactly the indexes some domain's areas or some
 * access pin cover, each once, and keeps its own entry only for those no
 * domain holds (DESIGN: no per-page state once a domain maps the page).
 */
static void check_pinned(struct model *m)
{
	unsigned int s, i, j, d, k;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < m->ioas[s].nareas; i++) {
			struct ioasim_pages *p = m->ioas[s].areas[i].pages;
			unsigned long dom = 0, acc = 0;
			unsigned int t;

			KUNIT_ASSERT_LE(m->test, p->npages, BITS_PER_LONG);
			for (t = 0; t < 2; t++) {
				bool domains = false;

				for (d = 0; d < NDEVS; d++)
					domains |= m->dev[d].ioas == t;
				for (j = 0; domains && j < m->ioas[t].nareas;
				     j++) {
					struct m_area *a = &m->ioas[t].areas[j];

					if (a->pages == p)
						mark_pages(a, a->first,
							   a->last, &dom);
				}
			}
			for (j = 0; j < m->acc.npins; j++) {
				struct m_pin *pin = &m->acc.pins[j];
				u64 cur;

				for (cur = pin->iova;
				     cur < pin->iova + pin->len; cur += PG) {
					struct m_area *a =
						m_area_at(m, m->acc.ioas, cur);

					if (a->pages == p)
						mark_pages(a, cur, cur, &acc);
				}
			}
			for (k = 0; k < p->npages; k++) {
				KUNIT_ASSERT_EQ_MSG(m->test,
						    !!ioasim_pages_page(p, k),
						    !!((dom | acc) & BIT(k)),
						    "seed %llu step %u: after %s, index %u pinned?",
						    m->seed, m->step, m->op, k);
				KUNIT_ASSERT_EQ_MSG(m->test,
						    !!xa_load(&p->pinned, k),
						    !!((acc & ~dom) & BIT(k)),
						    "seed %llu step %u: after %s, index %u stored?",
						    m->seed, m->step, m->op, k);
			}
			KUNIT_ASSERT_EQ(m->test, p->npinned,
					hweight_long(dom | acc));
		}
	}
}

static void model_run(struct kunit *test, u64 seed, unsigned int steps,
		      unsigned int *ok, unsigned int *failed)
{
	struct model_fixture *fx = test->priv;
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option off = {
		.size = sizeof(off), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .val64 = 0,
	};
	unsigned int s, d;
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	m->seed = seed;
	m->ubase = fx->ubase;
	m->ctx = ioasim_test_ctx(test);
	prandom_seed_state(&m->rnd, seed);
	for (s = 0; s < 2; s++) {
		KUNIT_ASSERT_EQ(test, ioasim_ioas_alloc(m->ctx, &alloc), 0);
		m->ioas[s].id = alloc.out_ioas_id;
		off.object_id = alloc.out_ioas_id;
		KUNIT_ASSERT_EQ(test, ioasim_option(m->ctx, &off), 0);
	}
	for (d = 0; d < NDEVS; d++) {
		m->dev[d].vfio = ioasim_test_vfio(test, fx->mdev[d]);
		m->dev[d].ioas = -1;
		KUNIT_ASSERT_EQ(test, ioasim_mock_vfio_bind(m->dev[d].vfio,
							    m->ctx, &id), 0);
	}
	m->acc.m = m;
	m->acc.access = ioasim_access_create(m->ctx, &m_access_ops, &m->acc,
					     &id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->acc.access));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							access_destroy_action,
							m->acc.access), 0);
	KUNIT_ASSERT_EQ(test, ioasim_access_attach(m->acc.access,
						   m->ioas[0].id), 0);

	for (m->step = 0; m->step < steps; m->step++) {
		struct m_ioas *io = &m->ioas[rnd(m, 2)];
		u32 op = rnd(m, 100);

		if (op < 25)
			op_map(m, io);
		else if (op < 43)
			op_unmap(m, io);
		else if (op < 57)
			op_copy(m, &m->ioas[0], io);
		else if (op < 64)
			op_reserve(m, io);
		else if (op < 67)
			op_unreserve(m, io);
		else if (op < 71)
			op_allow(m, io);
		else if (op < 81)
			op_attach(m);
		else if (op < 86)
			op_detach(m);
		else if (op < 94)
			op_pin(m);
		else if (op < 98)
			op_unpin(m);
		else
			op_move(m);
		check_areas(m, &m->ioas[0]);
		check_areas(m, &m->ioas[1]);
		check_ranges(m, io);
		check_pages_refs(m);
		check_devices(m);
		check_pinned(m);
	}
	/* The devices move on to the next run's context. */
	kunit_release_action(test, access_destroy_action, m->acc.access);
	for (d = 0; d < NDEVS; d++)
		ioasim_mock_vfio_release(m->dev[d].vfio);
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
						   0);
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
