// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "engine/scope.h"
#include "runtrace.skel.h"
#include "runtrace/syscall.h"
#include "util/util.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define CGROUP2_SUPER_MAGIC 0x63677270

int scope_parse_stat(const char *text, unsigned long *flags, char *state)
{
	const char *p = strrchr(text, ')'); /* comm may hold spaces and ')' */
	unsigned long f;
	char st;
	int n;

	/* after comm: state ppid pgrp session tty_nr tpgid flags */
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu%n", &st, &f, &n) != 2)
		return -EINVAL;
	*flags = f;
	*state = st;
	return 0;
}

int scope_parse_tgid(const char *text, pid_t *tgid)
{
	const char *p = strstr(text, "\nTgid:");
	long v;

	if (!p || sscanf(p + 6, "%ld", &v) != 1 || v <= 0)
		return -EINVAL;
	*tgid = v;
	return 0;
}

int scope_check_pid(pid_t pid, pid_t *tgid, char *why, size_t len)
{
	char path[64], *text;
	unsigned long flags;
	char state;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	text = read_file_at(AT_FDCWD, path, 4096, NULL);
	if (!text) {
		snprintf(why, len, "no process %d", pid);
		return -ESRCH;
	}
	err = scope_parse_stat(text, &flags, &state);
	free(text);
	if (err || state == 'Z' || state == 'X') {
		snprintf(why, len, "no process %d (it has exited)", pid);
		return -ESRCH;
	}
	if (flags & PF_KTHREAD) {
		snprintf(why, len, "process %d is a kernel thread: it makes no syscalls to trace", pid);
		return -EPERM;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = read_file_at(AT_FDCWD, path, 1 << 16, NULL);
	if (!text || scope_parse_tgid(text, tgid)) {
		free(text);
		snprintf(why, len, "no process %d", pid);
		return -ESRCH;
	}
	free(text);
	if (*tgid == getpid()) {
		snprintf(why, len, "process %d is runtrace itself", pid);
		return -EINVAL;
	}
	return 0;
}

int scope_count_threads(pid_t tgid)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int scope_cgroup(const char *path, const char *mnt, __u64 *id, __u32 *level,
		 char *why, size_t len)
{
	char real[PATH_MAX], rmnt[PATH_MAX];
	struct statfs fs;
	struct stat sb;
	const char *p;
	__u32 depth = 0;

	if (!mnt || !*mnt) {
		snprintf(why, len, "no cgroup v2 hierarchy is mounted");
		return -ENOENT;
	}
	if (!realpath(path, real) || stat(real, &sb)) {
		snprintf(why, len, "cannot use cgroup %s: %s", path, strerror(errno));
		return -ENOENT;
	}
	if (!S_ISDIR(sb.st_mode) || statfs(real, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(why, len, "%s is not a cgroup v2 directory (the cgroup2 mount is %s)",
			 path, mnt);
		return -ENOTDIR;
	}
	if (!realpath(mnt, rmnt) || strncmp(real, rmnt, strlen(rmnt)) ||
	    (real[strlen(rmnt)] != '/' && real[strlen(rmnt)] != 0)) {
		snprintf(why, len, "%s is not below the cgroup2 mount %s", path, mnt);
		return -ENOTDIR;
	}
	for (p = real + strlen(rmnt); *p; p++)
		if (*p == '/' && p[1])
			depth++;
	*id = sb.st_ino;
	*level = depth;
	return 0;
}

/* ---- the tracker ---------------------------------------------------- */

struct scope_proc {
	pid_t tgid;
	int threads;
};

#define TASK_HISTORY 256 /* changes of the task count kept, with their time */

struct scope_tracker {
	struct scope_opts opts;
	struct scope_proc *p;
	size_t n, cap;
	size_t tasks;
	/* recent changes of the task count and when they happened (hdr.ts):
	 * the records of a moment may arrive before or after the change */
	struct { __u64 ts; size_t before, after; } hist[TASK_HISTORY];
	unsigned nhist;
};

static void note_tasks(struct scope_tracker *t, __u64 ts, size_t before)
{
	unsigned k = t->nhist++ % TASK_HISTORY;

	t->hist[k].ts = ts;
	t->hist[k].before = before;
	t->hist[k].after = t->tasks;
}

size_t scope_tracker_tasks_at(const struct scope_tracker *t, __u64 ts)
{
	unsigned n = t->nhist < TASK_HISTORY ? t->nhist : TASK_HISTORY, i, k = 0;

	if (!n)
		return t->tasks;
	for (i = 0; i < n; i++) {
		k = (t->nhist - 1 - i) % TASK_HISTORY;
		if (t->hist[k].ts <= ts)
			return t->hist[k].after;
	}
	return t->hist[k].before; /* older than every change kept */
}

static struct scope_proc *find_proc(struct scope_tracker *t, pid_t tgid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].tgid == tgid)
			return &t->p[i];
	return NULL;
}

