// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace profile's Python stack matching on memory images of real
 * processes (tests/unit/data/, tools/py-capture: tools/py-capture.d/
 * target.py under Debian's python3.11, pyenv 3.11.7 and 3.12.1).  Oracle:
 * the program's own account of each thread's frames (qualname, file,
 * module), written just before it stopped.
 *
 * argv: DATA_DIR FIXTURE...
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

#include "profile/funcs.h"
#include "profile/pystack.h"
#include "python/layout.h"
#include "python/reader.h"

static const char *data_dir;

struct fixture {
	struct json_object *doc, *oracle;
	struct memreader *mem;
	struct pyreader *r;
	struct py_thread *th;
	size_t nth;
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
	struct json_object *meta;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.json", data_dir, name);
	f->doc = json_object_from_file(path);
	assert_non_null(f->doc);
	f->oracle = get(f->doc, "oracle");
	meta = get(f->doc, "meta");
	snprintf(path, sizeof(path), "%s/%s.img", data_dir, name);
	f->mem = memreader__load_image(path);
	assert_non_null(f->mem);
	f->r = pyreader__new(f->mem,
			     pylayout_find((__u32)json_object_get_int64(get(meta, "version_hex"))),
			     json_object_get_uint64(get(meta, "runtime_addr")));
	assert_non_null(f->r);
	assert_int_equal(pyreader__threads(f->r, &f->th, &f->nth), 0);
	assert_int_equal(f->nth, json_object_array_length(get(f->oracle, "threads")));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->th);
	pyreader__free(f->r);
	memreader__free(f->mem);
	json_object_put(f->doc);
	free(f);
	return 0;
}

/* The oracle's frames of the thread with native id @tid. */
static struct json_object *oracle_frames(struct fixture *f, __u64 tid)
{
	struct json_object *ts = get(f->oracle, "threads");
	size_t i;

	for (i = 0; i < json_object_array_length(ts); i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);

		if ((__u64)json_object_get_uint64(get(t, "native_id")) == tid)
			return get(t, "frames");
	}
	fail_msg("thread %" PRIu64 " is not in the oracle", (uint64_t)tid);
	return NULL;
}

static bool has_frame(struct json_object *frames, const char *qualname, const char *file_end)
{
	size_t i;

	for (i = 0; i < json_object_array_length(frames); i++) {
		struct json_object *fr = json_object_array_get_idx(frames, i);
		const char *file = gets(fr, "file");
		size_t lf = strlen(file), le = strlen(file_end);

		if (!strcmp(gets(fr, "qualname"), qualname) && lf >= le &&
		    !strcmp(file + lf - le, file_end))
			return true;
	}
	return false;
}

