// SPDX-License-Identifier: GPL-2.0-only
/* Joining a syscall's entry and exit halves (src/syscalls/join.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "syscalls/join.h"

#define NR_READ 0
#define NR_EXECVE 59
#define NR_EXIT_GROUP 231
#define NR_EXECVEAT 322

/* What the join handed out, copied. */
struct got {
	int n;
	struct {
		struct rt_syscall_event ev;
		unsigned char tail[256];
		size_t len;
	} r[8];
};

static int collect(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	struct got *g = ctx;

	assert_true(g->n < 8);
	assert_true(len <= sizeof(g->r[0].ev) + sizeof(g->r[0].tail));
	assert_int_equal(ev->hdr.size, len);
	memcpy(&g->r[g->n].ev, ev, len);
	g->r[g->n].len = len;
	g->n++;
	return 0;
}

/* A half under construction, 8-byte aligned like the kernel's. */
struct half {
	_Alignas(8) unsigned char b[512];
	size_t off;
};

static struct rt_hdr *enter(struct half *h, __u32 pid, __u32 tid, __u64 ts, __u32 nr,
			    __u64 a0, __u64 a1)
{
	struct rt_sc_enter *e = (void *)h->b;

	memset(h, 0, sizeof(*h));
	e->hdr = (struct rt_hdr){ .type = RT_EV_SYSCALL_ENTER, .size = sizeof(*e), .run = 1,
				  .ts = ts, .pid = pid, .tid = tid };
	e->args[0] = a0;
	e->args[1] = a1;
	e->nr = nr;
	h->off = sizeof(*e);
	return &e->hdr;
}

static struct rt_hdr *exit_(struct half *h, __u32 pid, __u32 tid, __u64 ts, __u32 nr, __s64 ret)
{
	struct rt_sc_exit *x = (void *)h->b;

	memset(h, 0, sizeof(*h));
	x->hdr = (struct rt_hdr){ .type = RT_EV_SYSCALL_EXIT, .size = sizeof(*x), .run = 1,
				  .ts = ts, .pid = pid, .tid = tid };
	x->ret = ret;
	x->nr = nr;
	h->off = sizeof(*x);
	return &x->hdr;
}

/* Append a blob to the half, keeping hdr.size a multiple of 8. */
static void blob(struct half *h, __u8 arg, __u8 kind, const void *data, __u16 len)
{
	struct rt_hdr *hd = (void *)h->b;
	struct rt_sc_blob *b = (void *)(h->b + h->off);
	__u16 *nblobs = hd->type == RT_EV_SYSCALL_ENTER ? &((struct rt_sc_enter *)h->b)->nblobs
						       : &((struct rt_sc_exit *)h->b)->nblobs;

	b->arg = arg;
	b->kind = kind;
	b->len = len;
	memcpy(b + 1, data, len);
	h->off += sizeof(*b) + ((len + 3u) & ~3u);
	hd->size = (h->off + 7) & ~7u;
	(*nblobs)++;
}

static int feed(struct ct_join *j, struct half *h, struct got *g)
{
	struct rt_hdr *hd = (void *)h->b;

	return ct_join_half(j, hd, hd->size, collect, g);
}

/* The blob of argument @arg in joined record @i, or NULL. */
static const struct rt_sc_blob *blob_of(struct got *g, int i, int nth)
{
	const unsigned char *p = (const unsigned char *)&g->r[i].ev;
	size_t off = sizeof(struct rt_syscall_event);
	int k;

	for (k = 0; k < g->r[i].ev.nblobs; k++) {
		const struct rt_sc_blob *b = (const void *)(p + off);

		if (k == nth)
			return b;
		off += sizeof(*b) + ((b->len + 3u) & ~3u);
	}
	return NULL;
}

static int count_len(void *ctx, const struct rt_syscall_event *ev, size_t len)
{
	size_t *got = ctx;

	assert_int_equal(ev->hdr.size, len);
	*got = len;
	return 0;
}

/* A first joined record of more than twice 256 bytes (struct captures make
 * such records: a stat and a path, an iovec array) is built, not dropped
 * for want of memory. */
