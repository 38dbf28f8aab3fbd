// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - pages: pinning, storing and charging user memory
 *
 * The rules are in pages.h. This file's own conventions:
 *  - a "span" is a run of indexes [first, last] that are all pinned or all
 *    unpinned, as the callers guarantee;
 *  - charging happens before pinning, per batch, so the limit is never
 *    exceeded even for a moment, and a failed batch returns its charge
 *    before anything else is undone;
 *  - an operation (adding or removing a user) has one batch array for all
 *    its spans, and falls back to a small on-stack array when that cannot
 *    be allocated: neither pinning nor unpinning fails for want of it, and
 *    its allocations do not grow with the range;
 *  - a span's fault points are asked once each: charge and pin at its
 *    first batch, store at its last, so that a fail-nth sweep meets as
 *    many sites for a gigabyte as for a page and still reaches the
 *    rollback of batches already pinned.
 */
#include <kunit/visibility.h>
#include <linux/cred.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "inject.h"
#include "itree.h"
#include "pages.h"

atomic_long_t ioasim_pinned_pages;
EXPORT_SYMBOL_IF_KUNIT(ioasim_pinned_pages);

/* Batch size when the preferred array cannot be had. */
#define IOASIM_STACK_BATCH 16

/* The page array of one operation, see above. */
struct pages_batch {
	struct page **pages;
	unsigned long cap;
	struct page *stack[IOASIM_STACK_BATCH];
};

