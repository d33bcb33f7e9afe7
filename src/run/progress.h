/* SPDX-License-Identifier: GPL-2.0-only */
/* The one-line progress display on stderr, only when stderr is a terminal. */
#ifndef RUNTRACE_PROGRESS_H
#define RUNTRACE_PROGRESS_H

#include <stdbool.h>
#include <linux/types.h>

struct progress {
	bool on;
	bool shown;
	bool parallel;  /* -j > 1: show the runs in flight */
	long total;
	__u64 start_ns;
	__u64 last_ns;
};

/* @jobs: runs in flight at most (-j). */
void progress_init(struct progress *p, long total, long jobs, bool allowed);
/* Redraw if at least 200 ms passed since the last draw, or @force: @done
 * runs ended, @failed of them failed, @running in flight. */
void progress_update(struct progress *p, long done, long failed, long running, bool force);
void progress_clear(struct progress *p);

#endif
