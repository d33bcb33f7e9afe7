// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syscalls/fdpaths.h"
#include "syscalls/record.h"
#include "syscalls/table.h"
#include "util/util.h"

#define FD_MAX (1 << 20) /* descriptors beyond are not kept */

struct proc_fds {
	__u32 pid;     /* 0: a free slot */
	char **path;   /* by descriptor */
	size_t cap;
};

/* Syscalls by what they do to descriptors. */
enum fdop { OP_NONE, OP_NEW, OP_NEW_PAIR, OP_DUP_TO, OP_DUPFD, OP_CLOSE, OP_CLOSE_RANGE,
	    OP_EXEC };

struct fdpaths {
	fdpaths_resolve_fn resolve;
	void *ctx;
	struct proc_fds *procs; /* open addressing by pid */
	size_t cap, used;
	unsigned char op[RT_SC_NR_MAX];
	__u32 nr_socketpair;
	char buf[PATH_MAX];
};

static const char *const new_fd[] = {
	"open", "openat", "openat2", "creat", "socket", "accept", "accept4", "dup",
	"epoll_create", "epoll_create1", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"timerfd_create", "memfd_create", "inotify_init", "inotify_init1", "pidfd_open",
	"pidfd_getfd", "perf_event_open", "userfaultfd", "open_by_handle_at", "io_uring_setup",
	"fanotify_init", "memfd_secret", "open_tree", "fsopen", "fsmount", "fspick",
};

static const char *default_resolve(void *ctx, __u32 pid, int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static void set_op(struct fdpaths *p, const char *name, enum fdop op)
{
	int nr = rt_sc_lookup(name);

	if (nr >= 0 && nr < RT_SC_NR_MAX)
		p->op[nr] = op;
}

struct fdpaths *fdpaths__new(fdpaths_resolve_fn resolve, void *ctx)
{
	struct fdpaths *p = calloc(1, sizeof(*p));
	size_t i;

	if (!p)
		return NULL;
	p->resolve = resolve ? resolve : default_resolve;
	p->ctx = ctx;
	for (i = 0; i < ARRAY_SIZE(new_fd); i++)
		set_op(p, new_fd[i], OP_NEW);
	set_op(p, "pipe", OP_NEW_PAIR);
	set_op(p, "pipe2", OP_NEW_PAIR);
	set_op(p, "socketpair", OP_NEW_PAIR);
	p->nr_socketpair = rt_sc_lookup("socketpair");
	set_op(p, "dup2", OP_DUP_TO);
	set_op(p, "dup3", OP_DUP_TO);
	set_op(p, "fcntl", OP_DUPFD);
	set_op(p, "close", OP_CLOSE);
	set_op(p, "close_range", OP_CLOSE_RANGE);
	set_op(p, "execve", OP_EXEC);
	set_op(p, "execveat", OP_EXEC);
	return p;
}

static void clear_proc(struct proc_fds *pf)
{
	size_t i;

	for (i = 0; i < pf->cap; i++)
		free(pf->path[i]);
	free(pf->path);
	pf->path = NULL;
	pf->cap = 0;
}

void fdpaths__free(struct fdpaths *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->cap; i++)
		clear_proc(&p->procs[i]);
	free(p->procs);
	free(p);
}

static struct proc_fds *find(struct fdpaths *p, __u32 pid)
{
	size_t i;

	if (!p->cap || !pid)
		return NULL;
	for (i = pid & (p->cap - 1);; i = (i + 1) & (p->cap - 1)) {
		if (p->procs[i].pid == pid)
			return &p->procs[i];
		if (!p->procs[i].pid)
			return NULL;
	}
}

static int grow(struct fdpaths *p)
{
	size_t cap = p->cap ? p->cap * 2 : 64, i, k;
	struct proc_fds *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < p->cap; i++) {
		if (!p->procs[i].pid)
			continue;
		for (k = p->procs[i].pid & (cap - 1); n[k].pid; k = (k + 1) & (cap - 1))
			;
		n[k] = p->procs[i];
	}
	free(p->procs);
	p->procs = n;
	p->cap = cap;
	return 0;
}

static struct proc_fds *find_or_add(struct fdpaths *p, __u32 pid)
{
	struct proc_fds *pf = find(p, pid);
	size_t i;

	if (pf || !pid)
		return pf;
	if ((p->used + 1) * 2 > p->cap && grow(p))
		return NULL;
	for (i = pid & (p->cap - 1); p->procs[i].pid; i = (i + 1) & (p->cap - 1))
		;
	p->procs[i].pid = pid;
	p->used++;
	return &p->procs[i];
}

/* Set (or, with @path NULL, forget) descriptor @fd of @pf. */
static void put(struct proc_fds *pf, int fd, const char *path)
{
	if (!pf || fd < 0 || fd >= FD_MAX)
		return;
	while ((size_t)fd >= pf->cap) {
		size_t old = pf->cap;

		if (!path || array_grow(&pf->path, &pf->cap, fd, sizeof(*pf->path), 16, FD_MAX))
			return;
		/* array_grow does not clear what it adds */
		memset(pf->path + old, 0, (pf->cap - old) * sizeof(*pf->path));
	}
	free(pf->path[fd]);
	pf->path[fd] = path ? strdup(path) : NULL;
}

