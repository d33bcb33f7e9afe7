/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The file-access model behind `runtrace deps`: fed the records runtrace
 * already produces (joined syscalls, struct rt_syscall_event; process
 * records, struct rt_proc_event), it keeps for every process of the
 * command its working directory and descriptor table, resolves every path
 * a syscall used as the kernel did, and remembers per path what the
 * command did to it.  Pure: memory in, memory out, no file system access
 * (what the paths hold at the end is the view's business, files/view.h).
 *
 * Feeding:
 *   1. rt_files__new(cwd): cwd is what a process nobody introduced starts in.
 *   2. rt_files__add_process() for the command's first process (the child
 *      runtrace forked, registered before it execs), with its cwd, and
 *      rt_files__add_fd() for descriptors it starts with that name a path
 *      (none for `deps -- CMD`: fds 0-2 are runtrace's own; redirections
 *      are not part of the command).
 *   3. Every RT_EV_SYSCALL and RT_EV_PROC record of the command, in the
 *      order their effects happened: a syscall at its exit (hdr.ts +
 *      duration_ns; an unfinished one at hdr.ts), a process record at
 *      hdr.ts.  The kernel's batches do not arrive in that order (a FORK
 *      record overtakes its parent's earlier syscalls still in a per-CPU
 *      batch): struct rt_files_queue below puts them in order.
 *   4. Read the nodes (rt_files__node) or build a view (files/view.h).
 *
 * Which syscalls it reads, and what each needs captured: rt_files_syscalls()
 * and the table in model.c.
 */
#ifndef RUNTRACE_FILES_MODEL_H
#define RUNTRACE_FILES_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/events.h"
#include "runtrace/syscall.h"

/* What the command did to a path: flags of struct rt_files_node. */
enum {
	RT_FN_READ = 1u << 0,     /* opened for reading (O_RDONLY/O_RDWR) or mmapped */
	RT_FN_EXEC = 1u << 1,     /* executed (execve/execveat target) */
	RT_FN_ORIG = 1u << 2,     /* read or executed while it held what it held before
				   * the run: an input if it is a file */
	RT_FN_PYC = 1u << 3,      /* its CPython cache __pycache__/NAME.*.pyc was read
				   * while it was unchanged: CPython checked this source
				   * (stat) and ran its compiled form */
	RT_FN_OPEN_W = 1u << 4,   /* opened for writing: written if its mtime moved */
	RT_FN_MODIFIED = 1u << 5, /* content replaced for sure: created, O_TRUNC,
				   * truncate, renamed onto, linked */
	RT_FN_CREATED = 1u << 6,  /* the command created it where nothing was */
	RT_FN_REMOVED = 1u << 7,  /* unlinked, rmdir'd or renamed away at least once */
	RT_FN_DIR = 1u << 8,      /* seen to be a directory */
	RT_FN_MKDIR = 1u << 9,    /* a directory the command made (mkdir, or renamed
				   * from one it made) */
	RT_FN_CHANGED = 1u << 10, /* the command changed it: what is seen after says
				   * nothing about the state before the run */
	RT_FN_EXISTED = 1u << 11, /* seen existing before the command changed it */
	RT_FN_ABSENT = 1u << 12,  /* seen absent before the command changed it */
};

/* One path, with what the command did to it. */
struct rt_files_node {
	char *path;          /* absolute, normalised lexically (files/path.h) */
	unsigned flags;      /* RT_FN_* */
	int now;             /* what the model last saw: 1 present, 0 absent, -1 unknown */
	__u32 *pids;         /* processes (tgid) whose successful syscalls used it, sorted */
	size_t npids, cap_pids;
	size_t *renamed_to;  /* node indices it was renamed to, in order */
	size_t nrenamed_to, cap_renamed_to;
	size_t *renamed_from; /* node indices renamed onto it, in order */
	size_t nrenamed_from, cap_renamed_from;
};

/* What the model could not follow. */
struct rt_files_stats {
	__u64 syscalls;      /* syscall records fed */
	__u64 procs;         /* process records fed */
	__u64 unresolved;    /* paths it could not resolve: blob missing or cut at
			      * RT_SC_PATH_MAX, dirfd or cwd unknown */
	__u64 malformed;     /* records whose blobs overrun them (ignored) */
	__u64 unfinished;    /* syscalls it reads that never returned (ignored) */
	__u64 unknown_pids;  /* processes first seen without a FORK or add_process:
			      * started in the default cwd with no descriptors */
	__u64 unknown_flags; /* openat2 without its struct open_how captured: taken
			      * as read and maybe written */
};

struct rt_files;

/* A model whose unknown processes start in @cwd (absolute).  NULL with
 * errno on failure. */
struct rt_files *rt_files__new(const char *cwd);
void rt_files__free(struct rt_files *m);

/* Process @pid starts in @cwd (absolute) with no descriptors; it replaces
 * whatever the model had for @pid.  0 or -errno. */
int rt_files__add_process(struct rt_files *m, __u32 pid, const char *cwd);
/* Process @pid has descriptor @fd open on @path (absolute; NULL: not a
 * file the model follows: a pipe, a socket, a terminal), with open(2)
 * @oflags (O_ACCMODE, O_CLOEXEC).  0 or -errno. */
int rt_files__add_fd(struct rt_files *m, __u32 pid, int fd, const char *path, int oflags);

/* Feed one joined syscall record of @len bytes.  0 (also for records the
 * model does not use or cannot follow: counted in the stats), or -ENOMEM. */
int rt_files__syscall(struct rt_files *m, const struct rt_syscall_event *ev, size_t len);
/* Feed one process record.  0 or -ENOMEM. */
int rt_files__proc(struct rt_files *m, const struct rt_proc_event *ev);

size_t rt_files__count(const struct rt_files *m);
const struct rt_files_node *rt_files__node(const struct rt_files *m, size_t i);
/* The node of @abspath (absolute, normalised), or NULL. */
const struct rt_files_node *rt_files__find(const struct rt_files *m, const char *abspath);
const struct rt_files_stats *rt_files__stats(const struct rt_files *m);

/*
 * The syscalls the model reads, as a bitmap of numbers (the in-kernel
 * filter of `deps`).  @optional adds those it uses when present but does
 * not need (descriptor creators that name no file, mmap, clone).
 */
void rt_files_syscalls(__u64 bitmap[RT_SC_NR_MAX / 64], bool optional);

/*
 * Records put back in the order of their effects.  Push every RT_EV_SYSCALL
 * and RT_EV_PROC record as it arrives (it is copied); drain feeds the model
 * those whose effect time is <= @until (all with UINT64_MAX), in effect
 * time order, ties in arrival order.  A record is safe to drain once every
 * CPU's batch that could hold an earlier one was flushed: at the end of
 * the command, drain everything.
 */
struct rt_files_queue;

struct rt_files_queue *rt_files_queue__new(void);
void rt_files_queue__free(struct rt_files_queue *q);
/* 0, -EINVAL for a record that is neither or is malformed, or -ENOMEM. */
int rt_files_queue__push(struct rt_files_queue *q, const struct rt_hdr *h, size_t len);
/* 0 or what feeding returned (-ENOMEM). */
int rt_files_queue__drain(struct rt_files_queue *q, struct rt_files *m, __u64 until);
/* Records waiting. */
size_t rt_files_queue__len(const struct rt_files_queue *q);

#endif
