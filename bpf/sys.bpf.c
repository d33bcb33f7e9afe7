// SPDX-License-Identifier: GPL-2.0-only
/*
 * --sys-trace: CPU, memory, processes/threads, block IO and network of each
 * run's own processes, aggregated in maps (include/runtrace/sys.h) that
 * userspace reads at every tick.  No record per context switch: the only
 * ring-buffer record is one per process when its last thread exits.
 *
 * Who belongs to a run: sys_proc (tgid -> struct rt_sys_proc), filled at
 * fork from the parent's entry (the run's first process is inserted by
 * userspace at run_start) and emptied at exit by this file's own exit
 * handler, independent of the order in which scope.bpf.c's handlers run.
 */
#include "common.bpf.h"
#include "compat.bpf.h"
#include "runtrace/sys.h"

char LICENSE[] SEC("license") = "GPL";

/* Index of the struct request argument of block_rq_issue / block_rq_complete
 * (0 since v5.11, 1 before; see RT_RQ_ARG in compat.bpf.h). */
const volatile __u32 cfg_sys_blk_issue_arg = 0;
const volatile __u32 cfg_sys_blk_done_arg = 0;
/* block_io_start attributes requests; without it (before v6.5) block_rq_issue
 * attributes a request to the task that issues it. */
const volatile bool cfg_sys_have_io_start = true;

/* The run whose live threads the task iterator sums (set before each read). */
volatile __u32 sys_iter_run;
/* Nonzero while a run is in progress: gates the device counters. */
volatile __u32 sys_active;

#define TASK_DEAD_ 0x00000080  /* include/linux/sched.h */
#define REQ_OP_MASK_ 0xff      /* include/linux/blk_types.h */

/* A run's counters (key: run id), created by userspace at run_start and
 * deleted at run_end; sized by userspace like drops (runs in flight). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rt_sys_counters);
} sys_counters SEC(".maps");

/* A run's interval number (key: run id), raised by userspace at each of the
 * run's samples: the run's per-interval latency maximum restarts when it
 * changes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sys_gens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_SYS_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct rt_sys_proc);
} sys_proc SEC(".maps");

/* tid -> when it went on a CPU, for which run. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_SYS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct rt_sys_oncpu);
} sys_oncpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_sys_live);
} sys_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_SYS_MAX_RQS);
	__type(key, __u64);
	__type(value, struct rt_sys_rq);
} sys_rq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, RT_SYS_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct rt_sys_netdev);
} sys_netdev SEC(".maps");

static __always_inline struct rt_sys_counters *sys_slot(__u32 run)
{
	return bpf_map_lookup_elem(&sys_counters, &run);
}

static __always_inline struct rt_sys_proc *sys_proc_of(__u32 tgid)
{
	return bpf_map_lookup_elem(&sys_proc, &tgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sys_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	struct rt_sys_proc *pp = sys_proc_of(ptgid), np = {};
	struct rt_sys_counters *c;
	__u32 ctgid;

	if (!pp)
		return 0;
	c = sys_slot(pp->run);
	if (!c)
		return 0;
	c->threads_started++;
	ctgid = BPF_CORE_READ(child, tgid);
	if (ctgid == ptgid)
		return 0;
	c->procs_started++;
	np.run = pp->run;
	np.ppid = ptgid;
	np.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&sys_proc, &ctgid, &np, BPF_NOEXIST))
		c->drops++;
	return 0;
}

/* A thread exited: count it; the process ends when its last thread does
 * (the rest happens at the thread's final switch-out, sys_thread_dead()). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sys_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct rt_sys_proc *e = sys_proc_of(tgid);
	struct rt_sys_counters *c;
	struct mm_struct *mm;
	__u64 peak;

	if (!e)
		return 0;
	c = sys_slot(e->run);
	if (!c)
		return 0;
	c->threads_exited++;
	/* only the last thread of the process goes on */
	if (!rt_group_dead(p))
		return 0;
	c->procs_exited++;
	e->last_tid = BPF_CORE_READ(p, pid);
	e->exit_ns = bpf_ktime_get_ns();
	e->exit_code = BPF_CORE_READ(p, exit_code);
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	/* do_exit() folded the mm's hiwater into signal->maxrss when the
	 * group died, before the tracepoint; the mm itself is gone already
	 * where exit_mm() runs before the tracepoint (before v6.16). */
	peak = BPF_CORE_READ(p, signal, maxrss);
	mm = BPF_CORE_READ(p, mm);
	if (mm) {
		__u64 hw = BPF_CORE_READ(mm, hiwater_rss), rss = rt_mm_rss(mm);

		if (hw > peak)
			peak = hw;
		if (rss > peak)
			peak = rss;
	}
	if (peak > e->peak_rss_pages)
		e->peak_rss_pages = peak;
	return 0;
}

