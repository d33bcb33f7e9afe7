// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run scope: a run's processes are the one userspace registers (the forked
 * child, before it execs) and everything they fork, however deep.  The
 * scope map is kept here; every other program filters on it first.
 * Also emits the proc records (fork, exec, exit) behind run-NNNN/procs.log.
 */
#define RT_DEFINE_MAPS
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Emit proc records (procs.log); scope tracking runs regardless. */
const volatile bool cfg_proc_events = true;

SEC("tp_btf/sched_process_fork")
int BPF_PROG(rt_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 run = rt_run_of_current(ptgid);
	__u32 ctgid, ctid;
	struct rt_proc_event *ev;

	/* the child may reuse a dead task's task_struct: per-CPU scope caches
	 * keyed on the task pointer must look again (common.bpf.h) */
	__sync_fetch_and_add(&scope_gen, 1);
	if (!run)
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	ctid = BPF_CORE_READ(child, pid);
	/* a child of a process in a cgroup scope is in it by its cgroup */
	if (ctgid != ptgid && rt_run_of(ptgid))
		bpf_map_update_elem(&scope, &ctgid, &run, BPF_ANY);
	if (!cfg_proc_events)
		return 0;
	ev = rt_reserve(struct rt_proc_event, RT_EV_PROC, run,
			bpf_get_current_pid_tgid());
	if (!ev)
		return 0;
	ev->kind = RT_PROC_FORK;
	ev->ppid = ptgid;
	ev->child_pid = ctgid;
	ev->child_tid = ctid;
	ev->exit_code = 0;
	ev->is_thread = ctgid == ptgid;
	BPF_CORE_READ_STR_INTO(&ev->comm, parent, comm);
	ev->filename[0] = 0;
	bpf_ringbuf_submit(ev, rt_wakeup_flags());
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(rt_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 run = rt_run_of_current(pid_tgid >> 32);
	struct rt_proc_event *ev;

	if (!run)
		return 0;
	/* a thread other than the leader that execs takes the leader's tid:
	 * per-CPU caches of a task's ids must look again */
	__sync_fetch_and_add(&scope_gen, 1);
	if (!cfg_proc_events)
		return 0;
	ev = rt_reserve(struct rt_proc_event, RT_EV_PROC, run, pid_tgid);
	if (!ev)
		return 0;
	ev->kind = RT_PROC_EXEC;
	ev->ppid = BPF_CORE_READ(p, real_parent, tgid);
	ev->child_pid = 0;
	ev->child_tid = 0;
	ev->exit_code = 0;
	ev->is_thread = 0;
	bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
	bpf_probe_read_kernel_str(&ev->filename, sizeof(ev->filename),
				  BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(ev, rt_wakeup_flags());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(rt_exit, struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u32 run = rt_run_of_current(tgid);
	struct rt_proc_event *ev;

	if (!run)
		return 0;
	/* only the last thread of the process; its scope entry stays until
	 * the process is freed (rt_free): the other programs on this
	 * tracepoint (a thread's last records) still see it traced */
	if (!rt_group_dead(p))
		return 0;
	if (!cfg_proc_events)
		return 0;
	ev = rt_reserve(struct rt_proc_event, RT_EV_PROC, run, pid_tgid);
	if (!ev)
		return 0;
	ev->kind = RT_PROC_EXIT;
	ev->ppid = BPF_CORE_READ(p, real_parent, tgid);
	ev->child_pid = 0;
	ev->child_tid = 0;
	ev->exit_code = BPF_CORE_READ(p, exit_code);
	ev->is_thread = 0;
	bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
	ev->filename[0] = 0;
	bpf_ringbuf_submit(ev, rt_wakeup_flags());
	return 0;
}

/* A process is freed (reaped): its pid may be reused from now on, so it
 * leaves the scope.  Runs in RCU callback context: @p, not current. */
SEC("tp_btf/sched_process_free")
int BPF_PROG(rt_free, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, pid) != tgid || !rt_run_of(tgid))
		return 0;
	bpf_map_delete_elem(&scope, &tgid);
	__sync_fetch_and_add(&scope_gen, 1);
	return 0;
}

/* A task moved to another cgroup: per-CPU caches of "is this task traced?"
 * must look again (loaded only for a cgroup scope). */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(rt_cgroup_attach, struct cgroup *dst_cgrp, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	__sync_fetch_and_add(&scope_gen, 1);
	return 0;
}
