// SPDX-License-Identifier: GPL-2.0-only
/* trace -c's table (src/syscalls/counttab.c) in strace -c's layout: the
 * header and divider below are strace 6.1's own (`strace -c true` on
 * Debian 12), the rest follows strace's src/count.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "syscalls/counttab.h"
#include "syscalls/table.h"

static const char strace_head[] =
	"% time     seconds  usecs/call     calls    errors syscall\n"
	"------ ----------- ----------- --------- --------- ----------------\n";

static struct rt_count *counts(void)
{
	struct rt_count *c = calloc(RT_COUNT_SLOTS, sizeof(*c));

	assert_non_null(c);
	return c;
}

static void test_layout_and_order(void **state)
{
	struct rt_count *c = counts();
	struct strbuf sb = { 0 };
	int rd = rt_sc_lookup("read"), op = rt_sc_lookup("openat"), cl = rt_sc_lookup("close");

	c[rd] = (struct rt_count){ .calls = 7, .cpu_ns = 30000, .wall_ns = 90000 };
	c[op] = (struct rt_count){ .calls = 34, .errors = 13, .cpu_ns = 60000, .wall_ns = 60000 };
	c[cl] = (struct rt_count){ .calls = 23, .cpu_ns = 10000, .wall_ns = 10000 };
	count_table(&sb, c, false);
	assert_true(!strncmp(sb.buf, strace_head, strlen(strace_head)));
	/* most time first; errors blank when none; name last, unpadded */
	assert_non_null(strstr(sb.buf, "\n 60.00    0.000060           1        34        13 openat\n"
				       " 30.00    0.000030           4         7           read\n"
				       " 10.00    0.000010           0        23           close\n"
				       "------ ----------- ----------- --------- --------- ----------------\n"
				       "100.00    0.000100           1        64        13 total\n"));
	strbuf_free(&sb);
	/* -w: wall time orders read first */
	count_table(&sb, c, true);
	assert_non_null(strstr(sb.buf, "\n 56.25    0.000090          12         7           read\n"));
	strbuf_free(&sb);
	free(c);
}

static void test_ties_keep_number_order_and_zero_time(void **state)
{
	struct rt_count *c = counts();
	struct strbuf sb = { 0 };
	char *a, *b;

	c[rt_sc_lookup("write")].calls = 1;
	c[rt_sc_lookup("read")].calls = 2;
	count_table(&sb, c, false);
	/* no time at all: 0.00 percent, not NaN; read (0) before write (1) */
	a = strstr(sb.buf, "read\n");
	b = strstr(sb.buf, "write\n");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_non_null(strstr(sb.buf, "  0.00    0.000000           0         2           read\n"));
	assert_non_null(strstr(sb.buf, "100.00    0.000000           0         3           total\n"));
	strbuf_free(&sb);
	free(c);
}

static void test_wide_columns_grow(void **state)
{
	struct rt_count *c = counts();
	struct strbuf sb = { 0 };

	c[rt_sc_lookup("read")] = (struct rt_count){ .calls = 12345678901ull, .cpu_ns = 123456789012345ull };
	count_table(&sb, c, false);
	/* calls wider than 9, seconds wider than 11: the columns widen */
	assert_non_null(strstr(sb.buf, "123456.789012"));
	assert_non_null(strstr(sb.buf, " 12345678901 "));
	strbuf_free(&sb);
	free(c);
}

static void test_json(void **state)
{
	struct rt_count *c = counts();
	struct strbuf sb = { 0 };

	c[rt_sc_lookup("openat")] = (struct rt_count){ .calls = 3, .errors = 1, .timed = 3,
						       .cpu_ns = 2000 };
	count_json(&sb, c, false);
	assert_string_equal(sb.buf, "{\"syscalls\":[{\"syscall\":\"openat\",\"calls\":3,\"errors\":1,"
			    "\"seconds\":0.000002,\"cpu_ns\":2000,\"wall_ns\":0,\"timed\":3}],\"total\":"
			    "{\"calls\":3,\"errors\":1,\"seconds\":0.000002},\"time\":\"cpu\"}\n");
	strbuf_free(&sb);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_order),
		cmocka_unit_test(test_ties_keep_number_order_and_zero_time),
		cmocka_unit_test(test_wide_columns_grow),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
