/* SPDX-License-Identifier: GPL-2.0-only */
/* --call-trace: a run's syscalls, spooled raw and written as syscalls.log
 * (and syscalls.jsonl) for a kept run. */
#ifndef RUNTRACE_SYSCALLS_CALLTRACE_H
#define RUNTRACE_SYSCALLS_CALLTRACE_H

#include <stdbool.h>

#include "engine/sink.h"

struct ct_opts {
	long strsize;        /* -s: data bytes shown per buffer */
	long max_events;     /* syscalls kept per run, the most recent */
	const char *filter;  /* -e trace= expression, NULL = all */
	bool failed_only;    /* -Z: only syscalls that returned an error */
	bool json;           /* syscalls.jsonl as well */
};

/* 0 and @out filled, or -errno (message printed). */
int calltrace_sink_new(const struct ct_opts *o, struct sink *out);

#endif
