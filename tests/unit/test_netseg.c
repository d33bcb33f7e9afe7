// SPDX-License-Identifier: GPL-2.0-only
/* netseg: a TCP super-packet record becomes the segments GSO makes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/netseg.h"

struct pkt {
	__u8 data[256];
	__u32 caplen, len;
};

struct got {
	struct pkt p[8];
	int n;
};

static int collect(void *ctx, const __u8 *pkt, __u32 caplen, __u32 len)
{
	struct got *g = ctx;

	if (g->n == 8)
		return -E2BIG;
	memcpy(g->p[g->n].data, pkt, caplen < 256 ? caplen : 256);
	g->p[g->n].caplen = caplen;
	g->p[g->n].len = len;
	g->n++;
	return 0;
}

static struct {
	struct rt_net_event ev;
	__u8 data[1024];
} rec;

/* IPv4 (20) + TCP with 12 option bytes (32): hlen 52; a 2500-byte payload
 * cut at 1000 into 3 segments.  The record of segment @seg (standing for
 * @nseg segments) holds the header and @chunk bytes of that segment. */
static void make_v4(__u16 seg, __u16 nseg, __u32 chunk)
{
	static const __u8 hdr[52] = {
		0x45, 0, 0x09, 0xf8 /* wrong on purpose */, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
		127, 0, 0, 1, 127, 0, 0, 1,
		0x30, 0x39, 0x00, 0x50, 0xff, 0xff, 0xff, 0x00 /* seq near wrap */,
		0, 0, 0, 1, 0x80, 0x80 | 0x10 | 0x08 | 0x01 /* CWR ACK PSH FIN */, 0x02, 0,
		0, 0, 0, 0,
	};

	memset(&rec, 0, sizeof(rec));
	memcpy(rec.data, hdr, sizeof(hdr));
	memset(rec.data + 52, 'a' + seg, chunk);
	rec.ev.family = 4;
	rec.ev.flags = RT_NET_F_GSO;
	rec.ev.len = 52 + 2500;
	rec.ev.gso_size = 1000;
	rec.ev.hlen = 52;
	rec.ev.seg = seg;
	rec.ev.nseg = nseg;
	rec.ev.caplen = 52 + chunk;
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int csum_ok(const __u8 *ip)
{
	__u32 sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void test_v4_segments(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	__u64 packets = 0, bytes = 0;
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		struct got g = { .n = 0 };
		const __u8 *ip, *th;
		__u32 seg = k < 2 ? 1000 : 500;

		make_v4(k, 1, 44);
		assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), 0);
		assert_int_equal(g.n, 1);
		ip = g.p[0].data;
		th = ip + 20;
		assert_int_equal(g.p[0].len, 52 + seg);
		assert_int_equal(g.p[0].caplen, 96);
		assert_int_equal(ip[2] << 8 | ip[3], 52 + seg);
		assert_int_equal(ip[4] << 8 | ip[5], 0x1234 + k);
		assert_true(csum_ok(ip));
		assert_int_equal(be32(th + 4), (__u32)(0xffffff00u + k * 1000));
		assert_int_equal(!!(th[13] & 0x80), k == 0);           /* CWR first */
		assert_int_equal(!!(th[13] & 0x01), k == 2);           /* FIN last */
		assert_int_equal(!!(th[13] & 0x08), k == 2);           /* PSH last */
		assert_true(th[13] & 0x10);                            /* ACK all */
		assert_int_equal(ip[52], 'a' + k);
		assert_int_equal(ip[95], 'a' + k);
		netseg_count(&rec.ev, &packets, &bytes);
	}
	assert_int_equal(packets, 3);
	assert_int_equal(bytes, 3 * 52 + 2500);
}

static void test_v4_record_for_the_rest(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	struct got g = { .n = 0 };
	__u64 packets = 0, bytes = 0;

	(void)state;
	make_v4(1, 2, 44); /* segments 1 and 2, only 1's payload seen */
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.p[0].caplen, 96);
	assert_int_equal(g.p[0].len, 1052);
	assert_int_equal(g.p[1].caplen, 52);
	assert_int_equal(g.p[1].len, 552);
	netseg_count(&rec.ev, &packets, &bytes);
	assert_int_equal(packets, 2);
	assert_int_equal(bytes, 1052 + 552);
}

static __u32 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void test_partial_tcp_checksum_redone(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	struct got g = { .n = 0 };
	__u32 sum;

	(void)state;
	/* the offload form: the pseudo-header sum for the super-packet's
	 * TCP length (2532 = 32 + 2500), 127.0.0.1 both ways */
	make_v4(2, 1, 44);
	sum = fold(0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 6 + 2532);
	rec.data[20 + 16] = sum >> 8;
	rec.data[20 + 17] = sum & 0xff;
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), 0);
	sum = fold(0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 6 + 32 + 500);
	assert_int_equal(g.p[0].data[36] << 8 | g.p[0].data[37], sum);
}

static void test_v6_payload_len(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	struct got g = { .n = 0 };

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.data[0] = 0x60;
	rec.data[6] = 6;
	rec.data[40 + 12] = 5 << 4; /* doff 5: hlen 60 */
	rec.ev.family = 6;
	rec.ev.flags = RT_NET_F_GSO;
	rec.ev.hlen = 60;
	rec.ev.len = 60 + 3000;
	rec.ev.gso_size = 1500;
	rec.ev.caplen = 60;
	rec.ev.seg = 0;
	rec.ev.nseg = 2;
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 60, scratch, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.p[0].data[4] << 8 | g.p[0].data[5], 20 + 1500);
	assert_int_equal(g.p[1].len, 1560);
	assert_int_equal(g.p[1].caplen, 60);
}

static void test_plain_record_cut_to_snaplen(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	struct got g = { .n = 0 };
	__u64 packets = 0, bytes = 0;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.ev.len = 1500;
	rec.ev.caplen = 200;
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.p[0].caplen, 96);
	assert_int_equal(g.p[0].len, 1500);
	netseg_count(&rec.ev, &packets, &bytes);
	assert_int_equal(packets, 1);
	assert_int_equal(bytes, 1500);
}

static void test_bad_gso_record(void **state)
{
	static __u8 scratch[NETSEG_SCRATCH];
	struct got g = { .n = 0 };

	(void)state;
	make_v4(0, 1, 44);
	rec.ev.caplen = 10; /* less than its header */
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), -EINVAL);
	make_v4(2, 2, 44); /* segments 2 and 3 of 3 */
	assert_int_equal(netseg_walk(&rec.ev, rec.data, 96, scratch, collect, &g), -EINVAL);
	assert_int_equal(g.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_segments),
		cmocka_unit_test(test_v4_record_for_the_rest),
		cmocka_unit_test(test_partial_tcp_checksum_redone),
		cmocka_unit_test(test_v6_payload_len),
		cmocka_unit_test(test_plain_record_cut_to_snaplen),
		cmocka_unit_test(test_bad_gso_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
