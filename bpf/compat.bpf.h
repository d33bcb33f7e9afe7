/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-compat shims for the BPF programs, in one place.  Each names the
 * kernel change that made it necessary.  Older layouts are declared as
 * "___flavor" structs: CO-RE strips the suffix when it matches them against
 * the running kernel's BTF.
 */
#ifndef RUNTRACE_COMPAT_BPF_H
#define RUNTRACE_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* ---- sys-trace ---------------------------------------------------------- */

/* mm->rss_stat: kernel commit f1a7941243c1 ("mm: convert mm's rss stats into
 * percpu_counter", v6.2) turned `struct mm_rss_stat { atomic_long_t
 * count[NR_MM_COUNTERS]; } rss_stat` into `struct percpu_counter
 * rss_stat[NR_MM_COUNTERS]`.  The percpu_counter's `count` is its folded
 * value, what get_mm_counter() returns.  Indexes: MM_FILEPAGES 0,
 * MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3 (unchanged since v4.5). */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
};

struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
};

static __always_inline long rt_mm_counter(struct mm_struct *mm, int i)
{
	struct mm_struct___pre62 *old = (void *)mm;
	long v;

	if (bpf_core_field_exists(old->rss_stat)) /* incompatible type since v6.2 */
		v = BPF_CORE_READ(old, rss_stat.count[i].counter);
	else
		v = BPF_CORE_READ(mm, rss_stat[i].count);
	return v < 0 ? 0 : v;
}

/* Resident pages of @mm, as get_mm_rss(): file + anon + shmem. */
static __always_inline __u64 rt_mm_rss(struct mm_struct *mm)
{
	return rt_mm_counter(mm, 0) + rt_mm_counter(mm, 1) + rt_mm_counter(mm, 3);
}

/* task_struct::state became __state in kernel commit 2f064a59a11f ("sched:
 * Change task_struct::state", v5.14). */
struct task_struct___pre514 {
	long state;
};

static __always_inline long rt_task_state(struct task_struct *t)
{
	struct task_struct___pre514 *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ(old, state);
}

/* Block request-based tracepoints: kernel commit a54895fa057c ("block:
 * remove the request_queue to argument request based tracepoints", v5.11)
 * dropped the leading `struct request_queue *q` of block_rq_issue (and
 * _insert, _merge, _requeue).  A tp_btf program sees the raw arguments, so
 * which one is the request cannot be told by a field check: userspace
 * counts the parameters of btf_trace_block_rq_issue in the kernel's BTF and
 * sets cfg_blk_rq_arg (src/sys/systrace.c, sys_probe_rq_arg()); the verifier
 * prunes the branch not taken, so the absent argument is never read.
 * block_io_start (commit 5a80bd075f3b, v6.5) takes only the request and
 * runs in the submitter's context. */
#define RT_RQ_ARG(ctx, second) ((second) ? (void *)(ctx)[1] : (void *)(ctx)[0])

/* ---- profile ------------------------------------------------------------ */

/* The registers @task entered the kernel with (its user registers):
 * bpf_task_pt_regs(), kernel commit dd6e10fbd9fb ("bpf: Add
 * bpf_task_pt_regs() helper", v5.15).  NULL before: profile then finds the
 * caller of a function without a frame pointer only through the frame
 * chain (which skips it). */
static __always_inline struct pt_regs *rt_task_user_regs(struct task_struct *task)
{
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return NULL;
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* When the cpu-clock tick running @ctx (a perf_event program on a
 * software timer event) was due: its hrtimer's expiry, read through
 * bpf_cast_to_kern_ctx() (kernel commit fd264ca02094, "bpf: Add a kfunc to
 * type cast from bpf uapi ctx to kernel ctx", v6.2).  @now before: the
 * tick's lateness then counts as the sampled thread's. */
extern void *bpf_cast_to_kern_ctx(void *) __ksym __weak;

static __always_inline __u64 rt_tick_due(struct bpf_perf_event_data *ctx, __u64 now)
{
	struct bpf_perf_event_data_kern *k;
	__u64 due;

	if (!bpf_cast_to_kern_ctx)
		return now;
	k = bpf_cast_to_kern_ctx(ctx);
	due = BPF_CORE_READ(k, event, hw.hrtimer.node.expires);
	return due && due <= now ? due : now;
}

#endif /* RUNTRACE_COMPAT_BPF_H */
