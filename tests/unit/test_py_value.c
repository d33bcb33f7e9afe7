// SPDX-License-Identifier: GPL-2.0-only
/*
 * src/python/value.c: repr of floats, str and bytes, and of decoded
 * containers.  Oracle: Python itself (/usr/bin/python3, run by the test)
 * given the same values; cases where Python is not needed are checked
 * against the language's documented repr.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "python/value.h"

#define PYTHON "/usr/bin/python3"

/* Python's repr of each input line, through @prog reading stdin. */
static char **python_reprs(const char *prog, const char *input, size_t n)
{
	char path[] = "/tmp/rt-pyvalue-XXXXXX", cmd[4096], line[8192];
	char **out = calloc(n, sizeof(*out));
	size_t i = 0;
	FILE *f, *p;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(input, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), PYTHON " -c '%s' < %s", prog, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (i < n && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		out[i++] = strdup(line);
	}
	pclose(p);
	unlink(path);
	assert_int_equal(i, n);
	return out;
}

static void test_float_repr_python(void **state)
{
	enum { N = 400 };
	static double vals[N];
	struct strbuf in = {0};
	char **want;
	size_t i;

	if (access(PYTHON, X_OK))
		skip();
	srand(12345);
	for (i = 0; i < N; i++) {
		double d;

		switch (i % 5) {
		case 0: /* random bits: any double */
			{
				uint64_t b = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();

				memcpy(&d, &b, sizeof(d));
				if (isnan(d))
					d = 1.5;
			}
			break;
		case 1: /* decimal-looking values */
			d = (double)(rand() % 100000) / (double)(1 + rand() % 1000);
			break;
		case 2: /* around the fixed/exponent switch */
			{
				int e = rand() % 40 - 20;

				d = 1 + rand() % 9;
				for (; e > 0; e--)
					d *= 10;
				for (; e < 0; e++)
					d /= 10;
			}
			break;
		case 3:
			d = -(double)rand() * 1e-7;
			break;
		default:
			d = (double)(rand() % 1000) * 0.1;
			break;
		}
		vals[i] = d;
		strbuf_addf(&in, "%a\n", d);
	}
	want = python_reprs("import sys\nfor l in sys.stdin: print(repr(float.fromhex(l)))",
			    in.buf, N);
	for (i = 0; i < N; i++) {
		struct strbuf sb = {0};

		py_float_repr(vals[i], &sb);
		if (strcmp(sb.buf, want[i]))
			fail_msg("%a: ours %s, Python %s", vals[i], sb.buf, want[i]);
		strbuf_free(&sb);
		free(want[i]);
	}
	free(want);
	strbuf_free(&in);
}

