// SPDX-License-Identifier: GPL-2.0-only
/* --sys-trace: sys.csv, one line an interval. */
#include <inttypes.h>

#include "sys/report.h"

/* Fixed columns; the per-interface ones and "flags" follow. */
static const char csv_head[] =
	"t_ms,interval_ms,cpu_user_ms,cpu_sys_ms,oncpu_ms,cswch_vol,cswch_invol,"
	"procs,threads,procs_started,procs_exited,threads_started,threads_exited,"
	"rss_kb,rss_peak_kb,minflt,majflt,"
	"disk_read_bytes,disk_write_bytes,disk_read_reqs,disk_write_reqs,"
	"disk_lat_avg_us,disk_lat_max_us,file_read_bytes,file_write_bytes,"
	"net_tx_pkts,net_tx_bytes,net_rx_pkts,net_rx_bytes";

/* An interface name as a CSV-safe column-name part. */
static void add_ifname(struct strbuf *sb, const char *name)
{
	for (; *name; name++) {
		char c = *name;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';

		strbuf_addc(sb, ok ? c : '_');
	}
}

static void add_ms(struct strbuf *sb, uint64_t ns)
{
	strbuf_addf(sb, "%" PRIu64 ".%03" PRIu64 ",", ns / 1000000, ns / 1000 % 1000);
}

void sys_csv(const struct sys_report *r, struct strbuf *sb)
{
	static const char *const ifcols[] = { "rx_pkts", "rx_bytes", "tx_pkts", "tx_bytes" };
	unsigned i, k;
	size_t n;

	strbuf_adds(sb, csv_head);
	for (i = 0; i < r->nif; i++)
		for (k = 0; k < 4; k++) {
			strbuf_adds(sb, ",if_");
			add_ifname(sb, r->ifnames[i]);
			strbuf_addf(sb, "_%s", ifcols[k]);
		}
	strbuf_adds(sb, ",flags\n");

	for (n = 0; n < r->nrows; n++) {
		const struct sys_row *w = &r->rows[n];
		uint64_t reqs = w->blk_rd_reqs + w->blk_wr_reqs;
		char fl[8];

		add_ms(sb, w->t_ns);
		add_ms(sb, w->dur_ns);
		add_ms(sb, w->user_ns);
		add_ms(sb, w->sys_ns);
		add_ms(sb, w->oncpu_ns);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",", w->vcsw, w->ivcsw);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
			    w->procs, w->threads, w->procs_started, w->procs_exited,
			    w->threads_started, w->threads_exited);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
			    w->rss_kb, w->rss_peak_kb, w->minflt, w->majflt);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
			    w->blk_rd_bytes, w->blk_wr_bytes, w->blk_rd_reqs, w->blk_wr_reqs);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",",
			    reqs ? w->blk_lat_ns / reqs / 1000 : 0, w->blk_lat_max_ns / 1000);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",", w->rchar, w->wchar);
		strbuf_addf(sb, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
			    w->net_tx_pkts, w->net_tx_bytes, w->net_rx_pkts, w->net_rx_bytes);
		for (i = 0; i < r->nif; i++)
			strbuf_addf(sb, ",%" PRIu32 ",%" PRIu64 ",%" PRIu32 ",%" PRIu64,
				    w->ifs[i].rx_pkts, w->ifs[i].rx_bytes,
				    w->ifs[i].tx_pkts, w->ifs[i].tx_bytes);
		strbuf_addf(sb, ",%s\n", sys_flags_str(w->flags, fl));
	}
}
