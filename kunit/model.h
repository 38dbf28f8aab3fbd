/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim KUnit suite ioasim_model: the shadow model shared by its files.
 *
 *   model_test.c    the runner: sequences, the shrinker, the cases
 *   model_ops.c     the operations, each generated and run from a step
 *   model_devices.c those of devices and their PASIDs
 *   model_check.c   what is compared with the system after every step
 *
 * Every operation is one row of model_ops[]: its name, its weight in
 * random sequences, how a step of it is generated and run, and which of
 * its numbers the shrinker may make smaller.
 */
#ifndef __IOASIM_KUNIT_MODEL_H
#define __IOASIM_KUNIT_MODEL_H

#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/prandom.h>

#include "access.h"
#include "device.h"
#include "ioas.h"
#include "mock.h"
#include "vfio.h"

#define PG PAGE_SIZE
#define UNIVERSE 256		/* fixed IOVAs and ranges fall below this page */
#define MAX_RANGES 512
#define UPAGES (1024 + 16)	/* user memory: maps start in the first 1024 */
#define HI SZ_4G		/* fixed maps sometimes go here, above ... */
#define SMALL_LAST IOASIM_MOCK_SMALL_APERTURE_LAST /* ... this aperture */
#define NDEVS 3			/* the last one is of the small kind */
#define NPASIDS 2		/* PASIDs 1 and 2 of each device */
#define MAX_HWPTS 8		/* (IOAS, kind, PASID-compatible) */
#define MAX_PINS 64
#define FIXED_SEED 20261121

enum m_op { OP_MAP, OP_UNMAP, OP_COPY, OP_RESERVE, OP_UNRESERVE, OP_ALLOW,
	    OP_ATTACH, OP_DETACH, OP_PIN, OP_UNPIN, OP_MOVE, OP_DESTROY_IOAS,
	    OP_NEW_ACCESS, OP_PASID_ATTACH, OP_PASID_DETACH, NR_OPS };

/**
 * struct m_step - one operation, complete in itself
 * @op: enum m_op
 * @ioas: the IOAS worked on (0 or 1); a copy's destination, from IOAS 0
 * @dev: the device of an attach or detach
 * @mode: map and copy: 0 automatic IOVA, 1 fixed, 2 fixed above 4 GiB;
 *	unmap: 1 everything
 * @p: page numbers and counts, per operation (see the gen_ functions);
 *	a PASID operation's PASID is p[0] + 1
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

/*
 * A device: its no-PASID attachment and its PASIDs' (by PASID - 1). The
 * small kind's device has no PASIDs.
 */
struct m_dev {
	struct ioasim_mock_vfio vfio;
	int ioas;			/* index of the IOAS attached to, or -1 */
	u32 pt;				/* the HWPT attached to */
	int pasid_ioas[NPASIDS];
	u32 pasid_pt[NPASIDS];
};

/*
 * An automatic HWPT, in the order it was made (the order an attach tries
 * them in); it goes with its last user, device or PASID.
 */
struct m_hwpt {
	u32 id;
	int ioas;
	bool small;			/* of the small kind's IOMMU */
	bool compat;			/* PASID-compatible */
};

struct m_pin {
	u64 iova, len;
};

struct model;

/* What the domains and the access pins need of one pages object. */
struct m_need {
	struct ioasim_pages *p;
	unsigned long dom, acc;	/* one bit per index */
};

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
 * @hwpt: the automatic HWPTs in use, @nhwpts of them
 * @acc: the access
 * @need: check_pinned()'s table, one entry per pages object
 * @ranges: check_ranges()'s buffer for what IOVA_RANGES reports
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
	struct m_hwpt hwpt[MAX_HWPTS];
	unsigned int nhwpts;
	struct m_access acc;
	struct m_need need[2 * MAX_RANGES];
	struct iommu_iova_range ranges[MAX_RANGES + 1];
};

struct model_fixture {
	unsigned long ubase;
	struct ioasim_mock_dev *mdev[NDEVS];
};

/**
 * struct m_op_desc - one operation of the model
 * @name: in messages and statistics
 * @enum_name: as C, for the printed KUnit case
 * @weight: its share of a random sequence's steps, in percent
 * @gen: fills a step's numbers (NULL: it has none)
 * @exec: runs the step on the system and the model; false on a
 *	disagreement, which model_differs() recorded
 * @floor: the smallest value each of @p may shrink to, or -1 if it is not
 *	a number to shrink (a length of zero is a bad input, not a smaller
 *	case)
 * @mode_fixes: with a non-zero mode the numbers mean nothing: none shrinks
 */
struct m_op_desc {
	const char *name;
	const char *enum_name;
	u8 weight;
	void (*gen)(struct model *m, struct m_step *s);
	bool (*exec)(struct model *m, const struct m_step *s);
	s8 floor[4];
	bool mode_fixes;
};

extern const struct m_op_desc model_ops[NR_OPS];

__printf(3, 4) bool model_differs(struct model *m, const char *kind,
				  const char *fmt, ...);
struct m_area *model_area_at(struct model *m, int s, u64 iova);
bool model_ioas_new(struct model *m, struct m_ioas *io);
bool model_access_new(struct model *m, int s);
bool model_check_all(struct model *m, const struct m_step *s);
struct m_hwpt *model_hwpt(struct model *m, u32 id);
bool model_check_rc(struct model *m, enum m_op op, int got, int want);
void model_gen_dev(struct model *m, struct m_step *s);
bool model_exec_attach(struct model *m, const struct m_step *s);
bool model_exec_detach(struct model *m, const struct m_step *s);
void model_gen_pasid(struct model *m, struct m_step *s);
bool model_exec_pasid_attach(struct model *m, const struct m_step *s);
bool model_exec_pasid_detach(struct model *m, const struct m_step *s);

static inline bool small_kind(unsigned int d)
{
	return d == NDEVS - 1;
}

/* Is a device of the small kind attached to IOAS @s? */
static inline bool small_on(struct model *m, int s)
{
	return m->dev[NDEVS - 1].ioas == s;
}

static inline u32 rnd(struct model *m, u32 n)
{
	return prandom_u32_state(&m->rnd) % n;
}

static inline bool overlaps(u64 a_first, u64 a_last, u64 b_first, u64 b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

static inline bool hits_areas(struct m_ioas *io, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < io->nareas; i++)
		if (overlaps(io->areas[i].first, io->areas[i].last, first, last))
			return true;
	return false;
}

static inline bool hits_ranges(const struct m_range *r, unsigned int n, u64 first,
			       u64 last)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (overlaps(r[i].first, r[i].last, first, last))
			return true;
	return false;
}

static inline u64 page_word(struct page *page)
{
	u64 *va = kmap_local_page(page), v = *va;

	kunmap_local(va);
	return v;
}

#endif /* __IOASIM_KUNIT_MODEL_H */
