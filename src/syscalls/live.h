/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live syscall output (runtrace trace), in strace's forms: a syscall's line
 * is held from its entry until its exit; if another thread's line comes
 * between, the first shows `name(args <unfinished ...>` and later
 * `<... name resumed>rest) = ret`, as strace -f prints them.  Thread ends
 * (`+++ exited with N +++`), signals, syscalls in flight at attach
 * (resumed) and at detach (unfinished), and a line wherever the kernel
 * lost records.  JSON lines are whole records, in completion order.
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
	int tmode;            /* 0 none, 1 -t, 2 -tt, 3 -ttt */
	bool durations;       /* -T */
	bool fd_paths;        /* -y */
	bool raw;             /* -X raw */
	bool verbose;         /* -v */
	bool column_pids;     /* "PID  " before every line (strace -f -o FILE); else
			       * "[pid N] " while several tasks are traced */
	/* Tasks (threads) traced at time @ts: strace prefixes lines with the
	 * pid only while there are several.  NULL: always. */
	size_t (*tasks)(void *ctx, __u64 ts);
	void *tasks_ctx;
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