static void test_join_large_first_record(void **state)
{
	struct ct_join j;
	struct half h;
	unsigned char data[400];
	size_t got = 0;

	memset(data, 'x', sizeof(data));
	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 10, 10, 1000, NR_READ, 3, 0x7000);
	blob(&h, 1, RT_BLOB_DATA | RT_BLOB_F_ENTER, data, sizeof(data));
	assert_int_equal(ct_join_half(&j, (void *)h.b, ((struct rt_hdr *)h.b)->size, count_len, &got), 0);
	exit_(&h, 10, 10, 1750, NR_READ, 400);
	blob(&h, 1, RT_BLOB_DATA, data, sizeof(data));
	assert_int_equal(ct_join_half(&j, (void *)h.b, ((struct rt_hdr *)h.b)->size, count_len, &got), 0);
	assert_int_equal(got, sizeof(struct rt_syscall_event) + 2 * (4 + sizeof(data)));
	ct_join_free(&j);
}

static void test_join_one(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	const struct rt_sc_blob *b;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 10, 10, 1000, NR_READ, 3, 0x7000);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 0);
	exit_(&h, 10, 10, 1750, NR_READ, 5);
	blob(&h, 1, RT_BLOB_DATA, "hello", 5);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.hdr.type, RT_EV_SYSCALL);
	assert_int_equal(g.r[0].ev.hdr.ts, 1000);
	assert_int_equal(g.r[0].ev.duration_ns, 750);
	assert_int_equal(g.r[0].ev.ret, 5);
	assert_int_equal(g.r[0].ev.args[0], 3);
	assert_int_equal(g.r[0].ev.args[1], 0x7000);
	assert_int_equal(g.r[0].ev.flags, 0);
	assert_int_equal(g.r[0].ev.nblobs, 1);
	b = blob_of(&g, 0, 0);
	assert_int_equal(b->len, 5);
	assert_memory_equal(b + 1, "hello", 5);
	assert_int_equal(g.r[0].len, sizeof(struct rt_syscall_event) + 4 + 8);
	/* nothing waits: finish emits nothing */
	assert_int_equal(ct_join_finish(&j, collect, &g), 0);
	assert_int_equal(g.n, 1);
	ct_join_free(&j);
}

/* Threads interleave; each joins with its own entry. */
static void test_threads_interleave(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	__u32 tid;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	/* 100 threads enter, then leave in reverse order: the table grows */
	for (tid = 100; tid < 200; tid++) {
		enter(&h, 100, tid, tid * 10, NR_READ, tid, 0);
		assert_int_equal(feed(&j, &h, &g), 0);
	}
	for (tid = 199; tid >= 100; tid--) {
		struct got one = { 0 };

		exit_(&h, 100, tid, 5000 + tid, NR_READ, -11);
		assert_int_equal(ct_join_half(&j, (void *)h.b, h.off, collect, &one), 0);
		assert_int_equal(one.n, 1);
		assert_int_equal(one.r[0].ev.hdr.tid, tid);
		assert_int_equal(one.r[0].ev.args[0], tid);
		assert_int_equal(one.r[0].ev.duration_ns, 5000 + tid - tid * 10);
		assert_int_equal(one.r[0].ev.ret, -11);
	}
	assert_int_equal(j.orphans, 0);
	assert_int_equal(j.unmatched, 0);
	ct_join_free(&j);
}

/* A fork child's first return has no entry: dropped, counted. */
static void test_orphan_exit(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	exit_(&h, 11, 11, 500, 56 /* clone */, 0);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(j.orphans, 1);
	ct_join_free(&j);
}

/* exit_group never returns: unfinished at the end, with its arguments. */
static void test_unfinished_at_finish(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 12, 12, 900, NR_EXIT_GROUP, 3, 0);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(ct_join_finish(&j, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.nr, NR_EXIT_GROUP);
	assert_int_equal(g.r[0].ev.args[0], 3);
	assert_int_equal(g.r[0].ev.hdr.ts, 900);
	assert_true(g.r[0].ev.flags & RT_SC_F_UNFINISHED);
	/* finish forgot it */
	assert_int_equal(ct_join_finish(&j, collect, &g), 0);
	assert_int_equal(g.n, 1);
	ct_join_free(&j);
}

