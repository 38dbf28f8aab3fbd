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

static uint model_seconds;
module_param(model_seconds, uint, 0444);
MODULE_PARM_DESC(model_seconds,
		 "keep running sequences for this long (0: a fixed count)");

#define PG PAGE_SIZE
#define UNIVERSE 256		/* fixed IOVAs and ranges fall below this page */
#define MAX_RANGES 512
#define UPAGES (1024 + 16)	/* user memory: maps start in the first 1024 */
#define HI SZ_4G		/* fixed maps sometimes go here, above ... */
#define SMALL_LAST IOASIM_MOCK_SMALL_APERTURE_LAST /* ... this aperture */
#define NDEVS 3			/* the last one is of the small kind */
#define MAX_PINS 64
#define FIXED_SEED 20261121

enum m_op { OP_MAP, OP_UNMAP, OP_COPY, OP_RESERVE, OP_UNRESERVE, OP_ALLOW,
	    OP_ATTACH, OP_DETACH, OP_PIN, OP_UNPIN, OP_MOVE, OP_DESTROY_IOAS,
	    OP_NEW_ACCESS, NR_OPS };

static const char *const m_op_names[NR_OPS] = {
	"map", "unmap", "copy", "reserve", "unreserve", "allow",
	"attach", "detach", "pin", "unpin", "move", "destroy_ioas",
	"new_access",
};

/* The same names as C, for the printed KUnit case. */
static const char *const m_op_enums[NR_OPS] = {
	"OP_MAP", "OP_UNMAP", "OP_COPY", "OP_RESERVE", "OP_UNRESERVE",
	"OP_ALLOW", "OP_ATTACH", "OP_DETACH", "OP_PIN", "OP_UNPIN",
	"OP_MOVE", "OP_DESTROY_IOAS", "OP_NEW_ACCESS",
};

/**
 * struct m_step - one operation, complete in itself
 * @op: enum m_op
 * @ioas: the IOAS worked on (0 or 1); a copy's destination, from IOAS 0
 * @dev: the device of an attach or detach
 * @mode: map and copy: 0 automatic IOVA, 1 fixed, 2 fixed above 4 GiB;
 *	unmap: 1 everything
 * @p: page numbers and counts, per operation (see the gen_ functions)
 */
struct m_step {
	u8 op;
	u8 ioas;
	u8 dev;
	u8 mode;
	u16 p[4];
};

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

