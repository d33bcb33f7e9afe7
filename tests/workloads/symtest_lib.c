// SPDX-License-Identifier: GPL-2.0-only
/* libsymtest.so: known symbols for tests/unit/test_symbols.c. */
#include <stdint.h>

#include "symtest.h"

int symtest_lib_data[16] = {1, 2, 3};

int symtest_lib_func(int x)
{
	return x * 3 + symtest_lib_data[x & 15];
}

/* A C++ name without a C++ compiler: ns::Klass::method(int) */
int symtest_cxx_method(int x) __asm__("_ZN2ns5Klass6methodEi");
int symtest_cxx_method(int x)
{
	return x + 7;
}

/* The definitions' own addresses: through local aliases, not the GOT
 * (which may give a non-PIE executable's PLT slot or copy-relocated data). */
static int lib_func_here(int x) __attribute__((alias("symtest_lib_func")));
static int cxx_here(int x) __attribute__((alias("_ZN2ns5Klass6methodEi")));
extern int lib_data_here[16] __attribute__((alias("symtest_lib_data"), visibility("hidden")));

uintptr_t symtest_lib_addr(int which)
{
	return which == 0 ? (uintptr_t)lib_func_here :
	       which == 1 ? (uintptr_t)lib_data_here : (uintptr_t)cxx_here;
}
