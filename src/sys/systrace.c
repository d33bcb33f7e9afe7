// SPDX-License-Identifier: GPL-2.0-only
/*
 * --sys-trace: the sink behind run-NNNN/sys.csv, sys.txt and sys.svg.
 *
 * The kernel side (bpf/sys.bpf.c) aggregates; at every tick this sink
 * reads the run's counters (a per-CPU hash entry), runs the task iterator
 * over the run's live threads, reads the per-interface device counters, and
 * appends one row of differences to the run's timeline (src/sys_report.c).
 * One record per process arrives through the ring buffer when it exits.
 * run_end takes the last, partial sample and formats only if the run is
 * kept; summary.json gets the totals either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "engine/bpfmap.h"
#include "engine/features.h"
#include "runtrace.skel.h"
#include "runtrace/sys.h"
#include "engine/session.h"
#include "sys/systrace.h"
#include "sys/report.h"
#include "util/util.h"

/* Cumulative values of a run, as of one sample. */
struct sys_cum {
	struct rt_sys_counters c;  /* summed over CPUs */
	__u64 utime, stime, rtime; /* exited + live threads */
	__u64 minflt, majflt, rchar, wchar;
};

struct sys_if {
	__u32 ifindex;
	int idx;                   /* in sys_report.ifnames, -1: not shown */
	struct rt_sys_netdev last; /* cumulative at the last sample */
};

/* One run in flight. */
struct sys_run {
	unsigned run;
	__u64 gen;                 /* the run's interval number (sys_gens) */
	__u64 t0;                  /* CLOCK_MONOTONIC at run_start */
	__u64 last_ns;             /* time of the last sample */
	struct sys_cum prev;
	struct sys_cputime adj;    /* cputime-adjusted user/system so far */
	__u64 rss_peak_kb;
	struct sys_if ifs[RT_SYS_MAX_IFACES];
	unsigned nifs;
	struct sys_report rep;
	int err;                   /* first sampling error of the run */
	struct sys_run *next;      /* on the free list */
};

struct systrace {
	__u64 interval_ns;
	int ncpus;
	__u32 page_kb;
	struct runtrace_bpf *skel;
	struct bpf_link *iter;
	struct bpf_link *cg_in, *cg_out;
	struct rt_sys_counters *percpu; /* ncpus values, for map reads */
	struct rt_sys_netdev *ifpercpu;
	unsigned active;           /* runs in flight */
	struct sys_run *spare;     /* states of finished runs, for reuse */
};

static int systrace_configure(void *self, struct runtrace_bpf *skel)
{
	struct systrace *st = self;
	struct bpf_program *progs[] = {
		skel->progs.sys_fork, skel->progs.sys_exit, skel->progs.sys_switch,
		skel->progs.sys_iter, skel->progs.sys_blk_start, skel->progs.sys_blk_issue,
		skel->progs.sys_blk_done, skel->progs.sys_dev_xmit, skel->progs.sys_dev_rx,
		skel->progs.sys_cg_egress, skel->progs.sys_cg_ingress,
	};
	struct btf *btf;
	int issue, done;
	unsigned i;

	st->skel = skel;
	session__enable_maps(skel, "sys_");
	/* per-run maps: as many runs as may be in flight */
	if (bpf_map__set_max_entries(skel->maps.sys_counters, session__max_runs(skel) + 1) ||
	    bpf_map__set_max_entries(skel->maps.sys_gens, session__max_runs(skel) + 1))
		return -EINVAL;
	/* autoload our programs; the iterator and cgroup ones attach in attach() */
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		bpf_program__set_autoload(progs[i], true);
	bpf_program__set_autoattach(skel->progs.sys_iter, false);
	/* block tracepoint arguments of this kernel (cfg_* globals) */
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		rt_err("cannot read the kernel's BTF: %s (--sys-trace needs /sys/kernel/btf/vmlinux)",
		       strerror(errno));
		return -errno;
	}
	issue = features_tp_struct_arg(btf, "block_rq_issue", "request");
	done = features_tp_struct_arg(btf, "block_rq_complete", "request");
	skel->rodata->cfg_sys_have_io_start = features_tp_struct_arg(btf, "block_io_start", "request") == 0;
	btf__free(btf);
	if (issue < 0 || done < 0) {
		rt_dbg("sys-trace: no usable block_rq_issue/complete tracepoints: no disk columns");
		bpf_program__set_autoload(skel->progs.sys_blk_issue, false);
		bpf_program__set_autoload(skel->progs.sys_blk_done, false);
		bpf_program__set_autoload(skel->progs.sys_blk_start, false);
	} else {
		skel->rodata->cfg_sys_blk_issue_arg = issue;
		skel->rodata->cfg_sys_blk_done_arg = done;
	}
	if (!skel->rodata->cfg_sys_have_io_start)
		bpf_program__set_autoload(skel->progs.sys_blk_start, false);
	rt_dbg("sys-trace: block_rq_issue request is argument %d, block_rq_complete's %d, "
	       "block_io_start %s", issue, done,
	       skel->rodata->cfg_sys_have_io_start ? "present" : "absent (issuer attribution)");
	return 0;
}