struct m_dev {
	struct ioasim_mock_vfio vfio;
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

/**
 * struct model - the shadow state of one run
 * @test: the running case
 * @ok: operations that succeeded, per op
 * @failed: operations refused as the model predicted, per op
 * @ctx: the context under test
 * @rnd: the generator of steps
 * @step: the step running
 * @op: the step in words, for messages
 * @why: the first disagreement, empty while there is none
 * @kind: its kind: a shrunk sequence must keep it
 * @planted: a deliberately wrong prediction (testing the shrinker)
 * @ubase: user memory; every page holds its own address
 * @ioas: the two IOASes
 * @dev: the three devices
 * @acc: the access
 */
struct model {
	struct kunit *test;
	unsigned int ok[NR_OPS], failed[NR_OPS];
	struct ioasim_ctx *ctx;
	struct rnd_state rnd;
	unsigned int step;
	char op[96];
	char why[192];
	const char *kind;
	bool planted;
	unsigned long ubase;
	struct m_ioas ioas[2];
	struct m_dev dev[NDEVS];
	struct m_access acc;
};

struct model_fixture {
	unsigned long ubase;
	struct ioasim_mock_dev *mdev[NDEVS];
};

/* Record the first disagreement; callers return what this returns. */
static __printf(3, 4) bool m_differs(struct model *m, const char *kind,
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

static bool small_kind(unsigned int d)
{
	return d == NDEVS - 1;
}

/* Is a device of the small kind attached to IOAS @s? */
static bool small_on(struct model *m, int s)
{
	return m->dev[NDEVS - 1].ioas == s;
}

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

static bool check_rc(struct model *m, enum m_op op, int got, int want)
{
	if (got != want)
		return m_differs(m, "rc", "returned %d, model says %d", got,
				 want);
	if (got)
		m->failed[op]++;
	else
		m->ok[op]++;
	return true;
}

/* map: p[0] IOVA page (from 4 GiB with mode 2), p[1] pages, p[2] user page */
static void gen_map(struct model *m, struct m_step *s)
{
	s->mode = rnd(m, 2);
	if (s->mode && !rnd(m, 16))
		s->mode = 2;
	s->p[1] = 1 + rnd(m, 16);
	s->p[0] = s->mode == 2 ? rnd(m, 16) : s->mode ? rnd(m, UNIVERSE) : 0;
	s->p[2] = rnd(m, 1024);
}

static bool exec_map(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	u64 len = s->p[1] * PG;
	u64 iova = (s->mode == 2 ? HI : 0) + s->p[0] * PG;
	unsigned long uptr = m->ubase + s->p[2] * PG;
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (s->mode ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = io->id,
		.user_va = uptr,
		.length = len,
		.iova = iova,
	};
	struct m_area a = { .start_byte = 0 };
	int want;

	snprintf(m->op, sizeof(m->op), "map ioas %u %s iova %llx len %llx",
		 io->id, s->mode ? "fixed" : "auto", iova, len);
	want = s->mode ? m_fixed_check(m, io, iova, len) :
			 (m_lowest_fit(io, len, &iova) ? 0 : -ENOSPC);
	if (!check_rc(m, OP_MAP, ioasim_ioas_map(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.iova != iova)
		return m_differs(m, "iova", "placed at %llx, model says %llx",
				 cmd.iova, iova);
	a.first = iova;
	a.last = iova + len - 1;
	a.uva = uptr;
	a.pages = NULL;	/* learned from the IOAS in the next check */
	m_add_area(io, &a);
	return true;
}

/* unmap: p[0] first page, p[1] pages; mode 1: everything */
static void gen_unmap(struct model *m, struct m_step *s)
{
	s->mode = !rnd(m, 16);
	s->p[0] = s->mode ? 0 : rnd(m, UNIVERSE);
	s->p[1] = s->mode ? 0 : 1 + rnd(m, 32);
}

static bool exec_unmap(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	bool all = s->mode;
	u64 first = s->p[0] * PG;
	u64 len = all ? U64_MAX : s->p[1] * PG;
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
	if (!check_rc(m, OP_UNMAP, ioasim_ioas_unmap(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.length != bytes)
		return m_differs(m, "rc", "unmapped %llx bytes, model says %llx",
				 cmd.length, bytes);
	for (i = 0; i < io->nareas; i++)
		if (!overlaps(io->areas[i].first, io->areas[i].last, first,
			      last))
			io->areas[kept++] = io->areas[i];
	io->nareas = kept;
	return true;
}

/* copy from IOAS 0: p[0] source page, p[1] pages, p[2] destination page */
static void gen_copy(struct model *m, struct m_step *s)
{
	s->mode = rnd(m, 2);
	s->p[0] = rnd(m, UNIVERSE);
	s->p[1] = 1 + rnd(m, 8);
	s->p[2] = s->mode ? rnd(m, UNIVERSE) : 0;
}

static bool exec_copy(struct model *m, const struct m_step *s)
{
	struct m_ioas *src = &m->ioas[0], *dst = &m->ioas[s->ioas];
	u64 src_iova = s->p[0] * PG, len = s->p[1] * PG;
	u64 iova = s->p[2] * PG, cur = src_iova;
	u64 src_last = src_iova + len - 1;
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE |
			 (s->mode ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
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
		 src_iova, len, dst->id, s->mode ? "fixed" : "auto", iova);
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
	else if (s->mode)
		want = m_fixed_check(m, dst, iova, len);
	else if (!m_lowest_fit(dst, len, &iova))
		want = -ENOSPC;
	if (!check_rc(m, OP_COPY, ioasim_ioas_copy(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.dst_iova != iova)
		return m_differs(m, "iova", "placed at %llx, model says %llx",
				 cmd.dst_iova, iova);
	for (i = 0; i < n; i++) {
		u64 first = iova + (pieces[i].first - src_iova);

		pieces[i].last = first + (pieces[i].last - pieces[i].first);
		pieces[i].first = first;
		m_add_area(dst, &pieces[i]);
	}
	return true;
}

/* reserve: p[0] first page, p[1] pages beyond the first */
static void gen_reserve(struct model *m, struct m_step *s)
{
	s->p[0] = rnd(m, UNIVERSE);
	s->p[1] = rnd(m, 8);
}

static bool exec_reserve(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);
	u64 first = s->p[0] * PG, last = first + s->p[1] * PG + PG - 1;
	bool ok;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "reserve ioas %u [%llx, %llx]", io->id,
		 first, last);
	if (IS_ERR(ioas))
		return m_differs(m, "lookup", "ioas %u is gone", io->id);
	if (io->nreserved == MAX_RANGES) {
		ioasim_ioas_put(m->ctx, ioas);
		return true;
	}
	/* The planted mistake forgets that areas refuse reservations. */
	if ((!m->planted && hits_areas(io, first, last)) ||
	    hits_ranges(io->allowed, io->nallowed, first, last))
		want = -EADDRINUSE;
	ok = check_rc(m, OP_RESERVE,
		      ioasim_space_reserve(&ioas->space, first, last, m), want);
	if (ok && !want) {
		io->reserved[io->nreserved].first = first;
		io->reserved[io->nreserved].last = last;
		io->nreserved++;
	}
	ioasim_ioas_put(m->ctx, ioas);
	return ok;
}

static bool exec_unreserve(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);

	snprintf(m->op, sizeof(m->op), "unreserve ioas %u", io->id);
	if (IS_ERR(ioas))
		return m_differs(m, "lookup", "ioas %u is gone", io->id);
	ioasim_space_unreserve(&ioas->space, m);
	io->nreserved = 0;
	m->ok[OP_UNRESERVE]++;
	ioasim_ioas_put(m->ctx, ioas);
	return true;
}

/* allow: p[0] ranges (0-2); p[1], p[2]: gap and length of each, in pages */
static void gen_allow(struct model *m, struct m_step *s)
{
	unsigned int i;

	s->p[0] = rnd(m, 3);
	for (i = 0; i < 2; i++)
		s->p[1 + i] = (rnd(m, 2) * rnd(m, 64)) << 8 | (2 + rnd(m, 64));
}

static bool exec_allow(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	struct iommu_iova_range r[2];
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd), .ioas_id = io->id, .num_iovas = s->p[0],
	};
	unsigned int i;
	u64 at = 0;
	int want = 0;

	for (i = 0; i < cmd.num_iovas; i++) {
		/* Sorted and disjoint, possibly adjacent. */
		r[i].start = at + (s->p[1 + i] >> 8) * PG;
		r[i].last = r[i].start + (s->p[1 + i] & 0xff) * PG - 1;
		at = r[i].last + 1;
		if (hits_ranges(io->reserved, io->nreserved, r[i].start,
				r[i].last))
			want = -EADDRINUSE;
	}
	snprintf(m->op, sizeof(m->op), "allow ioas %u, %u ranges", io->id,
		 cmd.num_iovas);
	if (!check_rc(m, OP_ALLOW, ioasim_ioas_allow_iovas(m->ctx, &cmd, r),
		      want))
		return false;
	if (want)
		return true;
	io->nallowed = cmd.num_iovas;
	for (i = 0; i < cmd.num_iovas; i++) {
		io->allowed[i].first = r[i].start;
		io->allowed[i].last = r[i].last;
	}
	return true;
}

/* The IOAS must hold exactly the model's areas; learn new pages objects. */
static bool check_areas(struct model *m, struct m_ioas *io)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);
	struct interval_tree_node *node;
	unsigned int i = 0;

	if (IS_ERR(ioas))
		return m_differs(m, "lookup", "ioas %u is gone", io->id);
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
	if (node || i != io->nareas)
		return m_differs(m, "areas",
				 "ioas %u area %u differs (%u areas expected)",
				 io->id, i, io->nareas);
	return true;
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
static bool check_ranges(struct model *m, struct m_ioas *io)
{
	struct iommu_iova_range *got;
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = io->id,
		.num_iovas = MAX_RANGES + 1,
	};
	bool ok = true;
	u64 cur = 0;
	unsigned int i;
	int rc;

	got = kcalloc(MAX_RANGES + 1, sizeof(*got), GFP_KERNEL);
	if (!got)
		return m_differs(m, "memory", "no memory for IOVA_RANGES");
	rc = ioasim_ioas_iova_ranges(m->ctx, &cmd, got);
	if (rc)
		ok = m_differs(m, "ranges", "IOVA_RANGES returned %d", rc);
	/* Every reported hole is free, and every gap between holes is not. */
	for (i = 0; ok && i < cmd.num_iovas; i++) {
		if (m_reserved(m, io, got[i].start, got[i].last))
			ok = m_differs(m, "ranges", "range %u is reserved", i);
		else if (got[i].start > cur && !m_reserved(m, io, cur, cur))
			ok = m_differs(m, "ranges", "%llx missing", cur);
		cur = got[i].last + 1;
	}
	kfree(got);
	return ok;
}

static bool check_pages_refs(struct model *m)
{
	unsigned int s, i, t, j, users;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < m->ioas[s].nareas; i++) {
			struct ioasim_pages *p = m->ioas[s].areas[i].pages;

			users = 0;
			for (t = 0; t < 2; t++)
				for (j = 0; j < m->ioas[t].nareas; j++)
					users += m->ioas[t].areas[j].pages == p;
			if (kref_read(&p->kref) != users)
				return m_differs(m, "refs",
						 "pages of ioas %u area %u: %u references, %u areas",
						 m->ioas[s].id, i,
						 kref_read(&p->kref), users);
		}
	}
	return true;
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

