// SPDX-License-Identifier: GPL-2.0-only
/* deps's options (src/cmd/deps.c): parsing, bad input, the usage text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/deps.h"
#include "util/opts.h"

static int parse(struct deps_cfg *c, char *err, const char **args)
{
	static char *argv[64];
	int argc = 0;

	argv[argc++] = "deps";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return deps_parse(argc, argv, c, err, 256);
}

#define PARSE(...) parse(&c, err, (const char *[]){ __VA_ARGS__, NULL })

static void test_all_options(void **state)
{
	struct deps_cfg c;
	char err[256];

	assert_int_equal(PARSE("-f", "test.dvc", "--dvc-stage", "train", "-M", "out.d",
			       "--json=x.json", "--root", "/r", "--all", "--files",
			       "--ignore", "*.log", "--ignore=tmp/*", "--keep-failed", "--",
			       "python3", "-f", "stage.py"), 0);
	assert_string_equal(c.dvc_file, "test.dvc");
	assert_string_equal(c.stage, "train");
	assert_string_equal(c.depfile, "out.d");
	assert_string_equal(c.json, "x.json");
	assert_string_equal(c.root, "/r");
	assert_true(c.all && c.files && c.keep_failed);
	assert_int_equal(c.nignore, 2);
	assert_string_equal(c.ignore[0], "*.log");
	assert_string_equal(c.ignore[1], "tmp/*");
	/* the command's own options stay its own */
	assert_string_equal(c.argv[0], "python3");
	assert_string_equal(c.argv[1], "-f");
	assert_string_equal(c.argv[2], "stage.py");
	assert_null(c.argv[3]);
}

static void test_command_without_dashdash(void **state)
{
	struct deps_cfg c;
	char err[256];

	/* as strace: the command starts at the first word that is no option */
	assert_int_equal(PARSE("-f", "a.dvc", "make", "-j2"), 0);
	assert_string_equal(c.argv[0], "make");
	assert_string_equal(c.argv[1], "-j2");
	assert_int_equal(PARSE("--dvc-stage", "my stage_1-x", "true"), 0);
	assert_string_equal(c.stage, "my stage_1-x");
}

#define BAD(needle, ...) do {                                                 \
		struct deps_cfg c;                                            \
		char err[256] = "";                                           \
		assert_int_equal(parse(&c, err, (const char *[]){ __VA_ARGS__, NULL }), -EINVAL); \
		if (!strstr(err, needle))                                     \
			fail_msg("error '%s' does not contain '%s'", err, needle); \
	} while (0)

static void test_errors(void **state)
{
	BAD("no command", "-f", "x.dvc");
	BAD("no command after --", "-f", "x.dvc", "--");
	BAD("empty command", "--", "");
	BAD("invalid -f ''", "-f", "", "ls");
	BAD("needs a value", "-M");
	BAD("invalid --dvc-stage 'a/b'", "--dvc-stage", "a/b", "ls");
	BAD("invalid --dvc-stage 'a.b'", "--dvc-stage", "a.b", "ls");
	BAD("invalid --dvc-stage ''", "--dvc-stage", "", "ls");
	BAD("invalid --root ''", "--root", "", "ls");
	BAD("unknown option '-q'", "-q", "ls");
	BAD("unknown option '--nope'", "--nope", "ls");
}

static void test_help(void **state)
{
	struct deps_cfg c;
	char err[256];
	size_t i;

	assert_int_equal(PARSE("-h"), 0);
	assert_true(c.help);
	assert_non_null(strstr(deps_usage, "Exit status"));
	/* every option is in the usage text */
	for (i = 0; i < deps_opt_count; i++) {
		char name[64] = "--";

		if (!deps_opt_defs[i].lng)
			continue;
		strcat(name, deps_opt_defs[i].lng);
		if (!strstr(deps_usage, name))
			fail_msg("%s is not in the usage text", name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_command_without_dashdash),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
