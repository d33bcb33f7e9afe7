/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --net-trace: one record per packet a run's socket sent or received, as
 * seen by the cgroup_skb programs of bpf/net.bpf.c.  The packet starts at
 * its IP header (raw IP, v4 or v6) and only its first caplen bytes follow
 * the fixed part.
 */
#ifndef RUNTRACE_NET_H
#define RUNTRACE_NET_H

#include "runtrace/events.h"

/* Largest number of packet bytes one record carries, whatever --snaplen
 * says: an IP packet on loopback (GSO included) is at most 65535 bytes. */
#define RT_NET_MAX_CAP 65535

/* Scratch slots per CPU in bpf/net.bpf.c: the programs nest at most this
 * deep on one CPU (process context, then a softirq sending or receiving). */
#define RT_NET_NEST 3

/* Default --snaplen, as tcpdump's. */
#define RT_NET_DEFAULT_SNAPLEN 262144

enum rt_net_dir {
	RT_NET_INGRESS = 1, /* received by a socket of the run */
	RT_NET_EGRESS = 2,  /* sent by a socket of the run */
};

/* Flags of a record. */
enum rt_net_flags {
	/* Segments of a TCP super-packet (GSO) longer than an IP header can
	 * say (over 65535 bytes): the kernel cuts it into segments of
	 * gso_size payload bytes after the cgroup hook, and a capture on the
	 * device shows those.  Such a packet comes as one record a segment:
	 * data[] is the super-packet's IP+TCP header (hlen bytes), then the
	 * first min(its payload, snaplen - hlen) bytes of segment seg's
	 * payload; len is the super-packet's.  Userspace rebuilds each
	 * segment's headers (src/net/netseg.c). */
	RT_NET_F_GSO = 1,
};

/* Segments of one super-packet sent as records of their own; the record
 * of the last of them stands for all that remain (their payload unseen). */
#define RT_NET_GSO_MAX_SEGS 64

/*
 * hdr.type == RT_EV_NET.  hdr.pid/tid are 0: the programs run outside
 * process context.  hdr.size is sizeof(struct rt_net_event) + caplen,
 * saturated at 65535 (a full loopback packet does not fit in 16 bits): the
 * tail length is caplen, and the ring-buffer sample length covers it.
 */
struct rt_net_event {
	struct rt_hdr hdr;
	__u32 ifindex;  /* interface the packet went out or came in by */
	__u8 dir;       /* enum rt_net_dir */
	__u8 family;    /* 4 (IPv4) or 6 (IPv6), from skb->protocol */
	__u16 flags;    /* enum rt_net_flags */
	__u32 len;      /* original length of the IP packet, bytes */
	__u32 caplen;   /* bytes in data[]: min(len, snaplen, RT_NET_MAX_CAP),
			 * or with RT_NET_F_GSO as described there */
	__u32 gso_size; /* RT_NET_F_GSO: TCP payload bytes per segment */
	__u16 hlen;     /* RT_NET_F_GSO: IP + TCP header bytes */
	__u16 seg;      /* RT_NET_F_GSO: index of the (first) segment */
	__u16 nseg;     /* RT_NET_F_GSO: segments the record stands for */
	__u16 pad[3];
	__u8 data[];    /* the packet from its IP header */
};
_Static_assert(sizeof(struct rt_net_event) == 24 + 32, "rt_net_event layout is ABI");

#endif /* RUNTRACE_NET_H */