/* A batch for an operation over @n indexes; cannot fail. */
static void pages_batch_init(struct pages_batch *b, struct ioasim_pages *pages,
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

static void pages_batch_destroy(struct pages_batch *b)
{
	if (b->pages != b->stack)
		kfree(b->pages);
}

/**
 * ioasim_pages_create() - describe a user range whose pages may be pinned
 * @uptr: user address of the first byte
 * @length: length in bytes, not zero
 * @writable: pin for writing
 * @account: who is charged (see ioasim_ctx_account())
 * @batch_bytes: temporary-memory budget of one pin batch
 *
 * Nothing is pinned yet. The range belongs to current's mm.
 *
 * Context: process context with an mm, may sleep.
 * Return: the object (one reference), ERR_PTR(-EINVAL) for a zero or huge
 * length, ERR_PTR(-EOVERFLOW) if the range wraps, or ERR_PTR(-ENOMEM).
 */
struct ioasim_pages *ioasim_pages_create(unsigned long uptr,
					 unsigned long length, bool writable,
					 enum ioasim_account account,
					 size_t batch_bytes)
{
	struct ioasim_pages *pages;
	unsigned long end;

	if (!length || length > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(uptr, length, &end))
		return ERR_PTR(-EOVERFLOW);
	/* LCOV_EXCL_START: a caller bug; commands run in the caller's mm */
	if (WARN_ON_ONCE(!current->mm))
		return ERR_PTR(-EFAULT);
	/* LCOV_EXCL_STOP */

	pages = ioasim_kzalloc("pages.alloc", sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->uptr = ALIGN_DOWN(uptr, PAGE_SIZE);
	pages->npages = (ALIGN(end, PAGE_SIZE) - pages->uptr) >> PAGE_SHIFT;
	pages->writable = writable;
	pages->account = account;
	pages->batch_bytes = max_t(size_t, batch_bytes, sizeof(struct page *));
	pages->users = RB_ROOT_CACHED;
	pages->pins = RB_ROOT_CACHED;
	xa_init_flags(&pages->pinned, XA_FLAGS_ACCOUNT);

	pages->mm = current->mm;
	mmgrab(pages->mm);
	pages->task = current->group_leader;
	get_task_struct(pages->task);
	pages->user = get_uid(current_user());
	ioasim_ledger_take(IOASIM_LEDGER_PAGES_REF, pages, 0, _RET_IP_);
	return pages;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_create);

static void ioasim_pages_release(struct kref *kref)
{
	struct ioasim_pages *pages = container_of(kref, struct ioasim_pages,
						  kref);

	/* Users hold references, so none can be left. */
	/* Invariant: see above. */
	WARN_ON(!RB_EMPTY_ROOT(&pages->users.rb_root) ||
		!RB_EMPTY_ROOT(&pages->pins.rb_root));
	WARN_ON(pages->npinned || !xa_empty(&pages->pinned));
	ioasim_ledger_settle(pages, "pages");
	mmdrop(pages->mm);
	put_task_struct(pages->task);
	free_uid(pages->user);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/**
 * ioasim_pages_put() - drop a reference
 * @pages: the object
 *
 * Context: process context, may sleep.
 */
void ioasim_pages_put(struct ioasim_pages *pages)
{
	ioasim_ledger_give(IOASIM_LEDGER_PAGES_REF, pages, 0, _RET_IP_);
	kref_put(&pages->kref, ioasim_pages_release);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_put);

/* Pins come and go under the pages' mutex, which every walk holds. */
static struct rb_root_cached *pages_pins(struct ioasim_pages *pages)
{
	lockdep_assert_held(&pages->mutex);
	return &pages->pins;
}

/* Users join and leave under the pages' mutex, which every walk holds. */
static void pages_users_insert(struct ioasim_pages *pages,
			       struct ioasim_pages_user *user)
{
	lockdep_assert_held(&pages->mutex);
	interval_tree_insert(&user->node, &pages->users);
}

static void pages_users_remove(struct ioasim_pages *pages,
			       struct ioasim_pages_user *user)
{
	lockdep_assert_held(&pages->mutex);
	interval_tree_remove(&user->node, &pages->users);
}

/*
 * Does a pin, or a user other than @self (which may be NULL), cover part
 * of [first, last]?
 */
static bool pages_range_shared(struct ioasim_pages *pages,
			       struct ioasim_pages_user *self,
			       unsigned long first, unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&pages->mutex);
	if (interval_tree_iter_first(pages_pins(pages), first, last))
		return true;
	node = interval_tree_iter_first(&pages->users, first, last);
	if (self && node == &self->node)
		node = interval_tree_iter_next(node, first, last);
	return node;
}

static int charge_user(struct ioasim_pages *pages, unsigned long n)
{
	unsigned long limit, cur, next;

	limit = task_rlimit(pages->task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&pages->user->locked_vm);
	do {
		if (check_add_overflow(cur, n, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&pages->user->locked_vm, &cur,
					  next));
	return 0;
}

static int charge_mm(struct ioasim_pages *pages, unsigned long n, bool inc)
{
	int rc;

	/* The mm may be exiting; its counters are still there (mmgrab). */
	if (!mmget_not_zero(pages->mm))
		return inc ? -EFAULT : 0;
	mmap_write_lock(pages->mm);
	rc = __account_locked_vm(pages->mm, n, inc, pages->task, false);
	mmap_write_unlock(pages->mm);
	mmput(pages->mm);
	return rc;
}

/* Charge @n pages about to be pinned; @ask: pass the fault point. */
static int pages_charge(struct ioasim_pages *pages, unsigned long n, bool ask)
{
	int rc = 0;

	if (ask && ioasim_should_fail("pages.charge"))
		return -ENOMEM;
	switch (pages->account) {
	case IOASIM_ACCOUNT_NONE:
		break;
	case IOASIM_ACCOUNT_USER:
		rc = charge_user(pages, n);
		break;
	case IOASIM_ACCOUNT_MM:
		rc = charge_mm(pages, n, true);
		break;
	}
	if (rc)
		return rc;
	atomic64_add(n, &pages->mm->pinned_vm);
	return 0;
}

/* Return the charge of @n pages that were unpinned or never pinned. */
static void pages_uncharge(struct ioasim_pages *pages, unsigned long n)
{
	if (!n)
		return;
	switch (pages->account) {
	case IOASIM_ACCOUNT_NONE:
		break;
	case IOASIM_ACCOUNT_USER:
		/* Only what was charged is uncharged. */
		atomic_long_sub(n, &pages->user->locked_vm);
		break;
	case IOASIM_ACCOUNT_MM:
		charge_mm(pages, n, false);
		break;
	}
	atomic64_sub(n, &pages->mm->pinned_vm);
}

/*
 * Pin up to @n pages from @index into @batch. Returns how many were pinned
 * (at least one) or an errno.
 */
static long pages_pin_batch(struct ioasim_pages *pages, unsigned long index,
			    unsigned long n, struct page **batch, bool ask)
{
	unsigned int flags = FOLL_LONGTERM | (pages->writable ? FOLL_WRITE : 0);
	unsigned long uaddr = pages->uptr + (index << PAGE_SHIFT);
	int locked = 1;
	long rc;

	if (ask && ioasim_should_fail("pages.pin"))
		return -EFAULT;
	if (pages->mm == current->mm) {
		rc = pin_user_pages_fast(uaddr, n, flags, batch);
	} else {
		if (!mmget_not_zero(pages->mm))
			return -EFAULT;
		mmap_read_lock(pages->mm);
		rc = pin_user_pages_remote(pages->mm, uaddr, n, flags, batch,
					   &locked);
		if (locked)
			mmap_read_unlock(pages->mm);
		mmput(pages->mm);
	}
	if (rc == 0)
		return -EFAULT;
	if (rc > 0)
		ioasim_ledger_take_range(IOASIM_LEDGER_PIN, pages, index, rc,
					 _RET_IP_);
	return rc;
}

/*
 * Store @n pinned pages from @index under one lock round. Returns how many
 * were stored; *rc is set when that is fewer than @n.
 */
static unsigned long pages_store_batch(struct ioasim_pages *pages,
				       unsigned long index, struct page **batch,
				       unsigned long n, bool ask, int *rc)
{
	XA_STATE(xas, &pages->pinned, index);
	unsigned long i = 0;

	*rc = 0;
	/* The xarray retries a failed node allocation: fail it here. */
	if (ask && ioasim_should_fail("pages.store")) {
		*rc = -ENOMEM;
		return 0;
	}
	do {
		xas_lock(&xas);
		while (i < n) {
			xas_store(&xas, batch[i]);
			if (xas_error(&xas))
				break;
			i++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL));
	if (i < n)
		*rc = xas_error(&xas) ?: -ENOMEM;
	return i;
}

/* Remove up to @cap pinned pages from [index, last] into @batch. */
static unsigned long pages_take_batch(struct ioasim_pages *pages,
				      unsigned long index, unsigned long last,
				      struct page **batch, unsigned long cap)
{
	XA_STATE(xas, &pages->pinned, index);
	unsigned long n = 0;
	struct page *page;

	xas_lock(&xas);
	xas_for_each(&xas, page, last) {
		batch[n++] = page;
		xas_store(&xas, NULL);
		if (n == cap)
			break;
	}
	xas_unlock(&xas);
	return n;
}

/* Unpin and forget the pinned indexes [first, last]; cannot fail. */
static void pages_unpin_span(struct ioasim_pages *pages, unsigned long first,
			     unsigned long last, struct pages_batch *b)
{
	struct page **batch = b->pages;
	unsigned long index = first, n;

	lockdep_assert_held(&pages->mutex);

	while (index <= last) {
		n = pages_take_batch(pages, index, last, batch, b->cap);
		/* Every index of a span is pinned: the batch has no hole. */
		/* LCOV_EXCL_START: impossible state */
		if (WARN_ON_ONCE(!n))
			break;
		/* LCOV_EXCL_STOP */
		unpin_user_pages_dirty_lock(batch, n, pages->writable);
		ioasim_ledger_give_range(IOASIM_LEDGER_PIN, pages, index, n,
					 _THIS_IP_);
		pages->npinned -= n;
		atomic_long_sub(n, &ioasim_pinned_pages);
		pages_uncharge(pages, n);
		index += n;
	}
}

/*
 * Charge and pin the next batch of a span: up to @want pages from @index.
 * Returns how many were pinned, each charged once, or an errno with
 * nothing left charged. @ask: pass the fault points (the span's first
 * batch).
 */
static long pages_pin_next(struct ioasim_pages *pages, unsigned long index,
			   unsigned long want, struct page **batch, bool ask)
{
	long got;
	int rc;

	rc = pages_charge(pages, want, ask);
	if (rc)
		return rc;
	got = pages_pin_batch(pages, index, want, batch, ask);
	/* GUP may pin fewer than asked: the rest goes back at once. */
	pages_uncharge(pages, got < 0 ? want : want - got);
	return got;
}

/* @n pages from @index pinned but held nowhere: drop them directly. */
static void pages_drop_unheld(struct ioasim_pages *pages, unsigned long index,
			      struct page **batch, unsigned long n)
{
	unpin_user_pages(batch, n);
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, pages, index, n,
				 _THIS_IP_);
	pages_uncharge(pages, n);
}

/*
 * Pin the unpinned indexes [first, last]. On failure everything this call
 * pinned is unpinned and uncharged again.
 */
static int pages_pin_span(struct ioasim_pages *pages, unsigned long first,
			  unsigned long last, struct pages_batch *b)
{
	unsigned long index = first, want, i;
	struct page **batch = b->pages;
	bool stored_last = false, ask_store;
	long got;
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

	while (index <= last) {
		want = min(last - index + 1, b->cap);
		got = pages_pin_next(pages, index, want, batch, index == first);
		if (got < 0) {
			rc = got;
			break;
		}

		/* GUP may pin fewer than asked: once, where @last is met. */
		ask_store = index + got - 1 == last && !stored_last;
		stored_last |= ask_store;
		i = pages_store_batch(pages, index, batch, got, ask_store, &rc);
		pages->npinned += i;
		atomic_long_add(i, &ioasim_pinned_pages);
		if (rc) {
			pages_drop_unheld(pages, index + i, batch + i, got - i);
			index += i;
			break;
		}
		index += got;
	}

	if (rc && index > first)
		pages_unpin_span(pages, first, index - 1, b);
	return rc;
}

/*
 * Where @user's pinned PFNs are kept: in @domain, which maps the user's
 * byte @byte at @iova, or in the object's own table if @domain is NULL.
 */
static void pages_user_keep(struct ioasim_pages *pages,
			    struct ioasim_pages_user *user,
			    struct iommu_domain *domain, unsigned long iova,
			    unsigned long byte)
{
	lockdep_assert_held(&pages->mutex);
	user->domain = domain;
	user->iova = iova;
	user->byte = byte;
}

/*
 * Pin the indexes of [first, last] that no user and no pin covers. On
 * failure what this pinned is unpinned again.
 */
static int pages_cover(struct ioasim_pages *pages, unsigned long first,
		       unsigned long last, struct pages_batch *b)
{
	struct rb_root_cached *roots[] = { &pages->users, pages_pins(pages) };
	struct ioasim_gaps h;
	int rc = 0;

	ioasim_gaps_init(&h, roots, ARRAY_SIZE(roots), first, last);
	while (ioasim_gaps_next(&h)) {
		rc = pages_pin_span(pages, h.first_free, h.last_free, b);
		if (rc)
			break;
	}
	/* The gaps before the failing one were filled: empty them. */
	if (rc && h.first_free > first) {
		ioasim_gaps_init(&h, roots, ARRAY_SIZE(roots), first,
				 h.first_free - 1);
		while (ioasim_gaps_next(&h))
			pages_unpin_span(pages, h.first_free, h.last_free, b);
	}
	return rc;
}

/* Unpin the indexes of [first, last] that no user and no pin covers now. */
static void pages_uncover(struct ioasim_pages *pages, unsigned long first,
			  unsigned long last, struct pages_batch *b)
{
	struct rb_root_cached *roots[] = { &pages->users, pages_pins(pages) };
	struct ioasim_gaps h;

	ioasim_gaps_init(&h, roots, ARRAY_SIZE(roots), first, last);
	while (ioasim_gaps_next(&h))
		pages_unpin_span(pages, h.first_free, h.last_free, b);
}

/*
 * Pin what [first, last] needs and register @node with that range: in the
 * tree of users as @user, or in the tree of pins if @user is NULL.
 */
static int pages_add_node(struct ioasim_pages *pages,
			  struct interval_tree_node *node,
			  struct ioasim_pages_user *user, unsigned long first,
			  unsigned long last)
{
	struct pages_batch b;
	int rc;

	/* LCOV_EXCL_START: a caller bug; areas and accesses pass valid ranges */
	if (WARN_ON_ONCE(first > last || last >= pages->npages))
		return -EINVAL;
	/* LCOV_EXCL_STOP */

	pages_batch_init(&b, pages, last - first + 1);
	mutex_lock(&pages->mutex);
	rc = pages_cover(pages, first, last, &b);
	if (!rc) {
		node->start = first;
		node->last = last;
		if (user) {
			pages_user_keep(pages, user, NULL, 0, 0);
			pages_users_insert(pages, user);
		} else {
			interval_tree_insert(node, pages_pins(pages));
		}
	}
	mutex_unlock(&pages->mutex);
	pages_batch_destroy(&b);
	return rc;
}

/* Unregister @node (@user's, or a pin's if NULL) and unpin what it held. */
static void pages_remove_node(struct ioasim_pages *pages,
			      struct interval_tree_node *node,
			      struct ioasim_pages_user *user)
{
	struct pages_batch b;

	pages_batch_init(&b, pages, node->last - node->start + 1);
	mutex_lock(&pages->mutex);
	if (user) {
		/* Invariant, else a caller bug: storage is given back first. */
		WARN_ON(user->domain);
		pages_users_remove(pages, user);
	} else {
		interval_tree_remove(node, pages_pins(pages));
	}
	pages_uncover(pages, node->start, node->last, &b);
	mutex_unlock(&pages->mutex);
	pages_batch_destroy(&b);
}

/**
 * ioasim_pages_add_user() - make [first, last] resident for @user
 * @pages: the object
 * @user: caller-owned registration, not registered yet
 * @first: first index
 * @last: last index, inclusive, below npages
 *
 * Pins every index of the range that no other user or pin covers,
 * charging each once. On failure nothing this call pinned or charged is
 * left.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: 0, -EINVAL for a bad range, -ENOMEM when out of memory or over
 * the memlock limit, -EFAULT (or GUP's errno) when the memory cannot be
 * pinned.
 */
int ioasim_pages_add_user(struct ioasim_pages *pages,
			  struct ioasim_pages_user *user, unsigned long first,
			  unsigned long last)
{
	return pages_add_node(pages, &user->node, user, first, last);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_add_user);

/**
 * ioasim_pages_remove_user() - release what ioasim_pages_add_user() pinned
 * @pages: the object
 * @user: a registered user
 *
 * Unpins the indexes of @user's range that no other user or pin covers.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_remove_user(struct ioasim_pages *pages,
			      struct ioasim_pages_user *user)
{
	pages_remove_node(pages, &user->node, user);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_remove_user);

/* An access may hold thousands of pins: one kmalloc-64 object each. */
static_assert(sizeof(struct ioasim_pages_pin) <= 64);

/**
 * ioasim_pages_add_pin() - make [first, last] resident for a pin
 * @pages: the object
 * @pin: caller-owned, its @holder and @owner set; not registered yet
 * @first: first index
 * @last: last index, inclusive, below npages
 *
 * As ioasim_pages_add_user(), for a pin.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: as ioasim_pages_add_user().
 */
int ioasim_pages_add_pin(struct ioasim_pages *pages,
			 struct ioasim_pages_pin *pin, unsigned long first,
			 unsigned long last)
{
	return pages_add_node(pages, &pin->node, NULL, first, last);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_add_pin);

/**
 * ioasim_pages_remove_pin() - release what ioasim_pages_add_pin() pinned
 * @pages: the object
 * @pin: a registered pin
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_remove_pin(struct ioasim_pages *pages,
			     struct ioasim_pages_pin *pin)
{
	pages_remove_node(pages, &pin->node, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_remove_pin);

/**
 * ioasim_pages_find_pin() - a pin of @holder and @owner
 * @pages: the object
 * @first: first index
 * @last: last index, inclusive
 * @holder: the pin's holder
 * @owner: the pin's owner
 * @exact: the pin must cover exactly [first, last], not just part of it
 *
 * Pins come and go only under their holder's lock, which the caller holds:
 * the pin found stays registered until the caller removes it.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: the pin, or NULL if there is none.
 */
struct ioasim_pages_pin *ioasim_pages_find_pin(struct ioasim_pages *pages,
					       unsigned long first,
					       unsigned long last,
					       const void *holder,
					       const void *owner, bool exact)
{
	struct ioasim_pages_pin *found = NULL, *pin;
	struct interval_tree_node *node;

	mutex_lock(&pages->mutex);
	for (node = interval_tree_iter_first(pages_pins(pages), first, last);
	     node;
	     node = interval_tree_iter_next(node, first, last)) {
		pin = container_of(node, struct ioasim_pages_pin, node);
		if (pin->holder != holder || pin->owner != owner ||
		    (exact && (node->start != first || node->last != last)))
			continue;
		found = pin;
		break;
	}
	mutex_unlock(&pages->mutex);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_find_pin);

/* Where @user's domain has the page of @index, which @user covers. */
static struct page *user_domain_page(struct ioasim_pages_user *user,
				     unsigned long index)
{
	unsigned long byte = max(index << PAGE_SHIFT, user->byte);

	return pfn_to_page(PHYS_PFN(iommu_iova_to_phys(user->domain,
						       user->iova + byte -
						       user->byte)));
}

/* A user other than @skip whose domain stores @index, or NULL. */
static struct ioasim_pages_user *pages_storing_user(struct ioasim_pages *pages,
						    unsigned long index,
						    struct ioasim_pages_user *skip)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&pages->mutex);
	for (node = interval_tree_iter_first(&pages->users, index, index);
	     node; node = interval_tree_iter_next(node, index, index)) {
		struct ioasim_pages_user *user =
			container_of(node, struct ioasim_pages_user, node);

		if (user->domain && user != skip)
			return user;
	}
	return NULL;
}

