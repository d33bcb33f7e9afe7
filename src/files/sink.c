// SPDX-License-Identifier: GPL-2.0-only
/* The sink of `runtrace deps`: kernel filter, join, queue, model. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "runtrace.skel.h"
#include "files/model.h"
#include "files/sink.h"
#include "syscalls/calltrace.h"
#include "syscalls/join.h"
#include "syscalls/table.h"
#include "util/util.h"

#define FILES_FLUSH_NS 25000000ull   /* per-CPU batch flush period */
#define FILES_LAG_NS 500000000ull    /* records older than this are complete */
#define FILES_TICK_NS 100000000ull

struct files_sink {
	char *cwd;
	__u64 filter[RT_SC_NR_MAX / 64];
	struct ct_join join;
	struct rt_files_queue *queue;
	struct rt_files *model;
	struct files_sink_stats stats;
	int err;                 /* first error feeding the model (-ENOMEM) */
	struct ct_timers timers;
};

static int files_configure(void *self, struct runtrace_bpf *skel)
{
	struct files_sink *f = self;

	/* configure: the file, descriptor and process syscalls; paths and
	 * fd pairs only (-s 0: no data bytes); proc records stay on */
	ct_kernel_configure(skel, f->filter, false, 0, false, true);
	skel->rodata->cfg_proc_events = true;
	ct_timers_configure(skel);
	return 0;
}

/* attach: a software cpu-clock timer on every CPU flushes its batch, so a
 * record is out at most FILES_FLUSH_NS after it was made */
static int files_attach(void *self, struct runtrace_bpf *skel, int parent_cg_fd)
{
	struct files_sink *f = self;

	return ct_timers_attach(&f->timers, skel, FILES_FLUSH_NS);
}

static int queue_joined(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	struct files_sink *f = ctx;

	return rt_files_queue__push(f->queue, &ev->hdr, len);
}

static int files_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct files_sink *f = self;
	int err;

	switch (h->type) {
	case RT_EV_PROC:
		if (len < sizeof(struct rt_proc_event))
			return 0;
		err = rt_files_queue__push(f->queue, h, len);
		break;
	case RT_EV_THREAD_EXIT:
		/* what it was killed in, or exit(2): unfinished now */
		err = ct_join_thread_exit(&f->join, h->tid, queue_joined, f);
		break;
	default:
		err = ct_join_half(&f->join, h, len, queue_joined, f);
		if (err == -EINVAL) {
			f->stats.malformed++;
			err = 0;
		}
		break;
	}
	if (err && !f->err)
		f->err = err;
	return 0;
}

static void feed(struct files_sink *f, __u64 until)
{
	int err = rt_files_queue__drain(f->queue, f->model, until);

	if (err && !f->err)
		f->err = err;
}

static int files_tick(void *self, struct rt_run *run, __u64 now)
{
	struct files_sink *f = self;

	if (now > FILES_LAG_NS)
		feed(f, now - FILES_LAG_NS);
	return 0;
}

static int files_run_end(void *self, struct rt_run *run)
{
	struct files_sink *f = self;
	int err;

	/* syscalls still waiting for their exit: unfinished; then all of it */
	err = ct_join_finish(&f->join, queue_joined, f);
	if (err && !f->err)
		f->err = err;
	feed(f, UINT64_MAX);
	f->stats.lost = run->lost;
	if (f->err)
		rt_err("cannot follow the command's files: %s", strerror(-f->err));
	return f->err;
}

static void files_free(void *self)
{
	struct files_sink *f = self;

	if (!f)
		return;
	ct_timers_free(&f->timers);
	ct_join_free(&f->join);
	rt_files_queue__free(f->queue);
	rt_files__free(f->model);
	free(f->cwd);
	free(f);
}

static const struct sink_ops files_ops = {
	.name = "deps",
	.configure = files_configure,
	.attach = files_attach,
	.event = files_event,
	.tick = files_tick,
	.run_end = files_run_end,
	.free = files_free,
};

int files_sink_new(const struct files_sink_opts *o, struct sink *out)
{
	struct files_sink *f = calloc(1, sizeof(*f));
	int err = -ENOMEM;

	if (!f)
		return -ENOMEM;
	f->cwd = strdup(o->cwd);
	f->queue = rt_files_queue__new();
	f->model = f->cwd ? rt_files__new(f->cwd) : NULL;
	if (!f->cwd || !f->queue || !f->model) {
		if (f->cwd && f->queue && errno)
			err = -errno;
		rt_err("cannot set up the file model: %s", strerror(-err));
		files_free(f);
		return err;
	}
	rt_files_syscalls(f->filter, o->optional);
	ct_join_init(&f->join, false, rt_sc_lookup("execve"), rt_sc_lookup("execveat"));
	*out = (struct sink){ .ops = &files_ops, .self = f,
			      .types = (1u << RT_EV_SYSCALL_ENTER) | (1u << RT_EV_SYSCALL_EXIT) |
				       (1u << RT_EV_THREAD_EXIT) | (1u << RT_EV_PROC),
			      .tick_ns = FILES_TICK_NS, .ring_bytes = 32 << 20 };
	return 0;
}

int files_sink_start(struct sink *k, pid_t pid)
{
	struct files_sink *f = k->self;

	return rt_files__add_process(f->model, pid, f->cwd);
}

struct rt_files *files_sink_model(struct sink *k)
{
	return ((struct files_sink *)k->self)->model;
}

const struct files_sink_stats *files_sink_stats(struct sink *k)
{
	return &((struct files_sink *)k->self)->stats;
}