static void gen_dev(struct model *m, struct m_step *s)
{
	s->dev = rnd(m, NDEVS);
}

static bool exec_attach(struct model *m, const struct m_step *s)
{
	struct m_dev *dev = &m->dev[s->dev];
	u32 pt = m->ioas[s->ioas].id, want_pt = 0;
	unsigned int d = s->dev, e, i;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "%s device %u to ioas %u",
		 dev->ioas < 0 ? "attach" : "replace", d, pt);
	for (e = 0; e < NDEVS; e++)
		if (m->dev[e].ioas == s->ioas &&
		    small_kind(e) == small_kind(d))
			want_pt = m->dev[e].pt;
	if (!want_pt && small_kind(d)) {
		for (i = 0; i < m->ioas[s->ioas].nareas; i++)
			if (m->ioas[s->ioas].areas[i].last > SMALL_LAST)
				want = -EADDRINUSE;
	}
	if (!check_rc(m, OP_ATTACH, ioasim_mock_vfio_attach(&dev->vfio, &pt),
		      want))
		return false;
	if (want)
		return true;
	if (want_pt && pt != want_pt)
		return m_differs(m, "hwpt", "HWPT %u, not the shared %u", pt,
				 want_pt);
	for (e = 0; !want_pt && e < NDEVS; e++)
		if (e != d && m->dev[e].ioas >= 0 && m->dev[e].pt == pt)
			return m_differs(m, "hwpt", "HWPT %u shared", pt);
	dev->ioas = s->ioas;
	dev->pt = pt;
	return true;
}