static void check_float(double d, const char *want)
{
	struct strbuf sb = {0};

	py_float_repr(d, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_free(&sb);
}

static void test_float_repr_fixed(void **state)
{
	check_float(0.1, "0.1");
	check_float(1.0, "1.0");
	check_float(1e16, "1e+16");
	check_float(1e15, "1000000000000000.0");
	check_float(1e-5, "1e-05");
	check_float(0.0001, "0.0001");
	check_float(-0.0, "-0.0");
	check_float(INFINITY, "inf");
	check_float(-INFINITY, "-inf");
	check_float(NAN, "nan");
	check_float(1.5e300, "1.5e+300");
	check_float(123456.789, "123456.789");
}

/* str and bytes: code points / byte values as Python's repr shows them. */
static void test_str_bytes_repr_python(void **state)
{
	static const char *const strs[] = {
		"hello", "it's", "say \"hi\"", "both ' and \"", "tab\tnl\nret\r", "\x01\x1f\x7f",
		"back\\slash", "caf\xc3\xa9", "snow \xe2\x98\x83", "emoji \xf0\x9f\x98\x80",
		"nbsp\xc2\xa0", "c1 \xc2\x85", "ls \xe2\x80\xa8", "zwsp \xe2\x80\x8b", "bom \xef\xbb\xbf",
		"", "\xc2\xad", "\xe3\x80\x80", "\xef\xbf\xbd",
	};
	enum { NS = sizeof(strs) / sizeof(strs[0]) };
	struct strbuf in = {0};
	char **want;
	size_t i, j;

	if (access(PYTHON, X_OK))
		skip();
	/* one hex line per str: its UTF-8 bytes */
	for (i = 0; i < NS; i++) {
		for (j = 0; strs[i][j]; j++)
			strbuf_addf(&in, "%02x", (unsigned char)strs[i][j]);
		strbuf_addc(&in, '\n');
	}
	/* and the same bytes as bytes objects */
	for (i = 0; i < NS; i++) {
		for (j = 0; strs[i][j]; j++)
			strbuf_addf(&in, "%02x", (unsigned char)strs[i][j]);
		strbuf_addc(&in, '\n');
	}
	want = python_reprs("import sys\n"
			    "ls = sys.stdin.read().split(\"\\n\")\n"
			    "n = len(ls) // 2\n"
			    "for l in ls[:n]: print(repr(bytes.fromhex(l).decode()).encode().hex())\n"
			    "for l in ls[n:2*n]: print(repr(bytes.fromhex(l)).encode().hex())",
			    in.buf, 2 * NS);
	for (i = 0; i < 2 * NS; i++) {
		const char *s = strs[i % NS];
		struct strbuf sb = {0}, hex = {0};

		if (i < NS)
			py_str_repr(s, strlen(s), &sb);
		else
			py_bytes_repr((const unsigned char *)s, strlen(s), &sb);
		for (j = 0; j < sb.len; j++)
			strbuf_addf(&hex, "%02x", (unsigned char)sb.buf[j]);
		if (strcmp(hex.buf, want[i]))
			fail_msg("%s %zu: ours %s (%s), Python's hex %s", i < NS ? "str" : "bytes",
				 i % NS, sb.buf, hex.buf, want[i]);
		strbuf_free(&sb);
		strbuf_free(&hex);
		free(want[i]);
	}
	free(want);
	strbuf_free(&in);
}

static struct pyval *mk(enum pyval_kind k, const char *text)
{
	struct pyval *v = calloc(1, sizeof(*v));

	v->kind = k;
	if (text) {
		v->text = strdup(text);
		v->len = strlen(text);
	}
	return v;
}

static void push(struct pyval *c, struct pyval *key, struct pyval *val)
{
	c->items = realloc(c->items, (c->n + 1) * sizeof(*c->items));
	c->items[c->n].key = key;
	c->items[c->n].value = val;
	c->n++;
	c->total = c->n;
}

static void check_repr(const struct pyval *v, const char *want)
{
	struct strbuf sb = {0};

	pyval_repr(v, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_free(&sb);
}

static void test_container_repr(void **state)
{
	struct pyval *t = mk(PYV_TUPLE, NULL), *l = mk(PYV_LIST, NULL), *d = mk(PYV_DICT, NULL);
	struct pyval *s = mk(PYV_SET, NULL), *fs = mk(PYV_FROZENSET, NULL), *e;
	struct strbuf js = {0};

	check_repr(t, "()");
	push(t, NULL, mk(PYV_INT, "1"));
	check_repr(t, "(1,)");
	push(t, NULL, mk(PYV_STR, "a"));
	check_repr(t, "(1, 'a')");
	check_repr(s, "set()");
	check_repr(fs, "frozenset()");
	push(fs, NULL, mk(PYV_STR, "x"));
	check_repr(fs, "frozenset({'x'})");
	push(d, mk(PYV_STR, "k"), mk(PYV_NONE, NULL));
	push(l, NULL, d);
	push(l, NULL, t);
	l->total = 5;
	l->truncated = true;
	check_repr(l, "[{'k': None}, (1, 'a'), ...]");
	e = mk(PYV_EXCEPTION, NULL);
	e->type_name = strdup("ZeroDivisionError");
	push(e, NULL, mk(PYV_TUPLE, NULL));
	push(e->items[0].value, NULL, mk(PYV_STR, "division by zero"));
	check_repr(e, "ZeroDivisionError('division by zero')");
	push(e->items[0].value, NULL, mk(PYV_INT, "1"));
	check_repr(e, "ZeroDivisionError('division by zero', 1)");
	pyval_json(l, &js);
	assert_non_null(strstr(js.buf, "\"kind\":\"list\""));
	assert_non_null(strstr(js.buf, "\"truncated\":true"));
	strbuf_free(&js);
	pyval_free(l);
	pyval_free(s);
	pyval_free(fs);
	pyval_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_float_repr_python),
		cmocka_unit_test(test_float_repr_fixed),
		cmocka_unit_test(test_str_bytes_repr_python),
		cmocka_unit_test(test_container_repr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
