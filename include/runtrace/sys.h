/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --sys-trace: what bpf/sys.bpf.c and src/sys/systrace.c share.
 *
 * The kernel side aggregates in maps instead of sending an event per
 * sched_switch: per-run counters (a per-CPU hash entry per run), one entry
 * per process of a scope (sys_proc, keyed by tgid), and a live snapshot
 * that a task iterator fills when userspace reads it at each tick.  The only
 * ring-buffer record is struct rt_sys_event, one per process of a run when
 * its last thread exits.  Only __u32/__u64 and fixed arrays here.
 */
#ifndef RUNTRACE_SYS_H
#define RUNTRACE_SYS_H

#include "runtrace/events.h"

/* Processes alive at once in all scopes (sys_proc entries). */
#define RT_SYS_MAX_PROCS 16384
/* On-CPU start stamps: one per CPU running a thread of a run, with room
 * for stragglers (userspace deletes a run's leftovers at run_end). */
#define RT_SYS_MAX_THREADS 8192
/* Block requests in flight at once. */
#define RT_SYS_MAX_RQS 4096
/* Network interfaces counted (ifindex-keyed). */
#define RT_SYS_MAX_IFACES 64

/* Cumulative per-run counters since run_start; a per-CPU array value,
 * summed over CPUs by userspace.  A thread's CPU time, faults and file
 * bytes are added at its final switch-out (state TASK_DEAD), when the
 * scheduler has folded in its last slice; until then the task iterator
 * reads them live (rt_sys_live). */
struct rt_sys_counters {
	__u64 oncpu_ns;        /* on-CPU time from sched_switch, ns */
	__u64 vcsw;            /* voluntary context switches (blocked) */
	__u64 ivcsw;           /* involuntary context switches (preempted) */
	__u64 procs_started;   /* processes forked into the scope */
	__u64 threads_started; /* threads (CLONE_THREAD) created in the scope */
	__u64 procs_exited;    /* processes whose last thread exited */
	__u64 threads_exited;  /* threads that exited, last ones included */
	__u64 dead_utime;      /* task->utime of exited threads, ns (tick-sampled) */
	__u64 dead_stime;      /* task->stime of exited threads, ns (tick-sampled) */
	__u64 dead_rtime;      /* task->se.sum_exec_runtime of exited threads, ns */
	__u64 dead_minflt;     /* task->min_flt of exited threads */
	__u64 dead_majflt;     /* task->maj_flt of exited threads */
	__u64 dead_rchar;      /* task->ioac.rchar of exited threads, bytes */
	__u64 dead_wchar;      /* task->ioac.wchar of exited threads, bytes */
	__u64 blk_rd_bytes;    /* block-layer bytes read by the run's processes */
	__u64 blk_wr_bytes;    /* block-layer bytes written */
	__u64 blk_rd_reqs;     /* read requests completed */
	__u64 blk_wr_reqs;     /* write requests completed */
	__u64 blk_lat_ns;      /* sum of issue -> complete latency, ns */
	__u64 blk_lat_max_ns;  /* largest latency on this CPU in interval blk_lat_gen */
	__u64 blk_lat_gen;     /* the run's sys_gens value when blk_lat_max_ns was last reset */
	__u64 net_tx_pkts;     /* packets leaving the run's cgroup */
	__u64 net_tx_bytes;
	__u64 net_rx_pkts;     /* packets delivered into the run's cgroup */
	__u64 net_rx_bytes;
	__u64 drops;           /* table full: a process or request not counted */
};

/* A snapshot of the live threads of one run, filled by the task iterator
 * (array map sys_live, one element) each time userspace reads it. */
struct rt_sys_live {
	__u64 utime;     /* sum of task->utime, ns */
	__u64 stime;     /* sum of task->stime, ns */
	__u64 rtime;     /* sum of task->se.sum_exec_runtime, ns */
	__u64 minflt;
	__u64 majflt;
	__u64 rchar;
	__u64 wchar;
	__u64 rss_pages; /* sum over processes of file+anon+shmem pages */
	__u64 procs;     /* processes alive (group leader not exiting) */
	__u64 threads;   /* threads alive (not yet dead) */
};

/* A thread of a run on a CPU (map sys_oncpu, key tid). */
struct rt_sys_oncpu {
	__u64 ts;  /* when it went on the CPU */
	__u32 run;
	__u32 pad;
};

/* One process of a scope (map sys_proc, key tgid). */
struct rt_sys_proc {
	__u32 run;          /* run id */
	__u32 ppid;         /* creating process */
	__u64 start_ns;     /* fork time, bpf_ktime_get_ns() */
	__u64 utime;        /* dead threads' utime, ns (tick-sampled) */
	__u64 stime;        /* dead threads' stime, ns */
	__u64 rtime;        /* dead threads' sum_exec_runtime, ns */
	__u64 rchar;        /* dead threads' ioac.rchar */
	__u64 wchar;        /* dead threads' ioac.wchar */
	__u64 minflt;
	__u64 majflt;
	__u64 blk_rd_bytes; /* block bytes attributed to this process */
	__u64 blk_wr_bytes;
	__u64 peak_rss_pages; /* largest RSS seen (mm hiwater / signal->maxrss) */
	__u32 threads;      /* threads dead so far */
	__u32 last_tid;     /* the thread that ended the process (0: alive) */
	__u64 exit_ns;      /* when the last thread exited (0: alive) */
	__s32 exit_code;    /* wait(2) status word, once exit_ns is set */
	__u32 pad;
	char comm[RT_COMM_LEN]; /* comm when it exited */
};

/* The record sent when the last thread of a process of a run is dead. */
struct rt_sys_event {
	struct rt_hdr hdr;     /* hdr.pid: the process */
	struct rt_sys_proc p;  /* its totals */
};
_Static_assert(sizeof(struct rt_sys_proc) == 136, "rt_sys_proc layout is ABI");
_Static_assert(sizeof(struct rt_sys_event) == 24 + 136, "rt_sys_event layout is ABI");

/* Per-interface device counters (per-CPU hash sys_netdev, key ifindex),
 * cumulative since load; userspace takes differences. */
struct rt_sys_netdev {
	__u64 rx_pkts;
	__u64 rx_bytes;
	__u64 tx_pkts;
	__u64 tx_bytes;
};

/* A block request in flight (map sys_rq, key: the struct request address). */
struct rt_sys_rq {
	__u32 run;
	__u32 tgid;
	__u64 issue_ns; /* 0 until block_rq_issue */
	__u64 bytes;
	__u32 write;
	__u32 pad;
};

#endif /* RUNTRACE_SYS_H */
