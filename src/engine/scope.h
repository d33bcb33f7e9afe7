/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scopes other than a run's forked child: running processes given by pid
 * (every thread, and what they fork later), and a cgroup v2 directory
 * (every task in it or below it, including ones that join later).  Also a
 * sink that keeps the live processes and threads of a scope, so a front
 * end knows when they are all gone (and how many there are, for strace's
 * `[pid N]` prefix).
 */
#ifndef RUNTRACE_ENGINE_SCOPE_H
#define RUNTRACE_ENGINE_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "engine/sink.h"

/* Pure: from the text of /proc/PID/stat, the process's flags (field 9)
 * and state.  0, or -EINVAL if it cannot be parsed. */
int scope_parse_stat(const char *text, unsigned long *flags, char *state);
/* Pure: the Tgid of /proc/PID/status text, or -EINVAL. */
int scope_parse_tgid(const char *text, pid_t *tgid);

/*
 * Check that @pid can be traced and find its process: 0 and *@tgid set;
 * -ESRCH no such process; -EPERM a kernel thread (nothing to trace);
 * -EINVAL runtrace itself.  @why gets a one-line reason.
 */
int scope_check_pid(pid_t pid, pid_t *tgid, char *why, size_t len);

/* Threads of process @tgid now (entries of /proc/TGID/task), or -errno. */
int scope_count_threads(pid_t tgid);

/*
 * A cgroup v2 directory as BPF sees it: its id (the directory's inode
 * number, what bpf_get_current_cgroup_id() returns) and its level (depth
 * below the cgroup2 mount @mnt).  0, or -errno with a reason in @why.
 */
int scope_cgroup(const char *path, const char *mnt, __u64 *id, __u32 *level,
		 char *why, size_t len);

struct scope_opts {
	__u32 run;         /* the scope's run id */
	__u64 cgroup_id;   /* a cgroup scope: its id and level; 0: none */
	__u32 cgroup_level;
};

/* The live processes and threads of a scope, from proc and thread-exit
 * records.  scope_tracker_add() seeds it with processes attached by pid. */
struct scope_tracker;

int scope_sink_new(const struct scope_opts *o, struct sink *out);
struct scope_tracker *scope_sink_tracker(struct sink *k);
/* Process @tgid with @threads threads is in the scope (attached). */
int scope_tracker_add(struct scope_tracker *t, pid_t tgid, int threads);
/* Processes alive.  With @check_alive, processes found gone or zombies
 * in /proc are dropped (their exit record may have been lost, or they
 * exited before the scope was set up). */
size_t scope_tracker_procs(struct scope_tracker *t, bool check_alive);
size_t scope_tracker_tasks(const struct scope_tracker *t);
/* Threads alive at time @ts (CLOCK_MONOTONIC ns, as record headers). */
size_t scope_tracker_tasks_at(const struct scope_tracker *t, __u64 ts);
/* Send @sig to every live process. */
void scope_tracker_kill(const struct scope_tracker *t, int sig);

#endif
