// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/util.h"

static void test_array_grow_doubles_within_bounds(void **state)
{
	size_t cap = 0, n;
	int *a = NULL;

	for (n = 0; n < 20; n++) {
		assert_int_equal(array_grow(&a, &cap, n, sizeof(*a), 4, 16), n < 16 ? 0 : -ENOMEM);
		if (n < 16)
			a[n] = (int)n; /* ASan: the room is really there */
	}
	assert_int_equal(cap, 16); /* 4, 8, 16, then the bound */
	for (n = 0; n < 16; n++)
		assert_int_equal(a[n], (int)n);
	free(a);
}

static void test_array_grow_jumps(void **state)
{
	size_t cap = 0;
	int *a = NULL;

	/* element 100 of an empty array: 4 doubled until it holds it */
	assert_int_equal(array_grow(&a, &cap, 100, sizeof(*a), 4, SIZE_MAX), 0);
	assert_int_equal(cap, 128);
	a[100] = 1;
	/* beyond the bound: refused, left as it was */
	assert_int_equal(array_grow(&a, &cap, 300, sizeof(*a), 4, 200), -ENOMEM);
	assert_int_equal(cap, 128);
	free(a);
}

static void test_array_grow_keeps_room(void **state)
{
	size_t cap = 8;
	int *a = malloc(8 * sizeof(*a)), *before = a;

	assert_int_equal(array_grow(&a, &cap, 7, sizeof(*a), 4, SIZE_MAX), 0);
	assert_ptr_equal(a, before); /* room for element 7 already */
	assert_int_equal(cap, 8);
	assert_int_equal(array_grow(&a, &cap, 8, sizeof(*a), 4, SIZE_MAX), 0);
	assert_int_equal(cap, 16);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_grow_doubles_within_bounds),
		cmocka_unit_test(test_array_grow_keeps_room),
		cmocka_unit_test(test_array_grow_jumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
