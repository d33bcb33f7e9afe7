// SPDX-License-Identifier: GPL-2.0-only
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "run/stats.h"

#define EXITED(c) ((c) << 8)
#define MS 1000000ull

static void add(struct stats *st, int status, enum rt_reason reason, __u64 dur)
{
	struct run_record r = { .index = st->n + 1, .wait_status = status, .reason = reason,
				.duration_ns = dur };

	stats_add(st, &r);
}

static void test_most_frequent_ties_smallest(void **state)
{
	struct stats st = { 0 };
	int code = -1;

	assert_false(stats_most_frequent_code(&st, &code));
	add(&st, EXITED(3), RT_REASON_EXIT, MS);
	add(&st, EXITED(1), RT_REASON_EXIT, MS);
	add(&st, EXITED(3), RT_REASON_EXIT, MS);
	add(&st, EXITED(1), RT_REASON_EXIT, MS);
	add(&st, SIGSEGV, RT_REASON_SIGNAL, MS);
	add(&st, SIGSEGV, RT_REASON_SIGNAL, MS);
	add(&st, SIGSEGV, RT_REASON_SIGNAL, MS);
	assert_true(stats_most_frequent_code(&st, &code));
	assert_int_equal(code, 1); /* 1 and 3 twice each: the smaller wins */
	assert_int_equal(stats_failed(&st), 7);
	stats_free(&st);
}

static void test_durations(void **state)
{
	struct stats st = { 0 };
	__u64 mn, md, mx;

	assert_false(stats_durations(&st, &mn, &md, &mx));
	add(&st, 0, RT_REASON_NONE, 4 * MS);
	add(&st, 0, RT_REASON_NONE, 1 * MS);
	add(&st, 0, RT_REASON_NONE, 3 * MS);
	assert_true(stats_durations(&st, &mn, &md, &mx));
	assert_int_equal(mn, 1 * MS);
	assert_int_equal(md, 3 * MS);
	assert_int_equal(mx, 4 * MS);
	add(&st, 0, RT_REASON_NONE, 10 * MS);
	assert_true(stats_durations(&st, &mn, &md, &mx));
	assert_int_equal(md, 3500000); /* even count: mean of the middle two */
	assert_int_equal(stats_failed(&st), 0);
	stats_free(&st);
}

static void test_summary_text_original_words(void **state)
{
	struct stats st = { 0 };
	struct strbuf out = { 0 };
	struct summary_info si = { .requested = 3, .failed_count = 2,
				   .stop = RT_STOP_FAILED_COUNT, .artifacts = "out/x" };

	add(&st, EXITED(1), RT_REASON_EXIT, 3100000);
	add(&st, EXITED(1), RT_REASON_EXIT, 4000000);
	summary_text(&si, &st, &out);
	assert_string_equal(out.buf,
		"The most frequent return code was 1\n"
		"Here is a summary of all return codes and how many times they happened:\n"
		"The return code: 1, happened 2 times\n"
		"runs: 2 of 3 (stopped after 2 failures)   failed: 2   "
		"duration min/median/max: 3.1/3.5/4.0 ms\n"
		"artifacts: out/x/\n");
	strbuf_free(&out);
	stats_free(&st);
}

static void test_summary_signals_timeouts(void **state)
{
	struct stats st = { 0 };
	struct strbuf out = { 0 };
	struct summary_info si = { .requested = 4, .timeout = 2, .bpf = true };

	add(&st, SIGSEGV, RT_REASON_SIGNAL, MS);
	add(&st, SIGKILL, RT_REASON_TIMEOUT, 2000 * MS);
	add(&st, EXITED(0), RT_REASON_NONE, MS);
	add(&st, SIGSEGV | 0x80, RT_REASON_SIGNAL, MS);
	st.runs[0].lost = 5;
	summary_text(&si, &st, &out);
	assert_non_null(strstr(out.buf, "The most frequent return code was 0\n"));
	assert_non_null(strstr(out.buf, "killed by SIGSEGV: 2 times\n"));
	assert_non_null(strstr(out.buf, "timed out after 2 s (whole process tree killed): 1 times\n"));
	assert_non_null(strstr(out.buf, "failed: 3"));
	assert_non_null(strstr(out.buf, "duration min/median/max: 0.00/0.00/2.00 s"));
	assert_non_null(strstr(out.buf, "lost events: 5 "));
	assert_null(strstr(out.buf, "The return code: 139"));
	strbuf_free(&out);
	stats_free(&st);
}

static void test_json(void **state)
{
	struct stats st = { 0 };
	struct strbuf out = { 0 };
	char *argv[] = { "echo \"hi\"", NULL };
	struct summary_info si = { .requested = 2, .argv = argv, .argc = 1, .shell = true,
				   .started_realtime_ns = 1700000000123456789ll };

	add(&st, EXITED(2), RT_REASON_EXIT, 1500000);
	add(&st, SIGABRT, RT_REASON_SIGNAL, 2500000);
	summary_json(&si, &st, &out);
	assert_non_null(strstr(out.buf, "\"schema\": \"runtrace-summary/1\""));
	assert_non_null(strstr(out.buf, "\"command\": [\"/bin/sh\", \"-c\", \"echo \\\"hi\\\"\"]"));
	assert_non_null(strstr(out.buf, "\"started\": \"2023-11-14T22:13:20.123456Z\""));
	assert_non_null(strstr(out.buf, "\"return_codes\": {\"2\": 1}"));
	assert_non_null(strstr(out.buf, "\"exit_code\": 2, \"signal\": null"));
	assert_non_null(strstr(out.buf, "\"exit_code\": null, \"signal\": \"SIGABRT\""));
	assert_non_null(strstr(out.buf, "\"reason\": \"signal\""));
	assert_non_null(strstr(out.buf, "\"duration_ms\": {\"min\": 1.500, \"median\": 2.000, \"max\": 2.500}"));
	strbuf_free(&out);
	stats_free(&st);
}

/* Runs end in any order with -j: the summary lists them by index. */
static void test_sort_by_index(void **state)
{
	static const unsigned order[] = { 3, 1, 4, 2, 6, 5 };
	struct stats st = { 0 };
	struct strbuf js = { 0 };
	size_t i;
	const char *p;

	for (i = 0; i < 6; i++) {
		struct run_record r = { .index = order[i], .wait_status = EXITED(order[i] == 4),
					.reason = order[i] == 4 ? RT_REASON_EXIT : RT_REASON_NONE };

		stats_add(&st, &r);
	}
	stats_sort(&st);
	for (i = 0; i < 6; i++)
		assert_int_equal(st.runs[i].index, i + 1);
	assert_int_equal(st.runs[3].reason, RT_REASON_EXIT);
	summary_json(&(struct summary_info){ .requested = 6, .argv = (char *[]){ "x", NULL },
					    .argc = 1 }, &st, &js);
	for (p = js.buf, i = 1; i <= 6; i++) {
		char want[32];

		snprintf(want, sizeof(want), "\"index\": %zu,", i);
		p = strstr(p, want);
		assert_non_null(p);
	}
	strbuf_free(&js);
	stats_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_by_index),
		cmocka_unit_test(test_most_frequent_ties_smallest),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_summary_text_original_words),
		cmocka_unit_test(test_summary_signals_timeouts),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
