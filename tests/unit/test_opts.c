// SPDX-License-Identifier: GPL-2.0-only
/* The one option parser (src/util/opts.c), and trace's use of it
 * (src/cmd/trace.c: strace's flags). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/trace.h"
#include "util/opts.h"

static int parse(struct trace_cfg *c, char *err, const char **args)
{
	static char *argv[32];
	int argc = 0;

	argv[argc++] = "trace";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return trace_parse(argc, argv, c, err, 256);
}

#define PARSE(...) parse(&c, err, (const char *[]){ __VA_ARGS__, NULL })

static void test_strace_flags(void **state)
{
	struct trace_cfg c;
	char err[256];

	assert_int_equal(PARSE("-f", "-tt", "-T", "-y", "-s64", "-o", "out.txt", "-e",
			       "trace=!%file,openat", "-Z", "ls", "-la"), 0);
	assert_int_equal(c.tmode, 2);
	assert_true(c.durations && c.fd_paths && c.failed_only);
	assert_int_equal(c.strsize, 64);
	assert_string_equal(c.output, "out.txt");
	assert_string_equal(c.filter, "!%file,openat");
	/* the command starts at the first word that is not an option */
	assert_string_equal(c.argv[0], "ls");
	assert_string_equal(c.argv[1], "-la");
	assert_int_equal(PARSE("-ttt", "-e", "status=failed", "-e", "openat", "--", "-x"), 0);
	assert_int_equal(c.tmode, 3);
	assert_true(c.failed_only);
	assert_string_equal(c.filter, "openat");
	assert_string_equal(c.argv[0], "-x");
	/* strace's long forms */
	assert_int_equal(PARSE("--trace=%net", "--status=failed", "-v", "-Xraw", "ls"), 0);
	assert_string_equal(c.filter, "%net");
	assert_true(c.failed_only && c.verbose && c.raw);
}

static void test_pids(void **state)
{
	struct trace_cfg c;
	char err[256];

	assert_int_equal(PARSE("-p", "4211,4300", "-p4400", "--attach=5"), 0);
	assert_int_equal(c.npids, 4);
	assert_int_equal(c.pids[0], 4211);
	assert_int_equal(c.pids[1], 4300);
	assert_int_equal(c.pids[2], 4400);
	assert_int_equal(c.pids[3], 5);
	assert_null(c.argv);
}

#define BAD(needle, ...) do {                                                 \
		struct trace_cfg c;                                           \
		char err[256] = "";                                           \
		assert_int_equal(parse(&c, err, (const char *[]){ __VA_ARGS__, NULL }), -EINVAL); \
		if (!strstr(err, needle))                                     \
			fail_msg("error '%s' does not contain '%s'", err, needle); \
	} while (0)

static void test_errors(void **state)
{
	BAD("nothing to trace", "-f");
	BAD("give one of", "-p", "1", "ls");
	BAD("give one of", "--cgroup", "/x", "-p", "1");
	BAD("invalid -p '0'", "-p", "0");
	BAD("invalid -p 'x'", "-p", "x");
	BAD("invalid -p ','", "-p", ",");
	BAD("invalid -s '9999'", "-s", "9999", "ls");
	BAD("invalid -e 'trace=nosuchcall'", "-e", "trace=nosuchcall", "ls");
	BAD("only status=failed", "-e", "status=successful", "ls");
	BAD("only failed is supported", "--status=successful", "ls");
	BAD("expected a set of syscalls", "--trace=trace=open", "ls");
	BAD("expected raw or abbrev", "-X", "verbose", "ls");
	BAD("invalid -e 'signal=all'", "-e", "signal=all", "ls");
	BAD("unknown option '-q'", "-q", "ls");
	BAD("do not go together", "-c", "-C", "ls");
	BAD("no command after --", "--");
	BAD("needs a value", "-o");
}

static void test_help(void **state)
{
	struct trace_cfg c;
	char err[256];

	assert_int_equal(PARSE("-h"), 0);
	assert_true(c.help);
	assert_non_null(strstr(trace_usage, "Exit status"));
}

/* The generic parser: clusters, =values, optional values, positionals. */
enum { A_FLAG, A_VAL, A_OPT };

struct seen {
	int flag, optn;
	const char *val, *opt;
};

static int apply(void *ctx, const struct opt_def *o, const char *name, const char *val,
		 char *err, size_t errlen)
{
	struct seen *s = ctx;

	if (o->id == A_FLAG)
		s->flag++;
	else if (o->id == A_VAL)
		s->val = val;
	else {
		s->opt = val;
		s->optn++;
	}
	return 0;
}

static void test_generic(void **state)
{
	static const struct opt_def defs[] = {
		{ "flag", 'f', OPT_NOARG, A_FLAG },
		{ "value", 'v', OPT_ARG, A_VAL },
		{ "opt", 0, OPT_OPTARG, A_OPT },
	};
	struct seen s = { 0 };
	struct opts_parser p = { defs, 3, apply, NULL, &s };
	char *argv[] = { "x", "-ffv3", "--opt", "--opt=y", "--flag", "cmd", "-f", NULL };
	char err[128];
	bool dd;
	int cmd;

	assert_int_equal(opts_parse(&p, 7, argv, 1, &cmd, &dd, err, sizeof(err)), 0);
	assert_int_equal(s.flag, 3);
	assert_string_equal(s.val, "3");
	assert_int_equal(s.optn, 2);
	assert_string_equal(s.opt, "y");
	assert_int_equal(cmd, 5);
	assert_false(dd);
	char *bad[] = { "x", "--flag=1", NULL };
	assert_int_equal(opts_parse(&p, 2, bad, 1, &cmd, &dd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "option '--flag' takes no value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strace_flags),
		cmocka_unit_test(test_pids),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_generic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