/* The page of @index from a storing domain other than @skip's, or NULL. */
static struct page *pages_stored_page(struct ioasim_pages *pages,
				      unsigned long index,
				      struct ioasim_pages_user *skip)
{
	struct ioasim_pages_user *user = pages_storing_user(pages, index, skip);

	return user ? user_domain_page(user, index) : NULL;
}

/* The pinned page of @index wherever it is stored, or NULL. */
static struct page *pages_held_page(struct ioasim_pages *pages,
				    unsigned long index)
{
	lockdep_assert_held(&pages->mutex);
	return xa_load(&pages->pinned, index) ?:
	       pages_stored_page(pages, index, NULL);
}

/**
 * ioasim_pages_page() - the pinned page at @index
 * @pages: the object
 * @index: an index some registered user covers
 *
 * Context: process context, may sleep; takes @pages->mutex. The caller's
 * registration keeps the page pinned.
 * Return: the page, or NULL if @index is not pinned.
 */
struct page *ioasim_pages_page(struct ioasim_pages *pages,
			       unsigned long index)
{
	struct page *page;

	mutex_lock(&pages->mutex);
	page = pages_held_page(pages, index);
	mutex_unlock(&pages->mutex);
	return page;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_page);

/**
 * ioasim_pages_fill() - the pinned pages of @n indexes from @first
 * @pages: the object
 * @first: first index
 * @n: how many, at least one; [@first, @first + @n - 1] within the object
 * @out: gets the @n pages in order, NULL for an index that is not pinned
 *
 * ioasim_pages_page() for a run, under one lock round: the object's own
 * entries are read in one walk, the rest from the domains that store them.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_fill(struct ioasim_pages *pages, unsigned long first,
		       unsigned long n, struct page **out)
{
	struct ioasim_pages_user *user = NULL;
	unsigned long done, i, part;
	struct page *page;

	memset(out, 0, n * sizeof(*out));
	mutex_lock(&pages->mutex);
	for (done = 0; done < n; done += part) {
		XA_STATE(xas, &pages->pinned, first + done);

		part = min_t(unsigned long, n - done, IOASIM_LOCK_ROUND);
		rcu_read_lock();
		xas_for_each(&xas, page, first + done + part - 1) {
			if (xas_retry(&xas, page))
				continue;
			out[xas.xa_index - first] = page;
		}
		rcu_read_unlock();
		/* A storing user found serves the indexes after it too. */
		for (i = done; i < done + part; i++) {
			if (out[i])
				continue;
			if (!user || first + i > user->node.last)
				user = pages_storing_user(pages, first + i,
							  NULL);
			if (user)
				out[i] = user_domain_page(user, first + i);
		}
		cond_resched();
	}
	mutex_unlock(&pages->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_fill);

