// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPython reader on memory images of real processes (tools/py-capture:
 * tools/py-capture.d/target.py under Debian's python3.11, pyenv 3.11.7
 * and 3.12.1), no live process needed.  Oracle: what the program wrote down
 * about itself just before it stopped (its threads' ids, every frame's
 * name, qualname, file, line and module, the bound locals, repr() and
 * id() of the leaf function's locals, the attributes of two instances).
 *
 * argv: DATA_DIR FIXTURE...  (FIXTURE: name of NAME.img + NAME.json)
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "python/layout.h"
#include "python/reader.h"
#include "python/snapshot.h"

/* The limits tests/workloads/pyread used when it recorded the images: a
 * replay reads the same ranges. */
static const struct pyval_limits LIM = {.depth = 8, .items = 64, .str_len = 1000};

static const char *data_dir;

struct fixture {
	struct json_object *doc, *oracle;
	struct memreader *mem;
	struct pyreader *r;
};

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("oracle: no \"%s\"", key);
	return v;
}

static const char *gets(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

static int setup(void **state, const char *name)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4096];
	const struct rt_py_offsets *off;
	struct json_object *meta;

	snprintf(path, sizeof(path), "%s/%s.json", data_dir, name);
	f->doc = json_object_from_file(path);
	assert_non_null(f->doc);
	f->oracle = get(f->doc, "oracle");
	meta = get(f->doc, "meta");
	off = pylayout_find((__u32)json_object_get_int64(get(meta, "version_hex")));
	assert_non_null(off);
	/* the version the ELF said (Py_Version) is the one the program runs */
	assert_int_equal(json_object_get_int64(get(meta, "version_hex")),
			 json_object_get_int64(get(f->oracle, "hexversion")));
	snprintf(path, sizeof(path), "%s/%s.img", data_dir, name);
	f->mem = memreader__load_image(path);
	assert_non_null(f->mem);
	f->r = pyreader__new(f->mem, off, json_object_get_uint64(get(meta, "runtime_addr")));
	assert_non_null(f->r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pyreader__free(f->r);
	memreader__free(f->mem);
	json_object_put(f->doc);
	free(f);
	return 0;
}

static struct json_object *oracle_thread(struct fixture *f, __u64 ident)
{
	struct json_object *ts = get(f->oracle, "threads");
	size_t i;

	for (i = 0; i < json_object_array_length(ts); i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);

		if ((__u64)json_object_get_uint64(get(t, "ident")) == ident)
			return t;
	}
	return NULL;
}

/* Threads, stacks and bound locals of every frame. */
static void test_threads_and_stacks(void **state)
{
	struct fixture *f = *state;
	struct py_thread *th;
	size_t nth, i, j, k;

	assert_int_equal(pyreader__threads(f->r, &th, &nth), 0);
	assert_int_equal(nth, json_object_array_length(get(f->oracle, "threads")));
	for (i = 0; i < nth; i++) {
		struct json_object *ot = oracle_thread(f, th[i].thread_id), *ofr;
		struct py_frame *fr;
		size_t nfr;

		if (!ot)
			fail_msg("thread %" PRIu64 " is not in the oracle", (uint64_t)th[i].thread_id);
		assert_int_equal(th[i].native_thread_id, json_object_get_uint64(get(ot, "native_id")));
		ofr = get(ot, "frames");
		assert_int_equal(pyreader__stack(f->r, th[i].frame, 128, &fr, &nfr), 0);
		assert_int_equal(nfr, json_object_array_length(ofr));
		for (j = 0; j < nfr; j++) {
			struct json_object *o = json_object_array_get_idx(ofr, j), *bound;
			struct py_local *loc;
			size_t nloc;

			assert_string_equal(fr[j].code->name, gets(o, "name"));
			assert_string_equal(fr[j].code->qualname, gets(o, "qualname"));
			assert_string_equal(fr[j].code->filename, gets(o, "file"));
			assert_int_equal(fr[j].line, json_object_get_int(get(o, "line")));
			assert_int_equal(fr[j].code->firstlineno, json_object_get_int(get(o, "firstlineno")));
			assert_string_equal(pyreader__module_of(f->r, &fr[j]), gets(o, "module"));
			if (!strcmp(fr[j].code->name, "<module>"))
				continue; /* its f_locals are the globals, not fast locals */
			/* the bound locals, cells and free variables included */
			assert_int_equal(pyreader__locals(f->r, &fr[j], &LIM, &loc, &nloc), 0);
			bound = get(o, "bound");
			assert_int_equal(nloc, json_object_array_length(bound));
			for (k = 0; k < json_object_array_length(bound); k++) {
				const char *want = json_object_get_string(json_object_array_get_idx(bound, k));
				size_t m;

				for (m = 0; m < nloc && strcmp(loc[m].name, want); m++)
					;
				if (m == nloc)
					fail_msg("%s: local %s not read", fr[j].code->qualname, want);
			}
			py_locals_free(loc, nloc);
		}
		free(fr);
	}
	free(th);
}