static bool exec_detach(struct model *m, const struct m_step *s)
{
	snprintf(m->op, sizeof(m->op), "detach device %u", s->dev);
	if (!check_rc(m, OP_DETACH, ioasim_mock_vfio_detach(&m->dev[s->dev].vfio),
		      0))
		return false;
	m->dev[s->dev].ioas = -1;
	return true;
}

/* The access's driver: unpin whatever it pinned in the range. */
static void m_access_unmap(void *data, unsigned long iova,
			   unsigned long length)
{
	struct m_access *acc = data;
	unsigned int i, kept = 0;
	int rc;

	for (i = 0; i < acc->npins; i++) {
		struct m_pin *p = &acc->pins[i];

		if (p->iova + p->len - 1 < iova ||
		    p->iova > iova + (length - 1)) {
			acc->pins[kept++] = *p;
			continue;
		}
		rc = ioasim_access_unpin_pages(acc->access, p->iova, p->len);
		if (rc)
			m_differs(acc->m, "rc",
				  "the driver's unpin of %llx+%llx returned %d",
				  p->iova, p->len, rc);
	}
	acc->npins = kept;
}

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

/* pin: p[0] IOVA page, p[1] pages (1-4) */
static void gen_pin(struct model *m, struct m_step *s)
{
	s->p[0] = rnd(m, UNIVERSE);
	s->p[1] = 1 + rnd(m, 4);
}

