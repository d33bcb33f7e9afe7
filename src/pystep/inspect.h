/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state of a stopped traced program, read from outside (python/reader.h
 * over process_vm_readv): its frames from the event's frame down to the
 * first frame that is not the program's, their variables, and every heap
 * object they reach, written as one snapshot of the record (record.h).
 */
#ifndef RUNTRACE_PYSTEP_INSPECT_H
#define RUNTRACE_PYSTEP_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "util/strbuf.h"

struct ps_target;
struct ps_inspect;

struct ps_inspect_limits {
	size_t items;     /* members shown per heap object */
	size_t objects;   /* heap objects per snapshot */
	size_t str_len;   /* characters per str */
	size_t frames;    /* frames per stack */
};

/* A reader of process @pid (the interpreter @t, its _PyRuntime at
 * @runtime), whose program file is @path.  NULL with errno. */
struct ps_inspect *ps_inspect__new(pid_t pid, const struct ps_target *t, __u64 runtime,
				   const char *path, const struct ps_inspect_limits *lim);
void ps_inspect__free(struct ps_inspect *in);

/* What a snapshot found out besides the snapshot. */
struct ps_step_info {
	bool module_return;   /* the program's module frame returned: its end */
	char exc_type[128];   /* the exception unwinding it ("" if none) */
};

/* Append the snapshot of @event ("call", "line", ...) at @frame to @sb.
 * @module_code: the program's module code object.  0 or -errno. */
int ps_inspect__snapshot(struct ps_inspect *in, const char *event, __u64 frame,
			 __u64 module_code, struct ps_step_info *info, struct strbuf *sb);

/* Whether @frame, at its first instruction (a call event), will miss its
 * first line event: CPython 3.11's line probe fires only when the line
 * changes from the RESUME's, where sys.settrace always reports the first
 * line.  0 or -errno. */
int ps_inspect__first_line_missed(struct ps_inspect *in, __u64 frame, bool *missed);

/* Whether the return of @frame (a return event) makes its caller's FOR_ITER
 * (or SEND: `yield from`) see StopIteration, which sys.settrace reports as
 * an exception event in the caller with no traceback entry (so no probe):
 * a generator returning a value other than None, or a __next__ unwinding
 * with StopIteration.
 * *@caller: the caller's frame, or 0.  0 or -errno. */
int ps_inspect__for_iter_stop(struct ps_inspect *in, __u64 frame, __u64 *caller);

/* Memory reads so far (requested, and those that reached the process). */
void ps_inspect__stats(const struct ps_inspect *in, __u64 *reads, __u64 *source_reads);

#endif
