// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace -c: per-syscall counts, errors and times kept in the kernel; no
 * record per syscall.
 *
 * A traced task's syscall in progress lives in its CPU's slot (count_cpu):
 * entry time, number, time on CPU so far.  When the task is switched out in
 * the middle of a syscall, the slot moves to a hash by tid (count_pending)
 * and comes back to the slot of whichever CPU it is switched in on, so the
 * time it spent off CPU is left out of cpu_ns (strace -c counts system
 * time) and kept in wall_ns (strace -c -w).  Counts go to a per-CPU array
 * by syscall number that userspace sums at the end.
 *
 * The slot has one writer at a time (a tracing program may be preempted on
 * kernels where syscall tracepoints are preemptible): a program that finds
 * it claimed uses the hash directly.
 */
#include "common.bpf.h"
#include "runtrace/syscount.h"

char LICENSE[] SEC("license") = "GPL";

/* Syscall numbers counted (-e trace=), a bit each; numbers >= RT_SC_NR_MAX
 * if cfg_count_high. */
const volatile __u64 cfg_count_filter[RT_SC_NR_MAX / 64] = {};
const volatile bool cfg_count_high = true;
/* Count only syscalls that failed (-Z). */
const volatile bool cfg_count_failed_only = false;

/* A syscall in progress. */
struct count_inflight {
	__u64 enter_ns;  /* entry time; 0: not timed */
	__u64 on_ns;     /* when it last got the CPU */
	__u64 cpu_ns;    /* time on CPU before that */
	__u64 nr;
};

struct count_cpu {
	__u64 task;      /* scope cache: the task last seen on this CPU ... */
	__u32 gen;       /* ... at this scope_gen ... */
	__u32 traced;    /* ... is traced */
	__u64 owner;     /* the task whose syscall is in the slot, 0: empty */
	__u32 busy;      /* the slot is claimed */
	__u32 n;         /* syscalls seen here, for 1-in-COUNT_SAMPLE timing */
	struct count_inflight in;
};

/* Calls and errors are counted for every syscall; times are measured (two
 * clock reads, a third of the cost) for the first COUNT_EXACT calls of each
 * syscall on each CPU, then for one in COUNT_SAMPLE: userspace scales them
 * by calls / timed. */
#define COUNT_EXACT 32
#define COUNT_SAMPLE 8

/* Syscalls waiting in count_pending: switches skip the hash while 0. */
static volatile __u64 count_npending;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct count_cpu);
} count_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct count_inflight);
} count_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_COUNT_SLOTS);
	__type(key, __u32);
	__type(value, struct rt_count);
} count_stats SEC(".maps");

static __always_inline bool count_wanted(__u64 nr)
{
	if (nr >= RT_SC_NR_MAX)
		return cfg_count_high;
	return cfg_count_filter[nr / 64] & (1ull << (nr & 63));
}

static __always_inline struct count_cpu *count_this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&count_cpu, &zero);
}

/* Whether the current task is traced, from the CPU's cache. */
static __always_inline bool count_traced(struct count_cpu *c, __u64 task)
{
	__u32 gen = scope_gen;

	if (c->task != task || c->gen != gen) {
		c->traced = rt_run_of_current(bpf_get_current_pid_tgid() >> 32) != 0;
		c->task = task;
		c->gen = gen;
	}
	return c->traced;
}