static bool exec_pin(struct model *m, const struct m_step *s)
{
	struct m_access *acc = &m->acc;
	u64 iova = s->p[0] * PG, len = s->p[1] * PG, cur;
	struct page *pages[4];
	unsigned int k;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "pin ioas %u %llx+%llx",
		 m->ioas[acc->ioas].id, iova, len);
	if (acc->npins == MAX_PINS)
		return true;
	for (cur = iova; cur < iova + len; cur += PG)
		if (!m_area_at(m, acc->ioas, cur))
			want = -ENOENT;
	if (!check_rc(m, OP_PIN, ioasim_access_pin_pages(acc->access, iova,
							 len, pages, 0),
		      want))
		return false;
	if (want)
		return true;
	acc->pins[acc->npins].iova = iova;
	acc->pins[acc->npins++].len = len;
	for (k = 0; k < len / PG; k++) {
		struct m_area *a = m_area_at(m, acc->ioas, iova + k * PG);
		u64 want_word = a->uva + (iova + k * PG - a->first);

		if (page_word(pages[k]) != want_word)
			return m_differs(m, "pin", "page %u holds %llx, not %llx",
					 k, page_word(pages[k]), want_word);
	}
	return true;
}

/* unpin: the pin of p[0] IOVA page and p[1] pages, if there is one */
static void gen_unpin(struct model *m, struct m_step *s)
{
	struct m_pin *p;

	if (!m->acc.npins)
		return;
	p = &m->acc.pins[rnd(m, m->acc.npins)];
	s->p[0] = p->iova / PG;
	s->p[1] = p->len / PG;
}

static bool exec_unpin(struct model *m, const struct m_step *s)
{
	struct m_access *acc = &m->acc;
	u64 iova = s->p[0] * PG, len = s->p[1] * PG;
	unsigned int i;

	snprintf(m->op, sizeof(m->op), "unpin %llx+%llx", iova, len);
	for (i = 0; i < acc->npins; i++)
		if (acc->pins[i].iova == iova && acc->pins[i].len == len)
			break;
	/* In a shrunk sequence the pin may never have been made. */
	if (i == acc->npins)
		return true;
	acc->pins[i] = acc->pins[--acc->npins];
	return check_rc(m, OP_UNPIN,
			ioasim_access_unpin_pages(acc->access, iova, len), 0);
}

static bool exec_move(struct model *m, const struct m_step *s)
{
	struct m_access *acc = &m->acc;

	snprintf(m->op, sizeof(m->op), "move access to ioas %u",
		 m->ioas[s->ioas].id);
	if (!check_rc(m, OP_MOVE,
		      ioasim_access_replace(acc->access, m->ioas[s->ioas].id),
		      0))
		return false;
	/* Moving (even in place) is not promised to keep pins; these go. */
	if (acc->ioas != s->ioas && acc->npins)
		return m_differs(m, "pin", "%u pins survived the move",
				 acc->npins);
	acc->ioas = s->ioas;
	return true;
}

static bool m_ioas_new(struct model *m, struct m_ioas *io)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option off = {
		.size = sizeof(off), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .val64 = 0,
	};
	int rc = ioasim_ioas_alloc(m->ctx, &alloc);

	if (rc)
		return m_differs(m, "rc", "IOAS_ALLOC returned %d", rc);
	memset(io, 0, sizeof(*io));
	io->id = alloc.out_ioas_id;
	off.object_id = io->id;
	rc = ioasim_option(m->ctx, &off);
	if (rc)
		return m_differs(m, "rc", "OPTION returned %d", rc);
	return true;
}

