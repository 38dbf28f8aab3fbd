// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - pages: pinning and charging user memory, and who needs it
 *
 * The rules are in pages.h; where the pinned PFNs are kept and read back
 * is pages_store.c. This file's own conventions:
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
#include "pages_internal.h"

atomic_long_t ioasim_pinned_pages;
EXPORT_SYMBOL_IF_KUNIT(ioasim_pinned_pages);

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

/**
 * ioasim_pages_range_shared() - is part of a range covered by another?
 * @pages: the object
 * @self: a user not to count, or NULL
 * @first: first index
 * @last: last index, inclusive
 *
 * Context: @pages->mutex held.
 * Return: true if a pin, or a user other than @self, covers part of
 * [@first, @last].
 */
bool ioasim_pages_range_shared(struct ioasim_pages *pages,
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

/**
 * ioasim_pages_uncharge() - return the charge of pages
 * @pages: the object
 * @n: how many pages, unpinned now or never pinned
 *
 * Context: any context.
 */
void ioasim_pages_uncharge(struct ioasim_pages *pages, unsigned long n)
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

/**
 * ioasim_pages_pin_batch() - pin up to @n pages from @index into @batch
 * @pages: the object
 * @index: first index
 * @n: how many at most
 * @batch: gets the pages
 * @ask: pass the fault points
 *
 * Context: process context, may sleep; @pages->mutex held.
 * Return: how many were pinned (at least one), or an errno.
 */
long ioasim_pages_pin_batch(struct ioasim_pages *pages, unsigned long index,
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
		ioasim_pages_uncharge(pages, n);
		index += n;
	}
}

/**
 * ioasim_pages_pin_next() - charge and pin the next batch of a span
 * @pages: the object
 * @index: first index
 * @want: how many at most
 * @batch: gets the pages
 * @ask: pass the fault points (the span's first batch)
 *
 * Context: process context, may sleep; @pages->mutex held.
 * Return: how many were pinned, each charged once, or an errno with
 * nothing left charged.
 */
long ioasim_pages_pin_next(struct ioasim_pages *pages, unsigned long index,
			   unsigned long want, struct page **batch, bool ask)
{
	long got;
	int rc;

	rc = pages_charge(pages, want, ask);
	if (rc)
		return rc;
	got = ioasim_pages_pin_batch(pages, index, want, batch, ask);
	/* GUP may pin fewer than asked: the rest goes back at once. */
	ioasim_pages_uncharge(pages, got < 0 ? want : want - got);
	return got;
}

/**
 * ioasim_pages_drop_unheld() - unpin pages that are held nowhere
 * @pages: the object
 * @index: the index of @batch's first page
 * @batch: pages just pinned, not stored or mapped anywhere
 * @n: how many
 *
 * Context: process context, may sleep; @pages->mutex held.
 */
void ioasim_pages_drop_unheld(struct ioasim_pages *pages, unsigned long index,
			      struct page **batch, unsigned long n)
{
	unpin_user_pages(batch, n);
	ioasim_ledger_give_range(IOASIM_LEDGER_PIN, pages, index, n,
				 _THIS_IP_);
	ioasim_pages_uncharge(pages, n);
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
		got = ioasim_pages_pin_next(pages, index, want, batch, index == first);
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
			ioasim_pages_drop_unheld(pages, index + i, batch + i, got - i);
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
