// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim KUnit suite ioasim_model: what is compared after every step (see
 * model.h): the areas, the reserved IOVA, the pages objects' references,
 * each device's DMA and its domain, and the pins.
 */

#include "helpers.h"
#include "model.h"

/* The IOAS must hold exactly the model's areas; learn new pages objects. */
static bool check_areas(struct model *m, struct m_ioas *io)
{
	struct ioasim_ioas *ioas = ioasim_ioas_get(m->ctx, io->id);
	struct interval_tree_node *node;
	unsigned int i = 0;

	if (IS_ERR(ioas))
		return model_differs(m, "lookup", "ioas %u is gone", io->id);
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
		return model_differs(m, "areas",
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
	unsigned int i;

	if (hits_ranges(io->reserved, io->nreserved, first, last))
		return true;
	for (i = 0; i < m->nhwpts; i++) {
		u64 top = m->hwpt[i].small ? SMALL_LAST :
					     IOASIM_MOCK_APERTURE_LAST;

		if (m->hwpt[i].ioas == s && last > top)
			return true;
	}
	return false;
}

/* Unreserved IOVA as IOVA_RANGES reports it, against the model's. */
static bool check_ranges(struct model *m, struct m_ioas *io)
{
	struct iommu_iova_range *got = m->ranges;
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = io->id,
		.num_iovas = ARRAY_SIZE(m->ranges),
	};
	bool ok = true;
	u64 cur = 0;
	unsigned int i;
	int rc;

	rc = ioasim_ioas_iova_ranges(m->ctx, &cmd, got);
	if (rc)
		ok = model_differs(m, "ranges", "IOVA_RANGES returned %d", rc);
	/* Every reported range is free, and every gap between ranges is not. */
	for (i = 0; ok && i < cmd.num_iovas; i++) {
		if (m_reserved(m, io, got[i].start, got[i].last))
			ok = model_differs(m, "ranges", "range %u is reserved", i);
		else if (got[i].start > cur && !m_reserved(m, io, cur, cur))
			ok = model_differs(m, "ranges", "%llx missing", cur);
		cur = got[i].last + 1;
	}
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
				return model_differs(m, "refs",
						 "pages of ioas %u area %u: %u references, %u areas",
						 m->ioas[s].id, i,
						 kref_read(&p->kref), users);
		}
	}
	return true;
}

/*
 * Device @d reads @iova, which area @a maps (NULL: look it up): the user
 * address the model expects, or a fault.
 */
static bool check_dma(struct model *m, unsigned int d, u64 iova,
		      struct m_area *a)
{
	u64 v = 0;
	int rc = ioasim_mock_vfio_dma(&m->dev[d].vfio, iova, &v, 8, false);

	if (!a)
		a = model_area_at(m, m->dev[d].ioas, iova);
	if (!a) {
		if (rc != -EFAULT)
			return model_differs(m, "dma",
					 "device %u read unmapped %llx: %d",
					 d, iova, rc);
		return true;
	}
	if (rc || v != a->uva + (iova - a->first))
		return model_differs(m, "dma", "device %u at %llx: %d, %llx", d,
				 iova, rc, v);
	return true;
}

/* The bytes IOAS @s maps: what each of its domains must map. */
static u64 m_mapped_bytes(struct model *m, int s)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < m->ioas[s].nareas; i++)
		bytes += m->ioas[s].areas[i].last - m->ioas[s].areas[i].first + 1;
	return bytes;
}

/*
 * Each PASID is attached in ioasim's books and in the driver's table
 * alike, to the HWPT the model says, or to nothing.
 */
static bool check_pasids(struct model *m, unsigned int d)
{
	struct m_dev *dev = &m->dev[d];
	struct iommu_domain *held;
	struct ioasim_hwpt *hwpt;
	unsigned int k;

	for (k = 0; k < NPASIDS; k++) {
		hwpt = ioasim_device_pasid_hwpt(dev->vfio.idev, k + 1);
		held = ioasim_mock_pasid_domain(dev->vfio.mdev, k + 1);
		if (dev->pasid_ioas[k] < 0 ? hwpt || held :
		    !hwpt || hwpt->obj.id != dev->pasid_pt[k] ||
		    held != hwpt->domain)
			return model_differs(m, "pasid",
					     "device %u PASID %u: HWPT %u, domain %s",
					     d, k + 1, hwpt ? hwpt->obj.id : 0,
					     held ? "set" : "none");
	}
	return true;
}

/*
 * Through every attached device: the first and last page of every area
 * read their user addresses, the page after each area faults unless
 * mapped. Detached devices are blocked. Every automatic HWPT the model
 * has exists, maps exactly its IOAS's areas, and no other does; each
 * PASID is where the model put it.
 */
