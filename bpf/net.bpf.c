// SPDX-License-Identifier: GPL-2.0-only
/*
 * --net-trace: the packets of a run's own sockets.  Two cgroup_skb programs
 * are attached once per session to the session's parent cgroup v2 directory;
 * every run's cgroup is a child of it, so they see exactly the packets that
 * sockets created by the run's processes send (egress) and receive
 * (ingress).  They run outside process context (softirq, or whatever task
 * happens to send), hence the run id comes from the packet's socket: the
 * run whose cgroup holds it (rt_run_of_skb), never from the current task;
 * several runs may be in flight at once (-j).
 *
 * Each packet is copied, from its IP header, with bpf_skb_load_bytes into a
 * scratch slot, then handed to the ring buffer with bpf_ringbuf_output at
 * its captured length (variable, at most min(cfg_snaplen, RT_NET_MAX_CAP)),
 * waking the consumer only in batches (rt_wakeup_flags).
 * Packets the ring buffer cannot take are counted in the run's drops[RT_EV_NET].
 * The programs always return 1: they observe, never filter.
 *
 * Loopback rule (a packet between two of the run's own sockets fires egress
 * at the sender, then ingress at the receiver; tcpdump on lo shows it once):
 *   - every egress packet is recorded;
 *   - on loopback (ifindex 1 in every netns), egress also remembers the
 *     packet's flow (addresses, protocol, ports, or ICMP type/code and id)
 *     in net_lo_flows with the run id;
 *   - an ingress packet on loopback whose flow a socket of the same run sent
 *     is skipped: its egress copy is already recorded.  Packets from peers
 *     outside the run (whose egress nobody recorded) are recorded at ingress.
 *
 * Super-packets: egress sees a TCP packet before GSO.  One longer than an
 * IP header can say (over 65535 bytes) is cut by the kernel after this hook
 * and a capture on the device shows the segments, so it is sent as one
 * record a segment (RT_NET_F_GSO) and userspace rebuilds their headers.
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>
#include "runtrace/net.h"

char LICENSE[] SEC("license") = "GPL";

/* Bytes of each packet to keep (--snaplen); the original length is kept too. */
const volatile __u32 cfg_snaplen = RT_NET_DEFAULT_SNAPLEN;

#define NET_ETH_P_IP 0x0800
#define NET_ETH_P_IPV6 0x86DD
#define NET_IPPROTO_ICMPV6 58
#define NET_LOOPBACK_IFINDEX 1

/* A record as it goes to the ring buffer: rt_net_event and its tail.  The
 * tail has room for twice RT_NET_MAX_CAP so that the verifier can check a
 * copy at a bounded offset of a bounded size without relating the two. */
struct net_buf {
	__u8 bytes[sizeof(struct rt_net_event) + 2 * (RT_NET_MAX_CAP + 1)];
};

/* A copy size the verifier sees within [1, 65536] whatever it knows: equal
 * to @x for 1 <= x <= 65536.  Verifiers before 6.x do not learn x >= 1 from
 * a branch on x == 0 (seen on 6.1), which helpers taking a size require. */
#define NET_SIZE(x) ((((x) - 1) & 0xffff) + 1)

/* Scratch slots, RT_NET_NEST per CPU, slot cpu * RT_NET_NEST + depth (too
 * large for a per-CPU map, whose values are limited to 32 KiB); userspace
 * sets max_entries to RT_NET_NEST * possible CPUs before load (1 when
 * --net-trace is off, so an unused session costs nothing). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_buf);
} net_scratch SEC(".maps");

/* Current nesting depth of the programs on this CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} net_depth SEC(".maps");

/* A packet's flow, for the loopback rule. */
struct net_flow {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;    /* TCP/UDP source port, or ICMP type << 8 | code */
	__u16 dport;    /* TCP/UDP destination port, or ICMP echo id */
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

/* Flows that sockets of a run sent on loopback -> that run's id. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1); /* set by userspace before load */
	__type(key, struct net_flow);
	__type(value, __u32);
} net_lo_flows SEC(".maps");

static __always_inline int net_flow_of(struct __sk_buff *skb, __u8 family,
				       struct net_flow *f)
{
	__u32 off;
	__u8 l4[4];