/* The final switch-out of a thread of @run: its CPU time, faults and file
 * bytes are final.  The thread that ended its process sends the process's
 * record. */
static __always_inline void sys_thread_dead(struct task_struct *p, __u32 run,
					    struct rt_sys_counters *c)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	__u64 ut, st, rt, minf, majf, rch = 0, wch = 0;
	struct rt_sys_proc *e;
	struct rt_sys_event *ev;

	ut = BPF_CORE_READ(p, utime);
	st = BPF_CORE_READ(p, stime);
	rt = BPF_CORE_READ(p, se.sum_exec_runtime);
	minf = BPF_CORE_READ(p, min_flt);
	majf = BPF_CORE_READ(p, maj_flt);
	if (bpf_core_field_exists(p->ioac)) {
		rch = BPF_CORE_READ(p, ioac.rchar);
		wch = BPF_CORE_READ(p, ioac.wchar);
	}
	c->dead_utime += ut;
	c->dead_stime += st;
	c->dead_rtime += rt;
	c->dead_minflt += minf;
	c->dead_majflt += majf;
	c->dead_rchar += rch;
	c->dead_wchar += wch;
	e = sys_proc_of(tgid);
	if (!e || e->run != run)
		return;
	__sync_fetch_and_add(&e->utime, ut);
	__sync_fetch_and_add(&e->stime, st);
	__sync_fetch_and_add(&e->rtime, rt);
	__sync_fetch_and_add(&e->minflt, minf);
	__sync_fetch_and_add(&e->majflt, majf);
	__sync_fetch_and_add(&e->rchar, rch);
	__sync_fetch_and_add(&e->wchar, wch);
	__sync_fetch_and_add(&e->threads, 1);
	if (e->last_tid != tid)
		return;
	ev = rt_reserve(struct rt_sys_event, RT_EV_SYS, run, ((__u64)tgid << 32) | tid);
	if (ev) {
		__builtin_memcpy(&ev->p, e, sizeof(ev->p));
		bpf_ringbuf_submit(ev, rt_wakeup_flags());
	} else {
		c->drops++;
	}
	bpf_map_delete_elem(&sys_proc, &tgid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sys_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 ptid = BPF_CORE_READ(prev, pid), ntgid;
	struct rt_sys_oncpu *on = bpf_map_lookup_elem(&sys_oncpu, &ptid), non = {};
	struct rt_sys_proc *ne;
	__u64 now = 0;

	if (on) {
		struct rt_sys_counters *c = sys_slot(on->run);

		if (c) {
			long state = rt_task_state(prev);

			now = bpf_ktime_get_ns();
			if (now > on->ts)
				c->oncpu_ns += now - on->ts;
			/* What __schedule() counts in nvcsw: the task left
			 * the CPU by blocking, not by preemption. */
			if (!preempt && state != 0)
				c->vcsw++;
			else
				c->ivcsw++;
			if (state & TASK_DEAD_)
				sys_thread_dead(prev, on->run, c);
		}
		bpf_map_delete_elem(&sys_oncpu, &ptid);
	} else if (rt_task_state(prev) & TASK_DEAD_) {
		/* Rarely a thread of a run dies with no on-CPU stamp (its
		 * switch-in went unseen): still count it. */
		struct rt_sys_proc *pe = sys_proc_of(BPF_CORE_READ(prev, tgid));
		struct rt_sys_counters *c;

		if (pe && (c = sys_slot(pe->run)))
			sys_thread_dead(prev, pe->run, c);
	}
	ntgid = BPF_CORE_READ(next, tgid);
	ne = sys_proc_of(ntgid);
	if (ne) {
		non.ts = now ? now : bpf_ktime_get_ns();
		non.run = ne->run;
		ntgid = BPF_CORE_READ(next, pid);
		bpf_map_update_elem(&sys_oncpu, &ntgid, &non, BPF_ANY);
	}
	return 0;
}

