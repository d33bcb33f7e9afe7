// SPDX-License-Identifier: GPL-2.0-only
/*
 * DVC files with libyaml: the single-stage file through the emitter's
 * events; dvc.yaml and dvc.lock loaded as document trees (yaml_parser_load),
 * one stage replaced, dumped (yaml_emitter_dump).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "files/dvc.h"
#include "files/fsio.h"
#include "files/path.h"
#include "util/util.h"

/* ---- scalars ---- */

/* The implicit types of YAML 1.1 (PyYAML's resolver) and of the 1.2 core
 * schema (ruamel), broadened where that only quotes more. */
static const char *const non_str[] = {
	"^(~|null|Null|NULL)$",
	"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
	"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
	"[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	"^([-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
	"[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
	"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
	"(([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)?$",
	"^(<<|=)$",
	"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
	"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
};

bool rt_yaml_plain_is_str(const char *s)
{
	static regex_t re[sizeof(non_str) / sizeof(non_str[0])];
	static bool ready;
	size_t i;

	if (!*s)
		return false;
	if (!ready) {
		for (i = 0; i < ARRAY_SIZE(non_str); i++)
			if (regcomp(&re[i], non_str[i], REG_EXTENDED | REG_NOSUB))
				abort(); /* a constant pattern: cannot fail */
		ready = true;
	}
	for (i = 0; i < ARRAY_SIZE(non_str); i++)
		if (!regexec(&re[i], s, 0, NULL, 0))
			return false;
	return true;
}

/* The style of string @s; @raw: a bool or number meant as such (plain). */
static yaml_scalar_style_t style_of(const char *s, bool raw)
{
	return raw || rt_yaml_plain_is_str(s) ? YAML_PLAIN_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE;
}

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	strbuf_add(data, buf, size);
	return 1;
}

static void emitter_setup(yaml_emitter_t *e, struct strbuf *out)
{
	yaml_emitter_set_output(e, write_handler, out);
	yaml_emitter_set_unicode(e, 1);
	yaml_emitter_set_width(e, -1); /* never fold a long cmd or path */
}

/* ---- the single-stage file (events) ---- */

struct ev {
	yaml_emitter_t e;
	yaml_event_t event;
	bool failed;
};

static void emit(struct ev *y, int made)
{
	if (y->failed)
		return;
	if (!made || !yaml_emitter_emit(&y->e, &y->event))
		y->failed = true;
}

static void scalar(struct ev *y, const char *s, bool raw)
{
	emit(y, yaml_scalar_event_initialize(&y->event, NULL, NULL, (yaml_char_t *)s, strlen(s), 1, 1,
					     style_of(s, raw)));
}

static void map_start(struct ev *y)
{
	emit(y, yaml_mapping_start_event_initialize(&y->event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(struct ev *y)
{
	emit(y, yaml_mapping_end_event_initialize(&y->event));
}

static void seq_start(struct ev *y)
{
	emit(y, yaml_sequence_start_event_initialize(&y->event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(struct ev *y)
{
	emit(y, yaml_sequence_end_event_initialize(&y->event));
}

/* Check the entries the DVC files list were hashed. */
static int check_hashed(const struct rt_files_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if ((v->v[i].input || v->v[i].output) && !v->v[i].hashed) {
			rt_err("internal error: %s was not hashed", v->v[i].path);
			return -EINVAL;
		}
	return 0;
}

static bool valid_utf8(const char *s)
{
	yaml_event_t e;

	if (!yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, strlen(s), 1, 1,
					  YAML_ANY_SCALAR_STYLE))
		return false;
	yaml_event_delete(&e);
	return true;
}

/* @e's path as written in a stage run in absolute directory @base: as the
 * view writes it outside the root (absolute), else relative to @base. */
static const char *path_from(struct strbuf *sb, const struct rt_files_entry *e, const char *base)
{
	strbuf_reset(sb);
	if (e->path[0] == '/')
		strbuf_adds(sb, e->path);
	else
		rt_path_rel(sb, e->abspath, base);
	return sb->buf;
}

int rt_dvc_file_text(struct strbuf *out, const char *file, const char *cmd, const char *wdir,
		     const struct rt_files_view *v)
{
	struct strbuf dir = { 0 }, rel = { 0 }, wd = { 0 };
	struct ev y = { 0 };
	size_t i, ndeps = 0, nouts = 0;
	int err = 0, pass;

	if ((err = check_hashed(v)))
		return err;
	if (!valid_utf8(cmd)) {
		rt_err("the command line is not UTF-8: cannot be written in YAML");
		return -EINVAL;
	}
	if (rt_path_join(&dir, NULL, file)) {
		rt_err("%s: not an absolute path", file);
		return -EINVAL;
	}
	*strrchr(dir.buf, '/') = 0;
	if (!dir.buf[0])
		strbuf_adds(&dir, "/");
	if (wdir && rt_path_join(&wd, NULL, wdir)) {
		rt_err("%s: not an absolute path", wdir);
		err = -EINVAL;
		goto cleanup;
	}
	if (!wdir)
		strbuf_adds(&wd, dir.buf);
	if (!yaml_emitter_initialize(&y.e)) {
		err = -ENOMEM;
		goto cleanup;
	}
	emitter_setup(&y.e, out);
	emit(&y, yaml_stream_start_event_initialize(&y.event, YAML_UTF8_ENCODING));
	emit(&y, yaml_document_start_event_initialize(&y.event, NULL, NULL, NULL, 1));
	map_start(&y);
	scalar(&y, "cmd", false);
	scalar(&y, cmd, false);
	if (strcmp(wd.buf, dir.buf)) {
		/* the command ran elsewhere: DVC runs it there, paths from there */
		rt_path_rel(&rel, wd.buf, dir.buf);
		if (!valid_utf8(rel.buf)) {
			rt_err("%s: path is not UTF-8: cannot be written in YAML", wd.buf);
			err = -EINVAL;
			goto cleanup;
		}
		scalar(&y, "wdir", false);
		scalar(&y, rel.buf, false);
	}
	for (i = 0; i < v->n; i++)
		ndeps += v->v[i].input, nouts += v->v[i].output;
	for (pass = 0; pass < 2; pass++) {
		if (!(pass ? nouts : ndeps))
			continue;
		scalar(&y, pass ? "outs" : "deps", false);
		seq_start(&y);
		for (i = 0; i < v->n && !y.failed; i++) {
			const struct rt_files_entry *e = &v->v[i];

			if (!(pass ? e->output : e->input))
				continue;
			path_from(&rel, e, wd.buf);
			if (!valid_utf8(rel.buf)) {
				rt_err("%s: path is not UTF-8: cannot be written in YAML", e->abspath);
				err = -EINVAL;
				goto cleanup;
			}
			map_start(&y);
			scalar(&y, "path", false);
			scalar(&y, rel.buf, false);
			if (pass) {
				scalar(&y, "cache", false);
				scalar(&y, "true", true);
			}
			scalar(&y, "md5", false);
			scalar(&y, e->md5, false);
			map_end(&y);
		}
		seq_end(&y);
	}
	scalar(&y, "meta", false);
	map_start(&y);
	scalar(&y, "created-by", false);
	scalar(&y, "runtrace", false);
	map_end(&y);
	map_end(&y);
	emit(&y, yaml_document_end_event_initialize(&y.event, 1));
	emit(&y, yaml_stream_end_event_initialize(&y.event));
	if (y.failed) {
		rt_err("cannot write %s: %s", file, y.e.problem ? y.e.problem : "YAML emitter error");
		err = -EINVAL;
	}
cleanup:
	yaml_emitter_delete(&y.e);
	strbuf_free(&dir);
	strbuf_free(&rel);
	strbuf_free(&wd);
	return err;
}

int rt_dvc_write_file(const char *file, const char *cmd, const char *wdir,
		      const struct rt_files_view *v)
{
	struct strbuf out = { 0 };
	int err = rt_dvc_file_text(&out, file, cmd, wdir, v);

	if (!err)
		err = rt_files_write_atomic(file, out.buf, out.len);
	strbuf_free(&out);
	return err;
}

/* ---- dvc.yaml and dvc.lock (document trees) ---- */

/* A scalar node of @s; 0 on failure (not UTF-8, no memory). */
static int add_str(yaml_document_t *d, const char *s, bool raw)
{
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)s, strlen(s), style_of(s, raw));
}

static int add_u64(yaml_document_t *d, __u64 v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return add_str(d, buf, true);
}

/* Append key @k with value node @val to mapping @map; 0 on failure. */
static int put(yaml_document_t *d, int map, const char *k, int val)
{
	int key = add_str(d, k, false);

	return key && val && yaml_document_append_mapping_pair(d, map, key, val);
}

static bool scalar_is(yaml_document_t *d, int id, const char *s)
{
	yaml_node_t *n = yaml_document_get_node(d, id);

	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

/* The pair of key @k in mapping node @map, or NULL. */
static yaml_node_pair_t *pair_of(yaml_document_t *d, int map, const char *k)
{
	yaml_node_t *m = yaml_document_get_node(d, map);
	yaml_node_pair_t *p;

	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
		if (scalar_is(d, p->key, k))
			return p;
	return NULL;
}

/* Move the last pair of mapping @map to position @at. */
static void move_last_to(yaml_document_t *d, int map, size_t at)
{
	yaml_node_t *m = yaml_document_get_node(d, map);
	yaml_node_pair_t *s = m->data.mapping.pairs.start, last;
	size_t n = m->data.mapping.pairs.top - s;

	if (at >= n - 1)
		return;
	last = s[n - 1];
	memmove(s + at + 1, s + at, (n - 1 - at) * sizeof(*s));
	s[at] = last;
}

static void remove_pair(yaml_document_t *d, int map, yaml_node_pair_t *p)
{
	yaml_node_t *m = yaml_document_get_node(d, map);

	memmove(p, p + 1, (m->data.mapping.pairs.top - p - 1) * sizeof(*p));
	m->data.mapping.pairs.top--;
}

/* The keys of a dvc.yaml stage in the order DVC writes them
 * (dvc/stage/serialize.py: to_pipeline_file). */
static const char *const stage_keys[] = {
	"desc", "cmd", "wdir", "deps", "params", "outs", "metrics", "plots",
	"frozen", "always_changed", "meta",
};

static size_t key_rank(yaml_document_t *d, int key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stage_keys); i++)
		if (scalar_is(d, key, stage_keys[i]))
			return i;
	return ARRAY_SIZE(stage_keys);
}

/* Set key @k of stage mapping @map to @val: in place if there, else where
 * DVC's key order puts it; @val 0: remove the key. */
static int stage_set(yaml_document_t *d, int map, const char *k, int val)
{
	yaml_node_pair_t *p = pair_of(d, map, k);
	yaml_node_t *m;
	size_t rank, at, n;

	if (p) {
		if (val)
			p->value = val;
		else
			remove_pair(d, map, p);
		return 1;
	}
	if (!val)
		return 1;
	if (!put(d, map, k, val))
		return 0;
	m = yaml_document_get_node(d, map);
	n = m->data.mapping.pairs.top - m->data.mapping.pairs.start;
	for (rank = 0; rank < ARRAY_SIZE(stage_keys) && strcmp(stage_keys[rank], k); rank++)
		;
	for (at = 0; at < n - 1; at++)
		if (key_rank(d, m->data.mapping.pairs.start[at].key) > rank)
			break;
	move_last_to(d, map, at);
	return 1;
}

/* An out of an existing dvc.yaml stage for @path, kept with its options
 * ({path: {cache: false, ...}}), or 0. */
static int old_out(yaml_document_t *d, int old_outs, const char *path)
{
	yaml_node_t *s = old_outs ? yaml_document_get_node(d, old_outs) : NULL;
	yaml_node_item_t *it;

	if (!s || s->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = s->data.sequence.items.start; it < s->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(d, *it);

		if (n && n->type == YAML_MAPPING_NODE &&
		    n->data.mapping.pairs.top - n->data.mapping.pairs.start == 1 &&
		    scalar_is(d, n->data.mapping.pairs.start[0].key, path))
			return *it;
	}
	return 0;
}

/* Load @text (NULL or empty: a new document holding one empty mapping). */
static int load(yaml_document_t *d, const char *text, const char *what)
{
	yaml_parser_t p;
	int ok;

	if (!text || !*text) {
		if (!yaml_document_initialize(d, NULL, NULL, NULL, 1, 1))
			return -ENOMEM;
		if (!yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE)) {
			yaml_document_delete(d);
			return -ENOMEM;
		}
		return 0;
	}
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	ok = yaml_parser_load(&p, d);
	if (!ok)
		rt_err("%s:%zu:%zu: %s", what, p.problem_mark.line + 1, p.problem_mark.column + 1,
		       p.problem ? p.problem : "YAML error");
	yaml_parser_delete(&p);
	if (!ok)
		return -EINVAL;
	if (!yaml_document_get_root_node(d)) {
		yaml_document_delete(d);
		return load(d, NULL, what);
	}
	if (yaml_document_get_root_node(d)->type != YAML_MAPPING_NODE) {
		rt_err("%s: not a YAML mapping", what);
		yaml_document_delete(d);
		return -EINVAL;
	}
	return 0;
}

/* Dump @d (consumed) into @out. */
static int dump(yaml_document_t *d, struct strbuf *out, const char *what)
{
	yaml_emitter_t e;
	int ok;

	if (!yaml_emitter_initialize(&e)) {
		yaml_document_delete(d);
		return -ENOMEM;
	}
	emitter_setup(&e, out);
	ok = yaml_emitter_open(&e) && yaml_emitter_dump(&e, d) && yaml_emitter_close(&e) &&
	     yaml_emitter_flush(&e);
	if (!ok)
		rt_err("cannot write %s: %s", what, e.problem ? e.problem : "YAML emitter error");
	yaml_emitter_delete(&e);
	return ok ? 0 : -EINVAL;
}

/* The mapping under key @k of mapping @map, made (empty) if absent; 0 if
 * it holds something else. */
static int submap(yaml_document_t *d, int map, const char *k, const char *what)
{
	yaml_node_pair_t *p = pair_of(d, map, k);
	int m;

	if (p) {
		yaml_node_t *n = yaml_document_get_node(d, p->value);

		if (n->type == YAML_MAPPING_NODE)
			return p->value;
		if (n->type == YAML_SCALAR_NODE && !n->data.scalar.length) {
			m = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
			pair_of(d, map, k)->value = m;
			return m;
		}
		rt_err("%s: '%s' is not a mapping", what, k);
		return 0;
	}
	m = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
	return m && put(d, map, k, m) ? m : 0;
}

/* The dvc.yaml stage: cmd, deps, outs into existing stage mapping @st (or
 * a new one). */
static int yaml_stage(yaml_document_t *d, int stages, const char *name, const char *cmd,
		      const char *wdir, const struct rt_files_view *v)
{
	yaml_node_pair_t *p = pair_of(d, stages, name);
	int st = 0, deps, outs, old_outs = 0, item, wd = 0, ok;
	struct strbuf sb = { 0 };
	size_t i, nd = 0, no = 0;

	if (p && yaml_document_get_node(d, p->value)->type == YAML_MAPPING_NODE)
		st = p->value;
	if (st && pair_of(d, st, "outs"))
		old_outs = pair_of(d, st, "outs")->value;
	if (!st) {
		st = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
		if (!st)
			return 0;
		if (p)
			p->value = st;
		else if (!put(d, stages, name, st))
			return 0;
	}
	deps = yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	outs = yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	if (!deps || !outs)
		return 0;
	for (i = 0; i < v->n; i++) {
		const struct rt_files_entry *e = &v->v[i];

		if (e->input) {
			item = add_str(d, path_from(&sb, e, wdir), false);
			if (!item || !yaml_document_append_sequence_item(d, deps, item))
				goto fail;
			nd++;
		}
		if (e->output) {
			item = old_out(d, old_outs, path_from(&sb, e, wdir));
			if (!item)
				item = add_str(d, sb.buf, false);
			if (!item || !yaml_document_append_sequence_item(d, outs, item))
				goto fail;
			no++;
		}
	}
	if (strcmp(wdir, v->root)) {
		/* the command ran below the root: DVC runs it there */
		rt_path_rel(&sb, wdir, v->root);
		if (!(wd = add_str(d, sb.buf, false)))
			goto fail;
	}
	strbuf_free(&sb);
	item = add_str(d, cmd, false);
	ok = item && stage_set(d, st, "cmd", item) && stage_set(d, st, "wdir", wd) &&
	     stage_set(d, st, "deps", nd ? deps : 0) && stage_set(d, st, "outs", no ? outs : 0);
	return ok;
fail:
	strbuf_free(&sb);
	return 0;
}

/* One dep or out of dvc.lock, its path from @wdir. */
static int lock_entry(yaml_document_t *d, const struct rt_files_entry *e, const char *wdir)
{
	int m = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
	struct strbuf sb = { 0 };
	int path = add_str(d, path_from(&sb, e, wdir), false);

	strbuf_free(&sb);
	if (!m || !put(d, m, "path", path) ||
	    !put(d, m, "hash", add_str(d, "md5", false)) || !put(d, m, "md5", add_str(d, e->md5, false)) ||
	    !put(d, m, "size", add_u64(d, e->size)))
		return 0;
	if (e->facts.is_dir && !put(d, m, "nfiles", add_u64(d, e->nfiles)))
		return 0;
	if (!e->facts.is_dir && e->facts.is_exec && !put(d, m, "isexec", add_str(d, "true", true)))
		return 0;
	return m;
}

/* The dvc.lock stage (replaced whole). */
static int lock_stage(yaml_document_t *d, int stages, const char *name, const char *cmd,
		      const char *wdir, const struct rt_files_view *v)
{
	yaml_node_pair_t *p;
	int st = yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE), seq, item, pass;
	size_t i, n;

	if (!st || !put(d, st, "cmd", add_str(d, cmd, false)))
		return 0;
	for (pass = 0; pass < 2; pass++) {
		seq = yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
		if (!seq)
			return 0;
		for (i = n = 0; i < v->n; i++) {
			const struct rt_files_entry *e = &v->v[i];

			if (!(pass ? e->output : e->input))
				continue;
			item = lock_entry(d, e, wdir);
			if (!item || !yaml_document_append_sequence_item(d, seq, item))
				return 0;
			n++;
		}
		if (n && !put(d, st, pass ? "outs" : "deps", seq))
			return 0;
	}
	p = pair_of(d, stages, name);
	if (p) {
		p->value = st;
		return 1;
	}
	return put(d, stages, name, st);
}

static int check_paths(const struct rt_files_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if ((v->v[i].input || v->v[i].output) && !valid_utf8(v->v[i].path)) {
			rt_err("%s: path is not UTF-8: cannot be written in YAML", v->v[i].abspath);
			return -EINVAL;
		}
	return 0;
}

int rt_dvc_stage_text(const char *yaml_in, const char *lock_in, const char *name,
		      const char *cmd, const char *wdir, const struct rt_files_view *v,
		      struct strbuf *yaml_out, struct strbuf *lock_out, const char *what)
{
	char yname[4096], lname[4096];
	struct strbuf wd = { 0 };
	yaml_document_t y, l;
	yaml_node_pair_t *schema;
	int stages, err;

	snprintf(yname, sizeof(yname), "%s/dvc.yaml", what);
	snprintf(lname, sizeof(lname), "%s/dvc.lock", what);
	if (!*name || strpbrk(name, "\\/@:")) {
		rt_err("invalid stage name '%s' (DVC's names have no \\ / @ :)", name);
		return -EINVAL;
	}
	if ((err = check_hashed(v)) || (err = check_paths(v)))
		return err;
	if (!valid_utf8(cmd)) {
		rt_err("the command line is not UTF-8: cannot be written in YAML");
		return -EINVAL;
	}
	if (rt_path_join(&wd, NULL, wdir ? wdir : v->root)) {
		rt_err("%s: not an absolute path", wdir);
		return -EINVAL;
	}
	if (!valid_utf8(wd.buf)) {
		rt_err("%s: path is not UTF-8: cannot be written in YAML", wd.buf);
		strbuf_free(&wd);
		return -EINVAL;
	}
	if ((err = load(&y, yaml_in, yname))) {
		strbuf_free(&wd);
		return err;
	}
	if ((err = load(&l, lock_in, lname))) {
		yaml_document_delete(&y);
		strbuf_free(&wd);
		return err;
	}
	/* dvc.yaml: stages -> name */
	stages = submap(&y, 1, "stages", yname);
	if (!stages || !yaml_stage(&y, stages, name, cmd, wd.buf, v)) {
		if (stages)
			rt_err("cannot update %s: out of memory", yname);
		err = stages ? -ENOMEM : -EINVAL;
		goto fail;
	}
	/* dvc.lock: schema '2.0' first, stages -> name */
	schema = pair_of(&l, 1, "schema");
	if (schema && !scalar_is(&l, schema->value, "2.0")) {
		rt_err("%s: schema is not '2.0': not updated", lname);
		err = -EINVAL;
		goto fail;
	}
	if (!schema && yaml_document_get_node(&l, 1)->data.mapping.pairs.top !=
			       yaml_document_get_node(&l, 1)->data.mapping.pairs.start) {
		rt_err("%s: a lock file of DVC 1 (no schema): not updated", lname);
		err = -EINVAL;
		goto fail;
	}
	if (!schema) {
		int v2 = yaml_document_add_scalar(&l, NULL, (yaml_char_t *)"2.0", 3,
						  YAML_SINGLE_QUOTED_SCALAR_STYLE);

		if (!put(&l, 1, "schema", v2)) {
			err = -ENOMEM;
			goto fail;
		}
	}
	stages = submap(&l, 1, "stages", lname);
	if (!stages || !lock_stage(&l, stages, name, cmd, wd.buf, v)) {
		err = stages ? -ENOMEM : -EINVAL;
		goto fail;
	}
	strbuf_free(&wd);
	err = dump(&y, yaml_out, yname);
	if (err) {
		yaml_document_delete(&l);
		return err;
	}
	return dump(&l, lock_out, lname);
fail:
	strbuf_free(&wd);
	yaml_document_delete(&y);
	yaml_document_delete(&l);
	return err;
}

int rt_dvc_update_stage(const char *dir, const char *name, const char *cmd, const char *wdir,
			const struct rt_files_view *v)
{
	struct strbuf yout = { 0 }, lout = { 0 }, ypath = { 0 }, lpath = { 0 };
	char *yin = NULL, *lin = NULL;
	int err;

	strbuf_addf(&ypath, "%s/dvc.yaml", dir);
	strbuf_addf(&lpath, "%s/dvc.lock", dir);
	yin = read_file_at(AT_FDCWD, ypath.buf, 16 << 20, NULL);
	if (!yin && errno != ENOENT) {
		err = -errno;
		rt_err("cannot read %s: %s", ypath.buf, strerror(-err));
		goto cleanup;
	}
	lin = read_file_at(AT_FDCWD, lpath.buf, 16 << 20, NULL);
	if (!lin && errno != ENOENT) {
		err = -errno;
		rt_err("cannot read %s: %s", lpath.buf, strerror(-err));
		goto cleanup;
	}
	if ((err = rt_dvc_stage_text(yin, lin, name, cmd, wdir, v, &yout, &lout, dir)))
		goto cleanup;
	if ((err = rt_files_write_atomic(ypath.buf, yout.buf, yout.len)))
		goto cleanup;
	err = rt_files_write_atomic(lpath.buf, lout.buf, lout.len);
cleanup:
	free(yin);
	free(lin);
	strbuf_free(&yout);
	strbuf_free(&lout);
	strbuf_free(&ypath);
	strbuf_free(&lpath);
	return err;
}
