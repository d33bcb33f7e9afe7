// SPDX-License-Identifier: GPL-2.0-only
/* The classes of files/view.h, from the model and the end state.  Pure:
 * the file system comes through the stat callback. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/path.h"
#include "files/view.h"
#include "util/strbuf.h"
#include "util/util.h"

__attribute__((format(printf, 2, 3)))
static int warn(struct rt_files_view *v, const char *fmt, ...)
{
	char **w, *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	w = realloc(v->warnings, (v->nwarnings + 1) * sizeof(*w));
	if (!w) {
		free(s);
		return -ENOMEM;
	}
	v->warnings = w;
	v->warnings[v->nwarnings++] = s;
	return 0;
}

/* @abs as written: relative to @root when below it, else absolute. */
static char *written(const char *abs, const char *root)
{
	const char *rel = rt_path_under(abs, root);

	return strdup(rel && *rel ? rel : abs);
}

/* A NULL-terminated list of the written names of nodes @idx. */
static char **names(const struct rt_files *m, const size_t *idx, size_t n, const char *root)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		v[i] = written(rt_files__node(m, idx[i])->path, root);
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void free_names(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rt_files_entry *)a)->path, ((const struct rt_files_entry *)b)->path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Classify node @n whose end state is @f into @e; false if there is
 * nothing to report. */
static bool classify(const struct rt_files_node *n, const struct rt_files_facts *f,
		     const struct rt_files_view_opts *o, struct rt_files_entry *e)
{
	unsigned fl = n->flags;
	bool dir = f->exists ? f->is_dir : (fl & RT_FN_DIR);
	bool pre = fl & RT_FN_EXISTED;
	bool modified = (fl & RT_FN_MODIFIED) ||
			((fl & RT_FN_OPEN_W) && f->exists && !f->is_dir && f->mtime_ns >= o->start_ns);

	e->cls = 0;
	if ((fl & RT_FN_READ) && (fl & RT_FN_ORIG))
		e->cls |= RT_FC_READ;
	if (fl & RT_FN_PYC)
		e->cls |= RT_FC_READ;
	if (fl & RT_FN_EXEC)
		e->cls |= RT_FC_EXECUTED;
	if (modified)
		e->cls |= RT_FC_WRITTEN;
	if (fl & RT_FN_CREATED)
		e->cls |= RT_FC_CREATED;
	if (!f->exists && pre && (fl & RT_FN_REMOVED))
		e->cls |= RT_FC_DELETED;
	if (!f->exists && !pre && (fl & (RT_FN_MODIFIED | RT_FN_CREATED | RT_FN_OPEN_W)))
		e->cls |= RT_FC_TEMPORARY;
	e->input = (fl & (RT_FN_ORIG | RT_FN_PYC)) && f->exists && !dir && !(fl & RT_FN_DIR);
	if (dir)
		e->output = f->exists && (fl & (RT_FN_MKDIR | RT_FN_MODIFIED | RT_FN_CREATED));
	else
		e->output = f->exists && (modified || (fl & RT_FN_CREATED));
	if (e->input && e->output) {
		e->input = false;
		e->rewritten = true;
	}
	if (dir && !(e->cls & ~(RT_FC_READ | RT_FC_EXECUTED)) && !e->output)
		return false; /* a directory listed or entered: not reported */
	return e->cls || e->input || e->output;
}

/* Outputs below a directory the command made are inside it: one output
 * (DVC directory out) unless --files, where directories are not listed. */
