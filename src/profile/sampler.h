/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel half of `runtrace profile` as a sink of the engine's session
 * (bpf/profile.bpf.c): a cpu-clock perf event per CPU with the sampling
 * program on it, the sched_switch and exit programs, and the maps that
 * say which functions to look for (code objects, address ranges) and
 * hold the counts.  One sampler lives as long as one session: profiling
 * is on from session__new() to session__free().
 */
#ifndef RUNTRACE_PROFILE_SAMPLER_H
#define RUNTRACE_PROFILE_SAMPLER_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "engine/sink.h"
#include "runtrace/profile.h"

struct sampler_opts {
	pid_t tgid;            /* the process profiled */
	unsigned run;          /* the session run its records belong to */
	__u64 interval_ns;     /* the sampling period */
	/* A stack the kernel could not summarise alone (code objects not
	 * named yet).  0, or -errno (counted as refused by the session). */
	int (*on_unknown)(void *ctx, const struct rt_profile_unknown *ev);
	void *ctx;
};

struct sampler;

/* A sink that loads and attaches the profile programs.  0 or -errno. */
int sampler_sink_new(const struct sampler_opts *o, struct sink *out);
struct sampler *sampler_of(struct sink *k);

/* Stop counting now (the programs stay attached until the session is
 * freed, doing nothing): what is counted can then be read whole. */
void sampler__pause(struct sampler *s);
/* Walk the Python stacks of the target, whose _PyRuntime is at @runtime,
 * with layout @off.  0 or -errno. */
int sampler__set_python(struct sampler *s, const struct rt_py_offsets *off, __u64 runtime);
/* Stop walking Python stacks (the target exec'd another program). */
void sampler__python_off(struct sampler *s);
/* Code object @code, of identity @id (rt_profile_code_id), is the
 * functions of @mask (0: none of them). */
int sampler__set_code(struct sampler *s, __u64 code, __u64 id, __u64 mask);
/* The native functions: @n ranges (at most RT_PROFILE_RANGES). */
int sampler__set_ranges(struct sampler *s, const struct rt_profile_range *r, size_t n);
/* A new sampling period, at once on every CPU. */
int sampler__set_interval(struct sampler *s, __u64 ns);
/* Restart every CPU's timer with a period drawn around the interval
 * (@r in [0, 1): 0.75 to 1.25 times it).  Called every few tens of ms:
 * a fixed period that divides the kernel's tick (4 ms at HZ=250) would
 * sample threads woken by that tick always at the same moment after it,
 * and bias the on-CPU times (the kernel charges the time since each CPU's
 * previous tick, so the period may vary). */
int sampler__jitter(struct sampler *s, double r);
/* Zero slot @slot's counts (it is given to another function). */
int sampler__zero_slot(struct sampler *s, unsigned slot);
/* Every slot's counts, summed over CPUs. */
int sampler__counts(struct sampler *s, struct rt_profile_count out[RT_PROFILE_SLOTS]);
int sampler__stats(struct sampler *s, struct rt_profile_stats *out);
/* Call @fn for each thread now off CPU with functions on its stack.
 * 0 or -errno. */
int sampler__each_off(struct sampler *s,
		      int (*fn)(void *ctx, __u32 tid, const struct rt_profile_off *e), void *ctx);
/* A thread found blocked when profiling started: charge its time away
 * from @e->ts on when it comes back (if the kernel saw it leave since,
 * its own entry stands).  0 or -errno. */
int sampler__seed_off(struct sampler *s, __u32 tid, const struct rt_profile_off *e);

#endif
