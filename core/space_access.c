// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the IOVA space of an IOAS, part four: what accesses (emulated
 * devices) do through it. An access pins the pages behind a range of
 * areas for itself, or has the CPU copy to or from them.
 *
 * Both walk the pieces of the range (space_for_each_piece()): they need
 * the range mapped without a gap, and a pin needs every piece to start on
 * a page boundary of its memory and every piece but the last to end on
 * one, so that the pages handed out are exactly the range's memory.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "inject.h"
#include "space_internal.h"

static bool area_allows(struct ioasim_area *area, bool write)
{
	return area->prot & (write ? IOMMU_WRITE : IOMMU_READ);
}

/* May an access reach @area's memory in that direction at all? */
static int area_reachable(struct ioasim_area *area, bool write)
{
	if (area->unmapping)
		return -EINVAL;
	return area_allows(area, write) ? 0 : -EPERM;
}

/*
 * May the piece [pcs->cur, pcs->piece_last] of @area be pinned? Besides
 * being reachable, it must start on a page boundary of
 * its memory and, unless it is the range's last, end on one; its shape is
 * checked before its permission, as upstream does.
 */
static int piece_pinnable(struct ioasim_area *area,
			  const struct space_pieces *pcs, unsigned long last,
			  bool write)
{
	if (area->unmapping)
		return -EINVAL;
	if (offset_in_page(area_byte(area, pcs->cur)) ||
	    (pcs->piece_last != last &&
	     offset_in_page(area_byte(area, pcs->piece_last) + 1)))
		return -EINVAL;
	return area_reachable(area, write);
}

/**
 * struct piece_walk - an access's walk over a range, piece by piece
 * @act: checks the piece of @area and acts on it; 0 or an errno
 * @last: the range's last IOVA
 * @done: some piece was acted on
 * @done_last: then, the last IOVA acted on
 */
struct piece_walk {
	int (*act)(struct piece_walk *w, struct ioasim_area *area,
		   const struct space_pieces *pcs);
	unsigned long last;
	bool done;
	unsigned long done_last;
};

/*
 * Walk [iova, @w->last] as upstream does, and as a device's DMA would:
 * each piece is checked and acted on before the next is looked at, so a
 * piece's mistake answers before a later one's, and a gap answers -ENOENT
 * once every piece before it was acted on.
 */
static int space_walk_pieces(struct ioasim_space *space, unsigned long iova,
			     struct piece_walk *w)
{
	struct space_pieces pcs;
	struct ioasim_area *area;
	int rc;

	space_for_each_piece(&pcs, area, space, iova, w->last) {
		rc = w->act(w, area, &pcs);
		if (rc)
			return rc;
		w->done = true;
		w->done_last = pcs.piece_last;
	}
	return space_pieces_whole(&pcs) ? 0 : -ENOENT;
}

/*
 * The pin @owner took of [iova, last] through @area. A pin is known by its
 * pages: an unpin must name the range's first byte and its last page, the
 * way the pin did.
 */
static struct ioasim_pages_pin *area_find_pin(struct ioasim_area *area,
					      unsigned long iova,
					      unsigned long last,
					      const void *owner)
{
	unsigned long byte = area_byte(area, iova);

	if (offset_in_page(byte))
		return NULL;
	return ioasim_pages_find_pin(area->pages, byte >> PAGE_SHIFT,
				     area_byte(area, last) >> PAGE_SHIFT, area,
				     owner, true);
}

static void access_drop_pin(struct ioasim_area *area,
			    struct ioasim_pages_pin *pin)
{
	area->npins--;
	ioasim_pages_remove_pin(area->pages, pin);
	kfree(pin);
}

/* Pin [iova, last] of @area for @owner; fill @out with its pages. */
static int access_pin_piece(struct ioasim_area *area, unsigned long iova,
			    unsigned long last, const void *owner,
			    struct page **out)
{
	unsigned long first = area_byte(area, iova) >> PAGE_SHIFT;
	unsigned long final = area_byte(area, last) >> PAGE_SHIFT;
	struct ioasim_pages_pin *pin;
	int rc;

	pin = ioasim_kzalloc("space.access_pin", sizeof(*pin),
			     GFP_KERNEL_ACCOUNT);
	if (!pin)
		return -ENOMEM;
	pin->holder = area;
	pin->owner = owner;
	rc = ioasim_pages_add_pin(area->pages, pin, first, final);
	if (rc) {
		kfree(pin);
		return rc;
	}
	area->npins++;
	ioasim_pages_fill(area->pages, first, final - first + 1, out);
	return 0;
}

struct pin_walk {
	struct piece_walk walk;
	bool write;
	const void *owner;
	struct page **out;
};

static int pin_piece(struct piece_walk *w, struct ioasim_area *area,
		     const struct space_pieces *pcs)
{
	struct pin_walk *pw = container_of(w, struct pin_walk, walk);
	int rc;

	rc = piece_pinnable(area, pcs, w->last, pw->write) ?:
	     access_pin_piece(area, pcs->cur, pcs->piece_last, pw->owner,
			      pw->out);
	if (!rc)
		pw->out += (area_byte(area, pcs->piece_last) >> PAGE_SHIFT) -
			   (area_byte(area, pcs->cur) >> PAGE_SHIFT) + 1;
	return rc;
}

