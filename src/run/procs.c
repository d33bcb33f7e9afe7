// SPDX-License-Identifier: GPL-2.0-only
/* procs.log: the fork/exec/exit records of a run's processes, and the
 * process tree they make.  Kept with every failed run when BPF is on. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtrace.skel.h"
#include "run/procs.h"
#include "util/util.h"

/* Records kept per run; past that they are counted, not kept. */
#define PROCS_MAX 100000

/* One run's records. */
struct procs_run {
	struct rt_proc_event *ev;
	size_t n, cap;
	__u64 dropped;
	struct procs_run *next; /* on the free list */
};

struct procs {
	struct procs_run *spare; /* states of finished runs, for reuse */
};

static int procs_configure(void *self, struct runtrace_bpf *skel)
{
	skel->rodata->cfg_proc_events = true;
	return 0;
}

static int procs_run_start(void *self, struct rt_run *run)
{
	struct procs *ps = self;
	struct procs_run *p = ps->spare;
	int err;

	if (p)
		ps->spare = p->next;
	else if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->n = 0;
	p->dropped = 0;
	err = rt_run_set_state(run, self, p);
	if (err) {
		p->next = ps->spare;
		ps->spare = p;
	}
	return err;
}

static int procs_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct procs_run *p = rt_run_state(run, self);

	if (!p)
		return 0;
	if (len < sizeof(struct rt_proc_event))
		return -EINVAL;
	if (p->n == PROCS_MAX) {
		p->dropped++;
		return 0;
	}
	if (array_grow(&p->ev, &p->cap, p->n, sizeof(*p->ev), 256, PROCS_MAX))
		return -ENOMEM;
	memcpy(&p->ev[p->n++], h, sizeof(struct rt_proc_event));
	return 0;
}

static void status_str(int status, char *buf, size_t len)
{
	char sig[32];

	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s", signal_name(WTERMSIG(status), sig, sizeof(sig)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "status 0x%x", status);
}

struct node {
	__u32 pid, ppid;
	const char *comm;
	const char *exe;
	__u64 start, end;  /* ns since run start; end 0 = still running */
	int status;
	bool exited;
};

static struct node *node_of(struct node *nodes, size_t n, __u32 pid)
{
	size_t i;

	for (i = n; i-- > 0;) /* the newest with that pid (pids are reused) */
		if (nodes[i].pid == pid)
			return &nodes[i];
	return NULL;
}

static void print_tree(struct strbuf *sb, struct node *nodes, size_t n, size_t at, int depth,
		       __u64 run_ns)
{
	struct node *nd = &nodes[at];
	char st[64];
	size_t i;

	if (nd->exited)
		status_str(nd->status, st, sizeof(st));
	else
		snprintf(st, sizeof(st), "killed at run end");
	strbuf_addf(sb, "%*s%u %s", depth * 2, "", nd->pid, nd->comm);
	if (nd->exe)
		strbuf_addf(sb, " [%s]", nd->exe);
	strbuf_addf(sb, "  %s  %.3f-%.3f ms\n", st, nd->start / 1e6,
		    (nd->exited ? nd->end : run_ns) / 1e6);
	for (i = at + 1; i < n; i++)
		if (nodes[i].ppid == nd->pid && depth < 64)
			print_tree(sb, nodes, n, i, depth + 1, run_ns);
}

static int write_log(struct procs_run *p, struct rt_run *run)
{
	struct strbuf sb = { 0 };
	struct node *nodes;
	size_t nn = 0, i;
	int err;

	nodes = calloc(p->n + 1, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	nodes[nn++] = (struct node){ .pid = run->pid, .comm = "?", .start = 0 };

	strbuf_addf(&sb, "# processes of run %u: fork/exec/exit, times in seconds since its start\n",
		    run->id);
	for (i = 0; i < p->n; i++) {
		const struct rt_proc_event *e = &p->ev[i];
		double t = e->hdr.ts >= run->start_ns ? (e->hdr.ts - run->start_ns) / 1e9 : 0;
		__u64 rel = e->hdr.ts >= run->start_ns ? e->hdr.ts - run->start_ns : 0;
		struct node *nd;
		char st[64];

		switch (e->kind) {
		case RT_PROC_FORK:
			if (e->is_thread) {
				strbuf_addf(&sb, "+%.6f thread  pid %u started thread %u (%.16s)\n", t,
					    e->hdr.pid, e->child_tid, e->comm);
				break;
			}
			strbuf_addf(&sb, "+%.6f fork    pid %u -> pid %u (%.16s)\n", t, e->hdr.pid,
				    e->child_pid, e->comm);
			nodes[nn++] = (struct node){ .pid = e->child_pid, .ppid = e->hdr.pid,
						     .comm = e->comm, .start = rel };
			break;
		case RT_PROC_EXEC:
			strbuf_addf(&sb, "+%.6f exec    pid %u %.256s\n", t, e->hdr.pid, e->filename);
			nd = node_of(nodes, nn, e->hdr.pid);
			if (nd) {
				nd->exe = e->filename;
				nd->comm = e->comm;
			}
			break;
		case RT_PROC_EXIT:
			status_str(e->exit_code, st, sizeof(st));
			strbuf_addf(&sb, "+%.6f exit    pid %u %s (%.16s)\n", t, e->hdr.pid, st, e->comm);
			nd = node_of(nodes, nn, e->hdr.pid);
			if (nd) {
				nd->exited = true;
				nd->status = e->exit_code;
				nd->end = rel;
				nd->comm = e->comm;
			}
			break;
		}
	}
	if (p->dropped)
		strbuf_addf(&sb, "# %llu more records not kept (limit %d per run)\n",
			    (unsigned long long)p->dropped, PROCS_MAX);
	if (run->lost)
		strbuf_addf(&sb, "# the kernel could not queue %llu records of this run "
			    "(ring buffer full): this log may miss some\n",
			    (unsigned long long)run->lost);
	strbuf_adds(&sb, "\n# process tree: pid comm [program]  how it ended  lifetime\n");
	print_tree(&sb, nodes, nn, 0, 0, run->end_ns - run->start_ns);

	err = write_file_at(run->dirfd, run->dir, "procs.log", sb.buf, sb.len);
	strbuf_free(&sb);
	free(nodes);
	return err;
}

static int procs_run_end(void *self, struct rt_run *run)
{
	struct procs *ps = self;
	struct procs_run *p = rt_run_state(run, self);
	size_t i, forks = 0;
	int err = 0;

	if (!p)
		return 0;
	for (i = 0; i < p->n; i++)
		forks += p->ev[i].kind == RT_PROC_FORK && !p->ev[i].is_thread;
	strbuf_addf(run->json, ", \"processes\": %zu", forks + 1);
	if (run->keep)
		err = write_log(p, run);
	rt_run_set_state(run, self, NULL);
	p->next = ps->spare;
	ps->spare = p;
	return err;
}

static void procs_free(void *self)
{
	struct procs *ps = self;
	struct procs_run *p;

	if (!ps)
		return;
	while ((p = ps->spare)) {
		ps->spare = p->next;
		free(p->ev);
		free(p);
	}
	free(ps);
}

static const struct sink_ops procs_ops = {
	.name = "procs",
	.configure = procs_configure,
	.run_start = procs_run_start,
	.event = procs_event,
	.run_end = procs_run_end,
	.free = procs_free,
};

int procs_sink_new(struct sink *out)
{
	struct procs *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*out = (struct sink){ .ops = &procs_ops, .self = p, .types = 1u << RT_EV_PROC };
	return 0;
}
