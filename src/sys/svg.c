// SPDX-License-Identifier: GPL-2.0-only
/* --sys-trace: sys.svg, a self-contained chart (no scripts, no web fonts):
 * CPU, resident memory, disk and network panels over the run's time. */
#include <inttypes.h>
#include <stdio.h>

#include "sys/report.h"

#define W 960          /* image width */
#define PANEL_H 170    /* plot height of a panel */
#define PANEL_GAP 70   /* title, x labels and spacing */
#define LEFT 80
#define RIGHT 190      /* room for the legend */
#define TOP 40
#define MAX_POINTS 1500 /* longer runs: each point is the max of a bucket */

typedef double (*series_fn)(const struct sys_report *r, const struct sys_row *w);

struct series {
	const char *label;
	const char *color;
	bool dashed;
	series_fn fn;
};

struct panel {
	const char *title;
	const char *unit;
	struct series s[4];
};

static double per_s(uint64_t v, const struct sys_row *w)
{
	return w->dur_ns ? (double)v * 1e9 / (double)w->dur_ns : 0;
}

static double cpu_user(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->user_ns, w) / 1e9 * 100;
}

static double cpu_sys(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->sys_ns, w) / 1e9 * 100;
}

static double cpu_on(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->oncpu_ns, w) / 1e9 * 100;
}

static double rss_mib(const struct sys_report *r, const struct sys_row *w)
{
	return (double)w->rss_kb / 1024;
}

static double rss_peak_mib(const struct sys_report *r, const struct sys_row *w)
{
	return (double)w->rss_peak_kb / 1024;
}

static double disk_rd(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->blk_rd_bytes, w) / 1024;
}

static double disk_wr(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->blk_wr_bytes, w) / 1024;
}

static double net_tx(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->net_tx_bytes, w) / 1024;
}

static double net_rx(const struct sys_report *r, const struct sys_row *w)
{
	return per_s(w->net_rx_bytes, w) / 1024;
}

static double dev_all(const struct sys_report *r, const struct sys_row *w)
{
	uint64_t b = 0;
	unsigned i;

	for (i = 0; i < r->nif; i++)
		b += w->ifs[i].rx_bytes + w->ifs[i].tx_bytes;
	return per_s(b, w) / 1024;
}

static const struct panel panels[] = {
	{ "CPU", "% of one CPU", {
		{ "user", "#1f77b4", false, cpu_user },
		{ "system", "#d62728", false, cpu_sys },
		{ "on-CPU (sched_switch)", "#7f7f7f", true, cpu_on },
	} },
	{ "Resident memory (all processes)", "MiB", {
		{ "RSS", "#2ca02c", false, rss_mib },
		{ "peak so far", "#98df8a", true, rss_peak_mib },
	} },
	{ "Disk (block layer, the run's requests)", "KiB/s", {
		{ "read", "#1f77b4", false, disk_rd },
		{ "written", "#ff7f0e", false, disk_wr },
	} },
	{ "Network", "KiB/s", {
		{ "sent (run)", "#9467bd", false, net_tx },
		{ "received (run)", "#8c564b", false, net_rx },
		{ "all devices rx+tx", "#7f7f7f", true, dev_all },
	} },
};

/* The smallest of 1, 2, 5 x 10^k at or above @v (v > 0). */
static double nice_ceil(double v)
{
	double m = 1;

	if (v <= 0)
		return 1;
	while (m * 10 < v)
		m *= 10;
	while (m > v * 10)
		m /= 10;
	if (v <= m)
		return m;
	if (v <= 2 * m)
		return 2 * m;
	if (v <= 5 * m)
		return 5 * m;
	return 10 * m;
}

/* Value of series @s at point @k of @npts (the max over its bucket). */
static double point(const struct sys_report *r, const struct series *s, size_t k,
		    size_t npts, double *t)
{
	size_t a = k * r->nrows / npts, b = (k + 1) * r->nrows / npts, i;
	double v = 0;

	if (b <= a)
		b = a + 1;
	for (i = a; i < b && i < r->nrows; i++) {
		double x = s->fn(r, &r->rows[i]);

		if (x > v)
			v = x;
	}
	*t = (double)r->rows[(b > r->nrows ? r->nrows : b) - 1].t_ns / 1e9;
	return v;
}

static void fmt_num(char *buf, size_t len, double v)
{
	if (v >= 100 || v == (double)(int64_t)v)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 1)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2g", v);
}