static int systrace_attach(void *self, struct runtrace_bpf *skel, int parent_cgroup_fd)
{
	struct systrace *st = self;
	int err;

	/* the task iterator: one link, an iterator instance per sample */
	st->iter = bpf_program__attach_iter(skel->progs.sys_iter, NULL);
	if (!st->iter) {
		err = -errno;
		rt_err("cannot attach iter/task: %s (--sys-trace needs kernel 5.8 or newer)",
		       strerror(-err));
		return err;
	}
	if (parent_cgroup_fd < 0) {
		rt_dbg("sys-trace: no cgroup v2: the run's own packets are not counted");
		return 0;
	}
	/* the run's own packets: once per session, on the parent of every
	 * run's cgroup */
	st->cg_in = bpf_program__attach_cgroup(skel->progs.sys_cg_ingress, parent_cgroup_fd);
	if (!st->cg_in) {
		err = -errno;
		rt_err("cannot attach cgroup_skb/ingress: %s", strerror(-err));
		return err;
	}
	st->cg_out = bpf_program__attach_cgroup(skel->progs.sys_cg_egress, parent_cgroup_fd);
	if (!st->cg_out) {
		err = -errno;
		rt_err("cannot attach cgroup_skb/egress: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Sum the run's per-CPU counters into @out; the latency maximum only from
 * CPUs whose maximum belongs to interval @gen. */
static int read_counters(struct systrace *st, struct sys_run *sr, __u64 gen,
			 struct rt_sys_counters *out)
{
	__u32 key = sr->run;
	__u64 *o = (__u64 *)out;
	int c;
	size_t f;

	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.sys_counters), &key, st->percpu))
		return -errno;
	memset(out, 0, sizeof(*out));
	for (c = 0; c < st->ncpus; c++) {
		const struct rt_sys_counters *v = &st->percpu[c];
		const __u64 *iv = (const __u64 *)v;

		for (f = 0; f < sizeof(*v) / sizeof(__u64); f++)
			o[f] += iv[f];
		out->blk_lat_max_ns -= v->blk_lat_max_ns;
		out->blk_lat_gen -= v->blk_lat_gen;
		if (v->blk_lat_gen == gen && v->blk_lat_max_ns > out->blk_lat_max_ns)
			out->blk_lat_max_ns = v->blk_lat_max_ns;
	}
	return 0;
}

/* Run the task iterator over the run's live threads. */
static int read_live(struct systrace *st, struct sys_run *sr, struct rt_sys_live *l)
{
	int mfd = bpf_map__fd(st->skel->maps.sys_live), fd, err = 0;
	__u32 key = 0;
	char buf[64];
	ssize_t n;

	memset(l, 0, sizeof(*l));
	if (bpf_map_update_elem(mfd, &key, l, BPF_ANY))
		return -errno;
	st->skel->bss->sys_iter_run = sr->run;
	fd = bpf_iter_create(bpf_link__fd(st->iter));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = -errno;
	close(fd);
	if (!err && bpf_map_lookup_elem(mfd, &key, l))
		err = -errno;
	return err;
}

