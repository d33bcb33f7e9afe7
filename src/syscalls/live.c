// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "runtrace.skel.h"
#include "runtrace/syscall.h"
#include "syscalls/calltrace.h"
#include "syscalls/fdpaths.h"
#include "syscalls/fmt.h"
#include "syscalls/join.h"
#include "syscalls/live.h"
#include "syscalls/table.h"
#include "util/util.h"

#define LIVE_FLUSH_AT (64 << 10)      /* write when this much is buffered */
#define LIVE_TIMER_NS 25000000ull     /* per-CPU batch flush period */
#define LIVE_TICK_NS 100000000ull     /* look for kernel drops */
#define LIVE_OPEN_NS 100000000ull     /* a held entry's part is written after this */

/* Syscalls -y traces besides the user's set: what makes and closes
 * descriptors, so their paths are known when other lines show them. */
static const char *const fd_syscalls[] = {
	"open", "openat", "openat2", "creat", "socket", "accept", "accept4", "dup", "dup2",
	"dup3", "fcntl", "pipe", "pipe2", "socketpair", "close", "close_range", "execve",
	"execveat", "epoll_create", "epoll_create1", "eventfd", "eventfd2", "signalfd",
	"signalfd4", "timerfd_create", "memfd_create", "inotify_init", "inotify_init1",
	"pidfd_open", "pidfd_getfd", "perf_event_open", "userfaultfd",
};

struct live {
	struct live_opts opts;
	__u64 show[RT_SC_NR_MAX / 64];   /* what the user asked for */
	bool show_high;
	__u64 filter[RT_SC_NR_MAX / 64]; /* what the kernel records */
	bool filter_high;
	struct ct_join join;
	struct rt_sc_fmt fmt;
	struct fdpaths *fds;             /* -y */
	struct strbuf out;
	int werr;          /* first write error */
	__u64 lost;        /* syscall records lost, as reported so far */
	__u64 written;     /* syscalls written */
	struct ct_timers timers;
	/* strace -f's line state: the thread whose entry is held (its line
	 * not printed yet), and the threads whose entry was printed
	 * unfinished and wait for their `<... resumed>` */
	__u32 held;
	__u64 held_ts;                   /* its entry time (or arrival) */
	bool open;                       /* the held entry's part is written, no newline */
	struct strbuf opened;            /* ... that part */
	struct strbuf scratch;
	__u32 *resume;
	size_t nresume, resume_cap;
	unsigned char *rec;              /* a record built from an entry */
	size_t rec_cap;
};

/* Whether a line shows or depends on when its syscall ran: times (-t, -T,
 * --json) or the pid prefix, which follows the number of tasks at that
 * time.  Without, the halves carry no time: two clock reads a syscall
 * less. */
static bool live_needs_clock(const struct live_opts *o)
{
	return o->json || o->tmode || o->durations || !o->column_pids;
}

static int live_configure(void *self, struct runtrace_bpf *skel)
{
	struct live *l = self;

	ct_kernel_configure(skel, l->filter, l->filter_high, l->opts.strsize,
			    l->opts.failed_only, live_needs_clock(&l->opts));
	ct_timers_configure(skel);
	return 0;
}

