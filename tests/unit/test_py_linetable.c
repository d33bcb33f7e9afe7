// SPDX-License-Identifier: GPL-2.0-only
/*
 * py_linetable_addr2line (PyCode_Addr2Line of 3.11's location table).
 * Oracle: CPython's own code.co_lines() for every code object of a few
 * stdlib modules, printed by the Python of the table's version (skipped
 * when that Python is absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "python/reader.h"

/* Prints, per code object: "firstlineno hex(co_linetable)" then one line
 * "start line" per co_lines() range, then "end". */
static const char prog[] =
	"import json.decoder, threading, dis, types\n"
	"def walk(c):\n"
	"    yield c\n"
	"    for k in c.co_consts:\n"
	"        if isinstance(k, types.CodeType): yield from walk(k)\n"
	"for m in (json.decoder, threading, dis):\n"
	"    src = compile(open(m.__file__).read(), m.__file__, 'exec')\n"
	"    for c in walk(src):\n"
	"        print(c.co_firstlineno, c.co_linetable.hex() or '-')\n"
	"        for s, e, l in c.co_lines(): print(s, -1 if l is None else l)\n"
	"        print('end')\n";

static void check_python(const char *python)
{
	char cmd[256], line[1 << 16];
	__u8 *table = NULL;
	size_t len = 0, codes = 0, checks = 0;
	int first = 0;
	FILE *p;

	if (access(python, X_OK))
		skip();
	snprintf(cmd, sizeof(cmd), "%s -c \"$RT_PROG\"", python);
	setenv("RT_PROG", prog, 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char hex[sizeof(line)];
		int a, b;

		if (!strncmp(line, "end", 3)) {
			free(table);
			table = NULL;
			codes++;
			continue;
		}
		if (!table && sscanf(line, "%d %s", &first, hex) == 2) {
			size_t i;

			len = strcmp(hex, "-") ? strlen(hex) / 2 : 0;
			table = malloc(len + 1);
			for (i = 0; i < len; i++)
				sscanf(hex + 2 * i, "%2hhx", &table[i]);
			continue;
		}
		assert_int_equal(sscanf(line, "%d %d", &a, &b), 2);
		assert_int_equal(py_linetable_addr2line(table, len, first, a), b);
		checks++;
	}
	assert_int_equal(pclose(p), 0);
	free(table);
	assert_true(codes > 100);
	assert_true(checks > 1000);
}

static void test_debian_311(void **state)
{
	check_python("/usr/bin/python3.11");
}

static void test_pyenv_311(void **state)
{
	const char *home = getenv("HOME");
	char path[512];

	snprintf(path, sizeof(path), "%s/.pyenv/versions/3.11.7/bin/python3.11", home ? home : "/root");
	check_python(path);
}

static void test_before_first_instruction(void **state)
{
	/* addrq < 0 (prev_instr before the first code unit): co_firstlineno */
	static const __u8 t[] = {0x80 | (13 << 3), 0x02}; /* NO_COLUMNS, delta +1 */

	assert_int_equal(py_linetable_addr2line(t, sizeof(t), 10, -2), 10);
	assert_int_equal(py_linetable_addr2line(t, sizeof(t), 10, 0), 11);
	assert_int_equal(py_linetable_addr2line(t, sizeof(t), 10, 2), -1); /* past the table */
	assert_int_equal(py_linetable_addr2line(NULL, 0, 10, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_311),
		cmocka_unit_test(test_pyenv_311),
		cmocka_unit_test(test_before_first_instruction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