/* Per-interface differences since the last sample into @row. */
static void read_netdev(struct systrace *st, struct sys_run *sr, struct sys_row *row,
			bool baseline)
{
	int fd = bpf_map__fd(st->skel->maps.sys_netdev);
	__u32 key, next;
	bool first = true;
	unsigned i;
	int c;

	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		struct rt_sys_netdev sum = { 0 };
		struct sys_if *f = NULL;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, st->ifpercpu))
			continue;
		for (c = 0; c < st->ncpus; c++) {
			sum.rx_pkts += st->ifpercpu[c].rx_pkts;
			sum.rx_bytes += st->ifpercpu[c].rx_bytes;
			sum.tx_pkts += st->ifpercpu[c].tx_pkts;
			sum.tx_bytes += st->ifpercpu[c].tx_bytes;
		}
		for (i = 0; i < sr->nifs; i++)
			if (sr->ifs[i].ifindex == key)
				f = &sr->ifs[i];
		if (!f) {
			if (sr->nifs == RT_SYS_MAX_IFACES)
				continue;
			f = &sr->ifs[sr->nifs++];
			f->ifindex = key;
			f->idx = -1;
			/* a device first seen during the run counts from 0 */
			if (baseline)
				f->last = sum;
			else
				memset(&f->last, 0, sizeof(f->last));
		}
		/* shown once it moved packets during the run */
		if (!baseline && f->idx < 0 &&
		    (sum.rx_pkts != f->last.rx_pkts || sum.tx_pkts != f->last.tx_pkts)) {
			char name[IF_NAMESIZE];

			if (!if_indextoname(key, name))
				snprintf(name, sizeof(name), "if%u", key);
			f->idx = sys_report_iface(&sr->rep, name);
		}
		if (row && f->idx >= 0) {
			struct sys_ifdelta *d = &row->ifs[f->idx];

			d->rx_pkts = sum.rx_pkts - f->last.rx_pkts;
			d->tx_pkts = sum.tx_pkts - f->last.tx_pkts;
			d->rx_bytes = sum.rx_bytes - f->last.rx_bytes;
			d->tx_bytes = sum.tx_bytes - f->last.tx_bytes;
		}
		f->last = sum;
	}
}

/* The growth of a cumulative value since @prev, which it then becomes.  A
 * thread between its exit and its final switch-out is in neither the live
 * sum nor the dead one for a moment: a dip is absorbed, not wrapped. */
static __u64 mono(__u64 *prev, __u64 cur)
{
	__u64 d = cur > *prev ? cur - *prev : 0;

	if (cur > *prev)
		*prev = cur;
	return d;
}

/* Take a sample at @now and append its row; @last: the run's end. */
static int sample(struct systrace *st, struct sys_run *sr, __u64 now, bool last)
{
	struct sys_cum cur;
	struct rt_sys_live l;
	struct sys_row row;
	struct sys_cputime before = sr->adj;
	__u64 gen = sr->gen, next = gen + 1;
	__u32 key = sr->run;
	int err;

	/* completions from now on belong to the next interval's maximum */
	sr->gen = next;
	if (bpf_map_update_elem(bpf_map__fd(st->skel->maps.sys_gens), &key, &next, BPF_ANY))
		return -errno;
	err = read_counters(st, sr, gen, &cur.c);
	if (!err) /* after the counters: a thread exiting in between is
		   * missed by this sample, never counted twice */
		err = read_live(st, sr, &l);
	if (err)
		return err;
	cur.utime = cur.c.dead_utime + l.utime;
	cur.stime = cur.c.dead_stime + l.stime;
	cur.rtime = cur.c.dead_rtime + l.rtime;
	cur.minflt = cur.c.dead_minflt + l.minflt;
	cur.majflt = cur.c.dead_majflt + l.majflt;
	cur.rchar = cur.c.dead_rchar + l.rchar;
	cur.wchar = cur.c.dead_wchar + l.wchar;
	sys_cputime_adjust(cur.rtime, cur.utime, cur.stime, &sr->adj);

	memset(&row, 0, sizeof(row));
	row.t_ns = now - sr->t0;
	row.dur_ns = now - sr->last_ns;
	row.user_ns = sr->adj.utime - before.utime;
	row.sys_ns = sr->adj.stime - before.stime;
#define D(f) (cur.c.f - sr->prev.c.f)
	row.oncpu_ns = D(oncpu_ns);
	row.vcsw = D(vcsw);
	row.ivcsw = D(ivcsw);
	row.procs_started = D(procs_started);
	row.procs_exited = D(procs_exited);
	row.threads_started = D(threads_started);
	row.threads_exited = D(threads_exited);
	row.blk_rd_bytes = D(blk_rd_bytes);
	row.blk_wr_bytes = D(blk_wr_bytes);
	row.blk_rd_reqs = D(blk_rd_reqs);
	row.blk_wr_reqs = D(blk_wr_reqs);
	row.blk_lat_ns = D(blk_lat_ns);
	row.net_tx_pkts = D(net_tx_pkts);
	row.net_tx_bytes = D(net_tx_bytes);
	row.net_rx_pkts = D(net_rx_pkts);
	row.net_rx_bytes = D(net_rx_bytes);
	if (D(drops)) {
		row.flags |= SYS_F_DROP;
		sr->rep.drops += D(drops);
	}
#undef D
	row.blk_lat_max_ns = cur.c.blk_lat_max_ns;
	row.minflt = mono(&sr->prev.minflt, cur.minflt);
	row.majflt = mono(&sr->prev.majflt, cur.majflt);
	row.rchar = mono(&sr->prev.rchar, cur.rchar);
	row.wchar = mono(&sr->prev.wchar, cur.wchar);
	row.procs = l.procs;
	row.threads = l.threads;
	row.rss_kb = l.rss_pages * st->page_kb;
	if (row.rss_kb > sr->rss_peak_kb)
		sr->rss_peak_kb = row.rss_kb;
	row.rss_peak_kb = sr->rss_peak_kb;
	if (!last && row.dur_ns > st->interval_ns + st->interval_ns / 2)
		row.flags |= SYS_F_LATE;
	if (last)
		row.flags |= SYS_F_PARTIAL;
	read_netdev(st, sr, &row, false);
	sr->prev.c = cur.c;
	sr->last_ns = now;
	return sys_report_add_row(&sr->rep, &row);
}

