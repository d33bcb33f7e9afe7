// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "run/progress.h"
#include "util/util.h"

void progress_init(struct progress *p, long total, long jobs, bool allowed)
{
	p->on = allowed && isatty(STDERR_FILENO);
	p->parallel = jobs > 1;
	p->shown = false;
	p->total = total;
	p->start_ns = p->last_ns = now_ns(CLOCK_MONOTONIC);
}

static void fmt_secs(double s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

void progress_update(struct progress *p, long done, long failed, long running, bool force)
{
	__u64 now = now_ns(CLOCK_MONOTONIC);
	char el[32], eta[32] = "?";
	double elapsed;

	if (!p->on || (!force && now - p->last_ns < 200000000ull))
		return;
	p->last_ns = now;
	elapsed = (now - p->start_ns) / 1e9;
	fmt_secs(elapsed, el, sizeof(el));
	if (done > 0)
		fmt_secs(elapsed / done * (p->total - done), eta, sizeof(eta));
	if (p->parallel)
		fprintf(stderr, "\r\033[K[runtrace] %ld/%ld runs, %ld failed, %ld running, %s elapsed, "
			"ETA %s", done, p->total, failed, running, el, eta);
	else
		fprintf(stderr, "\r\033[K[runtrace] %ld/%ld runs, %ld failed, %s elapsed, ETA %s",
			done, p->total, failed, el, eta);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (p->on && p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}
