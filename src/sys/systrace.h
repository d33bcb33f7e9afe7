/* SPDX-License-Identifier: GPL-2.0-only */
/* --sys-trace: a run's CPU, memory, processes, disk and network over time. */
#ifndef RUNTRACE_SYS_SYSTRACE_H
#define RUNTRACE_SYS_SYSTRACE_H

#include "engine/sink.h"

/* Sample every @interval_ms.  0 and @out filled, or -errno (message printed). */
int systrace_sink_new(long interval_ms, struct sink *out);

#endif