static int collapse(struct rt_files_view *v, bool files)
{
	char **dirs = NULL, *key;
	size_t ndirs = 0, i;
	struct strbuf sb = { 0 };

	for (i = 0; i < v->n; i++) {
		struct rt_files_entry *e = &v->v[i];

		if (!e->output || !e->facts.is_dir)
			continue;
		if (files) {
			e->output = false;
			continue;
		}
		if (e->node->flags & RT_FN_MKDIR)
			ndirs++;
	}
	if (!ndirs)
		return 0;
	dirs = malloc(ndirs * sizeof(*dirs));
	if (!dirs)
		return -ENOMEM;
	ndirs = 0;
	for (i = 0; i < v->n; i++)
		if (v->v[i].output && v->v[i].facts.is_dir && (v->v[i].node->flags & RT_FN_MKDIR))
			dirs[ndirs++] = v->v[i].path;
	/* already sorted (v is), with the same order */
	for (i = 0; i < v->n; i++) {
		struct rt_files_entry *e = &v->v[i];
		const char *top = NULL;
		char *slash, **hit;

		strbuf_reset(&sb);
		strbuf_adds(&sb, e->path);
		while ((slash = strrchr(sb.buf, '/')) && slash != sb.buf) {
			*slash = 0;
			key = sb.buf;
			hit = bsearch(&key, dirs, ndirs, sizeof(*dirs), str_cmp);
			if (hit)
				top = *hit;
		}
		if (top) {
			e->within = top;
			e->output = false;
		}
	}
	strbuf_free(&sb);
	free(dirs);
	return 0;
}

int rt_files_view_build(const struct rt_files *m, const struct rt_files_view_opts *o,
			rt_files_stat_fn st, void *ctx, struct rt_files_view *out)
{
	struct strbuf root = { 0 };
	size_t i, cap = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (rt_path_join(&root, NULL, o->root)) {
		err = -EINVAL;
		goto cleanup;
	}
	out->root = strdup(root.buf);
	if (!out->root) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < rt_files__count(m); i++) {
		const struct rt_files_node *n = rt_files__node(m, i);
		const char *rel = rt_path_under(n->path, out->root);
		struct rt_files_entry e = { 0 };
		const char *w;

		if (rt_path_pseudo(n->path) || (rel && !*rel) || (!rel && !o->all))
			continue;
		if (!(n->flags & (RT_FN_ORIG | RT_FN_PYC | RT_FN_EXEC | RT_FN_OPEN_W | RT_FN_MODIFIED |
				  RT_FN_CREATED | RT_FN_REMOVED | RT_FN_MKDIR)))
			continue;
		w = rel ? rel : n->path;
		if (rt_path_ignored(w, rt_path_default_ignore, rt_path_default_nignore) ||
		    rt_path_ignored(w, o->ignore, o->nignore))
			continue;
		if ((err = st(ctx, n->path, &e.facts)))
			goto cleanup;
		if (!classify(n, &e.facts, o, &e))
			continue;
		if ((err = array_grow(&out->v, &cap, out->n, sizeof(*out->v), 64, SIZE_MAX / sizeof(e))))
			goto cleanup;
		e.node = n;
		e.abspath = n->path;
		e.path = strdup(w);
		e.renamed_to = names(m, n->renamed_to, n->nrenamed_to, out->root);
		e.renamed_from = names(m, n->renamed_from, n->nrenamed_from, out->root);
		out->v[out->n++] = e;
		if (!e.path || !e.renamed_to || !e.renamed_from) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), entry_cmp);
	if ((err = collapse(out, o->files)))
		goto cleanup;
	for (i = 0; i < out->n && !err; i++) {
		const struct rt_files_entry *e = &out->v[i];

		if (e->rewritten)
			err = warn(out, "%s: read, then rewritten: listed as an output only", e->path);
		else if (e->cls & RT_FC_DELETED)
			err = warn(out, "%s: existed before the run and was deleted", e->path);
	}
cleanup:
	strbuf_free(&root);
	if (err)
		rt_files_view_free(out);
	return err;
}

void rt_files_view_free(struct rt_files_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].path);
		free_names(v->v[i].renamed_to);
		free_names(v->v[i].renamed_from);
	}
	for (i = 0; i < v->nwarnings; i++)
		free(v->warnings[i]);
	free(v->warnings);
	free(v->v);
	free(v->root);
	memset(v, 0, sizeof(*v));
}

struct rt_files_entry *rt_files_view_find(const struct rt_files_view *v, const char *path)
{
	struct rt_files_entry key = { .path = (char *)path };

	return v->n ? bsearch(&key, v->v, v->n, sizeof(*v->v), entry_cmp) : NULL;
}
