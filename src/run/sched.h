/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runner's bookkeeping of runs (-c, -j, --failed-count, --kill-on-fail):
 * when a run may start, what the end of one means for the others, when the
 * session is over.  Pure: numbers in, decisions out.
 */
#ifndef RUNTRACE_RUN_SCHED_H
#define RUNTRACE_RUN_SCHED_H

#include <stdbool.h>

#include "run/stats.h"

struct sched {
	long count;          /* runs requested (-c) */
	long jobs;           /* runs in flight at most (-j), >= 1 */
	long failed_count;   /* --failed-count, 0: no limit */
	bool kill_on_fail;   /* --kill-on-fail */
	long started;        /* runs started: ids 1..started */
	long inflight;       /* started, not yet ended */
	long made;           /* ended and counted in the summary */
	long failed;         /* of those, failed */
	bool stopping;       /* start no more runs */
	enum rt_stop stop;   /* why the session ends (RT_STOP_COMPLETED unless stopped) */
};

/* What the end of a run asks of the runner (bits). */
enum {
	SCHED_GIVE_UP = 1,   /* --failed-count reached: say so ("I GIVE UP") */
	SCHED_KILL = 2,      /* --kill-on-fail: stop the runs in flight */
};

void sched_init(struct sched *s, long count, long jobs, long failed_count, bool kill_on_fail);
/* Whether another run may start now. */
bool sched_may_start(const struct sched *s);
/* A run starts: its id (1-based). */
unsigned sched_start(struct sched *s);
/* A run ended; @counted: it is in the summary (not lost to an error of
 * runtrace's), @failed: it failed.  Returns SCHED_* bits. */
int sched_end(struct sched *s, bool counted, bool failed);
/* runtrace failed at something: start no more runs. */
void sched_error(struct sched *s);
/* A stop signal: start no more runs. */
void sched_interrupt(struct sched *s);
/* Nothing in flight and nothing more to start. */
bool sched_done(const struct sched *s);

#endif
