/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Joining the two halves the kernel emits for each syscall
 * (RT_EV_SYSCALL_ENTER, RT_EV_SYSCALL_EXIT) into one struct
 * rt_syscall_event.  Halves of one thread arrive in the order they
 * happened (bpf/syscalls.bpf.c flushes a CPU's batch when it switches
 * tasks); different threads' halves interleave freely.  Pure: memory only.
 */
#ifndef RUNTRACE_SYSCALL_JOIN_H
#define RUNTRACE_SYSCALL_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"

struct ct_join_slot;

struct ct_join {
	struct ct_join_slot *slots; /* by tid, open addressing */
	size_t cap, used;
	bool failed_only;           /* -Z: successful syscalls are not emitted */
	bool resumed;               /* emit exit halves with no entry (RT_SC_F_RESUMED) */
	int nr_fork[4];             /* clone, clone3, fork, vfork: a child's first return */
	__u32 nr_execve, nr_execveat;
	unsigned char *out;         /* the joined record being handed out */
	size_t out_cap;
	__u64 orphans;   /* exit halves with no entry: a fork child's first return, ... */
	__u64 unmatched; /* entries whose exit never came though the thread went on */
};

/* Receives each joined (or unfinished) syscall; non-zero stops and is
 * returned. */
typedef int (*ct_join_emit_fn)(void *ctx, const struct rt_syscall_event *ev, size_t len);

void ct_join_init(struct ct_join *j, bool failed_only, __u32 nr_execve, __u32 nr_execveat);

/* Also hand out exit halves whose entry came before tracing began, as
 * records flagged RT_SC_F_RESUMED with no arguments (trace -p shows them as
 * strace's `<... name resumed>`); a forked child's first return is still
 * dropped. */
void ct_join_emit_resumed(struct ct_join *j);

/* Feed one half of @len bytes.  A completed syscall goes to @emit.  Returns
 * 0, what @emit returned, -EINVAL for a malformed half (ignored) or
 * -ENOMEM. */
int ct_join_half(struct ct_join *j, const struct rt_hdr *h, size_t len, ct_join_emit_fn emit,
		 void *ctx);

/* Thread @tid exited: its entry still waiting (exit, a syscall it was
 * killed in) goes to @emit as unfinished, and its slot is freed. */
int ct_join_thread_exit(struct ct_join *j, __u32 tid, ct_join_emit_fn emit, void *ctx);

/* The entry thread @tid waits with, as an unfinished record built in *@buf
 * (capacity *@cap, grown as needed; not j->out, so it may be called while
 * a record handed to emit is in use), its length in *@len; the entry stays
 * waiting.  0, -ENOENT if none waits, -EINVAL, -ENOMEM. */
int ct_join_waiting(struct ct_join *j, __u32 tid, unsigned char **buf, size_t *cap,
		    size_t *len);
/* Drop the entry thread @tid waits with, without emitting it. */
void ct_join_forget(struct ct_join *j, __u32 tid);

/* The run ended: every entry still waiting (exit_group, a thread killed in
 * a syscall) goes to @emit as unfinished, then all is forgotten. */
int ct_join_finish(struct ct_join *j, ct_join_emit_fn emit, void *ctx);

void ct_join_free(struct ct_join *j);

#endif
