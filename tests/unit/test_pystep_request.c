// SPDX-License-Identifier: GPL-2.0-only
/*
 * src/pystep/request.c: the pystep request, {"source", "input", "steps"},
 * every member optional; its errors.  Oracle: the JSON texts are those a
 * client sends (Willow's front end, json.dumps); what the parser must make
 * of them follows from the request's documented rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pystep/request.h"

static const struct pystep_request_limits lim = {
	.default_steps = 10000, .max_steps = 50000, .max_source = 64, .max_input = 32,
};

static int parse(const char *text, struct pystep_request *r, char *err)
{
	memset(r, 0, sizeof(*r));
	return pystep_request_parse(text, strlen(text), &lim, r, err, 200);
}

static void test_full(void **state)
{
	struct pystep_request r;
	char err[200];

	assert_int_equal(parse("{\"source\": \"x = int(input())\\nprint(x * 2)\", "
			       "\"input\": \"21\", \"steps\": 7}", &r, err), 0);
	assert_string_equal(r.source, "x = int(input())\nprint(x * 2)");
	assert_int_equal(r.source_len, strlen(r.source));
	assert_string_equal(r.input, "21");
	assert_int_equal(r.steps, 7);
	pystep_request_free(&r);
}

static void test_defaults(void **state)
{
	struct pystep_request r;
	char err[200];

	/* every member optional: null as absent; unknown members ignored */
	assert_int_equal(parse("{}", &r, err), 0);
	assert_string_equal(r.source, "");
	assert_string_equal(r.input, "");
	assert_int_equal(r.steps, 10000);
	pystep_request_free(&r);
	assert_int_equal(parse(" {\"source\": null, \"input\": null, \"steps\": null, "
			       "\"language\": \"py\"}\n", &r, err), 0);
	assert_string_equal(r.source, "");
	assert_int_equal(r.steps, 10000);
	pystep_request_free(&r);
	/* a step limit over the maximum is lowered to it; 0 is allowed */
	assert_int_equal(parse("{\"steps\": 1000000}", &r, err), 0);
	assert_int_equal(r.steps, 50000);
	pystep_request_free(&r);
	assert_int_equal(parse("{\"steps\": 0}", &r, err), 0);
	assert_int_equal(r.steps, 0);
	pystep_request_free(&r);
}

static void test_strings(void **state)
{
	struct pystep_request r;
	char err[200];

	/* escapes, non-ASCII, NUL (Python refuses the program, not the parser) */
	assert_int_equal(parse("{\"source\": \"s = '\\u00e9\\u2603'\\n\\tx = '\\u0000'\"}", &r,
			       err), 0);
	assert_int_equal(r.source_len, strlen("s = '\xc3\xa9\xe2\x98\x83'\n\tx = '") + 1 + 1);
	assert_memory_equal(r.source, "s = '\xc3\xa9\xe2\x98\x83'\n\tx = '\0'", r.source_len);
	pystep_request_free(&r);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		int err;
		const char *why;
	} bad[] = {
		{ "", -ENODATA, "no request" },
		{ " \n\t", -ENODATA, "no request" },
		{ "{\"source\": ", -EINVAL, "bad JSON" },
		{ "{\"source\" \"x\"}", -EINVAL, "bad JSON" },
		{ "source=x", -EINVAL, "bad JSON" },
		{ "{} {}", -EINVAL, "text after the request" },
		{ "[1, 2]", -EINVAL, "must be a JSON object" },
		{ "\"x = 1\"", -EINVAL, "must be a JSON object" },
		{ "{\"source\": 5}", -EINVAL, "\"source\" must be a string" },
		{ "{\"input\": [\"a\"]}", -EINVAL, "\"input\" must be a string" },
		{ "{\"steps\": \"10\"}", -EINVAL, "\"steps\" must be a whole number" },
		{ "{\"steps\": 2.5}", -EINVAL, "\"steps\" must be a whole number" },
		{ "{\"steps\": true}", -EINVAL, "\"steps\" must be a whole number" },
		{ "{\"steps\": -1}", -EINVAL, "\"steps\" must be 0 or more" },
		{ "{\"source\": \"0123456789012345678901234567890123456789012345678901234567890123"
		  "4\"}", -E2BIG, "\"source\" is too long: 65 bytes, at most 64" },
		{ "{\"input\": \"0123456789012345678901234567890123456789\"}", -E2BIG,
		  "\"input\" is too long" },
	};
	struct pystep_request r;
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].text, &r, err), bad[i].err);
		if (!strstr(err, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].text, err, bad[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