/**
 * ioasim_space_pin() - pin the pages behind [iova, last] for an access
 * @space: the space
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 * @write: the pages will be written
 * @owner: the access; unpin with the same owner and the same range (a
 *	range is known by its pages: its first byte and its last page)
 * @out: the pages, one per CPU page the range touches, in order
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -ENOENT if part of the range is not mapped; -EPERM if an
 * area does not allow the direction; -EINVAL if an area is being unmapped
 * or two areas do not meet at a page boundary; -ENOMEM or a pin error.
 * On error nothing stays pinned.
 */
int ioasim_space_pin(struct ioasim_space *space, unsigned long iova,
		     unsigned long last, bool write, const void *owner,
		     struct page **out)
{
	struct pin_walk pw = {
		.walk = { .act = pin_piece, .last = last },
		.write = write, .owner = owner, .out = out,
	};
	struct space_pieces undo;
	struct ioasim_area *area;
	int rc;

	down_write(&space->lock);
	rc = space_walk_pieces(space, iova, &pw.walk);
	/* The pieces before the failing one or the gap go again. */
	if (rc && pw.walk.done) {
		space_for_each_piece(&undo, area, space, iova,
				     pw.walk.done_last)
			access_drop_pin(area, area_find_pin(area, undo.cur,
							    undo.piece_last,
							    owner));
	}
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_pin);

/**
 * ioasim_space_unpin() - undo one ioasim_space_pin()
 * @space: the space
 * @iova: the @iova given to ioasim_space_pin()
 * @last: the @last given to it
 * @owner: the @owner given to it
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0, or -EINVAL if @owner holds no pin of that range (the same
 * first byte and last page; nothing is unpinned then).
 */
int ioasim_space_unpin(struct ioasim_space *space, unsigned long iova,
		       unsigned long last, const void *owner)
{
	struct space_pieces pcs;
	struct ioasim_area *area;
	int rc = 0;

	down_write(&space->lock);
	/* Every piece is checked before any is released. */
	space_for_each_piece(&pcs, area, space, iova, last) {
		if (!area_find_pin(area, pcs.cur, pcs.piece_last, owner))
			break;
	}
	if (!space_pieces_whole(&pcs)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	space_for_each_piece(&pcs, area, space, iova, last)
		access_drop_pin(area, area_find_pin(area, pcs.cur,
						    pcs.piece_last, owner));
out_unlock:
	up_write(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unpin);

/**
 * ioasim_space_unpin_owner() - release every pin an access still holds
 * @space: the space
 * @owner: the access
 *
 * For an access leaving the space that did not unpin everything when
 * asked to.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: how many pinned ranges were released.
 */
unsigned int ioasim_space_unpin_owner(struct ioasim_space *space,
				      const void *owner)
{
	struct ioasim_pages_pin *pin;
	struct ioasim_area *area;
	unsigned int n = 0;

	down_write(&space->lock);
	space_for_each_area(area, space, 0, ULONG_MAX) {
		/* Each round removes one: bounded by the pins there are. */
		while (area->npins &&
		       (pin = ioasim_pages_find_pin(area->pages,
						    area_first_index(area),
						    area_last_index(area),
						    area, owner, false))) {
			access_drop_pin(area, pin);
			n++;
		}
	}
	up_write(&space->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_unpin_owner);

struct rw_walk {
	struct piece_walk walk;
	void *buf;
	bool write;
};

static int rw_piece(struct piece_walk *w, struct ioasim_area *area,
		    const struct space_pieces *pcs)
{
	struct rw_walk *rw = container_of(w, struct rw_walk, walk);
	unsigned long bytes = pcs->piece_last - pcs->cur + 1;
	int rc;

	rc = area_reachable(area, rw->write) ?:
	     ioasim_pages_rw(area->pages, area_byte(area, pcs->cur), rw->buf,
			     bytes, rw->write);
	if (!rc)
		rw->buf += bytes;
	return rc;
}

/**
 * ioasim_space_rw() - read or write the memory behind IOVA with the CPU
 * @space: the space
 * @iova: first IOVA
 * @buf: the data to write, or where to put what is read
 * @length: bytes, at least one; @iova + @length must not wrap
 * @write: write to the mapped memory (the area must allow IOMMU_WRITE),
 *	else read it (IOMMU_READ)
 *
 * Pages nobody has pinned are pinned for the copy only, in the mm that
 * mapped them, so this works from any thread.
 *
 * Context: process context, may sleep; takes @space->lock.
 * Return: 0; -ENOENT if part of the range is not mapped; -EPERM if an area
 * does not allow the direction; -EINVAL if an area is being unmapped; a
 * pin error. On error the pieces before the one that failed (or before
 * the gap) have been copied.
 */
int ioasim_space_rw(struct ioasim_space *space, unsigned long iova,
		    void *buf, unsigned long length, bool write)
{
	struct rw_walk rw = {
		.walk = { .act = rw_piece, .last = iova + length - 1 },
		.buf = buf, .write = write,
	};
	int rc;

	down_read(&space->lock);
	rc = space_walk_pieces(space, iova, &rw.walk);
	up_read(&space->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_space_rw);
