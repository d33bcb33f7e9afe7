/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A memory reader over the segments one record carries (what the BPF
 * program copied at the event), falling back to another reader (the live
 * process) for what was not copied: type objects, names, deeper members.
 *
 *	struct capmem *c = capmem__new(pidmem);
 *	struct pyreader *r = pyreader__new(capmem__reader(c), ...);
 *	capmem__set(c, ev->data, ev->data_len, ev->nseg);   // per record
 *	pyreader__decode(r, addr, &lim);
 */
#ifndef RUNTRACE_CALLS_CAPMEM_H
#define RUNTRACE_CALLS_CAPMEM_H

#include <stddef.h>
#include <linux/types.h>

#include "python/mem.h"

struct capmem;

/* @fallback stays the caller's (may be NULL: only segments).  NULL with
 * errno. */
struct capmem *capmem__new(struct memreader *fallback);
void capmem__free(struct capmem *c);
/* The reader over it (owned by it). */
struct memreader *capmem__reader(struct capmem *c);
/* The segments of a record (struct rt_call_seg + bytes, 8-aligned), kept
 * by reference until the next call.  0 or -EINVAL (malformed). */
int capmem__set(struct capmem *c, const void *data, size_t len, unsigned nseg);
/* The bytes the segment that starts at @addr holds, or NULL. */
const void *capmem__find(struct capmem *c, __u64 addr, size_t *len);

#endif
