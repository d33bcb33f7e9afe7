// SPDX-License-Identifier: GPL-2.0-only
/* Pid targets (src/engine/scope.c): /proc text parsing, and checks against
 * real processes (this one, a kernel thread, a pid that is gone). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/scope.h"

static void test_parse_stat(void **state)
{
	unsigned long flags;
	char st;

	/* a comm with spaces and a ')' in it, as /proc shows it */
	assert_int_equal(scope_parse_stat("4211 (a) b) S 1 4211 4211 0 -1 4194560 99 0 0",
					  &flags, &st), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(flags, 4194560);
	assert_int_equal(scope_parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0", &flags, &st), 0);
	assert_true(flags & 0x00200000); /* PF_KTHREAD */
	assert_int_equal(scope_parse_stat("garbage", &flags, &st), -EINVAL);
}

static void test_parse_tgid(void **state)
{
	pid_t t;

	assert_int_equal(scope_parse_tgid("Name:\tx\nUmask:\t0022\nState:\tS\nTgid:\t4211\nNgid:\t0\n",
					  &t), 0);
	assert_int_equal(t, 4211);
	assert_int_equal(scope_parse_tgid("Name:\tx\n", &t), -EINVAL);
}

static void test_check_pid(void **state)
{
	char why[256];
	pid_t t;

	/* runtrace itself is refused */
	assert_int_equal(scope_check_pid(getpid(), &t, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "runtrace itself"));
	/* kthreadd is a kernel thread */
	assert_int_equal(scope_check_pid(2, &t, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "kernel thread"));
	/* pid_max is at most 4194304 */
	assert_int_equal(scope_check_pid(99999999, &t, why, sizeof(why)), -ESRCH);
	assert_string_equal(why, "no process 99999999");
	/* our parent is a process of its own */
	assert_int_equal(scope_check_pid(getppid(), &t, why, sizeof(why)), 0);
	assert_int_equal(t, getppid());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_parse_tgid),
		cmocka_unit_test(test_check_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