static void add(struct pf_funcs *fs, const char *name)
{
	char err[128];
	bool added;

	if (pf_funcs_add(fs, name, &added, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
}

/* Every frame of the oracle, named "FILE:QUALNAME", is found on its own
 * thread's stack and on no thread without such a frame. */
static void test_every_frame_on_its_thread(void **state)
{
	struct fixture *f = *state;
	struct json_object *ts = get(f->oracle, "threads");
	size_t t, i, k;

	for (t = 0; t < json_object_array_length(ts); t++) {
		struct json_object *frames = get(json_object_array_get_idx(ts, t), "frames");

		for (i = 0; i < json_object_array_length(frames); i++) {
			struct json_object *fr = json_object_array_get_idx(frames, i);
			const char *file = strrchr(gets(fr, "file"), '/') + 1;
			struct pf_funcs fs = { .n = 0 };
			char spec[512];

			snprintf(spec, sizeof(spec), "%s:%s", file, gets(fr, "qualname"));
			add(&fs, spec);
			for (k = 0; k < f->nth; k++) {
				struct json_object *of = oracle_frames(f, f->th[k].native_thread_id);
				__u64 mask;

				assert_int_equal(pf_py_stack_mask(f->r, &fs, NULL, f->th[k].frame, 192,
								  &mask), 0);
				if (mask != (has_frame(of, gets(fr, "qualname"), file) ? 1u : 0u))
					fail_msg("%s on thread %" PRIu64 ": mask %" PRIx64, spec,
						 (uint64_t)f->th[k].native_thread_id, (uint64_t)mask);
			}
			pf_funcs_clear(&fs);
		}
	}
}

/* The ways a user names a function, on this program's stacks: the main
 * thread is in leaf <- make_closure.<locals>.inner <- gen <- a lambda in
 * Runner.run <- json's JSONDecoder.raw_decode/decode <- json.loads <-
 * Runner.run <- main; two workers wait in threading's Event.wait. */
static void test_names(void **state)
{
	static const struct {
		const char *name;
		bool main, worker;
	} cases[] = {
		{ "leaf", true, false },
		{ "inner", true, false },
		{ "make_closure.inner", true, false },
		{ "make_closure.<locals>.inner", true, false },
		{ "JSONDecoder.decode", true, false },
		{ "json.decoder.JSONDecoder.raw_decode", true, false },
		{ "decoder.JSONDecoder.raw_decode", true, false },
		{ "json/decoder.py:JSONDecoder.raw_decode", true, false },
		{ "json.loads", true, false },
		{ "target.py:Runner.run", true, false },
		{ "target.Runner.run", true, false },
		{ "__main__.main", true, false },
		{ "run", true, true },          /* Runner.run, Thread.run */
		{ "wait", false, true },        /* Event.wait, Condition.wait */
		{ "Event.wait", false, true },
		{ "threading.Thread.run", false, true },
		{ "worker", false, true },
		{ "nosuch", false, false },
		{ "other.py:leaf", false, false },
		{ "Runner", false, false },     /* a class is not a function */
		{ "ecoder.JSONDecoder.decode", false, false },
		{ "json.JSONDecoder.decode", false, false }, /* json.decoder's, not json's */
	};
	struct fixture *f = *state;
	struct pf_funcs fs = { .n = 0 };
	struct pf_codetab *tab = pf_codetab_new();
	__u64 pid = json_object_get_uint64(get(f->oracle, "pid"));
	size_t i, k;

	assert_non_null(tab);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add(&fs, cases[i].name);
	for (k = 0; k < f->nth; k++) {
		bool is_main = f->th[k].native_thread_id == pid;
		__u64 mask, again;

		assert_int_equal(pf_py_stack_mask(f->r, &fs, tab, f->th[k].frame, 192, &mask), 0);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			bool want = is_main ? cases[i].main : cases[i].worker;

			if (!!(mask & (1ull << pf_funcs_find(&fs, cases[i].name)->slot)) != want)
				fail_msg("%s on the %s thread: %s", cases[i].name,
					 is_main ? "main" : "worker", want ? "missed" : "matched");
		}
		/* the second walk names nothing again: the table has them */
		assert_int_equal(pf_py_stack_mask(f->r, &fs, tab, f->th[k].frame, 192, &again), 0);
		assert_int_equal(again, mask);
	}
	/* each code object met once, with its identity */
	for (i = 0; i < pf_codetab_count(tab); i++) {
		struct pf_code_ent *e = pf_codetab_at(tab, i);
		__u64 id;

		assert_int_equal(pf_py_code_id(f->r, e->code, &id), 0);
		assert_int_equal(e->id, id);
		assert_ptr_equal(pf_codetab_get(tab, e->code), e);
	}
	assert_true(pf_codetab_count(tab) >= 10);
	/* a stack cut short at 3 frames holds only the 3 newest */
	for (k = 0; k < f->nth && f->th[k].native_thread_id != pid; k++)
		;
	{
		__u64 mask;

		assert_int_equal(pf_py_stack_mask(f->r, &fs, NULL, f->th[k].frame, 3, &mask), 0);
		assert_true(mask & (1ull << pf_funcs_find(&fs, "leaf")->slot));
		assert_true(mask & (1ull << pf_funcs_find(&fs, "inner")->slot));
		assert_false(mask & (1ull << pf_funcs_find(&fs, "__main__.main")->slot));
	}
	pf_funcs_clear(&fs);
	pf_codetab_free(tab);
}

/* A code object named alone (as from a kernel record), and an address
 * that is no code object. */
static void test_code_mask(void **state)
{
	struct fixture *f = *state;
	struct pf_funcs fs = { .n = 0 };
	struct py_frame fr;
	struct pf_pycode pc;
	__u64 pid = json_object_get_uint64(get(f->oracle, "pid")), mask;
	size_t k;

	add(&fs, "leaf");
	add(&fs, "__main__.leaf");
	add(&fs, "gen");
	for (k = 0; k < f->nth && f->th[k].native_thread_id != pid; k++)
		;
	assert_true(k < f->nth);
	assert_int_equal(pyreader__frame(f->r, f->th[k].frame, &fr), 0);
	assert_int_equal(pf_py_describe(f->r, fr.code->addr, fr.globals, &pc), 0);
	assert_string_equal(pc.qualname, "leaf");
	assert_string_equal(pc.module, "__main__");
	assert_int_equal(pf_py_code_mask(f->r, &fs, fr.code->addr, fr.globals, &mask), 0);
	assert_int_equal(mask, 3);
	/* without its globals: the module is not known, the bare name still is */
	assert_int_equal(pf_py_code_mask(f->r, &fs, fr.code->addr, 0, &mask), 0);
	assert_int_equal(mask, 1);
	/* the frame is not a code object */
	assert_true(pf_py_code_mask(f->r, &fs, fr.addr, fr.globals, &mask) < 0);
	assert_int_equal(mask, 0);
	pf_funcs_clear(&fs);
}

static int setup_debian(void **s) { return setup(s, "py311-debian"); }
static int setup_pyenv311(void **s) { return setup(s, "py311-pyenv"); }
static int setup_pyenv312(void **s) { return setup(s, "py312-pyenv"); }

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_frame_on_its_thread, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_code_mask, setup_debian, teardown),
		cmocka_unit_test_setup_teardown(test_every_frame_on_its_thread, setup_pyenv311, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup_pyenv311, teardown),
		cmocka_unit_test_setup_teardown(test_code_mask, setup_pyenv311, teardown),
		cmocka_unit_test_setup_teardown(test_every_frame_on_its_thread, setup_pyenv312, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup_pyenv312, teardown),
		cmocka_unit_test_setup_teardown(test_code_mask, setup_pyenv312, teardown),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
