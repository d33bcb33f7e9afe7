// SPDX-License-Identifier: GPL-2.0-only
/* The profile's table and JSON, its time and interval formats. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/report.h"

#define MIN_INTERVAL_NS 100000ull      /* 100 us */
#define MAX_INTERVAL_NS 1000000000ull  /* 1 s */

void pf_totals_add(struct pf_totals *t, const struct pf_totals *more)
{
	t->on_ns += more->on_ns;
	t->on_samples += more->on_samples;
	t->off_ns += more->off_ns;
	t->off_count += more->off_count;
}

void pf_totals_add_count(struct pf_totals *t, const struct rt_profile_count *c)
{
	t->on_ns += c->on_ns;
	t->on_samples += c->on_samples;
	t->off_ns += c->off_ns;
	t->off_count += c->off_count;
}

__u64 pf_total_ns(const struct pf_totals *t)
{
	return t->on_ns + t->off_ns;
}

double pf_error_ns(const struct pf_totals *t)
{
	/* sqrt(n) * period, with the mean period: on_ns / n */
	if (!t->on_samples)
		return 0;
	return (double)t->on_ns / sqrt((double)t->on_samples);
}

/* The unit a row's times are shown in, from its largest one. */
struct unit {
	double div;
	const char *name;
	int decimals;
};

static struct unit unit_of(__u64 ns)
{
	if (ns >= 1000000000ull)
		return (struct unit){ 1e9, "s", 2 };
	if (ns >= 1000000ull)
		return (struct unit){ 1e6, "ms", 1 };
	return (struct unit){ 1e3, "us", 0 };
}

static char *fmt_in(__u64 ns, struct unit u, char *buf, size_t len)
{
	snprintf(buf, len, "%.*f %s", u.decimals, ns / u.div, u.name);
	return buf;
}

char *pf_fmt_time(__u64 ns, char *buf, size_t len)
{
	return fmt_in(ns, unit_of(ns), buf, len);
}

/* Display width of UTF-8 text: its code points. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

#define NCOLS 5

struct cells {
	char c[NCOLS][96];
};

static const char *const heads[NCOLS] = {
	"Function Name", "Approximate execution time", "on CPU", "off CPU", "samples",
};

static void row_cells(const struct pf_row *r, bool utf8, struct cells *out)
{
	__u64 total = pf_total_ns(&r->t);
	struct unit u = unit_of(total);
	char a[48];

	memset(out, 0, sizeof(*out));
	snprintf(out->c[0], sizeof(out->c[0]), "%s", r->name);
	snprintf(out->c[4], sizeof(out->c[4]), "%llu",
		 (unsigned long long)(r->t.on_samples + r->t.off_count));
	if (!r->t.on_samples && !r->t.off_count) {
		snprintf(out->c[1], sizeof(out->c[1]), "No Data Available");
		return;
	}
	snprintf(out->c[1], sizeof(out->c[1]), "%s %s %.*f", fmt_in(total, u, a, sizeof(a)),
		 utf8 ? "\u00b1" : "+-", u.decimals, pf_error_ns(&r->t) / u.div);
	fmt_in(r->t.on_ns, u, out->c[2], sizeof(out->c[2]));
	fmt_in(r->t.off_ns, u, out->c[3], sizeof(out->c[3]));
}

/* A horizontal rule: @l left corner, @m joint, @r right corner, @h line. */
static void rule(struct strbuf *sb, const size_t *w, const char *l, const char *m, const char *r,
		 const char *h)
{
	size_t i, k;

	strbuf_adds(sb, l);
	for (i = 0; i < NCOLS; i++) {
		for (k = 0; k < w[i] + 2; k++)
			strbuf_adds(sb, h);
		strbuf_adds(sb, i + 1 < NCOLS ? m : r);
	}
	strbuf_addc(sb, '\n');
}

static void line(struct strbuf *sb, const size_t *w, const char *const *cells, const char *v)
{
	size_t i, k;

	for (i = 0; i < NCOLS; i++) {
		strbuf_addf(sb, "%s %s", v, cells[i]);
		for (k = width(cells[i]); k < w[i] + 1; k++)
			strbuf_addc(sb, ' ');
	}
	strbuf_addf(sb, "%s\n", v);
}

/* Row order: the longest time first, ties (and no data) in the order given. */
static int by_time(const void *a, const void *b)
{
	const struct pf_row *const *x = a, *const *y = b;
	__u64 tx = pf_total_ns(&(*x)->t), ty = pf_total_ns(&(*y)->t);

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return *x < *y ? -1 : *x > *y;
}

