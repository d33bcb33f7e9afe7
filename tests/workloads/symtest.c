// SPDX-License-Identifier: GPL-2.0-only
/*
 * symtest: prints the runtime addresses of known symbols as JSON, one line,
 * then waits until its stdin closes.  Built PIE (symtest) and non-PIE
 * (symtest-nopie), both linked with libsymtest.so: the oracle of
 * tests/unit/test_symbols.c's resolver checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "symtest.h"

int symtest_main_data = 42;
int symtest_main_func(int x);

__attribute__((noinline)) int symtest_main_func(int x)
{
	return x * 5 + symtest_main_data;
}

int main(void)
{
	char c;

	printf("{\"symtest_main_func\": %ju, \"symtest_main_data\": %ju, "
	       "\"symtest_lib_func\": %ju, \"symtest_lib_data\": %ju, "
	       "\"ns::Klass::method\": %ju}\n",
	       (uintmax_t)(uintptr_t)symtest_main_func, (uintmax_t)(uintptr_t)&symtest_main_data,
	       (uintmax_t)symtest_lib_addr(0), (uintmax_t)symtest_lib_addr(1),
	       (uintmax_t)symtest_lib_addr(2));
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return symtest_main_func(1) > 0 ? 0 : 1;
}
