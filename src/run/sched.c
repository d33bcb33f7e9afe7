// SPDX-License-Identifier: GPL-2.0-only
#include "run/sched.h"

void sched_init(struct sched *s, long count, long jobs, long failed_count, bool kill_on_fail)
{
	*s = (struct sched){ .count = count, .jobs = jobs > 0 ? jobs : 1,
			     .failed_count = failed_count, .kill_on_fail = kill_on_fail,
			     .stop = RT_STOP_COMPLETED };
}

bool sched_may_start(const struct sched *s)
{
	return !s->stopping && s->started < s->count && s->inflight < s->jobs;
}

unsigned sched_start(struct sched *s)
{
	s->inflight++;
	return ++s->started;
}

int sched_end(struct sched *s, bool counted, bool failed)
{
	int act = 0;

	if (s->inflight > 0)
		s->inflight--;
	if (!counted)
		return 0;
	s->made++;
	s->failed += failed;
	if (s->stopping || !s->failed_count || s->failed < s->failed_count)
		return 0;
	/* the limit is reached now: no more runs; those in flight finish,
	 * or are stopped with --kill-on-fail */
	s->stopping = true;
	if (s->kill_on_fail && s->inflight)
		act |= SCHED_KILL;
	if (s->started < s->count || (act & SCHED_KILL)) {
		act |= SCHED_GIVE_UP;
		s->stop = RT_STOP_FAILED_COUNT;
	}
	return act;
}

void sched_error(struct sched *s)
{
	s->stopping = true;
	s->stop = RT_STOP_ERROR;
}

void sched_interrupt(struct sched *s)
{
	s->stopping = true;
	if (s->stop != RT_STOP_ERROR)
		s->stop = RT_STOP_INTERRUPTED;
}

bool sched_done(const struct sched *s)
{
	return !s->inflight && (s->stopping || s->started >= s->count);
}
