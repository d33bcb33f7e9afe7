/* SPDX-License-Identifier: GPL-2.0-only */
/* Dispatch of ring-buffer records to sinks by type.  Pure: no libbpf. */
#ifndef RUNTRACE_DISPATCH_H
#define RUNTRACE_DISPATCH_H

#include <stddef.h>
#include <linux/types.h>

#include "engine/sink.h"

struct dispatch_counters {
	__u64 stale;     /* records of no current run, or of another run */
	__u64 malformed; /* too short, bad size or unknown type */
	__u64 rejected;  /* a sink's event() returned an error */
};

/* Check @data's header and hand it to every sink that wants its type.
 * Always returns 0 (a ring-buffer callback that returns < 0 stops
 * consumption): problems are counted in @c. */
int dispatch_record(struct sink *sinks, int nsinks, struct rt_run *cur, const void *data,
		    size_t size, struct dispatch_counters *c);

#endif