static bool check_devices(struct model *m)
{
	unsigned int d, i, found;

	for (d = 0; d < NDEVS; d++) {
		struct m_dev *dev = &m->dev[d];
		struct m_ioas *io;
		u64 v;
		int rc;

		if (!check_pasids(m, d))
			return false;
		if (dev->ioas < 0) {
			rc = ioasim_mock_vfio_dma(&dev->vfio, PG, &v, 8, false);
			if (rc != -EPERM)
				return model_differs(m, "dma",
						 "detached device %u: %d", d,
						 rc);
			continue;
		}
		if (!model_hwpt(m, dev->pt))
			return model_differs(m, "hwpt",
					     "device %u: HWPT %u unknown", d,
					     dev->pt);
		io = &m->ioas[dev->ioas];
		for (i = 0; i < io->nareas; i++) {
			struct m_area *a = &io->areas[i];

			if (!check_dma(m, d, a->first, a) ||
			    !check_dma(m, d, a->last + 1 - PG, a) ||
			    !check_dma(m, d, a->last + 1, NULL))
				return false;
		}
	}
	for (i = 0; i < m->nhwpts; i++) {
		struct iommu_domain *domain =
			ioasim_test_hwpt_domain(m->ctx, m->hwpt[i].id);
		u64 bytes = m_mapped_bytes(m, m->hwpt[i].ioas);

		if (!domain || ioasim_mock_mapped_pages(domain) !=
		    bytes / IOASIM_MOCK_IO_PAGE_SIZE)
			return model_differs(m, "domain",
					 "the domain of HWPT %u does not map the %llu bytes",
					 m->hwpt[i].id, bytes);
	}
	found = ioasim_test_count(m->ctx, &ioasim_hwpt_paging_type);
	if (found != m->nhwpts)
		return model_differs(m, "hwpt", "%u HWPTs, model says %u", found,
				 m->nhwpts);
	return true;
}

/* Mark in @bits the indexes of @a's pages behind [first, last]. */
static void mark_pages(struct m_area *a, u64 first, u64 last,
		       unsigned long *bits)
{
	u64 i = (a->start_byte + (first - a->first)) >> PAGE_SHIFT;
	u64 end = (a->start_byte + (last - a->first)) >> PAGE_SHIFT;

	bitmap_set(bits, i, end - i + 1);
}

/* @p's entry in the table of @n entries, added if new. */
static struct m_need *need_of(struct m_need *need, unsigned int *n,
			      struct ioasim_pages *p)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (need[i].p == p)
			return &need[i];
	need[*n] = (struct m_need){ .p = p };
	return &need[(*n)++];
}

/*
 * One entry per pages object: the indexes the areas of IOASes with an
 * attached device cover (dom) and those the access's pins cover (acc).
 */
static unsigned int m_needed(struct model *m)
{
	unsigned int t, d, j, n = 0;
	struct m_need *need;
	u64 cur;

	for (t = 0; t < 2; t++) {
		bool domains = false;

		for (d = 0; d < m->nhwpts; d++)
			domains |= m->hwpt[d].ioas == t;
		for (j = 0; j < m->ioas[t].nareas; j++) {
			struct m_area *a = &m->ioas[t].areas[j];

			need = need_of(m->need, &n, a->pages);
			if (domains)
				mark_pages(a, a->first, a->last, &need->dom);
		}
	}
	for (j = 0; j < m->acc.npins; j++) {
		struct m_pin *pin = &m->acc.pins[j];
		struct m_area *a = NULL;

		for (cur = pin->iova; cur < pin->iova + pin->len; cur += PG) {
			/* The area found serves the pages after it too. */
			if (!a || cur > a->last)
				a = model_area_at(m, m->acc.ioas, cur);
			if (a)
				mark_pages(a, cur, cur,
					   &need_of(m->need, &n, a->pages)->acc);
		}
	}
	return n;
}

/* The indexes of @p with an entry in the object's own table. */
static unsigned long own_entries(struct ioasim_pages *p)
{
	XA_STATE(xas, &p->pinned, 0);
	unsigned long bits = 0;
	struct page *page;

	mutex_lock(&p->mutex);
	rcu_read_lock();
	xas_for_each(&xas, page, p->npages - 1) {
		if (!xas_retry(&xas, page))
			bits |= BIT(xas.xa_index);
	}
	rcu_read_unlock();
	mutex_unlock(&p->mutex);
	return bits;
}

/*
 * Every pages object pins exactly the indexes some domain's areas or some
 * access pin cover, each once, and keeps its own entry only for those no
 * domain holds (docs/design.md §3: no per-page state once a domain maps it).
 * Each object's pages are read in one ioasim_pages_fill() and its own
 * entries in one walk.
 */
static bool check_pinned(struct model *m)
{
	unsigned int i, n = m_needed(m), k;
	struct page *held[BITS_PER_LONG];
	unsigned long pinned, own, want;

	for (i = 0; i < n; i++) {
		struct m_need *need = &m->need[i];
		struct ioasim_pages *p = need->p;

		if (p->npages > BITS_PER_LONG)
			return model_differs(m, "pinned",
					 "pages object of %lu pages",
					 p->npages);
		ioasim_pages_fill(p, 0, p->npages, held);
		own = own_entries(p);
		pinned = 0;
		for (k = 0; k < p->npages; k++)
			pinned |= held[k] ? BIT(k) : 0;
		want = need->dom | need->acc;
		if (pinned != want)
			return model_differs(m, "pinned",
					 "pages object %u: index %lu pinned?", i,
					 __ffs(pinned ^ want));
		want = need->acc & ~need->dom;
		if (own != want)
			return model_differs(m, "pinned",
					 "pages object %u: index %lu stored?", i,
					 __ffs(own ^ want));
		if (p->npinned != hweight_long(pinned))
			return model_differs(m, "pinned",
					 "%lu pinned, model says %lu",
					 p->npinned, hweight_long(pinned));
	}
	return true;
}

/* Everything the model knows, checked after a step. */
bool model_check_all(struct model *m, const struct m_step *s)
{
	/* A failed driver unpin inside the step is recorded in @why. */
	return !m->why[0] && check_areas(m, &m->ioas[0]) &&
	       check_areas(m, &m->ioas[1]) &&
	       check_ranges(m, &m->ioas[s->ioas]) && check_pages_refs(m) &&
	       check_devices(m) && check_pinned(m);
}
