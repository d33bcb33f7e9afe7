/* SPDX-License-Identifier: GPL-2.0-only */
/* Dispatch of ring-buffer records to sinks by type, to the run each record
 * belongs to (hdr.run).  Pure: no libbpf. */
#ifndef RUNTRACE_DISPATCH_H
#define RUNTRACE_DISPATCH_H

#include <stddef.h>
#include <linux/types.h>

#include "engine/sink.h"

struct dispatch_counters {
	__u64 stale;     /* records of no run in flight */
	__u64 malformed; /* too short, bad size or unknown type */
	__u64 rejected;  /* a sink's event() returned an error */
};

/* The runs in flight, found by id. */
struct run_table {
	struct rt_run **v;
	size_t n, cap;
	struct rt_run *last; /* the run of the last record found (records come in runs) */
};

/* Add @run (its id not in the table yet).  0 or -ENOMEM. */
int run_table_add(struct run_table *t, struct rt_run *run);
/* Remove @run if it is in the table. */
void run_table_del(struct run_table *t, const struct rt_run *run);
/* The run in flight with id @id, or NULL. */
struct rt_run *run_table_find(struct run_table *t, __u32 id);
void run_table_free(struct run_table *t);

/* Check @data's header and hand it to every sink that wants its type, with
 * the run in flight it belongs to.  Always returns 0 (a ring-buffer
 * callback that returns < 0 stops consumption): problems are counted in @c. */
int dispatch_records(struct sink *sinks, int nsinks, struct run_table *runs, const void *data,
		     size_t size, struct dispatch_counters *c);
/* The same with one run in flight, @cur (NULL: none). */
int dispatch_record(struct sink *sinks, int nsinks, struct rt_run *cur, const void *data,
		    size_t size, struct dispatch_counters *c);

#endif
