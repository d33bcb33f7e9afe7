/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A watch: one scope traced live on one BPF session and the one event loop,
 * for the subcommands that watch rather than run many times (trace, deps):
 * a command runtrace starts (forked blocked, in the scope before it runs,
 * its stdio passed through), running processes (every thread, what they
 * fork later), or a cgroup.  It owns the ring-buffer drain, the sinks'
 * ticks, the signal path (attached targets are left alone; a command's
 * tree gets the signal, then SIGKILL a second later), the end (no traced
 * process left) and the detach (every CPU's batch out, sinks finished, no
 * link left).
 */
#ifndef RUNTRACE_ENGINE_WATCH_H
#define RUNTRACE_ENGINE_WATCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "engine/scope.h"
#include "engine/sink.h"

struct watch_opts {
	const char *what;           /* "trace", "deps": for messages */
	struct sink *sinks;         /* the caller's sinks (after the scope tracker) */
	int nsinks;
	char **argv;                /* a command to run, or NULL */
	const pid_t *pids;          /* processes to attach to (checked tgids) */
	int npids;
	__u64 cgroup_id;            /* a cgroup scope (scope_cgroup()), 0: none */
	__u32 cgroup_level;
	/* Called after the command is forked and in the scope, just before
	 * it is released (e.g. the time it starts); may be NULL.  0 or -errno. */
	int (*started)(void *ctx, pid_t child);
	/* Called after each round of the loop (e.g. write what is buffered);
	 * a negative value ends the watch and is returned by watch__run(). */
	int (*after_wait)(void *ctx);
	void *ctx;
};

struct watch;

/* The loop (the stop signals are taken from now on), the scope tracker and
 * the BPF session: opened, configured, loaded, attached.  NULL with errno
 * set (the reason printed). */
struct watch *watch__new(const struct watch_opts *o);
/* Begin the scope (attach, or fork and release the command) and run the
 * loop until no traced process is left, a stop signal (an attached target
 * is detached at once; a command's tree is ended first), or an error.
 * Then detach.  0, or -errno: the watch broke (a command's tree is
 * SIGKILLed), or what after_wait() returned. */
int watch__run(struct watch *w);
/* The command's wait status (after watch__run), and whether it ran. */
bool watch__child_status(const struct watch *w, int *status);
/* The stop signal that ended the watch, or 0. */
int watch__stop_signal(const struct watch *w);
/* Threads traced at time @ts (for strace's pid prefix). */
size_t watch__tasks_at(const struct watch *w, __u64 ts);
/* Signal every process of the scope (a command's tree) with @sig. */
void watch__signal(struct watch *w, int sig);
/* Kill what is left of a command, free everything.  Accepts NULL. */
void watch__free(struct watch *w);

/* Whether @file can be executed (found along PATH if it has no '/'); if
 * not, one line naming it. */
bool watch_command_exists(const char *file);
/* The same, with the path the command will be executed from in @path
 * (its PATH entry, or @file itself when it has a '/'). */
bool watch_command_resolve(const char *file, char *path, size_t len);

#endif
