// SPDX-License-Identifier: GPL-2.0-only
/* Segments of a TCP super-packet (see netseg.h), as tcp_gso_segment() and
 * inet_gso_segment()/ipv6_gso_segment() make them: the same headers with
 * the IP length, the IPv4 id (+1 a segment) and header checksum, and the
 * TCP sequence number advanced; FIN and PSH only on the last segment, CWR
 * only on the first.  A TCP checksum left for offload (the pseudo-header
 * sum, as on loopback) is redone for the segment's length, as the kernel
 * does; any other is left as captured. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/netseg.h"

static __u32 nsegs_of(const struct rt_net_event *ev)
{
	return (ev->len - ev->hlen + ev->gso_size - 1) / ev->gso_size;
}

static bool gso_valid(const struct rt_net_event *ev)
{
	return (ev->flags & RT_NET_F_GSO) && ev->gso_size && ev->hlen >= 20 &&
	       ev->hlen <= 120 && ev->hlen < ev->len && ev->caplen >= ev->hlen &&
	       ev->nseg && ev->seg + ev->nseg <= nsegs_of(ev);
}

/* Payload bytes of segment @k. */
static __u32 seg_payload(const struct rt_net_event *ev, __u32 k)
{
	__u32 left = ev->len - ev->hlen - k * ev->gso_size;

	return left < ev->gso_size ? left : ev->gso_size;
}

void netseg_count(const struct rt_net_event *ev, __u64 *packets, __u64 *bytes)
{
	__u32 n;

	if (!gso_valid(ev)) {
		*packets += 1;
		*bytes += ev->len;
		return;
	}
	*packets += ev->nseg;
	for (n = ev->seg; n < ev->seg + ev->nseg; n++)
		*bytes += ev->hlen + seg_payload(ev, n);
}

static __u16 get16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void ipv4_csum(__u8 *ip, unsigned ihl)
{
	__u32 sum = 0;
	unsigned i;

	put16(ip + 10, 0);
	for (i = 0; i < ihl; i += 2)
		sum += get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
}

/* One's complement sum of the pseudo-header of a TCP packet of @tcplen
 * bytes, folded: what an offloaded checksum field holds before the device
 * (or GSO) completes it. */
static __u16 pseudo_sum(const __u8 *ip, __u8 family, __u32 tcplen)
{
	unsigned i, alen = family == 4 ? 4 : 16, at = family == 4 ? 12 : 8;
	__u32 sum = 6 + (tcplen >> 16) + (tcplen & 0xffff);

	for (i = 0; i < 2 * alen; i += 2)
		sum += get16(ip + at + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

int netseg_walk(const struct rt_net_event *ev, const __u8 *data, __u32 snaplen,
		__u8 *scratch, netseg_emit_fn emit, void *ctx)
{
	__u32 hlen = ev->hlen, iphlen, nsegs, k, pos, per, seg, want, have, seq, caplen;
	bool partial;
	int err;

	if (!(ev->flags & RT_NET_F_GSO)) {
		caplen = ev->caplen < snaplen ? ev->caplen : snaplen;
		return emit(ctx, data, caplen, ev->len);
	}
	if (!gso_valid(ev))
		return -EINVAL;
	iphlen = ev->family == 4 ? (data[0] & 0xf) * 4u : 40u;
	if (iphlen + 20 > hlen)
		return -EINVAL;
	nsegs = nsegs_of(ev);
	per = snaplen > hlen ? snaplen - hlen : 0;
	seq = (__u32)get16(data + iphlen + 4) << 16 | get16(data + iphlen + 6);
	partial = get16(data + iphlen + 16) == pseudo_sum(data, ev->family, ev->len - iphlen);
	pos = hlen;
	for (k = ev->seg; k < ev->seg + ev->nseg; k++) {
		__u8 *th = scratch + iphlen;

		seg = seg_payload(ev, k);
		want = seg < per ? seg : per;
		have = ev->caplen - pos < want ? ev->caplen - pos : want;
		memcpy(scratch, data, hlen);
		memcpy(scratch + hlen, data + pos, have);
		pos += have;
		if (ev->family == 4) {
			put16(scratch + 2, hlen + seg);
			put16(scratch + 4, get16(data + 4) + k);
			ipv4_csum(scratch, iphlen);
		} else {
			put16(scratch + 4, hlen - 40 + seg);
		}
		put16(th + 4, (seq + k * ev->gso_size) >> 16);
		put16(th + 6, (seq + k * ev->gso_size) & 0xffff);
		if (k)
			th[13] &= ~0x80;         /* CWR */
		if (k + 1 < nsegs)
			th[13] &= ~(0x01 | 0x08); /* FIN, PSH */
		if (partial)
			put16(th + 16, pseudo_sum(scratch, ev->family, hlen - iphlen + seg));
		caplen = hlen + have < snaplen ? hlen + have : snaplen;
		err = emit(ctx, scratch, caplen, hlen + seg);
		if (err)
			return err;
	}
	return 0;
}
