/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one formatting layer of --call-trace: a syscall record in, strace's
 * text (`-f -tt -T` style) or a JSON object out.  Pure: plain data in,
 * strings out, no I/O, so unit tests need no kernel.
 */
#ifndef RUNTRACE_SYSCALL_FMT_H
#define RUNTRACE_SYSCALL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"
#include "util/strbuf.h"

struct rt_sc_fmt {
	unsigned strsize;          /* -s: data bytes and string chars shown */
	__s64 realtime_offset_ns;  /* added to a record's ts for wall clock */
	bool utc;                  /* timestamps in UTC instead of local time */
	/* internal: cache of the last second formatted */
	__s64 last_sec;
	char hms[16];
	struct strbuf scratch;
};

void rt_sc_fmt_init(struct rt_sc_fmt *f, unsigned strsize, __s64 realtime_offset_ns);
void rt_sc_fmt_free(struct rt_sc_fmt *f);

/*
 * Append the text line (newline included) of syscall record @ev of @len
 * bytes to @out.  Returns 0, or -EINVAL if the record is malformed
 * (nothing appended).
 */
int rt_sc_fmt_text(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len);

/* The same as one JSON object and a newline (a syscalls.jsonl line). */
int rt_sc_fmt_json(struct rt_sc_fmt *f, struct strbuf *out,
		   const struct rt_syscall_event *ev, size_t len);

/* A process exit line, strace's "+++ exited with 1 +++" / "+++ killed by
 * SIGKILL +++", for wait status @status of process @pid at @ts. */
void rt_sc_fmt_exit_text(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status);
void rt_sc_fmt_exit_json(struct rt_sc_fmt *f, struct strbuf *out, __u64 ts,
			 __u32 pid, int status);

/* Building blocks, exported for the unit tests. */
/* strace's string quoting of @len bytes (quotes included); @ellipsis adds
 * "..." after the closing quote. */
void rt_sc_quote(struct strbuf *out, const unsigned char *s, size_t len, bool ellipsis);
/* Flags @val as NAME|NAME|0x..., with @zero printed for 0. */
void rt_sc_flags(struct strbuf *out, const void *table, unsigned long val, const char *zero);
/* A sockaddr of @len bytes as strace prints it. */
void rt_sc_sockaddr(struct strbuf *out, const void *sa, size_t len);
/* The return value: "3", "-1 ENOENT (No such file or directory)", "0x7f..". */
void rt_sc_retval(struct strbuf *out, __u32 nr, __s64 ret);

#endif
