/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - pages: user memory pinned exactly once per page index
 *
 * A pages object stands for one range of user virtual memory, seen as an
 * array of npages page indexes: index 0 is the page holding the range's
 * first byte, index npages - 1 the page holding its last byte. Ranges of
 * indexes are inclusive ([first, last]; "last" never means one past).
 *
 * Whoever needs the memory resident registers an interval of indexes: an
 * IOAS area for its domains registers a user (struct ioasim_pages_user),
 * an access a pin (struct ioasim_pages_pin) for each range it pins. A pin
 * is the smaller of the two, one 64-byte object per call, since accesses
 * may hold many; its pages are never stored in a domain. Users and pins
 * cover indexes alike: an index is pinned exactly while at least one of
 * them covers it. The first
 * user to cover it pins it (FOLL_LONGTERM, in the mm that mapped it, even
 * from another task); the last to leave unpins it. Overlapping users never
 * pin twice.
 *
 * Every pinned page is charged once, before it is pinned, as the context
 * chose when the object was created: to the user's locked_vm against
 * RLIMIT_MEMLOCK, to the mm's locked_vm (the VFIO way), or to nobody when
 * the opener had CAP_IPC_LOCK. The mm's pinned_vm always counts the pages.
 * Each failure path returns exactly what it took.
 *
 * Where the pinned pages are remembered: a user may declare that an iommu
 * domain maps its whole range (ioasim_pages_store_in_domain()). The PFNs
 * of the indexes it covers then live in that domain's page table, and the
 * object keeps no entry of its own for them (@pinned holds only indexes no
 * such domain covers). Before that domain stops mapping the range, the
 * user gives the storage back (ioasim_pages_unstore()), which copies into
 * @pinned whatever no other domain holds, so there is never a moment in
 * which a pinned page is remembered nowhere.
 *
 * A range no other user shares takes a shorter way in and out
 * (ioasim_pages_add_stored_user(), ioasim_pages_remove_stored_user()):
 * each batch is mapped into the domains as soon as it is pinned, and on
 * the way out the PFNs are read back from the domain a chunk at a time,
 * the chunk unmapped, then unpinned. @pinned never holds an entry for it.
 *
 * Pins are gathered in batches whose temporary array fits the context's
 * temporary-memory budget, so pinning a huge range needs no huge
 * allocation; tests shrink the budget to force many small batches.
 *
 * Overflow: npages is bounded by the length of a user range, so
 * last + 1 cannot overflow for an index.
 */
#ifndef __IOASIM_PAGES_H
#define __IOASIM_PAGES_H

#include <linux/atomic.h>
#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "ledger.h"

struct iommu_domain;
struct mm_struct;
struct page;
struct task_struct;
struct user_struct;

/**
 * enum ioasim_account - who is charged for pinned pages
 * @IOASIM_ACCOUNT_NONE: nobody; the opener had CAP_IPC_LOCK
 * @IOASIM_ACCOUNT_USER: the user's locked_vm, limited by RLIMIT_MEMLOCK
 * @IOASIM_ACCOUNT_MM: the mm's locked_vm, as VFIO type1 does
 */
enum ioasim_account {
	IOASIM_ACCOUNT_NONE,
	IOASIM_ACCOUNT_USER,
	IOASIM_ACCOUNT_MM,
};

/*
 * User pages pinned by all pages objects together; a sysfs attribute of
 * the character device shows it.
 */
extern atomic_long_t ioasim_pinned_pages;

/*
 * Indexes walked under one lock round before rescheduling, and so the
 * most a caller reads ahead with ioasim_pages_fill() in one call.
 */
#define IOASIM_LOCK_ROUND 64

/* The default temporary-memory budget of one pin batch. */
#define IOASIM_BATCH_BYTES_DEFAULT (64 * 1024)

/**
 * struct ioasim_pages - a pinned-on-demand range of user memory
 * @kref: the areas over this range, and the slices a copy holds while it
 *	maps them
 * @mutex: protects @users, @pins, @pinned and @npinned
 * @uptr: user address of index 0 (page aligned)
 * @npages: number of indexes
 * @writable: pinned with FOLL_WRITE
 * @account: who is charged
 * @batch_bytes: temporary-memory budget of one pin batch
 * @mm: the mm the range belongs to (mmgrab'd)
 * @task: its group leader, whose RLIMIT_MEMLOCK applies (referenced)
 * @user: the user charged in IOASIM_ACCOUNT_USER mode (referenced)
 * @users: interval tree of struct ioasim_pages_user, in indexes
 * @pins: interval tree of struct ioasim_pages_pin, in indexes
 * @pinned: index -> struct page * of every pinned index that no storing
 *	domain covers
 * @npinned: number of pinned (and charged) indexes
 */
