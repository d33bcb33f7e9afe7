// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file-access model: per process a working directory and a descriptor
 * table (inherited at fork: copied, or shared for threads and CLONE_FILES;
 * close-on-exec descriptors closed at exec), paths resolved against them,
 * and per path the flags of files/model.h.  Pure: memory only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/close_range.h>

#include "files/model.h"
#include "syscalls/record.h"
#include "files/path.h"
#include "syscalls/table.h"
#include "util/strbuf.h"
#include "util/util.h"

/* What a syscall does to the model. */
enum op {
	OP_NONE = 0,
	OP_OPEN,      /* open, openat, creat, openat2: a descriptor on a path */
	OP_EXEC,      /* execve, execveat */
	OP_PROBE,     /* stat, access, readlink...: whether the path exists */
	OP_CHDIR,
	OP_FCHDIR,
	OP_MKDIR,
	OP_RMDIR,
	OP_UNLINK,    /* unlink, unlinkat (AT_REMOVEDIR: rmdir) */
	OP_RENAME,    /* rename, renameat, renameat2 */
	OP_LINK,      /* link, linkat: a new name for an existing file */
	OP_MAKE,      /* symlink, symlinkat, mknod, mknodat: a new file */
	OP_TRUNCATE,
	OP_FTRUNCATE,
	OP_CLOSE,
	OP_CLOSE_RANGE,
	OP_DUP,       /* dup, dup2, dup3 */
	OP_FCNTL,     /* F_DUPFD, F_DUPFD_CLOEXEC, F_SETFD */
	OP_MMAP,
	OP_CLONE,     /* clone, clone3: CLONE_FILES/CLONE_FS sharing */
	OP_PIPE,      /* pipe, pipe2, socketpair: two new descriptors (a blob) */
	OP_NEWFD,     /* a new descriptor that names no file: the return value */
};

/*
 * The syscalls the model reads, and where their arguments are: argument
 * indices of the directory descriptor, the path (captured as a string
 * blob), the flags, and for two-path calls the second pair.  "fd" calls
 * keep their descriptor in dirfd.  creat has its flags implied; openat2
 * and clone3 read flags from a data blob of their struct (first 8 bytes).
 */
struct sc_use {
	const char *name;
	unsigned char op;
	signed char dirfd, path, flags, dirfd2, path2;
	bool optional;  /* used when present, not needed */
};

