/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Divergence: where a failed run's syscalls depart from those of the most
 * recent passing run.  Pure: two runs' --call-trace spools in (struct
 * ct_spool, records as the call-trace sink keeps them), the text of
 * run-NNNN/divergence.txt and a summary.json member out.
 *
 * What it does, in order:
 *  1. digests each run: its processes (the tree of RT_PROC_FORK records, or
 *     of clone/fork return values when the spool has none), each one's
 *     first exec'd path, its threads in creation order and each thread's
 *     syscalls in order (the run's child before its exec is runtrace's own
 *     setup: left out, as in syscalls.log);
 *  2. matches processes between the runs: root with root, then each matched
 *     parent's children by first exec'd path and fork order (the k-th child
 *     that exec'd /bin/cat with the k-th), the rest by fork order alone;
 *     threads by creation order;
 *  3. normalises every syscall to a 64-bit hash of what should not differ
 *     between two runs of the same program (see diverge.c);
 *  4. aligns each matched thread pair's sequences (common prefix, then a
 *     bounded Myers search for where they realign: align.c) and reports
 *     the first departure, with context from both runs side by side;
 *  5. counts syscalls by name, errno and main argument in both runs: those
 *     only in the failed run, and errors more frequent there.
 */
#ifndef RUNTRACE_DIVERGE_H
#define RUNTRACE_DIVERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "syscalls/spool.h"
#include "util/strbuf.h"

/* One run, as the comparison names it. */
struct dv_run_info {
	unsigned id;              /* run number (run-NNNN) */
	__u32 root_pid;           /* the run's child (rt_run.pid); 0: the first process seen */
	int wait_status;          /* wait(2) status of the run's child; -1: unknown */
	__s64 realtime_offset_ns; /* for the wall-clock times of the full lines */
	__u64 dropped;            /* oldest records the spool let go (ct_spool.dropped) */
	__u64 lost;               /* records the kernel could not queue during the run */
};

/* Knobs; zero fields take the defaults in brackets. */
struct dv_opts {
	unsigned strsize;      /* -s of the formatted lines [32] */
	unsigned context;      /* matching syscalls shown before and after a departure [3] */
	unsigned rows;         /* rows of a departure shown [8] */
	unsigned width;        /* characters of each side's column [64] */
	unsigned realign;      /* syscalls that must match again to end a departure [8] */
	unsigned max_edits;    /* edits searched for a realignment [512] */
	unsigned max_sections; /* departing threads shown in full [16] */
	unsigned max_only;     /* lines of the only-in-failed list [20] */
};

/* What the comparison found (for the caller's messages and for tests). */
struct dv_result {
	bool compared;        /* a passing run was given */
	bool departs;         /* a matched thread departs, or a process or thread is in one run only */
	unsigned procs[2];    /* processes in the passing [0] and failed [1] run */
	unsigned matched;     /* processes matched */
	unsigned departing;   /* matched threads that depart */
	unsigned only[2];     /* processes only in the passing [0] / failed [1] run */
	unsigned only_threads[2]; /* threads of matched processes only in one run */
	unsigned only_failed; /* distinct syscall keys only in the failed run */
	__u32 pid, tid;       /* the reported departure, in the failed run (0: none) */
	__u64 index;          /* its 1-based syscall index in that thread (0: none) */
	__u64 work;           /* alignment steps spent (the cost measure) */
};

/*
 * Compare failed run @failed with passing run @passing and append
 * divergence.txt's text to @text and the summary member
 *   ,"divergence":{"result":"departs","passing_run":6,"process":"/usr/bin/cat",
 *                  "pid":4250,"tid":4250,"syscall_index":9,
 *                  "syscall":"openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (...)",
 *                  "passing":"openat(AT_FDCWD, \"/x\", O_RDONLY) = 3"}
 * to @json.  result is one of "departs" (the first departure to show, by
 * when its syscall returned), "process only in the failed run", "thread
 * only in the failed run" (its first syscall named), "process only in the
 * passing run", "thread only in the passing run", "same syscalls", "no
 * passing run"; null values where there is nothing to name.  process is
 * what the process exec'd last; syscall_index is 1-based in that thread's
 * syscalls, as syscalls.log shows them; syscall and passing are the two
 * runs' syscalls where they part, without time, pid and duration.
 *
 * @passing NULL: no run has passed yet, and the text says so.  The spools
 * are only read; their records must stay put until the call returns.  @res
 * may be NULL.  Returns 0, or -ENOMEM (nothing appended).
 */
int dv_compare(const struct ct_spool *passing, const struct dv_run_info *pinfo,
	       const struct ct_spool *failed, const struct dv_run_info *finfo,
	       const struct dv_opts *opts, struct strbuf *text, struct strbuf *json,
	       struct dv_result *res);

#endif
