// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/cgroup.h"

static void test_hybrid(void **state)
{
	const char *mi =
		"25 30 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
		"31 25 0:26 / /sys/fs/cgroup ro shared:9 - tmpfs tmpfs ro,mode=755\n"
		"32 31 0:27 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
		"33 31 0:28 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,name=systemd\n";
	char out[256];

	assert_int_equal(cg2_mount_from_mountinfo(mi, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
}

static void test_unified_preferred(void **state)
{
	const char *mi =
		"40 30 0:50 / /tmp/my\\040cg rw - cgroup2 none rw\n"
		"31 25 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n";
	char out[256];

	assert_int_equal(cg2_mount_from_mountinfo(mi, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup");
}

static void test_escaped_and_optional_fields(void **state)
{
	const char *mi = "40 30 0:50 / /tmp/my\\040cg rw shared:1 master:2 - cgroup2 none rw";
	char out[256];

	assert_int_equal(cg2_mount_from_mountinfo(mi, out, sizeof(out)), 0);
	assert_string_equal(out, "/tmp/my cg");
}

static void test_none(void **state)
{
	const char *mi = "31 25 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
			 "32 25 0:27 / /cgroup2x rw - cgroup2fake x rw\n";
	char out[256];

	assert_int_equal(cg2_mount_from_mountinfo(mi, out, sizeof(out)), -ENOENT);
	assert_int_equal(cg2_mount_from_mountinfo("", out, sizeof(out)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_unified_preferred),
		cmocka_unit_test(test_escaped_and_optional_fields),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