/* Sum the live threads of run sys_iter_run into sys_live[0] (zeroed by
 * userspace before each read); raise each live process's peak RSS. */
SEC("iter/task")
int sys_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct rt_sys_live *l;
	struct rt_sys_proc *e;
	struct mm_struct *mm;
	__u32 k = 0, tgid;

	if (!t)
		return 0;
	tgid = BPF_CORE_READ(t, tgid);
	e = sys_proc_of(tgid);
	if (!e || e->run != sys_iter_run)
		return 0;
	/* A dead thread was counted at its final switch-out. */
	if (rt_task_state(t) & TASK_DEAD_)
		return 0;
	l = bpf_map_lookup_elem(&sys_live, &k);
	if (!l)
		return 0;
	l->threads++;
	l->utime += BPF_CORE_READ(t, utime);
	l->stime += BPF_CORE_READ(t, stime);
	l->rtime += BPF_CORE_READ(t, se.sum_exec_runtime);
	l->minflt += BPF_CORE_READ(t, min_flt);
	l->majflt += BPF_CORE_READ(t, maj_flt);
	if (bpf_core_field_exists(t->ioac)) {
		l->rchar += BPF_CORE_READ(t, ioac.rchar);
		l->wchar += BPF_CORE_READ(t, ioac.wchar);
	}
	if (BPF_CORE_READ(t, pid) != tgid)
		return 0;
	l->procs++;
	mm = BPF_CORE_READ(t, mm);
	if (mm) {
		__u64 rss = rt_mm_rss(mm), hw = BPF_CORE_READ(mm, hiwater_rss);
		__u64 mx = BPF_CORE_READ(t, signal, maxrss);

		l->rss_pages += rss;
		if (rss > hw)
			hw = rss;
		if (mx > hw)
			hw = mx;
		if (hw > e->peak_rss_pages)
			e->peak_rss_pages = hw;
	}
	return 0;
}

/* ---- block IO: attributed in the submitter's context ------------------- */

