// SPDX-License-Identifier: GPL-2.0-only
/*
 * src/pystep/record.c: the value rules, heap ids kept from step to step,
 * the record's JSON.  Oracles: Python itself (/usr/bin/python3, run by the
 * test) for numbers as Willow's tracer writes them (json.dumps of x if
 * abs(x) < 2**53 else str(x)); Python's documented str() for the other
 * values; json-c reading back every JSON text written.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include <json-c/json.h>

#include "pystep/record.h"
#include "runtrace/python.h"

#define PYTHON "/usr/bin/python3"

/* ---- values ---- */

static struct ps_val value(const struct pyval *v, const struct py_type_info *t,
			   const struct py_type_info *as_type)
{
	struct ps_val out;

	assert_int_equal(ps_value_of(v, t, as_type, "__main__", &out), 0);
	return out;
}

static void check_str(const struct pyval *v, const struct py_type_info *t,
		      const struct py_type_info *as_type, enum ps_val_kind kind, const char *want,
		      size_t want_len)
{
	struct ps_val out = value(v, t, as_type);

	assert_int_equal(out.kind, kind);
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.text, want, want_len);
	ps_val_clear(&out);
}

#define CHECK(v, t, as, kind, want) check_str(v, t, as, kind, want, strlen(want))

static void test_scalars(void **state)
{
	struct pyval v;

	memset(&v, 0, sizeof(v));
	v.kind = PYV_NONE;
	CHECK(&v, NULL, NULL, PSV_STR, "None");
	v.kind = PYV_BOOL;
	v.b = true;
	CHECK(&v, NULL, NULL, PSV_STR, "True");
	v.b = false;
	CHECK(&v, NULL, NULL, PSV_STR, "False");
	/* str: the text itself, NULs included */
	v.kind = PYV_STR;
	v.text = "a\0b";
	v.len = 3;
	check_str(&v, NULL, NULL, PSV_STR, "a\0b", 3);
	v.text = "";
	v.len = 0;
	CHECK(&v, NULL, NULL, PSV_STR, "");
	/* complex: str() */
	v.kind = PYV_COMPLEX;
	v.text = NULL;
	v.f = 1;
	v.imag = -2;
	CHECK(&v, NULL, NULL, PSV_STR, "(1-2j)");
	v.f = 0;
	v.imag = 2;
	CHECK(&v, NULL, NULL, PSV_STR, "2j");
	/* int: a number below 2**53 in magnitude, else its decimal text */
	v.kind = PYV_INT;
	v.int_small = true;
	v.i = 42;
	CHECK(&v, NULL, NULL, PSV_NUM, "42");
	v.i = -(1ll << 53) + 1;
	CHECK(&v, NULL, NULL, PSV_NUM, "-9007199254740991");
	v.i = 1ll << 53;
	v.text = "9007199254740992";
	v.len = strlen(v.text);
	CHECK(&v, NULL, NULL, PSV_STR, "9007199254740992");
	v.int_small = false;
	v.text = "-123456789012345678901234567890";
	v.len = strlen(v.text);
	CHECK(&v, NULL, NULL, PSV_STR, "-123456789012345678901234567890");
}

/* Willow's numbers, as Python writes them, for doubles of every magnitude. */
static void test_floats_python(void **state)
{
	enum { N = 300 };
	static double vals[N];
	char path[] = "/tmp/rt-pystep-floats-XXXXXX", cmd[256], line[256];
	struct pyval v;
	FILE *f, *p;
	int fd, i;

	if (access(PYTHON, X_OK))
		skip();
	srand(4242);
	for (i = 0; i < N; i++) {
		double m = (double)rand() / RAND_MAX * 2 - 1;

		vals[i] = ldexp(m, rand() % 140 - 70);
	}
	vals[0] = 0.1;
	vals[1] = 1e16;
	vals[2] = -0.0;
	vals[3] = INFINITY;
	vals[4] = -INFINITY;
	vals[5] = NAN;
	vals[6] = 9007199254740992.0;
	vals[7] = 9007199254740991.0;
	vals[8] = 1e-5;
	vals[9] = 123456789.125;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < N; i++)
		fprintf(f, "%a\n", vals[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), PYTHON " -c 'import json,sys\n"
		 "for l in sys.stdin:\n"
		 " x = float.fromhex(l)\n"
		 " print(json.dumps(x if abs(x) < 2**53 else str(x)))' < %s", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	memset(&v, 0, sizeof(v));
	v.kind = PYV_FLOAT;
	for (i = 0; i < N && fgets(line, sizeof(line), p); i++) {
		struct ps_val out;
		bool quoted;

		line[strcspn(line, "\n")] = '\0';
		quoted = line[0] == '"';
		v.f = vals[i];
		out = value(&v, NULL, NULL);
		assert_int_equal(out.kind, quoted ? PSV_STR : PSV_NUM);
		if (quoted) {
			line[strlen(line) - 1] = '\0';
			assert_string_equal(out.text, line + 1);
		} else {
			assert_string_equal(out.text, line);
		}
		ps_val_clear(&out);
	}
	pclose(p);
	unlink(path);
	assert_int_equal(i, N);
}

