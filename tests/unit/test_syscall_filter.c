// SPDX-License-Identifier: GPL-2.0-only
/* -e trace= parsing, the generated tables and the BPF capture spec, and
 * the flight-recorder spool. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "syscalls/spool.h"
#include "syscalls/table.h"

static bool has(const __u64 *bm, int nr)
{
	return bm[nr / 64] & (1ull << (nr % 64));
}

static void test_table_matches_libc_numbers(void **state)
{
	/* <sys/syscall.h> numbers, independent of the generator's input */
	assert_string_equal(rt_sc_desc(SYS_read)->name, "read");
	assert_string_equal(rt_sc_desc(SYS_openat)->name, "openat");
	assert_string_equal(rt_sc_desc(SYS_execve)->name, "execve");
	assert_string_equal(rt_sc_desc(SYS_exit_group)->name, "exit_group");
	assert_string_equal(rt_sc_desc(SYS_clone3)->name, "clone3");
	assert_int_equal(rt_sc_lookup("connect"), SYS_connect);
	assert_int_equal(rt_sc_lookup("nosuchcall"), -1);
	assert_null(rt_sc_desc(RT_SC_NR_MAX + 5));
	assert_string_equal(rt_errno_names[ENOENT], "ENOENT");
	assert_string_equal(rt_errno_names[ECONNREFUSED], "ECONNREFUSED");
	assert_string_equal(rt_errno_names[EAGAIN], "EAGAIN");
	assert_string_equal(rt_errno_names[512], "ERESTARTSYS");
}

static void test_filter_names_classes_negation(void **state)
{
	__u64 bm[RT_SC_NR_MAX / 64];
	char err[128];
	bool high;

	assert_int_equal(rt_sc_filter_parse("trace=openat,write", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_openat));
	assert_true(has(bm, SYS_write));
	assert_false(has(bm, SYS_read));
	assert_false(high);

	assert_int_equal(rt_sc_filter_parse("%file", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_openat));
	assert_true(has(bm, SYS_execve));
	assert_true(has(bm, SYS_newfstatat));
	assert_false(has(bm, SYS_read));
	assert_false(has(bm, SYS_close));

	assert_int_equal(rt_sc_filter_parse("%network,%process", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_connect));
	assert_true(has(bm, SYS_socket));
	assert_true(has(bm, SYS_clone));
	assert_true(has(bm, SYS_wait4));
	assert_true(has(bm, SYS_exit_group));
	assert_false(has(bm, SYS_openat));

	assert_int_equal(rt_sc_filter_parse("%memory", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_mmap) && has(bm, SYS_brk) && has(bm, SYS_munmap));
	assert_int_equal(rt_sc_filter_parse("%signal", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_rt_sigaction) && has(bm, SYS_kill));
	assert_int_equal(rt_sc_filter_parse("%desc", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_read) && has(bm, SYS_close) && has(bm, SYS_openat));

	assert_int_equal(rt_sc_filter_parse("!write", bm, &high, err, sizeof(err)), 0);
	assert_false(has(bm, SYS_write));
	assert_true(has(bm, SYS_read));
	assert_true(high);

	assert_int_equal(rt_sc_filter_parse("all", bm, &high, err, sizeof(err)), 0);
	assert_true(has(bm, SYS_read) && high);
}

static void test_filter_errors(void **state)
{
	__u64 bm[RT_SC_NR_MAX / 64];
	char err[128];
	bool high;

	assert_int_equal(rt_sc_filter_parse("opne", bm, &high, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "opne"));
	assert_int_equal(rt_sc_filter_parse("%files", bm, &high, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "%files"));
}

#define KIND(spec, i) ((spec).arg[i].how & RT_CAP_KIND_MASK)

