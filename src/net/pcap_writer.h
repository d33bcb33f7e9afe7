/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A pcap file of raw IP packets (LINKTYPE_RAW: IPv4 and IPv6, told apart by
 * the version nibble) with microsecond wall-clock timestamps, written
 * through libpcap's dump API.  Its own translation unit: libpcap's
 * <pcap/bpf.h> clashes with <linux/bpf.h>, so this header includes neither.
 */
#ifndef RUNTRACE_PCAP_WRITER_H
#define RUNTRACE_PCAP_WRITER_H

#include <stdint.h>

struct pcap_writer;

/* Start a pcap file on @fd (which it takes over, even on failure) whose
 * packets keep at most @snaplen bytes.  NULL with errno set on failure. */
struct pcap_writer *pcap_writer__new(int fd, uint32_t snaplen);

/* Add one packet: @realtime_ns its CLOCK_REALTIME time, @data its first
 * @caplen bytes (cut to the snaplen), @len its true length.  0 or -errno. */
int pcap_writer__add(struct pcap_writer *w, uint64_t realtime_ns,
		     const void *data, uint32_t caplen, uint32_t len);

/* Packets written so far. */
uint64_t pcap_writer__count(const struct pcap_writer *w);

/* Flush and close the file; 0, or -errno if anything failed to be written.
 * Accepts NULL. */
int pcap_writer__close(struct pcap_writer *w);

#endif