struct ioasim_pages {
	struct kref kref;
	struct mutex mutex; /* see the kernel-doc above */
	unsigned long uptr;
	unsigned long npages;
	bool writable;
	enum ioasim_account account;
	size_t batch_bytes;
	struct mm_struct *mm;
	struct task_struct *task;
	struct user_struct *user;
	struct rb_root_cached users;
	struct rb_root_cached pins;
	struct xarray pinned;
	unsigned long npinned;
};

/**
 * struct ioasim_pages_user - a registered need for [first, last]
 * @node: in ioasim_pages::users; start and last are indexes
 * @domain: a domain that maps the whole range and stores its PFNs, or NULL
 * @iova: where @domain maps the byte @byte
 * @byte: the first byte of the range @domain maps, from index 0's start
 */
struct ioasim_pages_user {
	struct interval_tree_node node;
	struct iommu_domain *domain;
	unsigned long iova;
	unsigned long byte;
};

/**
 * struct ioasim_pages_pin - [first, last] pinned for an owner through a holder
 * @node: in ioasim_pages::pins; start and last are indexes
 * @holder: what the pin was taken through (an IOAS area)
 * @owner: for whom (an access); the pin is released on its behalf only
 *
 * Two pins of the same range by the same owner are two objects: each is
 * released once.
 */
struct ioasim_pages_pin {
	struct interval_tree_node node;
	const void *holder;
	const void *owner;
};

/**
 * struct ioasim_pages_sink - the domains a stored user's pages go into
 * @map: map the pinned @pages of the @n indexes from @index, as far as the
 *	user's range holds them, into every domain; on failure none of them
 *	is left mapped anywhere
 * @unmap: unmap the user's part of the indexes [@first, @last] from
 *	every domain
 *
 * Called under the object's mutex, one batch or chunk at a time: the
 * pages are pinned before they are mapped and unmapped before they are
 * unpinned. See ioasim_pages_add_stored_user().
 */
struct ioasim_pages_sink {
	int (*map)(const struct ioasim_pages_sink *sink, unsigned long index,
		   struct page **pages, unsigned long n);
	void (*unmap)(const struct ioasim_pages_sink *sink,
		      unsigned long first, unsigned long last);
};

struct ioasim_pages *ioasim_pages_create(unsigned long uptr,
					 unsigned long length, bool writable,
					 enum ioasim_account account,
					 size_t batch_bytes);
void ioasim_pages_put(struct ioasim_pages *pages);

static inline void ioasim_pages_get(struct ioasim_pages *pages)
{
	ioasim_ledger_take(IOASIM_LEDGER_PAGES_REF, pages, 0, _THIS_IP_);
	kref_get(&pages->kref);
}

int ioasim_pages_add_user(struct ioasim_pages *pages,
			  struct ioasim_pages_user *user, unsigned long first,
			  unsigned long last);
void ioasim_pages_remove_user(struct ioasim_pages *pages,
			      struct ioasim_pages_user *user);
int ioasim_pages_add_pin(struct ioasim_pages *pages,
			 struct ioasim_pages_pin *pin, unsigned long first,
			 unsigned long last);
void ioasim_pages_remove_pin(struct ioasim_pages *pages,
			     struct ioasim_pages_pin *pin);
struct ioasim_pages_pin *ioasim_pages_find_pin(struct ioasim_pages *pages,
					       unsigned long first,
					       unsigned long last,
					       const void *holder,
					       const void *owner, bool exact);
struct page *ioasim_pages_page(struct ioasim_pages *pages,
			       unsigned long index);
void ioasim_pages_fill(struct ioasim_pages *pages, unsigned long first,
		       unsigned long n, struct page **out);
int ioasim_pages_rw(struct ioasim_pages *pages, unsigned long byte,
		    void *buf, unsigned long length, bool write);
void ioasim_pages_store_in_domain(struct ioasim_pages *pages,
				  struct ioasim_pages_user *user,
				  struct iommu_domain *domain,
				  unsigned long iova, unsigned long byte);
void ioasim_pages_split_user(struct ioasim_pages *pages,
			     struct ioasim_pages_user *user,
			     struct ioasim_pages_user *lhs,
			     struct ioasim_pages_user *rhs,
			     unsigned long byte, unsigned long iova);
void ioasim_pages_unstore(struct ioasim_pages *pages,
			  struct ioasim_pages_user *user);
int ioasim_pages_add_stored_user(struct ioasim_pages *pages,
				 struct ioasim_pages_user *user,
				 unsigned long first, unsigned long last,
				 struct iommu_domain *domain, unsigned long iova,
				 unsigned long byte,
				 const struct ioasim_pages_sink *sink);
bool ioasim_pages_remove_stored_user(struct ioasim_pages *pages,
				     struct ioasim_pages_user *user,
				     const struct ioasim_pages_sink *sink);

#endif /* __IOASIM_PAGES_H */
