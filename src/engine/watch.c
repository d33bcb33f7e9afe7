// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/child.h"
#include "engine/loop.h"
#include "engine/session.h"
#include "engine/watch.h"
#include "util/util.h"

#define WATCH_RUN 1                    /* the one scope's run id */
#define DRAIN_NS 50000000ull           /* drain the ring at least this often */
#define TICK_NS 100000000ull           /* the sinks' ticks (drops, feeding models) */
#define CHECK_NS 200000000ull          /* look whether the traced processes are gone */
/* At detach, what the kernel still holds in per-CPU batches must be out:
 * a task's exit flushes its batch, so when every process has exited only a
 * flush being written on another CPU is left; an attached target still
 * running is flushed by the 25 ms timers. */
#define SETTLE_ENDED_US 10000
#define SETTLE_RUNNING_US 60000

struct watch {
	struct watch_opts opts;
	struct loop *loop;
	struct sink *sinks;            /* the scope tracker, then the caller's */
	int nsinks;
	struct session *ses;
	struct rt_run run;
	struct child child;
	bool begun;
	bool stop;
	int stop_signal;
};

static struct scope_tracker *tracker(const struct watch *w)
{
	return scope_sink_tracker(&w->sinks[0]);
}

static int on_ring(void *ctx)
{
	struct watch *w = ctx;

	return session__consume(w->ses);
}

static int on_tick(void *ctx)
{
	struct watch *w = ctx;
	int i;

	/* what is in the ring first: sinks act on what is complete */
	session__consume(w->ses);
	session__update_drops(w->ses, &w->run);
	for (i = 0; i < w->nsinks; i++)
		if (w->sinks[i].ops->tick)
			w->sinks[i].ops->tick(w->sinks[i].self, &w->run, now_ns(CLOCK_MONOTONIC));
	return 0;
}

static int on_child(void *ctx)
{
	struct watch *w = ctx;

	/* the command exited: reap it; the watch goes on while its children
	 * live (their exit records may be in the ring already: read it now) */
	if (child__reap(&w->child, false) == 1) {
		loop__del(w->loop, w->child.pidfd);
		return session__consume(w->ses);
	}
	return 0;
}

void watch__signal(struct watch *w, int sig)
{
	child__kill(&w->child, sig);
	scope_tracker_kill(tracker(w), sig);
}

static int on_signal(void *ctx)
{
	struct watch *w = ctx;

	w->stop_signal = loop__stop_signal(w->loop);
	if (!w->opts.argv) {
		rt_dbg("%s: signal %d: detaching", w->opts.what, w->stop_signal);
		w->stop = true; /* attached: detach, the targets run on */
		return 0;
	}
	/* the command runtrace started gets the signal, then SIGKILL if it
	 * is still there after a grace period */
	rt_dbg("%s: signal %d: ending the command", w->opts.what, w->stop_signal);
	watch__signal(w, w->stop_signal);
	child__grace(&w->child);
	return 0;
}

/* Whether every traced process is gone (a cgroup is traced until a signal). */
static bool scope_empty(struct watch *w, bool check_alive)
{
	if (w->opts.cgroup_id)
		return false;
	if (w->child.pid > 0 && !w->child.reaped)
		return false;
	return scope_tracker_procs(tracker(w), check_alive) == 0;
}

static int on_check(void *ctx)
{
	struct watch *w = ctx;

	if (child__kill_due(&w->child))
		watch__signal(w, SIGKILL);
	if (scope_empty(w, true))
		w->stop = true;
	return 0;
}

struct watch *watch__new(const struct watch_opts *o)
{
	struct scope_opts so = { .run = WATCH_RUN, .cgroup_id = o->cgroup_id,
				 .cgroup_level = o->cgroup_level };
	struct watch *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return NULL;
	w->opts = *o;
	w->child.go = w->child.pidfd = -1;
	w->run = (struct rt_run){ .id = WATCH_RUN, .dirfd = -1, .cgroup_fd = -1 };
	w->loop = loop__new();
	w->sinks = calloc(o->nsinks + 1, sizeof(*w->sinks));
	if (!w->loop || !w->sinks) {
		err = -errno;
		rt_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}
	/* the scope tracker first: the other sinks see the processes it knows */
	err = scope_sink_new(&so, &w->sinks[0]);
	if (err)
		goto cleanup;
	memcpy(w->sinks + 1, o->sinks, o->nsinks * sizeof(*o->sinks));
	w->nsinks = o->nsinks + 1;
	/* open, configure, load, attach */
	w->ses = session__new(w->sinks, w->nsinks, -1);
	if (!w->ses) {
		err = -errno;
		goto cleanup;
	}
	w->run.realtime_offset_ns = (__s64)now_ns(CLOCK_REALTIME) - (__s64)now_ns(CLOCK_MONOTONIC);
	if ((err = loop__add(w->loop, session__fd(w->ses), on_ring, w)) ||
	    (err = loop__timer(w->loop, DRAIN_NS, DRAIN_NS, on_ring, w)) < 0 ||
	    (err = loop__timer(w->loop, TICK_NS, TICK_NS, on_tick, w)) < 0 ||
	    (err = loop__timer(w->loop, CHECK_NS, CHECK_NS, on_check, w)) < 0) {
		rt_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}
	loop__on_signal(w->loop, on_signal, w);
	return w;

cleanup:
	watch__free(w);
	errno = err < 0 ? -err : EINVAL;
	return NULL;
}

