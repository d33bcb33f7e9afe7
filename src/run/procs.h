/* SPDX-License-Identifier: GPL-2.0-only */
/* procs.log: the fork/exec/exit records of a run's processes and their tree. */
#ifndef RUNTRACE_RUN_PROCS_H
#define RUNTRACE_RUN_PROCS_H

#include "engine/sink.h"

/* 0 and @out filled, or -errno. */
int procs_sink_new(struct sink *out);

#endif
