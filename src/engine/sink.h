/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sink turns one kind of evidence into a failed run's artifacts.  The
 * runner drives every enabled sink through the same lifecycle:
 *
 *   configure   before the BPF object is loaded: autoload, cfg_* globals
 *   attach      after load: anything the skeleton's auto-attach cannot do;
 *               parent_cgroup_fd is the session's cgroup v2 directory, under
 *               which every run gets its own (-1 without cgroups)
 *   run_start   a run's directory exists and its child is about to be released
 *   event       a ring-buffer record of a type the sink asked for
 *   tick        every tick_ns while a run is in progress (if tick_ns != 0)
 *   run_end     the run's processes are gone and the ring buffer is drained;
 *               keep the artifacts if run->keep, else leave nothing behind
 *   free        once, at exit (accepts a sink that never started)
 *
 * Callbacks return 0 or -errno.  A sink must stay cheap for runs that
 * succeed: spool raw data, format it only in run_end when run->keep.
 *
 * Several runs may be in flight at once (run -j): callbacks of different
 * runs interleave.  A sink keeps what belongs to one run in a state of its
 * own, set in run_start (rt_run_set_state), found in event, tick and
 * run_end (rt_run_state), and taken back in run_end.
 */
#ifndef RUNTRACE_SINK_H
#define RUNTRACE_SINK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "runtrace/events.h"
#include "util/strbuf.h"

struct runtrace_bpf; /* the generated skeleton */

/* Sinks of one front end at most (the per-run state slots of a run). */
#define RT_RUN_MAX_SINKS 8

/* One run, as the runner shows it to sinks. */
struct rt_run {
	unsigned id;            /* 1-based; the directory is run-%04u */
	int dirfd;              /* run-NNNN directory (O_DIRECTORY), created 0700 */
	const char *dir;        /* its path, for messages */
	pid_t pid;              /* the forked child */
	__u64 start_ns;         /* CLOCK_MONOTONIC when the child was released */
	__u64 end_ns;           /* CLOCK_MONOTONIC when it was reaped (run_end) */
	__s64 realtime_offset_ns; /* add to a CLOCK_MONOTONIC ns value for wall clock */
	int cgroup_fd;          /* the run's cgroup v2 directory, or -1 */
	const char *cgroup_path;/* its path, or NULL */
	__u64 cgroup_id;        /* its cgroup id (set by session__begin_run), or 0 */
	/* Set before run_end: */
	bool failed;            /* exited non-zero, killed by a signal, timed out */
	bool keep;              /* artifacts are kept (failed or --keep-all) */
	bool stopped;           /* runtrace ended it: --timeout, a signal, --kill-on-fail */
	int wait_status;        /* wait(2) status of the child */
	/* Sinks add members to the run's object in summary.json here, as
	 * complete JSON members without the leading comma, e.g.
	 *   strbuf_addf(run->json, ",\"net\":{\"packets\":%llu}", n);
	 * (each member must start with a comma). */
	struct strbuf *json;
	/* Records the kernel could not queue (ring buffer full) since the run
	 * began: per enum rt_event_type, and all types.  Up to date in tick()
	 * and run_end(). */
	__u64 drops[RT_DROP_SLOTS];
	__u64 lost;
	/* Each sink's state for this run (rt_run_state), by the sink's self. */
	struct {
		const void *sink;
		void *state;
	} priv[RT_RUN_MAX_SINKS];
};

/* The state sink @self set for @run, or NULL. */
static inline void *rt_run_state(const struct rt_run *run, const void *self)
{
	int i;

	for (i = 0; i < RT_RUN_MAX_SINKS && run->priv[i].sink; i++)
		if (run->priv[i].sink == self)
			return run->priv[i].state;
	return NULL;
}

/* Set sink @self's state for @run (NULL: clear it).  0, or -ENOSPC. */
static inline int rt_run_set_state(struct rt_run *run, const void *self, void *state)
{
	int i;

	for (i = 0; i < RT_RUN_MAX_SINKS; i++) {
		if (!run->priv[i].sink || run->priv[i].sink == self) {
			run->priv[i].sink = self;
			run->priv[i].state = state;
			return 0;
		}
	}
	return -ENOSPC;
}

struct sink_ops {
	const char *name;
	int (*configure)(void *self, struct runtrace_bpf *skel);
	int (*attach)(void *self, struct runtrace_bpf *skel, int parent_cgroup_fd);
	int (*run_start)(void *self, struct rt_run *run);
	int (*event)(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len);
	int (*tick)(void *self, struct rt_run *run, __u64 now_ns);
	int (*run_end)(void *self, struct rt_run *run);
	/* Optional: destroy the links the sink attached itself, called by
	 * session__free() before the BPF object goes (a USDT link needs its
	 * object to detach). */
	void (*detach)(void *self);
	void (*free)(void *self);
};

struct sink {
	const struct sink_ops *ops;
	void *self;
	__u32 types;            /* bit (1u << RT_EV_x) for each record type wanted */
	__u64 tick_ns;          /* period of tick(), 0 for none */
	__u32 ring_bytes;       /* ring buffer size this sink needs (0: the default) */
};

#endif
