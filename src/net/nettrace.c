// SPDX-License-Identifier: GPL-2.0-only
/*
 * --net-trace: the sink behind run-NNNN/net.pcap.  During a run it spools
 * the packet records as they come (memory, then an unnamed temporary file
 * in the run directory) and counts them; at run_end it writes net.pcap from
 * the spool only if the run is kept, and always adds the counters to
 * summary.json.  The pcap itself is written by pcap_writer.c, which never
 * meets libbpf's headers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net/netseg.h"
#include "net/pcap_writer.h"
#include "runtrace.skel.h"
#include "runtrace/net.h"
#include "engine/session.h"
#include "net/nettrace.h"
#include "util/util.h"

/* Flows remembered for the loopback rule (bpf/net.bpf.c). */
#define NET_LO_FLOWS 16384
/* Spool bytes kept in memory before they go to the temporary file. */
#define NET_SPOOL_BUF (1u << 20)

/* One run in flight. */
struct net_run {
	int spool_fd;        /* temporary file (unnamed), -1 until needed */
	char *buf;           /* records not yet in the file (NET_SPOOL_BUF bytes) */
	size_t buf_len;
	int spool_err;       /* first spool failure (-errno), the pcap is then cut */
	__u64 packets;       /* packets received (a super-packet's segments count) */
	__u64 bytes;         /* sum of their original lengths */
	struct net_run *next; /* on the free list */
};

struct nettrace {
	__u32 snaplen;
	int ncpus;
	struct runtrace_bpf *skel;
	__u8 *seg;           /* NETSEG_SCRATCH bytes to rebuild segments in */
	struct net_run *spare; /* states of finished runs, for reuse */
};

static int nettrace_configure(void *self, struct runtrace_bpf *skel)
{
	struct nettrace *nt = self;
	int err;

	nt->skel = skel;
	session__enable_maps(skel, "net_");
	nt->ncpus = libbpf_num_possible_cpus();
	if (nt->ncpus <= 0)
		return nt->ncpus ? nt->ncpus : -EINVAL;
	/* autoload the two cgroup_skb programs */
	bpf_program__set_autoload(skel->progs.net_ingress, true);
	bpf_program__set_autoload(skel->progs.net_egress, true);
	/* cfg_* globals and map sizes */
	skel->rodata->cfg_snaplen = nt->snaplen;
	err = bpf_map__set_max_entries(skel->maps.net_scratch, nt->ncpus * RT_NET_NEST);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.net_lo_flows, NET_LO_FLOWS);
	return err;
}

static int nettrace_attach(void *self, struct runtrace_bpf *skel, int parent_cgroup_fd)
{
	struct bpf_link *in, *out;
	int err;

	(void)self;
	if (parent_cgroup_fd < 0) {
		rt_err("cannot trace the network: no cgroup v2 hierarchy "
		       "(--net-trace needs cgroup v2 mounted, e.g. at /sys/fs/cgroup)");
		return -ENOTSUP;
	}
	/* once per session, on the parent of every run's cgroup */
	in = bpf_program__attach_cgroup(skel->progs.net_ingress, parent_cgroup_fd);
	if (!in) {
		err = -errno;
		rt_err("cannot attach cgroup_skb/ingress: %s", strerror(-err));
		return err;
	}
	out = bpf_program__attach_cgroup(skel->progs.net_egress, parent_cgroup_fd);
	if (!out) {
		err = -errno;
		rt_err("cannot attach cgroup_skb/egress: %s", strerror(-err));
		bpf_link__destroy(in);
		return err;
	}
	/* the skeleton owns them from now on: runtrace_bpf__destroy() detaches */
	skel->links.net_ingress = in;
	skel->links.net_egress = out;
	rt_dbg("net-trace: cgroup_skb programs attached, snaplen %u", skel->rodata->cfg_snaplen);
	return 0;
}