/* A thread's exit ends its wait: exit(0) shows unfinished at once. */
static void test_thread_exit(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 60, 61, 100, 60 /* exit */, 0, 0);
	feed(&j, &h, &g);
	assert_int_equal(ct_join_thread_exit(&j, 62, collect, &g), 0); /* another thread */
	assert_int_equal(g.n, 0);
	assert_int_equal(ct_join_thread_exit(&j, 61, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.nr, 60);
	assert_int_equal(g.r[0].ev.hdr.tid, 61);
	assert_true(g.r[0].ev.flags & RT_SC_F_UNFINISHED);
	assert_int_equal(ct_join_finish(&j, collect, &g), 0);
	assert_int_equal(g.n, 1);
	ct_join_free(&j);
}

/* An exit lost on the way: the entry shows unfinished, the next joins. */
static void test_lost_exit(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 13, 13, 100, NR_READ, 0, 0);
	feed(&j, &h, &g);
	enter(&h, 13, 13, 200, 1 /* write */, 1, 0);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.nr, NR_READ);
	assert_true(g.r[0].ev.flags & RT_SC_F_UNFINISHED);
	exit_(&h, 13, 13, 260, 1, 1);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[1].ev.nr, 1);
	assert_int_equal(g.r[1].ev.duration_ns, 60);
	assert_int_equal(j.unmatched, 1);
	/* an exit for another syscall than the one waiting: both lose */
	enter(&h, 13, 13, 300, NR_READ, 0, 0);
	feed(&j, &h, &g);
	exit_(&h, 13, 13, 310, 1, 1);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 3);
	assert_true(g.r[2].ev.flags & RT_SC_F_UNFINISHED);
	assert_int_equal(j.unmatched, 2);
	assert_int_equal(j.orphans, 1);
	ct_join_free(&j);
}

/* execve: path and argv come with the entry and lead the joined blobs;
 * a non-leader thread's execve returns under the leader's tid. */
static void test_execve(void **state)
{
	__u32 argc = 2;
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	const struct rt_sc_blob *b;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 20, 21, 100, NR_EXECVE, 0x1000, 0x2000);
	blob(&h, 0, RT_BLOB_STR, "/bin/ls", 8);
	blob(&h, 1, RT_BLOB_ARGV, "ls", 3);
	blob(&h, 1, RT_BLOB_ARGV, "-l", 3);
	blob(&h, 1, RT_BLOB_ARGV_END, &argc, 4);
	feed(&j, &h, &g);
	exit_(&h, 20, 20, 400, NR_EXECVE, 0); /* tid 20: the leader's */
	feed(&j, &h, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.hdr.tid, 21);
	assert_int_equal(g.r[0].ev.args[0], 0x1000);
	assert_int_equal(g.r[0].ev.nblobs, 4);
	assert_int_equal(g.r[0].ev.duration_ns, 300);
	b = blob_of(&g, 0, 0);
	assert_string_equal((const char *)(b + 1), "/bin/ls");
	b = blob_of(&g, 0, 2);
	assert_string_equal((const char *)(b + 1), "-l");
	b = blob_of(&g, 0, 3);
	assert_int_equal(b->kind, RT_BLOB_ARGV_END);
	assert_int_equal(j.orphans, 0);
	ct_join_free(&j);
}

/* rt_sigreturn's exit comes with orig_ax -1: it joins the entry waiting. */
static void test_sigreturn(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 50, 50, 100, 15 /* rt_sigreturn */, 0, 0);
	feed(&j, &h, &g);
	exit_(&h, 50, 50, 120, (__u32)-1, 0);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.nr, 15);
	assert_int_equal(g.r[0].ev.flags, 0);
	assert_int_equal(g.r[0].ev.duration_ns, 20);
	/* with nothing waiting it is an orphan like any other */
	feed(&j, &h, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(j.orphans, 1);
	ct_join_free(&j);
}