/* attach: a software cpu-clock timer on every CPU flushes its batch */
static int live_attach(void *self, struct runtrace_bpf *skel, int parent_cg_fd)
{
	struct live *l = self;

	return ct_timers_attach(&l->timers, skel, LIVE_TIMER_NS);
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

static bool shown(const struct live *l, __u32 nr)
{
	if (nr >= RT_SC_NR_MAX)
		return l->show_high;
	return l->show[nr / 64] & (1ull << (nr & 63));
}

/* The prefix of a text line about time @ts, as strace chooses it. */
static void set_prefix(struct live *l, __u64 ts)
{
	if (l->opts.column_pids)
		l->fmt.prefix = RT_SC_PFX_COLUMN;
	else if (!l->opts.tasks || l->opts.tasks(l->opts.tasks_ctx, ts) > 1)
		l->fmt.prefix = RT_SC_PFX_PID;
	else
		l->fmt.prefix = RT_SC_PFX_NONE;
}

static void resume_add(struct live *l, __u32 tid)
{
	if (!array_grow(&l->resume, &l->resume_cap, l->nresume, sizeof(*l->resume), 16,
			SIZE_MAX))
		l->resume[l->nresume++] = tid;
}

/* Whether @tid's entry was printed unfinished (and forget it). */
static bool resume_take(struct live *l, __u32 tid)
{
	size_t i;

	for (i = 0; i < l->nresume; i++) {
		if (l->resume[i] == tid) {
			l->resume[i] = l->resume[--l->nresume];
			return true;
		}
	}
	return false;
}

static const char unfinished[] = " <unfinished ...>\n";

/* The held entry's part, `name(args known at entry` (strace's line before
 * it sees the exit), in l->scratch.  0, or < 0 if it is not shown. */
static int held_part(struct live *l)
{
	const struct rt_syscall_event *ev;
	size_t len, n = sizeof(unfinished) - 1;

	if (ct_join_waiting(&l->join, l->held, &l->rec, &l->rec_cap, &len))
		return -ENOENT;
	ev = (const void *)l->rec;
	if (!shown(l, ev->nr))
		return -ENOENT;
	strbuf_reset(&l->scratch);
	set_prefix(l, ev->hdr.ts);
	if (rt_sc_fmt_text_part(&l->fmt, &l->scratch, ev, len, RT_SC_UNFINISHED) ||
	    l->scratch.len < n || memcmp(l->scratch.buf + l->scratch.len - n, unfinished, n))
		return -EINVAL;
	l->scratch.len -= n;
	return 0;
}

/* The held entry's line, cut short: another line comes first. */
static void release_held(struct live *l)
{
	if (!l->held)
		return;
	if (l->open) {
		strbuf_adds(&l->out, unfinished);
		resume_add(l, l->held);
	} else if (!held_part(l)) {
		strbuf_add(&l->out, l->scratch.buf, l->scratch.len);
		strbuf_adds(&l->out, unfinished);
		resume_add(l, l->held);
	}
	l->held = 0;
	l->open = false;
}

/* Nothing came after the held entry for a while: write its part now, as
 * strace does (a thread blocked in read(0, ... shows it).  Only after
 * LIVE_OPEN_NS: most syscalls' inputs are read at their exit, so a quick
 * one's entry alone would show pointers for its paths. */
static void open_held(struct live *l)
{
	if (!l->held || l->open || l->opts.json ||
	    now_ns(CLOCK_MONOTONIC) - l->held_ts < LIVE_OPEN_NS || held_part(l))
		return;
	strbuf_add(&l->out, l->scratch.buf, l->scratch.len);
	strbuf_reset(&l->opened);
	strbuf_add(&l->opened, l->scratch.buf, l->scratch.len);
	l->open = true;
}

/* A joined record (complete, unfinished or resumed): its line. */
static int emit(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	struct live *l = ctx;
	enum rt_sc_part part = RT_SC_WHOLE;
	__u32 tid = ev->hdr.tid;
	int err;

	if (l->fds)
		fdpaths__before(l->fds, ev, len);
	if (!shown(l, ev->nr))
		goto done;
	if (l->opts.json) {
		err = rt_sc_fmt_json(&l->fmt, &l->out, ev, len);
	} else if (l->held == tid && l->open) {
		/* its entry part is out: the rest of the line */
		strbuf_reset(&l->scratch);
		set_prefix(l, ev->hdr.ts);
		err = rt_sc_fmt_text_part(&l->fmt, &l->scratch, ev, len, RT_SC_WHOLE);
		l->held = 0;
		l->open = false;
		if (!err && l->scratch.len >= l->opened.len &&
		    !memcmp(l->scratch.buf, l->opened.buf, l->opened.len)) {
			strbuf_add(&l->out, l->scratch.buf + l->opened.len,
				   l->scratch.len - l->opened.len);
		} else if (!err) {
			strbuf_adds(&l->out, unfinished);
			err = rt_sc_fmt_text_part(&l->fmt, &l->out, ev, len, RT_SC_RESUMED);
		}
	} else {
		if (l->held == tid) {
			l->held = 0; /* the whole line, as if never held */
		} else {
			release_held(l);
			if (resume_take(l, tid))
				part = RT_SC_RESUMED;
		}
		set_prefix(l, ev->hdr.ts);
		err = rt_sc_fmt_text_part(&l->fmt, &l->out, ev, len, part);
	}
	if (err)
		strbuf_addf(&l->out, "runtrace: malformed syscall record (%zu bytes)\n", len);
	l->written++;
done:
	if (l->fds)
		fdpaths__after(l->fds, ev, len);
	live_write(l, false);
	return 0;
}

/* A line that is not a syscall's (thread end, signal, lost records):
 * strace first cuts the held line short. */
static void other_line(struct live *l, __u64 ts)
{
	if (!l->opts.json)
		release_held(l);
	set_prefix(l, ts);
}

static void thread_end(struct live *l, const struct rt_hdr *h, int status)
{
	/* strace prints it while the thread is still counted: just before
	 * its exit records (made within microseconds of each other) */
	other_line(l, h->ts - 100000);
	if (l->opts.json)
		rt_sc_fmt_exit_json(&l->fmt, &l->out, h->ts, h->tid, status);
	else
		rt_sc_fmt_exit_text(&l->fmt, &l->out, h->ts, h->tid, status);
}

static int live_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct live *l = self;
	int err;

	switch (h->type) {
	case RT_EV_THREAD_EXIT: {
		const struct rt_thread_exit *t = (const void *)h;

		if (len < sizeof(*t))
			return 0;
		/* exit(2), or what it was killed in: unfinished now */
		if (l->held == h->tid && l->open) {
			/* its entry part is out: the thread ends in it */
			strbuf_adds(&l->out, unfinished);
			ct_join_forget(&l->join, h->tid);
			l->held = 0;
			l->open = false;
		}
		err = ct_join_thread_exit(&l->join, h->tid, emit, l);
		resume_take(l, h->tid);
		if (l->held == h->tid)
			l->held = 0;
		thread_end(l, h, t->exit_code);
		if (t->last && l->fds)
			fdpaths__exit(l->fds, h->pid);
		return err;
	}
	case RT_EV_SIGNAL:
		other_line(l, h->ts);
		if (l->opts.json)
			rt_sc_fmt_signal_json(&l->fmt, &l->out, (const void *)h, len);
		else
			rt_sc_fmt_signal_text(&l->fmt, &l->out, (const void *)h, len);
		return 0;
	case RT_EV_PROC: {
		const struct rt_proc_event *p = (const void *)h;

		if (len >= sizeof(*p) && p->kind == RT_PROC_FORK && !p->is_thread && l->fds)
			fdpaths__fork(l->fds, p->ppid, p->child_pid);
		return 0;
	}
	case RT_EV_SYSCALL_ENTER:
		err = ct_join_half(&l->join, h, len, emit, l);
		if (err == -EINVAL)
			return 0; /* a malformed half: dropped */
		/* strace prints an entry at once; runtrace holds it until its
		 * exit or another line, which then cuts it short */
		if (!err && !l->opts.json && !l->opts.failed_only) {
			if (l->held && l->held != h->tid)
				release_held(l);
			l->held = h->tid;
			/* (without a clock in the halves, its arrival) */
			l->held_ts = h->ts ? h->ts : now_ns(CLOCK_MONOTONIC);
		}
		return err;
	default:
		err = ct_join_half(&l->join, h, len, emit, l);
		return err == -EINVAL ? 0 : err;
	}
}