static __always_inline int sys_rq_attribute(struct request *rq)
{
	__u64 tg = bpf_get_current_pid_tgid();
	struct rt_sys_proc *e = sys_proc_of(tg >> 32);
	struct rt_sys_rq r = {};
	__u64 key = (__u64)rq;

	if (!e)
		return 0;
	r.run = e->run;
	r.tgid = tg >> 32;
	if (bpf_map_update_elem(&sys_rq, &key, &r, BPF_ANY)) {
		struct rt_sys_counters *c = sys_slot(e->run);

		if (c)
			c->drops++;
	}
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(sys_blk_start, struct request *rq)
{
	return sys_rq_attribute(rq);
}

SEC("tp_btf/block_rq_issue")
int sys_blk_issue(__u64 *ctx)
{
	struct request *rq = RT_RQ_ARG(ctx, cfg_sys_blk_issue_arg);
	__u64 key = (__u64)rq;
	struct rt_sys_rq *r = bpf_map_lookup_elem(&sys_rq, &key);
	__u32 op;

	if (!r) {
		if (cfg_sys_have_io_start)
			return 0;
		sys_rq_attribute(rq);
		r = bpf_map_lookup_elem(&sys_rq, &key);
		if (!r)
			return 0;
	}
	op = BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK_;
	if (op > 1) { /* neither REQ_OP_READ nor REQ_OP_WRITE: no data */
		bpf_map_delete_elem(&sys_rq, &key);
		return 0;
	}
	r->write = op;
	r->bytes = BPF_CORE_READ(rq, __data_len);
	r->issue_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/block_rq_complete")
int sys_blk_done(__u64 *ctx)
{
	struct request *rq = RT_RQ_ARG(ctx, cfg_sys_blk_done_arg);
	__u64 key = (__u64)rq, lat = 0, *gen;
	struct rt_sys_rq *r = bpf_map_lookup_elem(&sys_rq, &key);
	struct rt_sys_counters *c;
	struct rt_sys_proc *e;

	if (!r)
		return 0;
	if (!r->issue_ns)
		goto cleanup;
	c = sys_slot(r->run);
	if (!c)
		goto cleanup;
	lat = bpf_ktime_get_ns() - r->issue_ns;
	if (r->write) {
		c->blk_wr_bytes += r->bytes;
		c->blk_wr_reqs++;
	} else {
		c->blk_rd_bytes += r->bytes;
		c->blk_rd_reqs++;
	}
	c->blk_lat_ns += lat;
	gen = bpf_map_lookup_elem(&sys_gens, &r->run);
	if (gen && c->blk_lat_gen != *gen) {
		c->blk_lat_gen = *gen;
		c->blk_lat_max_ns = 0;
	}
	if (lat > c->blk_lat_max_ns)
		c->blk_lat_max_ns = lat;
	e = sys_proc_of(r->tgid);
	if (e && e->run == r->run) {
		if (r->write)
			__sync_fetch_and_add(&e->blk_wr_bytes, r->bytes);
		else
			__sync_fetch_and_add(&e->blk_rd_bytes, r->bytes);
	}
cleanup:
	bpf_map_delete_elem(&sys_rq, &key);
	return 0;
}

/* ---- network: devices as a whole, and the run's own cgroup ------------- */

static __always_inline void sys_dev_count(struct net_device *dev, __u32 len, bool tx)
{
	struct rt_sys_netdev *d, zero = {};
	__u32 ifindex;

	if (!dev)
		return;
	ifindex = BPF_CORE_READ(dev, ifindex);
	d = rt_lookup_or_init(&sys_netdev, &ifindex, &zero);
	if (!d)
		return;
	if (tx) {
		d->tx_pkts++;
		d->tx_bytes += len;
	} else {
		d->rx_pkts++;
		d->rx_bytes += len;
	}
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(sys_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev,
	     unsigned int skb_len)
{
	if (!sys_active || rc != 0) /* NETDEV_TX_OK */
		return 0;
	sys_dev_count(dev, skb_len, true);
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(sys_dev_rx, struct sk_buff *skb)
{
	__u32 len;
	__u16 mac;

	if (!sys_active)
		return 0;
	/* The link-layer header was pulled already; count it as net_dev_xmit's
	 * skb_len and the device statistics do. */
	len = BPF_CORE_READ(skb, len);
	mac = BPF_CORE_READ(skb, mac_header);
	if (mac != (__u16)~0U) {
		long hdr = (long)BPF_CORE_READ(skb, data) - (long)BPF_CORE_READ(skb, head) - mac;

		if (hdr > 0 && hdr <= 128)
			len += hdr;
	}
	sys_dev_count(BPF_CORE_READ(skb, dev), len, false);
	return 0;
}

/* Attached to the session's cgroup: sees every run's cgroup below it; the
 * run is the one whose cgroup holds the packet's socket (rt_run_of_skb).
 * Always lets the packet pass. */
static __always_inline int sys_cg_count(struct __sk_buff *skb, bool tx)
{
	__u32 run = rt_run_of_skb(skb);
	struct rt_sys_counters *c;

	if (!run)
		return 1;
	c = sys_slot(run);
	if (!c)
		return 1;
	if (tx) {
		c->net_tx_pkts++;
		c->net_tx_bytes += skb->len;
	} else {
		c->net_rx_pkts++;
		c->net_rx_bytes += skb->len;
	}
	return 1;
}

SEC("cgroup_skb/egress")
int sys_cg_egress(struct __sk_buff *skb)
{
	return sys_cg_count(skb, true);
}

SEC("cgroup_skb/ingress")
int sys_cg_ingress(struct __sk_buff *skb)
{
	return sys_cg_count(skb, false);
}