static void draw_panel(const struct sys_report *r, const struct panel *p, int y0,
		       double tmax, struct strbuf *sb)
{
	int pw = W - LEFT - RIGHT, i;
	size_t npts = r->nrows < MAX_POINTS ? r->nrows : MAX_POINTS, k;
	double ymax = 0, t;
	char num[32];
	unsigned s;

	for (s = 0; s < 4 && p->s[s].fn; s++)
		for (k = 0; k < npts; k++) {
			double v = point(r, &p->s[s], k, npts, &t);

			if (v > ymax)
				ymax = v;
		}
	ymax = nice_ceil(ymax);

	strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" class=\"title\">%s</text>\n",
		    LEFT, y0 - 10, p->title);
	strbuf_addf(sb, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n",
		    LEFT, y0, pw, PANEL_H);
	/* y axis: 5 labelled grid lines and the unit */
	for (i = 0; i <= 4; i++) {
		int y = y0 + PANEL_H - i * PANEL_H / 4;

		fmt_num(num, sizeof(num), ymax * i / 4);
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
			    "<text x=\"%d\" y=\"%d\" class=\"ylab\">%s</text>\n",
			    LEFT, y, LEFT + pw, y, LEFT - 6, y + 4, num);
	}
	strbuf_addf(sb, "<text transform=\"translate(%d,%d) rotate(-90)\" class=\"unit\">%s</text>\n",
		    18, y0 + PANEL_H / 2, p->unit);
	/* x axis: 6 labelled ticks in seconds */
	for (i = 0; i <= 5; i++) {
		int x = LEFT + i * pw / 5;

		fmt_num(num, sizeof(num), tmax * i / 5);
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"tick\"/>"
			    "<text x=\"%d\" y=\"%d\" class=\"xlab\">%s</text>\n",
			    x, y0 + PANEL_H, x, y0 + PANEL_H + 5, x, y0 + PANEL_H + 18, num);
	}
	strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" class=\"xunit\">time since start (s)</text>\n",
		    LEFT + pw, y0 + PANEL_H + 32);
	/* the series, and their legend */
	for (s = 0; s < 4 && p->s[s].fn; s++) {
		const struct series *se = &p->s[s];

		strbuf_addf(sb, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"",
			    se->color, se->dashed ? " stroke-dasharray=\"4 3\"" : "");
		if (npts)
			strbuf_addf(sb, "%d,%d ", LEFT, y0 + PANEL_H);
		for (k = 0; k < npts; k++) {
			double v = point(r, se, k, npts, &t);
			double x = LEFT + (tmax > 0 ? t / tmax : 0) * pw;
			double y = y0 + PANEL_H - v / ymax * PANEL_H;

			strbuf_addf(sb, "%.1f,%.1f ", x, y);
		}
		strbuf_adds(sb, "\"/>\n");
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
			    "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>\n",
			    W - RIGHT + 12, y0 + 12 + 18 * s, W - RIGHT + 32, y0 + 12 + 18 * s,
			    se->color, se->dashed ? " stroke-dasharray=\"4 3\"" : "",
			    W - RIGHT + 38, y0 + 16 + 18 * s, se->label);
	}
}

void sys_svg(const struct sys_report *r, struct strbuf *sb)
{
	unsigned n = sizeof(panels) / sizeof(panels[0]), i;
	int h = TOP + (int)n * (PANEL_H + PANEL_GAP);
	double tmax = r->nrows ? (double)r->rows[r->nrows - 1].t_ns / 1e9 : 0;

	strbuf_addf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		    W, h, W, h);
	strbuf_adds(sb, "<style>\n"
		    "text{font-family:sans-serif;font-size:11px;fill:#222}\n"
		    ".title{font-size:13px;font-weight:bold}\n"
		    ".ylab{text-anchor:end}.xlab{text-anchor:middle}.xunit{text-anchor:end}\n"
		    ".unit{text-anchor:middle}\n"
		    ".frame{fill:#fcfcfc;stroke:#888}.grid{stroke:#e4e4e4}.tick{stroke:#888}\n"
		    "</style>\n");
	strbuf_addf(sb, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, h);
	strbuf_addf(sb, "<text x=\"%d\" y=\"20\" class=\"title\">runtrace --sys-trace: %zu intervals of %" PRIu64 " ms</text>\n",
		    LEFT, r->nrows, r->interval_ns / 1000000);
	for (i = 0; i < n; i++)
		draw_panel(r, &panels[i], TOP + 20 + (int)i * (PANEL_H + PANEL_GAP), tmax, sb);
	strbuf_adds(sb, "</svg>\n");
}
