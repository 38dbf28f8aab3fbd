// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim KUnit suite ioasim_model: the operations (see model.h). Each is
 * generated as a step from the model's random state and run from the
 * step alone, predicting the system's answer from the model.
 */
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "helpers.h"
#include "model.h"

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

/* The answer @got is the model's @want; counted per operation. */
bool model_check_rc(struct model *m, enum m_op op, int got, int want)
{
	if (got != want)
		return model_differs(m, "rc", "returned %d, model says %d", got,
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
	if (!model_check_rc(m, OP_MAP, ioasim_ioas_map(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.iova != iova)
		return model_differs(m, "iova", "placed at %llx, model says %llx",
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
	if (!model_check_rc(m, OP_UNMAP, ioasim_ioas_unmap(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.length != bytes)
		return model_differs(m, "rc", "unmapped %llx bytes, model says %llx",
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
	if (!model_check_rc(m, OP_COPY, ioasim_ioas_copy(m->ctx, &cmd), want))
		return false;
	if (want)
		return true;
	if (cmd.dst_iova != iova)
		return model_differs(m, "iova", "placed at %llx, model says %llx",
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
		return model_differs(m, "lookup", "ioas %u is gone", io->id);
	if (io->nreserved == MAX_RANGES) {
		ioasim_ioas_put(m->ctx, ioas);
		return true;
	}
	/* The planted mistake forgets that areas refuse reservations. */
	if ((!m->planted && hits_areas(io, first, last)) ||
	    hits_ranges(io->allowed, io->nallowed, first, last))
		want = -EADDRINUSE;
	ok = model_check_rc(m, OP_RESERVE,
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
		return model_differs(m, "lookup", "ioas %u is gone", io->id);
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
	if (!model_check_rc(m, OP_ALLOW, ioasim_ioas_allow_iovas(m->ctx, &cmd, r),
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

/* The model's area of IOAS @s holding @iova, or NULL. */
struct m_area *model_area_at(struct model *m, int s, u64 iova)
{
	struct m_ioas *io = &m->ioas[s];
	unsigned int i;

	for (i = 0; i < io->nareas; i++)
		if (io->areas[i].first <= iova && iova <= io->areas[i].last)
			return &io->areas[i];
	return NULL;
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
			model_differs(acc->m, "rc",
				      "the driver's unpin of %llx+%llx returned %d",
				  p->iova, p->len, rc);
	}
	acc->npins = kept;
}

static const struct ioasim_access_ops m_access_ops = {
	.needs_pin_pages = true,
	.unmap = m_access_unmap,
};

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
		if (!model_area_at(m, acc->ioas, cur))
			want = -ENOENT;
	if (!model_check_rc(m, OP_PIN, ioasim_access_pin_pages(acc->access, iova,
							       len, pages, 0),
			    want))
		return false;
	if (want)
		return true;
	acc->pins[acc->npins].iova = iova;
	acc->pins[acc->npins++].len = len;
	for (k = 0; k < len / PG; k++) {
		struct m_area *a = model_area_at(m, acc->ioas, iova + k * PG);
		u64 want_word = a->uva + (iova + k * PG - a->first);

		if (page_word(pages[k]) != want_word)
			return model_differs(m, "pin", "page %u holds %llx, not %llx",
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
	return model_check_rc(m, OP_UNPIN,
			      ioasim_access_unpin_pages(acc->access, iova, len), 0);
}

static bool exec_move(struct model *m, const struct m_step *s)
{
	struct m_access *acc = &m->acc;

	snprintf(m->op, sizeof(m->op), "move access to ioas %u",
		 m->ioas[s->ioas].id);
	if (!model_check_rc(m, OP_MOVE,
			    ioasim_access_replace(acc->access, m->ioas[s->ioas].id),
			    0))
		return false;
	/* Moving (even in place) is not promised to keep pins; these go. */
	if (acc->ioas != s->ioas && acc->npins)
		return model_differs(m, "pin", "%u pins survived the move",
				 acc->npins);
	acc->ioas = s->ioas;
	return true;
}

bool model_ioas_new(struct model *m, struct m_ioas *io)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option off = {
		.size = sizeof(off), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .val64 = 0,
	};
	int rc = ioasim_ioas_alloc(m->ctx, &alloc);

	if (rc)
		return model_differs(m, "rc", "IOAS_ALLOC returned %d", rc);
	memset(io, 0, sizeof(*io));
	io->id = alloc.out_ioas_id;
	off.object_id = io->id;
	rc = ioasim_option(m->ctx, &off);
	if (rc)
		return model_differs(m, "rc", "OPTION returned %d", rc);
	return true;
}

/* Destroy an IOAS and make a new one in its place. */
static bool exec_destroy_ioas(struct model *m, const struct m_step *s)
{
	struct m_ioas *io = &m->ioas[s->ioas];
	struct ioasim_ioas *ioas;
	u32 old = io->id;
	unsigned int i;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "destroy ioas %u", old);
	/* Its HWPTs hold it, for devices and PASIDs alike. */
	for (i = 0; i < m->nhwpts; i++)
		if (m->hwpt[i].ioas == s->ioas)
			want = -EBUSY;
	if (m->acc.ioas == s->ioas)
		want = -EBUSY;
	if (!model_check_rc(m, OP_DESTROY_IOAS,
			    ioasim_obj_destroy(m->ctx, old, &ioasim_ioas_type), want))
		return false;
	if (want)
		return true;
	ioas = ioasim_ioas_get(m->ctx, old);
	if (!IS_ERR(ioas)) {
		ioasim_ioas_put(m->ctx, ioas);
		return model_differs(m, "lookup", "ioas %u still found", old);
	}
	/* The new IOAS may well get the old id back. */
	return model_ioas_new(m, io);
}

bool model_access_new(struct model *m, int s)
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
		return model_differs(m, "rc", "access create returned %d", rc);
	}
	rc = ioasim_access_attach(m->acc.access, m->ioas[s].id);
	if (rc)
		return model_differs(m, "rc", "access attach returned %d", rc);
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
		return model_differs(m, "pin", "%u pins survived destroy",
				 m->acc.npins);
	m->ok[OP_NEW_ACCESS]++;
	return model_access_new(m, s->ioas);
}

/* The row of operation @op: its enum's name is printed in reproducers. */
#define M_OP(op, _name, _weight, _gen, _exec, ...)			\
	[op] = { .name = _name, .enum_name = #op, .weight = _weight,	\
		 .gen = _gen, .exec = _exec, __VA_ARGS__ }
#define NO_FLOOR .floor = { -1, -1, -1, -1 }

/* Weights add up to 100; the order is the order of enum m_op. */
const struct m_op_desc model_ops[NR_OPS] = {
	M_OP(OP_MAP, "map", 21, gen_map, exec_map, .floor = { 0, 1, 0, -1 }),
	M_OP(OP_UNMAP, "unmap", 16, gen_unmap, exec_unmap,
	     .floor = { 0, 1, -1, -1 }, .mode_fixes = true),
	M_OP(OP_COPY, "copy", 11, gen_copy, exec_copy,
	     .floor = { 0, 1, 0, -1 }),
	M_OP(OP_RESERVE, "reserve", 7, gen_reserve, exec_reserve,
	     .floor = { 0, 0, -1, -1 }),
	M_OP(OP_UNRESERVE, "unreserve", 3, NULL, exec_unreserve, NO_FLOOR),
	M_OP(OP_ALLOW, "allow", 4, gen_allow, exec_allow, NO_FLOOR),
	M_OP(OP_ATTACH, "attach", 10, model_gen_dev, model_exec_attach, NO_FLOOR),
	M_OP(OP_DETACH, "detach", 5, model_gen_dev, model_exec_detach, NO_FLOOR),
	M_OP(OP_PIN, "pin", 8, gen_pin, exec_pin, .floor = { 0, 1, -1, -1 }),
	M_OP(OP_UNPIN, "unpin", 4, gen_unpin, exec_unpin, NO_FLOOR),
	M_OP(OP_MOVE, "move", 2, NULL, exec_move, NO_FLOOR),
	M_OP(OP_DESTROY_IOAS, "destroy_ioas", 2, NULL, exec_destroy_ioas,
	     NO_FLOOR),
	M_OP(OP_NEW_ACCESS, "new_access", 1, NULL, exec_new_access, NO_FLOOR),
	M_OP(OP_PASID_ATTACH, "pasid_attach", 4, model_gen_pasid,
	     model_exec_pasid_attach,
	     NO_FLOOR),
	M_OP(OP_PASID_DETACH, "pasid_detach", 2, model_gen_pasid,
	     model_exec_pasid_detach,
	     NO_FLOOR),
};
