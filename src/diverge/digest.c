// SPDX-License-Identifier: GPL-2.0-only
/*
 * Digesting one run's spool (digest.h): the process tree, threads and
 * syscalls; matching two runs' trees; normalising each syscall to a hash of
 * what does not differ between two runs of one program.
 *
 * Normalised away (a syscall hashes the same in both runs despite):
 * - addresses: pointer arguments count only as NULL or not; hex arguments
 *   above 4 GiB (user addresses) likewise; returned addresses (mmap, brk)
 *   only as success;
 * - pids and tids: arguments and return values naming a process or thread
 *   of the run become that process's token, the same in both runs for
 *   matched processes (kill(child), wait4() = child, getpid(), clone());
 * - fd numbers: an fd argument stands for what the fd was opened on (the
 *   path, the socket's family and type, the listening fd it was accepted
 *   on, the fd it was duplicated from), tracked per process through fork;
 *   new fds count only as success.  Fds the run inherited keep their number;
 * - time: timestamps and durations are not hashed; time()/times() results
 *   are masked;
 * - random bytes: data read from /dev/urandom or /dev/random (getrandom's
 *   output is not captured);
 * - inside strings, paths and text data: runs of digits count as one
 *   digit (pids in /proc paths, times in log lines, counters), and
 *   temporary names (tmp + 6..16 random characters) as one;
 * - ports from 32768 up (ephemeral) in socket addresses;
 * - munmap's length (it follows the address layout: glibc trims each
 *   thread's arena to an aligned boundary), and munmap counts as weak;
 * - poll, select, epoll_wait, nanosleep, rt_sigreturn (where a signal
 *   landed): their results, and the errors EAGAIN, EINTR, ETIMEDOUT and
 *   restarts mark a syscall weak (timing-dependent): a stretch of weak
 *   differences is not reported as the departure;
 * - futex, sched_yield, restart_syscall are left out altogether.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "diverge/digest.h"
#include "syscalls/record.h"
#include "syscalls/table.h"

#define FD_MAX 65536        /* fds tracked per process (higher: by number) */
#define EPHEMERAL_PORT 32768

/* ---- hashing ------------------------------------------------------------ */

