// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim KUnit suite ioasim_model: the device operations (see model.h) -
 * attach, replace and detach of a device and of its PASIDs, and the
 * automatic HWPTs they land on, kept in the order an attach tries them.
 */
#include "model.h"

void model_gen_dev(struct model *m, struct m_step *s)
{
	s->dev = rnd(m, NDEVS);
}

/**
 * model_hwpt() - the model's automatic HWPT of an id
 * @m: the model
 * @id: the HWPT's id
 *
 * Return: its entry, or NULL.
 */
struct m_hwpt *model_hwpt(struct model *m, u32 id)
{
	unsigned int i;

	for (i = 0; i < m->nhwpts; i++)
		if (m->hwpt[i].id == id)
			return &m->hwpt[i];
	return NULL;
}

static bool m_dev_has_pasids(const struct m_dev *dev)
{
	unsigned int k;

	for (k = 0; k < NPASIDS; k++)
		if (dev->pasid_ioas[k] >= 0)
			return true;
	return false;
}

static bool m_hwpt_used(struct model *m, u32 id)
{
	unsigned int d, k;

	for (d = 0; d < NDEVS; d++) {
		if (m->dev[d].ioas >= 0 && m->dev[d].pt == id)
			return true;
		for (k = 0; k < NPASIDS; k++)
			if (m->dev[d].pasid_ioas[k] >= 0 &&
			    m->dev[d].pasid_pt[k] == id)
				return true;
	}
	return false;
}

/* Drop the HWPTs nothing uses any more, keeping the others' order. */
static void m_hwpts_prune(struct model *m)
{
	unsigned int i, kept = 0;

	for (i = 0; i < m->nhwpts; i++)
		if (m_hwpt_used(m, m->hwpt[i].id))
			m->hwpt[kept++] = m->hwpt[i];
	m->nhwpts = kept;
}

/*
 * The automatic HWPT an attach of device @d to IOAS @s takes: the first
 * made of @s's that is of @d's kind and, if @compat, PASID-compatible;
 * NULL if a new one is made.
 */
static struct m_hwpt *m_auto_pick(struct model *m, int s, unsigned int d,
				  bool compat)
{
	unsigned int i;

	for (i = 0; i < m->nhwpts; i++)
		if (m->hwpt[i].ioas == s && m->hwpt[i].small == small_kind(d) &&
		    (m->hwpt[i].compat || !compat))
			return &m->hwpt[i];
	return NULL;
}

/* The HWPT @pt an attach got: @pick's, or a new one the model records. */
static bool m_auto_took(struct model *m, struct m_hwpt *pick, u32 pt, int s,
			unsigned int d, bool compat)
{
	if (pick) {
		if (pt != pick->id)
			return model_differs(m, "hwpt", "HWPT %u, not %u", pt,
					     pick->id);
		return true;
	}
	if (model_hwpt(m, pt))
		return model_differs(m, "hwpt", "HWPT %u shared", pt);
	if (m->nhwpts == MAX_HWPTS)
		return model_differs(m, "hwpt", "more than %u HWPTs", MAX_HWPTS);
	m->hwpt[m->nhwpts++] = (struct m_hwpt){
		.id = pt, .ioas = s, .small = small_kind(d), .compat = compat,
	};
	return true;
}

bool model_exec_attach(struct model *m, const struct m_step *s)
{
	struct m_dev *dev = &m->dev[s->dev];
	u32 pt = m->ioas[s->ioas].id;
	/* A device with PASIDs attached needs a PASID-compatible HWPT. */
	bool compat = m_dev_has_pasids(dev);
	unsigned int d = s->dev, i;
	struct m_hwpt *pick;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "%s device %u to ioas %u",
		 dev->ioas < 0 ? "attach" : "replace", d, pt);
	pick = m_auto_pick(m, s->ioas, d, compat);
	if (!pick && small_kind(d)) {
		for (i = 0; i < m->ioas[s->ioas].nareas; i++)
			if (m->ioas[s->ioas].areas[i].last > SMALL_LAST)
				want = -EADDRINUSE;
	}
	if (!model_check_rc(m, OP_ATTACH, ioasim_mock_vfio_attach(&dev->vfio, &pt),
			    want))
		return false;
	if (want)
		return true;
	if (!m_auto_took(m, pick, pt, s->ioas, d, compat))
		return false;
	dev->ioas = s->ioas;
	dev->pt = pt;
	m_hwpts_prune(m);
	return true;
}

bool model_exec_detach(struct model *m, const struct m_step *s)
{
	snprintf(m->op, sizeof(m->op), "detach device %u", s->dev);
	if (!model_check_rc(m, OP_DETACH, ioasim_mock_vfio_detach(&m->dev[s->dev].vfio),
			    0))
		return false;
	m->dev[s->dev].ioas = -1;
	m_hwpts_prune(m);
	return true;
}

/* pasid_attach, pasid_detach: p[0] the PASID - 1 */
void model_gen_pasid(struct model *m, struct m_step *s)
{
	s->dev = rnd(m, NDEVS);
	s->p[0] = rnd(m, NPASIDS);
}

/*
 * A PASID of a device to an IOAS, through the node (attach, or replace
 * if attached): always a PASID-compatible automatic HWPT, and only while
 * the device's no-PASID HWPT, if any, is one too.
 */
bool model_exec_pasid_attach(struct model *m, const struct m_step *s)
{
	struct m_dev *dev = &m->dev[s->dev];
	unsigned int d = s->dev, k = s->p[0];
	u32 pt = m->ioas[s->ioas].id;
	struct m_hwpt *pick = NULL;
	int want = 0;

	snprintf(m->op, sizeof(m->op), "%s PASID %u of device %u to ioas %u",
		 dev->pasid_ioas[k] < 0 ? "attach" : "replace", k + 1, d, pt);
	if (small_kind(d))
		want = -EINVAL;		/* no PASIDs */
	else if (dev->ioas >= 0 && !model_hwpt(m, dev->pt)->compat)
		want = -EINVAL;
	else
		pick = m_auto_pick(m, s->ioas, d, true);
	if (!model_check_rc(m, OP_PASID_ATTACH,
			    ioasim_mock_vfio_pasid_attach(&dev->vfio, k + 1, &pt),
			    want))
		return false;
	if (want)
		return true;
	if (!m_auto_took(m, pick, pt, s->ioas, d, true))
		return false;
	dev->pasid_ioas[k] = s->ioas;
	dev->pasid_pt[k] = pt;
	m_hwpts_prune(m);
	return true;
}

/* The node's detach: nothing to do for a PASID that is not attached. */
bool model_exec_pasid_detach(struct model *m, const struct m_step *s)
{
	struct m_dev *dev = &m->dev[s->dev];
	unsigned int k = s->p[0];

	snprintf(m->op, sizeof(m->op), "detach PASID %u of device %u", k + 1,
		 s->dev);
	if (!model_check_rc(m, OP_PASID_DETACH,
			    ioasim_mock_vfio_pasid_detach(&dev->vfio, k + 1), 0))
		return false;
	dev->pasid_ioas[k] = -1;
	m_hwpts_prune(m);
	return true;
}