static void test_classes(void **state)
{
	struct py_type_info type = { .name = "type", .flags = RT_TPFLAGS_TYPE_SUBCLASS };
	struct py_type_info intt = { .name = "int" };
	struct py_type_info point = { .name = "Point", .module = "__main__",
				      .qualname = "f.<locals>.Point", .heap = true };
	struct py_type_info od = { .name = "collections.OrderedDict" };
	struct py_type_info enummeta = { .name = "EnumType", .module = "enum", .heap = true };
	struct py_type_info color = { .name = "Color", .module = "__main__", .qualname = "Color",
				      .heap = true };
	struct pyval v;

	memset(&v, 0, sizeof(v));
	v.kind = PYV_TYPE;
	v.addr = 0x1000;
	CHECK(&v, &type, &intt, PSV_STR, "<class 'int'>");
	CHECK(&v, &type, &point, PSV_STR, "<class '__main__.f.<locals>.Point'>");
	CHECK(&v, &type, &od, PSV_STR, "<class 'collections.OrderedDict'>");
	CHECK(&v, &enummeta, &color, PSV_STR, "<enum 'Color'>");
}

static void test_objects(void **state)
{
	struct py_type_info list = { .name = "list", .kind = PYV_LIST,
				     .flags = RT_TPFLAGS_LIST_SUBCLASS };
	struct py_type_info pair = { .name = "Pair", .module = "__main__", .heap = true,
				     .kind = PYV_TUPLE, .flags = RT_TPFLAGS_TUPLE_SUBCLASS };
	struct py_type_info set = { .name = "set", .kind = PYV_SET };
	struct py_type_info fset = { .name = "frozenset", .kind = PYV_FROZENSET };
	struct py_type_info od = { .name = "collections.OrderedDict",
				   .flags = RT_TPFLAGS_DICT_SUBCLASS };
	struct py_type_info node = { .name = "Node", .module = "__main__", .qualname = "Node",
				     .heap = true, .kind = PYV_INSTANCE };
	struct py_type_info frac = { .name = "Fraction", .module = "fractions",
				     .qualname = "Fraction", .heap = true, .kind = PYV_INSTANCE };
	struct py_type_info func = { .name = "function", .kind = PYV_FUNCTION };
	struct pyval v;
	struct ps_val out;

	memset(&v, 0, sizeof(v));
	v.addr = 0xabc0;
	v.kind = PYV_CUT;
	out = value(&v, &list, NULL);
	assert_int_equal(out.kind, PSV_REF);
	assert_int_equal(out.cat, PS_LIST);
	assert_int_equal(out.addr, 0xabc0);
	out = value(&v, &pair, NULL);
	assert_int_equal(out.cat, PS_LIST);
	out = value(&v, &set, NULL);
	assert_int_equal(out.cat, PS_SET);
	out = value(&v, &od, NULL);
	assert_int_equal(out.kind, PSV_REF);
	assert_int_equal(out.cat, PS_MAP);
	assert_false(out.attrs);
	out = value(&v, &node, NULL);
	assert_int_equal(out.cat, PS_MAP);
	assert_true(out.attrs);
	/* anything else: str(type(obj)) */
	CHECK(&v, &fset, NULL, PSV_STR, "<class 'frozenset'>");
	CHECK(&v, &frac, NULL, PSV_STR, "<class 'fractions.Fraction'>");
	CHECK(&v, &func, NULL, PSV_STR, "<class 'function'>");
}

/* ---- heap ids ---- */

#define MAXOBJ 8

/* A heap for the test: objects by address. */
struct fake_obj {
	__u64 addr;
	const char *type;
	size_t n;
	struct { const char *key; __u64 ref; int num; } m[4]; /* ref 0: num */
};

struct fake_heap {
	struct fake_obj o[MAXOBJ];
	size_t n;
	int expands;
};

static struct ps_val ref_val(__u64 addr)
{
	struct ps_val v = { .kind = PSV_REF, .addr = addr, .cat = PS_LIST };

	return v;
}

static struct ps_val str_val(const char *s)
{
	struct ps_val v = { .kind = PSV_STR, .text = strdup(s), .len = strlen(s) };

	return v;
}

static struct ps_val num_val(int n)
{
	struct ps_val v = { .kind = PSV_NUM };

	assert_true(asprintf(&v.text, "%d", n) > 0);
	v.len = strlen(v.text);
	return v;
}