/* Delete run @key's entries of the per-run maps. */
static void drop_run_maps(struct systrace *st, __u32 key)
{
	bpf_map_delete_elem(bpf_map__fd(st->skel->maps.sys_counters), &key);
	bpf_map_delete_elem(bpf_map__fd(st->skel->maps.sys_gens), &key);
}

static int systrace_run_start(void *self, struct rt_run *run)
{
	struct systrace *st = self;
	struct sys_run *sr = st->spare;
	struct rt_sys_proc root = { 0 };
	__u32 key = run->id, pid = run->pid;
	__u64 gen0 = 0;
	int err;

	if (sr) {
		st->spare = sr->next;
	} else if (!(sr = calloc(1, sizeof(*sr)))) {
		return -ENOMEM;
	}
	sys_report_free(&sr->rep);
	memset(&sr->prev, 0, sizeof(sr->prev));
	memset(&sr->adj, 0, sizeof(sr->adj));
	sr->rss_peak_kb = 0;
	sr->err = 0;
	sr->run = run->id;
	sr->gen = 0;
	sr->rep.interval_ns = st->interval_ns;
	sr->rep.page_kb = st->page_kb;
	/* the run's counters start from zero, in interval 0 */
	memset(st->percpu, 0, st->ncpus * sizeof(*st->percpu));
	if (bpf_map_update_elem(bpf_map__fd(st->skel->maps.sys_counters), &key, st->percpu, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(st->skel->maps.sys_gens), &key, &gen0, BPF_ANY)) {
		err = -errno;
		goto cleanup;
	}
	/* the device counters' baseline */
	sr->nifs = 0;
	st->skel->bss->sys_active = 1;
	read_netdev(st, sr, NULL, true);
	/* the run's first process; its children follow it in the kernel */
	sr->t0 = now_ns(CLOCK_MONOTONIC);
	sr->last_ns = sr->t0;
	root.run = run->id;
	root.ppid = getpid();
	root.start_ns = sr->t0;
	if (bpf_map_update_elem(bpf_map__fd(st->skel->maps.sys_proc), &pid, &root, BPF_ANY)) {
		err = -errno;
		rt_err("cannot add pid %u to the sys-trace table: %s", pid, strerror(-err));
		goto cleanup;
	}
	/* counted as started like every process after it: the first row's
	 * difference from -1 adds it (unsigned arithmetic) */
	sr->prev.c.procs_started = (__u64)-1;
	sr->prev.c.threads_started = (__u64)-1;
	err = rt_run_set_state(run, self, sr);
	if (err)
		goto cleanup;
	st->active++;
	return 0;

cleanup:
	bpf_map_delete_elem(bpf_map__fd(st->skel->maps.sys_proc), &pid);
	drop_run_maps(st, key);
	st->skel->bss->sys_active = st->active > 0;
	sr->next = st->spare;
	st->spare = sr;
	return err;
}

