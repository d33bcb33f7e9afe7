/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The raw spool of one run's --call-trace records: appended as they come
 * off the ring buffer, bounded like a flight recorder (the oldest records
 * go first), formatted only if the run is kept.  Pure: memory only.
 */
#ifndef RUNTRACE_SYSCALL_SPOOL_H
#define RUNTRACE_SYSCALL_SPOOL_H

#include <stddef.h>
#include <linux/types.h>

struct ct_chunk;

struct ct_spool {
	struct ct_chunk *head, *tail; /* records, oldest first */
	struct ct_chunk *spare;       /* emptied chunks, reused */
	size_t head_off;              /* first live record in head */
	__u64 count;                  /* records held */
	__u64 max_events;             /* bound on count (0: none) */
	size_t bytes;                 /* bytes held, prefixes included */
	size_t max_bytes;             /* bound on bytes (0: none) */
	__u64 dropped;                /* oldest records let go to stay bounded */
	__u64 seen;                   /* records pushed since the last reset */
};

void ct_spool_init(struct ct_spool *s, __u64 max_events, size_t max_bytes);
/* Append a copy of @rec (@len bytes, at most CT_SPOOL_REC_MAX); 0 or -errno. */
int ct_spool_push(struct ct_spool *s, const void *rec, size_t len);
/* Forget every record (keeps the memory for the next run). */
void ct_spool_reset(struct ct_spool *s);
void ct_spool_free(struct ct_spool *s);

#define CT_SPOOL_REC_MAX 65536

struct ct_spool_iter {
	struct ct_chunk *chunk;
	size_t off;
};
void ct_spool_iter_init(const struct ct_spool *s, struct ct_spool_iter *it);
/* The next record (oldest first) and its length, or NULL at the end. */
const void *ct_spool_next(struct ct_spool_iter *it, size_t *len);

#endif