	__builtin_memset(f, 0, sizeof(*f));
	f->family = family;
	if (family == 4) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return -1;
		f->saddr[0] = ip.saddr;
		f->daddr[0] = ip.daddr;
		f->proto = ip.protocol;
		off = ip.ihl * 4;
		if (ip.frag_off & bpf_htons(0x1fff))
			return 0; /* a later fragment: no ports in it */
	} else {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return -1;
		__builtin_memcpy(f->saddr, &ip6.saddr, 16);
		__builtin_memcpy(f->daddr, &ip6.daddr, 16);
		f->proto = ip6.nexthdr;
		off = sizeof(ip6);
	}
	switch (f->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (bpf_skb_load_bytes(skb, off, l4, 4))
			return 0;
		f->sport = l4[0] << 8 | l4[1];
		f->dport = l4[2] << 8 | l4[3];
		break;
	case IPPROTO_ICMP:
	case NET_IPPROTO_ICMPV6: {
		__u8 icmp[6];

		if (bpf_skb_load_bytes(skb, off, icmp, 6))
			return 0;
		f->sport = icmp[0] << 8 | icmp[1];
		f->dport = icmp[4] << 8 | icmp[5];
		break;
	}
	}
	return 0;
}

/* Whether to record this loopback packet (the rule at the top). */
static __always_inline bool net_lo_keep(struct __sk_buff *skb, __u8 family,
					bool egress, __u32 run)
{
	struct net_flow f;
	__u32 *seen;

	if (net_flow_of(skb, family, &f))
		return true;
	seen = bpf_map_lookup_elem(&net_lo_flows, &f);
	if (!egress)
		return !seen || *seen != run;
	if (!seen || *seen != run)
		bpf_map_update_elem(&net_lo_flows, &f, &run, BPF_ANY);
	return true;
}

/* IP + TCP header length of a TCP packet, or 0. */
static __always_inline __u32 net_tcp_hlen(struct __sk_buff *skb, __u8 family)
{
	__u32 off;
	__u8 b;

	if (family == 4) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP)
			return 0;
		off = ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) || ip6.nexthdr != IPPROTO_TCP)
			return 0;
		off = sizeof(ip6);
	}
	if (bpf_skb_load_bytes(skb, off + 12, &b, 1))
		return 0;
	return off + (b >> 4) * 4;
}

static __always_inline void net_output(struct rt_net_event *ev, __u32 run, __u64 caplen)
{
	barrier_var(caplen);
	if (caplen > RT_NET_MAX_CAP)
		caplen = RT_NET_MAX_CAP;
	rt_fill_hdr(&ev->hdr, RT_EV_NET,
		    sizeof(*ev) + caplen > 0xffff ? 0xffff : sizeof(*ev) + caplen, run, 0);
	ev->caplen = caplen;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev) + caplen, rt_wakeup_flags()))
		rt_count_run_drops(run, RT_EV_NET, 1);
}

/*
 * The record of segment @k of the super-packet whose header scratch slot
 * @slot holds (see net_output_gso), standing for @nseg segments.  A global
 * function: the verifier checks it once, not once per iteration of the
 * caller's loop (which, inlined, older verifiers could not prune: 6.1 gave
 * up at a million instructions).
 */
__attribute__((noinline)) int net_gso_segment(struct __sk_buff *skb, __u32 slot, __u32 run,
					      __u32 k, __u32 nseg)
{
	/* 64-bit, so that bounds checks and helper arguments share registers */
	__u64 hlen, gso_size, len, per, chunk, off, n;
	struct rt_net_event *ev;
	struct net_buf *buf;

	buf = bpf_map_lookup_elem(&net_scratch, &slot);
	if (!buf)
		return 0;
	ev = (void *)buf->bytes;
	hlen = ev->hlen;
	gso_size = ev->gso_size;
	len = ev->len;
	barrier_var(hlen);
	if (hlen < 20 || hlen > 120 || !gso_size)
		return 0;
	per = cfg_snaplen > hlen ? cfg_snaplen - hlen : 0;
	chunk = gso_size < per ? gso_size : per;
	if (chunk > RT_NET_MAX_CAP - hlen)
		chunk = RT_NET_MAX_CAP - hlen;
	off = hlen + (__u64)k * gso_size;
	if (off >= len)
		return 0;
	n = len - off < chunk ? len - off : chunk;
	ev->seg = k;
	ev->nseg = nseg;
	barrier_var(n);
	if (n == 0 || n > RT_NET_MAX_CAP ||
	    bpf_skb_load_bytes(skb, off, ev->data + hlen, NET_SIZE(n)))
		n = 0;
	net_output(ev, run, hlen + n);
	return 0;
}

