// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - pages: where the pinned PFNs are kept, and reading them back
 *
 * A pinned page is remembered in one place: the object's own table
 * (@pages->pinned), or the page table of a domain that maps it, whose
 * user says so (ioasim_pages_user::domain). Reads (a page, a run, a CPU
 * copy) look in the table first, then in the storing domains.
 *
 * The short way: a range no other user or pin shares is pinned batch by
 * batch straight into its domains and never gets a table entry
 * (ioasim_pages_add_stored_user()); on the way out its PFNs are read back
 * from the domain a chunk at a time, unmapped, then unpinned
 * (ioasim_pages_remove_stored_user()). Shared ranges go the long way:
 * ioasim_pages_store_in_domain() and ioasim_pages_unstore().
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "pages_internal.h"

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
 * From the process whose memory it is, the copy goes to and from the
 * user's address space as it is now, pinned or not, as upstream's fast
 * path does: a read of memory mapped read-only through a writable area
 * reads it. From elsewhere, pages a user holds are copied where they are
 * stored, and the others are pinned for their copy only, one at a time
 * and without a charge, so nothing is pinned, stored or allocated for
 * the copy once it returns. The pin's fault point is asked once per call.
 *
 * Context: process context, may sleep; takes @pages->mutex from another
 * process.
 * Return: 0, or -EFAULT (with the bytes before the page that failed
 * copied, from another process).
 */
int ioasim_pages_rw(struct ioasim_pages *pages, unsigned long byte,
		    void *buf, unsigned long length, bool write)
{
	void __user *uaddr = (void __user *)(pages->uptr + byte);
	bool ask = true;
	int rc = 0;

	if (current->mm == pages->mm) {
		if (write)
			return copy_to_user(uaddr, buf, length) ? -EFAULT : 0;
		return copy_from_user(buf, uaddr, length) ? -EFAULT : 0;
	}

	mutex_lock(&pages->mutex);
	while (length) {
		unsigned long part = min(length,
					 PAGE_SIZE - offset_in_page(byte));
		unsigned long index = byte >> PAGE_SHIFT;
		struct page *page = pages_held_page(pages, index);
		bool transient = !page;
		void *va;

		if (transient) {
			long got = ioasim_pages_pin_batch(pages, index, 1, &page, ask);

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
	alone = !ioasim_pages_range_shared(pages, user, index, last);
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
	ioasim_pages_uncharge(pages, n);
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
	if (ioasim_pages_range_shared(pages, NULL, first, last)) {
		rc = 1;
		goto out_unlock;
	}
	user->node.start = first;
	user->node.last = last;
	pages_user_keep(pages, user, domain, iova, byte);
	while (index <= last) {
		want = min(last - index + 1, b.cap);
		got = ioasim_pages_pin_next(pages, index, want, b.pages,
					    index == first);
		if (got < 0) {
			rc = got;
			break;
		}
		rc = sink->map(sink, index, b.pages, got);
		if (rc) {
			/* Mapped nowhere: the sink left none of them mapped. */
			ioasim_pages_drop_unheld(pages, index, b.pages, got);
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
	alone = !ioasim_pages_range_shared(pages, user, first, last);
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
