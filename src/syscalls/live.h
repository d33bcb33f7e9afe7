/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live syscall output (runtrace trace): each syscall is joined, formatted
 * and written as it completes, with strace's thread-end lines, unfinished
 * syscalls at thread end and detach, syscalls in flight at attach shown
 * resumed, and a line wherever the kernel lost records.
 */
#ifndef RUNTRACE_SYSCALLS_LIVE_H
#define RUNTRACE_SYSCALLS_LIVE_H

#include <stdbool.h>
#include <linux/types.h>

#include "engine/sink.h"

struct live_opts {
	const char *filter;   /* -e trace= expression, NULL = all */
	long strsize;         /* -s */
	bool failed_only;     /* -Z */
	bool json;            /* JSONL objects (syscalls.jsonl's) instead of text */
	bool resumed;         /* attached to running processes: show syscalls in flight */
	int fd;               /* where lines go */
};

/* 0 and @out filled, or -errno (message printed). */
int live_sink_new(const struct live_opts *o, struct sink *out);
/* Write what is buffered.  0, or -errno of the write (EPIPE: the reader
 * went away). */
int live_flush(struct sink *k);
/* Syscall records the kernel lost so far, and syscalls written. */
__u64 live_lost(struct sink *k);
__u64 live_written(struct sink *k);

#endif
