/* SPDX-License-Identifier: GPL-2.0-only */
/* The registry of sinks: which ones a configuration enables. */
#ifndef RUNTRACE_SINKS_H
#define RUNTRACE_SINKS_H

#include "engine/sink.h"

#define RT_MAX_SINKS 8

/* Each constructor returns 0 and fills @out, or -errno (message printed). */
int procs_sink_new(const struct config *cfg, struct sink *out);
int calltrace_sink_new(const struct config *cfg, struct sink *out);
int systrace_sink_new(const struct config *cfg, struct sink *out);
int nettrace_sink_new(const struct config *cfg, struct sink *out);

/* Create the sinks @cfg enables into @sinks; returns how many or -errno.
 * @with_bpf: whether BPF-fed sinks may be created. */
int sinks_create(const struct config *cfg, bool with_bpf, struct sink *sinks, int max);

#endif
