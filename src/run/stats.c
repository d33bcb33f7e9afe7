// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "run/stats.h"
#include "util/util.h"

void stats_add(struct stats *st, struct run_record *r)
{
	if (array_grow(&st->runs, &st->cap, st->n, sizeof(*st->runs), 64, SIZE_MAX)) {
		fputs("runtrace: out of memory\n", stderr);
		exit(3);
	}
	st->runs[st->n++] = *r;
	memset(&r->files, 0, sizeof(r->files));
	memset(&r->extra, 0, sizeof(r->extra));
}

void stats_free(struct stats *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		strbuf_free(&st->runs[i].files);
		strbuf_free(&st->runs[i].extra);
	}
	free(st->runs);
	memset(st, 0, sizeof(*st));
}

static int cmp_index(const void *a, const void *b)
{
	unsigned x = ((const struct run_record *)a)->index, y = ((const struct run_record *)b)->index;

	return x < y ? -1 : x > y;
}

void stats_sort(struct stats *st)
{
	if (st->n > 1)
		qsort(st->runs, st->n, sizeof(*st->runs), cmp_index);
}

bool run_failed(const struct run_record *r)
{
	return r->reason != RT_REASON_NONE;
}

const char *reason_name(enum rt_reason r)
{
	switch (r) {
	case RT_REASON_NONE: return NULL;
	case RT_REASON_EXIT: return "exit";
	case RT_REASON_SIGNAL: return "signal";
	case RT_REASON_TIMEOUT: return "timeout";
	case RT_REASON_INTERRUPTED: return "interrupted";
	}
	return NULL;
}

/* A run that exited by itself (not signalled, not killed by runtrace). */
static bool exited(const struct run_record *r)
{
	return (r->reason == RT_REASON_NONE || r->reason == RT_REASON_EXIT) &&
	       WIFEXITED(r->wait_status);
}

bool stats_most_frequent_code(const struct stats *st, int *code)
{
	size_t hist[256] = { 0 }, best = 0;
	size_t i;
	int c;

	for (i = 0; i < st->n; i++)
		if (exited(&st->runs[i]))
			hist[WEXITSTATUS(st->runs[i].wait_status)]++;
	for (c = 0; c < 256; c++) {
		if (hist[c] > best) { /* strict: ties keep the smaller code */
			best = hist[c];
			*code = c;
		}
	}
	return best > 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

bool stats_durations(const struct stats *st, __u64 *min, __u64 *median, __u64 *max)
{
	__u64 *d;
	size_t i;

	if (!st->n)
		return false;
	d = malloc(st->n * sizeof(*d));
	if (!d) {
		fputs("runtrace: out of memory\n", stderr);
		exit(3);
	}
	for (i = 0; i < st->n; i++)
		d[i] = st->runs[i].duration_ns;
	qsort(d, st->n, sizeof(*d), cmp_u64);
	*min = d[0];
	*max = d[st->n - 1];
	if (st->n % 2)
		*median = d[st->n / 2];
	else
		*median = d[st->n / 2 - 1] + (d[st->n / 2] - d[st->n / 2 - 1]) / 2;
	free(d);
	return true;
}

size_t stats_failed(const struct stats *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->n; i++)
		n += run_failed(&st->runs[i]);
	return n;
}

void format_durations(__u64 min, __u64 median, __u64 max, char *buf, size_t len)
{
	if (max < 1000000000ull)
		snprintf(buf, len, "%.1f/%.1f/%.1f ms", min / 1e6, median / 1e6, max / 1e6);
	else
		snprintf(buf, len, "%.2f/%.2f/%.2f s", min / 1e9, median / 1e9, max / 1e9);
}

static __u64 total_lost(const struct stats *st)
{
	__u64 n = 0;
	size_t i;

	for (i = 0; i < st->n; i++)
		n += st->runs[i].lost;
	return n;
}

void summary_text(const struct summary_info *si, const struct stats *st, struct strbuf *out)
{
	size_t hist[256] = { 0 }, sigs[65] = { 0 }, timeouts = 0, i;
	__u64 mn, md, mx;
	char buf[128];
	int code, c;

	for (i = 0; i < st->n; i++) {
		const struct run_record *r = &st->runs[i];

		if (exited(r))
			hist[WEXITSTATUS(r->wait_status)]++;
		else if (r->reason == RT_REASON_SIGNAL && WIFSIGNALED(r->wait_status) &&
			 WTERMSIG(r->wait_status) < 65)
			sigs[WTERMSIG(r->wait_status)]++;
		else if (r->reason == RT_REASON_TIMEOUT)
			timeouts++;
	}
	if (stats_most_frequent_code(st, &code)) {
		strbuf_addf(out, "The most frequent return code was %d\n", code);
		strbuf_adds(out, "Here is a summary of all return codes and how many times they happened:\n");
		for (c = 0; c < 256; c++)
			if (hist[c])
				strbuf_addf(out, "The return code: %d, happened %zu times\n", c, hist[c]);
	} else if (st->n) {
		strbuf_adds(out, "No run exited by itself: there is no return code to summarise\n");
	}
	for (c = 1; c < 65; c++)
		if (sigs[c])
			strbuf_addf(out, "killed by %s: %zu times\n", signal_name(c, buf, sizeof(buf)),
				    sigs[c]);
	if (timeouts)
		strbuf_addf(out, "timed out after %g s (whole process tree killed): %zu times\n",
			    si->timeout, timeouts);

	strbuf_addf(out, "runs: %zu of %ld", st->n, si->requested);
	switch (si->stop) {
	case RT_STOP_FAILED_COUNT:
		strbuf_addf(out, " (stopped after %ld failures)", si->failed_count);
		break;
	case RT_STOP_INTERRUPTED:
		strbuf_adds(out, " (interrupted)");
		break;
	case RT_STOP_ERROR:
		strbuf_adds(out, " (stopped by an error)");
		break;
	case RT_STOP_COMPLETED:
		break;
	}
	strbuf_addf(out, "   failed: %zu", stats_failed(st));
	if (stats_durations(st, &mn, &md, &mx)) {
		format_durations(mn, md, mx, buf, sizeof(buf));
		strbuf_addf(out, "   duration min/median/max: %s", buf);
	}
	strbuf_addc(out, '\n');
	if (si->bpf)
		strbuf_addf(out, "lost events: %llu%s\n", (unsigned long long)total_lost(st),
			    total_lost(st) ? " (ring buffer full; per run in summary.json)" : "");
	if (si->artifacts)
		strbuf_addf(out, "artifacts: %s/\n", si->artifacts);
	else
		strbuf_adds(out, "artifacts: none (no run failed)\n");
}