void pf_table(struct strbuf *sb, const struct pf_row *rows, size_t n, bool utf8)
{
	const char *v = utf8 ? "\u2502" : "|", *h = utf8 ? "\u2500" : "-";
	const struct pf_row **order = calloc(n ? n : 1, sizeof(*order));
	struct cells *cells = calloc(n ? n : 1, sizeof(*cells));
	size_t w[NCOLS], i, j;

	if (!order || !cells) {
		free(order);
		free(cells);
		strbuf_adds(sb, "runtrace: out of memory\n");
		return;
	}
	for (j = 0; j < NCOLS; j++)
		w[j] = width(heads[j]);
	for (i = 0; i < n; i++)
		order[i] = &rows[i];
	qsort(order, n, sizeof(*order), by_time);
	for (i = 0; i < n; i++) {
		row_cells(order[i], utf8, &cells[i]);
		for (j = 0; j < NCOLS; j++)
			if (width(cells[i].c[j]) > w[j])
				w[j] = width(cells[i].c[j]);
	}
	rule(sb, w, utf8 ? "\u256d" : "+", utf8 ? "\u252c" : "+", utf8 ? "\u256e" : "+", h);
	line(sb, w, heads, v);
	rule(sb, w, utf8 ? "\u251c" : "+", utf8 ? "\u253c" : "+", utf8 ? "\u2524" : "+", h);
	for (i = 0; i < n; i++) {
		const char *cs[NCOLS];

		for (j = 0; j < NCOLS; j++)
			cs[j] = cells[i].c[j];
		line(sb, w, cs, v);
	}
	rule(sb, w, utf8 ? "\u2570" : "+", utf8 ? "\u2534" : "+", utf8 ? "\u256f" : "+", h);
	free(order);
	free(cells);
}

static void json_secs(struct strbuf *sb, const char *key, double ns)
{
	strbuf_addf(sb, ",\"%s\":%.6f", key, ns / 1e9);
}

void pf_json(struct strbuf *sb, const struct pf_row *rows, size_t n,
	     const struct pf_report_meta *m)
{
	size_t i;

	strbuf_addf(sb, "{\"pid\":%d,\"state\":", m->pid);
	strbuf_add_json_str(sb, m->state ? m->state : "", m->state ? strlen(m->state) : 0);
	strbuf_addf(sb, ",\"interval_ms\":%.3f,\"profiled_s\":%.6f,\"samples\":%llu,\"cpu_s\":%.6f,"
		    "\"lost\":%llu,\"functions\":[", m->interval_ns / 1e6, m->profiled_ns / 1e9,
		    (unsigned long long)m->samples, m->cpu_ns / 1e9, (unsigned long long)m->lost);
	for (i = 0; i < n; i++) {
		const struct pf_totals *t = &rows[i].t;

		strbuf_adds(sb, i ? ",{\"name\":" : "{\"name\":");
		strbuf_add_json_str(sb, rows[i].name, strlen(rows[i].name));
		strbuf_addf(sb, ",\"kind\":\"%s\"", rows[i].native ? "native" : "python");
		json_secs(sb, "time_s", (double)pf_total_ns(t));
		json_secs(sb, "error_s", pf_error_ns(t));
		json_secs(sb, "on_cpu_s", (double)t->on_ns);
		json_secs(sb, "off_cpu_s", (double)t->off_ns);
		strbuf_addf(sb, ",\"samples\":%llu,\"off_cpu_intervals\":%llu}",
			    (unsigned long long)t->on_samples, (unsigned long long)t->off_count);
	}
	strbuf_adds(sb, "]}\n");
}

int pf_parse_interval(const char *s, __u64 *ns, char *err, size_t errlen)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e6 } };
	char *end;
	double v;
	size_t i;

	v = strtod(s, &end);
	if (end == s || !(v > 0) || !isfinite(v))
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		v *= units[i].mult;
		if (v < MIN_INTERVAL_NS || v > MAX_INTERVAL_NS) {
			snprintf(err, errlen, "interval '%s' out of range (100us to 1s)", s);
			return -EINVAL;
		}
		*ns = (__u64)(v + 0.5);
		return 0;
	}
bad:
	snprintf(err, errlen, "invalid interval '%s': expected e.g. 5ms, 500us, 0.01s", s);
	return -EINVAL;
}
