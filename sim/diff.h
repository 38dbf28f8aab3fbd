/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: the engine of iommufd_diff.c.
 *
 * A call is a record: an operation and up to DIFF_ARGS arguments. It is
 * drawn from a stream seeded by the seed and the call's number, or read
 * back from its text ("map flags=3 ioas=ioas#0 uva=10000000 ..."), and
 * then run. An argument that names an object names it by kind and
 * creation order (ioas#2 is the third IOAS this epoch made), never by id,
 * so a record means the same call in any kernel, and still means it after
 * the calls around it were dropped by shrinking.
 *
 * Every call prints one line, "# diff N op args : rc=E answer", E being 0
 * or an errno. A long sequence runs in epochs of DIFF_EPOCH calls, each in
 * a context of its own with the user memory filled afresh, so that no
 * epoch depends on another and the pools stay small.
 *
 * The engine also keeps a model of each IOAS's mappings, as the answers
 * agreed so far imply them. Upstream's UNMAP that meets a mapping it would
 * have to split answers ENOENT after unmapping the whole mappings before
 * it; ioasim unmaps nothing (the README's table). The model knows which
 * mappings upstream dropped, and the call that follows unmaps exactly
 * those (diff_resync()), so that the two kernels are in one state again and
 * every later answer can be compared.
 */
#ifndef __IOASIM_SIM_DIFF_H
#define __IOASIM_SIM_DIFF_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#define PAGE 4096UL
#define RW_ADDR 0x10000000UL
#define RW_PAGES 64
#define RO_ADDR 0x10100000UL
#define RO_PAGES 16
#define DIFF_ARGS 8
#define DIFF_EPOCH 1000
#define MAX_OBJS 128
#define MAX_AREAS 1024
#define MAX_IOVAS 32

enum obj_kind { IOAS, HWPT, STDEV, IDEV, AFD, PIN, FAULT, NKINDS };

static const char *const kind_names[NKINDS] = {
	"ioas", "hwpt", "stdev", "idev", "afd", "pin", "fault",
};

/* An argument that names the n-th object of a kind made this epoch. */
#define REF_BIT 0x8000000000000000ULL
#define REF(kind, n) (REF_BIT | (__u64)(kind) << 32 | (n))
#define REF_KIND(v) ((unsigned int)((v) >> 32 & 0xff))
#define REF_INDEX(v) ((unsigned int)(v))

struct call {
	unsigned int op;
	__u64 a[DIFF_ARGS];
};

/* The objects of one kind, in creation order; a slot is never reused. */
struct pool {
	__s64 id[MAX_OBJS];	/* 0 once destroyed, -1 once closed */
	unsigned int n;		/* made this epoch */
};

/* A mapping in the model: [start, last] of an IOAS. */
struct area {
	__u32 ioas;
	__u64 start, last;
};

struct diff {
	int fd;
	__u64 rnd;
	struct pool pool[NKINDS];
	__u64 iovas[MAX_IOVAS];		/* IOVAs that maps and copies answered */
	__u64 uvas[MAX_IOVAS];		/* and the user address of each, or 0 */
	unsigned int niovas;
	struct area areas[MAX_AREAS];
	unsigned int nareas;
	bool model_lost;		/* the model overflowed: no resync */
	__u32 compat;			/* the IOAS VFIO_IOAS set, or 0 */
	struct {			/* a refused UNMAP to resync after */
		bool pending;
		__u32 ioas;
		__u64 start, last;
	} sync;
	char line[1024];
	size_t len;
	const char *num;		/* the call's number, as printed */
	bool print;
};

struct diff_op {
	const char *name;
	/* The arguments' names, space-separated; "@" marks an object. */
	const char *args;
	unsigned int weight;
	void (*gen)(struct diff *d, struct call *c);
	int (*run)(struct diff *d, const struct call *c);
};

static __u64 next(struct diff *d)
{
	/* splitmix64 */
	__u64 z = (d->rnd += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 pick(struct diff *d, __u32 n)
{
	return next(d) % n;
}

static bool one_in(struct diff *d, __u32 n)
{
	return !pick(d, n);
}

static void out(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->len += vsnprintf(d->line + d->len, sizeof(d->line) - d->len, fmt,
			    ap);
	va_end(ap);
	if (d->len >= sizeof(d->line))
		d->len = sizeof(d->line) - 1;
}

/* A reference to an object of @kind made so far; sometimes a bad id. */
static __u64 some(struct diff *d, enum obj_kind kind)
{
	unsigned int n = d->pool[kind].n;

	if (n > MAX_OBJS)
		n = MAX_OBJS;
	if (!n || one_in(d, 12))
		return one_in(d, 2) ? 0 : 1000 + pick(d, 4);
	return REF(kind, pick(d, n));
}

/* Any object at all: an id of the wrong kind is a mistake to answer. */
static __u64 some_obj(struct diff *d)
{
	return some(d, (enum obj_kind)pick(d, IDEV + 1));
}

/* The id (or fd) an argument names now; a literal id is itself. */
static __s64 id_of(struct diff *d, __u64 v)
{
	const struct pool *p;

	if (!(v & REF_BIT))
		return (__s64)v;
	p = &d->pool[REF_KIND(v) % NKINDS];
	if (REF_INDEX(v) >= p->n || REF_INDEX(v) >= MAX_OBJS)
		return REF_KIND(v) == AFD ? -1 : 0;
	return p->id[REF_INDEX(v)];
}

static __u32 obj(struct diff *d, __u64 v)
{
	return (__u32)id_of(d, v);
}

static void made(struct diff *d, enum obj_kind kind, __s64 id)
{
	struct pool *p = &d->pool[kind];

	if (p->n < MAX_OBJS)
		p->id[p->n] = id;
	out(d, " %s#%u", kind_names[kind], p->n++);
}

/* Names an id an answer gave: an object made before, or "kind?". */
static bool name(struct diff *d, enum obj_kind kind, __u32 id)
{
	struct pool *p = &d->pool[kind];
	unsigned int i;

	for (i = 0; id && i < p->n && i < MAX_OBJS; i++)
		if (p->id[i] == id) {
			out(d, " %s#%u", kind_names[kind], i);
			return true;
		}
	return false;
}

static void named(struct diff *d, enum obj_kind kind, __u32 id)
{
	if (!name(d, kind, id))
		out(d, " %s?", kind_names[kind]);
}

static void forget(struct diff *d, __u32 id)
{
	unsigned int k, i;

	/* Accesses are files and pins belong to an access: not objects. */
	for (k = 0; k < NKINDS; k++) {
		struct pool *p = &d->pool[k];

		for (i = 0; k != AFD && k != PIN && i < p->n && i < MAX_OBJS; i++)
			if (p->id[i] == id)
				p->id[i] = 0;
	}
}

static int io(struct diff *d, unsigned long req, void *arg)
{
	return ioctl(d->fd, req, arg) ? errno : 0;
}

/* An IOVA a map or a copy answered: printed, and drawn from later. */
static void answered_iova(struct diff *d, __u64 iova, __u64 uva)
{
	unsigned int i = d->niovas < MAX_IOVAS ? d->niovas++ :
						 pick(d, MAX_IOVAS);

	out(d, " iova=%llx", (unsigned long long)iova);
	d->iovas[i] = iova;
	d->uvas[i] = uva;
}

/* The model: the IOAS @ioas maps [start, last]. */
static void model_map(struct diff *d, __u32 ioas, __u64 start, __u64 len)
{
	if (d->nareas == MAX_AREAS) {
		d->model_lost = true;
		return;
	}
	d->areas[d->nareas++] = (struct area){ ioas, start, start + len - 1 };
}

/*
 * The model: [start, last] of @ioas is unmapped. A mapping it covers goes;
 * of one it cuts (type1 without large pages), what lies outside stays.
 */
static void model_unmap(struct diff *d, __u32 ioas, __u64 start, __u64 last)
{
	unsigned int i = 0;

	while (i < d->nareas) {
		struct area a = d->areas[i];

		if (a.ioas != ioas || a.last < start || a.start > last) {
			i++;
			continue;
		}
		d->areas[i] = d->areas[--d->nareas];
		if (a.start < start)
			model_map(d, ioas, a.start, start - a.start);
		if (a.last > last)
			model_map(d, ioas, last + 1, a.last - last);
	}
}

/*
 * The model: a copy of [src_iova, + len) of @src to @dst_iova of @dst
 * makes one mapping per mapping of the source it covers, as upstream's
 * copy does (and an UNMAP can then take them one at a time).
 */
static void model_copy(struct diff *d, __u32 dst, __u64 dst_iova, __u32 src,
		       __u64 src_iova, __u64 len)
{
	__u64 last = src_iova + len - 1;
	unsigned int i, n = d->nareas;

	for (i = 0; i < n; i++) {
		struct area a = d->areas[i];
		__u64 first;

		if (a.ioas != src || a.last < src_iova || a.start > last)
			continue;
		first = a.start > src_iova ? a.start : src_iova;
		model_map(d, dst, dst_iova + (first - src_iova),
			  (a.last < last ? a.last : last) - first + 1);
	}
}

static void model_forget(struct diff *d, __u32 ioas)
{
	model_unmap(d, ioas, 0, UINT64_MAX);
	if (d->compat == ioas)
		d->compat = 0;
}

static int by_start(const void *x, const void *y)
{
	const struct area *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * After an UNMAP of [start, last] answered ENOENT: the whole mappings that
 * upstream unmapped before meeting one it would have to split, in IOVA
 * order. Returns how many were put in @gone.
 */
static unsigned int model_upstream_dropped(struct diff *d, __u32 ioas,
					   __u64 start, __u64 last,
					   struct area *gone)
{
	unsigned int i, n = 0, k = 0;

	if (d->model_lost)
		return 0;
	for (i = 0; i < d->nareas; i++)
		if (d->areas[i].ioas == ioas && d->areas[i].last >= start &&
		    d->areas[i].start <= last)
			gone[n++] = d->areas[i];
	qsort(gone, n, sizeof(*gone), by_start);
	while (k < n && gone[k].start >= start && gone[k].last <= last)
		k++;
	return k;
}

/*
 * Brings ioasim to the state upstream's refused UNMAP left: each mapping
 * upstream dropped is unmapped on its own. Upstream answers ENOENT (it is
 * gone), ioasim answers with its length; the lines say so.
 */
static void diff_resync(struct diff *d)
{
	static struct area gone[MAX_AREAS];
	__u32 ioas = d->sync.ioas;
	unsigned int i, n = model_upstream_dropped(d, ioas, d->sync.start,
						   d->sync.last, gone);

	d->sync.pending = false;

	for (i = 0; i < n; i++) {
		struct iommu_ioas_unmap c = {
			.size = sizeof(c), .ioas_id = ioas,
			.iova = gone[i].start,
			.length = gone[i].last - gone[i].start + 1,
		};
		int rc = io(d, IOMMU_IOAS_UNMAP, &c);

		model_unmap(d, ioas, gone[i].start, gone[i].last);
		if (d->print)
			printf("# diff %sr%u resync iova=%llx len=%llx : rc=%d%s\n",
			       d->num, i, (unsigned long long)gone[i].start,
			       (unsigned long long)(gone[i].last -
						    gone[i].start + 1),
			       rc, rc ? "" : " unmapped");
	}
}

/* An UNMAP of [start, last] answered ENOENT: resync once it is printed. */
static void unmap_refused(struct diff *d, __u32 ioas, __u64 start, __u64 len)
{
	d->sync.pending = true;
	d->sync.ioas = ioas;
	d->sync.start = start;
	d->sync.last = start + len - 1 < start ? UINT64_MAX : start + len - 1;
}

/* A fresh context: the sequence's first IOAS, the memory filled anew. */
static int diff_begin(struct diff *d)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	__u64 *rw = (__u64 *)RW_ADDR;
	unsigned int i;

	for (i = 0; i < RW_PAGES * PAGE / 8; i++)
		rw[i] = RW_ADDR + i * 8;
	memset(d->pool, 0, sizeof(d->pool));
	d->niovas = 0;
	d->nareas = 0;
	d->model_lost = false;
	d->compat = 0;
	d->sync.pending = false;
	d->fd = open("/dev/iommu", O_RDWR);
	if (d->fd < 0 || io(d, IOMMU_IOAS_ALLOC, &c))
		return -1;
	d->len = 0;
	made(d, IOAS, c.out_ioas_id);
	return 0;
}

static void diff_end(struct diff *d)
{
	const struct pool *p = &d->pool[AFD];
	unsigned int i;

	for (i = 0; i < p->n && i < MAX_OBJS; i++)
		if (p->id[i] >= 0)
			close((int)p->id[i]);
	close(d->fd);
}

/* The text of a record: "op name=value ...", objects as kind#n. */
static void diff_format(const struct diff_op *op, const struct call *c,
			char *buf, size_t size)
{
	const char *a = op->args;
	size_t len = snprintf(buf, size, "%s", op->name);
	unsigned int i;

	for (i = 0; *a && i < DIFF_ARGS; i++) {
		bool object = *a == '@';
		size_t w;
		__u64 v = c->a[i];

		a += object;
		w = strcspn(a, " ");
		if (object && (v & REF_BIT))
			len += snprintf(buf + len, size - len, " %.*s=%s#%u",
					(int)w, a, kind_names[REF_KIND(v) % NKINDS],
					REF_INDEX(v));
		else
			len += snprintf(buf + len, size - len, " %.*s=%llx",
					(int)w, a, (unsigned long long)v);
		if (len >= size)
			return;
		a += w;
		a += strspn(a, " ");
	}
}

/* A record's text back into a record; false if it is no record. */
static bool diff_parse(const struct diff_op *ops, unsigned int nops,
		       const char *text, struct call *c)
{
	size_t w = strcspn(text, "\n ");
	const char *p = text + w, *stop = strstr(p, " : ");
	unsigned int i, k;

	memset(c, 0, sizeof(*c));
	for (c->op = 0; c->op < nops; c->op++)
		if (strlen(ops[c->op].name) == w &&
		    !strncmp(ops[c->op].name, text, w))
			break;
	if (c->op == nops)
		return false;
	for (i = 0; i < DIFF_ARGS; i++) {
		const char *eq, *hash;
		char *end;

		p += strspn(p, " ");
		if (!*p || *p == '\n' || (stop && p >= stop))
			break;
		eq = strchr(p, '=');
		if (!eq)
			return false;
		hash = strchr(eq, '#');
		if (hash && hash < eq + 1 + strcspn(eq + 1, "\n ")) {
			for (k = 0; k < NKINDS; k++)
				if (!strncmp(kind_names[k], eq + 1,
					     hash - eq - 1) &&
				    strlen(kind_names[k]) ==
					    (size_t)(hash - eq - 1))
					break;
			if (k == NKINDS)
				return false;
			c->a[i] = REF(k, strtoul(hash + 1, &end, 10));
		} else {
			c->a[i] = strtoull(eq + 1, &end, 16);
		}
		p = end;
	}
	return true;
}

/* Runs one record, prints its line; the errno (or 0) it answered. */
static int diff_run(struct diff *d, const struct diff_op *op,
		    const struct call *c, char *answer, size_t size)
{
	char text[512];
	int rc;

	d->len = 0;
	d->line[0] = '\0';
	rc = op->run(d, c);
	if (answer)
		snprintf(answer, size, "rc=%d%s", rc, d->line);
	if (d->print) {
		diff_format(op, c, text, sizeof(text));
		printf("# diff %s %s : rc=%d%s\n", d->num, text, rc, d->line);
	}
	if (d->sync.pending)
		diff_resync(d);
	return rc;
}

#endif /* __IOASIM_SIM_DIFF_H */
