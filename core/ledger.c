// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the reference ledger (CONFIG_IOASIM_LEDGER); see ledger.h
 *
 * Two hash tables under one spinlock: the outstanding entries, found by
 * (key, kind, tag) so that a give costs the same whatever else is
 * outstanding, and one record per key that has outstanding entries, which
 * lists them for settling and for the debugfs graph. A record goes away
 * with its last entry, so a balanced key costs nothing when it is freed.
 *
 * Takes and gives come from any context ioasim's own code runs in,
 * including under a table's xa_lock, so the ledger allocates atomically.
 * Its allocations are hidden from the task's fail-nth: a fault sweep must
 * count and fail ioasim's steps, not its bookkeeping.
 */
#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "ledger.h"

#define LEDGER_ENTRY_BITS 14
#define LEDGER_KEY_BITS 10
/* Outstanding takes listed with an unmatched give. */
#define LEDGER_SHOW_MAX 8

struct ledger_entry {
	struct hlist_node hash;
	struct list_head link;
	const void *key;
	unsigned long tag;
	unsigned long ip;
	u64 seq;
	enum ioasim_ledger_kind kind;
};

struct ledger_key {
	struct hlist_node hash;
	const void *key;
	struct list_head entries;
	unsigned long count[IOASIM_LEDGER_NR_KINDS];
};

static DEFINE_SPINLOCK(ledger_lock);
static DEFINE_HASHTABLE(ledger_entries, LEDGER_ENTRY_BITS);
static DEFINE_HASHTABLE(ledger_keys, LEDGER_KEY_BITS);
static u64 ledger_seq;
static bool ledger_off;
static bool ledger_quiet;
static atomic_long_t ledger_errors;
#if IS_ENABLED(CONFIG_DEBUG_FS)
static struct dentry *ledger_dir;
#endif

static const char *const ledger_take_names[IOASIM_LEDGER_NR_KINDS] = {
	[IOASIM_LEDGER_OBJ_USERS] = "hold",
	[IOASIM_LEDGER_OBJ_BUSY] = "get",
	[IOASIM_LEDGER_CTX_REF] = "context reference",
	[IOASIM_LEDGER_PAGES_REF] = "pages reference",
	[IOASIM_LEDGER_PIN] = "pin of index",
	[IOASIM_LEDGER_MAP] = "map of IOVA page",
};

/* Kinds whose tag says which take a give matches. */
static bool ledger_tagged(enum ioasim_ledger_kind kind)
{
	return kind != IOASIM_LEDGER_CTX_REF &&
	       kind != IOASIM_LEDGER_PAGES_REF;
}

static unsigned long ledger_hash(const void *key, enum ioasim_ledger_kind kind,
				 unsigned long tag)
{
	return (unsigned long)key ^ hash_long(tag + kind, BITS_PER_LONG);
}

