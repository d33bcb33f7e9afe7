/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one formatting layer of syscall records: a record in, strace's text
 * or a JSON object out, for `run --call-trace` (syscalls.log: `-f -tt -T`
 * with "[pid N]" on every line, time first) and `runtrace trace` (strace's
 * own line forms and options).  Pure: plain data in, strings out, no I/O,
 * so unit tests need no kernel.
 */
#ifndef RUNTRACE_SYSCALL_FMT_H
#define RUNTRACE_SYSCALL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"
#include "util/strbuf.h"

/* Timestamps at the start of a line (strace -t, -tt, -ttt). */
enum rt_sc_tsfmt {
	RT_SC_TS_NONE = 0,  /* none */
	RT_SC_TS_SEC,       /* -t: 12:01:02 */
	RT_SC_TS_USEC,      /* -tt: 12:01:02.123456 */
	RT_SC_TS_EPOCH,     /* -ttt: 1700000462.123456 */
};

/* The process prefix of a line, chosen by the caller line by line (strace
 * prints it only when it traces several processes). */
enum rt_sc_prefix {
	RT_SC_PFX_NONE = 0, /* none */
	RT_SC_PFX_PID,      /* "[pid  4211] " (strace -f on stderr; syscalls.log) */
	RT_SC_PFX_COLUMN,   /* "4211  " (strace -f -o FILE) */
};

/* Which part of a syscall a text line shows (strace's split lines). */
enum rt_sc_part {
	RT_SC_WHOLE = 0,    /* name(args) = ret, or what the record's flags say */
	RT_SC_UNFINISHED,   /* name(args known at entry <unfinished ...> */
	RT_SC_RESUMED,      /* <... name resumed>the rest) = ret */
};

/* -y: the path of descriptor @fd of process @pid as strace -y shows it
 * ("/etc/passwd", "socket:[1234]"), or NULL if unknown. */
typedef const char *(*rt_sc_fd_path_fn)(void *ctx, __u32 pid, int fd);

struct rt_sc_fmt {
	unsigned strsize;          /* -s: data bytes and string chars shown */
	__s64 realtime_offset_ns;  /* added to a record's ts for wall clock */
	bool utc;                  /* timestamps in UTC instead of local time */
	/* Options; rt_sc_fmt_init() sets syscalls.log's. */
	enum rt_sc_tsfmt ts;       /* timestamps (RT_SC_TS_USEC) */
	bool time_first;           /* the time before the prefix, as syscalls.log
				    * (true); strace puts the prefix first */
	bool durations;            /* -T: " <0.000012>" (true) */
	enum rt_sc_prefix prefix;  /* set by the caller before each line (PID) */
	unsigned align;            /* -a: pad to this column before "= " as strace
				    * does (40); 0: a single space (syscalls.log) */
	bool raw;                  /* -X raw: flags and constants as numbers */
	bool verbose;              /* -v: structs unabbreviated where captured */
	rt_sc_fd_path_fn fd_path;  /* -y: descriptor paths, NULL: none */
	void *fd_ctx;              /* ... its context */
	/* internal: cache of the last second formatted, scratch space */
	__s64 last_sec;
	char hms[16];
	struct strbuf scratch;
	struct strbuf line;
};

/* Options as syscalls.log needs them (-tt -T, "[pid N]", time first). */
void rt_sc_fmt_init(struct rt_sc_fmt *f, unsigned strsize, __s64 realtime_offset_ns);
void rt_sc_fmt_free(struct rt_sc_fmt *f);

/*
 * Append the text line (newline included) of syscall record @ev of @len
 * bytes to @out.  A record flagged RT_SC_F_UNFINISHED prints as strace's
 * `name(args <unfinished ...>` (exit/exit_group: `name(args) = ?`), one
 * flagged RT_SC_F_RESUMED (an exit whose entry came before tracing began)
 * as `<... name resumed>rest) = ret`.  Returns 0, or -EINVAL if the record
 * is malformed (nothing appended).
 */
int rt_sc_fmt_text(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len);

/* One part of a complete record's line, for a caller that interleaves
 * threads as strace -f does: RT_SC_UNFINISHED when another thread's line
 * comes between this syscall's entry and exit, RT_SC_RESUMED after it. */
int rt_sc_fmt_text_part(struct rt_sc_fmt *f, struct strbuf *out,
			const struct rt_syscall_event *ev, size_t len, enum rt_sc_part part);

/* The same as one JSON object and a newline (a syscalls.jsonl line):
 * time, ts_ns, pid, tid, syscall, nr, args (each as text), then ret,
 * errno, retval, duration_ns, or "unfinished":true; "resumed":true when
 * the arguments are not known. */
int rt_sc_fmt_json(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len);

/* A process exit line, strace's "+++ exited with 1 +++" / "+++ killed by
 * SIGKILL +++", for wait status @status of process @pid at @ts. */
void rt_sc_fmt_exit_text(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status);
void rt_sc_fmt_exit_json(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status);

/* A signal delivery (RT_EV_SIGNAL), strace's
 * "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---". */
int rt_sc_fmt_signal_text(struct rt_sc_fmt *f, struct strbuf *out,
			  const struct rt_signal_event *sig, size_t len);
/* ... and as JSON: time, ts_ns, pid, tid, "signal":"SIGCHLD", the siginfo
 * text in "siginfo", and its fields. */
int rt_sc_fmt_signal_json(struct rt_sc_fmt *f, struct strbuf *out,
			  const struct rt_signal_event *sig, size_t len);

/* Building blocks, exported for the unit tests. */
/* strace's string quoting of @len bytes (quotes included); @ellipsis adds
 * "..." after the closing quote. */
void rt_sc_quote(struct strbuf *out, const unsigned char *s, size_t len, bool ellipsis);
/* Flags @val as strace's printflags(): NAME|NAME|0x..., @dflt for 0 (NULL:
 * nothing), "0x.. /\* dflt *\/" when no name matches. */
void rt_sc_flags(struct strbuf *out, const void *table, unsigned long val, const char *dflt);
/* A sockaddr of @len bytes as strace prints it. */
void rt_sc_sockaddr(struct strbuf *out, const void *sa, size_t len);
/* The return value without decoration: "3", "-1 ENOENT (No such file or
 * directory)", "0x7f..". */
void rt_sc_retval(struct strbuf *out, __u32 nr, __s64 ret);

#endif