static int fake_expand(void *ctx, const struct ps_val *ref, struct ps_obj *out)
{
	struct fake_heap *h = ctx;
	size_t i, k;

	h->expands++;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < h->n; i++) {
		const struct fake_obj *o = &h->o[i];

		if (o->addr != ref->addr)
			continue;
		out->type = strdup(o->type);
		out->m = calloc(o->n ? o->n : 1, sizeof(*out->m));
		out->n = o->n;
		for (k = 0; k < o->n; k++) {
			out->m[k].key = o->m[k].key ? str_val(o->m[k].key) : num_val((int)k);
			out->m[k].value = o->m[k].ref ? ref_val(o->m[k].ref) : num_val(o->m[k].num);
		}
		return 0;
	}
	return -ENOENT;
}

/* One snapshot of a frame "<module>" whose members are refs to @addrs. */
static struct json_object *snapshot(struct ps_heap *heap, const char **names,
				    const __u64 *addrs, size_t n)
{
	struct ps_member m[8];
	struct ps_frame f = { .name = "<module>", .line = 3, .m = m, .n = n };
	struct strbuf sb = { 0 };
	struct json_object *j;
	size_t i;

	for (i = 0; i < n; i++) {
		m[i].key = str_val(names[i]);
		m[i].value = ref_val(addrs[i]);
	}
	assert_int_equal(ps_heap__snapshot(heap, "line", &f, 1, &sb), 0);
	j = json_tokener_parse(sb.buf);
	assert_non_null(j);
	for (i = 0; i < n; i++) {
		ps_val_clear(&m[i].key);
		ps_val_clear(&m[i].value);
	}
	strbuf_free(&sb);
	return j;
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[128], *tok, *save = NULL;
	struct json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(cur, json_type_array))
			cur = json_object_array_get_idx(cur, atoi(tok));
		else if (!json_object_object_get_ex(cur, tok, &cur))
			return NULL;
		assert_non_null(cur);
	}
	return cur;
}

/* The id a frame member refers to. */
static int member_id(struct json_object *snap, int i)
{
	char path[64];

	snprintf(path, sizeof(path), "stack.0.members.%d.value.0", i);
	return json_object_get_int(get(snap, path));
}

static void test_heap_ids(void **state)
{
	struct fake_heap fh = {
		.o = {
			{ .addr = 0xa0, .type = "list", .n = 2, .m = { { NULL, 0, 7 }, { NULL, 0xb0, 0 } } },
			{ .addr = 0xb0, .type = "Node", .n = 2,
			  .m = { { "value", 0, 1 }, { "next", 0xa0, 0 } } },
			{ .addr = 0xc0, .type = "tuple", .n = 0 },
			{ .addr = 0xd0, .type = "list", .n = 1, .m = { { NULL, 0xd0, 0 } } },
		},
		.n = 4,
	};
	struct ps_heap *heap = ps_heap__new(fake_expand, &fh, 100);
	const char *names[] = { "xs", "alias", "t" };
	__u64 s1[] = { 0xa0, 0xa0 }, s2[] = { 0xc0, 0xb0 }, s3[] = { 0xc0 }, s4[] = { 0xb0 },
	      s5[] = { 0xd0 };
	struct json_object *j;

	assert_non_null(heap);
	/* the first snapshot: ids in the order met, depth first; one object
	 * met twice is one heap entry, expanded once */
	j = snapshot(heap, names, s1, 2);
	assert_int_equal(member_id(j, 0), 0);
	assert_int_equal(member_id(j, 1), 0);
	assert_int_equal(json_object_object_length(get(j, "heap")), 2);
	assert_int_equal(fh.expands, 2);
	assert_string_equal(json_object_get_string(get(j, "heap.0.type")), "list");
	assert_string_equal(json_object_get_string(get(j, "heap.0.category")), "list");
	assert_int_equal(json_object_get_int(get(j, "heap.0.members.0.value")), 7);
	assert_int_equal(json_object_get_int(get(j, "heap.0.members.1.value.0")), 1);
	assert_int_equal(json_object_get_int(get(j, "heap.1.id")), 1);
	assert_string_equal(json_object_get_string(get(j, "heap.1.members.0.key")), "value");
	/* a cycle: xs -> node -> xs ends at the id */
	assert_int_equal(json_object_get_int(get(j, "heap.1.members.1.value.0")), 0);
	json_object_put(j);
	/* the next: 0xb0 keeps its id, 0xc0 is new */
	j = snapshot(heap, names, s2, 2);
	assert_int_equal(member_id(j, 0), 2);
	assert_int_equal(member_id(j, 1), 1);
	/* 0xa0 is met again through 0xb0: it keeps id 0 */
	assert_int_equal(json_object_get_int(get(j, "heap.1.members.1.value.0")), 0);
	json_object_put(j);
	/* an object absent for a step gets a new id (the previous step's ids
	 * only, as Willow's tracer) */
	j = snapshot(heap, names, s3, 1);
	assert_int_equal(member_id(j, 0), 2);
	json_object_put(j);
	j = snapshot(heap, names, s4, 1);
	assert_int_equal(member_id(j, 0), 3);
	json_object_put(j);
	/* a list holding itself */
	j = snapshot(heap, names, s5, 1);
	assert_int_equal(member_id(j, 0), 5);
	assert_int_equal(json_object_get_int(get(j, "heap.5.members.0.value.0")), 5);
	json_object_put(j);
	ps_heap__free(heap);
}

