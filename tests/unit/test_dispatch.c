// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/dispatch.h"

struct seen {
	int calls;
	__u16 last_type;
	size_t last_len;
	int fail;
};

static int on_event(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	struct seen *s = self;

	s->calls++;
	s->last_type = h->type;
	s->last_len = len;
	return s->fail;
}

static const struct sink_ops ops = { .name = "t", .event = on_event };

static void test_dispatch_by_type_and_run(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	struct sink sinks[2] = {
		{ .ops = &ops, .self = &a, .types = 1u << RT_EV_PROC },
		{ .ops = &ops, .self = &b, .types = (1u << RT_EV_SYSCALL) | (1u << RT_EV_PROC) },
	};
	struct dispatch_counters c = { 0 };
	struct rt_run run = { .id = 7 };
	unsigned char buf[64] = { 0 };
	struct rt_hdr *h = (struct rt_hdr *)buf;

	*h = (struct rt_hdr){ .type = RT_EV_PROC, .size = 40, .run = 7 };
	assert_int_equal(dispatch_record(sinks, 2, &run, buf, 48, &c), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_int_equal(a.last_len, 40); /* the record's own size, not the slot's */

	h->type = RT_EV_SYSCALL;
	dispatch_record(sinks, 2, &run, buf, 40, &c);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 2);
	assert_int_equal(b.last_type, RT_EV_SYSCALL);

	h->run = 6; /* a previous run's straggler */
	dispatch_record(sinks, 2, &run, buf, 40, &c);
	dispatch_record(sinks, 2, NULL, buf, 40, &c);
	assert_int_equal(c.stale, 2);
	assert_int_equal(b.calls, 2);
	assert_int_equal(c.malformed, 0);
}

static void test_malformed(void **state)
{
	struct seen a = { 0 };
	struct sink sink = { .ops = &ops, .self = &a, .types = ~0u };
	struct dispatch_counters c = { 0 };
	struct rt_run run = { .id = 1 };
	unsigned char buf[64] = { 0 };
	struct rt_hdr *h = (struct rt_hdr *)buf;

	*h = (struct rt_hdr){ .type = RT_EV_PROC, .size = 64, .run = 1 };
	dispatch_record(&sink, 1, &run, buf, 10, &c);  /* shorter than a header */
	dispatch_record(&sink, 1, &run, buf, 40, &c);  /* size beyond the slot */
	h->size = 8;
	dispatch_record(&sink, 1, &run, buf, 40, &c);  /* size below a header */
	h->size = 24;
	h->type = RT_EV_MAX;
	dispatch_record(&sink, 1, &run, buf, 40, &c);  /* unknown type */
	h->type = 0;
	dispatch_record(&sink, 1, &run, buf, 40, &c);
	assert_int_equal(c.malformed, 5);
	assert_int_equal(a.calls, 0);
	h->type = RT_EV_NET;
	a.fail = -12;
	assert_int_equal(dispatch_record(&sink, 1, &run, buf, 40, &c), 0);
	assert_int_equal(c.rejected, 1);
}

/* A batch: every record in it is dispatched as if it came alone; one that
 * cannot be framed stops the batch and is counted. */
static void test_batch(void **state)
{
	struct seen a = { 0 };
	struct sink sink = { .ops = &ops, .self = &a, .types = ~0u };
	struct dispatch_counters c = { 0 };
	struct rt_run run = { .id = 3 };
	_Alignas(8) unsigned char buf[24 + 32 + 40 + 24] = { 0 };
	struct rt_hdr *b = (struct rt_hdr *)buf, *r1 = (void *)(buf + 24), *r2 = (void *)(buf + 56),
		      *r3 = (void *)(buf + 96);

	*b = (struct rt_hdr){ .type = RT_EV_BATCH, .size = sizeof(buf) };
	*r1 = (struct rt_hdr){ .type = RT_EV_SYSCALL_ENTER, .size = 32, .run = 3 };
	*r2 = (struct rt_hdr){ .type = RT_EV_SYSCALL_EXIT, .size = 40, .run = 3 };
	*r3 = (struct rt_hdr){ .type = RT_EV_SYSCALL_EXIT, .size = 24, .run = 2 }; /* an old run */
	dispatch_record(&sink, 1, &run, buf, sizeof(buf), &c);
	assert_int_equal(a.calls, 2);
	assert_int_equal(a.last_type, RT_EV_SYSCALL_EXIT);
	assert_int_equal(a.last_len, 40);
	assert_int_equal(c.stale, 1);
	assert_int_equal(c.malformed, 0);

	r2->size = 36; /* not 8-byte aligned: the batch cannot be framed after r1 */
	dispatch_record(&sink, 1, &run, buf, sizeof(buf), &c);
	assert_int_equal(a.calls, 3);
	assert_int_equal(c.malformed, 1);

	r2->size = 40;
	r3->type = RT_EV_BATCH; /* no batch inside a batch */
	dispatch_record(&sink, 1, &run, buf, sizeof(buf), &c);
	assert_int_equal(a.calls, 5);
	assert_int_equal(c.malformed, 2);

	b->size = sizeof(buf) + 8; /* beyond what the ring gave */
	dispatch_record(&sink, 1, &run, buf, sizeof(buf), &c);
	assert_int_equal(a.calls, 5);
	assert_int_equal(c.malformed, 3);
}