/*
 * A TCP super-packet over 65535 bytes (RT_NET_F_GSO in runtrace/net.h):
 * one record a segment, each with the header and the first bytes of the
 * segment's payload; the record of segment RT_NET_GSO_MAX_SEGS - 1 stands
 * for the rest.  Returns false if it is not such a packet (nothing sent).
 */
static __always_inline bool net_output_gso(struct __sk_buff *skb, struct rt_net_event *ev,
					   __u32 slot, __u32 run, __u8 family, __u32 len)
{
	__u64 gso_size = skb->gso_size, hlen, nsegs;
	__u32 k;

	if (skb->gso_segs < 2 || !gso_size)
		return false;
	hlen = net_tcp_hlen(skb, family);
	barrier_var(hlen);
	if (hlen < 20 || hlen > 120 || hlen >= len)
		return false;
	if (bpf_skb_load_bytes(skb, 0, ev->data, NET_SIZE(hlen)))
		return false;
	ev->flags = RT_NET_F_GSO;
	ev->gso_size = gso_size;
	ev->hlen = hlen;
	nsegs = (len - hlen + gso_size - 1) / gso_size;
	for (k = 0; k < RT_NET_GSO_MAX_SEGS && k < nsegs; k++)
		net_gso_segment(skb, slot, run, k,
				k == RT_NET_GSO_MAX_SEGS - 1 ? nsegs - k : 1);
	return true;
}

static __always_inline void net_capture(struct __sk_buff *skb, bool egress)
{
	__u32 run = rt_run_of_skb(skb), zero = 0, len, ifindex, slot, *depth;
	__u64 caplen;
	struct rt_net_event *ev;
	struct net_buf *buf;
	__u8 family;

	if (!run)
		return;
	if (skb->protocol == bpf_htons(NET_ETH_P_IP))
		family = 4;
	else if (skb->protocol == bpf_htons(NET_ETH_P_IPV6))
		family = 6;
	else
		return;
	ifindex = egress ? skb->ifindex : skb->ingress_ifindex;
	if (ifindex == NET_LOOPBACK_IFINDEX && !net_lo_keep(skb, family, egress, run))
		return;

	depth = bpf_map_lookup_elem(&net_depth, &zero);
	if (!depth)
		return;
	if (*depth >= RT_NET_NEST) {
		rt_count_run_drops(run, RT_EV_NET, 1);
		return;
	}
	slot = bpf_get_smp_processor_id() * RT_NET_NEST + *depth;
	buf = bpf_map_lookup_elem(&net_scratch, &slot);
	if (!buf) {
		rt_count_run_drops(run, RT_EV_NET, 1);
		return;
	}
	*depth += 1;
	ev = (void *)buf->bytes;

	len = skb->len;
	ev->ifindex = ifindex;
	ev->dir = egress ? RT_NET_EGRESS : RT_NET_INGRESS;
	ev->family = family;
	ev->len = len;
	ev->flags = 0;
	ev->gso_size = 0;
	ev->hlen = 0;
	ev->seg = 0;
	ev->nseg = 0;
	ev->pad[0] = ev->pad[1] = ev->pad[2] = 0;
	if (egress && len > 0xffff && net_output_gso(skb, ev, slot, run, family, len))
		goto out;
	caplen = len < cfg_snaplen ? len : cfg_snaplen;
	/* Bound it in the register the helpers get, for the verifier. */
	barrier_var(caplen);
	if (caplen > RT_NET_MAX_CAP)
		caplen = RT_NET_MAX_CAP;
	barrier_var(caplen);
	if (caplen > 0 && bpf_skb_load_bytes(skb, 0, ev->data, NET_SIZE(caplen)))
		caplen = 0;
	net_output(ev, run, caplen);
out:
	*depth -= 1;
}

SEC("cgroup_skb/ingress")
int net_ingress(struct __sk_buff *skb)
{
	net_capture(skb, false);
	return 1;
}

SEC("cgroup_skb/egress")
int net_egress(struct __sk_buff *skb)
{
	net_capture(skb, true);
	return 1;
}
