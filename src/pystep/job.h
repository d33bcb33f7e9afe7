/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running requests: the environment every job shares (the interpreter's
 * probe sites, the BPF session, the boxes) and the workers that run one
 * job at a time each, in a box of their own, with the next box already
 * started and waiting for its program ("warm").
 *
 * A job: the warm interpreter gets the source and the input; at
 * PyEval_EvalCode of the program (START) the USDT semaphores are set; then
 * every step stops the program (bpf/pystep.bpf.c), the worker reads its
 * state (inspect.h), appends the step to the record and lets it go on.
 * The record ends with the error record, if any: the step limit, an
 * uncaught exception (with the traceback the interpreter printed), a
 * limit of the box.
 */
#ifndef RUNTRACE_PYSTEP_JOB_H
#define RUNTRACE_PYSTEP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pystep/box.h"
#include "pystep/inspect.h"
#include "pystep/request.h"
#include "util/strbuf.h"

struct ps_options {
	const char *python;           /* the interpreter */
	unsigned slots;               /* workers (jobs at once) */
	unsigned timeout_ms;          /* wall-clock limit of a job */
	size_t output_limit;          /* bytes a program may print (stdout + stderr) */
	size_t record_limit;          /* bytes of a record */
	uid_t uid_base;               /* boxes run as uid_base + 4 * slot + 0..3 */
	struct ps_inspect_limits inspect;
	struct ps_box_limits box;
};

struct ps_env;
struct ps_worker;

/* Open the interpreter, set up the boxes, load and attach the BPF session.
 * NULL with errno; the reason is printed. */
struct ps_env *ps_env__new(const struct ps_options *o);
void ps_env__free(struct ps_env *e);
/* Abort every job in progress (its record ends with "interrupted"). */
void ps_env__abort(struct ps_env *e);
const char *ps_env__cgroups(const struct ps_env *e);

/* A worker: a free slot (its users, its ring buffer) and warm boxes.
 * NULL with errno (the reason printed). */
struct ps_worker *ps_worker__new(struct ps_env *e);
void ps_worker__free(struct ps_worker *w);
/* Start the next boxes now (their interpreters start meanwhile), so that
 * the next job does not wait for one to start.  0 or -errno. */
int ps_worker__warm(struct ps_worker *w);

/* What a job did, for logs and benchmarks. */
struct ps_job_stats {
	unsigned steps;               /* steps in the record */
	double run_ms;                /* from the source sent to the end */
	double start_ms;              /* from the source sent to the program's start */
	unsigned long long reads, source_reads; /* memory reads of the snapshots */
	int wait_status;              /* the interpreter's */
};

/* Run @req: its record (compact JSON) is appended to @out.  0, or -errno
 * when runtrace itself failed (the record then ends with an error record
 * saying so).  Never leaves a process behind. */
int ps_worker__run(struct ps_worker *w, const struct pystep_request *req, struct strbuf *out,
		   struct ps_job_stats *stats);

#endif