static const char *kept(struct proc_fds *pf, int fd)
{
	return pf && fd >= 0 && (size_t)fd < pf->cap ? pf->path[fd] : NULL;
}

const char *fdpaths__get(struct fdpaths *p, __u32 pid, int fd)
{
	struct proc_fds *pf = find(p, pid);
	const char *path = kept(pf, fd);

	if (path || fd < 0)
		return path;
	path = p->resolve(p->ctx, pid, fd, p->buf, sizeof(p->buf));
	if (path) {
		put(find_or_add(p, pid), fd, path);
		path = kept(find(p, pid), fd);
	}
	return path;
}

/* Learn @fd anew: read it now (it is most likely still open). */
static void learn(struct fdpaths *p, __u32 pid, int fd, const char *fallback)
{
	struct proc_fds *pf = find_or_add(p, pid);
	const char *path = p->resolve(p->ctx, pid, fd, p->buf, sizeof(p->buf));

	put(pf, fd, path ? path : fallback);
}

void fdpaths__before(struct fdpaths *p, const struct rt_syscall_event *ev, size_t len)
{
	__u32 pid = ev->hdr.pid;
	const struct rt_sc_blob *b;
	int fds[2];

	if (ev->nr >= RT_SC_NR_MAX || ev->ret < 0 || (ev->flags & RT_SC_F_UNFINISHED))
		return;
	switch (p->op[ev->nr]) {
	case OP_NEW:
		learn(p, pid, ev->ret, NULL);
		break;
	case OP_NEW_PAIR:
		/* pipe(fds), pipe2(fds, flags), socketpair(d, t, p, fds) */
		b = rt_sc_blob_find(ev, len, ev->nr == p->nr_socketpair ? 3 : 0, RT_BLOB_DATA);
		if (b && b->len >= sizeof(fds)) {
			memcpy(fds, rt_sc_blob_data(b), sizeof(fds));
			learn(p, pid, fds[0], NULL);
			learn(p, pid, fds[1], NULL);
		}
		break;
	case OP_DUP_TO:
		if ((int)ev->args[0] != (int)ev->args[1])
			learn(p, pid, (int)ev->args[1], kept(find(p, pid), (int)ev->args[0]));
		break;
	case OP_DUPFD:
		if ((int)ev->args[1] == F_DUPFD || (int)ev->args[1] == F_DUPFD_CLOEXEC)
			learn(p, pid, ev->ret, kept(find(p, pid), (int)ev->args[0]));
		break;
	default:
		break;
	}
}

void fdpaths__after(struct fdpaths *p, const struct rt_syscall_event *ev, size_t len)
{
	struct proc_fds *pf = find(p, ev->hdr.pid);
	unsigned long fd, last;

	if (!pf || ev->nr >= RT_SC_NR_MAX || ev->ret < 0 || (ev->flags & RT_SC_F_UNFINISHED))
		return;
	switch (p->op[ev->nr]) {
	case OP_CLOSE:
		put(pf, (int)ev->args[0], NULL);
		break;
	case OP_CLOSE_RANGE:
		/* close_range(first, last, flags): CLOSE_RANGE_CLOEXEC only marks */
		if (ev->args[2] & 4 /* CLOSE_RANGE_CLOEXEC */)
			break;
		last = ev->args[1] < pf->cap ? ev->args[1] : pf->cap - 1;
		for (fd = (unsigned)ev->args[0]; fd <= last && fd < pf->cap; fd++)
			put(pf, fd, NULL);
		break;
	case OP_EXEC:
		/* which descriptors were close-on-exec is not known: read again */
		clear_proc(pf);
		break;
	default:
		break;
	}
}

void fdpaths__fork(struct fdpaths *p, __u32 parent, __u32 child)
{
	struct proc_fds *pp = find(p, parent), *pc;
	size_t i;

	if (!pp || !pp->cap)
		return;
	pc = find_or_add(p, child);
	pp = find(p, parent); /* the table may have grown */
	if (!pc || !pp)
		return;
	for (i = 0; i < pp->cap; i++)
		if (pp->path[i])
			put(pc, i, pp->path[i]);
}

void fdpaths__exit(struct fdpaths *p, __u32 pid)
{
	struct proc_fds *pf = find(p, pid);
	size_t i, k, home;

	if (!pf)
		return;
	clear_proc(pf);
	/* remove the slot, closing the gap in its probe sequence */
	i = pf - p->procs;
	for (k = i;;) {
		k = (k + 1) & (p->cap - 1);
		if (!p->procs[k].pid)
			break;
		home = p->procs[k].pid & (p->cap - 1);
		if ((i <= k) ? (home <= i || home > k) : (home <= i && home > k)) {
			p->procs[i] = p->procs[k];
			i = k;
		}
	}
	memset(&p->procs[i], 0, sizeof(p->procs[i]));
	p->used--;
}

const char *fdpaths_fmt_cb(void *ctx, __u32 pid, int fd)
{
	return fdpaths__get(ctx, pid, fd);
}