#define ledger_pr(fmt, ...)						\
	do {								\
		if (!ledger_quiet)					\
			pr_err("ioasim ledger: " fmt, ##__VA_ARGS__);	\
	} while (0)

/* Not an allocation a fault sweep may count or fail. */
static void *ledger_alloc(size_t size)
{
	void *p;
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	unsigned int nth = 0;

	if (in_task()) {
		nth = current->fail_nth;
		current->fail_nth = 0;
	}
#endif
	p = kzalloc(size, GFP_ATOMIC | __GFP_NOWARN);
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	if (in_task())
		current->fail_nth = nth;
#endif
	return p;
}

static struct ledger_key *ledger_find_key(const void *key)
{
	struct ledger_key *k;

	hash_for_each_possible(ledger_keys, k, hash, (unsigned long)key)
		if (k->key == key)
			return k;
	return NULL;
}

static struct ledger_entry *ledger_find(enum ioasim_ledger_kind kind,
					const void *key, unsigned long tag)
{
	struct ledger_entry *e, *found = NULL;

	/* The latest of equal takes: a nested get is dropped first. */
	hash_for_each_possible(ledger_entries, e, hash,
			       ledger_hash(key, kind, tag))
		if (e->key == key && e->kind == kind && e->tag == tag &&
		    (!found || e->seq > found->seq))
			found = e;
	return found;
}

/* LCOV_EXCL_START: atomic allocations of a few bytes do not fail here */
/* Memory ran out: stop judging rather than judge on a partial record. */
static void ledger_give_up(void)
{
	ledger_off = true;
	pr_warn("ioasim: reference ledger out of memory, no longer recording\n");
} /* LCOV_EXCL_STOP */

static void ledger_take_locked(enum ioasim_ledger_kind kind, const void *key,
			       unsigned long tag, unsigned long ip)
{
	struct ledger_entry *e;
	struct ledger_key *k;

	lockdep_assert_held(&ledger_lock);
	k = ledger_find_key(key);
	if (!k) {
		k = ledger_alloc(sizeof(*k));
		/* LCOV_EXCL_START: see ledger_give_up() */
		if (!k) {
			ledger_give_up();
			return;
		}
		/* LCOV_EXCL_STOP */
		k->key = key;
		INIT_LIST_HEAD(&k->entries);
		hash_add(ledger_keys, &k->hash, (unsigned long)key);
	}
	e = ledger_alloc(sizeof(*e));
	/* LCOV_EXCL_START: see ledger_give_up() */
	if (!e) {
		if (list_empty(&k->entries)) {
			hash_del(&k->hash);
			kfree(k);
		}
		ledger_give_up();
		return;
	}
	/* LCOV_EXCL_STOP */
	e->kind = kind;
	e->key = key;
	e->tag = ledger_tagged(kind) ? tag : 0;
	e->ip = ip;
	e->seq = ++ledger_seq;
	hash_add(ledger_entries, &e->hash, ledger_hash(key, kind, e->tag));
	list_add_tail(&e->link, &k->entries);
	k->count[kind]++;
}

static void ledger_drop(struct ledger_key *k, struct ledger_entry *e)
{
	hash_del(&e->hash);
	list_del(&e->link);
	k->count[e->kind]--;
	kfree(e);
	if (list_empty(&k->entries)) {
		hash_del(&k->hash);
		kfree(k);
	}
}

static void ledger_unmatched(enum ioasim_ledger_kind kind, const void *key,
			     unsigned long tag, unsigned long ip)
{
	struct ledger_key *k = ledger_find_key(key);
	struct ledger_entry *e;
	unsigned int shown = 0;

	atomic_long_inc(&ledger_errors);
	ledger_pr("undoing %s %lu on %p at %pS, which was never taken\n",
		  ledger_take_names[kind], tag, key, (void *)ip);
	if (!k)
		return;
	list_for_each_entry(e, &k->entries, link) {
		if (e->kind != kind || shown++ == LEDGER_SHOW_MAX)
			continue;
		ledger_pr("  outstanding on %p: %s %lu at %pS (#%llu)\n", key,
			  ledger_take_names[kind], e->tag, (void *)e->ip,
			  e->seq);
	}
}

static void ledger_give_locked(enum ioasim_ledger_kind kind, const void *key,
			       unsigned long tag, unsigned long ip)
{
	struct ledger_entry *e;

	lockdep_assert_held(&ledger_lock);
	if (!ledger_tagged(kind))
		tag = 0;
	e = ledger_find(kind, key, tag);
	if (!e) {
		ledger_unmatched(kind, key, tag, ip);
		return;
	}
	ledger_drop(ledger_find_key(key), e);
}

enum ledger_op {
	LEDGER_TAKE,
	LEDGER_TAKE_EACH_ONCE,
	LEDGER_GIVE,
};

/*
 * Takes or gives of @n consecutive tags from @tag, in one lock round.
 * LEDGER_TAKE_EACH_ONCE is for indexes (pins, IOPTEs): the same index
 * taken twice is a double pin or an IOPTE overwritten.
 */
static void ledger_record(enum ledger_op op, enum ioasim_ledger_kind kind,
			  const void *key, unsigned long tag, unsigned long n,
			  unsigned long ip)
{
	unsigned long flags, i;

	spin_lock_irqsave(&ledger_lock, flags);
	for (i = 0; i < n && !ledger_off; i++) {
		if (op == LEDGER_GIVE) {
			ledger_give_locked(kind, key, tag + i, ip);
		} else if (op == LEDGER_TAKE_EACH_ONCE &&
			   ledger_find(kind, key, tag + i)) {
			atomic_long_inc(&ledger_errors);
			ledger_pr("%s %lu on %p at %pS, already taken\n",
				  ledger_take_names[kind], tag + i, key,
				  (void *)ip);
		} else {
			ledger_take_locked(kind, key, tag + i, ip);
		}
	}
	spin_unlock_irqrestore(&ledger_lock, flags);
}

/**
 * ioasim_ledger_take() - write down a reference, pin or mapping
 * @kind: what was taken
 * @key: what it was taken on
 * @tag: who took it or which index, see ledger.h; ignored by tagless kinds
 * @ip: the call site, usually _RET_IP_ or _THIS_IP_
 *
 * Context: any context.
 */
void ioasim_ledger_take(enum ioasim_ledger_kind kind, const void *key,
			unsigned long tag, unsigned long ip)
{
	ledger_record(LEDGER_TAKE, kind, key, tag, 1, ip);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_take);

/**
 * ioasim_ledger_give() - strike out a take; report it if there is none
 * @kind: what is given back
 * @key: what it was taken on
 * @tag: as given to the take
 * @ip: the call site
 *
 * Context: any context.
 */
void ioasim_ledger_give(enum ioasim_ledger_kind kind, const void *key,
			unsigned long tag, unsigned long ip)
{
	ledger_record(LEDGER_GIVE, kind, key, tag, 1, ip);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_give);

/**
 * ioasim_ledger_take_range() - ioasim_ledger_take() for @n indexes, each
 *	of which must not be taken already
 * @kind: IOASIM_LEDGER_PIN or IOASIM_LEDGER_MAP
 * @key: the pages object or domain
 * @first: the first index (page index, or IOVA page number)
 * @n: how many
 * @ip: the call site
 *
 * Context: any context.
 */
void ioasim_ledger_take_range(enum ioasim_ledger_kind kind, const void *key,
			      unsigned long first, unsigned long n,
			      unsigned long ip)
{
	ledger_record(LEDGER_TAKE_EACH_ONCE, kind, key, first, n, ip);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_take_range);

/**
 * ioasim_ledger_give_range() - ioasim_ledger_give() for @n indexes
 * @kind: IOASIM_LEDGER_PIN or IOASIM_LEDGER_MAP
 * @key: the pages object or domain
 * @first: the first index
 * @n: how many
 * @ip: the call site
 *
 * Context: any context.
 */
void ioasim_ledger_give_range(enum ioasim_ledger_kind kind, const void *key,
			      unsigned long first, unsigned long n,
			      unsigned long ip)
{
	ledger_record(LEDGER_GIVE, kind, key, first, n, ip);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_give_range);

/**
 * ioasim_ledger_settle() - @key is being freed: nothing may be outstanding
 * @key: the object, pages object, context or domain
 * @what: its kind, for the report ("ioas", "pages", "domain", ...)
 *
 * Every outstanding entry on @key is reported with the call site that
 * took it, then forgotten.
 *
 * Context: any context.
 * Return: the number of outstanding entries found.
 */
unsigned int ioasim_ledger_settle(const void *key, const char *what)
{
	struct ledger_entry *e;
	struct ledger_key *k;
	unsigned long flags;
	unsigned int left = 0;

	spin_lock_irqsave(&ledger_lock, flags);
	k = ledger_find_key(key);
	while (k && !list_empty(&k->entries)) {
		e = list_first_entry(&k->entries, struct ledger_entry, link);
		ledger_pr("%s %p freed with %s %lu taken at %pS (#%llu) outstanding\n",
			  what, key, ledger_take_names[e->kind], e->tag,
			  (void *)e->ip, e->seq);
		left++;
		/* The last drop frees the record too. */
		k = list_is_singular(&k->entries) ? NULL : k;
		ledger_drop(ledger_find_key(key), e);
	}
	spin_unlock_irqrestore(&ledger_lock, flags);
	atomic_long_add(left, &ledger_errors);
	return left;
}
EXPORT_SYMBOL_NS_GPL(ioasim_ledger_settle, IOASIM_TEST);

/**
 * ioasim_ledger_count() - outstanding entries of one kind on a key
 * @kind: the kind
 * @key: the key
 *
 * Context: any context.
 * Return: the count.
 */
unsigned long ioasim_ledger_count(enum ioasim_ledger_kind kind,
				  const void *key)
{
	struct ledger_key *k;
	unsigned long flags, n;

	spin_lock_irqsave(&ledger_lock, flags);
	k = ledger_find_key(key);
	n = k ? k->count[kind] : 0;
	spin_unlock_irqrestore(&ledger_lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_count);

/**
 * ioasim_ledger_errors() - mistakes reported since boot
 *
 * Return: unmatched gives plus entries found outstanding at settling.
 */
unsigned long ioasim_ledger_errors(void)
{
	return atomic_long_read(&ledger_errors);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_errors);

/**
 * ioasim_ledger_set_quiet() - count mistakes without printing them
 * @quiet: true while a test provokes mistakes on purpose
 *
 * A printed report fails a test run; the ledger's own tests count instead.
 */
void ioasim_ledger_set_quiet(bool quiet)
{
	WRITE_ONCE(ledger_quiet, quiet);
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_set_quiet);

/* How an object is printed: set at init by the object table's owner. */
static ioasim_ledger_show_obj_t ledger_show_obj;

/* An object's record: it has object entries, and its table holds it. */
static bool ledger_is_object(const struct ledger_key *k)
{
	return k->count[IOASIM_LEDGER_OBJ_USERS] ||
	       k->count[IOASIM_LEDGER_OBJ_BUSY];
}

static void ledger_show_holder(struct seq_file *m, const struct ledger_key *k,
			       const struct ledger_entry *e, const void *ctx)
{
	const struct ledger_key *holder;

	if ((const void *)e->tag == ctx) {
		seq_puts(m, "table");
	} else if ((const void *)e->tag == k->key) {
		seq_puts(m, "its driver");
	} else {
		holder = ledger_find_key((const void *)e->tag);
		if (holder && ledger_is_object(holder))
			ledger_show_obj(m, holder->key, false);
		else
			seq_printf(m, "%p", (void *)e->tag);
	}
	seq_printf(m, " at %pS\n", (void *)e->ip);
}

/* The context whose table holds the object, or NULL once it is leaving. */
static const void *ledger_object_ctx(const struct ledger_key *k)
{
	const struct ledger_entry *e;

	/* The table's hold is the first: taken at allocation. */
	e = list_first_entry(&k->entries, struct ledger_entry, link);
	return e->kind == IOASIM_LEDGER_OBJ_USERS ? (const void *)e->tag : NULL;
}

static void ledger_show_objects(struct seq_file *m, const void *ctx)
{
	const struct ledger_entry *e;
	struct ledger_key *k;
	unsigned int bkt;

	hash_for_each(ledger_keys, bkt, k, hash) {
		if (!ledger_is_object(k) || ledger_object_ctx(k) != ctx)
			continue;
		seq_puts(m, "  ");
		ledger_show_obj(m, k->key, true);
		seq_putc(m, '\n');
		list_for_each_entry(e, &k->entries, link) {
			if (e->kind != IOASIM_LEDGER_OBJ_USERS)
				continue;
			seq_puts(m, "    held by ");
			ledger_show_holder(m, k, e, ctx);
		}
	}
}

/**
 * ioasim_ledger_show_graph() - the live objects and who holds whom
 * @m: the debugfs file
 * @unused: unused
 *
 * One block per context: each object with its counts and one "held by"
 * line per long-term reference, naming the holder (the table, the
 * object's driver, or another object) and where it took hold. Then the
 * pages objects with their pins and the domains with their mappings.
 *
 * Return: 0.
 */
int ioasim_ledger_show_graph(struct seq_file *m, void *unused)
{
	struct ledger_key *k;
	unsigned int bkt;

	spin_lock_irq(&ledger_lock);
	if (ledger_off)
		seq_puts(m, "ledger off: ran out of memory\n");
	hash_for_each(ledger_keys, bkt, k, hash) {
		if (!k->count[IOASIM_LEDGER_CTX_REF])
			continue;
		seq_printf(m, "context %p: %lu references\n", k->key,
			   k->count[IOASIM_LEDGER_CTX_REF]);
		ledger_show_objects(m, k->key);
	}
	hash_for_each(ledger_keys, bkt, k, hash) {
		if (k->count[IOASIM_LEDGER_PAGES_REF] ||
		    k->count[IOASIM_LEDGER_PIN])
			seq_printf(m, "pages %p: %lu references, %lu pages pinned\n",
				   k->key, k->count[IOASIM_LEDGER_PAGES_REF],
				   k->count[IOASIM_LEDGER_PIN]);
		if (k->count[IOASIM_LEDGER_MAP])
			seq_printf(m, "domain %p: %lu IO pages mapped\n", k->key,
				   k->count[IOASIM_LEDGER_MAP]);
	}
	spin_unlock_irq(&ledger_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ioasim_ledger_show_graph);

#if IS_ENABLED(CONFIG_DEBUG_FS)
static int ioasim_ledger_graph_open(struct inode *inode, struct file *file)
{
	return single_open(file, ioasim_ledger_show_graph, NULL);
}

static const struct file_operations ioasim_ledger_graph_fops = {
	.owner = THIS_MODULE,
	.open = ioasim_ledger_graph_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};
#endif

/**
 * ioasim_ledger_init() - create /sys/kernel/debug/ioasim/graph
 * @show_obj: prints the objects the graph lists
 *
 * Context: module init.
 * Return: 0; without debugfs only the file is missing.
 */
int ioasim_ledger_init(ioasim_ledger_show_obj_t show_obj)
{
	ledger_show_obj = show_obj;
#if IS_ENABLED(CONFIG_DEBUG_FS)
	ledger_dir = debugfs_create_dir("ioasim", NULL);
	debugfs_create_file("graph", 0400, ledger_dir, NULL,
			    &ioasim_ledger_graph_fops);
#endif
	return 0;
}

/**
 * ioasim_ledger_exit() - remove the debugfs files
 *
 * Context: module exit.
 */
void ioasim_ledger_exit(void)
{
#if IS_ENABLED(CONFIG_DEBUG_FS)
	debugfs_remove_recursive(ledger_dir);
#endif
}