/* -Z: only failed syscalls come out; unfinished ones still do. */
static void test_failed_only(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };

	ct_join_init(&j, true, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 30, 30, 100, NR_READ, 0, 0);
	feed(&j, &h, &g);
	exit_(&h, 30, 30, 110, NR_READ, 4);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 0);
	enter(&h, 30, 30, 200, 2 /* open */, 0, 0);
	feed(&j, &h, &g);
	exit_(&h, 30, 30, 210, 2, -2);
	feed(&j, &h, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].ev.ret, -2);
	enter(&h, 30, 30, 300, NR_EXIT_GROUP, 1, 0);
	feed(&j, &h, &g);
	assert_int_equal(ct_join_finish(&j, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_true(g.r[1].ev.flags & RT_SC_F_UNFINISHED);
	ct_join_free(&j);
}

/* Malformed halves are refused, and nothing is emitted for them. */
static void test_malformed(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	struct rt_sc_exit *x;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	enter(&h, 40, 40, 100, NR_READ, 0, 0);
	assert_int_equal(ct_join_half(&j, (void *)h.b, 40, collect, &g), -EINVAL); /* cut */
	((struct rt_hdr *)h.b)->size = 16; /* shorter than an entry */
	assert_int_equal(feed(&j, &h, &g), -EINVAL);
	enter(&h, 40, 40, 100, NR_READ, 0, 0);
	feed(&j, &h, &g);
	exit_(&h, 40, 40, 150, NR_READ, 3);
	blob(&h, 1, RT_BLOB_DATA, "abc", 3);
	x = (void *)h.b;
	x->nblobs = 3; /* blobs beyond the half */
	assert_int_equal(feed(&j, &h, &g), -EINVAL);
	assert_int_equal(g.n, 0);
	ct_join_free(&j);
}

/* trace -p: an exit whose entry came before the attach shows resumed; a
 * forked child's first return does not. */
static void test_resumed(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	const struct rt_sc_blob *b;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	ct_join_emit_resumed(&j);
	exit_(&h, 10, 11, 5000, NR_READ, 2);
	blob(&h, 1, RT_BLOB_DATA, "ok", 2);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.r[0].ev.flags & RT_SC_F_RESUMED);
	assert_int_equal(g.r[0].ev.ret, 2);
	assert_int_equal(g.r[0].ev.hdr.tid, 11);
	assert_int_equal(g.r[0].ev.hdr.ts, 5000);
	b = blob_of(&g, 0, 0);
	assert_non_null(b);
	assert_memory_equal(b + 1, "ok", 2);
	/* clone (56) returning 0 in the child: nothing */
	exit_(&h, 12, 12, 6000, 56, 0);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 1);
	/* ... and without emit_resumed, orphans are only counted */
	ct_join_free(&j);
	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	exit_(&h, 10, 11, 7000, NR_READ, 2);
	assert_int_equal(feed(&j, &h, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(j.orphans, 1);
	ct_join_free(&j);
}

/* Thread exits free their slots; the table keeps finding the others
 * (tids that collide in one probe sequence). */
static void test_thread_exit_frees_slots(void **state)
{
	struct ct_join j;
	struct half h;
	struct got g = { 0 };
	__u32 tid;

	ct_join_init(&j, false, NR_EXECVE, NR_EXECVEAT);
	/* 40 threads whose tids share low bits, each with an entry waiting */
	for (tid = 1; tid <= 40; tid++) {
		enter(&h, 1, tid * 1024, tid, NR_READ, tid, 0);
		assert_int_equal(feed(&j, &h, &g), 0);
	}
	assert_int_equal(j.used, 40);
	/* every other thread exits in its read: unfinished, slot freed */
	for (tid = 2; tid <= 40; tid += 2) {
		g.n = 0;
		assert_int_equal(ct_join_thread_exit(&j, tid * 1024, collect, &g), 0);
		assert_int_equal(g.n, 1);
		assert_true(g.r[0].ev.flags & RT_SC_F_UNFINISHED);
		assert_int_equal(g.r[0].ev.args[0], tid);
	}
	assert_int_equal(j.used, 20);
	/* the others still join with their own entries */
	for (tid = 1; tid <= 40; tid += 2) {
		g.n = 0;
		exit_(&h, 1, tid * 1024, 100 + tid, NR_READ, tid);
		assert_int_equal(feed(&j, &h, &g), 0);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.r[0].ev.args[0], tid);
		assert_int_equal(g.r[0].ev.ret, tid);
	}
	ct_join_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_one),
		cmocka_unit_test(test_join_large_first_record),
		cmocka_unit_test(test_threads_interleave),
		cmocka_unit_test(test_orphan_exit),
		cmocka_unit_test(test_unfinished_at_finish),
		cmocka_unit_test(test_thread_exit),
		cmocka_unit_test(test_lost_exit),
		cmocka_unit_test(test_execve),
		cmocka_unit_test(test_sigreturn),
		cmocka_unit_test(test_failed_only),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_resumed),
		cmocka_unit_test(test_thread_exit_frees_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
