/* SPDX-License-Identifier: GPL-2.0-only */
/* --call-trace: a run's syscalls, spooled raw and written as syscalls.log
 * (and syscalls.jsonl) for a kept run. */
#ifndef RUNTRACE_SYSCALLS_CALLTRACE_H
#define RUNTRACE_SYSCALLS_CALLTRACE_H

#include <stdbool.h>
#include <linux/types.h>

#include "engine/sink.h"

struct ct_opts {
	long strsize;        /* -s: data bytes shown per buffer */
	long max_events;     /* syscalls kept per run, the most recent */
	const char *filter;  /* -e trace= expression, NULL = all */
	bool failed_only;    /* -Z: only syscalls that returned an error */
	bool json;           /* syscalls.jsonl as well */
};

struct runtrace_bpf;

/* The -e trace= bitmap of @expr (NULL: every syscall).  0, or -EINVAL
 * (message printed). */
int ct_filter_from(const char *expr, __u64 *filter, bool *high);
/* Configure the kernel side of syscall tracing, before load: the bitmap
 * (RT_SC_NR_MAX bits) and @high, the capture spec, -s, -Z; its maps and
 * programs. */
void ct_kernel_configure(struct runtrace_bpf *skel, const __u64 *filter, bool high,
			 long strsize, bool failed_only, bool clock);

/* Records that went straight to the ring buffer, without their user
 * memory, because their CPU's batch was claimed by a program they
 * preempted (only on fully preemptible kernels), since load. */
__u64 ct_bypassed(struct runtrace_bpf *skel);

/* Per-CPU flush timers for live consumers (trace, deps): a software
 * cpu-clock perf event on every CPU runs calltrace_timer every @period_ns,
 * so no half waits in a busy CPU's batch longer than that. */
struct ct_timers {
	struct bpf_link **links;
	int n;
};
/* In configure(): load calltrace_timer. */
void ct_timers_configure(struct runtrace_bpf *skel);
/* In attach(): 0 or -errno (message printed). */
int ct_timers_attach(struct ct_timers *t, struct runtrace_bpf *skel, __u64 period_ns);
void ct_timers_free(struct ct_timers *t);

/* 0 and @out filled, or -errno (message printed). */
int calltrace_sink_new(const struct ct_opts *o, struct sink *out);

#endif