/* Destroy an IOAS and make a new one in its place. */
static bool exec_destroy_ioas(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	struct ioasim_ioas *ioas;
	u32 old = io->id;
	unsigned int d;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "destroy ioas %u", old);
	for (d = 0; d < NDEVS; d++)
		if (m->dev[d].ioas == s->ioas)
			want = -EBUSY;
	if (m->acc.ioas == s->ioas)
		want = -EBUSY;
	if (!check_rc(m, OP_DESTROY_IOAS,
		      ioasim_obj_destroy(m->ctx, old, &ioasim_ioas_type), want))
		return false;
	if (want)
		return true;
	ioas = ioasim_ioas_get(m->ctx, old);
	if (!IS_ERR(ioas)) {
		ioasim_ioas_put(m->ctx, ioas);
		return m_differs(m, "lookup", "ioas %u still found", old);
	}
	/* The new IOAS may well get the old id back. */
	return m_ioas_new(m, io);
}

static bool m_access_new(struct model *m, int s)
{
	u32 id;
	int rc;

	m->acc.m = m;
	m->acc.npins = 0;
	m->acc.access = ioasim_access_create(m->ctx, &m_access_ops, &m->acc,
					     &id);
	if (IS_ERR(m->acc.access)) {
		rc = PTR_ERR(m->acc.access);
		m->acc.access = NULL;
		return m_differs(m, "rc", "access create returned %d", rc);
	}
	rc = ioasim_access_attach(m->acc.access, m->ioas[s].id);
	if (rc)
		return m_differs(m, "rc", "access attach returned %d", rc);
	m->acc.ioas = s;
	return true;
}

/* Destroy the access with its pins and make a new one. */
static bool exec_new_access(struct model *m, const struct m_step *s)
{
	snprintf(m->op, sizeof(m->op), "new access on ioas %u",
		 m->ioas[s->ioas].id);
	ioasim_access_destroy(m->acc.access);
	m->acc.access = NULL;
	if (m->acc.npins)
		return m_differs(m, "pin", "%u pins survived destroy",
				 m->acc.npins);
	m->ok[OP_NEW_ACCESS]++;
	return m_access_new(m, s->ioas);
}

/* Device @d reads @iova: the user address the model expects, or a fault. */
static bool check_dma(struct model *m, unsigned int d, u64 iova)
{
	struct m_area *a = m_area_at(m, m->dev[d].ioas, iova);
	u64 v = 0;
	int rc = ioasim_mock_vfio_dma(&m->dev[d].vfio, iova, &v, 8, false);

	if (!a) {
		if (rc != -EFAULT)
			return m_differs(m, "dma",
					 "device %u read unmapped %llx: %d",
					 d, iova, rc);
		return true;
	}
	if (rc || v != a->uva + (iova - a->first))
		return m_differs(m, "dma", "device %u at %llx: %d, %llx", d,
				 iova, rc, v);
	return true;
}

/*
 * Through every attached device: the first and last page of every area
 * read their user addresses, the page after each area faults unless
 * mapped, and the domain maps exactly the IOAS's areas. Detached devices
 * are blocked.
 */