#define U(n, o, d, p, f, d2, p2, opt) { n, o, d, p, f, d2, p2, opt }
static const struct sc_use uses[] = {
	U("open", OP_OPEN, -1, 0, 1, -1, -1, false),
	U("openat", OP_OPEN, 0, 1, 2, -1, -1, false),
	U("creat", OP_OPEN, -1, 0, -1, -1, -1, false),
	U("openat2", OP_OPEN, 0, 1, 2, -1, -1, false),
	U("execve", OP_EXEC, -1, 0, -1, -1, -1, false),
	U("execveat", OP_EXEC, 0, 1, 4, -1, -1, false),
	U("stat", OP_PROBE, -1, 0, -1, -1, -1, false),
	U("lstat", OP_PROBE, -1, 0, -1, -1, -1, false),
	U("newfstatat", OP_PROBE, 0, 1, 3, -1, -1, false),
	U("statx", OP_PROBE, 0, 1, 2, -1, -1, false),
	U("access", OP_PROBE, -1, 0, -1, -1, -1, false),
	U("faccessat", OP_PROBE, 0, 1, -1, -1, -1, false),
	U("faccessat2", OP_PROBE, 0, 1, 3, -1, -1, false),
	U("readlink", OP_PROBE, -1, 0, -1, -1, -1, false),
	U("readlinkat", OP_PROBE, 0, 1, -1, -1, -1, false),
	U("chdir", OP_CHDIR, -1, 0, -1, -1, -1, false),
	U("fchdir", OP_FCHDIR, 0, -1, -1, -1, -1, false),
	U("mkdir", OP_MKDIR, -1, 0, -1, -1, -1, false),
	U("mkdirat", OP_MKDIR, 0, 1, -1, -1, -1, false),
	U("rmdir", OP_RMDIR, -1, 0, -1, -1, -1, false),
	U("unlink", OP_UNLINK, -1, 0, -1, -1, -1, false),
	U("unlinkat", OP_UNLINK, 0, 1, 2, -1, -1, false),
	U("rename", OP_RENAME, -1, 0, -1, -1, 1, false),
	U("renameat", OP_RENAME, 0, 1, -1, 2, 3, false),
	U("renameat2", OP_RENAME, 0, 1, 4, 2, 3, false),
	U("link", OP_LINK, -1, 0, -1, -1, 1, false),
	U("linkat", OP_LINK, 0, 1, 4, 2, 3, false),
	U("symlink", OP_MAKE, -1, 1, -1, -1, -1, false),
	U("symlinkat", OP_MAKE, 1, 2, -1, -1, -1, false),
	U("mknod", OP_MAKE, -1, 0, -1, -1, -1, false),
	U("mknodat", OP_MAKE, 0, 1, -1, -1, -1, false),
	U("truncate", OP_TRUNCATE, -1, 0, -1, -1, -1, false),
	U("ftruncate", OP_FTRUNCATE, 0, -1, -1, -1, -1, false),
	U("close", OP_CLOSE, 0, -1, -1, -1, -1, false),
	U("close_range", OP_CLOSE_RANGE, -1, -1, 2, -1, -1, false),
	U("dup", OP_DUP, 0, -1, -1, -1, -1, false),
	U("dup2", OP_DUP, 0, -1, -1, -1, -1, false),
	U("dup3", OP_DUP, 0, -1, 2, -1, -1, false),
	U("fcntl", OP_FCNTL, 0, -1, -1, -1, -1, false),
	U("mmap", OP_MMAP, 4, -1, 3, -1, -1, true),
	U("clone", OP_CLONE, -1, -1, 0, -1, -1, true),
	U("clone3", OP_CLONE, -1, -1, 0, -1, -1, true),
	U("pipe", OP_PIPE, -1, 0, -1, -1, -1, true),
	U("pipe2", OP_PIPE, -1, 0, -1, -1, -1, true),
	U("socketpair", OP_PIPE, -1, 3, -1, -1, -1, true),
	U("socket", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("accept", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("accept4", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("eventfd", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("eventfd2", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("epoll_create", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("epoll_create1", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("memfd_create", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("timerfd_create", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("signalfd", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("signalfd4", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("inotify_init", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("inotify_init1", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("pidfd_open", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("pidfd_getfd", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("io_uring_setup", OP_NEWFD, -1, -1, -1, -1, -1, true),
	U("open_by_handle_at", OP_NEWFD, -1, -1, -1, -1, -1, true),
};
#undef U

#define NUSES (sizeof(uses) / sizeof(uses[0]))
#define FD_MAX (1u << 20) /* descriptors above this are not followed */
#define NO_NODE ((size_t)-1)

/* One descriptor. */
struct fdent {
	size_t node;        /* the file's node, NO_NODE: not a file the model follows */
	bool used;
	bool cloexec;
	bool tmpfile;       /* an O_TMPFILE file (no name until linkat) */
};

/* A descriptor table, shared by the threads of a process (and CLONE_FILES). */
struct fdtab {
	int refs;
	struct fdent *v;
	size_t cap;
};

/* Working directory, shared by threads (and CLONE_FS). */
struct fsinfo {
	int refs;
	size_t cwd;         /* node, NO_NODE: unknown (fchdir to an unknown fd) */
};

enum { SLOT_FREE = 0, SLOT_USED, SLOT_GONE };

/* A slot of the path index: node index + 1 (0: free) and the path's hash,
 * compared before the path itself. */
struct slot {
	__u32 node;
	__u32 hash;
};

struct proc {
	__u32 pid;
	unsigned char slot;
	bool exec_marked;   /* the last PROC_EXEC marked its file executed */
	__u64 exec_ts;      /* ts of the last PROC_EXEC (0: none) */
	struct fdtab *fds;
	struct fsinfo *fs;
};

struct rt_files {
	size_t default_cwd;
	/* nodes, and their index by path (open addressing, values index + 1) */
	struct rt_files_node *nodes;
	size_t nnodes, cap_nodes;
	struct slot *idx;
	size_t cap_idx;
	/* processes by pid (open addressing with tombstones) */
	struct proc *procs;
	size_t cap_procs, used_procs, gone_procs;
	unsigned char op_of[RT_SC_NR_MAX];
	unsigned char use_of[RT_SC_NR_MAX];
	struct strbuf sb, sb2;
	struct rt_files_stats stats;
};

/* ---- nodes ---- */

static __u64 hash_str(const char *s)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int idx_grow(struct rt_files *m)
{
	size_t cap = m->cap_idx ? m->cap_idx * 2 : 1024, i;
	struct slot *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < m->cap_idx; i++) {
		size_t j;

		if (!m->idx[i].node)
			continue;
		for (j = m->idx[i].hash & (cap - 1); idx[j].node; j = (j + 1) & (cap - 1))
			;
		idx[j] = m->idx[i];
	}
	free(m->idx);
	m->idx = idx;
	m->cap_idx = cap;
	return 0;
}

static size_t node_find(const struct rt_files *m, const char *path)
{
	__u32 h = hash_str(path);
	size_t j;

	if (!m->cap_idx)
		return NO_NODE;
	for (j = h & (m->cap_idx - 1); m->idx[j].node; j = (j + 1) & (m->cap_idx - 1))
		if (m->idx[j].hash == h && !strcmp(m->nodes[m->idx[j].node - 1].path, path))
			return m->idx[j].node - 1;
	return NO_NODE;
}

/* The node of absolute normalised @path, made if new; NO_NODE on ENOMEM. */
static size_t intern(struct rt_files *m, const char *path)
{
	size_t i = node_find(m, path), j;
	struct rt_files_node *n;
	__u32 h;

	if (i != NO_NODE)
		return i;
	if (m->nnodes >= UINT32_MAX - 1)
		return NO_NODE;
	if ((m->nnodes + 1) * 2 > m->cap_idx && idx_grow(m))
		return NO_NODE;
	if (array_grow(&m->nodes, &m->cap_nodes, m->nnodes, sizeof(*m->nodes), 256, SIZE_MAX / 2))
		return NO_NODE;
	n = &m->nodes[m->nnodes];
	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	if (!n->path)
		return NO_NODE;
	n->now = -1;
	h = hash_str(path);
	for (j = h & (m->cap_idx - 1); m->idx[j].node; j = (j + 1) & (m->cap_idx - 1))
		;
	m->idx[j] = (struct slot){ .node = m->nnodes + 1, .hash = h };
	return m->nnodes++;
}

static int add_pid(struct rt_files_node *n, __u32 pid)
{
	size_t lo = 0, hi = n->npids;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (n->pids[mid] == pid)
			return 0;
		if (n->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (array_grow(&n->pids, &n->cap_pids, n->npids, sizeof(*n->pids), 4, SIZE_MAX / 8))
		return -ENOMEM;
	memmove(n->pids + lo + 1, n->pids + lo, (n->npids - lo) * sizeof(*n->pids));
	n->pids[lo] = pid;
	n->npids++;
	return 0;
}

static int add_link(size_t **v, size_t *n, size_t *cap, size_t node)
{
	if (*n && (*v)[*n - 1] == node)
		return 0;
	if (array_grow(v, cap, *n, sizeof(**v), 2, SIZE_MAX / 16))
		return -ENOMEM;
	(*v)[(*n)++] = node;
	return 0;
}

/* The model saw @n present or absent. */
static void seen(struct rt_files_node *n, bool present)
{
	if (!(n->flags & (RT_FN_CHANGED | RT_FN_EXISTED | RT_FN_ABSENT)))
		n->flags |= present ? RT_FN_EXISTED : RT_FN_ABSENT;
	n->now = present;
}

/* @n was read (@how RT_FN_READ) or executed (RT_FN_EXEC). */
static void consumed(struct rt_files_node *n, unsigned how)
{
	seen(n, true);
	n->flags |= how;
	if (!(n->flags & RT_FN_CHANGED))
		n->flags |= RT_FN_ORIG;
}

/* The command made @n where nothing was. */
static void created(struct rt_files_node *n)
{
	seen(n, false);
	n->flags |= RT_FN_CREATED | RT_FN_MODIFIED | RT_FN_CHANGED;
	n->now = 1;
}

/* The command replaced @n's content (it may or may not have existed). */
static void modified(struct rt_files_node *n)
{
	n->flags |= RT_FN_MODIFIED | RT_FN_CHANGED;
	n->now = 1;
}

static void removed(struct rt_files_node *n)
{
	seen(n, true);
	n->flags |= RT_FN_REMOVED | RT_FN_CHANGED;
	n->now = 0;
}

/*
 * A read of CPython's cache DIR/__pycache__/NAME.TAG[.opt-N].pyc: CPython
 * stat'ed DIR/NAME.py and found the cache current, so the source is what
 * the program ran.  Returns the source's node (made if new), NO_NODE if
 * @path is not such a cache, or on ENOMEM (@err set).
 */
static size_t pyc_source(struct rt_files *m, const char *path, int *err)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t dirlen, i;

	if (!base || base - path < 12 || strncmp(base - 12, "/__pycache__", 12))
		return NO_NODE;
	dot = strchr(base + 1, '.');
	if (!dot || dot == base + 1 || strlen(base) < 5 || strcmp(base + strlen(base) - 4, ".pyc"))
		return NO_NODE;
	dirlen = base - 12 - path;
	strbuf_reset(&m->sb2);
	strbuf_add(&m->sb2, path, dirlen);
	strbuf_addc(&m->sb2, '/');
	strbuf_add(&m->sb2, base + 1, dot - base - 1);
	strbuf_adds(&m->sb2, ".py");
	i = intern(m, m->sb2.buf);
	if (i == NO_NODE)
		*err = -ENOMEM;
	return i;
}

/* ---- processes ---- */

static void fdtab_put(struct fdtab *t)
{
	if (t && !--t->refs) {
		free(t->v);
		free(t);
	}
}

static void fs_put(struct fsinfo *f)
{
	if (f && !--f->refs)
		free(f);
}

static struct fdtab *fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->refs = 1;
	if (src && src->cap) {
		t->v = malloc(src->cap * sizeof(*t->v));
		if (!t->v) {
			free(t);
			return NULL;
		}
		memcpy(t->v, src->v, src->cap * sizeof(*t->v));
		t->cap = src->cap;
	}
	return t;
}

static struct fsinfo *fs_new(size_t cwd)
{
	struct fsinfo *f = calloc(1, sizeof(*f));

	if (f) {
		f->refs = 1;
		f->cwd = cwd;
	}
	return f;
}

static struct proc *proc_find(struct rt_files *m, __u32 pid)
{
	size_t j;

	if (!m->cap_procs)
		return NULL;
	for (j = pid & (m->cap_procs - 1); m->procs[j].slot != SLOT_FREE;
	     j = (j + 1) & (m->cap_procs - 1))
		if (m->procs[j].slot == SLOT_USED && m->procs[j].pid == pid)
			return &m->procs[j];
	return NULL;
}

/* Room for @more new processes without moving any: call before taking
 * proc pointers that must survive an insert. */
static int proc_reserve(struct rt_files *m, size_t more)
{
	struct proc *old = m->procs;
	size_t cap = m->cap_procs ? m->cap_procs : 64, i, j;

	if ((m->used_procs + m->gone_procs + more) * 2 < m->cap_procs)
		return 0;
	while ((m->used_procs + more) * 2 >= cap)
		cap *= 2;
	m->procs = calloc(cap, sizeof(*m->procs));
	if (!m->procs) {
		m->procs = old;
		return -ENOMEM;
	}
	for (i = 0; i < m->cap_procs; i++) {
		if (old[i].slot != SLOT_USED)
			continue;
		for (j = old[i].pid & (cap - 1); m->procs[j].slot; j = (j + 1) & (cap - 1))
			;
		m->procs[j] = old[i];
	}
	free(old);
	m->cap_procs = cap;
	m->gone_procs = 0;
	return 0;
}

static void proc_drop(struct rt_files *m, struct proc *p)
{
	fdtab_put(p->fds);
	fs_put(p->fs);
	p->fds = NULL;
	p->fs = NULL;
	p->slot = SLOT_GONE;
	m->used_procs--;
	m->gone_procs++;
}

/* A new process @pid with @fds and @fs (references taken over), replacing
 * any process of that pid.  Needs proc_reserve(m, 1). */
static struct proc *proc_add(struct rt_files *m, __u32 pid, struct fdtab *fds, struct fsinfo *fs)
{
	struct proc *p = proc_find(m, pid);
	size_t j;

	if (p)
		proc_drop(m, p);
	for (j = pid & (m->cap_procs - 1); m->procs[j].slot == SLOT_USED; j = (j + 1) & (m->cap_procs - 1))
		;
	p = &m->procs[j];
	if (p->slot == SLOT_GONE)
		m->gone_procs--;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->slot = SLOT_USED;
	p->fds = fds;
	p->fs = fs;
	m->used_procs++;
	return p;
}

/* Process @pid, made with the defaults if unknown.  Needs proc_reserve. */
static struct proc *proc_get(struct rt_files *m, __u32 pid)
{
	struct proc *p = proc_find(m, pid);
	struct fdtab *fds;
	struct fsinfo *fs;

	if (p)
		return p;
	fds = fdtab_copy(NULL);
	fs = fs_new(m->default_cwd);
	if (!fds || !fs) {
		fdtab_put(fds);
		fs_put(fs);
		return NULL;
	}
	m->stats.unknown_pids++;
	return proc_add(m, pid, fds, fs);
}

static struct fdent *fd_get(struct proc *p, long fd)
{
	if (fd < 0 || (size_t)fd >= p->fds->cap || !p->fds->v[fd].used)
		return NULL;
	return &p->fds->v[fd];
}

static int fd_put(struct proc *p, long fd, size_t node, bool cloexec, bool tmpfile)
{
	struct fdtab *t = p->fds;

	if (fd < 0 || (size_t)fd >= FD_MAX)
		return 0;
	if ((size_t)fd >= t->cap) {
		size_t cap = t->cap ? t->cap : 16;
		struct fdent *v;

		while (cap <= (size_t)fd)
			cap *= 2;
		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + t->cap, 0, (cap - t->cap) * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	t->v[fd] = (struct fdent){ .node = node, .used = true, .cloexec = cloexec, .tmpfile = tmpfile };
	return 0;
}

static void fd_clear(struct proc *p, long fd)
{
	if (fd >= 0 && (size_t)fd < p->fds->cap)
		memset(&p->fds->v[fd], 0, sizeof(p->fds->v[fd]));
}

/* Give @p a table of its own (exec, CLOSE_RANGE_UNSHARE). */
static int fd_unshare(struct proc *p)
{
	struct fdtab *t;

	if (p->fds->refs == 1)
		return 0;
	t = fdtab_copy(p->fds);
	if (!t)
		return -ENOMEM;
	fdtab_put(p->fds);
	p->fds = t;
	return 0;
}

/* What exec does to @p's descriptors. */
static int apply_exec(struct proc *p)
{
	int err = fd_unshare(p);
	size_t i;

	if (err)
		return err;
	for (i = 0; i < p->fds->cap; i++)
		if (p->fds->v[i].used && p->fds->v[i].cloexec)
			fd_clear(p, i);
	return 0;
}

/* ---- records ---- */

struct blobs {
	const unsigned char *d[6];
	unsigned n[6];
	unsigned char kind[6];
};

static int parse_blobs(const struct rt_syscall_event *ev, size_t len, struct blobs *bl)
{
	struct rt_sc_blob_it it;
	const struct rt_sc_blob *b;

	memset(bl, 0, sizeof(*bl));
	for (b = rt_sc_blob_first(&it, ev, len); b; b = rt_sc_blob_next(&it)) {
		if ((b->kind == RT_BLOB_STR || b->kind == RT_BLOB_DATA) && !bl->d[b->arg]) {
			bl->d[b->arg] = rt_sc_blob_data(b);
			bl->n[b->arg] = b->len;
			bl->kind[b->arg] = b->kind;
		}
	}
	return it.bad ? -EINVAL : 0;
}

/* The path string of argument @arg, or NULL if not captured whole. */
static const char *blob_str(const struct blobs *bl, int arg)
{
	if (arg < 0 || !bl->d[arg] || bl->kind[arg] != RT_BLOB_STR || !bl->n[arg] ||
	    bl->d[arg][bl->n[arg] - 1])
		return NULL;
	return (const char *)bl->d[arg];
}

/* "/proc/self/fd/N", "/proc/thread-self/fd/N", "/proc/PID/fd/N", "/dev/fd/N"
 * (N then the end or '/'): N, and what follows in @rest; else -1. */
static long fd_alias(const char *path, __u32 pid, const char **rest)
{
	static const char *const pfx[] = { "/proc/self/fd/", "/proc/thread-self/fd/", "/dev/fd/" };
	char own[32];
	const char *s = NULL;
	size_t i;
	long fd = 0;

	if (strncmp(path, "/proc/", 6) && strncmp(path, "/dev/fd/", 8))
		return -1;
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]) && !s; i++)
		if (!strncmp(path, pfx[i], strlen(pfx[i])))
			s = path + strlen(pfx[i]);
	snprintf(own, sizeof(own), "/proc/%u/fd/", pid);
	if (!s && !strncmp(path, own, strlen(own)))
		s = path + strlen(own);
	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((fd = fd * 10 + (*s - '0')) > (long)FD_MAX)
			return -1;
	if (*s && *s != '/')
		return -1;
	*rest = s;
	return fd;
}

/*
 * The node of @path as process @p used it against descriptor @dirfd
 * (AT_FDCWD: its cwd).  An empty @path names @dirfd itself if @empty_ok
 * (AT_EMPTY_PATH), else nothing (the kernel said ENOENT).  0 with *@node
 * set (NO_NODE for an O_TMPFILE descriptor), 1 if it cannot be resolved
 * (counted, unless empty), or -ENOMEM.
 */
static int resolve(struct rt_files *m, struct proc *p, long dirfd, const char *path,
		   bool empty_ok, size_t *node)
{
	const char *base = NULL, *rest;
	struct fdent *f;
	long alias;

	if (!path)
		goto unresolved;
	if (!path[0] && !empty_ok)
		return 1;
	alias = path[0] == '/' ? fd_alias(path, p->pid, &rest) : -1;
	if (alias >= 0) {
		dirfd = alias;
		path = *rest ? rest + 1 : rest;
	} else if (!strncmp(path, "/proc/self/cwd", 14) && (!path[14] || path[14] == '/')) {
		dirfd = AT_FDCWD;
		path = path[14] ? path + 15 : path + 14;
	}
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			if (p->fs->cwd == NO_NODE)
				goto unresolved;
			base = m->nodes[p->fs->cwd].path;
		} else {
			f = fd_get(p, dirfd);
			if (!f)
				goto unresolved;
			if (f->tmpfile && !path[0]) {
				*node = NO_NODE;
				return 0;
			}
			if (f->node == NO_NODE)
				goto unresolved;
			base = m->nodes[f->node].path;
		}
	}
	if (rt_path_join(&m->sb, base, path))
		goto unresolved;
	*node = intern(m, m->sb.buf);
	return *node == NO_NODE ? -ENOMEM : 0;
unresolved:
	m->stats.unresolved++;
	return 1;
}

/* resolve() for the dirfd/path argument pair @d, @pa of a record. */
static int resolve_arg(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		       const struct blobs *bl, int d, int pa, size_t *node)
{
	return resolve(m, p, d < 0 ? AT_FDCWD : (long)(int)ev->args[d], blob_str(bl, pa), false, node);
}

#define NODE(i) (&m->nodes[(i)])

static int op_open(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		   const struct blobs *bl, const struct sc_use *u)
{
	long fd = ev->ret;
	__u64 flags = O_CREAT | O_WRONLY | O_TRUNC; /* creat */
	struct rt_files_node *n;
	int acc, before, err;
	size_t i;

	if (u->flags >= 0 && !strcmp(u->name, "openat2")) {
		if (bl->d[u->flags] && bl->kind[u->flags] == RT_BLOB_DATA && bl->n[u->flags] >= 8) {
			memcpy(&flags, bl->d[u->flags], 8);
		} else {
			/* flags unknown: taken as read, and written if the mtime moved */
			flags = O_RDWR;
			m->stats.unknown_flags++;
		}
	} else if (u->flags >= 0) {
		flags = ev->args[u->flags];
	}
	err = resolve_arg(m, p, ev, bl, u->dirfd, u->path, &i);
	if (err)
		return err < 0 ? err : 0;
	if (i == NO_NODE)
		return 0;
	n = NODE(i);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR)
			seen(n, false);
		else if (fd == -EEXIST)
			seen(n, true);
		return 0;
	}
	acc = flags & O_ACCMODE;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		/* a file with no name in directory @n, until linkat gives it one */
		seen(n, true);
		n->flags |= RT_FN_DIR;
		return fd_put(p, fd, NO_NODE, flags & O_CLOEXEC, true);
	}
	if (flags & O_DIRECTORY)
		n->flags |= RT_FN_DIR;
	if (flags & O_PATH) {
		seen(n, true);
		return fd_put(p, fd, i, flags & O_CLOEXEC, false);
	}
	before = n->now;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) || ((flags & O_CREAT) && before == 0))
		created(n);
	else if (flags & O_TRUNC)
		modified(n);
	else if (!(flags & O_CREAT))
		seen(n, true);
	else
		n->now = 1; /* O_CREAT on a path not seen before: it exists now */
	if (acc == O_WRONLY || acc == O_RDWR)
		n->flags |= RT_FN_OPEN_W;
	if (acc == O_RDONLY || acc == O_RDWR) {
		n->flags |= RT_FN_READ;
		/* with O_CREAT it may have been made empty by this open */
		if (!(n->flags & RT_FN_CHANGED) && (!(flags & O_CREAT) || before == 1))
			n->flags |= RT_FN_ORIG;
		if (!(n->flags & RT_FN_CHANGED)) {
			size_t src = pyc_source(m, m->nodes[i].path, &err);

			if (err)
				return err;
			if (src != NO_NODE && !(NODE(src)->flags & RT_FN_CHANGED)) {
				NODE(src)->flags |= RT_FN_PYC;
				if ((err = add_pid(NODE(src), p->pid)))
					return err;
			}
		}
	}
	if ((err = add_pid(NODE(i), p->pid)))
		return err;
	return fd_put(p, fd, i, flags & O_CLOEXEC, false);
}

static int op_exec(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		   const struct blobs *bl, const struct sc_use *u)
{
	const char *path = blob_str(bl, u->path);
	bool done = p->exec_ts && p->exec_ts >= ev->hdr.ts &&
		    p->exec_ts <= ev->hdr.ts + ev->duration_ns;
	long dirfd = u->dirfd < 0 ? AT_FDCWD : (long)(int)ev->args[u->dirfd];
	size_t i;
	int err;

	if (ev->ret == 0 && done && p->exec_marked)
		return 0; /* the PROC_EXEC record did it all */
	err = resolve(m, p, dirfd, path, u->flags >= 0 && (ev->args[u->flags] & AT_EMPTY_PATH), &i);
	if (err < 0)
		return err;
	if (!err && i != NO_NODE) {
		if (ev->ret == -ENOENT || ev->ret == -ENOTDIR)
			seen(NODE(i), false);
		if (ev->ret == 0) {
			consumed(NODE(i), RT_FN_EXEC);
			if ((err = add_pid(NODE(i), p->pid)))
				return err;
		}
	}
	if (ev->ret == 0 && !done)
		return apply_exec(p);
	return 0;
}

static int op_probe(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		    const struct blobs *bl, const struct sc_use *u)
{
	const char *path = blob_str(bl, u->path);
	size_t i;
	int err;

	/* fstat of a descriptor: nothing new (glibc's fstat() passes "" with
	 * AT_EMPTY_PATH; that "" may sit in a library page BPF could not read
	 * yet) */
	if ((path && !path[0]) ||
	    (!path && u->flags >= 0 && (ev->args[u->flags] & AT_EMPTY_PATH)))
		return 0;
	err = resolve_arg(m, p, ev, bl, u->dirfd, u->path, &i);
	if (err || i == NO_NODE)
		return err < 0 ? err : 0;
	if (ev->ret >= 0 || (ev->ret == -EINVAL && strstr(u->name, "readlink")))
		seen(NODE(i), true);
	else if (ev->ret == -ENOENT || ev->ret == -ENOTDIR)
		seen(NODE(i), false);
	return 0;
}

static int op_path1(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		    const struct blobs *bl, const struct sc_use *u)
{
	struct rt_files_node *n;
	size_t i;
	int err;
	bool rmdir = u->op == OP_RMDIR ||
		     (u->op == OP_UNLINK && u->flags >= 0 && (ev->args[u->flags] & AT_REMOVEDIR));

	err = resolve_arg(m, p, ev, bl, u->dirfd, u->path, &i);
	if (err || i == NO_NODE)
		return err < 0 ? err : 0;
	n = NODE(i);
	if (ev->ret < 0) {
		if (ev->ret == -ENOENT || ev->ret == -ENOTDIR)
			seen(n, false);
		else if (ev->ret == -EEXIST)
			seen(n, true);
		return 0;
	}
	switch (u->op) {
	case OP_CHDIR:
		seen(n, true);
		n->flags |= RT_FN_DIR;
		p->fs->cwd = i;
		return 0;
	case OP_MKDIR:
		created(n);
		n->flags |= RT_FN_DIR | RT_FN_MKDIR;
		break;
	case OP_RMDIR:
	case OP_UNLINK:
		removed(n);
		if (rmdir)
			n->flags |= RT_FN_DIR;
		break;
	case OP_MAKE:
		created(n);
		break;
	case OP_TRUNCATE:
		seen(n, true);
		modified(n);
		break;
	default:
		return 0;
	}
	return add_pid(n, p->pid);
}

/* Move what the model knows under directory @from to @to (a directory
 * renamed): the names below now live under the new name. */
static int rename_children(struct rt_files *m, size_t from, size_t to, __u32 pid)
{
	size_t i, n = m->nnodes, flen = strlen(m->nodes[from].path);
	int err;

	for (i = 0; i < n; i++) {
		struct rt_files_node *c = NODE(i);
		size_t d;

		if (strncmp(c->path, m->nodes[from].path, flen) || c->path[flen] != '/' || c->now == 0)
			continue;
		strbuf_reset(&m->sb2);
		strbuf_adds(&m->sb2, m->nodes[to].path);
		strbuf_adds(&m->sb2, c->path + flen);
		d = intern(m, m->sb2.buf);
		if (d == NO_NODE)
			return -ENOMEM;
		c = NODE(i);
		NODE(d)->flags |= RT_FN_MODIFIED | RT_FN_CHANGED |
				  (c->flags & (RT_FN_DIR | RT_FN_MKDIR | RT_FN_CREATED));
		NODE(d)->now = 1;
		c->flags |= RT_FN_REMOVED | RT_FN_CHANGED;
		c->now = 0;
		if ((err = add_pid(NODE(d), pid)))
			return err;
	}
	return 0;
}

static int op_path2(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		    const struct blobs *bl, const struct sc_use *u)
{
	__u64 flags = u->flags >= 0 ? ev->args[u->flags] : 0;
	const char *path = blob_str(bl, u->path);
	size_t a = NO_NODE, b = NO_NODE;
	int ea = 1, eb, err;

	/* linkat(fd, "", ..., AT_EMPTY_PATH): the file of fd (an O_TMPFILE one) */
	ea = resolve(m, p, u->dirfd < 0 ? AT_FDCWD : (long)(int)ev->args[u->dirfd], path,
		     u->op == OP_LINK && (flags & AT_EMPTY_PATH), &a);
	eb = resolve_arg(m, p, ev, bl, u->dirfd2, u->path2, &b);
	if (ea < 0 || eb < 0)
		return -ENOMEM;
	if (ea)
		a = NO_NODE;
	if (eb)
		b = NO_NODE;
	if (ev->ret < 0)
		return 0;
	if (u->op == OP_LINK) {
		if (a != NO_NODE)
			seen(NODE(a), true);
		if (b == NO_NODE)
			return 0;
		created(NODE(b));
		return add_pid(NODE(b), p->pid);
	}
	if (flags & RENAME_EXCHANGE) {
		if (a != NO_NODE) {
			seen(NODE(a), true);
			modified(NODE(a));
			if ((err = add_pid(NODE(a), p->pid)))
				return err;
		}
		if (b != NO_NODE) {
			seen(NODE(b), true);
			modified(NODE(b));
			if ((err = add_pid(NODE(b), p->pid)))
				return err;
		}
		if (a != NO_NODE && b != NO_NODE) {
			struct rt_files_node *na = NODE(a), *nb = NODE(b);

			if (add_link(&na->renamed_to, &na->nrenamed_to, &na->cap_renamed_to, b) ||
			    add_link(&na->renamed_from, &na->nrenamed_from, &na->cap_renamed_from, b) ||
			    add_link(&nb->renamed_to, &nb->nrenamed_to, &nb->cap_renamed_to, a) ||
			    add_link(&nb->renamed_from, &nb->nrenamed_from, &nb->cap_renamed_from, a))
				return -ENOMEM;
		}
		return 0;
	}
	if (a == b)
		return 0; /* rename onto itself (hard links to one file): nothing */
	if (b != NO_NODE) {
		struct rt_files_node *nb = NODE(b);

		if (nb->now == 0 || (flags & RENAME_NOREPLACE))
			created(nb);
		else
			modified(nb);
		if (a != NO_NODE)
			nb->flags |= NODE(a)->flags & (RT_FN_DIR | RT_FN_MKDIR);
		if ((err = add_pid(nb, p->pid)))
			return err;
	}
	if (a != NO_NODE) {
		if (b != NO_NODE && (NODE(a)->flags & RT_FN_DIR) &&
		    (err = rename_children(m, a, b, p->pid)))
			return err;
		removed(NODE(a));
		if ((err = add_pid(NODE(a), p->pid)))
			return err;
	}
	if (a != NO_NODE && b != NO_NODE) {
		struct rt_files_node *na = NODE(a), *nb = NODE(b);

		if (add_link(&na->renamed_to, &na->nrenamed_to, &na->cap_renamed_to, b) ||
		    add_link(&nb->renamed_from, &nb->nrenamed_from, &nb->cap_renamed_from, a))
			return -ENOMEM;
	}
	return 0;
}

static int op_fd(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		 const struct blobs *bl, const struct sc_use *u)
{
	long fd = u->dirfd >= 0 ? (long)(int)ev->args[u->dirfd] : -1, ret = ev->ret;
	struct fdent *f = fd_get(p, fd), copy;
	size_t i, node = f ? f->node : NO_NODE;
	int cmd = (int)ev->args[1], err;

	switch (u->op) {
	case OP_FCHDIR:
		if (ret == 0)
			p->fs->cwd = node;
		return 0;
	case OP_FTRUNCATE:
		if (ret == 0 && node != NO_NODE) {
			modified(NODE(node));
			return add_pid(NODE(node), p->pid);
		}
		return 0;
	case OP_CLOSE:
		if (ret != -EBADF)
			fd_clear(p, fd);
		return 0;
	case OP_CLOSE_RANGE: {
		__u64 first = (__u32)ev->args[0], last = (__u32)ev->args[1], fl = ev->args[2];

		if (ret != 0)
			return 0;
		if ((fl & CLOSE_RANGE_UNSHARE) && (err = fd_unshare(p)))
			return err;
		for (i = first; i <= last && i < p->fds->cap; i++) {
			if (!p->fds->v[i].used)
				continue;
			if (fl & CLOSE_RANGE_CLOEXEC)
				p->fds->v[i].cloexec = true;
			else
				fd_clear(p, i);
		}
		return 0;
	}
	case OP_DUP:
		if (ret < 0 || ret == fd)
			return 0;
		if (!f) {
			fd_clear(p, ret);
			return 0;
		}
		copy = *f;
		return fd_put(p, ret, copy.node,
			      u->flags >= 0 && (ev->args[u->flags] & O_CLOEXEC), copy.tmpfile);
	case OP_FCNTL:
		if (ret < 0)
			return 0;
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
			if (!f) {
				fd_clear(p, ret);
				return 0;
			}
			copy = *f;
			return fd_put(p, ret, copy.node, cmd == F_DUPFD_CLOEXEC, copy.tmpfile);
		}
		if (cmd == F_SETFD && f)
			f->cloexec = ev->args[2] & FD_CLOEXEC;
		return 0;
	case OP_MMAP: {
		__u64 prot = ev->args[2];

		if ((__u64)ret >= (__u64)-4095 || node == NO_NODE)
			return 0;
		if (prot & (PROT_READ | PROT_EXEC)) {
			consumed(NODE(node), RT_FN_READ);
		}
		if ((ev->args[3] & MAP_SHARED) && (prot & PROT_WRITE))
			NODE(node)->flags |= RT_FN_OPEN_W;
		return add_pid(NODE(node), p->pid);
	}
	case OP_PIPE:
		if (ret == 0 && bl->d[u->path] && bl->n[u->path] >= 8) {
			int fds[2];

			memcpy(fds, bl->d[u->path], 8);
			fd_clear(p, fds[0]);
			fd_clear(p, fds[1]);
		}
		return 0;
	case OP_NEWFD:
		if (ret >= 0)
			fd_clear(p, ret);
		return 0;
	default:
		return 0;
	}
}

/* clone/clone3 in the parent: share the table or cwd (CLONE_FILES,
 * CLONE_FS) with the new process, which its FORK record made as a copy. */
static int op_clone(struct rt_files *m, struct proc *p, const struct rt_syscall_event *ev,
		    const struct blobs *bl, const struct sc_use *u)
{
	__u64 flags = ev->args[0];
	struct proc *c;

	if (ev->ret <= 0)
		return 0;
	if (!strcmp(u->name, "clone3")) {
		if (!bl->d[0] || bl->kind[0] != RT_BLOB_DATA || bl->n[0] < 8)
			return 0;
		memcpy(&flags, bl->d[0], 8);
	}
	if ((flags & CLONE_THREAD) || !(flags & (CLONE_FILES | CLONE_FS)))
		return 0;
	c = proc_find(m, ev->ret);
	if (!c)
		return 0;
	if (flags & CLONE_FILES) {
		fdtab_put(c->fds);
		c->fds = p->fds;
		p->fds->refs++;
	}
	if (flags & CLONE_FS) {
		fs_put(c->fs);
		c->fs = p->fs;
		p->fs->refs++;
	}
	return 0;
}

int rt_files__syscall(struct rt_files *m, const struct rt_syscall_event *ev, size_t len)
{
	const struct sc_use *u;
	struct blobs bl;
	struct proc *p;
	int err;

	m->stats.syscalls++;
	if (len < sizeof(*ev) || ev->nr >= RT_SC_NR_MAX || !m->op_of[ev->nr])
		return 0;
	if (ev->flags & RT_SC_F_UNFINISHED) {
		m->stats.unfinished++;
		return 0;
	}
	if (parse_blobs(ev, len, &bl)) {
		m->stats.malformed++;
		return 0;
	}
	if ((err = proc_reserve(m, 1)))
		return err;
	p = proc_get(m, ev->hdr.pid);
	if (!p)
		return -ENOMEM;
	u = &uses[m->use_of[ev->nr]];
	switch (u->op) {
	case OP_OPEN:
		return op_open(m, p, ev, &bl, u);
	case OP_EXEC:
		return op_exec(m, p, ev, &bl, u);
	case OP_PROBE:
		return op_probe(m, p, ev, &bl, u);
	case OP_CHDIR:
	case OP_MKDIR:
	case OP_RMDIR:
	case OP_UNLINK:
	case OP_MAKE:
	case OP_TRUNCATE:
		return op_path1(m, p, ev, &bl, u);
	case OP_RENAME:
	case OP_LINK:
		return op_path2(m, p, ev, &bl, u);
	case OP_CLONE:
		return op_clone(m, p, ev, &bl, u);
	default:
		return op_fd(m, p, ev, &bl, u);
	}
}

int rt_files__proc(struct rt_files *m, const struct rt_proc_event *ev)
{
	struct proc *p, *c;
	struct fdtab *fds;
	struct fsinfo *fs;
	size_t i, flen;
	int err;

	m->stats.procs++;
	if ((err = proc_reserve(m, 2)))
		return err;
	switch (ev->kind) {
	case RT_PROC_FORK:
		p = proc_get(m, ev->ppid);
		if (!p)
			return -ENOMEM;
		if (ev->is_thread || ev->child_pid == ev->ppid)
			return 0;
		fds = fdtab_copy(p->fds);
		fs = fs_new(p->fs->cwd);
		if (!fds || !fs) {
			fdtab_put(fds);
			fs_put(fs);
			return -ENOMEM;
		}
		c = proc_add(m, ev->child_pid, fds, fs);
		(void)c;
		return 0;
	case RT_PROC_EXEC:
		p = proc_get(m, ev->hdr.pid);
		if (!p)
			return -ENOMEM;
		p->exec_ts = ev->hdr.ts;
		p->exec_marked = false;
		flen = strnlen(ev->filename, sizeof(ev->filename));
		/* a filename that filled the record may have been cut */
		if (flen && flen < sizeof(ev->filename) - 1) {
			err = resolve(m, p, AT_FDCWD, ev->filename, false, &i);
			if (err < 0)
				return err;
			if (!err && i != NO_NODE) {
				consumed(NODE(i), RT_FN_EXEC);
				if ((err = add_pid(NODE(i), p->pid)))
					return err;
				p->exec_marked = true;
			}
		}
		return apply_exec(p);
	case RT_PROC_EXIT:
		p = proc_find(m, ev->hdr.pid);
		if (p)
			proc_drop(m, p);
		return 0;
	default:
		return 0;
	}
}

struct rt_files *rt_files__new(const char *cwd)
{
	struct rt_files *m = calloc(1, sizeof(*m));
	size_t k;
	int nr;

	if (!m)
		return NULL;
	for (k = 0; k < NUSES; k++) {
		nr = rt_sc_lookup(uses[k].name);
		if (nr < 0 || nr >= RT_SC_NR_MAX)
			continue;
		m->op_of[nr] = uses[k].op;
		m->use_of[nr] = k;
	}
	if (rt_path_join(&m->sb, NULL, cwd)) {
		rt_files__free(m);
		errno = EINVAL;
		return NULL;
	}
	m->default_cwd = intern(m, m->sb.buf);
	if (m->default_cwd == NO_NODE) {
		rt_files__free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void rt_files__free(struct rt_files *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap_procs; i++)
		if (m->procs[i].slot == SLOT_USED) {
			fdtab_put(m->procs[i].fds);
			fs_put(m->procs[i].fs);
		}
	for (i = 0; i < m->nnodes; i++) {
		free(m->nodes[i].path);
		free(m->nodes[i].pids);
		free(m->nodes[i].renamed_to);
		free(m->nodes[i].renamed_from);
	}
	free(m->nodes);
	free(m->idx);
	free(m->procs);
	strbuf_free(&m->sb);
	strbuf_free(&m->sb2);
	free(m);
}

int rt_files__add_process(struct rt_files *m, __u32 pid, const char *cwd)
{
	struct fdtab *fds;
	struct fsinfo *fs;
	size_t i;
	int err;

	if (rt_path_join(&m->sb, NULL, cwd))
		return -EINVAL;
	i = intern(m, m->sb.buf);
	if (i == NO_NODE)
		return -ENOMEM;
	if ((err = proc_reserve(m, 1)))
		return err;
	fds = fdtab_copy(NULL);
	fs = fs_new(i);
	if (!fds || !fs) {
		fdtab_put(fds);
		fs_put(fs);
		return -ENOMEM;
	}
	proc_add(m, pid, fds, fs);
	return 0;
}

int rt_files__add_fd(struct rt_files *m, __u32 pid, int fd, const char *path, int oflags)
{
	size_t i = NO_NODE;
	struct proc *p;
	int err;

	if (path) {
		if (rt_path_join(&m->sb, NULL, path))
			return -EINVAL;
		i = intern(m, m->sb.buf);
		if (i == NO_NODE)
			return -ENOMEM;
	}
	if ((err = proc_reserve(m, 1)))
		return err;
	p = proc_get(m, pid);
	if (!p)
		return -ENOMEM;
	return fd_put(p, fd, i, oflags & O_CLOEXEC, false);
}

size_t rt_files__count(const struct rt_files *m)
{
	return m->nnodes;
}

const struct rt_files_node *rt_files__node(const struct rt_files *m, size_t i)
{
	return i < m->nnodes ? &m->nodes[i] : NULL;
}

const struct rt_files_node *rt_files__find(const struct rt_files *m, const char *abspath)
{
	size_t i = node_find(m, abspath);

	return i == NO_NODE ? NULL : &m->nodes[i];
}

const struct rt_files_stats *rt_files__stats(const struct rt_files *m)
{
	return &m->stats;
}

void rt_files_syscalls(__u64 bitmap[RT_SC_NR_MAX / 64], bool optional)
{
	size_t k;
	int nr;

	memset(bitmap, 0, RT_SC_NR_MAX / 8);
	for (k = 0; k < NUSES; k++) {
		if (uses[k].optional && !optional)
			continue;
		nr = rt_sc_lookup(uses[k].name);
		if (nr >= 0 && nr < RT_SC_NR_MAX)
			bitmap[nr / 64] |= 1ull << (nr % 64);
	}
}

/* ---- the queue ---- */

struct qrec {
	__u64 ts;       /* effect time */
	__u64 seq;      /* arrival order */
	void *rec;
	size_t len;
};

struct rt_files_queue {
	struct qrec *v;
	size_t n, cap;
	__u64 seq;
	bool sorted;
};

struct rt_files_queue *rt_files_queue__new(void)
{
	return calloc(1, sizeof(struct rt_files_queue));
}

void rt_files_queue__free(struct rt_files_queue *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->n; i++)
		free(q->v[i].rec);
	free(q->v);
	free(q);
}

size_t rt_files_queue__len(const struct rt_files_queue *q)
{
	return q->n;
}

int rt_files_queue__push(struct rt_files_queue *q, const struct rt_hdr *h, size_t len)
{
	struct qrec r = { .seq = q->seq++, .len = len };

	if (h->type == RT_EV_SYSCALL && len >= sizeof(struct rt_syscall_event)) {
		const struct rt_syscall_event *ev = (const void *)h;

		r.ts = ev->hdr.ts + ((ev->flags & RT_SC_F_UNFINISHED) ? 0 : ev->duration_ns);
	} else if (h->type == RT_EV_PROC && len >= sizeof(struct rt_proc_event)) {
		r.ts = h->ts;
	} else {
		return -EINVAL;
	}
	if (array_grow(&q->v, &q->cap, q->n, sizeof(*q->v), 1024, SIZE_MAX / sizeof(*q->v)))
		return -ENOMEM;
	r.rec = malloc(len);
	if (!r.rec)
		return -ENOMEM;
	memcpy(r.rec, h, len);
	if (q->n && (q->v[q->n - 1].ts > r.ts))
		q->sorted = false;
	else if (!q->n)
		q->sorted = true;
	q->v[q->n++] = r;
	return 0;
}

static int qrec_cmp(const void *a, const void *b)
{
	const struct qrec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int rt_files_queue__drain(struct rt_files_queue *q, struct rt_files *m, __u64 until)
{
	size_t i, k;
	int err = 0;

	if (!q->sorted && q->n)
		qsort(q->v, q->n, sizeof(*q->v), qrec_cmp);
	q->sorted = true;
	for (i = 0; i < q->n && q->v[i].ts <= until; i++) {
		const struct rt_hdr *h = q->v[i].rec;

		if (!err)
			err = h->type == RT_EV_SYSCALL ? rt_files__syscall(m, q->v[i].rec, q->v[i].len)
						       : rt_files__proc(m, q->v[i].rec);
		free(q->v[i].rec);
	}
	for (k = i; k < q->n; k++)
		q->v[k - i] = q->v[k];
	q->n -= i;
	return err;
}
