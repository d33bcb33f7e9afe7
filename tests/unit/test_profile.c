// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace profile's pure core: function names and their matching to
 * code objects, slots, the statistics (error figure), the table and JSON,
 * intervals, and the prompt's command parser.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "profile/funcs.h"
#include "profile/native.h"
#include "profile/prompt.h"
#include "profile/report.h"

/* ---- function names ---- */

static void test_spec_kinds(void **state)
{
	struct pf_spec s;
	char err[128];

	assert_int_equal(pf_spec_parse("heavy_computation", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PF_ANY);
	assert_string_equal(s.name, "heavy_computation");
	pf_spec_free(&s);

	assert_int_equal(pf_spec_parse("app/jobs.py:Runner.run", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PF_PYFILE);
	assert_string_equal(s.file, "app/jobs.py");
	assert_string_equal(s.name, "Runner.run");
	pf_spec_free(&s);

	assert_int_equal(pf_spec_parse("libz.so:deflate", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PF_NATIVE);
	assert_string_equal(s.text, "libz.so:deflate");
	pf_spec_free(&s);

	/* a C++ name: "::" is not the module separator */
	assert_int_equal(pf_spec_parse("ns::Klass::method", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PF_ANY);
	pf_spec_free(&s);
	assert_int_equal(pf_spec_parse("libfoo.so:ns::Klass::method", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PF_NATIVE);
	pf_spec_free(&s);
}

static void test_spec_bad(void **state)
{
	const char *bad[] = { "", ":func", "file.py:", "a b", "a,b", ".func", "mod.", "a..b" };
	struct pf_spec s;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(pf_spec_parse(bad[i], &s, err, sizeof(err)), -EINVAL);
		assert_true(err[0]);
	}
}

static bool matches(const char *spec, const char *name, const char *qualname,
		    const char *filename, const char *module)
{
	struct pf_pycode c = { name, qualname, filename, module };
	struct pf_spec s;
	char err[128];
	bool m;

	assert_int_equal(pf_spec_parse(spec, &s, err, sizeof(err)), 0);
	m = pf_spec_matches_py(&s, &c);
	pf_spec_free(&s);
	return m;
}

static void test_spec_matching(void **state)
{
	const char *f = "/srv/app/jobs.py";

	/* func: any function or method of that name */
	assert_true(matches("run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("disk_io", "disk_io", "disk_io", f, "__main__"));
	assert_false(matches("disk", "disk_io", "disk_io", f, "__main__"));
	assert_true(matches("inner", "inner", "outer.<locals>.inner", f, "app.jobs"));
	/* Class.method, module.func, module.Class.method */
	assert_true(matches("Runner.run", "run", "Runner.run", f, "app.jobs"));
	assert_false(matches("Other.run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("jobs.Runner.run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("app.jobs.Runner.run", "run", "Runner.run", f, "app.jobs"));
	assert_false(matches("pp.jobs.Runner.run", "run", "Runner.run", f, "app.jobs"));
	assert_false(matches("Runner", "run", "Runner.run", f, "app.jobs"));
	/* a script: __main__, or its file's name */
	assert_true(matches("__main__.main", "main", "main", "/tmp/main.py", "__main__"));
	assert_true(matches("main.heavy", "heavy", "heavy", "/tmp/main.py", "__main__"));
	assert_false(matches("other.heavy", "heavy", "heavy", "/tmp/main.py", "__main__"));
	/* nested functions with or without <locals> */
	assert_true(matches("outer.inner", "inner", "outer.<locals>.inner", f, "m"));
	assert_true(matches("outer.<locals>.inner", "inner", "outer.<locals>.inner", f, "m"));
	/* file.py:func: the file's last path components */
	assert_true(matches("jobs.py:Runner.run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("app/jobs.py:run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("/srv/app/jobs.py:run", "run", "Runner.run", f, "app.jobs"));
	assert_true(matches("./jobs.py:run", "run", "Runner.run", f, "app.jobs"));
	assert_false(matches("obs.py:run", "run", "Runner.run", f, "app.jobs"));
	assert_false(matches("other.py:run", "run", "Runner.run", f, "app.jobs"));
	/* a native name never matches Python code */
	assert_false(matches("libc.so:run", "run", "run", f, "m"));
	/* module unknown: the file's name still serves */
	assert_true(matches("jobs.run", "run", "run", f, NULL));
}

static void test_funcs_slots(void **state)
{
	struct pf_funcs fs = { .n = 0 };
	struct pf_pycode c = { "run", "Runner.run", "/a/jobs.py", "jobs" };
	char err[128], name[32];
	unsigned slot;
	bool added;
	int i;

	assert_int_equal(pf_funcs_add(&fs, "a", &added, err, sizeof(err)), 0);
	assert_true(added);
	assert_int_equal(pf_funcs_add(&fs, "run", &added, err, sizeof(err)), 0);
	assert_int_equal(pf_funcs_add(&fs, "Runner.run", &added, err, sizeof(err)), 0);
	assert_int_equal(pf_funcs_add(&fs, "run", &added, err, sizeof(err)), 0);
	assert_false(added); /* already there */
	assert_int_equal(fs.n, 3);
	assert_int_equal(pf_funcs_find(&fs, "run")->slot, 1);
	/* one code object, two of the names */
	assert_int_equal(pf_funcs_py_mask(&fs, &c), (1ull << 1) | (1ull << 2));
	/* remove frees the slot; the next name takes the lowest free one */
	assert_int_equal(pf_funcs_remove(&fs, "run", &slot), 0);
	assert_int_equal(slot, 1);
	assert_int_equal(pf_funcs_remove(&fs, "run", &slot), -ENOENT);
	assert_int_equal(pf_funcs_py_mask(&fs, &c), 1ull << 2);
	assert_int_equal(pf_funcs_add(&fs, "b", &added, err, sizeof(err)), 0);
	assert_int_equal(pf_funcs_find(&fs, "b")->slot, 1);
	/* a bad name is not added */
	assert_int_equal(pf_funcs_add(&fs, "bad name", &added, err, sizeof(err)), -EINVAL);
	assert_int_equal(fs.n, 3);
	/* native names are left to the symbol tables */
	assert_int_equal(pf_funcs_add(&fs, "libc.so:write", &added, err, sizeof(err)), 0);
	assert_true(pf_funcs_find(&fs, "libc.so:write")->native);
	/* at most RT_PROFILE_SLOTS */
	for (i = 0; fs.n < RT_PROFILE_SLOTS; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(pf_funcs_add(&fs, name, &added, err, sizeof(err)), 0);
	}
	assert_int_equal(pf_funcs_add(&fs, "one_more", &added, err, sizeof(err)), -ENOSPC);
	pf_funcs_clear(&fs);
	assert_int_equal(fs.n, 0);
}

/* ---- native stacks from userspace ---- */

static void test_syscall_file(void **state)
{
	__u64 sp = 0, pc = 0;

	assert_int_equal(pf_parse_syscall_file("230 0x0 0x0 0x7fffab8e92d0 0x7fffab8e9310 0x0 0x0 "
					       "0x7fffab8e92b8 0x7f2c8e2d1503\n", &sp, &pc), 0);
	assert_int_equal(sp, 0x7fffab8e92b8ull);
	assert_int_equal(pc, 0x7f2c8e2d1503ull);
	assert_int_equal(pf_parse_syscall_file("running\n", &sp, &pc), -EAGAIN);
	assert_int_equal(pf_parse_syscall_file("-1 0x7ffd0 0x401000\n", &sp, &pc), -EAGAIN);
	assert_int_equal(pf_parse_syscall_file("", &sp, &pc), -EINVAL);
	assert_int_equal(pf_parse_syscall_file("7 0x1 0x2\n", &sp, &pc), -EINVAL);
}

/* A fake text segment: a call rel32 ending just before 0x1010 and
 * 0x2010, no call before 0x1020. */
static int fake_read8(void *ctx, __u64 addr, __u8 out[8])
{
	static const __u8 call[8] = { 0x90, 0x90, 0x90, 0xe8, 0x10, 0x20, 0x30, 0x40 };
	static const __u8 none[8] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };

	(*(int *)ctx)++;
	if (addr == 0x1010 || addr == 0x2010) {
		memcpy(out, call, 8);
		return 0;
	}
	if (addr == 0x1020) {
		memcpy(out, none, 8);
		return 0;
	}
	return -EFAULT;
}

static void test_native_mask(void **state)
{
	struct pf_funcs fs = { .n = 0 };
	char err[128];
	bool added;
	int reads = 0;
	__u64 w[4] = { 0x1020, 0x1000, 0x2010, 0x9999 };

	assert_int_equal(pf_funcs_add(&fs, "app:f", &added, err, sizeof(err)), 0);
	assert_int_equal(pf_funcs_add(&fs, "app:g", &added, err, sizeof(err)), 0);
	assert_int_equal(pf_funcs_add(&fs, "app:h", &added, err, sizeof(err)), 0);
	fs.v[0].resolved = fs.v[1].resolved = true;  /* h: not found: never matches */
	fs.v[0].start = 0x1000;
	fs.v[0].end = 0x10ff;
	fs.v[1].start = 0x2000;
	fs.v[1].end = 0x20ff;
	fs.v[2].start = 0x0;
	fs.v[2].end = 0xffff;
	/* the pc inside f */
	assert_int_equal(pf_native_mask(&fs, 0x1050, NULL, 0, fake_read8, &reads), 1);
	/* a return address into g among the words; 0x1020 (no call before
	 * it) and 0x1000 (f's first byte: a function pointer) are not */
	w[2] = 0x5555;
	assert_int_equal(pf_native_mask(&fs, 0x7000, w, 4, fake_read8, &reads), 0);
	w[2] = 0x2010;
	assert_int_equal(pf_native_mask(&fs, 0x7000, w, 4, fake_read8, &reads), 2);
	w[0] = 0x1010;
	assert_int_equal(pf_native_mask(&fs, 0x7000, w, 4, fake_read8, &reads), 3);
	pf_funcs_clear(&fs);
}

/* ---- statistics, table, JSON ---- */

static void test_error_figure(void **state)
{
	/* 400 samples of 2 ms: 0.8 s +- sqrt(400) * 2 ms = 40 ms */
	struct pf_totals t = { .on_ns = 800000000ull, .on_samples = 400, .off_ns = 1200000000ull,
			       .off_count = 3 };
	struct pf_totals u = { 0 };

	assert_int_equal(pf_total_ns(&t), 2000000000ull);
	assert_true(fabs(pf_error_ns(&t) - sqrt(400) * 2e6) < 1);
	/* periods that changed: the mean one */
	u.on_ns = 100 * 1000000ull + 100 * 5000000ull;
	u.on_samples = 200;
	assert_true(fabs(pf_error_ns(&u) - sqrt(200) * 3e6) < 1);
	/* measured off CPU only: no sampling error */
	u = (struct pf_totals){ .off_ns = 5, .off_count = 1 };
	assert_true(pf_error_ns(&u) == 0);
	pf_totals_add(&u, &t);
	assert_int_equal(u.on_samples, 400);
	assert_int_equal(u.off_ns, 1200000005ull);
}

static void test_fmt_time(void **state)
{
	char b[32];

	assert_string_equal(pf_fmt_time(2180000000ull, b, sizeof(b)), "2.18 s");
	assert_string_equal(pf_fmt_time(35240000ull, b, sizeof(b)), "35.2 ms");
	assert_string_equal(pf_fmt_time(120000ull, b, sizeof(b)), "120 us");
	assert_string_equal(pf_fmt_time(0, b, sizeof(b)), "0 us");
}

/* Display columns of a UTF-8 line. */
static size_t cols(const char *s, size_t len)
{
	size_t w = 0, i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* The lines of @text (NUL-separated in place), at most @max. */
static size_t lines_of(char *text, char **out, size_t max)
{
	size_t n = 0;
	char *p = text, *nl;

	while (*p && n < max && (nl = strchr(p, '\n'))) {
		*nl = 0;
		out[n++] = p;
		p = nl + 1;
	}
	return n;
}

static const struct pf_row ROWS[] = {
	{ "disk_io", false, { 300000000ull, 150, 1710000000ull, 900 } },
	{ "parse_rows", false, { 0, 0, 0, 0 } },
	{ "heavy_computation", false, { 2170000000ull, 1085, 10000000ull, 5 } },
	{ "libz.so:deflate", true, { 0, 0, 4000000ull, 2 } },
};

static void check_table(bool utf8)
{
	struct strbuf sb = { 0 };
	char *l[16] = { 0 };
	size_t n, i, w;

	pf_table(&sb, ROWS, 4, utf8);
	n = lines_of(sb.buf, l, 16);
	/* top, head, rule, 4 rows, bottom */
	assert_int_equal(n, 8);
	w = cols(l[0], strlen(l[0]));
	for (i = 1; i < n; i++)
		assert_int_equal(cols(l[i], strlen(l[i])), w); /* every line as wide */
	assert_non_null(strstr(l[1], "Function Name"));
	assert_non_null(strstr(l[1], "Approximate execution time"));
	/* the longest time first, no data last */
	assert_non_null(strstr(l[3], "heavy_computation"));
	assert_non_null(strstr(l[3], utf8 ? "2.18 s \u00b1 0.07" : "2.18 s +- 0.07"));
	assert_non_null(strstr(l[3], "2.17 s"));
	assert_non_null(strstr(l[3], "1090"));
	assert_non_null(strstr(l[4], "disk_io"));
	assert_non_null(strstr(l[4], "2.01 s"));
	assert_non_null(strstr(l[4], "0.30 s"));
	assert_non_null(strstr(l[4], "1.71 s"));
	assert_non_null(strstr(l[5], "libz.so:deflate"));
	assert_non_null(strstr(l[5], "4.0 ms"));
	assert_non_null(strstr(l[6], "parse_rows"));
	assert_non_null(strstr(l[6], "No Data Available"));
	if (utf8) {
		assert_true(!strncmp(l[0], "\u256d", 3));
		assert_true(!strncmp(l[7], "\u2570", 3));
	} else {
		for (i = 0; i < n; i++)
			for (w = 0; l[i][w]; w++)
				assert_true((unsigned char)l[i][w] < 0x80);
		assert_true(l[0][0] == '+' && l[1][0] == '|');
	}
	strbuf_free(&sb);
}

static void test_table_ascii(void **state)
{
	check_table(false);
}

static void test_table_utf8(void **state)
{
	check_table(true);
}

static void test_json(void **state)
{
	struct pf_report_meta m = { .pid = 4211, .state = "running", .interval_ns = 2000000,
				    .profiled_ns = 3500000000ull, .samples = 1700,
				    .cpu_ns = 3400000000ull, .lost = 2 };
	struct strbuf sb = { 0 };
	struct json_object *o, *fs, *f, *v;

	pf_json(&sb, ROWS, 4, &m);
	o = json_tokener_parse(sb.buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "pid", &v) && json_object_get_int(v) == 4211);
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "running");
	assert_true(json_object_object_get_ex(o, "interval_ms", &v) &&
		    fabs(json_object_get_double(v) - 2) < 1e-9);
	assert_true(json_object_object_get_ex(o, "lost", &v) && json_object_get_int(v) == 2);
	assert_true(json_object_object_get_ex(o, "cpu_s", &v) &&
		    fabs(json_object_get_double(v) - 3.4) < 1e-9);
	assert_true(json_object_object_get_ex(o, "functions", &fs));
	assert_int_equal(json_object_array_length(fs), 4);
	/* in the order asked */
	f = json_object_array_get_idx(fs, 0);
	assert_true(json_object_object_get_ex(f, "name", &v));
	assert_string_equal(json_object_get_string(v), "disk_io");
	assert_true(json_object_object_get_ex(f, "time_s", &v) &&
		    fabs(json_object_get_double(v) - 2.01) < 1e-9);
	assert_true(json_object_object_get_ex(f, "error_s", &v) &&
		    fabs(json_object_get_double(v) - sqrt(150) * 0.002) < 1e-6);
	assert_true(json_object_object_get_ex(f, "off_cpu_intervals", &v) &&
		    json_object_get_int(v) == 900);
	f = json_object_array_get_idx(fs, 3);
	assert_true(json_object_object_get_ex(f, "kind", &v));
	assert_string_equal(json_object_get_string(v), "native");
	json_object_put(o);
	strbuf_free(&sb);
}

static void test_interval(void **state)
{
	char err[128];
	__u64 ns;

	assert_int_equal(pf_parse_interval("5ms", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 5000000);
	assert_int_equal(pf_parse_interval("500us", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 500000);
	assert_int_equal(pf_parse_interval("0.01s", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 10000000);
	assert_int_equal(pf_parse_interval("2", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 2000000);
	assert_int_equal(pf_parse_interval("2500000ns", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 2500000);
	assert_int_equal(pf_parse_interval("10us", &ns, err, sizeof(err)), -EINVAL);
	assert_int_equal(pf_parse_interval("2s", &ns, err, sizeof(err)), -EINVAL);
	assert_int_equal(pf_parse_interval("fast", &ns, err, sizeof(err)), -EINVAL);
	assert_int_equal(pf_parse_interval("5 ms", &ns, err, sizeof(err)), -EINVAL);
	assert_int_equal(pf_parse_interval("-5ms", &ns, err, sizeof(err)), -EINVAL);
}

/* ---- the prompt ---- */

static void test_prompt_commands(void **state)
{
	static const struct {
		const char *line;
		enum pf_cmd_kind kind;
	} simple[] = {
		{ "", PF_CMD_NONE },        { "   ", PF_CMD_NONE },      { "# note", PF_CMD_NONE },
		{ "stop", PF_CMD_STOP },    { "results", PF_CMD_RESULTS }, { "status", PF_CMD_STATUS },
		{ "help", PF_CMD_HELP },    { "?", PF_CMD_HELP },         { "exit", PF_CMD_EXIT },
		{ "quit", PF_CMD_EXIT },    { "  start  ", PF_CMD_START },
	};
	struct pf_cmd c;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		assert_int_equal(pf_cmd_parse(simple[i].line, &c, err, sizeof(err)), 0);
		assert_int_equal(c.kind, simple[i].kind);
		pf_cmd_free(&c);
	}
	assert_int_equal(pf_cmd_parse("start -p 4211 -f a b,c -t 5ms\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, PF_CMD_START);
	assert_int_equal(c.pid, 4211);
	assert_int_equal(c.nfuncs, 3);
	assert_string_equal(c.funcs[0], "a");
	assert_string_equal(c.funcs[1], "b");
	assert_string_equal(c.funcs[2], "c");
	assert_int_equal(c.interval_ns, 5000000);
	pf_cmd_free(&c);
	assert_int_equal(pf_cmd_parse("add -f parse_rows mod.Class.m", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, PF_CMD_ADD);
	assert_int_equal(c.nfuncs, 2);
	assert_string_equal(c.funcs[1], "mod.Class.m");
	pf_cmd_free(&c);
	assert_int_equal(pf_cmd_parse("remove --function network_request", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, PF_CMD_REMOVE);
	assert_int_equal(c.nfuncs, 1);
	pf_cmd_free(&c);
	assert_int_equal(pf_cmd_parse("interval 500us", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, PF_CMD_INTERVAL);
	assert_int_equal(c.interval_ns, 500000);
	pf_cmd_free(&c);
}

static void test_prompt_errors(void **state)
{
	const char *bad[] = {
		"frobnicate", "start -p", "start -p abc", "start -p -4", "start -t", "start -t 1h",
		"add", "add -f", "remove parse_rows", "add -p 3 -f x", "interval", "interval 5ms 6ms",
		"interval soon", "stop now", "results please", "start stray",
	};
	struct pf_cmd c;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (pf_cmd_parse(bad[i], &c, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(err[0]);
		assert_null(strchr(err, '\n')); /* one line */
		assert_int_equal(c.nfuncs, 0);
	}
	assert_int_equal(pf_cmd_parse("frobnicate", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_kinds),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_spec_matching),
		cmocka_unit_test(test_funcs_slots),
		cmocka_unit_test(test_syscall_file),
		cmocka_unit_test(test_native_mask),
		cmocka_unit_test(test_error_figure),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_table_ascii),
		cmocka_unit_test(test_table_utf8),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_prompt_commands),
		cmocka_unit_test(test_prompt_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