static bool check_devices(struct model *m)
{
	unsigned int d, e, pairs = 0, found;

	for (d = 0; d < NDEVS; d++) {
		struct m_dev *dev = &m->dev[d];
		struct iommu_domain *domain;
		struct m_ioas *io;
		u64 v, bytes = 0;
		unsigned int i;
		int rc;

		if (dev->ioas < 0) {
			rc = ioasim_mock_vfio_dma(&dev->vfio, PG, &v, 8, false);
			if (rc != -EPERM)
				return m_differs(m, "dma",
						 "detached device %u: %d", d,
						 rc);
			continue;
		}
		/* Count each (IOAS, kind) pair once. */
		for (e = 0; e < d; e++)
			if (m->dev[e].ioas == dev->ioas &&
			    small_kind(e) == small_kind(d))
				break;
		pairs += e == d;

		io = &m->ioas[dev->ioas];
		for (i = 0; i < io->nareas; i++) {
			struct m_area *a = &io->areas[i];

			bytes += a->last - a->first + 1;
			if (!check_dma(m, d, a->first) ||
			    !check_dma(m, d, a->last + 1 - PG) ||
			    !check_dma(m, d, a->last + 1))
				return false;
		}
		domain = ioasim_test_hwpt_domain(m->ctx, dev->pt);
		if (!domain ||
		    ioasim_mock_mapped_pages(domain) !=
		    bytes / IOASIM_MOCK_IO_PAGE_SIZE)
			return m_differs(m, "domain",
					 "device %u: the domain of HWPT %u does not map the %llu bytes",
					 d, dev->pt, bytes);
	}
	found = ioasim_test_count(m->ctx, &ioasim_hwpt_paging_type);
	if (found != pairs)
		return m_differs(m, "hwpt", "%u HWPTs, model says %u", found,
				 pairs);
	return true;
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

/* What the domains and access pins need of pages object @p. */
static void m_needed(struct model *m, struct ioasim_pages *p,
		     unsigned long *dom, unsigned long *acc)
{
	unsigned int t, d, j;
	u64 cur;

	for (t = 0; t < 2; t++) {
		bool domains = false;

		for (d = 0; d < NDEVS; d++)
			domains |= m->dev[d].ioas == t;
		for (j = 0; domains && j < m->ioas[t].nareas; j++) {
			struct m_area *a = &m->ioas[t].areas[j];

			if (a->pages == p)
				mark_pages(a, a->first, a->last, dom);
		}
	}
	for (j = 0; j < m->acc.npins; j++) {
		struct m_pin *pin = &m->acc.pins[j];

		for (cur = pin->iova; cur < pin->iova + pin->len; cur += PG) {
			struct m_area *a = m_area_at(m, m->acc.ioas, cur);

			if (a && a->pages == p)
				mark_pages(a, cur, cur, acc);
		}
	}
}

/*
 * Every pages object pins exactly the indexes some domain's areas or some
 * access pin cover, each once, and keeps its own entry only for those no
 * domain holds (docs/design.md §3: no per-page state once a domain maps it).
 */
static bool check_pinned(struct model *m)
{
	unsigned int s, i, k;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < m->ioas[s].nareas; i++) {
			struct ioasim_pages *p = m->ioas[s].areas[i].pages;
			unsigned long dom = 0, acc = 0;

			if (p->npages > BITS_PER_LONG)
				return m_differs(m, "pinned",
						 "pages object of %lu pages",
						 p->npages);
			m_needed(m, p, &dom, &acc);
			for (k = 0; k < p->npages; k++) {
				if (!!ioasim_pages_page(p, k) !=
				    !!((dom | acc) & BIT(k)))
					return m_differs(m, "pinned",
							 "ioas %u area %u index %u pinned?",
							 m->ioas[s].id, i, k);
				if (!!xa_load(&p->pinned, k) !=
				    !!((acc & ~dom) & BIT(k)))
					return m_differs(m, "pinned",
							 "ioas %u area %u index %u stored?",
							 m->ioas[s].id, i, k);
			}
			if (p->npinned != hweight_long(dom | acc))
				return m_differs(m, "pinned",
						 "%lu pinned, model says %lu",
						 p->npinned,
						 hweight_long(dom | acc));
		}
	}
	return true;
}

static void gen_step(struct model *m, struct m_step *s)
{
	u32 op = rnd(m, 100);

	memset(s, 0, sizeof(*s));
	s->ioas = rnd(m, 2);
	if (op < 24)
		s->op = OP_MAP;
	else if (op < 41)
		s->op = OP_UNMAP;
	else if (op < 54)
		s->op = OP_COPY;
	else if (op < 61)
		s->op = OP_RESERVE;
	else if (op < 64)
		s->op = OP_UNRESERVE;
	else if (op < 68)
		s->op = OP_ALLOW;
	else if (op < 78)
		s->op = OP_ATTACH;
	else if (op < 83)
		s->op = OP_DETACH;
	else if (op < 91)
		s->op = OP_PIN;
	else if (op < 95)
		s->op = OP_UNPIN;
	else if (op < 97)
		s->op = OP_MOVE;
	else if (op < 99)
		s->op = OP_DESTROY_IOAS;
	else
		s->op = OP_NEW_ACCESS;

	switch (s->op) {
	case OP_MAP:
		gen_map(m, s);
		break;
	case OP_UNMAP:
		gen_unmap(m, s);
		break;
	case OP_COPY:
		gen_copy(m, s);
		break;
	case OP_RESERVE:
		gen_reserve(m, s);
		break;
	case OP_ALLOW:
		gen_allow(m, s);
		break;
	case OP_ATTACH:
	case OP_DETACH:
		gen_dev(m, s);
		break;
	case OP_PIN:
		gen_pin(m, s);
		break;
	case OP_UNPIN:
		gen_unpin(m, s);
		break;
	default:
		break;
	}
}

