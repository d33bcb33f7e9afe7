/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walking the blobs of a joined syscall record (struct rt_syscall_event,
 * include/runtrace/syscall.h): the one place that knows their framing.
 *
 *	struct rt_sc_blob_it it;
 *	const struct rt_sc_blob *b;
 *
 *	for (b = rt_sc_blob_first(&it, ev, len); b; b = rt_sc_blob_next(&it))
 *		... b->arg, RT_BLOB_KIND(b->kind), b->len, rt_sc_blob_data(b) ...
 *	if (it.bad) ... the record is malformed
 */
#ifndef RUNTRACE_SYSCALLS_RECORD_H
#define RUNTRACE_SYSCALLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "runtrace/syscall.h"

struct rt_sc_blob_it {
	const unsigned char *rec;
	size_t off, len;   /* next blob's offset, record length */
	unsigned left;     /* blobs not walked yet */
	bool bad;          /* a blob ran past the record (or named no argument) */
};

static inline const unsigned char *rt_sc_blob_data(const struct rt_sc_blob *b)
{
	return (const unsigned char *)(b + 1);
}

static inline const struct rt_sc_blob *rt_sc_blob_next(struct rt_sc_blob_it *it)
{
	const struct rt_sc_blob *b;

	if (!it->left || it->bad)
		return NULL;
	b = (const void *)(it->rec + it->off);
	if (it->off + sizeof(*b) > it->len || it->off + sizeof(*b) + b->len > it->len ||
	    b->arg >= 6) {
		it->bad = true;
		return NULL;
	}
	it->off += sizeof(*b) + ((b->len + 3u) & ~3u);
	it->left--;
	return b;
}

static inline const struct rt_sc_blob *rt_sc_blob_first(struct rt_sc_blob_it *it,
							 const struct rt_syscall_event *ev,
							 size_t len)
{
	it->rec = (const unsigned char *)ev;
	it->off = sizeof(*ev);
	it->len = len;
	it->left = len >= sizeof(*ev) ? ev->nblobs : 0;
	it->bad = len < sizeof(*ev);
	return rt_sc_blob_next(it);
}

/* The first blob of argument @arg of kind @kind (RT_BLOB_KIND), or NULL. */
static inline const struct rt_sc_blob *rt_sc_blob_find(const struct rt_syscall_event *ev,
							size_t len, int arg, int kind)
{
	struct rt_sc_blob_it it;
	const struct rt_sc_blob *b;

	for (b = rt_sc_blob_first(&it, ev, len); b; b = rt_sc_blob_next(&it))
		if (b->arg == arg && RT_BLOB_KIND(b->kind) == kind)
			return b;
	return NULL;
}

/* The NUL-terminated string of argument @arg if it was captured whole. */
static inline const char *rt_sc_blob_str(const struct rt_syscall_event *ev, size_t len, int arg)
{
	const struct rt_sc_blob *b = rt_sc_blob_find(ev, len, arg, RT_BLOB_STR);

	if (!b || !b->len || rt_sc_blob_data(b)[b->len - 1])
		return NULL;
	return (const char *)rt_sc_blob_data(b);
}

#endif
