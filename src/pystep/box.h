/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The box a request's program runs in:
 *   - its own user and group (never root; a pair of ids per job slot, so a
 *     program can signal only itself and its children);
 *   - its own cgroup: memory (no swap), pids and CPU limits; cgroup v2
 *     where its controllers are available, else the v1 hierarchies;
 *   - a network namespace of its user's (no interface up: no network), IPC
 *     and UTS namespaces of its own;
 *   - its own mount namespace: everything read-only and nosuid, a fresh
 *     tmpfs on /tmp (size-limited), a /proc that shows only its own
 *     processes;
 *   - rlimits (address space, processes, open files, file size, CPU time,
 *     no core files), no new privileges, and a seccomp filter that refuses
 *     sockets, ptrace, process_vm_*, bpf, perf_event_open, namespaces,
 *     mounts, keyrings, io_uring and userfaultfd.
 * The program is /tmp/main.py: a symbolic link to the pipe on its fd 3, from
 * which the interpreter reads the source once the box is warm (started and
 * waiting); the tracer then puts the source there as a file, for
 * tracebacks.  No fd of runtrace's reaches it.
 */
#ifndef RUNTRACE_PYSTEP_BOX_H
#define RUNTRACE_PYSTEP_BOX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "engine/child.h"

#define PS_BOX_PROGRAM "/tmp/main.py"

struct ps_box_limits {
	__u64 memory;          /* bytes of memory (cgroup), no swap */
	__u64 address_space;   /* RLIMIT_AS */
	unsigned pids;         /* processes and threads (cgroup, RLIMIT_NPROC) */
	unsigned cpu_pct;      /* CPU time per period, in % of one CPU */
	__u64 tmp_size;        /* bytes of the private /tmp */
	__u64 file_size;       /* RLIMIT_FSIZE */
	unsigned nofile;       /* RLIMIT_NOFILE */
	unsigned cpu_seconds;  /* RLIMIT_CPU */
};

struct ps_boxes;

/* Find the cgroup hierarchies, make runtrace-pystep-PID parents, build the
 * seccomp filter.  NULL with errno and the reason in @err. */
struct ps_boxes *ps_boxes__new(const struct ps_box_limits *lim, char *err, size_t errlen);
/* Remove the parents (every box must be destroyed). */
void ps_boxes__free(struct ps_boxes *b);
/* "cgroup v2" or "cgroup v1 (memory, pids, cpu)". */
const char *ps_boxes__cgroups(const struct ps_boxes *b);

struct ps_box {
	struct ps_boxes *owner;
	uid_t uid;
	int ncg;
	char cgpath[3][PATH_MAX];
	unsigned long long oom_base; /* oom_kill count of its memory cgroup at its start */
	int netns_fd;                /* its user's network namespace (the boxes' own) */
	struct child child;
	int in_w;       /* the program's stdin (we write the input) */
	int out_r;      /* its stdout */
	int err_r;      /* its stderr */
	int src_w;      /* its fd 3, /tmp/main.py (we write the source) */
	int child_fds[4];
	char *env[8];
	char *argv[12];
};

/* Start @python in a new box as @uid (one box of a user at a time: its
 * cgroups and network namespace are the user's, kept from box to box):
 * fork it blocked, put it in its cgroups, call @ready(@ctx, pid) (to
 * register it), release it.  It then starts the interpreter, which waits
 * for its source.  0 or -errno (the reason printed). */
int ps_box__start(struct ps_boxes *b, struct ps_box *box, uid_t uid, const char *python,
		  int (*ready)(void *ctx, pid_t pid), void *ctx);
/* SIGKILL every process in the box. */
void ps_box__kill(struct ps_box *box);
/* Whether the memory limit killed a process of the box. */
bool ps_box__oom(const struct ps_box *box);
/* Whether the box uses its whole memory now (within PS_BOX_FULL_SLACK of
 * the limit): a program that reclaims at its limit (page cache evicted
 * and read again, no swap) can run out of time before the OOM killer
 * comes; asked before the box is killed at a time-out. */
#define PS_BOX_FULL_SLACK (4ull << 20)
bool ps_box__memory_full(const struct ps_box *box);
/* Kill what is left, reap the interpreter, close the fds.  Accepts a box
 * never started (owner NULL). */
void ps_box__destroy(struct ps_box *box);

#endif
