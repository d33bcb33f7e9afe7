// SPDX-License-Identifier: GPL-2.0-only
/*
 * The least a syscall tracer can do per syscall on this kernel, for
 * tools/bench/calltrace to set runtrace against: the raw_syscalls
 * tracepoints (tp_btf, as runtrace uses) with programs that return at once
 * for processes outside the command's cgroup (the cheapest test of "is
 * this task traced?") and, for the traced ones, do only what a strace-like
 * line cannot go without: a clock read at entry and one at exit (the
 * timestamp and the duration) and, at exit, one read of user memory (the
 * data bytes of read/write).  Nothing is recorded.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "floor.h"

char LICENSE[] SEC("license") = "GPL";

/* 0: the tracepoints with empty programs; 1: plus the work above */
const volatile int cfg_work = 1;
__u64 target;    /* the cgroup of the traced command and its children */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_cpu);
} floor_cpu SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	struct floor_cpu *c;
	__u32 zero = 0;

	if (!cfg_work || bpf_get_current_cgroup_id() != target)
		return 0;
	c = bpf_map_lookup_elem(&floor_cpu, &zero);
	if (c)
		c->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	struct floor_cpu *c;
	__u32 zero = 0;
	char b;

	if (!cfg_work || bpf_get_current_cgroup_id() != target)
		return 0;
	c = bpf_map_lookup_elem(&floor_cpu, &zero);
	if (!c)
		return 0;
	if (bpf_probe_read_user(&b, 1, (void *)regs->si))
		b = 0;
	c->sum_ns += bpf_ktime_get_ns() - c->ts + b;
	c->syscalls++;
	return 0;
}
