/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runtrace pystep: what bpf/pystep.bpf.c and src/pystep/ share.
 *
 * One entry of map pystep_procs per traced Python process (key: its tgid),
 * written by userspace before the process runs.  The BPF programs sit just
 * after the USDT probe sites of CPython 3.11 (python:line, function__entry,
 * function__return; userspace sets the semaphores in its own interpreters)
 * and on PyEval_EvalCode and PyTraceBack_Here.  For an event
 * of the program's own code (its co_filename object) on the main thread they
 * count a step, stop the process (SIGSTOP) and send a struct pystep_event to
 * the job's ring buffer (pystep_rings[slot]); the step after the last
 * allowed one is never run: SIGKILL instead.
 */
#ifndef RUNTRACE_PYSTEP_H
#define RUNTRACE_PYSTEP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Jobs at once (ring buffers in pystep_rings). */
#define PYSTEP_MAX_SLOTS 64
/* Bytes of each job's ring buffer: one event is outstanding at a time. */
#define PYSTEP_RING_BYTES 4096
/* Longest program path the kernel compares. */
#define PYSTEP_PATH_MAX 64

enum pystep_kind {
	PYSTEP_START = 1,      /* PyEval_EvalCode of the program's module code:
				* the program is about to run its first line */
	PYSTEP_CALL = 2,       /* a frame of the program starts or resumes */
	PYSTEP_LINE = 3,       /* a new line (or a jump back) */
	PYSTEP_RETURN = 4,     /* a frame returns, yields, or is unwound */
	PYSTEP_EXCEPTION = 5,  /* an exception is raised in a frame */
	PYSTEP_LIMIT = 6,      /* the step after the last allowed one: killed */
	PYSTEP_FIRST = 7,      /* the program's first event, its module's call:
				* stopped, not a step */
};

/* pystep_proc.flags */
#define PYSTEP_F_STARTED 1u    /* PYSTEP_START seen */
#define PYSTEP_F_FIRST 2u      /* the program's first event (its module's call) seen */
#define PYSTEP_F_DONE 4u       /* no more steps: the module returned, or the limit */
#define PYSTEP_F_LOST 8u       /* a step could not be sent: the process was killed */

/* A traced process (map pystep_procs, key tgid). */
struct pystep_proc {
	__u64 runtime;    /* _PyRuntime's address in the process (userspace, at START) */
	__u64 filename;   /* the program's co_filename object (BPF, at START) */
	__u32 slot;       /* its job's ring buffer: pystep_rings[slot] */
	__u32 max_steps;  /* steps allowed */
	__u32 steps;      /* steps made so far */
	__u32 flags;      /* PYSTEP_F_* */
};

/* One step, sent to the job's ring buffer; the process is stopped (or, for
 * PYSTEP_LIMIT, killed) when it is read. */
struct pystep_event {
	__u32 kind;       /* enum pystep_kind */
	__u32 step;       /* 1-based number of this step (LIMIT: max_steps + 1) */
	__u32 tid;
	__u32 pad;
	__u64 code;       /* the frame's code object (START: the module's) */
	__u64 frame;      /* the _PyInterpreterFrame (0 for START) */
	__u64 ts;         /* bpf_ktime_get_ns() */
};

#endif
