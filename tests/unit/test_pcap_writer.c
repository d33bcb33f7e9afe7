// SPDX-License-Identifier: GPL-2.0-only
/* The pcap writer, read back with libpcap (an independent reader). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "net/pcap_writer.h"

/* A minimal IPv4/UDP packet and an IPv6/UDP one (headers only matter). */
static const uint8_t pkt4[] = {
	0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
	127, 0, 0, 1, 127, 0, 0, 1,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'p', 'i', 'n', 'g',
};
static const uint8_t pkt6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'p', 'o', 'n', 'g',
};

static char path[] = "/tmp/test_pcap_writer.XXXXXX";

static int new_file(void)
{
	strcpy(path, "/tmp/test_pcap_writer.XXXXXX");
	return mkstemp(path);
}

static pcap_t *open_back(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path,
			PCAP_TSTAMP_PRECISION_MICRO, errbuf);

	if (!p)
		fail_msg("pcap_open_offline: %s", errbuf);
	return p;
}

static void test_v4_v6_roundtrip(void **state)
{
	/* 2026-11-22 01:02:03.456789123 UTC */
	const uint64_t t0 = 1795309323ull * 1000000000ull + 456789123ull;
	struct pcap_writer *w;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t raw[24];
	pcap_t *p;
	int fd;

	(void)state;
	fd = new_file();
	assert_true(fd >= 0);
	w = pcap_writer__new(fd, 262144);
	assert_non_null(w);
	assert_int_equal(pcap_writer__add(w, t0, pkt4, sizeof(pkt4), sizeof(pkt4)), 0);
	assert_int_equal(pcap_writer__add(w, t0 + 1000, pkt6, sizeof(pkt6), sizeof(pkt6)), 0);
	assert_int_equal(pcap_writer__count(w), 2);
	assert_int_equal(pcap_writer__close(w), 0);

	/* The file header says LINKTYPE_RAW (101), microsecond magic. */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, raw, sizeof(raw)), sizeof(raw));
	close(fd);
	assert_int_equal(raw[0] | raw[1] << 8 | raw[2] << 16 | (uint32_t)raw[3] << 24, 0xa1b2c3d4);
	assert_int_equal(raw[20] | raw[21] << 8, 101);
	assert_int_equal(raw[16] | raw[17] << 8 | raw[18] << 16, 262144);

	p = open_back();
	assert_int_equal(pcap_datalink(p), DLT_RAW);
	assert_int_equal(pcap_snapshot(p), 262144);

	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 1795309323);
	assert_int_equal(h->ts.tv_usec, 456789);
	assert_int_equal(h->caplen, sizeof(pkt4));
	assert_int_equal(h->len, sizeof(pkt4));
	assert_memory_equal(data, pkt4, sizeof(pkt4));

	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 1795309323);
	assert_int_equal(h->ts.tv_usec, 456790);
	assert_int_equal(h->caplen, sizeof(pkt6));
	assert_memory_equal(data, pkt6, sizeof(pkt6));

	assert_int_equal(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
	unlink(path);
}

static void test_snaplen_cuts_caplen_keeps_len(void **state)
{
	struct pcap_writer *w;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int fd;

	(void)state;
	fd = new_file();
	assert_true(fd >= 0);
	w = pcap_writer__new(fd, 24);
	assert_non_null(w);
	/* The caller had only 28 bytes of a 1500-byte packet: caplen 24. */
	assert_int_equal(pcap_writer__add(w, 1000000000ull, pkt4, 28, 1500), 0);
	/* A caplen beyond the true length is cut to it. */
	assert_int_equal(pcap_writer__add(w, 2000000000ull, pkt4, 20, 16), 0);
	assert_int_equal(pcap_writer__close(w), 0);

	p = open_back();
	assert_int_equal(pcap_snapshot(p), 24);
	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->caplen, 24);
	assert_int_equal(h->len, 1500);
	assert_memory_equal(data, pkt4, 24);
	assert_int_equal(h->ts.tv_sec, 1);
	assert_int_equal(h->ts.tv_usec, 0);
	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->caplen, 16);
	assert_int_equal(h->len, 16);
	pcap_close(p);
	unlink(path);
}

static void test_bad_fd(void **state)
{
	(void)state;
	errno = 0;
	assert_null(pcap_writer__new(-1, 96));
	assert_int_equal(errno, EBADF);
	assert_int_equal(pcap_writer__close(NULL), 0);
}

static void test_write_error_reported(void **state)
{
	struct pcap_writer *w;
	int fd, err = 0, i;

	(void)state;
	fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		skip();
	w = pcap_writer__new(fd, 96);
	assert_non_null(w);
	for (i = 0; i < 10000 && !err; i++)
		err = pcap_writer__add(w, 0, pkt4, sizeof(pkt4), sizeof(pkt4));
	if (!err)
		err = pcap_writer__close(w);
	else
		pcap_writer__close(w);
	assert_int_equal(err, -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_v6_roundtrip),
		cmocka_unit_test(test_snaplen_cuts_caplen_keeps_len),
		cmocka_unit_test(test_bad_fd),
		cmocka_unit_test(test_write_error_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
