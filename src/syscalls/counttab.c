// SPDX-License-Identifier: GPL-2.0-only
/* The layout follows strace's src/count.c (call_summary_pers): columns
 * "% time" (6), "seconds" (11), "usecs/call" (11), "calls" (9), "errors"
 * (9, empty when 0), "syscall" (16, left-aligned, not padded when last),
 * each widened to its longest value; a dashed divider above and below the
 * rows; a "total" row. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/counttab.h"
#include "syscalls/table.h"

struct row {
	unsigned nr;
	const struct rt_count *c;
	double secs;
};

/* Characters of "%.6f" of @v. */
static int fwidth(double v)
{
	char buf[64];

	return snprintf(buf, sizeof(buf), "%.6f", v);
}

static int uwidth(uint64_t v)
{
	char buf[32];

	return snprintf(buf, sizeof(buf), "%" PRIu64, v);
}

static int max(int a, int b)
{
	return a > b ? a : b;
}

static void row_name(const struct row *r, char *buf, size_t len)
{
	const struct rt_sc_desc *d = r->nr < RT_SC_NR_MAX ? rt_sc_desc(r->nr) : NULL;

	if (d)
		snprintf(buf, len, "%s", d->name);
	else if (r->nr < RT_SC_NR_MAX)
		snprintf(buf, len, "syscall_%#x", r->nr);
	else
		snprintf(buf, len, "syscall_%u+", RT_SC_NR_MAX);
}

/* Most time first; equal times keep syscall-number order (strace's qsort
 * is glibc's merge sort, stable). */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->secs != y->secs)
		return x->secs < y->secs ? 1 : -1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static size_t collect(const struct rt_count *counts, bool wall, struct row *rows)
{
	size_t n = 0;
	unsigned nr;

	for (nr = 0; nr < RT_COUNT_SLOTS; nr++) {
		if (!counts[nr].calls)
			continue;
		rows[n].nr = nr;
		rows[n].c = &counts[nr];
		rows[n].secs = (wall ? counts[nr].wall_ns : counts[nr].cpu_ns) / 1e9;
		n++;
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	return n;
}

static void dashes(struct strbuf *out, const int *w, int ncol)
{
	int i, j;

	for (i = 0; i < ncol; i++) {
		if (i)
			strbuf_addc(out, ' ');
		for (j = 0; j < w[i]; j++)
			strbuf_addc(out, '-');
	}
	strbuf_addc(out, '\n');
}

void count_table(struct strbuf *out, const struct rt_count *counts, bool wall)
{
	struct row *rows = calloc(RT_COUNT_SLOTS, sizeof(*rows));
	uint64_t calls = 0, errors = 0, avg_max = 0;
	double total = 0;
	size_t n, i, name_max = 0;
	char name[64];
	int w[6];

	if (!rows)
		return;
	n = collect(counts, wall, rows);
	for (i = 0; i < n; i++) {
		uint64_t avg = (uint64_t)(rows[i].secs / rows[i].c->calls * 1e6);

		total += rows[i].secs;
		calls += rows[i].c->calls;
		errors += rows[i].c->errors;
		if (avg > avg_max)
			avg_max = avg;
		row_name(&rows[i], name, sizeof(name));
		if (strlen(name) > name_max)
			name_max = strlen(name);
	}
	w[0] = 6;
	w[1] = max(11, fwidth(total));
	w[2] = max(11, uwidth(avg_max));
	w[3] = max(9, uwidth(calls));
	w[4] = max(9, uwidth(errors));
	w[5] = max(16, name_max + 1);
	strbuf_addf(out, "%*s %*s %*s %*s %*s %s\n", w[0], "% time", w[1], "seconds",
		    w[2], "usecs/call", w[3], "calls", w[4], "errors", "syscall");
	dashes(out, w, 6);
	for (i = 0; i < n; i++) {
		double pct = rows[i].secs * 100.0;

		if (pct != 0.0)
			pct /= total;
		row_name(&rows[i], name, sizeof(name));
		strbuf_addf(out, "%*.2f %*.6f %*" PRIu64 " %*" PRIu64 " %*.0" PRIu64 " %s\n",
			    w[0], pct, w[1], rows[i].secs, w[2],
			    (uint64_t)(rows[i].secs / rows[i].c->calls * 1e6), w[3],
			    (uint64_t)rows[i].c->calls, w[4], (uint64_t)rows[i].c->errors, name);
	}
	dashes(out, w, 6);
	strbuf_addf(out, "%*.2f %*.6f %*" PRIu64 " %*" PRIu64 " %*.0" PRIu64 " %s\n",
		    w[0], 100.0, w[1], total, w[2],
		    calls ? (uint64_t)(total / calls * 1e6) : 0, w[3], calls, w[4], errors,
		    "total");
	free(rows);
}

void count_json(struct strbuf *out, const struct rt_count *counts, bool wall)
{
	struct row *rows = calloc(RT_COUNT_SLOTS, sizeof(*rows));
	uint64_t calls = 0, errors = 0;
	double total = 0;
	size_t n, i;
	char name[64];

	if (!rows)
		return;
	n = collect(counts, wall, rows);
	strbuf_adds(out, "{\"syscalls\":[");
	for (i = 0; i < n; i++) {
		row_name(&rows[i], name, sizeof(name));
		strbuf_addf(out, "%s{\"syscall\":", i ? "," : "");
		strbuf_add_json_str(out, name, strlen(name));
		strbuf_addf(out, ",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64
			    ",\"seconds\":%.6f,\"cpu_ns\":%" PRIu64 ",\"wall_ns\":%" PRIu64
			    ",\"timed\":%" PRIu64 "}",
			    (uint64_t)rows[i].c->calls, (uint64_t)rows[i].c->errors, rows[i].secs,
			    (uint64_t)rows[i].c->cpu_ns, (uint64_t)rows[i].c->wall_ns,
			    (uint64_t)rows[i].c->timed);
		total += rows[i].secs;
		calls += rows[i].c->calls;
		errors += rows[i].c->errors;
	}
	strbuf_addf(out, "],\"total\":{\"calls\":%" PRIu64 ",\"errors\":%" PRIu64
		    ",\"seconds\":%.6f},\"time\":\"%s\"}\n", calls, errors, total,
		    wall ? "wall" : "cpu");
	free(rows);
}
