/* SPDX-License-Identifier: GPL-2.0-only */
/* trace -c: the userspace half of bpf/syscount.bpf.c. */
#ifndef RUNTRACE_SYSCALLS_SYSCOUNT_H
#define RUNTRACE_SYSCALLS_SYSCOUNT_H

#include <stdbool.h>

#include "engine/sink.h"
#include "runtrace/syscount.h"

struct count_opts {
	const char *filter;  /* -e trace= expression, NULL = all */
	bool failed_only;    /* -Z */
};

/* 0 and @out filled, or -errno (message printed). */
int count_sink_new(const struct count_opts *o, struct sink *out);
/* Sum the kernel's per-CPU counts into @counts (RT_COUNT_SLOTS entries),
 * times scaled from the calls that were timed to all calls.  0 or -errno. */
int count_read(struct sink *k, struct rt_count *counts);

#endif
