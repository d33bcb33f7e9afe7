/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every runtrace BPF program shares: the scope map (which processes
 * belong to which run), the ring buffer, the drop counters, and the helpers
 * that use them.  The maps are defined once, in scope.bpf.c (which defines
 * RT_DEFINE_MAPS); every other object declares them extern and `bpftool gen
 * object` links them into one object, hence one skeleton.
 */
#ifndef RUNTRACE_COMMON_BPF_H
#define RUNTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "runtrace/events.h"

#ifdef RT_DEFINE_MAPS
#define RT_SHARED
#else
#define RT_SHARED extern
#endif

/* tgid -> run id of every process in a traced scope. */
RT_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} scope SEC(".maps");

/* The one event stream; userspace sets its size before load. */
RT_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Failed ring-buffer reservations per run (key: run id), per CPU, per enum
 * rt_event_type.  Userspace creates a run's entry when the run begins and
 * deletes it when it ends; key 0 counts records of a run that has no entry
 * (it ended already).  Sized by userspace: runs in flight at most, plus 1. */
RT_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rt_drops);
} drops SEC(".maps");

/* cgroup v2 id of a run's cgroup -> run id, filled by userspace when the
 * run's cgroup is made.  Programs outside process context (cgroup_skb) find
 * a packet's run from its socket's cgroup.  Sized like drops. */
RT_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u64);
	__type(value, __u32);
} run_cgroups SEC(".maps");

/* Level of the runs' cgroups in the cgroup v2 tree (the session cgroup's
 * level + 1), found by the first packet (rt_run_of_skb): the level counts
 * from the real root, which a cgroup namespace hides from userspace. */
RT_SHARED volatile __u32 run_cglevel;

/* Bumped whenever a cached answer to "which run is this task in?" may have
 * gone stale: at every fork (a new task may reuse a dead one's task_struct)
 * and by userspace when it changes the scope map.  Programs that cache
 * scope per CPU (syscalls.bpf.c) compare it. */
RT_SHARED volatile __u32 scope_gen;

/* Bytes waiting in the ring buffer that make a record wake the reader
 * (rt_wakeup_flags); set by userspace before load. */
#ifdef RT_DEFINE_MAPS
const volatile __u64 cfg_wakeup_bytes = 1 << 20;
#else
extern const volatile __u64 cfg_wakeup_bytes;
#endif

/* The waiting bytes in cfg_wakeup_bytes at the last record that looked
 * (rt_wakeup_flags). */
RT_SHARED volatile __u32 rt_wakeup_level;

/* cgroup v2 id of the session's cgroup, under which every run's cgroup is
 * made (0: none).  Set by userspace before load. */
#ifdef RT_DEFINE_MAPS
const volatile __u64 cfg_session_cgid = 0;
#else
extern const volatile __u64 cfg_session_cgid;
#endif

/* A cgroup scope (trace --cgroup): every task whose cgroup v2 is
 * cfg_scope_cgid or one below it belongs to scope cfg_scope_cgrun; the
 * cgroup is at depth cfg_scope_cglevel.  Set by userspace before load;
 * 0: none. */
#ifdef RT_DEFINE_MAPS
const volatile __u64 cfg_scope_cgid = 0;
const volatile __u32 cfg_scope_cglevel = 0;
const volatile __u32 cfg_scope_cgrun = 0;
#else
extern const volatile __u64 cfg_scope_cgid;
extern const volatile __u32 cfg_scope_cglevel;
extern const volatile __u32 cfg_scope_cgrun;
#endif

/* Run id of process @tgid, or 0 if it is in no traced scope. */
static __always_inline __u32 rt_run_of(__u32 tgid)
{
	__u32 *run = bpf_map_lookup_elem(&scope, &tgid);

	return run ? *run : 0;
}

/* Run id of the current task (process @tgid): its scope entry, or the
 * cgroup scope it is in; 0 if none. */
static __always_inline __u32 rt_run_of_current(__u32 tgid)
{
	__u32 run = rt_run_of(tgid);

	if (!run && cfg_scope_cgid &&
	    bpf_get_current_ancestor_cgroup_id(cfg_scope_cglevel) == cfg_scope_cgid)
		run = cfg_scope_cgrun;
	return run;
}

/* The value of @key in hash map @map, inserted as *@init if absent;
 * NULL if the map is full. */
