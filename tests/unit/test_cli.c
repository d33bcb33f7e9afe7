// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/run_options.h"

static int parse(struct config *cfg, char *err, const char **args)
{
	static char *argv[32]; /* cfg->argv points into it */
	int argc = 0;

	argv[argc++] = "runtrace";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return cli_parse(argc, argv, cfg, err, 256);
}

#define PARSE(...) parse(&cfg, err, (const char *[]){ __VA_ARGS__, NULL })

static void test_string_then_options(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE("rm non_exist_file", "-c", "3", "--failed-count", "2",
			       "--log-trace"), 0);
	assert_true(cfg.shell);
	assert_string_equal(cfg.argv[0], "rm non_exist_file");
	assert_int_equal(cfg.count, 3);
	assert_int_equal(cfg.failed_count, 2);
	assert_true(cfg.log_trace);
	assert_int_equal(cfg.mode, RT_MODE_RUN);
}

static void test_options_then_argv(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE("run", "-c20", "--timeout", "2.5", "--", "./flaky", "-c", "0.3"), 0);
	assert_false(cfg.shell);
	assert_int_equal(cfg.argc, 3);
	assert_string_equal(cfg.argv[0], "./flaky");
	assert_string_equal(cfg.argv[1], "-c"); /* after --, not ours */
	assert_int_equal(cfg.count, 20);
	assert_true(cfg.timeout > 2.49 && cfg.timeout < 2.51);
}

static void test_defaults(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE("true"), 0);
	assert_int_equal(cfg.count, 1);
	assert_int_equal(cfg.failed_count, 0);
	assert_int_equal(cfg.interval_ms, 100);
	assert_int_equal(cfg.snaplen, 262144);
	assert_int_equal(cfg.strsize, 32);
	assert_int_equal(cfg.call_trace, RT_CT_OFF);
	assert_false(cli_needs_bpf(&cfg));
}

static void test_trace_flags(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE("--call-trace=json", "-e", "trace=%file,write", "-s", "64",
			       "--sys-trace", "--net-trace", "--snaplen=96", "x"), 0);
	assert_int_equal(cfg.call_trace, RT_CT_JSON);
	assert_string_equal(cfg.syscall_filter, "%file,write");
	assert_int_equal(cfg.strsize, 64);
	assert_int_equal(cfg.snaplen, 96);
	assert_true(cfg.sys_trace && cfg.net_trace);
	assert_true(cli_needs_bpf(&cfg));
	assert_int_equal(PARSE("--call-trace", "x"), 0);
	assert_int_equal(cfg.call_trace, RT_CT_TEXT);
	/* strace's long form: --trace=SET */
	assert_int_equal(PARSE("--call-trace", "--trace=%network,openat", "-Z", "x"), 0);
	assert_string_equal(cfg.syscall_filter, "%network,openat");
	assert_true(cfg.failed_syscalls_only);
	assert_int_equal(PARSE("--call-trace", "--trace", "trace=!write", "x"), 0);
	assert_string_equal(cfg.syscall_filter, "!write");
}

static void expect_error(const char **args, const char *needle)
{
	struct config cfg;
	char err[256] = "";

	assert_int_equal(parse(&cfg, err, args), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not contain '%s'", err, needle);
}

#define BAD(needle, ...) expect_error((const char *[]){ __VA_ARGS__, NULL }, needle)

static void test_bad_values(void **state)
{
	BAD("invalid -c '0'", "-c", "0", "true");
	BAD("invalid -c '-1'", "-c", "-1", "true");
	BAD("invalid -c 'abc'", "-c", "abc", "true");
	BAD("invalid --count '3x'", "--count=3x", "true");
	BAD("invalid --failed-count '0'", "--failed-count", "0", "true");
	BAD("invalid --timeout '0'", "--timeout", "0", "true");
	BAD("invalid --timeout 'soon'", "--timeout", "soon", "true");
	BAD("invalid --snaplen '0'", "--snaplen", "0", "true");
	BAD("invalid --call-trace 'xml'", "--call-trace=xml", "true");
	BAD("invalid -e 'file'", "-e", "file", "true");
	BAD("invalid -e 'trace=frobnicate'", "-e", "trace=frobnicate", "true");
	BAD("invalid --trace 'frobnicate'", "--trace=frobnicate", "true");
	BAD("invalid --trace '': expected NAME", "--trace=", "true");
	BAD("needs a value", "true", "-c");
	BAD("unknown option '--frobnicate'", "--frobnicate", "true");
	BAD("unknown option '-q'", "-q", "true");
	BAD("takes no value", "--keep-all=yes", "true");
	BAD("empty command", "");
	BAD("empty command", "   ");
	BAD("no command given", "-c", "3");
	BAD("no command after --", "-c", "3", "--");
	BAD("unexpected argument 'b'", "a", "b");
}

static void test_help_version(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE("-h"), 0);
	assert_int_equal(cfg.mode, RT_MODE_HELP);
	assert_int_equal(PARSE("--version", "-v"), 0);
	assert_int_equal(cfg.mode, RT_MODE_VERSION);
	assert_true(cfg.verbose);
	assert_non_null(strstr(cli_usage, "Exit status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_then_options),
		cmocka_unit_test(test_options_then_argv),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_trace_flags),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_help_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
