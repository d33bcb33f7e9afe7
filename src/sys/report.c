// SPDX-License-Identifier: GPL-2.0-only
/* --sys-trace pure core: the timeline and process list of one run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sys/report.h"
#include "util/util.h"

/* a * b / c without overflowing 64 bits in the product. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return (uint64_t)((unsigned __int128)a * b / c);
}

void sys_cputime_adjust(uint64_t rtime, uint64_t utime, uint64_t stime,
			struct sys_cputime *prev)
{
	/* rtime went backwards (or did not move): keep what was reported. */
	if (prev->stime + prev->utime >= rtime)
		return;
	/* If either is 0, all runtime is userspace (or system) until ticks
	 * say otherwise; the monotonic update below converges. */
	if (stime == 0) {
		utime = rtime;
	} else if (utime == 0) {
		stime = rtime;
	} else {
		stime = mul_div(stime, rtime, stime + utime);
		if (stime > rtime)
			stime = rtime;
	}
	/* Neither stime nor utime goes backwards. */
	if (stime < prev->stime)
		stime = prev->stime;
	utime = rtime - stime;
	if (utime < prev->utime) {
		utime = prev->utime;
		stime = rtime - utime;
	}
	prev->stime = stime;
	prev->utime = utime;
}

static void fold_row(struct sys_row *dst, const struct sys_row *src)
{
	unsigned i;

	dst->t_ns = src->t_ns;
	dst->dur_ns += src->dur_ns;
	dst->user_ns += src->user_ns;
	dst->sys_ns += src->sys_ns;
	dst->oncpu_ns += src->oncpu_ns;
	dst->vcsw += src->vcsw;
	dst->ivcsw += src->ivcsw;
	dst->procs = src->procs;
	dst->threads = src->threads;
	dst->procs_started += src->procs_started;
	dst->procs_exited += src->procs_exited;
	dst->threads_started += src->threads_started;
	dst->threads_exited += src->threads_exited;
	dst->rss_kb = src->rss_kb;
	dst->rss_peak_kb = src->rss_peak_kb;
	dst->minflt += src->minflt;
	dst->majflt += src->majflt;
	dst->blk_rd_bytes += src->blk_rd_bytes;
	dst->blk_wr_bytes += src->blk_wr_bytes;
	dst->blk_rd_reqs += src->blk_rd_reqs;
	dst->blk_wr_reqs += src->blk_wr_reqs;
	dst->blk_lat_ns += src->blk_lat_ns;
	if (src->blk_lat_max_ns > dst->blk_lat_max_ns)
		dst->blk_lat_max_ns = src->blk_lat_max_ns;
	dst->rchar += src->rchar;
	dst->wchar += src->wchar;
	dst->net_tx_pkts += src->net_tx_pkts;
	dst->net_tx_bytes += src->net_tx_bytes;
	dst->net_rx_pkts += src->net_rx_pkts;
	dst->net_rx_bytes += src->net_rx_bytes;
	dst->flags |= src->flags | SYS_F_FOLDED;
	for (i = 0; i < SYS_MAX_IFACES; i++) {
		dst->ifs[i].rx_pkts += src->ifs[i].rx_pkts;
		dst->ifs[i].tx_pkts += src->ifs[i].tx_pkts;
		dst->ifs[i].rx_bytes += src->ifs[i].rx_bytes;
		dst->ifs[i].tx_bytes += src->ifs[i].tx_bytes;
	}
}

int sys_report_add_row(struct sys_report *r, const struct sys_row *row)
{
	if (row->flags & SYS_F_LATE)
		r->late++;
	if (r->nrows == SYS_MAX_ROWS) {
		fold_row(&r->rows[r->nrows - 1], row);
		r->folded++;
		return 0;
	}
	if (array_grow(&r->rows, &r->rows_cap, r->nrows, sizeof(*r->rows), 256, SYS_MAX_ROWS))
		return -ENOMEM;
	r->rows[r->nrows++] = *row;
	return 0;
}

int sys_report_add_proc(struct sys_report *r, const struct sys_proc_line *p)
{
	if (r->nprocs == SYS_MAX_PROCS) {
		r->procs_unlisted++;
		return 0;
	}
	if (array_grow(&r->procs, &r->procs_cap, r->nprocs, sizeof(*r->procs), 64, SYS_MAX_PROCS))
		return -ENOMEM;
	r->procs[r->nprocs++] = *p;
	return 0;
}

int sys_report_iface(struct sys_report *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->nif; i++)
		if (!strncmp(r->ifnames[i], name, SYS_IFNAME_LEN - 1))
			return i;
	if (r->nif == SYS_MAX_IFACES)
		return -1;
	strncpy(r->ifnames[r->nif], name, SYS_IFNAME_LEN - 1);
	r->ifnames[r->nif][SYS_IFNAME_LEN - 1] = 0;
	return r->nif++;
}

void sys_report_totals(const struct sys_report *r, struct sys_row *tot)
{
	size_t i;

	memset(tot, 0, sizeof(*tot));
	for (i = 0; i < r->nrows; i++) {
		const struct sys_row *w = &r->rows[i];
		uint64_t procs = tot->procs, threads = tot->threads;
		uint64_t rss = tot->rss_kb, peak = tot->rss_peak_kb;

		fold_row(tot, w);
		tot->procs = procs > w->procs ? procs : w->procs;
		tot->threads = threads > w->threads ? threads : w->threads;
		tot->rss_kb = rss > w->rss_kb ? rss : w->rss_kb;
		tot->rss_peak_kb = peak > w->rss_peak_kb ? peak : w->rss_peak_kb;
	}
	tot->flags &= ~SYS_F_FOLDED;
	for (i = 0; i < r->nrows; i++)
		tot->flags |= r->rows[i].flags;
}

void sys_report_free(struct sys_report *r)
{
	if (!r)
		return;
	free(r->rows);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

static int cmp_proc(const void *a, const void *b)
{
	const struct sys_proc_line *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void sys_report_sort_procs(struct sys_report *r)
{
	if (r->nprocs > 1)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), cmp_proc);
}

const struct sys_proc_line *sys_report_max_rss(const struct sys_report *r)
{
	const struct sys_proc_line *m = NULL;
	size_t i;

	for (i = 0; i < r->nprocs; i++)
		if (!m || r->procs[i].peak_rss_kb > m->peak_rss_kb)
			m = &r->procs[i];
	return m;
}

const char *sys_flags_str(uint32_t flags, char *buf)
{
	static const char letters[] = "LDFP";
	char *p = buf;
	unsigned i;

	for (i = 0; i < sizeof(letters) - 1; i++)
		if (flags & (1u << i))
			*p++ = letters[i];
	if (p == buf)
		*p++ = '-';
	*p = 0;
	return buf;
}
