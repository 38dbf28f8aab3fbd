/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim - the reference ledger (CONFIG_IOASIM_LEDGER)
 *
 * With the option on, every reference ioasim takes or drops, every user
 * page it pins or unpins and every IO page it maps into or unmaps from a
 * domain is written down with the call site that did it:
 *
 *   kind              key           tag
 *   OBJ_USERS         the object    who holds it: the context (the table),
 *                                   the object itself (its kernel driver)
 *                                   or the holding object
 *   OBJ_BUSY          the object    the thread using it, or the context
 *   CTX_REF           the context   none
 *   PAGES_REF         pages object  none
 *   PIN               pages object  the page index
 *   MAP               the domain    the IOVA page number
 *
 * A give must match an outstanding take of the same kind, key and tag
 * (tagless kinds match any); when a key goes away (the object, pages
 * object, context or domain is freed) nothing may be outstanding on it.
 * Either mistake is printed at once with the call sites involved, as
 * "ioasim ledger: ..." lines that fail a test run, and counted.
 *
 * The ledger is a debugging aid: it allocates atomically, outside the
 * kernel's fault injection, and turns itself off (saying so) if memory
 * runs out. With the option off every hook is an empty inline.
 */
#ifndef __IOASIM_LEDGER_H
#define __IOASIM_LEDGER_H

#include <linux/types.h>

struct seq_file;

enum ioasim_ledger_kind {
	IOASIM_LEDGER_OBJ_USERS,
	IOASIM_LEDGER_OBJ_BUSY,
	IOASIM_LEDGER_CTX_REF,
	IOASIM_LEDGER_PAGES_REF,
	IOASIM_LEDGER_PIN,
	IOASIM_LEDGER_MAP,
	IOASIM_LEDGER_NR_KINDS
};

/**
 * typedef ioasim_ledger_show_obj_t - print an object the ledger names
 * @m: the debugfs file
 * @obj: a key whose entries are object references (a struct ioasim_obj)
 * @counts: also print its reference counts
 *
 * The ledger sits below the object table and cannot read an object: the
 * module's init hands it this printer.
 */
typedef void (*ioasim_ledger_show_obj_t)(struct seq_file *m, const void *obj,
					 bool counts);

#if IS_ENABLED(CONFIG_IOASIM_LEDGER)
void ioasim_ledger_take(enum ioasim_ledger_kind kind, const void *key,
			unsigned long tag, unsigned long ip);
void ioasim_ledger_give(enum ioasim_ledger_kind kind, const void *key,
			unsigned long tag, unsigned long ip);
void ioasim_ledger_take_range(enum ioasim_ledger_kind kind, const void *key,
			      unsigned long first, unsigned long n,
			      unsigned long ip);
void ioasim_ledger_give_range(enum ioasim_ledger_kind kind, const void *key,
			      unsigned long first, unsigned long n,
			      unsigned long ip);
unsigned int ioasim_ledger_settle(const void *key, const char *what);
unsigned long ioasim_ledger_count(enum ioasim_ledger_kind kind,
				  const void *key);
unsigned long ioasim_ledger_errors(void);
void ioasim_ledger_set_quiet(bool quiet);
int ioasim_ledger_show_graph(struct seq_file *m, void *unused);
int ioasim_ledger_init(ioasim_ledger_show_obj_t show_obj);
void ioasim_ledger_exit(void);
#else
static inline void ioasim_ledger_take(enum ioasim_ledger_kind kind,
				      const void *key, unsigned long tag,
				      unsigned long ip)
{
}

static inline void ioasim_ledger_give(enum ioasim_ledger_kind kind,
				      const void *key, unsigned long tag,
				      unsigned long ip)
{
}

static inline void ioasim_ledger_take_range(enum ioasim_ledger_kind kind,
					    const void *key,
					    unsigned long first,
					    unsigned long n, unsigned long ip)
{
}

static inline void ioasim_ledger_give_range(enum ioasim_ledger_kind kind,
					    const void *key,
					    unsigned long first,
					    unsigned long n, unsigned long ip)
{
}

static inline unsigned int ioasim_ledger_settle(const void *key,
						const char *what)
{
	return 0;
}

static inline int ioasim_ledger_init(ioasim_ledger_show_obj_t show_obj)
{
	return 0;
}

static inline void ioasim_ledger_exit(void)
{
}
#endif

#endif /* __IOASIM_LEDGER_H */
