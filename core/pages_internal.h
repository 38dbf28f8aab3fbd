/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - what pages.c and pages_store.c share
 *
 * pages.c pins, charges and registers users; pages_store.c keeps the
 * pinned PFNs (in the object's table or in a domain) and reads them back.
 * Both work under the pages object's mutex, which every helper here
 * expects held.
 */
#ifndef __IOASIM_PAGES_INTERNAL_H
#define __IOASIM_PAGES_INTERNAL_H

#include <linux/interval_tree.h>
#include <linux/lockdep.h>
#include <linux/slab.h>

#include "inject.h"
#include "pages.h"

/* Batch size when the preferred array cannot be had. */
#define IOASIM_STACK_BATCH 16

/* The page array of one operation, see pages.c. */
struct pages_batch {
	struct page **pages;
	unsigned long cap;
	struct page *stack[IOASIM_STACK_BATCH];
};

/* A batch for an operation over @n indexes; cannot fail. */
static inline void pages_batch_init(struct pages_batch *b,
				    struct ioasim_pages *pages,
				    unsigned long n)
{
	b->cap = min(n, pages->batch_bytes / sizeof(*b->pages));
	b->pages = NULL;
	if (b->cap > ARRAY_SIZE(b->stack))
		b->pages = ioasim_kmalloc_array("pages.batch", b->cap,
						sizeof(*b->pages),
						GFP_KERNEL | __GFP_NOWARN);
	if (!b->pages) {
		b->pages = b->stack;
		b->cap = min_t(unsigned long, b->cap, ARRAY_SIZE(b->stack));
	}
}

static inline void pages_batch_destroy(struct pages_batch *b)
{
	if (b->pages != b->stack)
		kfree(b->pages);
}

/* Users join and leave under the pages' mutex, which every walk holds. */
static inline void pages_users_insert(struct ioasim_pages *pages,
				      struct ioasim_pages_user *user)
{
	lockdep_assert_held(&pages->mutex);
	interval_tree_insert(&user->node, &pages->users);
}

static inline void pages_users_remove(struct ioasim_pages *pages,
				      struct ioasim_pages_user *user)
{
	lockdep_assert_held(&pages->mutex);
	interval_tree_remove(&user->node, &pages->users);
}

/*
 * Where @user's pinned PFNs are kept: in @domain, which maps the user's
 * byte @byte at @iova, or in the object's own table if @domain is NULL.
 */
static inline void pages_user_keep(struct ioasim_pages *pages,
				   struct ioasim_pages_user *user,
				   struct iommu_domain *domain, unsigned long iova,
				   unsigned long byte)
{
	lockdep_assert_held(&pages->mutex);
	user->domain = domain;
	user->iova = iova;
	user->byte = byte;
}

bool ioasim_pages_range_shared(struct ioasim_pages *pages,
			       struct ioasim_pages_user *self,
			       unsigned long first, unsigned long last);
void ioasim_pages_uncharge(struct ioasim_pages *pages, unsigned long n);
long ioasim_pages_pin_batch(struct ioasim_pages *pages, unsigned long index,
			    unsigned long n, struct page **batch, bool ask);
long ioasim_pages_pin_next(struct ioasim_pages *pages, unsigned long index,
			   unsigned long want, struct page **batch, bool ask);
void ioasim_pages_drop_unheld(struct ioasim_pages *pages, unsigned long index,
			      struct page **batch, unsigned long n);

#endif /* __IOASIM_PAGES_INTERNAL_H */