static void spool_reset(struct net_run *nt)
{
	if (nt->spool_fd >= 0)
		close(nt->spool_fd);
	nt->spool_fd = -1;
	nt->buf_len = 0;
	nt->spool_err = 0;
}

/* An unnamed file in the run directory: it vanishes with its fd. */
static int spool_open(int dirfd)
{
	static const char name[] = ".net.spool";
	int fd;

	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd >= 0 ? fd : -errno;
	/* no O_TMPFILE on this file system: create, then unlink at once */
	fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlinkat(dirfd, name, 0);
	return fd;
}

static int spool_flush(struct net_run *nt, int dirfd)
{
	int err;

	if (!nt->buf_len)
		return 0;
	if (nt->spool_fd < 0) {
		nt->spool_fd = spool_open(dirfd);
		if (nt->spool_fd < 0)
			return nt->spool_fd;
	}
	err = write_all(nt->spool_fd, nt->buf, nt->buf_len);
	nt->buf_len = 0;
	return err;
}

static int nettrace_run_start(void *self, struct rt_run *run)
{
	struct nettrace *n = self;
	struct net_run *nt = n->spare;
	int err;

	if (nt) {
		n->spare = nt->next;
	} else {
		nt = calloc(1, sizeof(*nt));
		if (!nt || !(nt->buf = malloc(NET_SPOOL_BUF))) {
			free(nt);
			return -ENOMEM;
		}
		nt->spool_fd = -1;
	}
	spool_reset(nt);
	nt->packets = 0;
	nt->bytes = 0;
	err = rt_run_set_state(run, self, nt);
	if (err) {
		nt->next = n->spare;
		n->spare = nt;
	}
	return err;
}

static int nettrace_event(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len)
{
	struct net_run *nt = rt_run_state(run, self);
	const struct rt_net_event *ev = (const void *)hdr;
	size_t size;
	int err;

	if (!nt)
		return 0;
	if (len < sizeof(*ev))
		return -EINVAL;
	size = sizeof(*ev) + ev->caplen;
	/* hdr.size saturates at 65535 (include/runtrace/net.h): a longer
	 * record is as long as its caplen says, which BPF bounds. */
	if (size > len && !(hdr->size == 0xffff && ev->caplen <= RT_NET_MAX_CAP))
		return -EINVAL;
	netseg_count(ev, &nt->packets, &nt->bytes);
	if (nt->spool_err)
		return nt->spool_err;
	if (nt->buf_len + size > NET_SPOOL_BUF) {
		err = spool_flush(nt, run->dirfd);
		if (err) {
			nt->spool_err = err;
			rt_err("cannot spool packets in %s: %s", run->dir, strerror(-err));
			return err;
		}
	}
	if (size > NET_SPOOL_BUF) /* never: RT_NET_MAX_CAP < NET_SPOOL_BUF */
		return -E2BIG;
	memcpy(nt->buf + nt->buf_len, ev, size);
	nt->buf_len += size;
	return 0;
}

struct emit_ctx {
	struct pcap_writer *w;
	__u64 realtime_ns;
};

static int emit_packet(void *ctx, const __u8 *pkt, __u32 caplen, __u32 len)
{
	struct emit_ctx *e = ctx;

	return pcap_writer__add(e->w, e->realtime_ns, pkt, caplen, len);
}

/* Write the packets of the records in @data (@size bytes of spool) into @w. */
static int pcap_from_spool(struct nettrace *nt, struct pcap_writer *w,
			   const struct rt_run *run, const char *data, size_t size)
{
	struct rt_net_event ev;
	struct emit_ctx e = { .w = w };
	size_t off = 0;
	int err;

	while (off + sizeof(ev) <= size) {
		memcpy(&ev, data + off, sizeof(ev));
		if (off + sizeof(ev) + ev.caplen > size)
			return -EINVAL;
		e.realtime_ns = ev.hdr.ts + run->realtime_offset_ns;
		err = netseg_walk(&ev, (const __u8 *)data + off + sizeof(ev), nt->snaplen,
				  nt->seg, emit_packet, &e);
		if (err)
			return err;
		off += sizeof(ev) + ev.caplen;
	}
	return 0;
}

