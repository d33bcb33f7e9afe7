/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one tagged event stream shared by the BPF programs and userspace.
 * Every record in the ring buffer starts with struct rt_hdr; userspace
 * dispatches on hdr.type.  Only __u8..__u64 and fixed arrays here: this
 * header is included by BPF code (after vmlinux.h) and by userspace (after
 * <linux/types.h>).
 */
#ifndef RUNTRACE_EVENTS_H
#define RUNTRACE_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Record types. */
enum rt_event_type {
	RT_EV_PROC = 1,    /* struct rt_proc_event: fork, exec, exit */
	RT_EV_SYSCALL = 2, /* struct rt_syscall_event, joined in userspace (runtrace/syscall.h) */
	RT_EV_NET = 3,     /* struct rt_net_event (include/runtrace/net.h) */
	RT_EV_SYS = 4,     /* struct rt_sys_event (include/runtrace/sys.h) */
	RT_EV_SYSCALL_ENTER = 5, /* struct rt_sc_enter (runtrace/syscall.h) */
	RT_EV_SYSCALL_EXIT = 6,  /* struct rt_sc_exit (runtrace/syscall.h) */
	RT_EV_BATCH = 7,   /* records of one CPU, back to back, each 8-byte aligned;
			    * hdr.run, ts, pid, tid are 0 */
	RT_EV_THREAD_EXIT = 8, /* struct rt_thread_exit (runtrace/syscall.h) */
	RT_EV_SIGNAL = 9,  /* struct rt_signal_event (runtrace/syscall.h) */
	RT_EV_CALL = 10,   /* struct rt_call_event (runtrace/calls.h) */
	RT_EV_PROFILE = 11, /* struct rt_profile_unknown (runtrace/profile.h) */
	RT_EV_MAX = 16,
};

/* Common header of every record. */
struct rt_hdr {
	__u16 type; /* enum rt_event_type */
	__u16 size; /* bytes of the whole record, header included */
	__u32 run;  /* run id the record belongs to (never 0 for a real run) */
	__u64 ts;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, nanoseconds */
	__u32 pid;  /* thread group id (what userspace calls the pid) */
	__u32 tid;  /* thread id */
};
_Static_assert(sizeof(struct rt_hdr) == 24, "rt_hdr layout is ABI");

#define RT_COMM_LEN 16
#define RT_PATH_LEN 256

enum rt_proc_kind {
	RT_PROC_FORK = 1, /* a new process or thread entered the scope */
	RT_PROC_EXEC = 2, /* a process of the scope exec'd a program */
	RT_PROC_EXIT = 3, /* the last thread of a process exited */
};

/* A process-lifecycle record.  hdr.pid/tid: the process the record is about. */
struct rt_proc_event {
	struct rt_hdr hdr;
	__u32 kind;       /* enum rt_proc_kind */
	__u32 ppid;       /* FORK: creating process; EXEC/EXIT: real parent tgid */
	__u32 child_pid;  /* FORK: the new task's tgid */
	__u32 child_tid;  /* FORK: the new task's tid (== child_pid for a process) */
	__s32 exit_code;  /* EXIT: wait(2) status word (exit code << 8 | signal) */
	__u32 is_thread;  /* FORK: 1 if a thread (CLONE_THREAD) was created */
	char comm[RT_COMM_LEN]; /* task comm at the time of the record */
	char filename[RT_PATH_LEN]; /* EXEC: the path passed to exec, NUL-terminated */
};
_Static_assert(sizeof(struct rt_proc_event) == 24 + 24 + 16 + 256,
	       "rt_proc_event layout is ABI");

/* Per-CPU drop counters (map "drops", one entry): ring-buffer records of
 * each enum rt_event_type that could not be queued.  The session reads them
 * (one lookup for all types and CPUs) and shows each run its own in
 * rt_run.drops. */
#define RT_DROP_SLOTS RT_EV_MAX
struct rt_drops {
	__u64 n[RT_DROP_SLOTS]; /* records of each type the ring buffer could not take */
};

#endif /* RUNTRACE_EVENTS_H */