/* Records of two runs in flight go each to its own run; records of a run
 * that ended, or of no run, are stale. */
static int on_event_run(void *self, struct rt_run *run, const struct rt_hdr *h, size_t len)
{
	unsigned *got = self;

	got[run->id]++;
	return h->run == run->id ? 0 : -EINVAL;
}

static void test_records_to_their_run(void **state)
{
	static const struct sink_ops rops = { .name = "r", .event = on_event_run };
	unsigned got[8] = { 0 };
	struct sink sink = { .ops = &rops, .self = got, .types = 1u << RT_EV_PROC };
	struct rt_run r3 = { .id = 3 }, r5 = { .id = 5 };
	struct run_table t = { 0 };
	struct dispatch_counters c = { 0 };
	unsigned char buf[24 * 4] = { 0 };
	struct rt_hdr *b = (struct rt_hdr *)buf;
	unsigned runs[3] = { 5, 3, 4 };
	int i;

	assert_int_equal(run_table_add(&t, &r3), 0);
	assert_int_equal(run_table_add(&t, &r5), 0);
	/* a batch of three records: runs 5, 3, and 4 (not in flight) */
	b->type = RT_EV_BATCH;
	b->size = sizeof(buf);
	for (i = 0; i < 3; i++) {
		struct rt_hdr *h = (struct rt_hdr *)(buf + 24 * (i + 1));

		h->type = RT_EV_PROC;
		h->size = 24;
		h->run = runs[i];
	}
	dispatch_records(&sink, 1, &t, buf, sizeof(buf), &c);
	assert_int_equal(got[5], 1);
	assert_int_equal(got[3], 1);
	assert_int_equal(got[4], 0);
	assert_int_equal(c.stale, 1);
	assert_int_equal(c.rejected, 0);
	/* run 5 ends: its records are stale from now on */
	run_table_del(&t, &r5);
	assert_null(run_table_find(&t, 5));
	assert_ptr_equal(run_table_find(&t, 3), &r3);
	dispatch_records(&sink, 1, &t, buf, sizeof(buf), &c);
	assert_int_equal(got[5], 1);
	assert_int_equal(got[3], 2);
	assert_int_equal(c.stale, 3);
	run_table_del(&t, &r3);
	assert_int_equal(t.n, 0);
	assert_null(run_table_find(&t, 3));
	run_table_free(&t);
}

/* Sinks find their own state of a run by their self pointer. */
static void test_run_state(void **state)
{
	struct rt_run run = { .id = 1 };
	int a, b, sa, sb, i;
	char more[RT_RUN_MAX_SINKS];

	assert_null(rt_run_state(&run, &a));
	assert_int_equal(rt_run_set_state(&run, &a, &sa), 0);
	assert_int_equal(rt_run_set_state(&run, &b, &sb), 0);
	assert_ptr_equal(rt_run_state(&run, &a), &sa);
	assert_ptr_equal(rt_run_state(&run, &b), &sb);
	/* cleared at run_end: the slot stays the sink's */
	assert_int_equal(rt_run_set_state(&run, &a, NULL), 0);
	assert_null(rt_run_state(&run, &a));
	assert_ptr_equal(rt_run_state(&run, &b), &sb);
	assert_int_equal(rt_run_set_state(&run, &a, &sb), 0);
	assert_ptr_equal(rt_run_state(&run, &a), &sb);
	/* RT_RUN_MAX_SINKS sinks at most */
	for (i = 2; i < RT_RUN_MAX_SINKS; i++)
		assert_int_equal(rt_run_set_state(&run, &more[i], &sa), 0);
	assert_int_equal(rt_run_set_state(&run, &more[0], &sb), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_by_type_and_run),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_records_to_their_run),
		cmocka_unit_test(test_run_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
