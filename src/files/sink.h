/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The consumer behind `runtrace deps`: the kernel traces only the file,
 * descriptor and process syscalls the model reads (rt_files_syscalls),
 * with paths and no data bytes; this sink joins their halves
 * (syscalls/join.h), queues them with the process records in the order of
 * their effects (rt_files_queue) and feeds the model (files/model.h) as
 * soon as no earlier record can still be on its way: per-CPU flush timers
 * push every CPU's batch out at least every FILES_FLUSH_NS, so records
 * older than FILES_LAG_NS are fed on each tick and the queue stays small.
 */
#ifndef RUNTRACE_FILES_SINK_H
#define RUNTRACE_FILES_SINK_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "engine/sink.h"

struct rt_files;

struct files_sink_opts {
	const char *cwd;      /* absolute: where the command starts */
	bool optional;        /* also the syscalls the model uses but does not need */
};

/* What the sink could not follow. */
struct files_sink_stats {
	__u64 lost;           /* syscall and process records the kernel could not queue */
	__u64 malformed;      /* halves that did not parse (dropped) */
};

/* 0 and @out filled, or -errno (message printed). */
int files_sink_new(const struct files_sink_opts *o, struct sink *out);
/* The command's first process @pid (forked, not yet released) starts in
 * the sink's cwd with no descriptors the model follows.  0 or -errno. */
int files_sink_start(struct sink *k, pid_t pid);
/* The model, complete once the run has ended (run_end). */
struct rt_files *files_sink_model(struct sink *k);
const struct files_sink_stats *files_sink_stats(struct sink *k);

#endif
