/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one event loop of every subcommand: epoll over the fds a front end
 * adds (the ring buffer, pidfds, pipes), timerfds, and the one signal path
 * (SIGINT, SIGTERM, SIGHUP through a signalfd, blocked from loop__new()
 * on).  A handler returns 0 to go on, or a negative errno that
 * loop__wait() returns.
 */
#ifndef RUNTRACE_ENGINE_LOOP_H
#define RUNTRACE_ENGINE_LOOP_H

#include <signal.h>
#include <linux/types.h>

struct loop;

typedef int (*loop_fn)(void *ctx);

/* Block SIGINT/SIGTERM/SIGHUP and take them through a signalfd; ignore
 * SIGPIPE.  NULL with errno set. */
struct loop *loop__new(void);
/* Close everything (the stop signals stay blocked).  Accepts NULL. */
void loop__free(struct loop *l);

/* Call @fn(@ctx) whenever @fd is readable (or hung up).  0 or -errno. */
int loop__add(struct loop *l, int fd, loop_fn fn, void *ctx);
/* Stop watching @fd (the caller still owns it). */
void loop__del(struct loop *l, int fd);

/* A CLOCK_MONOTONIC timer: @fn after @first_ns, then every @period_ns (0:
 * once).  Returns the timer's id (>= 0, the loop owns its fd), or -errno. */
int loop__timer(struct loop *l, __u64 first_ns, __u64 period_ns, loop_fn fn, void *ctx);
/* Disarm and forget timer @id (from loop__timer); accepts -1. */
void loop__cancel(struct loop *l, int id);

/* Called once when the first stop signal arrives (after it is recorded). */
void loop__on_signal(struct loop *l, loop_fn fn, void *ctx);

/* Wait up to @timeout_ms (-1: forever) for events and run their handlers.
 * 0, or the first negative value a handler returned, or -errno. */
int loop__wait(struct loop *l, int timeout_ms);

/* The first of SIGINT/SIGTERM/SIGHUP received so far (reads pending ones
 * without waiting), or 0. */
int loop__stop_signal(struct loop *l);

/* The signal mask runtrace had before loop__new(): what children get. */
const sigset_t *loop__origmask(const struct loop *l);

#endif