static void add_proc(struct sys_run *st, const struct rt_sys_proc *p, __u32 pid)
{
	__u64 end = p->exit_ns;
	struct sys_proc_line line;
	struct sys_cputime t = { 0, 0 };

	memset(&line, 0, sizeof(line));
	line.pid = pid;
	line.ppid = p->ppid;
	line.start_ns = p->start_ns > st->t0 ? p->start_ns - st->t0 : 0;
	line.end_ns = end > st->t0 ? end - st->t0 : (end ? 1 : 0);
	sys_cputime_adjust(p->rtime, p->utime, p->stime, &t);
	line.user_ns = t.utime;
	line.sys_ns = t.stime;
	line.peak_rss_kb = p->peak_rss_pages * st->rep.page_kb;
	line.blk_rd_bytes = p->blk_rd_bytes;
	line.blk_wr_bytes = p->blk_wr_bytes;
	line.rchar = p->rchar;
	line.wchar = p->wchar;
	line.threads = p->threads;
	line.exit_status = end ? p->exit_code : -1;
	memcpy(line.comm, p->comm, sizeof(line.comm));
	line.comm[sizeof(line.comm) - 1] = 0;
	if (sys_report_add_proc(&st->rep, &line) && !st->err)
		st->err = -ENOMEM;
}

static int systrace_event(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len)
{
	struct sys_run *sr = rt_run_state(run, self);
	const struct rt_sys_event *ev = (const void *)hdr;

	if (!sr || hdr->type != RT_EV_SYS || len < sizeof(*ev))
		return 0;
	add_proc(sr, &ev->p, hdr->pid);
	return 0;
}

static int systrace_tick(void *self, struct rt_run *run, __u64 now_ns_)
{
	struct systrace *st = self;
	struct sys_run *sr = rt_run_state(run, self);
	int err;

	if (!sr)
		return 0;
	err = sample(st, sr, now_ns_, false);
	if (err && !sr->err) {
		sr->err = err;
		rt_dbg("sys-trace: cannot sample run %u: %s", run->id, strerror(-err));
	}
	return err;
}

struct forget_ctx {
	struct sys_run *st;
	unsigned run;
};

/* A process of the run still in sys_proc: alive (listed so) or its end
 * not seen through by the kernel side. */
static bool forget_proc(__u32 key, const void *val, void *ctx)
{
	const struct rt_sys_proc *p = val;
	struct forget_ctx *fc = ctx;

	if (p->run != fc->run)
		return false;
	add_proc(fc->st, p, key);
	return true;
}

/* An on-CPU stamp of the run whose switch-out went unseen. */
static bool forget_oncpu(__u32 key, const void *val, void *ctx)
{
	return ((const struct rt_sys_oncpu *)val)->run == ((struct forget_ctx *)ctx)->run;
}

/* Entries of @run left in sys_proc (listed, then deleted) and sys_oncpu. */
static void forget_procs(struct systrace *st, struct sys_run *sr, unsigned run)
{
	struct forget_ctx fc = { sr, run };
	struct rt_sys_oncpu on;
	struct rt_sys_proc p;

	map_delete_where(bpf_map__fd(st->skel->maps.sys_proc), &p, forget_proc, &fc);
	map_delete_where(bpf_map__fd(st->skel->maps.sys_oncpu), &on, forget_oncpu, &fc);
}

/* Write @sb as @name in the run directory, mode 0600. */
static int write_artifact(const struct rt_run *run, const char *name, const struct strbuf *sb)
{
	return write_file_at(run->dirfd, run->dir, name, sb->buf, sb->len);
}

