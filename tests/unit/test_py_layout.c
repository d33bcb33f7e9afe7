// SPDX-License-Identifier: GPL-2.0-only
/*
 * src/python/layout.c against CPython's own headers: this file is built
 * once per installed header set (Debian's libpython3.11-dev, pyenv 3.11
 * and 3.12 builds), with Py_BUILD_CORE, and compares every offset of the table for
 * PY_VERSION_HEX with offsetof() on the real structs.
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal/pycore_frame.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_moduleobject.h"

#include "python/layout.h"
#include "py_layout_oracle.h"

static void test_offsets(void **state)
{
	const struct rt_py_offsets *o = pylayout_find(PY_VERSION_HEX);

	assert_non_null(o);
	assert_int_equal(o->version >> 16, PY_VERSION_HEX >> 16);
#define CHECK(field, expr)                                                              \
	do {                                                                            \
		if (o->field != (__u32)(expr))                                          \
			fail_msg(#field ": table %u, headers %zu", o->field, (size_t)(expr)); \
	} while (0);
	PY_OFFSETS(CHECK)
	/* what the table states beside offsetof */
	assert_int_equal(PyLong_SHIFT, 30);
	assert_int_equal(sizeof(digit), 4);
	assert_int_equal(Py_TPFLAGS_MANAGED_DICT, RT_TPFLAGS_MANAGED_DICT);
	assert_int_equal(Py_TPFLAGS_HEAPTYPE, RT_TPFLAGS_HEAPTYPE);
	assert_int_equal(Py_TPFLAGS_BASE_EXC_SUBCLASS, RT_TPFLAGS_BASE_EXC_SUBCLASS);
	assert_int_equal(CO_FAST_LOCAL, RT_CO_FAST_LOCAL);
	assert_int_equal(CO_FAST_CELL, RT_CO_FAST_CELL);
	assert_int_equal(CO_FAST_FREE, RT_CO_FAST_FREE);
	assert_int_equal(FRAME_OWNED_BY_GENERATOR, 1);
	{
		/* the str state bit field, as the table decodes it */
		PyASCIIObject a;
		__u32 raw;

		memset(&a, 0, sizeof(a));
		a.state.kind = PyUnicode_4BYTE_KIND;
		a.state.compact = 1;
		a.state.ascii = 1;
		memcpy(&raw, (char *)&a + o->unicode_state, sizeof(raw));
		assert_int_equal((raw >> o->unicode_kind_shift) & 7, 4);
		assert_true(raw & (1u << o->unicode_compact_bit));
		assert_true(raw & (1u << o->unicode_ascii_bit));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
