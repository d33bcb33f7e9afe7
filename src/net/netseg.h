/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packets one --net-trace record stands for: the packet itself, or for
 * a record of a TCP super-packet (RT_NET_F_GSO) the segment(s) the kernel
 * cuts from it after the cgroup hook, rebuilt as a capture on the device
 * shows them.
 * Pure: plain data in, packets out through a callback.
 */
#ifndef RUNTRACE_NETSEG_H
#define RUNTRACE_NETSEG_H

#include <linux/types.h>

#include "runtrace/net.h"

/* Receives one packet: its first @caplen bytes at @pkt, its true @len.
 * Returns 0 or -errno (which stops the walk). */
typedef int (*netseg_emit_fn)(void *ctx, const __u8 *pkt, __u32 caplen, __u32 len);

/* Scratch bytes netseg_walk() needs. */
#define NETSEG_SCRATCH (RT_NET_MAX_CAP + 128)

/* Emit the packets of record @ev whose data[] holds @avail bytes (at least
 * ev->caplen), each cut to @snaplen; @scratch has NETSEG_SCRATCH bytes.
 * Returns 0, -EINVAL for a record that does not add up, or emit's error. */
int netseg_walk(const struct rt_net_event *ev, const __u8 *data, __u32 snaplen,
		__u8 *scratch, netseg_emit_fn emit, void *ctx);

/* How many packets and bytes (true lengths) record @ev stands for. */
void netseg_count(const struct rt_net_event *ev, __u64 *packets, __u64 *bytes);

#endif