/* The leaf frame: the main thread's newest one. */
static void leaf_frame(struct fixture *f, struct py_frame *out)
{
	struct py_thread *th;
	size_t nth, i;
	__u64 pid = json_object_get_uint64(get(f->oracle, "pid"));

	assert_int_equal(pyreader__threads(f->r, &th, &nth), 0);
	for (i = 0; i < nth && th[i].native_thread_id != pid; i++)
		;
	assert_true(i < nth);
	assert_int_equal(pyreader__frame(f->r, th[i].frame, out), 0);
	assert_string_equal(out->code->name, "leaf");
	free(th);
}

/* repr() and id() of every local of the leaf, as Python gave them. */
static void test_leaf_locals_repr(void **state)
{
	struct fixture *f = *state;
	struct json_object *want = get(f->oracle, "leaf_locals"), *ids = get(f->oracle, "ids");
	struct json_object *types = get(f->oracle, "types");
	struct py_frame fr;
	struct py_local *loc;
	size_t n, i;

	leaf_frame(f, &fr);
	assert_int_equal(pyreader__locals(f->r, &fr, &LIM, &loc, &n), 0);
	assert_int_equal(n, (size_t)json_object_object_length(want));
	for (i = 0; i < n; i++) {
		struct strbuf sb = {0};
		const char *w = gets(want, loc[i].name);

		pyval_repr(loc[i].value, &sb);
		if (strcmp(sb.buf, w))
			fail_msg("%s: ours %s, Python's %s", loc[i].name, sb.buf, w);
		assert_int_equal(loc[i].addr, json_object_get_uint64(get(ids, loc[i].name)));
		assert_int_equal(loc[i].value->addr, loc[i].addr);
		assert_string_equal(loc[i].value->type_name, gets(types, loc[i].name));
		strbuf_free(&sb);
	}
	py_locals_free(loc, n);
}

static const struct pyval *local(struct py_local *loc, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(loc[i].name, name))
			return loc[i].value;
	fail_msg("no local %s", name);
	return NULL;
}

/* Instance attributes: inline values (Point) and a real dict (Bag), in
 * vars()' order; kinds and the structured form. */
static void check_attrs(const struct pyval *v, struct json_object *want)
{
	struct json_object_iterator it = json_object_iter_begin(want),
				    end = json_object_iter_end(want);
	size_t i = 0;

	assert_int_equal(v->kind, PYV_INSTANCE);
	assert_int_equal(v->total, (size_t)json_object_object_length(want));
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it), i++) {
		struct strbuf sb = {0};

		if (i >= v->n)
			break; /* cut at LIM.items */
		assert_int_equal(v->items[i].key->kind, PYV_STR);
		assert_string_equal(v->items[i].key->text, json_object_iter_peek_name(&it));
		pyval_repr(v->items[i].value, &sb);
		assert_string_equal(sb.buf, json_object_get_string(json_object_iter_peek_value(&it)));
		strbuf_free(&sb);
	}
	assert_int_equal(v->n, i);
}

