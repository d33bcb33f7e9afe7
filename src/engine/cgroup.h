/* SPDX-License-Identifier: GPL-2.0-only */
/* cgroup v2 scopes: a session directory runtrace-<pid> under the cgroup2
 * mount, and in it one directory per run. */
#ifndef RUNTRACE_CGROUP_H
#define RUNTRACE_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup_dir {
	char path[PATH_MAX];
	int fd; /* O_DIRECTORY, or -1 */
};

/* Pure: the mount point of the cgroup2 filesystem in /proc/self/mountinfo
 * text @text (the unified /sys/fs/cgroup preferred over others such as the
 * hybrid /sys/fs/cgroup/unified).  0, or -ENOENT if none is mounted. */
int cg2_mount_from_mountinfo(const char *text, char *out, size_t len);
/* The same, reading /proc/self/mountinfo. */
int cg2_find_mount(char *out, size_t len);

/* Create <mnt>/runtrace-<pid>, after removing stale runtrace-<pid> dirs of
 * dead runtrace processes.  0 or -errno. */
int cg_session_create(const char *mnt, struct cgroup_dir *out);
/* Create @parent/run-<id>.  0 or -errno. */
int cg_run_create(const struct cgroup_dir *parent, unsigned id, struct cgroup_dir *out);
/* Move @pid into @cg.  0 or -errno. */
int cg_add_pid(const struct cgroup_dir *cg, pid_t pid);
/* SIGKILL every process in @cg (cgroup.kill where the kernel has it, since
 * 5.14; else each pid of cgroup.procs until it is empty).  0 or -errno. */
int cg_kill(const struct cgroup_dir *cg);
/* True while any process is in @cg (cgroup.events "populated 1"). */
bool cg_populated(const struct cgroup_dir *cg);
/* Kill what is left, wait up to @wait_ms for it to empty, rmdir, close.
 * Accepts an unset directory (fd -1, empty path).  0 or -errno. */
int cg_remove(struct cgroup_dir *cg, int wait_ms);

#endif
