/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One `runtrace calls` event as printed: plain strings in, one text line
 * or one JSON object out (pure, unit-tested).  Values arrive already
 * rendered (Python repr, native integers and C strings).
 *
 *   start  io.open      tid 1401767 (native 4211)  args ('/tmp/t.txt', 'w') kwargs {}
 *   finish io.open      tid 1401767 (native 4211)  return <_io.TextIOWrapper object at 0x7f..>  31.2 us
 *   error  Test1.div    tid 1401767 (native 4211)  raised ZeroDivisionError('division by zero')  12.0 us
 *   audit  open         tid 1401767 (native 4211)  args ('/tmp/t.txt', 'w', 524865)
 */
#ifndef RUNTRACE_CALLS_FMT_H
#define RUNTRACE_CALLS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "util/strbuf.h"

#define CALL_OUT_MAX_ARGS 16

struct call_out {
	const char *event;        /* "start", "finish", "error", "audit" */
	const char *hook;         /* the hook as the user named it */
	const char *kind;         /* "python", "builtin", "native", "audit" */
	int pid, tid;             /* process and native thread id */
	__u64 ident;              /* threading.get_ident(); 0: not a Python thread */
	bool show_pid;            /* prefix "[pid N] " (several processes) */
	__s64 realtime_ns;        /* wall clock of the event (JSON "time") */
	/* start, audit */
	bool has_args;
	size_t nargs;
	const char *args[CALL_OUT_MAX_ARGS];
	bool has_kwargs;          /* print kwargs {...} (Python, builtins) */
	size_t nkw;
	const char *kwnames[CALL_OUT_MAX_ARGS];
	const char *kwvals[CALL_OUT_MAX_ARGS];
	bool args_cut;            /* more arguments than shown */
	/* finish */
	const char *ret;          /* rendered return value, NULL: none */
	/* error */
	const char *exc_type;     /* "ZeroDivisionError" */
	const char *exc_repr;     /* "ZeroDivisionError('division by zero')" */
	/* finish, error */
	__s64 dur_ns;             /* < 0: unknown */
};

/* One line, '\n' included. */
void call_out_text(const struct call_out *o, struct strbuf *sb);
/* One JSON object, '\n' included. */
void call_out_json(const struct call_out *o, struct strbuf *sb);

/* A C string as the user reads it: "..." with C escapes, cut at @max
 * bytes (then "..." after the quote). */
void call_cstr_repr(const char *s, size_t len, size_t max, bool cut, struct strbuf *sb);

#endif