static void test_capture_spec(void **state)
{
	struct rt_cap_spec s = rt_sc_capture_spec(SYS_openat), zero;

	assert_int_equal(KIND(s, 1), RT_CAP_PATH);  /* arg 1, at exit */
	assert_true(s.arg[1].how & RT_CAPW_ANYRET);
	assert_int_equal(s.arg[0].how, 0);         /* dirfd */
	s = rt_sc_capture_spec(SYS_write);
	assert_int_equal(KIND(s, 1), RT_CAP_BUF);
	assert_int_equal(s.arg[1].len, 2);
	s = rt_sc_capture_spec(SYS_read);
	assert_int_equal(KIND(s, 1), RT_CAP_BUF_RET);
	assert_int_equal(s.arg[1].how & (RT_CAPW_EXIT | RT_CAPW_ANYRET), RT_CAPW_EXIT);
	s = rt_sc_capture_spec(SYS_execve);
	assert_true(s.flags & RT_CAPF_ENTER);
	assert_false(s.flags & RT_CAPF_EXIT);
	assert_int_equal(KIND(s, 1), RT_CAP_ARGV);
	assert_int_equal(KIND(s, 2), RT_CAP_ENVC);
	s = rt_sc_capture_spec(SYS_connect);
	assert_int_equal(KIND(s, 1), RT_CAP_BUF);
	assert_int_equal(s.arg[1].len, 2);
	assert_int_equal(s.arg[1].size, 128);
	memset(&zero, 0, sizeof(zero));
	s = rt_sc_capture_spec(SYS_getpid);
	assert_memory_equal(&s, &zero, sizeof(s));
	/* struct stat out, at exit, if it succeeded */
	s = rt_sc_capture_spec(SYS_newfstatat);
	assert_int_equal(KIND(s, 2), RT_CAP_FIXED);
	assert_int_equal(s.arg[2].size, 144);
	assert_int_equal(s.arg[2].how & ~RT_CAP_KIND_MASK, RT_CAPW_EXIT);
	/* accept's *addrlen: before and after */
	s = rt_sc_capture_spec(SYS_accept4);
	assert_true(s.arg[2].how & RT_CAPW_ENTER);
	assert_true(s.arg[2].how & RT_CAPW_EXIT);
	assert_true(s.flags & RT_CAPF_ENTER);
	assert_int_equal(KIND(s, 1), RT_CAP_LENPTR);
	/* writev's iovecs: the vector capture, on argument 1 */
	s = rt_sc_capture_spec(SYS_writev);
	assert_true(s.flags & RT_CAPF_VEC);
	assert_int_equal(s.special, 1);
	/* a lone data buffer takes the fixed-size path, with its argument */
	s = rt_sc_capture_spec(SYS_write);
	assert_true(s.flags & RT_CAPF_DIRECT);
	assert_int_equal(s.special, 1);
	assert_true(rt_sc_capture_spec(SYS_read).flags & RT_CAPF_DIRECT);
	assert_false(rt_sc_capture_spec(SYS_sendto).flags & RT_CAPF_DIRECT); /* + a sockaddr */
	assert_false(rt_sc_capture_spec(SYS_openat).flags & RT_CAPF_DIRECT);
	assert_false(rt_sc_capture_spec(SYS_getcwd).flags & RT_CAPF_DIRECT); /* a path bound */
}

static void test_capture_bycmd(void **state)
{
	struct rt_cap_bycmd tab[RT_SC_BYCMD_MAX];
	int i, n = 0;
	bool tcgets = false, getlk = false;

	rt_sc_capture_bycmd(tab);
	for (i = 0; i < RT_SC_BYCMD_MAX && tab[i].nr; i++) {
		n++;
		/* TCGETS reads the kernel's struct termios when it succeeded */
		if (tab[i].nr == SYS_ioctl && tab[i].cmd == TCGETS) {
			tcgets = true;
			assert_int_equal(tab[i].size, 36);
			assert_int_equal(tab[i].how & ~RT_CAP_KIND_MASK, RT_CAPW_EXIT);
		}
		if (tab[i].nr == SYS_fcntl && tab[i].cmd == F_GETLK)
			getlk = true;
	}
	assert_true(tcgets && getlk);
	assert_true(n > 30 && n < RT_SC_BYCMD_MAX);
}

static void test_spool_keeps_most_recent(void **state)
{
	struct ct_spool s;
	struct ct_spool_iter it;
	const __u64 *p;
	size_t len;
	__u64 v, expect = 7;
	int i;

	ct_spool_init(&s, 3, 0);
	for (v = 0; v < 10; v++)
		assert_int_equal(ct_spool_push(&s, &v, sizeof(v)), 0);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.dropped, 7);
	assert_int_equal(s.seen, 10);
	ct_spool_iter_init(&s, &it);
	for (i = 0; (p = ct_spool_next(&it, &len)); i++) {
		assert_int_equal(len, sizeof(__u64));
		assert_int_equal(*p, expect++);
	}
	assert_int_equal(i, 3);
	ct_spool_reset(&s);
	assert_int_equal(s.count, 0);
	ct_spool_iter_init(&s, &it);
	assert_null(ct_spool_next(&it, &len));
	ct_spool_free(&s);
}

static void test_spool_across_chunks(void **state)
{
	static unsigned char rec[5000];
	struct ct_spool s;
	struct ct_spool_iter it;
	const unsigned char *p;
	size_t len, n = 0;
	unsigned i;

	/* 3000 records of 5000 bytes span several 4 MiB chunks; keep 2000 */
	ct_spool_init(&s, 2000, 0);
	for (i = 0; i < 3000; i++) {
		memset(rec, i & 0xff, sizeof(rec));
		assert_int_equal(ct_spool_push(&s, rec, sizeof(rec)), 0);
	}
	ct_spool_iter_init(&s, &it);
	while ((p = ct_spool_next(&it, &len))) {
		assert_int_equal(len, sizeof(rec));
		assert_int_equal(p[0], (1000 + n) & 0xff);
		assert_int_equal(p[4999], (1000 + n) & 0xff);
		n++;
	}
	assert_int_equal(n, 2000);
	ct_spool_free(&s);
}

static void test_spool_byte_bound(void **state)
{
	static unsigned char rec[1000];
	struct ct_spool s;

	ct_spool_init(&s, 0, 100 * 1008);
	for (int i = 0; i < 500; i++)
		assert_int_equal(ct_spool_push(&s, rec, sizeof(rec)), 0);
	assert_true(s.bytes <= 100 * 1008);
	assert_int_equal(s.count + s.dropped, 500);
	ct_spool_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_libc_numbers),
		cmocka_unit_test(test_filter_names_classes_negation),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_capture_spec),
		cmocka_unit_test(test_capture_bycmd),
		cmocka_unit_test(test_spool_keeps_most_recent),
		cmocka_unit_test(test_spool_across_chunks),
		cmocka_unit_test(test_spool_byte_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
