/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A memory reader over the segments one record carries: what the BPF
 * program copied at the event.  Nothing else is read: the target may have
 * changed or freed an object, or exited, by the time the record is
 * decoded.  A segment's bytes past what was copied, up to its span, read
 * as zeros (see struct rt_call_seg).
 *
 *	struct capmem *c = capmem__new();
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

/* NULL with errno. */
struct capmem *capmem__new(void);
void capmem__free(struct capmem *c);
/* The reader over it (owned by it). */
struct memreader *capmem__reader(struct capmem *c);
/* The segments of a record (struct rt_call_seg + bytes, 8-aligned), kept
 * by reference until the next call.  0 or -EINVAL (malformed). */
int capmem__set(struct capmem *c, const void *data, size_t len, unsigned nseg);
/* The bytes the segment that starts at @addr holds, or NULL. */
const void *capmem__find(struct capmem *c, __u64 addr, size_t *len);
/* The address of the @i-th segment flagged @flags (RT_CALL_SEG_*), in
 * record order; 0 past the last. */
__u64 capmem__flagged(struct capmem *c, unsigned flags, unsigned i);

#endif
