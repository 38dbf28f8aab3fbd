/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: the state of iommufd_fuzz.c's rounds and the draws its
 * operations make their arguments from: ids handed out this round (or
 * anything), IOAS ids biased to the round's first, lengths, IOVAs and
 * user addresses that are mostly plausible and sometimes not, flags with
 * a stray bit now and then. One xorshift64* stream per thread.
 */
#ifndef __IOASIM_SIM_IOMMUFD_FUZZ_H
#define __IOASIM_SIM_IOMMUFD_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#define PAGE 4096UL
#define BUF_PAGES 64
#define BUF_BYTES (BUF_PAGES * PAGE)
/* Past the hole, farther than a range from it reaches (some_len()). */
#define GUARD_BYTES (32 * PAGE)
#define CALLS_PER_ROUND 300
#define MAX_IDS 64
#define MAX_AFDS 8
#define NOPS 29

/* What two threads of a round share. */
struct round {
	int fd;
	char *buf;
	pthread_mutex_t lock;
	__u32 focus;
	__u32 ids[MAX_IDS];
	unsigned int nids;
	int afds[MAX_AFDS];
	unsigned int nafds;
	int edu;
	__u32 pins[MAX_IDS];
	unsigned int npins;
	unsigned long calls[NOPS], ok[NOPS];
	int bad_errno, bad_op;
};

struct fuzzer {
	struct round *r;
	__u64 state;
};

static inline __u64 next(struct fuzzer *f)
{
	/* xorshift64* */
	f->state ^= f->state >> 12;
	f->state ^= f->state << 25;
	f->state ^= f->state >> 27;
	return f->state * 0x2545F4914F6CDD1DULL;
}

static inline __u32 pick(struct fuzzer *f, __u32 n)
{
	return next(f) % n;
}

static inline bool one_in(struct fuzzer *f, __u32 n)
{
	return !pick(f, n);
}

static inline void remember(struct round *r, __u32 *pool, unsigned int *n,
			    __u32 id)
{
	pthread_mutex_lock(&r->lock);
	pool[*n < MAX_IDS ? (*n)++ : id % MAX_IDS] = id;
	pthread_mutex_unlock(&r->lock);
}

/* An id: mostly one handed out this round, sometimes anything. */
static inline __u32 some_id(struct fuzzer *f)
{
	struct round *r = f->r;
	__u32 id = 0;

	if (one_in(f, 16))
		return one_in(f, 2) ? 0 : (__u32)next(f);
	pthread_mutex_lock(&r->lock);
	if (r->nids)
		id = r->ids[pick(f, r->nids)];
	pthread_mutex_unlock(&r->lock);
	return id ?: 1 + pick(f, 8);
}

/*
 * An IOAS id: half of the time the round's first, so that maps, copies,
 * devices and accesses meet on one IOAS.
 */
static inline __u32 some_ioas(struct fuzzer *f)
{
	__u32 focus = __atomic_load_n(&f->r->focus, __ATOMIC_RELAXED);

	return focus && one_in(f, 2) ? focus : some_id(f);
}

static inline int some_afd(struct fuzzer *f)
{
	struct round *r = f->r;
	int afd = -1;

	pthread_mutex_lock(&r->lock);
	if (r->nafds)
		afd = r->afds[pick(f, r->nafds)];
	pthread_mutex_unlock(&r->lock);
	return afd >= 0 && !one_in(f, 16) ? afd : (int)pick(f, 64);
}

static inline __u64 some_len(struct fuzzer *f)
{
	switch (pick(f, 16)) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX;
	case 2:
		return 1 + pick(f, PAGE);
	default:
		return (1 + pick(f, 16)) * PAGE;
	}
}

static inline __u64 some_iova(struct fuzzer *f)
{
	switch (pick(f, 16)) {
	case 0:
		return UINT64_MAX - pick(f, 4) * PAGE;
	case 1:
		return pick(f, 1 << 20) * PAGE;
	case 2:
		return MOCK_APERTURE_START + 1 + pick(f, PAGE);
	default:
		return MOCK_APERTURE_START + pick(f, 256) * PAGE;
	}
}

/* An area of the access's IOAS by index, and an offset into it. */
static inline __u64 syz_iova(struct fuzzer *f)
{
	__u32 layout[2] = {
		pick(f, 4), one_in(f, 2) ? 0 : pick(f, 4) * PAGE + pick(f, 2) * 64,
	};
	__u64 v;

	memcpy(&v, layout, sizeof(v));
	return v;
}

/* User memory: mostly the buffer, sometimes unaligned or not there. */
static inline __u64 some_uva(struct fuzzer *f)
{
	char *buf = f->r->buf;

	switch (pick(f, 16)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)buf + BUF_BYTES - PAGE + pick(f, PAGE);
	case 2:
		return 1ULL << 47;
	default:
		return (uintptr_t)buf + pick(f, BUF_PAGES / 2) * PAGE;
	}
}

static inline __u32 some_flags(struct fuzzer *f, __u32 good)
{
	__u32 flags = next(f) & good;

	return one_in(f, 16) ? flags | 1U << pick(f, 32) : flags;
}

static inline int do_ioctl(struct fuzzer *f, unsigned long req, void *arg)
{
	return ioctl(f->r->fd, req, arg) ? -errno : 0;
}

static inline int test_cmd(struct fuzzer *f, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return do_ioctl(f, IOMMU_TEST_CMD, cmd);
}

#endif /* __IOASIM_SIM_IOMMUFD_FUZZ_H */