static void test_heap_limit(void **state)
{
	struct fake_heap fh = {
		.o = {
			{ .addr = 0xa0, .type = "list", .n = 1, .m = { { NULL, 0xb0, 0 } } },
			{ .addr = 0xb0, .type = "list", .n = 0 },
		},
		.n = 2,
	};
	struct ps_heap *heap = ps_heap__new(fake_expand, &fh, 1);
	const char *names[] = { "xs" };
	__u64 s1[] = { 0xa0 };
	struct json_object *j;

	j = snapshot(heap, names, s1, 1);
	assert_int_equal(json_object_object_length(get(j, "heap")), 1);
	assert_string_equal(json_object_get_string(get(j, "heap.0.members.0.value")), "<...>");
	json_object_put(j);
	ps_heap__free(heap);
}

/* ---- the record ---- */

static void test_record_json(void **state)
{
	struct strbuf sb = { 0 };
	struct json_object *j, *steps;
	const char *snap = "{\"event\":\"line\",\"stack\":[],\"heap\":{}}";

	ps_record_begin(&sb);
	ps_record_step(&sb, true, snap, strlen(snap), "hi\n\"x\"", 7);
	ps_record_step(&sb, false, snap, strlen(snap), NULL, 0);
	ps_record_exception(&sb, false, "ValueError", "Traceback...\nValueError: \xc3\xa9\n", 29,
			    "", 0);
	ps_record_end(&sb);
	j = json_tokener_parse(sb.buf);
	assert_non_null(j);
	steps = get(j, "steps");
	assert_int_equal(json_object_array_length(steps), 3);
	assert_string_equal(json_object_get_string(get(j, "steps.0.print")), "hi\n\"x\"");
	assert_string_equal(json_object_get_string(get(j, "steps.1.snapshot.event")), "line");
	assert_string_equal(json_object_get_string(get(j, "steps.1.print")), "");
	assert_string_equal(json_object_get_string(get(j, "steps.2.error.exception.type")),
			    "ValueError");
	assert_string_equal(json_object_get_string(get(j, "steps.2.error.exception.traceback")),
			    "Traceback...\nValueError: \xc3\xa9\n");
	json_object_put(j);
	strbuf_reset(&sb);
	ps_record_begin(&sb);
	ps_record_cause(&sb, true, "Program too long, maximum steps allowed: 7", "x", 1);
	ps_record_end(&sb);
	j = json_tokener_parse(sb.buf);
	assert_non_null(j);
	assert_string_equal(json_object_get_string(get(j, "steps.0.error.cause")),
			    "Program too long, maximum steps allowed: 7");
	json_object_put(j);
	strbuf_free(&sb);
}

static void test_exception_name(void **state)
{
	char name[64];
	const char *tb;

	tb = "Traceback (most recent call last):\n  File \"/tmp/main.py\", line 1\nValueError: x: y\n";
	ps_exception_name(tb, strlen(tb), name, sizeof(name));
	assert_string_equal(name, "ValueError");
	tb = "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n";
	ps_exception_name(tb, strlen(tb), name, sizeof(name));
	assert_string_equal(name, "JSONDecodeError");
	tb = "  File \"/tmp/main.py\", line 1\n    x = (\n        ^\nSyntaxError: '(' was never closed\n";
	ps_exception_name(tb, strlen(tb), name, sizeof(name));
	assert_string_equal(name, "SyntaxError");
	tb = "KeyboardInterrupt\n";
	ps_exception_name(tb, strlen(tb), name, sizeof(name));
	assert_string_equal(name, "KeyboardInterrupt");
	tb = "something else happened\n";
	ps_exception_name(tb, strlen(tb), name, sizeof(name));
	assert_string_equal(name, "");
	ps_exception_name("", 0, name, sizeof(name));
	assert_string_equal(name, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_floats_python),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_heap_ids),
		cmocka_unit_test(test_heap_limit),
		cmocka_unit_test(test_record_json),
		cmocka_unit_test(test_exception_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
