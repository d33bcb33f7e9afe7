// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/libbpf.h>

#include "runtrace.skel.h"
#include "runtrace/syscall.h"
#include "syscalls/calltrace.h"
#include "syscalls/fmt.h"
#include "syscalls/join.h"
#include "syscalls/live.h"
#include "syscalls/table.h"
#include "util/util.h"

#define LIVE_FLUSH_AT (64 << 10)      /* write when this much is buffered */
#define LIVE_TIMER_NS 25000000ull     /* per-CPU batch flush period */
#define LIVE_TICK_NS 100000000ull     /* look for kernel drops */

struct live {
	struct live_opts opts;
	__u64 filter[RT_SC_NR_MAX / 64];
	bool filter_high;
	struct ct_join join;
	struct rt_sc_fmt fmt;
	struct strbuf out;
	int werr;          /* first write error */
	__u64 lost;        /* syscall records lost, as reported so far */
	__u64 written;     /* syscalls written */

	struct bpf_link **timers;
	int ntimers;
};

static int live_configure(void *self, struct runtrace_bpf *skel)
{
	struct live *l = self;

	ct_kernel_configure(skel, l->filter, l->filter_high, l->opts.strsize,
			    l->opts.failed_only);
	bpf_program__set_autoload(skel->progs.calltrace_timer, true);
	return 0;
}

/* attach: a software cpu-clock timer on every CPU flushes its batch */
static int live_attach(void *self, struct runtrace_bpf *skel, int parent_cg_fd)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = LIVE_TIMER_NS,
	};
	struct live *l = self;
	int ncpus = libbpf_num_possible_cpus(), cpu, fd, err;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	l->timers = calloc(ncpus, sizeof(*l->timers));
	if (!l->timers)
		return -ENOMEM;
	for (cpu = 0; cpu < ncpus; cpu++) {
		fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV) /* offline CPU */
				continue;
			err = -errno;
			rt_err("cannot open a timer on CPU %d: %s", cpu, strerror(-err));
			return err;
		}
		l->timers[l->ntimers] = bpf_program__attach_perf_event(skel->progs.calltrace_timer, fd);
		if (!l->timers[l->ntimers]) {
			err = -errno;
			close(fd);
			rt_err("cannot attach the flush timer on CPU %d: %s", cpu, strerror(-err));
			return err;
		}
		l->ntimers++;
	}
	return 0;
}

static int live_write(struct live *l, bool force)
{
	int err;

	if (!l->out.len || (!force && l->out.len < LIVE_FLUSH_AT))
		return l->werr;
	if (l->werr) {
		strbuf_reset(&l->out);
		return l->werr;
	}
	err = strbuf_write(&l->out, l->opts.fd);
	strbuf_reset(&l->out);
	if (err)
		l->werr = err;
	return err;
}

static int emit(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	struct live *l = ctx;
	int err;

	err = l->opts.json ? rt_sc_fmt_json(&l->fmt, &l->out, ev, len)
			   : rt_sc_fmt_text(&l->fmt, &l->out, ev, len);
	if (err)
		strbuf_addf(&l->out, "runtrace: malformed syscall record (%zu bytes)\n", len);
	l->written++;
	live_write(l, false);
	return 0;
}

static void thread_end(struct live *l, const struct rt_hdr *h, int status)
{
	if (l->opts.json)
		rt_sc_fmt_exit_json(&l->fmt, &l->out, h->ts, h->tid, status);
	else
		rt_sc_fmt_exit_text(&l->fmt, &l->out, h->ts, h->tid, status);
}

static int live_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct live *l = self;
	int err;

	if (h->type == RT_EV_THREAD_EXIT) {
		const struct rt_thread_exit *t = (const void *)h;

		if (len < sizeof(*t))
			return 0;
		/* exit(2), or what it was killed in: unfinished now */
		err = ct_join_thread_exit(&l->join, h->tid, emit, l);
		thread_end(l, h, t->exit_code);
		return err;
	}
	if (h->type == RT_EV_SIGNAL) {
		const struct rt_signal_event *s = (const void *)h;

		if (l->opts.json)
			rt_sc_fmt_signal_json(&l->fmt, &l->out, s, len);
		else
			rt_sc_fmt_signal_text(&l->fmt, &l->out, s, len);
		return 0;
	}
	err = ct_join_half(&l->join, h, len, emit, l);
	return err == -EINVAL ? 0 : err; /* a malformed half: dropped */
}

/* Say where the kernel lost records. */
static void note_lost(struct live *l, const struct rt_run *run)
{
	__u64 d = run->drops[RT_EV_SYSCALL];

	if (d <= l->lost)
		return;
	if (l->opts.json)
		strbuf_addf(&l->out, "{\"runtrace\":\"lost\",\"lost\":%llu}\n",
			    (unsigned long long)(d - l->lost));
	else
		strbuf_addf(&l->out, "runtrace: %llu syscall records lost here (ring buffer full)\n",
			    (unsigned long long)(d - l->lost));
	l->lost = d;
}

static int live_tick(void *self, struct rt_run *run, __u64 now_ns)
{
	note_lost(self, run);
	return 0;
}

static int live_run_end(void *self, struct rt_run *run)
{
	struct live *l = self;
	int err;

	/* syscalls still in flight (detach): unfinished */
	err = ct_join_finish(&l->join, emit, l);
	note_lost(l, run);
	live_write(l, true);
	return err;
}

static void live_free(void *self)
{
	struct live *l = self;
	int i;

	if (!l)
		return;
	for (i = 0; i < l->ntimers; i++)
		bpf_link__destroy(l->timers[i]);
	free(l->timers);
	ct_join_free(&l->join);
	rt_sc_fmt_free(&l->fmt);
	strbuf_free(&l->out);
	free(l);
}

static const struct sink_ops live_ops = {
	.name = "trace",
	.configure = live_configure,
	.attach = live_attach,
	.event = live_event,
	.tick = live_tick,
	.run_end = live_run_end,
	.free = live_free,
};

int live_sink_new(const struct live_opts *o, struct sink *out)
{
	struct live *l = calloc(1, sizeof(*l));
	__s64 rt_offset;
	int err;

	if (!l)
		return -ENOMEM;
	l->opts = *o;
	err = ct_filter_from(o->filter, l->filter, &l->filter_high);
	if (err) {
		free(l);
		return err;
	}
	rt_offset = (__s64)now_ns(CLOCK_REALTIME) - (__s64)now_ns(CLOCK_MONOTONIC);
	rt_sc_fmt_init(&l->fmt, o->strsize, rt_offset);
	ct_join_init(&l->join, o->failed_only, rt_sc_lookup("execve"), rt_sc_lookup("execveat"));
	if (o->resumed)
		ct_join_emit_resumed(&l->join);
	*out = (struct sink){ .ops = &live_ops, .self = l,
			      .types = (1u << RT_EV_SYSCALL_ENTER) | (1u << RT_EV_SYSCALL_EXIT) |
				       (1u << RT_EV_THREAD_EXIT) | (1u << RT_EV_SIGNAL),
			      .tick_ns = LIVE_TICK_NS, .ring_bytes = 64 << 20 };
	return 0;
}

int live_flush(struct sink *k)
{
	return live_write(k->self, true);
}

__u64 live_lost(struct sink *k)
{
	return ((struct live *)k->self)->lost;
}

__u64 live_written(struct sink *k)
{
	return ((struct live *)k->self)->written;
}
