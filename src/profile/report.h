/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `runtrace profile` shows: per function, its inclusive wall-clock
 * time (on CPU, sampled; off CPU, measured at each return to a CPU), the
 * statistical error of the sampled part, as a table (box-drawing or
 * ASCII) or JSON.  Pure: plain numbers in, text out.
 */
#ifndef RUNTRACE_PROFILE_REPORT_H
#define RUNTRACE_PROFILE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/profile.h"
#include "util/strbuf.h"

/* One function's time so far. */
struct pf_totals {
	__u64 on_ns;        /* sampled on CPU: the sum of the ticks' periods */
	__u64 on_samples;   /* ticks that found it on a stack */
	__u64 off_ns;       /* off CPU: blocked or waiting for a CPU */
	__u64 off_count;    /* intervals off CPU */
};

void pf_totals_add(struct pf_totals *t, const struct pf_totals *more);
void pf_totals_add_count(struct pf_totals *t, const struct rt_profile_count *c);
/* The wall-clock time: on + off. */
__u64 pf_total_ns(const struct pf_totals *t);
/* The statistical error of the sampled part: the square root of the
 * samples times the period (the mean period when it changed). */
double pf_error_ns(const struct pf_totals *t);

struct pf_row {
	const char *name;   /* as the user wrote it */
	bool native;
	struct pf_totals t;
};

/* @ns in s (>= 1 s, 2 decimals), ms (1 decimal) or us into @buf. */
char *pf_fmt_time(__u64 ns, char *buf, size_t len);

/* The table: one row per function, the longest time first (ties in the
 * order given), "No Data Available" for a function never seen; box
 * drawing if @utf8, else ASCII. */
void pf_table(struct strbuf *sb, const struct pf_row *rows, size_t n, bool utf8);

struct pf_report_meta {
	int pid;              /* the target, 0 if none */
	const char *state;    /* "running", "stopped", "exited" */
	__u64 interval_ns;
	__u64 profiled_ns;    /* time spent profiling so far */
	__u64 samples;        /* ticks on the target's threads */
	__u64 cpu_ns;         /* the time they stand for: the target's time on CPU */
	__u64 lost;           /* stacks the ring buffer could not take */
};

/* The same as JSON (one object, one line), functions in the order given. */
void pf_json(struct strbuf *sb, const struct pf_row *rows, size_t n,
	     const struct pf_report_meta *m);

/* A sampling period: "5ms", "500us", "0.01s", "2000000ns", or a bare
 * number of milliseconds; between 100 us and 1 s.  0, or -EINVAL with
 * the reason in @err. */
int pf_parse_interval(const char *s, __u64 *ns, char *err, size_t errlen);

#endif