static int write_pcap(struct nettrace *n, struct net_run *nt, struct rt_run *run)
{
	struct pcap_writer *w = NULL;
	void *map = MAP_FAILED;
	struct stat st;
	int fd, err;

	/* everything into the spool file, then read it back mapped */
	if (nt->spool_fd >= 0) {
		err = spool_flush(nt, run->dirfd);
		if (err)
			goto cleanup;
		if (fstat(nt->spool_fd, &st)) {
			err = -errno;
			goto cleanup;
		}
		if (st.st_size) {
			map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, nt->spool_fd, 0);
			if (map == MAP_FAILED) {
				err = -errno;
				goto cleanup;
			}
		}
	}
	fd = openat(run->dirfd, "net.pcap", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	w = pcap_writer__new(fd, n->snaplen);
	if (!w) {
		err = -errno;
		goto cleanup;
	}
	if (map != MAP_FAILED)
		err = pcap_from_spool(n, w, run, map, st.st_size);
	else
		err = pcap_from_spool(n, w, run, nt->buf, nt->buf_len);

cleanup:
	if (w) {
		int cerr = pcap_writer__close(w);

		if (!err)
			err = cerr;
	}
	if (map != MAP_FAILED)
		munmap(map, st.st_size);
	if (err)
		rt_err("cannot write %s/net.pcap: %s", run->dir, strerror(-err));
	return err;
}

static int nettrace_run_end(void *self, struct rt_run *run)
{
	struct nettrace *n = self;
	struct net_run *nt = rt_run_state(run, self);
	__u64 dropped = run->drops[RT_EV_NET];
	int err = 0;

	if (!nt)
		return 0;
	if (run->json)
		strbuf_addf(run->json,
			    ",\"net\":{\"packets\":%llu,\"bytes\":%llu,\"dropped\":%llu}",
			    (unsigned long long)nt->packets, (unsigned long long)nt->bytes,
			    (unsigned long long)dropped);
	if (dropped)
		rt_dbg("net-trace: run %u: %llu packets the ring buffer could not take",
		       run->id, (unsigned long long)dropped);
	if (run->keep) {
		err = write_pcap(n, nt, run);
		if (!err && nt->spool_err)
			err = nt->spool_err;
		if (!err)
			rt_dbg("net-trace: kept %s/net.pcap (%llu packets)", run->dir,
			       (unsigned long long)nt->packets);
	}
	spool_reset(nt);
	rt_run_set_state(run, self, NULL);
	nt->next = n->spare;
	n->spare = nt;
	return err;
}

static void nettrace_free(void *self)
{
	struct nettrace *n = self;
	struct net_run *nt;

	if (!n)
		return;
	while ((nt = n->spare)) {
		n->spare = nt->next;
		spool_reset(nt);
		free(nt->buf);
		free(nt);
	}
	free(n->seg);
	free(n);
}

static const struct sink_ops nettrace_ops = {
	.name = "net-trace",
	.configure = nettrace_configure,
	.attach = nettrace_attach,
	.run_start = nettrace_run_start,
	.event = nettrace_event,
	.run_end = nettrace_run_end,
	.free = nettrace_free,
};

int nettrace_sink_new(long snaplen, struct sink *out)
{
	struct nettrace *nt;

	nt = calloc(1, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	nt->seg = malloc(NETSEG_SCRATCH);
	if (!nt->seg) {
		free(nt);
		return -ENOMEM;
	}
	nt->snaplen = snaplen > 0 && snaplen <= RT_NET_DEFAULT_SNAPLEN ?
		      (__u32)snaplen : RT_NET_DEFAULT_SNAPLEN;
	out->ops = &nettrace_ops;
	out->self = nt;
	out->types = 1u << RT_EV_NET;
	out->tick_ns = 0;
	out->ring_bytes = 32 << 20;
	return 0;
}