static int systrace_run_end(void *self, struct rt_run *run)
{
	struct systrace *sys = self;
	struct sys_run *st = rt_run_state(run, self);
	const struct sys_proc_line *big;
	struct strbuf sb = { 0 };
	struct sys_row tot;
	int err;

	if (!st)
		return 0;
	err = sample(sys, st, now_ns(CLOCK_MONOTONIC), true);
	if (err && !st->err)
		st->err = err;
	sys->active--;
	sys->skel->bss->sys_active = sys->active > 0;
	forget_procs(sys, st, run->id);
	drop_run_maps(sys, run->id);
	st->rep.duration_ns = run->end_ns > run->start_ns ? run->end_ns - run->start_ns
							   : st->last_ns - st->t0;
	sys_report_totals(&st->rep, &tot);
	sys_report_sort_procs(&st->rep);
	big = sys_report_max_rss(&st->rep);
	strbuf_addf(run->json, ",\"sys\":{\"intervals\":%zu,\"interval_ms\":%" PRIu64
		    ",\"cpu_user_ms\":%.3f,\"cpu_sys_ms\":%.3f,\"oncpu_ms\":%.3f"
		    ",\"procs_started\":%" PRIu64 ",\"threads_started\":%" PRIu64
		    ",\"peak_rss_kb\":%" PRIu64 ",\"max_proc_peak_rss_kb\":%" PRIu64 ",\"minflt\":%" PRIu64 ",\"majflt\":%" PRIu64
		    ",\"disk_read_bytes\":%" PRIu64 ",\"disk_write_bytes\":%" PRIu64
		    ",\"disk_read_reqs\":%" PRIu64 ",\"disk_write_reqs\":%" PRIu64
		    ",\"file_read_bytes\":%" PRIu64 ",\"file_write_bytes\":%" PRIu64
		    ",\"net_tx_pkts\":%" PRIu64 ",\"net_tx_bytes\":%" PRIu64
		    ",\"net_rx_pkts\":%" PRIu64 ",\"net_rx_bytes\":%" PRIu64
		    ",\"late_samples\":%" PRIu64 ",\"drops\":%" PRIu64 ",\"processes_listed\":%zu}",
		    st->rep.nrows, (uint64_t)(sys->interval_ns / 1000000),
		    tot.user_ns / 1e6, tot.sys_ns / 1e6, tot.oncpu_ns / 1e6,
		    tot.procs_started, tot.threads_started, tot.rss_peak_kb,
		    big ? big->peak_rss_kb : 0,
		    tot.minflt, tot.majflt, tot.blk_rd_bytes, tot.blk_wr_bytes,
		    tot.blk_rd_reqs, tot.blk_wr_reqs, tot.rchar, tot.wchar,
		    tot.net_tx_pkts, tot.net_tx_bytes, tot.net_rx_pkts, tot.net_rx_bytes,
		    st->rep.late, st->rep.drops, st->rep.nprocs);
	if (st->err)
		rt_err("sys-trace: run %u: sampling failed: %s (its timeline is incomplete)",
		       run->id, strerror(-st->err));
	if (!run->keep)
		goto cleanup;
	sys_csv(&st->rep, &sb);
	err = write_artifact(run, "sys.csv", &sb);
	if (err)
		goto cleanup;
	strbuf_reset(&sb);
	sys_table(&st->rep, &sb);
	err = write_artifact(run, "sys.txt", &sb);
	if (err)
		goto cleanup;
	strbuf_reset(&sb);
	sys_svg(&st->rep, &sb);
	err = write_artifact(run, "sys.svg", &sb);
cleanup:
	strbuf_free(&sb);
	sys_report_free(&st->rep);
	rt_run_set_state(run, self, NULL);
	st->next = sys->spare;
	sys->spare = st;
	return err;
}

static void systrace_free(void *self)
{
	struct systrace *st = self;
	struct sys_run *sr;

	if (!st)
		return;
	bpf_link__destroy(st->iter);
	bpf_link__destroy(st->cg_in);
	bpf_link__destroy(st->cg_out);
	while ((sr = st->spare)) {
		st->spare = sr->next;
		sys_report_free(&sr->rep);
		free(sr);
	}
	free(st->percpu);
	free(st->ifpercpu);
	free(st);
}

static const struct sink_ops systrace_ops = {
	.name = "sys-trace",
	.configure = systrace_configure,
	.attach = systrace_attach,
	.run_start = systrace_run_start,
	.event = systrace_event,
	.tick = systrace_tick,
	.run_end = systrace_run_end,
	.free = systrace_free,
};

int systrace_sink_new(long interval_ms, struct sink *out)
{
	struct systrace *st;
	long page = sysconf(_SC_PAGESIZE);
	int err;

	st = calloc(1, sizeof(*st));
	if (!st) {
		err = -ENOMEM;
		goto cleanup;
	}
	st->interval_ns = (interval_ms > 0 ? interval_ms : 100) * 1000000ull;
	st->page_kb = page > 0 ? page / 1024 : 4;
	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0) {
		err = st->ncpus ? st->ncpus : -EINVAL;
		goto cleanup;
	}
	st->percpu = calloc(st->ncpus, sizeof(*st->percpu));
	st->ifpercpu = calloc(st->ncpus, sizeof(*st->ifpercpu));
	if (!st->percpu || !st->ifpercpu) {
		err = -ENOMEM;
		goto cleanup;
	}
	out->ops = &systrace_ops;
	out->self = st;
	out->types = 1u << RT_EV_SYS;
	out->tick_ns = st->interval_ns;
	return 0;

cleanup:
	rt_err("cannot set up --sys-trace: %s", strerror(-err));
	systrace_free(st);
	return err;
}