/* The scope: processes by pid, or the command forked blocked, released
 * once it is in. */
static int begin(struct watch *w)
{
	const struct watch_opts *o = &w->opts;
	struct child_opts co = { .argv = o->argv, .fds = { -1, -1, -1 },
				 .sigmask = loop__origmask(w->loop) };
	int err = 0, i;

	if (session__begin_run(w->ses, &w->run))
		return -ENOMEM;
	w->begun = true;
	w->run.start_ns = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < o->npids; i++) {
		err = session__register(w->ses, o->pids[i], WATCH_RUN);
		if (!err)
			err = scope_tracker_add(tracker(w), o->pids[i],
						scope_count_threads(o->pids[i]));
		if (err) {
			rt_err("cannot attach to %d: %s", o->pids[i], strerror(-err));
			return err;
		}
	}
	if (!o->argv)
		return 0;
	err = child__fork(&w->child, &co);
	if (err)
		return err;
	w->run.pid = w->child.pid;
	err = session__register(w->ses, w->child.pid, WATCH_RUN);
	if (!err)
		err = scope_tracker_add(tracker(w), w->child.pid, 1);
	if (!err)
		err = loop__add(w->loop, w->child.pidfd, on_child, w);
	if (!err && o->started)
		err = o->started(o->ctx, w->child.pid);
	w->run.start_ns = now_ns(CLOCK_MONOTONIC);
	if (err)
		rt_err("cannot start the command: %s", strerror(-err));
	if (err || (err = child__release(&w->child))) { /* release prints its reason */
		child__abort(&w->child);
		return err;
	}
	return 0;
}

/* Detach: no more records for the scope, every CPU's batch out, what is
 * left dispatched, the sinks finished (in-flight syscalls unfinished). */
static int detach(struct watch *w)
{
	int i, err = 0, e;

	session__forget(w->ses, WATCH_RUN);
	usleep(scope_empty(w, false) ? SETTLE_ENDED_US : SETTLE_RUNNING_US);
	session__consume(w->ses);
	session__update_drops(w->ses, &w->run);
	for (i = 0; i < w->nsinks; i++) {
		if (!w->sinks[i].ops->run_end)
			continue;
		e = w->sinks[i].ops->run_end(w->sinks[i].self, &w->run);
		if (e && !err)
			err = e;
	}
	session__end_run(w->ses, &w->run);
	w->begun = false;
	return err;
}

int watch__run(struct watch *w)
{
	int err, derr;

	err = begin(w);
	if (err)
		goto out;
	rt_dbg("%s: tracing", w->opts.what);
	/* the event loop */
	while (!w->stop) {
		err = loop__wait(w->loop, -1);
		if (err) {
			rt_err("event loop: %s", strerror(-err));
			break;
		}
		if (w->opts.after_wait && (err = w->opts.after_wait(w->opts.ctx)) < 0)
			break;
		if (scope_empty(w, false))
			w->stop = true;
	}
out:
	/* a broken watch ends the command; a reader of the output that went
	 * away gives it SIGPIPE, as writing to a closed pipe would */
	if (err && w->opts.argv)
		watch__signal(w, err == -EPIPE ? SIGPIPE : SIGKILL);
	if (w->begun) {
		derr = detach(w);
		if (!err)
			err = derr;
	}
	if (w->child.pid > 0 && !w->child.reaped && !err)
		child__reap(&w->child, true);
	return err;
}

bool watch__child_status(const struct watch *w, int *status)
{
	if (w->child.pid <= 0 || !w->child.reaped)
		return false;
	*status = w->child.status;
	return true;
}

int watch__stop_signal(const struct watch *w)
{
	return w->stop_signal;
}

size_t watch__tasks_at(const struct watch *w, __u64 ts)
{
	return scope_tracker_tasks_at(tracker(w), ts);
}

void watch__free(struct watch *w)
{
	if (!w)
		return;
	if (w->begun) {
		session__forget(w->ses, WATCH_RUN);
		session__end_run(w->ses, &w->run);
	}
	if (w->child.pid > 0 && !w->child.reaped) {
		watch__signal(w, SIGKILL);
		child__reap(&w->child, true);
	}
	child__close(&w->child);
	session__free(w->ses);
	/* the scope tracker is the watch's; the caller frees its own sinks */
	if (w->nsinks)
		w->sinks[0].ops->free(w->sinks[0].self);
	free(w->sinks);
	loop__free(w->loop);
	free(w);
}

bool watch_command_resolve(const char *file, char *path, size_t len)
{
	if (!strchr(file, '/')) {
		if (child_resolve(file, path, len))
			return true;
		rt_err("cannot execute '%s': not found in PATH", file);
		return false;
	}
	snprintf(path, len, "%s", file);
	if (access(file, X_OK)) {
		rt_err("cannot execute '%s': %s", file, strerror(errno));
		return false;
	}
	return true;
}

bool watch_command_exists(const char *file)
{
	char path[PATH_MAX];

	return watch_command_resolve(file, path, sizeof(path));
}