static void test_structured(void **state)
{
	struct fixture *f = *state;
	struct py_frame fr;
	struct py_local *loc;
	const struct pyval *v;
	struct json_object *j;
	struct strbuf sb = {0};
	size_t n;

	leaf_frame(f, &fr);
	assert_int_equal(pyreader__locals(f->r, &fr, &LIM, &loc, &n), 0);
	v = local(loc, n, "p");
	assert_string_equal(v->type_module, "__main__");
	check_attrs(v, get(f->oracle, "point_attrs"));
	check_attrs(local(loc, n, "bag"), get(f->oracle, "bag_attrs"));

	v = local(loc, n, "big");
	assert_int_equal(v->kind, PYV_INT);
	assert_false(v->int_small);
	v = local(loc, n, "mini");
	assert_true(v->int_small);
	assert_int_equal(v->i, INT64_MIN);
	v = local(loc, n, "cyc");
	assert_int_equal(v->kind, PYV_LIST);
	assert_int_equal(v->items[0].value->kind, PYV_CYCLE);
	assert_int_equal(v->items[0].value->addr, v->addr);
	v = local(loc, n, "exc");
	assert_int_equal(v->kind, PYV_EXCEPTION);
	v = local(loc, n, "d");
	assert_int_equal(v->kind, PYV_DICT);
	assert_int_equal(v->total, 4);
	/* the captured free variable of the closure's frame is dereferenced */
	v = local(loc, n, "kwargs");
	assert_int_equal(v->kind, PYV_DICT);
	assert_string_equal(v->items[0].value->text, "cell x!");

	/* the JSON form parses, and says what it is */
	pyval_json(local(loc, n, "lst"), &sb);
	j = json_tokener_parse(sb.buf);
	assert_non_null(j);
	assert_string_equal(gets(j, "kind"), "list");
	assert_int_equal(json_object_get_int(get(j, "total")), 7);
	assert_int_equal(json_object_array_length(get(j, "items")), 7);
	json_object_put(j);
	strbuf_free(&sb);
	py_locals_free(loc, n);

	/* the whole snapshot is valid JSON with no thread in error */
	assert_int_equal(py_snapshot_json(f->r, &LIM, 128, &sb), 0);
	j = json_tokener_parse(sb.buf);
	assert_non_null(j);
	assert_null(strstr(sb.buf, "\"error\""));
	json_object_put(j);
	strbuf_free(&sb);
}

/* Limits: a smaller depth cuts, fewer items truncate. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct pyval_limits small = {.depth = 2, .items = 2, .str_len = 3};
	struct py_frame fr;
	struct py_local *loc;
	struct strbuf sb = {0};
	size_t n;

	leaf_frame(f, &fr);
	assert_int_equal(pyreader__locals(f->r, &fr, &small, &loc, &n), 0);
	pyval_repr(local(loc, n, "nested"), &sb);
	assert_memory_equal(sb.buf, "[[<list object at 0x", 20); /* the address follows */
	assert_int_equal(local(loc, n, "nested")->items[0].value->items[0].value->kind, PYV_CUT);
	strbuf_reset(&sb);
	pyval_repr(local(loc, n, "lst"), &sb);
	assert_string_equal(sb.buf, "[1, 2.5, ...]");
	strbuf_reset(&sb);
	pyval_repr(local(loc, n, "s_ascii"), &sb);
	assert_string_equal(sb.buf, "'hel'...");
	strbuf_free(&sb);
	py_locals_free(loc, n);
}

static int setup_debian(void **state)
{
	return setup(state, "py311-debian");
}

static int setup_pyenv(void **state)
{
	return setup(state, "py311-pyenv");
}

static int setup_pyenv312(void **state)
{
	return setup(state, "py312-pyenv");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_and_stacks, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_locals_repr, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_structured, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_threads_and_stacks, setup_pyenv, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_locals_repr, setup_pyenv, teardown),
		cmocka_unit_test_setup_teardown(test_structured, setup_pyenv, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_pyenv, teardown),
		cmocka_unit_test_setup_teardown(test_threads_and_stacks, setup_pyenv312, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_locals_repr, setup_pyenv312, teardown),
		cmocka_unit_test_setup_teardown(test_structured, setup_pyenv312, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_pyenv312, teardown),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_py_replay DATA_DIR\n");
		return 2;
	}
	data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
