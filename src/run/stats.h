/* SPDX-License-Identifier: GPL-2.0-only */
/* What each run ended as, and the statistics of the closing summary.  Pure. */
#ifndef RUNTRACE_STATS_H
#define RUNTRACE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "util/strbuf.h"

enum rt_reason {
	RT_REASON_NONE = 0,    /* succeeded: exit code 0 */
	RT_REASON_EXIT,        /* exited with a non-zero code */
	RT_REASON_SIGNAL,      /* killed by a signal */
	RT_REASON_TIMEOUT,     /* --timeout passed; runtrace killed the tree */
	RT_REASON_INTERRUPTED, /* runtrace got SIGINT/SIGTERM during the run */
};

struct run_record {
	unsigned index;          /* 1-based */
	__s64 start_realtime_ns; /* wall clock at release */
	__u64 duration_ns;       /* release to reap of the child */
	int wait_status;         /* wait(2) status of the child */
	enum rt_reason reason;
	bool kept;               /* its run-NNNN directory was kept */
	__u64 lost;              /* records the kernel could not queue */
	struct strbuf files;     /* JSON array members: "a","b" */
	struct strbuf extra;     /* JSON members added by sinks, each ",\"k\":v" */
};

struct stats {
	struct run_record *runs;
	size_t n, cap;
};

/* Append a copy of @r (its strbufs are moved: @r's are reset). */
void stats_add(struct stats *st, struct run_record *r);
void stats_free(struct stats *st);
/* Put the runs in index order (runs in parallel end in any order). */
void stats_sort(struct stats *st);

bool run_failed(const struct run_record *r);
const char *reason_name(enum rt_reason r);

/* Most frequent exit code among runs that exited (ties: the smallest code).
 * Returns false if no run exited normally. */
bool stats_most_frequent_code(const struct stats *st, int *code);

/* Duration statistics in ns over all runs (median of an even count: mean of
 * the two middle values).  Returns false if there is no run. */
bool stats_durations(const struct stats *st, __u64 *min, __u64 *median, __u64 *max);

size_t stats_failed(const struct stats *st);

/* How the session ended. */
enum rt_stop {
	RT_STOP_COMPLETED = 0,  /* all requested runs made */
	RT_STOP_FAILED_COUNT,   /* --failed-count reached */
	RT_STOP_INTERRUPTED,    /* SIGINT/SIGTERM */
	RT_STOP_ERROR,          /* runtrace failed mid-way */
};

struct summary_info {
	long requested;         /* -c */
	long failed_count;      /* --failed-count, 0 none */
	double timeout;         /* --timeout, 0 none */
	enum rt_stop stop;
	bool bpf;               /* lost-event counts are meaningful */
	const char *artifacts;  /* directory kept, or NULL */
	char *const *argv;      /* the command */
	int argc;
	bool shell;
	__s64 started_realtime_ns;
};

/* The closing summary printed on stdout. */
void summary_text(const struct summary_info *si, const struct stats *st, struct strbuf *out);
/* summary.json (schema "runtrace-summary/1", documented in README). */
void summary_json(const struct summary_info *si, const struct stats *st, struct strbuf *out);
/* "3.1/3.4/4.0 ms" or "1.20/1.35/2.00 s" */
void format_durations(__u64 min, __u64 median, __u64 max, char *buf, size_t len);

#endif
