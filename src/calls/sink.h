/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The calls sink: resolves the hooks of one target (a command about to
 * run, or a running process), configures and attaches bpf/calls.bpf.c,
 * and turns its records into lines (text or JSON) on an fd and, with
 * --exec, on a listener's stdin.
 */
#ifndef RUNTRACE_CALLS_SINK_H
#define RUNTRACE_CALLS_SINK_H

#include <stdbool.h>
#include <sys/types.h>

#include "calls/spec.h"
#include "engine/sink.h"

struct calls_opts {
	struct call_spec *specs;
	int nspecs;
	const char *exe;         /* the command's program (resolved path), or NULL */
	pid_t pid;               /* the process probes are for (the command or -p) */
	bool attached;           /* -p: the process already runs */
	bool follow;             /* probes for every process, filtered by scope */
	bool json;
	int strsize;             /* -s */
	struct call_errif errif; /* native hooks */
	int out_fd;              /* lines go here */
	int exec_fd;             /* and here (-1: none) */
};

/* Resolve the hooks (messages printed): 0, -EINVAL bad input (exit 2),
 * other -errno (exit 3). */
int calls_sink_new(const struct calls_opts *o, struct sink *out);
/* Write what is buffered.  0, -EPIPE (the output's reader left). */
int calls_sink_flush(struct sink *k);
/* Warnings at the end (hooks that never matched). */
void calls_sink_finish(struct sink *k);
/* The one line said at start: how Python functions are hooked. */
const char *calls_sink_mechanism(struct sink *k);

#endif