static __u64 fmix(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static __u64 mix(__u64 h, __u64 v)
{
	return fmix(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

#define FNV_PRIME 0x100000001b3ull

static __u64 hash_bytes(__u64 h, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV_PRIME;
	return h;
}

static bool is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Length of a temporary name at @s ("tmp", maybe one of "._-", then 6..16
 * word characters), or 0. */
static size_t tmpname_len(const unsigned char *s, size_t n)
{
	size_t i = 3, j;

	if (n < 9 || memcmp(s, "tmp", 3))
		return 0;
	if (s[i] == '.' || s[i] == '_' || s[i] == '-')
		i++;
	for (j = i; j < n && is_word(s[j]); j++)
		;
	return j - i >= 6 && j - i <= 16 ? j : 0;
}

/* Text with digit runs and temporary names masked. */
static __u64 hash_text(__u64 h, const unsigned char *s, size_t n)
{
	size_t i = 0, t;

	while (i < n) {
		unsigned char c = s[i];

		if (c >= '0' && c <= '9') {
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			h = (h ^ '#') * FNV_PRIME;
			continue;
		}
		if (c == 't' && (i == 0 || !is_word(s[i - 1])) && (t = tmpname_len(s + i, n - i))) {
			h = (h ^ '~') * FNV_PRIME;
			i += t;
			continue;
		}
		h = (h ^ c) * FNV_PRIME;
		i++;
	}
	return h;
}

/* Data: masked as text if it is text (at most 1 byte in 8 not printable). */
static __u64 hash_data(__u64 h, const unsigned char *s, size_t n)
{
	size_t i, odd = 0;

	for (i = 0; i < n; i++)
		if ((s[i] < ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') || s[i] > 0x7e)
			odd++;
	return odd * 8 <= n ? hash_text(h, s, n) : hash_bytes(h, s, n);
}

static __u64 hash_sockaddr(__u64 h, const unsigned char *p, size_t len)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (len > sizeof(ss))
		len = sizeof(ss);
	memcpy(&ss, p, len);
	if (len < sizeof(sa_family_t))
		return mix(h, 0);
	h = mix(h, ss.ss_family);
	switch (ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)&ss;
		unsigned port = ntohs(in->sin_port);

		h = mix(h, in->sin_addr.s_addr);
		return mix(h, port >= EPHEMERAL_PORT ? 0x10000 : port);
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)&ss;
		unsigned port = ntohs(in6->sin6_port);

		h = hash_bytes(h, in6->sin6_addr.s6_addr, 16);
		return mix(h, port >= EPHEMERAL_PORT ? 0x10000 : port);
	}
	case AF_UNIX:
		if (len <= offsetof(struct sockaddr_un, sun_path))
			return h;
		return hash_text(h, p + offsetof(struct sockaddr_un, sun_path),
				 len - offsetof(struct sockaddr_un, sun_path));
	default:
		return hash_bytes(h, p, len);
	}
}

/* ---- small maps --------------------------------------------------------- */

static int idmap_grow(struct dv_idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i;
	__u32 *keys = calloc(cap, sizeof(*keys));
	int *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->vals[i])
			continue;
		for (j = fmix(m->keys[i]) & (cap - 1); vals[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* Values are stored + 1 so that 0 means empty. */
static int idmap_get(const struct dv_idmap *m, __u32 key)
{
	size_t j;

	if (!m->cap)
		return -1;
	for (j = fmix(key) & (m->cap - 1); m->vals[j]; j = (j + 1) & (m->cap - 1))
		if (m->keys[j] == key)
			return m->vals[j] - 1;
	return -1;
}

static int idmap_set(struct dv_idmap *m, __u32 key, int val)
{
	size_t j;

	if ((m->used + 1) * 2 > m->cap && idmap_grow(m))
		return -ENOMEM;
	for (j = fmix(key) & (m->cap - 1); m->vals[j]; j = (j + 1) & (m->cap - 1)) {
		if (m->keys[j] == key) {
			m->vals[j] = val + 1;
			return 0;
		}
	}
	m->keys[j] = key;
	m->vals[j] = val + 1;
	m->used++;
	return 0;
}

static void idmap_free(struct dv_idmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static struct dv_agg *agg_get(struct dv_aggmap *m, __u64 key)
{
	size_t j;

	if ((m->used + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256, i;
		struct dv_agg *s = calloc(cap, sizeof(*s));

		if (!s)
			return NULL;
		for (i = 0; i < m->cap; i++) {
			if (!m->slots[i].key)
				continue;
			for (j = m->slots[i].key & (cap - 1); s[j].key; j = (j + 1) & (cap - 1))
				;
			s[j] = m->slots[i];
		}
		free(m->slots);
		m->slots = s;
		m->cap = cap;
	}
	if (!key)
		key = 1;
	for (j = key & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].key == key)
			return &m->slots[j];
	m->slots[j].key = key;
	m->slots[j].thread[0] = m->slots[j].thread[1] = -1;
	m->used++;
	return &m->slots[j];
}

void dv_aggmap_free(struct dv_aggmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	void **arr = arrp, *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	p = realloc(*arr, c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

/* ---- classes ------------------------------------------------------------ */

static const struct {
	const char *name;
	__u16 cls;
	__u8 pidargs;
} class_list[] = {
	{ "futex", DV_C_NOISE, 0 },
	{ "sched_yield", DV_C_NOISE, 0 },
	{ "restart_syscall", DV_C_NOISE, 0 },
	{ "open", DV_C_NEWFD, 0 },
	{ "openat", DV_C_NEWFD, 0 },
	{ "openat2", DV_C_NEWFD, 0 },
	{ "creat", DV_C_NEWFD, 0 },
	{ "socket", DV_C_NEWFD, 0 },
	{ "epoll_create", DV_C_NEWFD, 0 },
	{ "epoll_create1", DV_C_NEWFD, 0 },
	{ "eventfd", DV_C_NEWFD, 0 },
	{ "eventfd2", DV_C_NEWFD, 0 },
	{ "timerfd_create", DV_C_NEWFD, 0 },
	{ "signalfd", DV_C_NEWFD, 0 },
	{ "signalfd4", DV_C_NEWFD, 0 },
	{ "memfd_create", DV_C_NEWFD, 0 },
	{ "inotify_init", DV_C_NEWFD, 0 },
	{ "inotify_init1", DV_C_NEWFD, 0 },
	{ "fanotify_init", DV_C_NEWFD, 0 },
	{ "userfaultfd", DV_C_NEWFD, 0 },
	{ "perf_event_open", DV_C_NEWFD, 1 << 1 },
	{ "io_uring_setup", DV_C_NEWFD, 0 },
	{ "mq_open", DV_C_NEWFD, 0 },
	{ "open_by_handle_at", DV_C_NEWFD, 0 },
	{ "open_tree", DV_C_NEWFD, 0 },
	{ "fsopen", DV_C_NEWFD, 0 },
	{ "fsmount", DV_C_NEWFD, 0 },
	{ "fspick", DV_C_NEWFD, 0 },
	{ "pidfd_open", DV_C_NEWFD, 1 << 0 },
	{ "pidfd_getfd", DV_C_NEWFD, 0 },
	{ "dup", DV_C_DUPFD, 0 },
	{ "dup2", DV_C_DUPFD, 0 },
	{ "dup3", DV_C_DUPFD, 0 },
	{ "fcntl", DV_C_FCNTL, 0 },
	{ "accept", DV_C_ACCEPT, 0 },
	{ "accept4", DV_C_ACCEPT, 0 },
	{ "pipe", DV_C_FDPAIR, 0 },
	{ "pipe2", DV_C_FDPAIR, 0 },
	{ "socketpair", DV_C_FDPAIR, 0 },
	{ "close", DV_C_CLOSE, 0 },
	{ "getpid", DV_C_RETPID, 0 },
	{ "gettid", DV_C_RETPID, 0 },
	{ "getppid", DV_C_RETPID, 0 },
	{ "getpgrp", DV_C_RETPID, 0 },
	{ "setsid", DV_C_RETPID, 0 },
	{ "set_tid_address", DV_C_RETPID, 0 },
	{ "getpgid", DV_C_RETPID, 1 << 0 },
	{ "getsid", DV_C_RETPID, 1 << 0 },
	{ "wait4", DV_C_RETPID, 1 << 0 },
	{ "fork", DV_C_FORK | DV_C_RETPID, 0 },
	{ "vfork", DV_C_FORK | DV_C_RETPID, 0 },
	{ "clone", DV_C_FORK | DV_C_RETPID, 0 },
	{ "clone3", DV_C_FORK | DV_C_RETPID, 0 },
	{ "execve", DV_C_EXEC, 0 },
	{ "execveat", DV_C_EXEC, 0 },
	{ "kill", 0, 1 << 0 },
	{ "tkill", 0, 1 << 0 },
	{ "tgkill", 0, (1 << 0) | (1 << 1) },
	{ "waitid", 0, 1 << 1 },
	{ "setpgid", 0, (1 << 0) | (1 << 1) },
	{ "prlimit64", 0, 1 << 0 },
	{ "sched_setaffinity", 0, 1 << 0 },
	{ "sched_getaffinity", 0, 1 << 0 },
	{ "sched_setscheduler", 0, 1 << 0 },
	{ "sched_getscheduler", 0, 1 << 0 },
	{ "sched_setparam", 0, 1 << 0 },
	{ "sched_getparam", 0, 1 << 0 },
	{ "sched_setattr", 0, 1 << 0 },
	{ "sched_getattr", 0, 1 << 0 },
	{ "process_vm_readv", 0, 1 << 0 },
	{ "process_vm_writev", 0, 1 << 0 },
	{ "rt_sigqueueinfo", 0, 1 << 0 },
	{ "rt_tgsigqueueinfo", 0, (1 << 0) | (1 << 1) },
	{ "get_robust_list", 0, 1 << 0 },
	{ "kcmp", 0, (1 << 0) | (1 << 1) },
	{ "ptrace", 0, 1 << 1 },
	{ "ioprio_get", 0, 1 << 1 },
	{ "ioprio_set", 0, 1 << 1 },
	{ "migrate_pages", 0, 1 << 0 },
	{ "move_pages", 0, 1 << 0 },
	{ "poll", DV_C_WEAK, 0 },
	{ "ppoll", DV_C_WEAK, 0 },
	{ "select", DV_C_WEAK, 0 },
	{ "pselect6", DV_C_WEAK, 0 },
	{ "epoll_wait", DV_C_WEAK, 0 },
	{ "epoll_pwait", DV_C_WEAK, 0 },
	{ "epoll_pwait2", DV_C_WEAK, 0 },
	{ "rt_sigreturn", DV_C_WEAK, 0 }, /* where a signal landed; returns the interrupted call's */
	{ "nanosleep", DV_C_WEAK, 0 },
	{ "clock_nanosleep", DV_C_WEAK, 0 },
	{ "time", DV_C_RETTIME, 0 },
	{ "times", DV_C_RETTIME, 0 },
	/* glibc aligns a thread's malloc arena by unmapping the unaligned head
	 * and tail of a larger mapping: one or two munmaps whose lengths
	 * depend on where the kernel put it */
	{ "munmap", DV_C_LAYOUT | DV_C_WEAK, 0 },
	{ "mmap", DV_C_RETPTR, 0 },
	{ "mremap", DV_C_RETPTR, 0 },
	{ "brk", DV_C_RETPTR, 0 },
	{ "shmat", DV_C_RETPTR, 0 },
};

void dv_classes_init(struct dv_classes *c)
{
	unsigned nr, i;

	memset(c, 0, sizeof(*c));
	for (nr = 0; nr < RT_SC_NR_MAX; nr++) {
		const char *name = rt_sc_table[nr].name;

		if (!name)
			continue;
		for (i = 0; i < sizeof(class_list) / sizeof(class_list[0]); i++) {
			if (!strcmp(class_list[i].name, name)) {
				c->cls[nr] = class_list[i].cls;
				c->pidargs[nr] = class_list[i].pidargs;
				break;
			}
		}
	}
}

static __u16 cls_of(const struct dv_classes *c, __u32 nr)
{
	return nr < RT_SC_NR_MAX ? c->cls[nr] : 0;
}

/* ---- records ------------------------------------------------------------ */

/* The blobs of one record, by argument. */
struct blobs {
	const struct rt_sc_blob *arg[6];
	const struct rt_sc_blob *argv[RT_SC_ARGV_MAX];
	int argc;
	int argv_total;
};

static int parse_blobs(const struct rt_syscall_event *ev, size_t len, struct blobs *bl)
{
	struct rt_sc_blob_it it;
	const struct rt_sc_blob *b;

	memset(bl, 0, sizeof(*bl));
	bl->argv_total = -1;
	for (b = rt_sc_blob_first(&it, ev, len); b; b = rt_sc_blob_next(&it)) {
		if (b->kind == RT_BLOB_STR || b->kind == RT_BLOB_DATA) {
			if (!bl->arg[b->arg])
				bl->arg[b->arg] = b;
		} else if (b->kind == RT_BLOB_ARGV) {
			if (bl->argc < RT_SC_ARGV_MAX)
				bl->argv[bl->argc++] = b;
		} else if (b->kind == RT_BLOB_ARGV_END && b->len >= 4) {
			memcpy(&bl->argv_total, rt_sc_blob_data(b), 4);
		}
	}
	return it.bad ? -EINVAL : 0;
}

/* A string blob without its NUL. */
static size_t str_len(const struct rt_sc_blob *b)
{
	size_t n = b->len;

	if (n && rt_sc_blob_data(b)[n - 1] == 0)
		n--;
	return n;
}

static bool is_err(__s64 ret)
{
	return ret < 0 && ret >= -4095;
}

/* The path argument of a syscall (first path or string blob), or NULL. */
static const struct rt_sc_blob *path_blob(const struct rt_sc_desc *d, const struct blobs *bl)
{
	int i;

	if (!d || d->nargs < 0)
		return NULL;
	for (i = 0; i < d->nargs; i++)
		if ((d->kinds[i] == RT_A_PATH || d->kinds[i] == RT_A_STR) && bl->arg[i] &&
		    bl->arg[i]->kind == RT_BLOB_STR)
			return bl->arg[i];
	return NULL;
}

/* ---- collecting ---------------------------------------------------------- */

static int proc_get(struct dv_digest *dg, __u32 pid)
{
	int i = idmap_get(&dg->pids, pid);
	struct dv_proc *p;

	if (i >= 0)
		return i;
	if (grow(&dg->procs, &dg->procs_cap, dg->nprocs, sizeof(*dg->procs)))
		return -ENOMEM;
	i = dg->nprocs;
	if (idmap_set(&dg->pids, pid, i))
		return -ENOMEM;
	dg->nprocs++;
	p = &dg->procs[i];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->parent = -1;
	p->match = -1;
	return i;
}

static int thread_get(struct dv_digest *dg, __u32 tid, int proc)
{
	int i = idmap_get(&dg->tids, tid);
	struct dv_thread *t;
	struct dv_proc *p = &dg->procs[proc];

	if (i >= 0)
		return i;
	if (grow(&dg->threads, &dg->threads_cap, dg->nthreads, sizeof(*dg->threads)) ||
	    grow(&p->threads, &p->threads_cap, p->nthreads, sizeof(*p->threads)))
		return -ENOMEM;
	i = dg->nthreads;
	if (idmap_set(&dg->tids, tid, i))
		return -ENOMEM;
	dg->nthreads++;
	t = &dg->threads[i];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->proc = proc;
	t->match = -1;
	/* the main thread first, the others in the order they appear */
	if (tid == p->pid) {
		memmove(p->threads + 1, p->threads, p->nthreads * sizeof(*p->threads));
		p->threads[0] = i;
	} else {
		p->threads[p->nthreads] = i;
	}
	p->nthreads++;
	return i;
}

static int add_child(struct dv_digest *dg, int parent, int child, __u64 ts)
{
	struct dv_proc *p = &dg->procs[parent];

	if (child == parent || dg->procs[child].parent >= 0 || child == dg->root)
		return 0;
	if (grow(&p->children, &p->children_cap, p->nchildren, sizeof(*p->children)))
		return -ENOMEM;
	p->children[p->nchildren++] = child;
	dg->procs[child].parent = parent;
	dg->procs[child].fork_ts = ts;
	dg->procs[child].child_no = p->nchildren;
	return 0;
}

static void set_exec(struct dv_proc *p, const char *path, size_t len, __u64 ts)
{
	if (!p->exec_path || ts > p->exec_ts) {
		p->last_path = path;
		p->last_len = len;
	}
	if (p->exec_path)
		return;
	p->exec_path = path;
	p->exec_len = len;
	p->exec_ts = ts;
}

static int collect_syscall(struct dv_digest *dg, const struct dv_classes *cl,
			   const struct rt_syscall_event *ev, size_t len)
{
	int p, t;

	if (len < sizeof(*ev))
		return 0;
	p = proc_get(dg, ev->hdr.pid);
	if (p < 0)
		return p;
	t = thread_get(dg, ev->hdr.tid, p);
	if (t < 0)
		return t;
	if (grow(&dg->threads[t].recs, &dg->threads[t].cap, dg->threads[t].n, sizeof(void *)))
		return -ENOMEM;
	dg->threads[t].recs[dg->threads[t].n++] = ev;
	dg->nsyscalls++;
	if ((cls_of(cl, ev->nr) & DV_C_EXEC) && ev->ret == 0 &&
	    !(ev->flags & RT_SC_F_UNFINISHED)) {
		struct blobs bl;
		const struct rt_sc_blob *b;

		if (!parse_blobs(ev, len, &bl) && (b = path_blob(rt_sc_desc(ev->nr), &bl)))
			set_exec(&dg->procs[p], (const char *)rt_sc_blob_data(b), str_len(b),
				 ev->hdr.ts);
	}
	return 0;
}

static int collect_proc(struct dv_digest *dg, const struct rt_proc_event *pe, size_t len)
{
	int p, c, t;

	if (len < offsetof(struct rt_proc_event, is_thread))
		return 0;
	switch (pe->kind) {
	case RT_PROC_FORK:
		if (len < offsetof(struct rt_proc_event, comm))
			return 0;
		dg->saw_fork = true;
		p = proc_get(dg, pe->is_thread ? pe->child_pid : pe->hdr.pid);
		if (p < 0)
			return p;
		if (pe->is_thread) {
			t = thread_get(dg, pe->child_tid, p);
			return t < 0 ? t : 0;
		}
		c = proc_get(dg, pe->child_pid);
		if (c < 0)
			return c;
		return add_child(dg, p, c, pe->hdr.ts);
	case RT_PROC_EXEC:
		if (len <= offsetof(struct rt_proc_event, filename))
			return 0;
		p = proc_get(dg, pe->hdr.pid);
		if (p < 0)
			return p;
		set_exec(&dg->procs[p], pe->filename,
			 strnlen(pe->filename, len - offsetof(struct rt_proc_event, filename)),
			 pe->hdr.ts);
		return 0;
	case RT_PROC_EXIT:
		/* a thread's own exit comes as an exit record of its tid */
		p = idmap_get(&dg->pids, pe->hdr.pid);
		if (p < 0) {
			if (idmap_get(&dg->tids, pe->hdr.pid) >= 0)
				return 0;
			p = proc_get(dg, pe->hdr.pid);
			if (p < 0)
				return p;
			dg->procs[p].from_exit_only = true;
		}
		dg->procs[p].exited = true;
		dg->procs[p].exit_status = pe->exit_code;
		return 0;
	default:
		return 0;
	}
}

struct fork_seen {
	__u64 ts;
	int parent, child;
};

static int fork_cmp(const void *x, const void *y)
{
	const struct fork_seen *a = x, *b = y;

	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* No fork records: the tree from clone/fork/vfork return values. */
static int tree_from_syscalls(struct dv_digest *dg, const struct dv_classes *cl)
{
	struct fork_seen *fs = NULL;
	size_t n = 0, cap = 0, i, k;
	int err = 0;

	for (i = 0; i < dg->nthreads; i++) {
		const struct dv_thread *t = &dg->threads[i];

		for (k = 0; k < t->n; k++) {
			const struct rt_syscall_event *ev = t->recs[k];
			int c;

			if (!(cls_of(cl, ev->nr) & DV_C_FORK) || ev->ret <= 0 ||
			    (ev->flags & RT_SC_F_UNFINISHED))
				continue;
			c = idmap_get(&dg->pids, (__u32)ev->ret);
			if (c < 0 || c == t->proc)
				continue;
			err = grow(&fs, &cap, n, sizeof(*fs));
			if (err)
				goto cleanup;
			fs[n++] = (struct fork_seen){ ev->hdr.ts, t->proc, c };
		}
	}
	if (n)
		qsort(fs, n, sizeof(*fs), fork_cmp);
	for (i = 0; i < n && !err; i++)
		err = add_child(dg, fs[i].parent, fs[i].child, fs[i].ts);
cleanup:
	free(fs);
	return err;
}

static __u64 first_ts(const struct dv_digest *dg, const struct dv_proc *p)
{
	__u64 ts = ~0ull;
	size_t i;

	for (i = 0; i < p->nthreads; i++) {
		const struct dv_thread *t = &dg->threads[p->threads[i]];

		if (t->n && t->recs[0]->hdr.ts < ts)
			ts = t->recs[0]->hdr.ts;
	}
	return ts;
}

/* The run's child before its exec is runtrace's own setup (syscalls.log
 * leaves it out too): drop its syscalls that began before the exec, all
 * but the exec attempts. */
static void drop_setup(struct dv_digest *dg, const struct dv_classes *cl)
{
	struct dv_proc *r = &dg->procs[dg->root];
	size_t i, k, o;

	if (!r->exec_path)
		return;
	for (i = 0; i < r->nthreads; i++) {
		struct dv_thread *t = &dg->threads[r->threads[i]];

		for (k = o = 0; k < t->n; k++) {
			const struct rt_syscall_event *ev = t->recs[k];

			if (ev->hdr.ts < r->exec_ts && !(cls_of(cl, ev->nr) & DV_C_EXEC)) {
				dg->skipped++;
				continue;
			}
			t->recs[o++] = ev;
		}
		dg->nsyscalls -= t->n - o;
		t->n = o;
	}
}

int dv_digest_collect(struct dv_digest *dg, const struct ct_spool *spool,
		      const struct dv_run_info *info, int side)
{
	struct dv_classes cl;
	struct ct_spool_iter it;
	const struct rt_hdr *h;
	size_t len, i;
	int err = 0;

	memset(dg, 0, sizeof(*dg));
	dg->info = info;
	dg->side = side;
	dg->root = -1;
	dv_classes_init(&cl);
	if (info->root_pid) {
		dg->root = proc_get(dg, info->root_pid);
		if (dg->root < 0)
			return -ENOMEM;
	}
	ct_spool_iter_init(spool, &it);
	while ((h = ct_spool_next(&it, &len))) {
		if (len < sizeof(*h))
			continue;
		if (h->type == RT_EV_SYSCALL)
			err = collect_syscall(dg, &cl, (const void *)h, len);
		else if (h->type == RT_EV_PROC)
			err = collect_proc(dg, (const void *)h, len);
		if (err)
			return err;
	}
	if (!dg->nprocs)
		return 0;
	if (dg->root < 0) {
		for (i = 0; i < dg->nprocs && dg->procs[i].parent >= 0; i++)
			;
		dg->root = i < dg->nprocs ? (int)i : 0;
	}
	if (!dg->saw_fork) {
		err = tree_from_syscalls(dg, &cl);
		if (err)
			return err;
	}
	/* processes whose parent is not in the spool: under the root */
	for (i = 0; i < dg->nprocs; i++) {
		struct dv_proc *p = &dg->procs[i];

		if ((int)i == dg->root || p->parent >= 0 || p->from_exit_only)
			continue;
		err = add_child(dg, dg->root, i, first_ts(dg, p));
		if (err)
			return err;
	}
	for (i = 0; i < dg->nprocs; i++) {
		struct dv_proc *p = &dg->procs[i];

		p->key = p->exec_path ? hash_text(0xcbf29ce484222325ull,
						   (const unsigned char *)p->exec_path,
						   p->exec_len) | 1 : 0;
	}
	drop_setup(dg, &cl);
	return 0;
}

void dv_digest_free(struct dv_digest *dg)
{
	size_t i;

	for (i = 0; i < dg->nprocs; i++) {
		free(dg->procs[i].children);
		free(dg->procs[i].threads);
		free(dg->procs[i].fds);
	}
	for (i = 0; i < dg->nthreads; i++) {
		free(dg->threads[i].recs);
		free(dg->threads[i].h);
		free(dg->threads[i].pos);
	}
	free(dg->procs);
	free(dg->threads);
	idmap_free(&dg->pids);
	idmap_free(&dg->tids);
	memset(dg, 0, sizeof(*dg));
}

/* ---- matching ------------------------------------------------------------ */

static void match_threads(struct dv_digest *a, int pa, struct dv_digest *b, int pb)
{
	struct dv_proc *x = &a->procs[pa], *y = &b->procs[pb];
	size_t i;

	for (i = 0; i < x->nthreads && i < y->nthreads; i++) {
		a->threads[x->threads[i]].match = y->threads[i];
		b->threads[y->threads[i]].match = x->threads[i];
	}
}

/* Each child's key joined with its occurrence among its earlier siblings
 * (the 2nd child that exec'd /bin/cat: cat#1), into @out. */
static int keys_with_order(const struct dv_digest *dg, const struct dv_proc *parent, __u64 *out)
{
	struct dv_aggmap seen = { 0 };
	size_t i;

	for (i = 0; i < parent->nchildren; i++) {
		__u64 key = dg->procs[parent->children[i]].key;
		struct dv_agg *e = agg_get(&seen, mix(key, 0x0cc));

		if (!e) {
			dv_aggmap_free(&seen);
			return -ENOMEM;
		}
		out[i] = mix(key, e->count[0]++);
	}
	dv_aggmap_free(&seen);
	return 0;
}

/* Match the children of matched @pa and @pb; push matched pairs on @q. */
static int match_children(struct dv_digest *a, int pa, struct dv_digest *b, int pb, int *q,
			  size_t *nq)
{
	struct dv_proc *x = &a->procs[pa], *y = &b->procs[pb];
	struct dv_aggmap seen = { 0 };
	__u64 *occ_a = NULL, *occ_b;
	size_t i, j;
	int err = 0;

	if (!x->nchildren || !y->nchildren)
		return 0;
	/* by first exec'd path and fork order: the k-th child that exec'd a
	 * path with the k-th */
	occ_a = calloc(x->nchildren + y->nchildren, sizeof(*occ_a));
	if (!occ_a)
		return -ENOMEM;
	occ_b = occ_a + x->nchildren;
	err = keys_with_order(a, x, occ_a);
	if (!err)
		err = keys_with_order(b, y, occ_b);
	if (err)
		goto cleanup;
	for (i = 0; i < x->nchildren; i++) {
		struct dv_agg *e = agg_get(&seen, occ_a[i]);

		if (!e) {
			err = -ENOMEM;
			goto cleanup;
		}
		e->thread[0] = x->children[i];
	}
	for (j = 0; j < y->nchildren; j++) {
		int cb = y->children[j], ca;
		struct dv_agg *e = agg_get(&seen, occ_b[j]);

		if (!e) {
			err = -ENOMEM;
			goto cleanup;
		}
		ca = e->thread[0];
		if (ca < 0 || a->procs[ca].match >= 0)
			continue;
		a->procs[ca].match = cb;
		b->procs[cb].match = ca;
		q[(*nq)++] = ca;
	}
	/* the rest by fork order alone (an exec that failed in one run) */
	for (i = j = 0;; i++, j++) {
		while (i < x->nchildren && a->procs[x->children[i]].match >= 0)
			i++;
		while (j < y->nchildren && b->procs[y->children[j]].match >= 0)
			j++;
		if (i >= x->nchildren || j >= y->nchildren)
			break;
		a->procs[x->children[i]].match = y->children[j];
		b->procs[y->children[j]].match = x->children[i];
		a->procs[x->children[i]].by_order = b->procs[y->children[j]].by_order = true;
		q[(*nq)++] = x->children[i];
	}
cleanup:
	free(occ_a);
	dv_aggmap_free(&seen);
	return err;
}

static void set_tokens(struct dv_digest *dg, int side)
{
	size_t i, k;

	for (i = 0; i < dg->nprocs; i++) {
		struct dv_proc *p = &dg->procs[i];

		/* matched: the passing run's index, the same on both sides */
		if (p->match >= 0)
			p->token = mix(0x70, side == 0 ? i : (size_t)p->match);
		else
			p->token = mix(0x71 + side, i);
		for (k = 0; k < p->nthreads; k++) {
			struct dv_thread *t = &dg->threads[p->threads[k]];

			t->order = k;
			t->token = k ? mix(p->token, k) : p->token;
		}
	}
}

int dv_match(struct dv_digest *a, struct dv_digest *b)
{
	int *q = NULL;
	size_t nq = 0, i;
	int err = 0;

	if (a->root >= 0 && b->root >= 0) {
		q = malloc((a->nprocs + 1) * sizeof(*q));
		if (!q)
			return -ENOMEM;
		a->procs[a->root].match = b->root;
		b->procs[b->root].match = a->root;
		q[nq++] = a->root;
		/* breadth first: q grows as children match */
		for (i = 0; i < nq && !err; i++) {
			int pa = q[i], pb = a->procs[pa].match;

			match_threads(a, pa, b, pb);
			err = match_children(a, pa, b, pb, q, &nq);
		}
		free(q);
	}
	set_tokens(a, 0);
	set_tokens(b, 1);
	return err;
}

/* ---- normalising --------------------------------------------------------- */

struct norm {
	const struct dv_classes *cl;
	struct dv_digest *dg;
	struct dv_aggmap *agg;
};

/* Origins carry one flag: bytes read from it are random. */
#define ORIGIN_RANDOM 1ull

static __u64 fd_get(const struct dv_proc *p, long fd)
{
	if (fd >= 0 && (size_t)fd < p->nfds && p->fds[fd])
		return p->fds[fd];
	return mix(0xfd, (__u64)fd) & ~ORIGIN_RANDOM; /* unknown (inherited): by number */
}

static int fd_put(struct dv_proc *p, long fd, __u64 origin)
{
	if (fd < 0 || fd >= FD_MAX)
		return 0;
	if ((size_t)fd >= p->nfds) {
		size_t n = p->nfds ? p->nfds : 16;
		__u64 *f;

		while (n <= (size_t)fd)
			n *= 2;
		f = realloc(p->fds, n * sizeof(*f));
		if (!f)
			return -ENOMEM;
		memset(f + p->nfds, 0, (n - p->nfds) * sizeof(*f));
		p->fds = f;
		p->nfds = n;
	}
	p->fds[fd] = origin;
	return 0;
}

static bool random_path(const struct rt_sc_blob *b)
{
	size_t n = b ? str_len(b) : 0;

	return (n == 12 && !memcmp(rt_sc_blob_data(b), "/dev/urandom", 12)) ||
	       (n == 11 && !memcmp(rt_sc_blob_data(b), "/dev/random", 11));
}

static __u64 pid_token(const struct dv_digest *dg, long v)
{
	int i;

	if (v <= 0)
		return mix(0x9d, (__u64)v);
	i = idmap_get(&dg->pids, v);
	if (i >= 0)
		return dg->procs[i].token;
	i = idmap_get(&dg->tids, v);
	if (i >= 0)
		return dg->threads[i].token;
	return mix(0x9e, (__u64)v); /* not of this run: runtrace, init, ... */
}

/* The hash of argument @i of @ev. */
static __u64 hash_arg(struct norm *nc, const struct dv_proc *p, const struct rt_syscall_event *ev,
		      const struct rt_sc_desc *d, const struct blobs *bl, int i, __u64 h,
		      bool random_fd)
{
	unsigned long long a = ev->args[i];
	const struct rt_sc_blob *b = bl->arg[i];
	int k;

	if (nc->cl->pidargs[ev->nr] & (1u << i))
		return mix(h, pid_token(nc->dg, (int)a < 0 ? -(long)(int)a : (int)a) ^ ((int)a < 0));
	if ((nc->cl->cls[ev->nr] & DV_C_LAYOUT) && d->kinds[i] == RT_A_ULONG)
		return mix(h, 0x1e);
	switch (d->kinds[i]) {
	case RT_A_FD:
		return mix(h, fd_get(p, (int)a) & ~ORIGIN_RANDOM);
	case RT_A_DIRFD:
		return mix(h, (int)a == AT_FDCWD ? 0xcd : fd_get(p, (int)a) & ~ORIGIN_RANDOM);
	case RT_A_PTR:
	case RT_A_RUSAGE:
	case RT_A_ENVP:
		return mix(h, a != 0);
	case RT_A_HEX:
	case RT_A_IOCTLARG:
	case RT_A_FCNTLARG:
	case RT_A_PRCTLARG:
	case RT_A_ARCHARG:
		/* a number, or an address as the command says (arch_prctl's
		 * ARCH_SET_FS, an ioctl's struct): above 4 GiB it is taken
		 * for an address, which ASLR moves from run to run */
		return mix(h, a >= (1ull << 32) ? 0xadd7 : a);
	case RT_A_PATH:
	case RT_A_STR:
		if (b && b->kind == RT_BLOB_STR)
			return hash_text(mix(h, 0x57), rt_sc_blob_data(b), str_len(b));
		return mix(h, a != 0);
	case RT_A_BUFIN:
	case RT_A_BUFOUT:
	case RT_A_IOVIN:
	case RT_A_IOVOUT:
		if (random_fd)
			return mix(h, 0x7a);
		if (b)
			return hash_data(mix(h, b->len), rt_sc_blob_data(b), b->len);
		return mix(h, a != 0);
	case RT_A_SOCKADDR:
	case RT_A_SOCKADDROUT:
		if (b)
			return hash_sockaddr(h, rt_sc_blob_data(b), b->len);
		return mix(h, a != 0);
	case RT_A_PIPEFDS:
		return mix(h, b != NULL); /* the new fds' numbers: not compared */
	case RT_A_WAITSTATUS:
		if (b && b->len >= 4) {
			int s;

			memcpy(&s, rt_sc_blob_data(b), 4);
			return mix(h, (__u32)s);
		}
		return mix(h, a != 0);
	case RT_A_ARGV:
		if (!bl->argc && bl->argv_total < 0)
			return mix(h, a != 0);
		for (k = 0; k < bl->argc; k++)
			h = hash_text(mix(h, k), rt_sc_blob_data(bl->argv[k]),
				      str_len(bl->argv[k]));
		return mix(h, bl->argv_total);
	case RT_A_CLONEFLAGS:
		return mix(h, a);
	default:
		/* an address (a struct, an array the decoder reads): whether set */
		return mix(h, rt_argkind_is_address(d->kinds[i]) ? a != 0 : a);
	}
}

/* The normalised hash of one syscall, its aggregation key, and what it does
 * to the process's fd table. */
static int norm_one(struct norm *nc, struct dv_proc *p, const struct rt_syscall_event *ev,
		    size_t len, __u64 *hash, __u64 *key)
{
	static const struct rt_sc_desc unknown = { "?", 6, 0, { 0 }, { 0 } };
	const struct rt_sc_desc *d = rt_sc_desc(ev->nr);
	__u16 cls = cls_of(nc->cl, ev->nr);
	bool done = !(ev->flags & RT_SC_F_UNFINISHED), weak = cls & DV_C_WEAK;
	const struct rt_sc_blob *pb;
	__u64 h = mix(0x5c, ev->nr), main = 0, origin = 0;
	bool random_fd = false;
	struct blobs bl;
	int i, n;

	if (parse_blobs(ev, len, &bl) || !d || d->nargs < 0) {
		memset(&bl, 0, sizeof(bl));
		d = d && d->nargs >= 0 ? d : &unknown;
	}
	n = d->nargs;
	if (n > 0 && (d->kinds[0] == RT_A_FD))
		random_fd = fd_get(p, (int)ev->args[0]) & ORIGIN_RANDOM;
	for (i = 0; i < n; i++) {
		if (d == &unknown)
			h = mix(h, ev->args[i] >= (1ull << 32) ? 0xadd7 : ev->args[i]);
		else
			h = hash_arg(nc, p, ev, d, &bl, i, h, random_fd);
	}
	/* the main argument: a path or string, else an address, else an fd */
	pb = d != &unknown ? path_blob(d, &bl) : NULL;
	if (pb) {
		main = hash_text(0x3a, rt_sc_blob_data(pb), str_len(pb));
	} else {
		for (i = 0; i < n && !main; i++) {
			if ((d->kinds[i] == RT_A_SOCKADDR || d->kinds[i] == RT_A_SOCKADDROUT) &&
			    bl.arg[i])
				main = hash_sockaddr(0x3b, rt_sc_blob_data(bl.arg[i]),
						     bl.arg[i]->len);
			else if (d->kinds[i] == RT_A_FD || d->kinds[i] == RT_A_DIRFD)
				main = mix(0x3c, fd_get(p, (int)ev->args[i]));
		}
		/* else the first argument, normalised (exit_group's code, kill's pid) */
		if (!main && n > 0 && d != &unknown)
			main = hash_arg(nc, p, ev, d, &bl, 0, 0x3d, random_fd);
		/* data read or written is part of it: a message on stderr */
		for (i = 0; i < n && d != &unknown; i++)
			if (d->kinds[i] >= RT_A_BUFIN && d->kinds[i] <= RT_A_IOVOUT && bl.arg[i] &&
			    !random_fd)
				main = hash_data(main, rt_sc_blob_data(bl.arg[i]), bl.arg[i]->len);
	}
	if (!done) {
		h = mix(h, 0xdead);
	} else if (is_err(ev->ret)) {
		h = mix(h, ev->ret);
		weak |= ev->ret == -EAGAIN || ev->ret == -EINTR || ev->ret == -ETIMEDOUT ||
			ev->ret <= -512;
	} else if (cls & (DV_C_NEWFD | DV_C_DUPFD | DV_C_ACCEPT | DV_C_WEAK | DV_C_RETTIME |
			  DV_C_RETPTR)) {
		h = mix(h, 0x0c);
	} else if (cls & DV_C_FCNTL && (ev->args[1] == F_DUPFD || ev->args[1] == F_DUPFD_CLOEXEC)) {
		h = mix(h, 0x0c);
	} else if (cls & DV_C_RETPID) {
		h = mix(h, pid_token(nc->dg, ev->ret));
	} else {
		h = mix(h, ev->ret);
	}
	*key = mix(mix(mix(0x6b, ev->nr), done ? (is_err(ev->ret) ? ev->ret : 0) : 1), main);
	*hash = (h & ~DV_WEAK) | (weak ? DV_WEAK : 0);

	/* the fd table, after */
	if (!done || is_err(ev->ret))
		return cls & DV_C_CLOSE && done ? fd_put(p, (int)ev->args[0], 0) : 0;
	if (cls & DV_C_NEWFD) {
		origin = mix(mix(0x0f, ev->nr), main);
		if (random_path(pb))
			origin |= ORIGIN_RANDOM;
		else
			origin &= ~ORIGIN_RANDOM;
		if (!strcmp(d->name, "socket"))
			origin = mix(origin, (ev->args[0] << 32) | (ev->args[1] & 0xf)) & ~ORIGIN_RANDOM;
		return fd_put(p, ev->ret, origin);
	}
	if ((cls & DV_C_DUPFD) ||
	    (cls & DV_C_FCNTL && (ev->args[1] == F_DUPFD || ev->args[1] == F_DUPFD_CLOEXEC)))
		return fd_put(p, ev->ret, fd_get(p, (int)ev->args[0]));
	if (cls & DV_C_ACCEPT)
		return fd_put(p, ev->ret, mix(0xacc, fd_get(p, (int)ev->args[0])) & ~ORIGIN_RANDOM);
	if (cls & DV_C_CLOSE)
		return fd_put(p, (int)ev->args[0], 0);
	if (cls & DV_C_FDPAIR) {
		for (i = 0; i < n; i++) {
			const struct rt_sc_blob *b = bl.arg[i];
			int fds[2];

			if (d->kinds[i] != RT_A_PIPEFDS || !b || b->len < 8)
				continue;
			memcpy(fds, rt_sc_blob_data(b), 8);
			if (fd_put(p, fds[0], mix(mix(0xf2, ev->nr), 0) & ~ORIGIN_RANDOM) ||
			    fd_put(p, fds[1], mix(mix(0xf2, ev->nr), 1) & ~ORIGIN_RANDOM))
				return -ENOMEM;
		}
	}
	return 0;
}

/* A cursor over one thread's records, for merging a process's threads in
 * the order their syscalls began (a binary heap on that time). */
struct cursor {
	__u64 ts;   /* when its next record began */
	int thread;
	size_t k;   /* its next record */
};

static void heap_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct cursor t;

		if (l < n && h[l].ts < h[m].ts)
			m = l;
		if (r < n && h[r].ts < h[m].ts)
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Hand the parent's fd table to each child forked before @ts. */
static int fork_fds(struct dv_digest *dg, struct dv_proc *p, size_t *nextc, __u64 ts)
{
	while (*nextc < p->nchildren) {
		struct dv_proc *c = &dg->procs[p->children[*nextc]];

		if (c->fork_ts > ts)
			break;
		(*nextc)++;
		if (!p->nfds)
			continue;
		c->fds = malloc(p->nfds * sizeof(*c->fds));
		if (!c->fds)
			return -ENOMEM;
		memcpy(c->fds, p->fds, p->nfds * sizeof(*c->fds));
		c->nfds = p->nfds;
	}
	return 0;
}

static int norm_proc(struct norm *nc, int pi)
{
	struct dv_digest *dg = nc->dg;
	struct dv_proc *p = &dg->procs[pi];
	struct cursor *cur;
	size_t i, nextc = 0, ncur = 0;
	int err = 0;

	cur = calloc(p->nthreads + 1, sizeof(*cur));
	if (!cur)
		return -ENOMEM;
	for (i = 0; i < p->nthreads; i++) {
		struct dv_thread *t = &dg->threads[p->threads[i]];

		t->h = malloc((t->n + 1) * sizeof(*t->h));
		t->pos = malloc((t->n + 1) * sizeof(*t->pos));
		if (!t->h || !t->pos) {
			err = -ENOMEM;
			goto cleanup;
		}
		if (t->n)
			cur[ncur++] = (struct cursor){ t->recs[0]->hdr.ts, p->threads[i], 0 };
	}
	for (i = ncur; i-- > 0;)
		heap_down(cur, ncur, i);
	while (ncur) {
		struct dv_thread *t = &dg->threads[cur[0].thread];
		size_t k = cur[0].k;
		const struct rt_syscall_event *ev = t->recs[k];
		__u64 hash, key;
		struct dv_agg *e;

		/* the next of this thread takes its place */
		if (k + 1 < t->n)
			cur[0] = (struct cursor){ t->recs[k + 1]->hdr.ts, cur[0].thread, k + 1 };
		else
			cur[0] = cur[--ncur];
		heap_down(cur, ncur, 0);

		err = fork_fds(dg, p, &nextc, ev->hdr.ts);
		if (err)
			goto cleanup;
		err = norm_one(nc, p, ev, ev->hdr.size, &hash, &key);
		if (err)
			goto cleanup;
		if (!(cls_of(nc->cl, ev->nr) & DV_C_NOISE)) {
			t->h[t->nseq] = hash;
			t->pos[t->nseq++] = k;
			e = agg_get(nc->agg, key);
			if (!e) {
				err = -ENOMEM;
				goto cleanup;
			}
			/* the earliest, though parents are gone through before children */
			if (!e->count[dg->side]++ || ev->hdr.ts < e->first[dg->side]->hdr.ts) {
				e->first[dg->side] = ev;
				e->thread[dg->side] = t - dg->threads;
			}
		}
	}
	err = fork_fds(dg, p, &nextc, ~0ull);
cleanup:
	free(p->fds);
	p->fds = NULL;
	p->nfds = 0;
	free(cur);
	return err;
}

int dv_digest_normalise(struct dv_digest *dg, const struct dv_classes *cl,
			struct dv_aggmap *agg)
{
	struct norm nc = { .cl = cl, .dg = dg, .agg = agg };
	int *q;
	size_t nq = 0, i, k;
	int err = 0;

	if (!dg->nprocs)
		return 0;
	/* parents before children: a child starts with its parent's fds */
	q = malloc(dg->nprocs * sizeof(*q));
	if (!q)
		return -ENOMEM;
	q[nq++] = dg->root;
	for (i = 0; i < nq && !err; i++) {
		struct dv_proc *p = &dg->procs[q[i]];

		for (k = 0; k < p->nchildren; k++)
			q[nq++] = p->children[k];
		err = norm_proc(&nc, q[i]);
	}
	/* processes outside the tree (known from an exit record alone) */
	for (i = 0; i < dg->nprocs && !err; i++)
		if (dg->procs[i].from_exit_only && dg->procs[i].parent < 0 && (int)i != dg->root)
			err = norm_proc(&nc, i);
	free(q);
	return err;
}
