/* SPDX-License-Identifier: GPL-2.0-only */
/* --net-trace: a pcap of a run's own packets. */
#ifndef RUNTRACE_NET_NETTRACE_H
#define RUNTRACE_NET_NETTRACE_H

#include "engine/sink.h"

/* Capture @snaplen bytes per packet.  0 and @out filled, or -errno. */
int nettrace_sink_new(long snaplen, struct sink *out);

#endif
