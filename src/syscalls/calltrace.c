// SPDX-License-Identifier: GPL-2.0-only
/*
 * --call-trace sink: joins the two halves of each syscall as they come
 * (src/syscalls/join.c), spools the joined records of a run (and its
 * processes' exits, for strace's "+++ exited with N +++" lines) and, for a
 * kept run, writes run-NNNN/syscalls.log (and syscalls.jsonl).
 *
 * Each run in flight has its own join and spool (struct ct_run).  The spool
 * of the passing run that ended last is kept (struct calltrace.pass): every
 * failed run is compared with it at its end (src/diverge/), which writes
 * run-NNNN/divergence.txt and the run's "divergence" member in summary.json.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtrace.skel.h"
#include "runtrace/syscall.h"
#include "diverge/diverge.h"
#include "engine/session.h"
#include "syscalls/calltrace.h"
#include "syscalls/fmt.h"
#include "syscalls/join.h"
#include "syscalls/spool.h"
#include "syscalls/table.h"
#include "util/util.h"

#define CT_SPOOL_MAX_BYTES (1ull << 30) /* spool bound whatever --max-events says */
#define CT_TICK_NS 100000000ull       /* look for kernel drops every 100 ms */
#define CT_FLUSH (1u << 20)
#define CT_BLOCK 16384   /* lines a formatting thread takes at a time */
#define CT_WINDOW 8      /* blocks formatted ahead of the one being written */
#define CT_WORKERS_MAX 4 /* formatting threads for a large log */

/* A private record type in the spool: "records lost here". */
#define CT_MARK_LOST 0xfffe

struct ct_mark {
	struct rt_hdr hdr; /* type CT_MARK_LOST, ts: when noticed */
	__u64 lost;
};

/* One run in flight. */
struct ct_run {
	__u64 lost;        /* this run's records lost in the kernel, as marked so far */
	__u64 exec_ts;     /* first exec of the run's child (0: none yet) */
	__u64 bypass0;     /* ct_bypassed() when the run began */
	struct ct_join join;
	struct ct_spool spool;
	struct ct_run *next; /* on the free list */
};

struct calltrace {
	struct ct_opts opts;
	__u64 filter[RT_SC_NR_MAX / 64];
	bool filter_high;
	__u32 nr_execve, nr_execveat;
	struct ct_run *spare;        /* states of finished runs, for reuse */
	/* The passing run that ended last (its spool, swapped in at its end): */
	struct ct_spool pass;
	struct dv_run_info pass_info;
	bool have_pass;
	struct runtrace_bpf *skel;
};

void ct_kernel_configure(struct runtrace_bpf *skel, const __u64 *filter, bool high,
			 long strsize, bool failed_only, bool clock)
{
	/* configure: syscall bitmap, capture spec, -s, -Z, the halves' time */
	session__enable_maps(skel, "calltrace_");
	memcpy((void *)skel->rodata->cfg_ct_filter, filter, sizeof(skel->rodata->cfg_ct_filter));
	skel->rodata->cfg_ct_trace_high = high;
	rt_sc_capture_fill((void *)skel->rodata->cfg_ct_capture, (void *)skel->rodata->cfg_ct_bycmd);
	skel->rodata->cfg_ct_strsize = strsize;
	skel->rodata->cfg_ct_failed_only = failed_only;
	skel->rodata->cfg_ct_clock = clock;
	bpf_program__set_autoload(skel->progs.calltrace_enter, true);
	bpf_program__set_autoload(skel->progs.calltrace_exit, true);
	bpf_program__set_autoload(skel->progs.calltrace_switch, true);
	bpf_program__set_autoload(skel->progs.calltrace_task_exit, true);
	bpf_program__set_autoload(skel->progs.calltrace_signal, true);
	bpf_program__set_autoload(skel->progs.calltrace_signal_ignored, true);
}