/* Say where the kernel lost records. */
static void note_lost(struct live *l, const struct rt_run *run)
{
	__u64 d = run->drops[RT_EV_SYSCALL];

	if (d <= l->lost)
		return;
	if (l->opts.json) {
		strbuf_addf(&l->out, "{\"runtrace\":\"lost\",\"lost\":%llu}\n",
			    (unsigned long long)(d - l->lost));
	} else {
		release_held(l);
		strbuf_addf(&l->out, "runtrace: %llu syscall records lost here (ring buffer full)\n",
			    (unsigned long long)(d - l->lost));
	}
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

	/* syscalls still in flight (detach): unfinished; those already shown
	 * unfinished need no second line */
	if (!l->opts.json)
		release_held(l);
	while (l->nresume)
		ct_join_forget(&l->join, l->resume[--l->nresume]);
	err = ct_join_finish(&l->join, emit, l);
	note_lost(l, run);
	live_write(l, true);
	return err;
}

static void live_free(void *self)
{
	struct live *l = self;

	if (!l)
		return;
	ct_timers_free(&l->timers);
	ct_join_free(&l->join);
	rt_sc_fmt_free(&l->fmt);
	fdpaths__free(l->fds);
	strbuf_free(&l->opened);
	strbuf_free(&l->scratch);
	strbuf_free(&l->out);
	free(l->resume);
	free(l->rec);
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

static const enum rt_sc_tsfmt tsfmt[] = { RT_SC_TS_NONE, RT_SC_TS_SEC, RT_SC_TS_USEC,
					   RT_SC_TS_EPOCH };

int live_sink_new(const struct live_opts *o, struct sink *out)
{
	struct live *l = calloc(1, sizeof(*l));
	__s64 rt_offset;
	unsigned i;
	int err;

	if (!l)
		return -ENOMEM;
	l->opts = *o;
	err = ct_filter_from(o->filter, l->show, &l->show_high);
	if (err) {
		free(l);
		return err;
	}
	memcpy(l->filter, l->show, sizeof(l->filter));
	l->filter_high = l->show_high;
	rt_offset = (__s64)now_ns(CLOCK_REALTIME) - (__s64)now_ns(CLOCK_MONOTONIC);
	rt_sc_fmt_init(&l->fmt, o->strsize, rt_offset);
	/* strace's own line: pid prefix, then time, the "=" column, -T */
	l->fmt.ts = tsfmt[o->tmode & 3];
	l->fmt.time_first = false;
	l->fmt.durations = o->durations;
	l->fmt.align = 40;
	l->fmt.raw = o->raw;
	l->fmt.verbose = o->verbose;
	if (o->fd_paths) {
		l->fds = fdpaths__new(NULL, NULL);
		if (!l->fds) {
			free(l);
			return -ENOMEM;
		}
		l->fmt.fd_path = fdpaths_fmt_cb;
		l->fmt.fd_ctx = l->fds;
		for (i = 0; i < ARRAY_SIZE(fd_syscalls); i++) {
			int nr = rt_sc_lookup(fd_syscalls[i]);

			if (nr >= 0 && nr < RT_SC_NR_MAX)
				l->filter[nr / 64] |= 1ull << (nr & 63);
		}
	}
	ct_join_init(&l->join, o->failed_only, rt_sc_lookup("execve"), rt_sc_lookup("execveat"));
	if (o->resumed)
		ct_join_emit_resumed(&l->join);
	*out = (struct sink){ .ops = &live_ops, .self = l,
			      .types = (1u << RT_EV_SYSCALL_ENTER) | (1u << RT_EV_SYSCALL_EXIT) |
				       (1u << RT_EV_THREAD_EXIT) | (1u << RT_EV_SIGNAL) |
				       (1u << RT_EV_PROC),
			      .tick_ns = LIVE_TICK_NS, .ring_bytes = 64 << 20 };
	return 0;
}

int live_flush(struct sink *k)
{
	struct live *l = k->self;

	open_held(l);
	return live_write(l, true);
}

__u64 live_lost(struct sink *k)
{
	return ((struct live *)k->self)->lost;
}

__u64 live_written(struct sink *k)
{
	return ((struct live *)k->self)->written;
}
