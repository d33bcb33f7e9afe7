/* SPDX-License-Identifier: GPL-2.0-only */
/* The BPF session: opened, configured, loaded and attached once for all
 * runs; the ring buffer and its dispatch to sinks, to the run each record
 * belongs to (several runs may be in flight at once). */
#ifndef RUNTRACE_SESSION_H
#define RUNTRACE_SESSION_H

#include <sys/types.h>
#include <linux/types.h>

#include "engine/sink.h"

struct session;
struct runtrace_bpf;

/* Open, configure (sinks' configure), load, attach (sinks' attach with the
 * session cgroup @parent_cg_fd, -1 if none) and set up the ring buffer,
 * for one run in flight at a time.  NULL with errno set; the reason is
 * printed. */
struct session *session__new(struct sink *sinks, int nsinks, int parent_cg_fd);
/* The same for up to @max_runs runs in flight at once: the per-run maps
 * (drops, run_cgroups, and those sinks size like drops) hold as many. */
struct session *session__new_runs(struct sink *sinks, int nsinks, int parent_cg_fd,
				  unsigned max_runs);
/* In a sink's configure(): create the maps whose names start with @prefix
 * (feature maps are off by default). */
void session__enable_maps(struct runtrace_bpf *skel, const char *prefix);
/* In a sink's configure(): how many runs may be in flight at once (size
 * per-run maps for as many). */
unsigned session__max_runs(struct runtrace_bpf *skel);
void session__free(struct session *s);

/* The fd to poll for records (epoll-able). */
int session__fd(const struct session *s);
/* Records of @run (hdr.run == run->id) are dispatched to the sinks until
 * session__end_run(); its drop counters start from zero; with a cgroup
 * (run->cgroup_fd), the packets of its sockets are its own.  0 or -errno. */
int session__begin_run(struct session *s, struct rt_run *run);
/* Put @pid into @run's scope (before it is released to exec). */
int session__register(struct session *s, pid_t pid, unsigned run);
/* The run whose scope holds process @pid, or 0. */
unsigned session__run_of(struct session *s, pid_t pid);
/* Take every process of @run out of its scope now (detach): the kernel
 * stops recording them; what it recorded is still dispatched. */
void session__forget(struct session *s, unsigned run);
/* Dispatch what the ring buffer holds.  0 or -errno. */
int session__consume(struct session *s);
/* Set run->drops and run->lost: the records of each type of this run that
 * the kernel could not queue since the run began. */
void session__update_drops(struct session *s, struct rt_run *run);
/* Drain the ring buffer, drop @run's scope entries, stop dispatching its
 * records, and set the run's final drop counts. */
void session__end_run(struct session *s, struct rt_run *run);

#endif