int ct_filter_from(const char *expr, __u64 *filter, bool *high)
{
	char err[256];
	int ret;

	if (!expr) {
		memset(filter, 0xff, RT_SC_NR_MAX / 8);
		*high = true;
		return 0;
	}
	ret = rt_sc_filter_parse(expr, filter, high, err, sizeof(err));
	if (ret)
		rt_err("%s", err);
	return ret;
}

void ct_timers_configure(struct runtrace_bpf *skel)
{
	bpf_program__set_autoload(skel->progs.calltrace_timer, true);
}

int ct_timers_attach(struct ct_timers *t, struct runtrace_bpf *skel, __u64 period_ns)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period_ns,
	};
	int ncpus = libbpf_num_possible_cpus(), cpu, fd, err;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	t->links = calloc(ncpus, sizeof(*t->links));
	if (!t->links)
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
		t->links[t->n] = bpf_program__attach_perf_event(skel->progs.calltrace_timer, fd);
		if (!t->links[t->n]) {
			err = -errno;
			close(fd);
			rt_err("cannot attach the flush timer on CPU %d: %s", cpu, strerror(-err));
			return err;
		}
		t->n++;
	}
	return 0;
}

void ct_timers_free(struct ct_timers *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		bpf_link__destroy(t->links[i]);
	free(t->links);
	t->links = NULL;
	t->n = 0;
}