int scope_tracker_add(struct scope_tracker *t, pid_t tgid, int threads)
{
	struct scope_proc *p = find_proc(t, tgid);
	int err;

	if (p)
		return 0;
	err = array_grow(&t->p, &t->cap, t->n, sizeof(*t->p), 16, 1 << 24);
	if (err)
		return err;
	t->p[t->n++] = (struct scope_proc){ .tgid = tgid, .threads = threads > 0 ? threads : 1 };
	t->tasks += threads > 0 ? threads : 1;
	return 0;
}

static void drop_proc(struct scope_tracker *t, struct scope_proc *p)
{
	t->tasks -= t->tasks >= (size_t)p->threads ? (size_t)p->threads : t->tasks;
	*p = t->p[--t->n];
}

/* Whether process @pid runs (a zombie has exited: it waits for its parent
 * only). */
static bool process_alive(pid_t pid)
{
	char path[64], *text;
	unsigned long flags;
	char state = 'Z';

	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	text = read_file_at(AT_FDCWD, path, 4096, NULL);
	if (!text)
		return false;
	if (scope_parse_stat(text, &flags, &state))
		state = 'Z';
	free(text);
	return state != 'Z' && state != 'X';
}

size_t scope_tracker_procs(struct scope_tracker *t, bool check_alive)
{
	size_t i;

	for (i = 0; check_alive && i < t->n;) {
		if (!process_alive(t->p[i].tgid))
			drop_proc(t, &t->p[i]);
		else
			i++;
	}
	return t->n;
}

size_t scope_tracker_tasks(const struct scope_tracker *t)
{
	return t->tasks;
}

void scope_tracker_kill(const struct scope_tracker *t, int sig)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		kill(t->p[i].tgid, sig);
}

static int tr_configure(void *self, struct runtrace_bpf *skel)
{
	struct scope_tracker *t = self;

	if (!t->opts.cgroup_id)
		return 0;
	/* configure: the cgroup scope, and its cache invalidation */
	skel->rodata->cfg_scope_cgid = t->opts.cgroup_id;
	skel->rodata->cfg_scope_cglevel = t->opts.cgroup_level;
	skel->rodata->cfg_scope_cgrun = t->opts.run;
	bpf_program__set_autoload(skel->progs.rt_cgroup_attach, true);
	return 0;
}

static int tr_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct scope_tracker *t = self;
	struct scope_proc *p;

	size_t before = t->tasks;

	if (h->type == RT_EV_PROC && len >= sizeof(struct rt_proc_event)) {
		const struct rt_proc_event *e = (const void *)h;

		if (e->kind == RT_PROC_FORK) {
			if (e->is_thread) {
				p = find_proc(t, e->child_pid);
				if (p)
					p->threads++;
				t->tasks++;
			} else {
				scope_tracker_add(t, e->child_pid, 1);
			}
		} else if (e->kind == RT_PROC_EXIT && (p = find_proc(t, h->pid))) {
			drop_proc(t, p);
		}
	} else if (h->type == RT_EV_THREAD_EXIT && len >= sizeof(struct rt_thread_exit)) {
		const struct rt_thread_exit *e = (const void *)h;

		p = find_proc(t, h->pid);
		if (p && !e->last && p->threads > 1) {
			p->threads--;
			if (t->tasks)
				t->tasks--;
		}
	}
	if (t->tasks != before)
		note_tasks(t, h->ts, before);
	return 0;
}

static void tr_free(void *self)
{
	struct scope_tracker *t = self;

	if (!t)
		return;
	free(t->p);
	free(t);
}

static const struct sink_ops scope_ops = {
	.name = "scope",
	.configure = tr_configure,
	.event = tr_event,
	.free = tr_free,
};

int scope_sink_new(const struct scope_opts *o, struct sink *out)
{
	struct scope_tracker *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->opts = *o;
	*out = (struct sink){ .ops = &scope_ops, .self = t,
			      .types = (1u << RT_EV_PROC) | (1u << RT_EV_THREAD_EXIT) };
	return 0;
}

struct scope_tracker *scope_sink_tracker(struct sink *k)
{
	return k->self;
}