/**
 * ioasim_pages_rw() - copy between a buffer and the memory of @pages
 * @pages: the object
 * @byte: the first byte, counted from index 0's start
 * @buf: the data to write, or where to put what is read
 * @length: bytes, at least one, within the object
 * @write: copy into the memory (the caller checked it may be written)
 *
 * Pages a user holds are copied where they are stored. The others are
 * pinned for their copy only, one at a time and without a charge, so
 * nothing is pinned, stored or allocated for the copy once it returns.
 * The pin's fault point is asked once per call.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: 0, or the pin's error (-EFAULT) with the bytes before the page
 * that failed copied.
 */
int ioasim_pages_rw(struct ioasim_pages *pages, unsigned long byte,
		    void *buf, unsigned long length, bool write)
{
	bool ask = true;
	int rc = 0;

	mutex_lock(&pages->mutex);
	while (length) {
		unsigned long part = min(length,
					 PAGE_SIZE - offset_in_page(byte));
		unsigned long index = byte >> PAGE_SHIFT;
		struct page *page = pages_held_page(pages, index);
		bool transient = !page;
		void *va;

		if (transient) {
			long got = pages_pin_batch(pages, index, 1, &page, ask);

			ask = false;
			if (got < 0) {
				rc = got;
				break;
			}
		}
		va = kmap_local_page(page);
		if (write)
			memcpy(va + offset_in_page(byte), buf, part);
		else
			memcpy(buf, va + offset_in_page(byte), part);
		kunmap_local(va);
		if (transient) {
			unpin_user_pages_dirty_lock(&page, 1, write);
			ioasim_ledger_give_range(IOASIM_LEDGER_PIN, pages,
						 index, 1, _THIS_IP_);
		} else if (write) {
			set_page_dirty_lock(page);
		}
		byte += part;
		buf += part;
		length -= part;
		cond_resched();
	}
	mutex_unlock(&pages->mutex);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_rw);

