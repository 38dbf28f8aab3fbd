/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - IOAS objects and the commands that act on them
 *
 * The command functions take the Linux 6.12 uAPI structures of
 * <uapi/linux/iommufd.h>, already copied into the kernel, validate them
 * with the errno upstream iommufd gives for the same mistake, and fill in
 * their output fields. The ioctl layer only copies them in and out. Where a
 * command reads or writes an array through a user pointer, the function
 * takes a kernel array instead.
 */
#ifndef __IOASIM_IOAS_H
#define __IOASIM_IOAS_H

#include <linux/capability.h>
#include <uapi/linux/iommufd.h>

#include "ioasim_private.h"
#include "space.h"

/* How many times an unmap asks the accesses to unpin before giving up. */
#define IOASIM_UNMAP_TRIES 8

/**
 * struct ioasim_ioas - an I/O address space
 * @obj: table header
 * @ctx: its context (not a reference: the context outlives its objects)
 * @space: its IOVA bookkeeping
 * @mutex: protects @hwpts; held while an automatic HWPT is chosen or made
 * @hwpts: its paging HWPTs (struct ioasim_hwpt::ioas_item), not counted
 * @accesses: id -> struct ioasim_access attached to it, not counted; the
 *	xarray's lock protects it
 */
struct ioasim_ioas {
	struct ioasim_obj obj;
	struct ioasim_ctx *ctx;
	struct ioasim_space space;
	struct mutex mutex; /* see the kernel-doc above */
	struct list_head hwpts;
	struct xarray accesses;
};

extern const struct ioasim_obj_type ioasim_ioas_type;

/* @ioas's HWPT list, for code that holds @ioas->mutex. */
static inline struct list_head *ioasim_ioas_hwpts(struct ioasim_ioas *ioas)
{
	lockdep_assert_held(&ioas->mutex);
	return &ioas->hwpts;
}

/**
 * ioasim_ctx_account() - who is charged for memory pinned for @ctx now
 * @ctx: the context
 *
 * Decided when a mapping is created, from the caller's capabilities and
 * the context's RLIMIT_MODE, as upstream iommufd does.
 *
 * Context: process context of the caller whose memory is mapped.
 */
static inline enum ioasim_account ioasim_ctx_account(struct ioasim_ctx *ctx)
{
	if (capable(CAP_IPC_LOCK))
		return IOASIM_ACCOUNT_NONE;
	return READ_ONCE(ctx->account_mm) ? IOASIM_ACCOUNT_MM :
					    IOASIM_ACCOUNT_USER;
}

struct ioasim_ioas *ioasim_ioas_get(struct ioasim_ctx *ctx, u32 id);

static inline void ioasim_ioas_put(struct ioasim_ctx *ctx,
				   struct ioasim_ioas *ioas)
{
	ioasim_obj_put(ctx, &ioas->obj);
}

int ioasim_ioas_alloc(struct ioasim_ctx *ctx, struct iommu_ioas_alloc *cmd);
int ioasim_ioas_map_user(struct ioasim_ioas *ioas, unsigned long uptr,
			 unsigned long length, unsigned long *iova, int prot,
			 bool fixed);
int ioasim_ioas_map(struct ioasim_ctx *ctx, struct iommu_ioas_map *cmd);
int ioasim_ioas_unmap(struct ioasim_ctx *ctx, struct iommu_ioas_unmap *cmd);
int ioasim_ioas_unmap_range(struct ioasim_ioas *ioas, unsigned long iova,
			    unsigned long last, unsigned long *unmapped);
int ioasim_ioas_copy(struct ioasim_ctx *ctx, struct iommu_ioas_copy *cmd);
int ioasim_ioas_allow_iovas(struct ioasim_ctx *ctx,
			    struct iommu_ioas_allow_iovas *cmd,
			    const struct iommu_iova_range *ranges);
int ioasim_ioas_iova_ranges(struct ioasim_ctx *ctx,
			    struct iommu_ioas_iova_ranges *cmd,
			    struct iommu_iova_range *ranges);
int ioasim_option(struct ioasim_ctx *ctx, struct iommu_option *cmd);

#endif /* __IOASIM_IOAS_H */