static __always_inline void *rt_lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* Whether @p is the last thread of its process to exit: do_exit() has
 * brought signal->live to 0 before sched_process_exit fires. */
static __always_inline bool rt_group_dead(struct task_struct *p)
{
	return BPF_CORE_READ(p, signal, live.counter) == 0;
}

/* Count @n records of @type of run @run that the ring buffer could not
 * take (under key 0 if the run has no entry). */
static __always_inline void rt_count_run_drops(__u32 run, __u32 type, __u32 n)
{
	struct rt_drops *d = bpf_map_lookup_elem(&drops, &run);
	__u32 zero = 0;

	if (!d)
		d = bpf_map_lookup_elem(&drops, &zero);
	if (d && type < RT_DROP_SLOTS)
		d->n[type] += n;
}

/* The same for a record of the current task's run. */
static __always_inline void rt_count_drops(__u32 type, __u32 n)
{
	rt_count_run_drops(rt_run_of_current(bpf_get_current_pid_tgid() >> 32), type, n);
}

static __always_inline void rt_count_drop(__u32 type)
{
	rt_count_drops(type, 1);
}

/* Run id of the packet @skb (cgroup_skb programs): the run whose cgroup
 * holds the packet's socket, at the runs' level (a cgroup the run made
 * below its own counts as the run's); 0 if none. */
static __always_inline __u32 rt_run_of_skb(struct __sk_buff *skb)
{
	__u32 level = run_cglevel, l, *run;
	__u64 id;

	if (!cfg_session_cgid)
		return 0;
	if (!level) {
		/* the first packet: where is the session cgroup? */
		for (l = 1; l < 32; l++) {
			if (bpf_skb_ancestor_cgroup_id(skb, l) == cfg_session_cgid) {
				level = l + 1;
				break;
			}
		}
		if (!level)
			return 0;
		run_cglevel = level;
	}
	id = bpf_skb_ancestor_cgroup_id(skb, level);
	run = bpf_map_lookup_elem(&run_cgroups, &id);
	return run ? *run : 0;
}

static __always_inline void rt_fill_hdr_at(struct rt_hdr *h, __u16 type, __u16 size,
					   __u32 run, __u64 pid_tgid, __u64 ts)
{
	h->type = type;
	h->size = size;
	h->run = run;
	h->ts = ts;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
}

static __always_inline void rt_fill_hdr(struct rt_hdr *h, __u16 type, __u16 size,
					__u32 run, __u64 pid_tgid)
{
	rt_fill_hdr_at(h, type, size, run, pid_tgid, bpf_ktime_get_ns());
}

/*
 * Flags for bpf_ringbuf_submit/output, for every record: no wakeup (the
 * reader consumes every 50 ms anyway, and a wakeup per record costs the
 * traced process more than the record itself: 1.2x on a fork-heavy loop,
 * 9x on a syscall-heavy one), unless the bytes waiting have just passed a
 * multiple of cfg_wakeup_bytes (a quarter of the ring, set by userspace).
 * Only on the way up, and once: a reader that lags that far is awake and
 * reading, and a wakeup on every record then (a self-IPI each, a VM exit
 * in a guest) made W1 of tools/bench/trace 18% slower under trace -o,
 * whose reader fell 16 MiB behind.  Racing CPUs may wake it twice or not
 * at all; its 50 ms tick bounds the wait.
 */
static __always_inline __u64 rt_wakeup_flags(void)
{
	__u32 level = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) / cfg_wakeup_bytes;
	__u32 last = rt_wakeup_level;

	if (level == last)
		return BPF_RB_NO_WAKEUP;
	rt_wakeup_level = level;
	return level > last ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Reserve a fixed-size record with its header filled, or count a drop. */
#define rt_reserve(type, ev_type, run, pid_tgid)                               \
	({                                                                     \
		type *__ev = bpf_ringbuf_reserve(&events, sizeof(type), 0);   \
		if (__ev)                                                      \
			rt_fill_hdr(&__ev->hdr, ev_type, sizeof(type), run,   \
				    pid_tgid);                                 \
		else                                                           \
			rt_count_run_drops(run, ev_type, 1);                   \
		__ev;                                                          \
	})

#endif /* RUNTRACE_COMMON_BPF_H */