/**
 * ioasim_pages_store_in_domain() - a domain now holds a user's PFNs
 * @pages: the object
 * @user: a registered user
 * @domain: a domain that maps every byte of @user's range
 * @iova: where @domain maps the byte @byte
 * @byte: the first byte of @user's range that @domain maps
 *
 * The object drops its own entries for @user's indexes; lookups go to
 * @domain. A user whose storage is in one domain may move it to another
 * that maps the same.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_store_in_domain(struct ioasim_pages *pages,
				  struct ioasim_pages_user *user,
				  struct iommu_domain *domain,
				  unsigned long iova, unsigned long byte)
{
	XA_STATE(xas, &pages->pinned, user->node.start);
	unsigned long n = 0;
	struct page *page;

	mutex_lock(&pages->mutex);
	pages_user_keep(pages, user, domain, iova, byte);
	/* One walk over the entries there are, not one lookup per index. */
	xas_lock(&xas);
	xas_for_each(&xas, page, user->node.last) {
		xas_store(&xas, NULL);
		if (++n % IOASIM_LOCK_ROUND)
			continue;
		xas_pause(&xas);
		xas_unlock(&xas);
		cond_resched();
		xas_lock(&xas);
	}
	xas_unlock(&xas);
	mutex_unlock(&pages->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_store_in_domain);