static const char *stop_name(enum rt_stop s)
{
	switch (s) {
	case RT_STOP_COMPLETED: return "completed";
	case RT_STOP_FAILED_COUNT: return "failed-count";
	case RT_STOP_INTERRUPTED: return "interrupted";
	case RT_STOP_ERROR: return "error";
	}
	return "unknown";
}

void summary_json(const struct summary_info *si, const struct stats *st, struct strbuf *out)
{
	size_t hist[256] = { 0 }, i;
	__u64 mn, md, mx;
	char buf[64];
	bool first;
	int c, code;

	strbuf_adds(out, "{\n  \"schema\": \"runtrace-summary/1\",\n  \"command\": [");
	if (si->shell) {
		strbuf_adds(out, "\"/bin/sh\", \"-c\", ");
		strbuf_add_json_str(out, si->argv[0], strlen(si->argv[0]));
	} else {
		for (i = 0; i < (size_t)si->argc; i++) {
			if (i)
				strbuf_adds(out, ", ");
			strbuf_add_json_str(out, si->argv[i], strlen(si->argv[i]));
		}
	}
	iso8601_utc(si->started_realtime_ns, buf, sizeof(buf));
	strbuf_addf(out, "],\n  \"started\": \"%s\",\n", buf);
	strbuf_addf(out, "  \"runs_requested\": %ld,\n  \"runs_made\": %zu,\n  \"failed\": %zu,\n",
		    si->requested, st->n, stats_failed(st));
	strbuf_addf(out, "  \"stopped\": \"%s\",\n", stop_name(si->stop));
	strbuf_adds(out, "  \"most_frequent_return_code\": ");
	if (stats_most_frequent_code(st, &code))
		strbuf_addf(out, "%d,\n", code);
	else
		strbuf_adds(out, "null,\n");
	for (i = 0; i < st->n; i++)
		if (exited(&st->runs[i]))
			hist[WEXITSTATUS(st->runs[i].wait_status)]++;
	strbuf_adds(out, "  \"return_codes\": {");
	for (c = 0, first = true; c < 256; c++) {
		if (!hist[c])
			continue;
		strbuf_addf(out, "%s\"%d\": %zu", first ? "" : ", ", c, hist[c]);
		first = false;
	}
	strbuf_adds(out, "},\n  \"duration_ms\": ");
	if (stats_durations(st, &mn, &md, &mx))
		strbuf_addf(out, "{\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n", mn / 1e6,
			    md / 1e6, mx / 1e6);
	else
		strbuf_adds(out, "null,\n");
	strbuf_addf(out, "  \"lost_events\": %llu,\n  \"runs\": [\n",
		    (unsigned long long)total_lost(st));
	for (i = 0; i < st->n; i++) {
		const struct run_record *r = &st->runs[i];
		const char *reason = reason_name(r->reason);

		iso8601_utc(r->start_realtime_ns, buf, sizeof(buf));
		strbuf_addf(out, "    {\"index\": %u, \"dir\": \"run-%04u\", \"start\": \"%s\", "
			    "\"duration_ms\": %.3f, ", r->index, r->index, buf, r->duration_ns / 1e6);
		if (WIFEXITED(r->wait_status))
			strbuf_addf(out, "\"exit_code\": %d, \"signal\": null, ",
				    WEXITSTATUS(r->wait_status));
		else if (WIFSIGNALED(r->wait_status))
			strbuf_addf(out, "\"exit_code\": null, \"signal\": \"%s\", ",
				    signal_name(WTERMSIG(r->wait_status), buf, sizeof(buf)));
		else
			strbuf_adds(out, "\"exit_code\": null, \"signal\": null, ");
		strbuf_addf(out, "\"failed\": %s, \"reason\": ", run_failed(r) ? "true" : "false");
		if (reason)
			strbuf_addf(out, "\"%s\"", reason);
		else
			strbuf_adds(out, "null");
		strbuf_addf(out, ", \"lost_events\": %llu, \"kept\": %s, \"files\": [%s]%s}%s\n",
			    (unsigned long long)r->lost, r->kept ? "true" : "false",
			    r->files.buf ? r->files.buf : "", r->extra.buf ? r->extra.buf : "",
			    i + 1 < st->n ? "," : "");
	}
	strbuf_adds(out, "  ]\n}\n");
}
