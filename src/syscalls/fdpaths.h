/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * -y: what each descriptor of a traced process names, as strace -y shows it
 * ("/etc/passwd", "socket:[1234]", "pipe:[567]").  strace reads
 * /proc/PID/fd/N when it decodes a syscall's entry; runtrace formats a
 * syscall after it returned, when a descriptor it closed is gone, so it
 * keeps what it learnt: a descriptor's target is read (the resolver) when
 * a syscall returns it and kept until it is closed, replaced or the
 * process execs; one not seen opening is read when first shown.
 * The table logic is pure; the resolver (readlink of /proc/PID/fd/N by
 * default) is a parameter, so unit tests need no process.
 */
#ifndef RUNTRACE_SYSCALLS_FDPATHS_H
#define RUNTRACE_SYSCALLS_FDPATHS_H

#include <stddef.h>
#include <linux/types.h>

#include "runtrace/syscall.h"

/* What descriptor @fd of process @pid names, into @buf; NULL if unknown. */
typedef const char *(*fdpaths_resolve_fn)(void *ctx, __u32 pid, int fd, char *buf, size_t len);

struct fdpaths;

/* @resolve NULL: readlink("/proc/PID/fd/N"). */
struct fdpaths *fdpaths__new(fdpaths_resolve_fn resolve, void *ctx);
void fdpaths__free(struct fdpaths *p);

/* The path of @fd in process @pid (thread group id), or NULL. */
const char *fdpaths__get(struct fdpaths *p, __u32 pid, int fd);

/* A syscall completed: learn the descriptors it made (before its line is
 * formatted, so `= 3</path>` can be shown) ... */
void fdpaths__before(struct fdpaths *p, const struct rt_syscall_event *ev, size_t len);
/* ... and forget those it closed (after its line, which shows them). */
void fdpaths__after(struct fdpaths *p, const struct rt_syscall_event *ev, size_t len);

/* Process @child was forked from @parent (a copy of its table); process
 * @pid is gone. */
void fdpaths__fork(struct fdpaths *p, __u32 parent, __u32 child);
void fdpaths__exit(struct fdpaths *p, __u32 pid);

/* rt_sc_fd_path_fn of src/syscalls/fmt.h over an fdpaths. */
const char *fdpaths_fmt_cb(void *ctx, __u32 pid, int fd);

#endif