/**
 * ioasim_pages_split_user() - replace a user by two that cover it
 * @pages: the object
 * @user: a registered user, removed
 * @lhs: takes [@user's first index, @lhs_last], and the bytes of @user's
 *	storing domain up to @byte - 1
 * @rhs: takes [@byte's index, @user's last index], and the bytes from
 *	@byte on, at @iova of the same domain
 * @byte: the first byte of @rhs, from index 0's start; inside @user's
 *	range and not its first byte
 * @iova: where @user's domain maps @byte
 *
 * For an area cut in two. Nothing is pinned or unpinned: every index
 * stays covered (a page holding bytes of both halves by both), and where
 * the PFNs are stored does not change.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_split_user(struct ioasim_pages *pages,
			     struct ioasim_pages_user *user,
			     struct ioasim_pages_user *lhs,
			     struct ioasim_pages_user *rhs,
			     unsigned long byte, unsigned long iova)
{
	mutex_lock(&pages->mutex);
	pages_users_remove(pages, user);
	*lhs = *user;
	lhs->node.last = (byte - 1) >> PAGE_SHIFT;
	*rhs = *user;
	rhs->node.start = byte >> PAGE_SHIFT;
	rhs->iova = iova;
	rhs->byte = byte;
	pages_users_insert(pages, lhs);
	pages_users_insert(pages, rhs);
	mutex_unlock(&pages->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_split_user);

/**
 * ioasim_pages_unstore() - a user's domain is about to stop mapping
 * @pages: the object
 * @user: a user whose storage is in a domain
 *
 * Copies into the object every PFN of @user's range that no other storing
 * domain holds, while @user's domain still maps them. Cannot fail: an
 * unmap cannot be refused for lack of memory, so the few xarray nodes
 * this needs are allocated with __GFP_NOFAIL.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 */
