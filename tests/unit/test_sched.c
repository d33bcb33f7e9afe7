// SPDX-License-Identifier: GPL-2.0-only
/* The runner's bookkeeping of runs (-c, -j, --failed-count, --kill-on-fail),
 * against the sequential runner's rules it must keep with -j 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/sched.h"

/* Start what may start; returns how many started. */
static int fill(struct sched *s)
{
	int n = 0;

	while (sched_may_start(s)) {
		sched_start(s);
		n++;
	}
	return n;
}

static void test_sequential_completes(void **state)
{
	struct sched s;
	int i;

	sched_init(&s, 3, 1, 0, false);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(fill(&s), 1);
		assert_int_equal(s.started, i);
		assert_false(sched_done(&s));
		assert_int_equal(sched_end(&s, true, i == 2), 0);
	}
	assert_int_equal(fill(&s), 0);
	assert_true(sched_done(&s));
	assert_int_equal(s.made, 3);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.stop, RT_STOP_COMPLETED);
}

/* -j 1 --failed-count 2 -c 5: gives up after the second failure; at the
 * last run it is no giving up (the sequential runner's words). */
static void test_sequential_failed_count(void **state)
{
	struct sched s;

	sched_init(&s, 5, 1, 2, false);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), 0);
	fill(&s);
	assert_int_equal(sched_end(&s, true, false), 0);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), SCHED_GIVE_UP);
	assert_int_equal(fill(&s), 0);
	assert_true(sched_done(&s));
	assert_int_equal(s.made, 3);
	assert_int_equal(s.stop, RT_STOP_FAILED_COUNT);

	sched_init(&s, 2, 1, 2, false);
	fill(&s);
	sched_end(&s, true, true);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), 0);
	assert_true(sched_done(&s));
	assert_int_equal(s.stop, RT_STOP_COMPLETED);
}

static void test_parallel_keeps_n_in_flight(void **state)
{
	struct sched s;

	sched_init(&s, 10, 4, 0, false);
	assert_int_equal(fill(&s), 4);
	assert_int_equal(s.inflight, 4);
	sched_end(&s, true, false);
	assert_int_equal(fill(&s), 1);
	sched_end(&s, true, false);
	sched_end(&s, true, false);
	assert_int_equal(fill(&s), 2);
	assert_int_equal(s.started, 7);
	while (s.inflight) {
		sched_end(&s, true, false);
		fill(&s);
	}
	assert_int_equal(s.started, 10);
	assert_int_equal(s.made, 10);
	assert_true(sched_done(&s));
}

/* --failed-count with runs in flight: no new run; those in flight finish
 * (and count, failed ones too), or are killed with --kill-on-fail. */
static void test_parallel_failed_count(void **state)
{
	struct sched s;

	sched_init(&s, 100, 4, 2, false);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), 0);
	assert_int_equal(fill(&s), 1);
	assert_int_equal(sched_end(&s, true, true), SCHED_GIVE_UP);
	assert_int_equal(fill(&s), 0);
	assert_false(sched_done(&s));
	assert_int_equal(sched_end(&s, true, true), 0); /* a third failure, counted */
	sched_end(&s, true, false);
	sched_end(&s, true, false);
	assert_true(sched_done(&s));
	assert_int_equal(s.made, 5);
	assert_int_equal(s.failed, 3);
	assert_int_equal(s.stop, RT_STOP_FAILED_COUNT);

	sched_init(&s, 100, 4, 1, true);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), SCHED_GIVE_UP | SCHED_KILL);
	/* all started and the last one fails: still kills the others */
	sched_init(&s, 4, 4, 1, true);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), SCHED_GIVE_UP | SCHED_KILL);
	assert_int_equal(s.stop, RT_STOP_FAILED_COUNT);
	/* nothing left in flight, nothing to start: no words */
	sched_init(&s, 1, 4, 1, true);
	fill(&s);
	assert_int_equal(sched_end(&s, true, true), 0);
	assert_int_equal(s.stop, RT_STOP_COMPLETED);
}

static void test_errors_and_signals(void **state)
{
	struct sched s;

	sched_init(&s, 10, 3, 0, false);
	fill(&s);
	/* a run lost to an error of runtrace's: not counted, no new runs */
	assert_int_equal(sched_end(&s, false, true), 0);
	sched_error(&s);
	assert_int_equal(fill(&s), 0);
	assert_int_equal(s.made, 0);
	assert_int_equal(s.failed, 0);
	sched_interrupt(&s);
	assert_int_equal(s.stop, RT_STOP_ERROR);
	sched_end(&s, true, true);
	sched_end(&s, true, true);
	assert_true(sched_done(&s));

	sched_init(&s, 10, 3, 0, false);
	fill(&s);
	sched_interrupt(&s);
	assert_int_equal(fill(&s), 0);
	assert_false(sched_done(&s));
	sched_end(&s, true, true);
	sched_end(&s, true, true);
	sched_end(&s, true, true);
	assert_true(sched_done(&s));
	assert_int_equal(s.made, 3);
	assert_int_equal(s.stop, RT_STOP_INTERRUPTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential_completes),
		cmocka_unit_test(test_sequential_failed_count),
		cmocka_unit_test(test_parallel_keeps_n_in_flight),
		cmocka_unit_test(test_parallel_failed_count),
		cmocka_unit_test(test_errors_and_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
