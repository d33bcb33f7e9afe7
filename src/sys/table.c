// SPDX-License-Identifier: GPL-2.0-only
/* --sys-trace: sys.txt, totals, peaks and one line a process. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sys/report.h"

static const char *human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	unsigned u = 0;

	if (b < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", b);
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* A wait(2) status word as the summary shows it. */
static const char *exit_str(int32_t st, char *buf, size_t len)
{
	if (st < 0) {
		snprintf(buf, len, "-");
	} else if ((st & 0x7f) == 0) {
		snprintf(buf, len, "%d", (st >> 8) & 0xff);
	} else {
		const char *name = sigabbrev_np(st & 0x7f);

		if (name)
			snprintf(buf, len, "SIG%s%s", name, st & 0x80 ? "+core" : "");
		else
			snprintf(buf, len, "signal %d", st & 0x7f);
	}
	return buf;
}

void sys_table(const struct sys_report *r, struct strbuf *sb)
{
	char b1[32], b2[32], b3[32], b4[32];
	const struct sys_proc_line *big;
	struct sys_row t;
	uint64_t reqs, peak_cpu_pm = 0;
	unsigned i;
	size_t n;

	sys_report_totals(r, &t);
	for (n = 0; n < r->nrows; n++) {
		const struct sys_row *w = &r->rows[n];
		uint64_t pm;

		if (!w->dur_ns)
			continue;
		pm = (w->user_ns + w->sys_ns) * 1000 / w->dur_ns;
		if (pm > peak_cpu_pm)
			peak_cpu_pm = pm;
	}
	reqs = t.blk_rd_reqs + t.blk_wr_reqs;

	strbuf_addf(sb, "runtrace --sys-trace: %.3f s in %zu intervals of %" PRIu64 " ms",
		    secs(r->duration_ns), r->nrows, r->interval_ns / 1000000);
	strbuf_addf(sb, " (%" PRIu64 " late, %" PRIu64 " kernel-side drops, %" PRIu64 " folded)\n\n",
		    r->late, r->drops, r->folded);
	strbuf_addf(sb, "%-15s user %.3f s   system %.3f s   on-CPU %.3f s   busiest interval %" PRIu64 ".%" PRIu64 "%% of one CPU\n",
		    "cpu", secs(t.user_ns), secs(t.sys_ns), secs(t.oncpu_ns),
		    peak_cpu_pm / 10, peak_cpu_pm % 10);
	strbuf_addf(sb, "%-15s voluntary %" PRIu64 "   involuntary %" PRIu64 "\n",
		    "switches", t.vcsw, t.ivcsw);
	strbuf_addf(sb, "%-15s started %" PRIu64 "   exited %" PRIu64 "   most alive at a sample %" PRIu64 "\n",
		    "processes", t.procs_started, t.procs_exited, t.procs);
	strbuf_addf(sb, "%-15s started %" PRIu64 "   exited %" PRIu64 "   most alive at a sample %" PRIu64 "\n",
		    "threads", t.threads_started, t.threads_exited, t.threads);
	strbuf_addf(sb, "%-15s RSS of all processes at once, peak of the samples %s",
		    "memory", human_bytes(t.rss_peak_kb * 1024, b1, sizeof(b1)));
	if ((big = sys_report_max_rss(r)))
		strbuf_addf(sb, "   largest process peak %s (pid %" PRIu32 ")",
			    human_bytes(big->peak_rss_kb * 1024, b2, sizeof(b2)), big->pid);
	strbuf_addf(sb, "\n%-15s minor %" PRIu64 "   major %" PRIu64 "\n",
		    "page faults", t.minflt, t.majflt);
	strbuf_addf(sb, "%-15s read %s in %" PRIu64 " requests   written %s in %" PRIu64 " requests",
		    "disk", human_bytes(t.blk_rd_bytes, b1, sizeof(b1)), t.blk_rd_reqs,
		    human_bytes(t.blk_wr_bytes, b2, sizeof(b2)), t.blk_wr_reqs);
	if (reqs)
		strbuf_addf(sb, "   latency avg %.3f ms max %.3f ms",
			    (double)t.blk_lat_ns / reqs / 1e6, (double)t.blk_lat_max_ns / 1e6);
	strbuf_addc(sb, '\n');
	strbuf_addf(sb, "%-15s read %s   written %s (read/write syscalls)\n", "files",
		    human_bytes(t.rchar, b1, sizeof(b1)), human_bytes(t.wchar, b2, sizeof(b2)));
	strbuf_addf(sb, "%-15s sent %" PRIu64 " packets %s   received %" PRIu64 " packets %s (its cgroup)\n",
		    "network", t.net_tx_pkts, human_bytes(t.net_tx_bytes, b1, sizeof(b1)),
		    t.net_rx_pkts, human_bytes(t.net_rx_bytes, b2, sizeof(b2)));
	for (i = 0; i < r->nif; i++) {
		char label[32];

		snprintf(label, sizeof(label), "device %s", r->ifnames[i]);
		strbuf_addf(sb, "%-15s rx %" PRIu64 " packets %s   tx %" PRIu64 " packets %s (all traffic)\n",
			    label, (uint64_t)t.ifs[i].rx_pkts, human_bytes(t.ifs[i].rx_bytes, b1, sizeof(b1)),
			    (uint64_t)t.ifs[i].tx_pkts, human_bytes(t.ifs[i].tx_bytes, b2, sizeof(b2)));
	}

	strbuf_addf(sb, "\nprocesses (%zu", r->nprocs);
	if (r->procs_unlisted)
		strbuf_addf(sb, ", %" PRIu64 " more not listed", r->procs_unlisted);
	strbuf_adds(sb, "):\n");
	strbuf_addf(sb, "%8s %8s %-16s %9s %9s %9s %9s %4s %10s %10s %10s %10s %10s %s\n",
		    "PID", "PPID", "COMM", "START_S", "LIFE_S", "USER_S", "SYS_S", "THR",
		    "PEAK_KB", "DISK_RD", "DISK_WR", "FILE_RD", "FILE_WR", "EXIT");
	for (n = 0; n < r->nprocs; n++) {
		const struct sys_proc_line *p = &r->procs[n];
		char comm[17], life[16], ex[32];
		size_t k;

		memcpy(comm, p->comm, 16);
		comm[16] = 0;
		for (k = 0; comm[k]; k++)
			if ((unsigned char)comm[k] < 0x20 || comm[k] == ' ')
				comm[k] = '_';
		if (!comm[0])
			strcpy(comm, "?");
		if (p->end_ns >= p->start_ns && p->end_ns)
			snprintf(life, sizeof(life), "%.3f", secs(p->end_ns - p->start_ns));
		else
			snprintf(life, sizeof(life), "alive");
		strbuf_addf(sb, "%8" PRIu32 " %8" PRIu32 " %-16s %9.3f %9s %9.3f %9.3f %4" PRIu32 " %10" PRIu64 " %10s %10s %10s %10s %s\n",
			    p->pid, p->ppid, comm, secs(p->start_ns), life,
			    secs(p->user_ns), secs(p->sys_ns), p->threads,
			    p->peak_rss_kb,
			    human_bytes(p->blk_rd_bytes, b1, sizeof(b1)),
			    human_bytes(p->blk_wr_bytes, b2, sizeof(b2)),
			    human_bytes(p->rchar, b3, sizeof(b3)),
			    human_bytes(p->wchar, b4, sizeof(b4)),
			    p->end_ns ? exit_str(p->exit_status, ex, sizeof(ex)) : "-");
	}
}