void ioasim_pages_unstore(struct ioasim_pages *pages,
			  struct ioasim_pages_user *user)
{
	unsigned long index = user->node.start, last = user->node.last;
	bool alone;

	mutex_lock(&pages->mutex);
	/* With no other user on the range, no other domain can hold it. */
	alone = !pages_range_shared(pages, user, index, last);
	while (index <= last) {
		unsigned long end = min(last, index + IOASIM_LOCK_ROUND - 1);
		XA_STATE(xas, &pages->pinned, index);

		/* Store a round under one lock; allocate outside it. */
		do {
			xas_set(&xas, index);
			xas_lock(&xas);
			for (; index <= end; index++) {
				/* A restarted state does not step: set it. */
				if (!alone && pages_stored_page(pages, index,
								user)) {
					xas_set(&xas, index + 1);
					continue;
				}
				xas_store(&xas, user_domain_page(user, index));
				if (xas_error(&xas))
					break;
				xas_next(&xas);
			}
			xas_unlock(&xas);
		} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT | __GFP_NOFAIL));
		cond_resched();
	}
	pages_user_keep(pages, user, NULL, 0, 0);
	mutex_unlock(&pages->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_unstore);

/*
 * A stored user's pages come back from its domain in chunks of physically
 * contiguous runs. A chunk ends only where the memory is not contiguous,
 * or at the range's end: no domain maps across such a place in one call,
 * so each chunk's IOVA can be unmapped on its own, then its pages
 * unpinned. Half of the batch array holds the runs' first pages, half
 * their lengths.
 */
struct pages_runs {
	struct page **head;
	unsigned long *len;
	unsigned long n, cap;
};

static void pages_runs_init(struct pages_runs *r, struct pages_batch *b)
{
	/* The on-stack fallback is there in full whatever the budget. */
	r->cap = (b->pages == b->stack ? ARRAY_SIZE(b->stack) : b->cap) / 2;
	r->head = b->pages;
	r->len = (unsigned long *)(b->pages + r->cap);
	r->n = 0;
}

/* Unpin the runs of the indexes [first, last], which nothing maps now. */
static void pages_unpin_runs(struct ioasim_pages *pages, struct pages_runs *r,
			     unsigned long first, unsigned long last)
{
	unsigned long i, n = last - first + 1;

	for (i = 0; i < r->n; i++)
		unpin_user_page_range_dirty_lock(r->head[i], r->len[i],
						 pages->writable);
	r->n = 0;
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, pages, first, n,
				 _THIS_IP_);
	pages->npinned -= n;
	atomic_long_sub(n, &ioasim_pinned_pages);
	pages_uncharge(pages, n);
}

/*
 * Unmap through @sink and unpin the indexes [first, last] of @user, whose
 * domain stores them and is the only place they are remembered.
 */
static void pages_release_stored(struct ioasim_pages *pages,
				 struct ioasim_pages_user *user,
				 unsigned long first, unsigned long last,
				 const struct ioasim_pages_sink *sink,
				 struct pages_batch *b)
{
	unsigned long index, chunk = first;
	struct pages_runs r;
	struct page *page;

