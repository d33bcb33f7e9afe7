// SPDX-License-Identifier: GPL-2.0-only
/* The pcap writer (see pcap_writer.h): libpcap only, never libbpf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "net/pcap_writer.h"

struct pcap_writer {
	pcap_t *pcap;          /* a "dead" handle: link type and snaplen only */
	pcap_dumper_t *dumper; /* owns the FILE, hence the fd */
	uint32_t snaplen;
	uint64_t count;
};

struct pcap_writer *pcap_writer__new(int fd, uint32_t snaplen)
{
	struct pcap_writer *w;
	FILE *f = NULL;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w) {
		err = -ENOMEM;
		goto cleanup;
	}
	w->snaplen = snaplen;
	/* DLT_RAW is written to the file as LINKTYPE_RAW (101). */
	w->pcap = pcap_open_dead_with_tstamp_precision(DLT_RAW, (int)snaplen,
							PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->pcap) {
		err = -ENOMEM;
		goto cleanup;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		err = -errno;
		goto cleanup;
	}
	fd = -1;
	w->dumper = pcap_dump_fopen(w->pcap, f);
	if (!w->dumper) {
		err = -EIO;
		goto cleanup;
	}
	return w;

cleanup:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (w && w->pcap)
		pcap_close(w->pcap);
	free(w);
	errno = -err;
	return NULL;
}

int pcap_writer__add(struct pcap_writer *w, uint64_t realtime_ns,
		     const void *data, uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h;

	if (caplen > w->snaplen)
		caplen = w->snaplen;
	if (caplen > len)
		caplen = len;
	h.ts.tv_sec = (time_t)(realtime_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(realtime_ns % 1000000000u / 1000u);
	h.caplen = caplen;
	h.len = len;
	pcap_dump((u_char *)w->dumper, &h, data);
	w->count++;
	return ferror(pcap_dump_file(w->dumper)) ? -EIO : 0;
}

uint64_t pcap_writer__count(const struct pcap_writer *w)
{
	return w->count;
}

int pcap_writer__close(struct pcap_writer *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (pcap_dump_flush(w->dumper) || ferror(pcap_dump_file(w->dumper)))
		err = -EIO;
	pcap_dump_close(w->dumper); /* fclose: its own error is not reported */
	pcap_close(w->pcap);
	free(w);
	return err;
}