/* Whether syscall @nr has been timed fewer than COUNT_EXACT times here. */
static __always_inline bool count_few(__u64 nr)
{
	__u32 key = nr < RT_SC_NR_MAX ? nr : RT_SC_NR_MAX;
	struct rt_count *st = bpf_map_lookup_elem(&count_stats, &key);

	return st && st->timed < COUNT_EXACT;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(count_enter, struct pt_regs *regs, long id)
{
	__u64 task = bpf_get_current_task(), now;
	struct count_inflight in;
	struct count_cpu *c;

	if (!count_wanted(id))
		return 0;
	c = count_this_cpu();
	if (!c || !count_traced(c, task))
		return 0;
	now = 0;
	if ((++c->n & (COUNT_SAMPLE - 1)) == 0 || count_few(id))
		now = bpf_ktime_get_ns();
	if (!__sync_lock_test_and_set(&c->busy, 1)) {
		c->owner = task;
		c->in.enter_ns = now;
		c->in.on_ns = now;
		c->in.cpu_ns = 0;
		c->in.nr = id;
		c->busy = 0;
		return 0;
	}
	/* the slot is claimed by a program we preempted */
	in.enter_ns = now;
	in.on_ns = now;
	in.cpu_ns = 0;
	in.nr = id;
	{
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		if (!bpf_map_update_elem(&count_pending, &tid, &in, BPF_ANY))
			__sync_fetch_and_add(&count_npending, 1);
	}
	return 0;
}

static __always_inline void count_add(const struct count_inflight *in, long ret, __u64 now)
{
	__u32 key = in->nr < RT_SC_NR_MAX ? in->nr : RT_SC_NR_MAX;
	bool failed = ret < 0 && ret >= -4095;
	struct rt_count *st;

	if (cfg_count_failed_only && !failed)
		return;
	st = bpf_map_lookup_elem(&count_stats, &key);
	if (!st)
		return;
	st->calls++;
	st->errors += failed;
	if (!in->enter_ns)
		return;
	st->timed++;
	st->cpu_ns += in->cpu_ns + (now - in->on_ns);
	st->wall_ns += now - in->enter_ns;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(count_exit, struct pt_regs *regs, long ret)
{
	__u64 task = bpf_get_current_task(), now;
	struct count_inflight in, *p;
	struct count_cpu *c;
	__u32 tid;

	c = count_this_cpu();
	if (!c)
		return 0;
	/* its syscall is in this CPU's slot ... */
	if (c->owner == task && !__sync_lock_test_and_set(&c->busy, 1)) {
		if (c->owner == task) {
			now = c->in.enter_ns ? bpf_ktime_get_ns() : 0;
			in = c->in;
			c->owner = 0;
			c->busy = 0;
			count_add(&in, ret, now);
			return 0;
		}
		c->busy = 0;
	}
	/* ... or waiting in the hash (it was switched out, or the slot was
	 * claimed at entry) */
	if (!count_traced(c, task))
		return 0;
	if (!count_npending)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	p = bpf_map_lookup_elem(&count_pending, &tid);
	if (!p)
		return 0;
	in = *p;
	if (!bpf_map_delete_elem(&count_pending, &tid))
		__sync_fetch_and_add(&count_npending, -1);
	count_add(&in, ret, in.enter_ns ? bpf_ktime_get_ns() : 0);
	return 0;
}

/* A task leaves the CPU in the middle of a syscall: its slot goes to the
 * hash, its time on CPU so far with it; one coming back in the middle of a
 * syscall gets the slot of this CPU. */
SEC("tp_btf/sched_switch")
int BPF_PROG(count_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct count_cpu *c = count_this_cpu();
	struct count_inflight *p;
	__u64 now;
	__u32 tid;

	if (!c || (!c->owner && !count_npending) || __sync_lock_test_and_set(&c->busy, 1))
		return 0;
	if (c->owner && c->owner == (__u64)prev) {
		tid = BPF_CORE_READ(prev, pid);
		if (c->in.enter_ns) {
			now = bpf_ktime_get_ns();
			c->in.cpu_ns += now - c->in.on_ns;
		}
		if (!bpf_map_update_elem(&count_pending, &tid, &c->in, BPF_ANY))
			__sync_fetch_and_add(&count_npending, 1);
		c->owner = 0;
	}
	if (count_npending && !c->owner) {
		tid = BPF_CORE_READ(next, pid);
		p = bpf_map_lookup_elem(&count_pending, &tid);
		if (p) {
			c->in = *p;
			if (c->in.enter_ns)
				c->in.on_ns = bpf_ktime_get_ns();
			c->owner = (__u64)next;
			if (!bpf_map_delete_elem(&count_pending, &tid))
				__sync_fetch_and_add(&count_npending, -1);
		}
	}
	c->busy = 0;
	return 0;
}

/* A task exits in a syscall (exit, exit_group, killed): forget it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(count_task_exit, struct task_struct *p)
{
	struct count_cpu *c = count_this_cpu();
	__u32 tid = BPF_CORE_READ(p, pid);

	if (c && c->owner == (__u64)p && !__sync_lock_test_and_set(&c->busy, 1)) {
		if (c->owner == (__u64)p)
			c->owner = 0;
		c->busy = 0;
	}
	if (count_npending && !bpf_map_delete_elem(&count_pending, &tid))
		__sync_fetch_and_add(&count_npending, -1);
	return 0;
}