	lockdep_assert_held(&pages->mutex);
	pages_runs_init(&r, b);
	for (index = first; index <= last; index++) {
		page = user_domain_page(user, index);
		if (r.n && page_to_pfn(page) ==
			   page_to_pfn(r.head[r.n - 1]) + r.len[r.n - 1]) {
			r.len[r.n - 1]++;
		} else {
			if (r.n == r.cap) {
				sink->unmap(sink, chunk, index - 1);
				pages_unpin_runs(pages, &r, chunk, index - 1);
				chunk = index;
			}
			r.head[r.n] = page;
			r.len[r.n++] = 1;
		}
		if (!(index % IOASIM_LOCK_ROUND))
			cond_resched();
	}
	sink->unmap(sink, chunk, last);
	pages_unpin_runs(pages, &r, chunk, last);
}

/**
 * ioasim_pages_add_stored_user() - pin a range straight into its domains
 * @pages: the object
 * @user: caller-owned registration, not registered yet
 * @first: first index
 * @last: last index, inclusive, below npages
 * @domain: the domain that will store the PFNs, mapping @byte at @iova
 * @iova: see @domain
 * @byte: the first byte of the range the domains map, from index 0's start
 * @sink: maps each batch into every domain that is to map the range
 *
 * ioasim_pages_add_user(), the domains' maps and
 * ioasim_pages_store_in_domain() in one: each batch is mapped as soon as
 * it is pinned, and the object never keeps an entry for it. Only for a
 * range no other user covers; for one that is shared nothing is done.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: 0; 1 if another user covers part of the range; or the errors of
 * ioasim_pages_add_user() and of @sink's map. On failure nothing this
 * call pinned, charged or mapped is left.
 */
int ioasim_pages_add_stored_user(struct ioasim_pages *pages,
				 struct ioasim_pages_user *user,
				 unsigned long first, unsigned long last,
				 struct iommu_domain *domain, unsigned long iova,
				 unsigned long byte,
				 const struct ioasim_pages_sink *sink)
{
	unsigned long index = first, want;
	struct pages_batch b;
	long got;
	int rc = 0;

	/* LCOV_EXCL_START: a caller bug; areas pass valid ranges */
	if (WARN_ON_ONCE(first > last || last >= pages->npages))
		return -EINVAL;
	/* LCOV_EXCL_STOP */

	pages_batch_init(&b, pages, last - first + 1);
	mutex_lock(&pages->mutex);
	if (pages_range_shared(pages, NULL, first, last)) {
		rc = 1;
		goto out_unlock;
	}
	user->node.start = first;
	user->node.last = last;
	pages_user_keep(pages, user, domain, iova, byte);
	while (index <= last) {
		want = min(last - index + 1, b.cap);
		got = pages_pin_next(pages, index, want, b.pages,
				     index == first);
		if (got < 0) {
			rc = got;
			break;
		}
		rc = sink->map(sink, index, b.pages, got);
		if (rc) {
			/* Mapped nowhere: the sink left none of them mapped. */
			pages_drop_unheld(pages, index, b.pages, got);
			break;
		}
		pages->npinned += got;
		atomic_long_add(got, &ioasim_pinned_pages);
		index += got;
	}
	if (!rc) {
		pages_users_insert(pages, user);
		goto out_unlock;
	}
	/* The batches before the failing one are mapped: take them back. */
	if (index > first)
		pages_release_stored(pages, user, first, index - 1, sink, &b);
	pages_user_keep(pages, user, NULL, 0, 0);
out_unlock:
	mutex_unlock(&pages->mutex);
	pages_batch_destroy(&b);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_add_stored_user);

/**
 * ioasim_pages_remove_stored_user() - unmap and release a stored user
 * @pages: the object
 * @user: a registered user whose storage is in a domain
 * @sink: unmaps parts of @user's range from every domain that maps it
 *
 * ioasim_pages_unstore(), the domains' unmaps and
 * ioasim_pages_remove_user() in one, without the object ever holding the
 * PFNs: they are read back from the domain a chunk at a time, the chunk is
 * unmapped, then unpinned. Only for a user no other user overlaps; for
 * one that is nothing is done.
 *
 * Context: process context, may sleep; takes @pages->mutex.
 * Return: true if @user is released, false if another user overlaps it.
 */
bool ioasim_pages_remove_stored_user(struct ioasim_pages *pages,
				     struct ioasim_pages_user *user,
				     const struct ioasim_pages_sink *sink)
{
	unsigned long first = user->node.start, last = user->node.last;
	struct pages_batch b;
	bool alone;

	pages_batch_init(&b, pages, last - first + 1);
	mutex_lock(&pages->mutex);
	/* Invariant, else a caller bug: only stored users come here. */
	WARN_ON(!user->domain);
	alone = !pages_range_shared(pages, user, first, last);
	if (alone) {
		pages_release_stored(pages, user, first, last, sink, &b);
		pages_users_remove(pages, user);
		pages_user_keep(pages, user, NULL, 0, 0);
	}
	mutex_unlock(&pages->mutex);
	pages_batch_destroy(&b);
	return alone;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_pages_remove_stored_user);