static bool exec_step(struct model *m, const struct m_step *s)
{
	switch (s->op) {
	case OP_MAP:
		return exec_map(m, s);
	case OP_UNMAP:
		return exec_unmap(m, s);
	case OP_COPY:
		return exec_copy(m, s);
	case OP_RESERVE:
		return exec_reserve(m, s);
	case OP_UNRESERVE:
		return exec_unreserve(m, s);
	case OP_ALLOW:
		return exec_allow(m, s);
	case OP_ATTACH:
		return exec_attach(m, s);
	case OP_DETACH:
		return exec_detach(m, s);
	case OP_PIN:
		return exec_pin(m, s);
	case OP_UNPIN:
		return exec_unpin(m, s);
	case OP_MOVE:
		return exec_move(m, s);
	case OP_DESTROY_IOAS:
		return exec_destroy_ioas(m, s);
	case OP_NEW_ACCESS:
		return exec_new_access(m, s);
	default:
		return m_differs(m, "step", "no operation %u", s->op);
	}
}

/* Everything the model knows, checked after a step. */
static bool check_all(struct model *m, const struct m_step *s)
{
	/* A failed driver unpin inside the step is recorded in @why. */
	return !m->why[0] && check_areas(m, &m->ioas[0]) &&
	       check_areas(m, &m->ioas[1]) &&
	       check_ranges(m, &m->ioas[s->ioas]) && check_pages_refs(m) &&
	       check_devices(m) && check_pinned(m);
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
		return m_differs(m, "setup", "no context");
	}
	for (d = 0; d < NDEVS; d++) {
		ioasim_mock_vfio_init(&m->dev[d].vfio, fx->mdev[d]);
		m->dev[d].ioas = -1;
	}
	if (kunit_add_action_or_reset(m->test, model_teardown_action, m))
		return m_differs(m, "setup", "no memory");
	for (s = 0; s < 2; s++)
		if (!m_ioas_new(m, &m->ioas[s]))
			return false;
	for (d = 0; d < NDEVS; d++) {
		rc = ioasim_mock_vfio_bind(&m->dev[d].vfio, m->ctx, &id);
		if (rc)
			return m_differs(m, "setup", "bind returned %d", rc);
	}
	return m_access_new(m, 0);
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
			gen_step(m, s);
		ok = exec_step(m, s) && check_all(m, s);
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
		ok = m_differs(m, "teardown",
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

/*
 * The smallest value parameter @i of @s may take without leaving what the
 * model covers (a length of zero is a bad input, not a smaller case), or
 * -1 if it is not a number to shrink.
 */
static int m_param_floor(const struct m_step *s, unsigned int i)
{
	switch (s->op) {
	case OP_MAP:
	case OP_COPY:
		return i == 1 ? 1 : i < 3 ? 0 : -1;
	case OP_UNMAP:
		return s->mode ? -1 : i == 1 ? 1 : i == 0 ? 0 : -1;
	case OP_RESERVE:
		return i < 2 ? 0 : -1;
	case OP_PIN:
		return i == 1 ? 1 : i == 0 ? 0 : -1;
	default:
		return -1;
	}
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
			   m_op_enums[steps[i].op], steps[i].ioas,
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
			   m_op_names[i], st->ok[i], st->failed[i]);
		/* A sequence that never gets past the checks proves little. */
		KUNIT_EXPECT_GT_MSG(test, st->ok[i], 0, "%s never succeeded",
				    m_op_names[i]);
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
						   0);
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