/* Records that bypassed the per-CPU batches so far (calltrace_bypass). */
__u64 ct_bypassed(struct runtrace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	__u64 *vals, sum = 0;
	__u32 zero = 0;

	if (ncpus <= 0 || !skel || !(vals = calloc(ncpus, sizeof(*vals))))
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.calltrace_bypass), &zero, vals))
		for (i = 0; i < ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static int ct_configure(void *self, struct runtrace_bpf *skel)
{
	struct calltrace *ct = self;

	ct->skel = skel;
	ct_kernel_configure(skel, ct->filter, ct->filter_high, ct->opts.strsize,
			    ct->opts.failed_only, true);
	return 0;
}

static int ct_run_start(void *self, struct rt_run *run)
{
	struct calltrace *ct = self;
	struct ct_run *cr = ct->spare;
	int err;

	if (cr) {
		ct->spare = cr->next;
	} else {
		cr = calloc(1, sizeof(*cr));
		if (!cr)
			return -ENOMEM;
		ct_spool_init(&cr->spool, ct->opts.max_events > 0 ? (__u64)ct->opts.max_events : 0,
			      CT_SPOOL_MAX_BYTES);
		ct_join_init(&cr->join, ct->opts.failed_only, ct->nr_execve, ct->nr_execveat);
	}
	ct_spool_reset(&cr->spool);
	cr->lost = 0;
	cr->exec_ts = 0;
	cr->bypass0 = ct_bypassed(ct->skel);
	cr->join.orphans = cr->join.unmatched = 0;
	err = rt_run_set_state(run, self, cr);
	if (err) {
		cr->next = ct->spare;
		ct->spare = cr;
	}
	return err;
}

static int ct_spool_joined(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	struct ct_run *cr = ctx;

	return ct_spool_push(&cr->spool, ev, len);
}

static int ct_event(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len)
{
	struct ct_run *ct = rt_run_state(run, self);

	if (!ct)
		return 0;

	if (hdr->type == RT_EV_PROC) {
		const struct rt_proc_event *p = (const void *)hdr;

		if (len < sizeof(*p))
			return 0;
		/* when the run's child became the command (see ct_index) */
		if (p->kind == RT_PROC_EXEC && hdr->pid == (__u32)run->pid && !ct->exec_ts)
			ct->exec_ts = hdr->ts;
		/* exits make strace's "+++ exited with N +++"; forks and execs
		 * name processes exactly for divergence.txt (not printed) */
		if (p->kind == RT_PROC_EXEC)
			len = offsetof(struct rt_proc_event, filename) +
			      strnlen(p->filename, sizeof(p->filename) - 1) + 1;
		else
			len = offsetof(struct rt_proc_event, comm);
	} else if (hdr->type == RT_EV_THREAD_EXIT) {
		const struct rt_thread_exit *t = (const void *)hdr;
		struct rt_proc_event p;
		int err;

		if (len < sizeof(*t))
			return 0;
		/* exit(2) and whatever it was killed in: unfinished now */
		err = ct_join_thread_exit(&ct->join, hdr->tid, ct_spool_joined, ct);
		if (err || t->last) /* the process's own exit record says it */
			return err;
		/* a thread's "+++ exited with N +++", as strace -f shows it */
		memset(&p, 0, sizeof(p));
		p.hdr = *hdr;
		p.hdr.type = RT_EV_PROC;
		p.hdr.pid = hdr->tid;
		p.kind = RT_PROC_EXIT;
		p.exit_code = t->exit_code;
		len = offsetof(struct rt_proc_event, comm);
		p.hdr.size = len;
		return ct_spool_push(&ct->spool, &p, len);
	} else if (hdr->type == RT_EV_SIGNAL) {
		/* strace's "--- SIGCHLD {...} ---", in time order with the rest */
		if (len < sizeof(struct rt_signal_event))
			return 0;
		len = sizeof(struct rt_signal_event);
	} else {
		int err = ct_join_half(&ct->join, hdr, len, ct_spool_joined, ct);

		return err == -EINVAL ? 0 : err; /* a malformed half: dropped */
	}
	return ct_spool_push(&ct->spool, hdr, len);
}

/* Note kernel drops where they happen, as a mark in the spool. */
static int ct_note_lost(struct ct_run *ct, const struct rt_run *run, __u64 now_ns)
{
	__u64 d = run->drops[RT_EV_SYSCALL];
	struct ct_mark m;

	if (d <= ct->lost)
		return 0;
	memset(&m, 0, sizeof(m));
	m.hdr.type = CT_MARK_LOST;
	m.hdr.size = sizeof(m);
	m.hdr.ts = now_ns;
	m.lost = d - ct->lost;
	ct->lost = d;
	return ct_spool_push(&ct->spool, &m, sizeof(m));
}

static int ct_tick(void *self, struct rt_run *run, __u64 now_ns)
{
	struct ct_run *cr = rt_run_state(run, self);

	return cr ? ct_note_lost(cr, run, now_ns) : 0;
}

/* One line of the log, in time order. */
struct ct_line {
	__u64 ts;
	const struct rt_hdr *rec;
};

struct ct_index {
	struct ct_line *lines;
	size_t n;
};

static int line_cmp(const void *a, const void *b)
{
	const struct ct_line *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * Put the lines in entry order.  Each thread's records arrive in its own
 * entry order; only the few that completed long after they began (wait4,
 * a blocking read) break the whole: move those aside, sort them, merge.
 */
static int sort_lines(struct ct_index *ix)
{
	struct ct_line *late = NULL, *keep = ix->lines, *out = NULL;
	size_t n = ix->n, nk = 0, nl = 0, i, j, k;
	__u64 max = 0;

	late = malloc((n + 1) * sizeof(*late));
	if (!late)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (ix->lines[i].ts >= max) {
			max = ix->lines[i].ts;
			keep[nk++] = ix->lines[i];
		} else {
			late[nl++] = ix->lines[i];
		}
	}
	qsort(late, nl, sizeof(*late), line_cmp);
	out = malloc((n + 1) * sizeof(*out));
	if (!out) {
		free(late);
		return -ENOMEM;
	}
	for (i = j = k = 0; i < nk || j < nl;) {
		if (j == nl || (i < nk && keep[i].ts <= late[j].ts))
			out[k++] = keep[i++];
		else
			out[k++] = late[j++];
	}
	free(late);
	free(ix->lines);
	ix->lines = out;
	return 0;
}

/* Index the spool in time order.  Records arrive in exit order: sort only
 * if that is not already entry order (several threads, blocking calls). */
static int ct_index(struct calltrace *ct, struct ct_run *cr, struct rt_run *run,
		    struct ct_index *ix)
{
	struct ct_spool_iter it;
	const struct rt_hdr *h;
	bool sorted = true;
	size_t len, k = 0;

	ix->lines = malloc((cr->spool.count + 1) * sizeof(*ix->lines));
	if (!ix->lines)
		return -ENOMEM;
	ct_spool_iter_init(&cr->spool, &it);
	while ((h = ct_spool_next(&it, &len))) {
		const struct rt_syscall_event *ev = (const void *)h;

		/* the run's child before it execs the command is runtrace's own
		 * setup (and strace starts at the execve too) */
		if (h->ts < cr->exec_ts && h->tid == (__u32)run->pid && h->type == RT_EV_SYSCALL &&
		    ev->nr != ct->nr_execve && ev->nr != ct->nr_execveat)
			continue;
		/* of the process records, only exits are lines */
		if (h->type == RT_EV_PROC &&
		    ((const struct rt_proc_event *)h)->kind != RT_PROC_EXIT)
			continue;
		if (k && h->ts < ix->lines[k - 1].ts)
			sorted = false;
		ix->lines[k].ts = h->ts;
		ix->lines[k].rec = h;
		k++;
	}
	ix->n = k;
	return sorted ? 0 : sort_lines(ix);
}

static int ct_open(struct rt_run *run, const char *name, int *fd)
{
	*fd = openat(run->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (*fd < 0) {
		int err = -errno;

		rt_err("cannot create %s/%s: %s", run->dir, name, strerror(-err));
		return err;
	}
	return 0;
}

static int ct_flush(struct strbuf *sb, int fd, bool force)
{
	int err;

	if (!force && sb->len < CT_FLUSH)
		return 0;
	err = strbuf_write(sb, fd);
	strbuf_reset(sb);
	return err;
}

/* The line(s) of one spooled record, into @txt (and @js with --json). */
static void format_record(const struct rt_hdr *h, struct rt_sc_fmt *f, struct strbuf *txt,
			  struct strbuf *js)
{
	if (h->type == RT_EV_SYSCALL) {
		const struct rt_syscall_event *ev = (const void *)h;
		int err = rt_sc_fmt_text(f, txt, ev, ev->hdr.size);

		if (!err && js)
			err = rt_sc_fmt_json(f, js, ev, ev->hdr.size);
		if (err) /* malformed: say so, go on */
			strbuf_addf(txt, "runtrace: malformed syscall record (%u bytes)\n",
				    ev->hdr.size);
	} else if (h->type == RT_EV_PROC) {
		const struct rt_proc_event *p = (const void *)h;

		rt_sc_fmt_exit_text(f, txt, p->hdr.ts, p->hdr.pid, p->exit_code);
		if (js)
			rt_sc_fmt_exit_json(f, js, p->hdr.ts, p->hdr.pid, p->exit_code);
	} else if (h->type == RT_EV_SIGNAL) {
		const struct rt_signal_event *sg = (const void *)h;

		rt_sc_fmt_signal_text(f, txt, sg, sizeof(*sg));
		if (js)
			rt_sc_fmt_signal_json(f, js, sg, sizeof(*sg));
	} else if (h->type == CT_MARK_LOST) {
		const struct ct_mark *m = (const void *)h;

		strbuf_addf(txt, "runtrace: %llu syscall records lost in the kernel "
			    "before this point (ring buffer full)\n",
			    (unsigned long long)m->lost);
		if (js)
			strbuf_addf(js, "{\"runtrace\":\"lost\",\"lost\":%llu}\n",
				    (unsigned long long)m->lost);
	}
}

/*
 * A large log is formatted by threads, a block of CT_BLOCK lines each at a
 * time, at most CT_WINDOW blocks ahead of the one the calling thread
 * writes, so the text of a failed run of millions of syscalls is ready in
 * a fraction of the time on several CPUs, in the same order and bytes.
 */
struct ct_block {
	struct strbuf txt, js;
	bool done;
};

struct ct_par {
	const struct ct_index *ix;
	unsigned strsize;
	__s64 realtime_offset_ns;
	bool json;
	size_t nblocks;
	size_t next;    /* the next block a thread takes */
	size_t written; /* blocks written: the window starts there */
	bool stop;      /* a write failed */
	struct ct_block win[CT_WINDOW];
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* A formatting thread.  It writes into buffers of its own and swaps them
 * with the block's when the block is done: buffers written by two CPUs at
 * once must not share a cache line (a strbuf's length changes at every
 * append; side by side in win[] they made two threads slower than one). */
static void *format_blocks(void *arg)
{
	struct strbuf txt = { 0 }, js = { 0 }, tmp;
	struct ct_par *p = arg;
	struct rt_sc_fmt f;

	rt_sc_fmt_init(&f, p->strsize, p->realtime_offset_ns);
	for (;;) {
		struct ct_block *blk;
		size_t b, i, end;

		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next < p->nblocks && p->next >= p->written + CT_WINDOW)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next >= p->nblocks) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		b = p->next++;
		pthread_mutex_unlock(&p->mu);
		blk = &p->win[b % CT_WINDOW];
		end = (b + 1) * CT_BLOCK < p->ix->n ? (b + 1) * CT_BLOCK : p->ix->n;
		for (i = b * CT_BLOCK; i < end; i++)
			format_record(p->ix->lines[i].rec, &f, &txt, p->json ? &js : NULL);
		pthread_mutex_lock(&p->mu);
		tmp = blk->txt, blk->txt = txt, txt = tmp;
		tmp = blk->js, blk->js = js, js = tmp;
		blk->done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	strbuf_free(&txt);
	strbuf_free(&js);
	rt_sc_fmt_free(&f);
	return NULL;
}

/* Format @ix with threads and write it in order to @tfd (and @jfd).
 * -EAGAIN, nothing written, if no thread could be started. */
static int write_parallel(const struct ct_index *ix, unsigned strsize, __s64 rt_off, int nthreads,
			  int tfd, int jfd)
{
	struct ct_par *p = calloc(1, sizeof(*p));
	pthread_t th[CT_WORKERS_MAX];
	int started = 0, err = 0, i;
	size_t b;

	if (!p)
		return -ENOMEM;
	p->ix = ix;
	p->strsize = strsize;
	p->realtime_offset_ns = rt_off;
	p->json = jfd >= 0;
	p->nblocks = (ix->n + CT_BLOCK - 1) / CT_BLOCK;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (i = 0; i < nthreads && i < CT_WORKERS_MAX; i++)
		if (!pthread_create(&th[started], NULL, format_blocks, p))
			started++;
	if (!started)
		err = -EAGAIN; /* no thread: the caller formats alone */
	for (b = 0; b < p->nblocks && !err; b++) {
		struct ct_block *blk = &p->win[b % CT_WINDOW];

		pthread_mutex_lock(&p->mu);
		while (!blk->done)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		err = strbuf_write(&blk->txt, tfd);
		if (!err && jfd >= 0)
			err = strbuf_write(&blk->js, jfd);
		strbuf_reset(&blk->txt);
		strbuf_reset(&blk->js);
		pthread_mutex_lock(&p->mu);
		blk->done = false;
		p->written++;
		p->stop = err != 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < CT_WINDOW; i++) {
		strbuf_free(&p->win[i].txt);
		strbuf_free(&p->win[i].js);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return err;
}

/* Write the log(s) of a kept run. */
static int ct_write(struct calltrace *ct, struct ct_run *cr, struct rt_run *run)
{
	bool json = ct->opts.json;
	struct strbuf txt = { 0 }, js = { 0 };
	struct ct_index ix = { 0 };
	int tfd = -1, jfd = -1, err;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool par = false;
	struct rt_sc_fmt f;
	__u64 t0, t1;
	size_t i;

	t0 = now_ns(CLOCK_MONOTONIC);
	rt_sc_fmt_init(&f, ct->opts.strsize, run->realtime_offset_ns);
	err = ct_index(ct, cr, run, &ix);
	t1 = now_ns(CLOCK_MONOTONIC);
	if (err)
		goto cleanup;
	err = ct_open(run, "syscalls.log", &tfd);
	if (err)
		goto cleanup;
	if (json) {
		err = ct_open(run, "syscalls.jsonl", &jfd);
		if (err)
			goto cleanup;
	}
	if (cr->spool.dropped) {
		strbuf_addf(&txt, "runtrace: %llu earlier syscalls of this run are not in this log "
			    "(--max-events %ld keeps the most recent)\n",
			    (unsigned long long)cr->spool.dropped, ct->opts.max_events);
		if (json)
			strbuf_addf(&js, "{\"runtrace\":\"dropped\",\"dropped_oldest\":%llu}\n",
				    (unsigned long long)cr->spool.dropped);
	}
	if (ncpu > 1 && ix.n >= 4 * CT_BLOCK) {
		err = ct_flush(&txt, tfd, true);
		if (!err && json)
			err = ct_flush(&js, jfd, true);
		if (!err)
			err = write_parallel(&ix, ct->opts.strsize, run->realtime_offset_ns,
					     (int)ncpu, tfd, jfd);
		par = !err;
		if (err == -EAGAIN)
			err = 0;
		if (err)
			goto write_err;
	}
	for (i = 0; i < ix.n && !par; i++) {
		format_record(ix.lines[i].rec, &f, &txt, json ? &js : NULL);
		err = ct_flush(&txt, tfd, false);
		if (!err && json)
			err = ct_flush(&js, jfd, false);
		if (err)
			goto write_err;
	}
	err = ct_flush(&txt, tfd, true);
	if (!err && json)
		err = ct_flush(&js, jfd, true);
	if (err)
		goto write_err;
	strbuf_addf(run->json, ",\"call_trace\":{\"log\":\"syscalls.log\",\"records\":%llu,"
		    "\"kept\":%zu,\"dropped_oldest\":%llu,\"lost_kernel\":%llu,\"bypassed\":%llu}",
		    (unsigned long long)cr->spool.seen, ix.n,
		    (unsigned long long)cr->spool.dropped, (unsigned long long)cr->lost,
		    (unsigned long long)(ct_bypassed(ct->skel) - cr->bypass0));
	rt_dbg("call-trace: run %u: %zu lines, indexed in %.1f ms, formatted and written in %.1f ms",
	       run->id, ix.n, (t1 - t0) / 1e6, (now_ns(CLOCK_MONOTONIC) - t1) / 1e6);
	goto cleanup;
write_err:
	rt_err("cannot write %s/syscalls.log: %s", run->dir, strerror(-err));
cleanup:
	if (tfd >= 0)
		close(tfd);
	if (jfd >= 0)
		close(jfd);
	free(ix.lines);
	strbuf_free(&txt);
	strbuf_free(&js);
	rt_sc_fmt_free(&f);
	return err;
}

/*
 * A passing run's spool becomes the one failed runs are compared with (a
 * swap, no copy: the old one is recycled with @cr); a failed run that
 * ended by itself is compared with it: divergence.txt and the summary
 * member.  Runs runtrace stopped (--timeout, a signal, --kill-on-fail) are
 * not compared: how they ended is runtrace's doing.
 */
static int ct_diverge(struct calltrace *ct, struct ct_run *cr, struct rt_run *run)
{
	struct dv_run_info info = { .id = run->id, .root_pid = run->pid,
				    .wait_status = run->wait_status,
				    .realtime_offset_ns = run->realtime_offset_ns,
				    .dropped = cr->spool.dropped, .lost = cr->lost };
	struct dv_opts o = { .strsize = ct->opts.strsize };
	struct dv_result res = { 0 };
	struct strbuf t = { 0 };
	struct ct_spool tmp;
	__u64 t0;
	int err;

	if (!run->failed) {
		tmp = ct->pass;
		ct->pass = cr->spool;
		cr->spool = tmp;
		ct->pass_info = info;
		ct->have_pass = true;
		return 0;
	}
	if (!run->keep || run->stopped)
		return 0;
	t0 = now_ns(CLOCK_MONOTONIC);
	err = dv_compare(ct->have_pass ? &ct->pass : NULL, &ct->pass_info, &cr->spool, &info, &o,
			 &t, run->json, &res);
	if (!err)
		err = write_file_at(run->dirfd, run->dir, "divergence.txt", t.buf, t.len);
	if (ct->have_pass)
		rt_dbg("call-trace: run %u compared with run %u (%llu and %llu records) in %.1f ms, "
		       "%llu alignment steps", run->id, ct->pass_info.id,
		       (unsigned long long)cr->spool.count, (unsigned long long)ct->pass.count,
		       (now_ns(CLOCK_MONOTONIC) - t0) / 1e6, (unsigned long long)res.work);
	else
		rt_dbg("call-trace: run %u: no run has passed yet to compare it with", run->id);
	strbuf_free(&t);
	return err;
}

static int ct_run_end(void *self, struct rt_run *run)
{
	struct calltrace *ct = self;
	struct ct_run *cr = rt_run_state(run, self);
	int err, derr;

	if (!cr)
		return 0;
	/* syscalls still in flight when their thread died: unfinished */
	rt_dbg("call-trace: run %u: %llu exit halves without an entry, %llu entries without an exit",
	       run->id, (unsigned long long)cr->join.orphans,
	       (unsigned long long)cr->join.unmatched);
	err = ct_join_finish(&cr->join, ct_spool_joined, cr);
	ct_note_lost(cr, run, run->end_ns);
	if (!err && run->keep)
		err = ct_write(ct, cr, run);
	if (!err) {
		derr = ct_diverge(ct, cr, run);
		if (derr)
			rt_err("cannot write %s/divergence.txt: %s", run->dir, strerror(-derr));
	}
	ct_spool_reset(&cr->spool);
	rt_run_set_state(run, self, NULL);
	cr->next = ct->spare;
	ct->spare = cr;
	return err;
}

static void ct_free(void *self)
{
	struct calltrace *ct = self;
	struct ct_run *cr;

	if (!ct)
		return;
	while ((cr = ct->spare)) {
		ct->spare = cr->next;
		ct_join_free(&cr->join);
		ct_spool_free(&cr->spool);
		free(cr);
	}
	ct_spool_free(&ct->pass);
	free(ct);
}

static const struct sink_ops calltrace_ops = {
	.name = "call-trace",
	.configure = ct_configure,
	.run_start = ct_run_start,
	.event = ct_event,
	.tick = ct_tick,
	.run_end = ct_run_end,
	.free = ct_free,
};

int calltrace_sink_new(const struct ct_opts *o, struct sink *out)
{
	struct calltrace *ct;
	int ret;

	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	ct->opts = *o;
	ct->nr_execve = rt_sc_lookup("execve");
	ct->nr_execveat = rt_sc_lookup("execveat");
	ret = ct_filter_from(o->filter, ct->filter, &ct->filter_high);
	if (ret) {
		free(ct);
		return ret;
	}
	ct_spool_init(&ct->pass, o->max_events > 0 ? (__u64)o->max_events : 0,
		      CT_SPOOL_MAX_BYTES);
	out->ops = &calltrace_ops;
	out->self = ct;
	out->types = (1u << RT_EV_SYSCALL_ENTER) | (1u << RT_EV_SYSCALL_EXIT) |
		     (1u << RT_EV_THREAD_EXIT) | (1u << RT_EV_PROC) | (1u << RT_EV_SIGNAL);
	out->tick_ns = CT_TICK_NS;
	out->ring_bytes = 64 << 20;
	return 0;
}
