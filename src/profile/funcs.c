// SPDX-License-Identifier: GPL-2.0-only
/* Function names as users write them; matching them to code objects. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/funcs.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The first ':' that is not half of a C++ "::", or NULL. */
static const char *single_colon(const char *s)
{
	const char *p;

	for (p = s; (p = strchr(p, ':')); p++) {
		if (p[1] == ':') {
			p++;
			continue;
		}
		return p;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	return ls >= lf && !strcmp(s + ls - lf, suffix);
}

void pf_spec_free(struct pf_spec *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->file);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

int pf_spec_parse(const char *text, struct pf_spec *out, char *err, size_t errlen)
{
	const char *colon, *p;

	memset(out, 0, sizeof(*out));
	if (!*text)
		return fail(err, errlen, "empty function name");
	for (p = text; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',')
			return fail(err, errlen, "invalid function name '%s'", text);
	colon = single_colon(text);
	if (colon && (colon == text || !colon[1]))
		return fail(err, errlen, "invalid function name '%s': expected FILE:FUNC or LIB:SYMBOL",
			    text);
	out->text = strdup(text);
	if (!out->text)
		return -ENOMEM;
	if (!colon) {
		out->kind = PF_ANY;
		out->name = strdup(text);
	} else {
		out->file = strndup(text, colon - text);
		out->name = strdup(colon + 1);
		if (!out->file)
			goto nomem;
		out->kind = ends_with(out->file, ".py") || ends_with(out->file, ".pyw") ? PF_PYFILE
											: PF_NATIVE;
		if (out->kind == PF_NATIVE) {
			/* symproc__resolve takes the text whole */
			free(out->file);
			out->file = NULL;
		}
	}
	if (!out->name)
		goto nomem;
	if (out->kind != PF_NATIVE &&
	    (out->name[0] == '.' || ends_with(out->name, ".") || strstr(out->name, ".."))) {
		int ret = fail(err, errlen, "invalid function name '%s'", text);

		pf_spec_free(out);
		return ret;
	}
	return 0;
nomem:
	pf_spec_free(out);
	return -ENOMEM;
}

/* Whether @name is @full or its last dotted components. */
static bool dotted_suffix(const char *full, const char *name)
{
	size_t lf = strlen(full), ln = strlen(name);

	if (lf == ln)
		return !strcmp(full, name);
	return lf > ln && full[lf - ln - 1] == '.' && !strcmp(full + lf - ln, name);
}

/* @q with its ".<locals>" components left out, into @buf. */
static const char *without_locals(const char *q, char *buf, size_t len)
{
	const char *tag = ".<locals>";
	size_t o = 0, tl = strlen(tag);

	while (*q && o + 1 < len) {
		if (!strncmp(q, tag, tl) && (q[tl] == '.' || !q[tl])) {
			q += tl;
			continue;
		}
		buf[o++] = *q++;
	}
	buf[o] = 0;
	return buf;
}

/* @name against the qualified names of @c (and after @prefix if set). */
static bool matches_qualified(const char *name, const char *prefix, const char *q1,
			      const char *q2)
{
	char full[2048];
	const char *qs[2] = { q1, q2 };
	int i;

	for (i = 0; i < 2; i++) {
		if (!prefix) {
			if (dotted_suffix(qs[i], name))
				return true;
			continue;
		}
		if ((size_t)snprintf(full, sizeof(full), "%s.%s", prefix, qs[i]) >= sizeof(full))
			continue;
		if (dotted_suffix(full, name))
			return true;
	}
	return false;
}

/* The base name of @path without ".py"/".pyw", into @buf ("" if none). */
static const char *file_stem(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (ends_with(base, ".py"))
		n -= 3;
	else if (ends_with(base, ".pyw"))
		n -= 4;
	if (n >= len)
		n = len - 1;
	memcpy(buf, base, n);
	buf[n] = 0;
	return buf;
}

/* Whether path @file (as the user wrote it) names @filename: the same, or
 * its last path components. */
static bool same_file(const char *filename, const char *file)
{
	size_t lf = strlen(filename), l = strlen(file);

	while (!strncmp(file, "./", 2)) {
		file += 2;
		l -= 2;
	}
	if (lf == l)
		return !strcmp(filename, file);
	return lf > l && filename[lf - l - 1] == '/' && !strcmp(filename + lf - l, file);
}

bool pf_spec_matches_py(const struct pf_spec *s, const struct pf_pycode *c)
{
	char q2[1024], stem[256];

	if (s->kind == PF_NATIVE || !c->qualname)
		return false;
	without_locals(c->qualname, q2, sizeof(q2));
	if (s->kind == PF_PYFILE)
		return c->filename && same_file(c->filename, s->file) &&
		       matches_qualified(s->name, NULL, c->qualname, q2);
	if (matches_qualified(s->name, NULL, c->qualname, q2))
		return true;
	if (!strchr(s->name, '.'))
		return false;
	if (c->module && matches_qualified(s->name, c->module, c->qualname, q2))
		return true;
	return c->filename && *file_stem(c->filename, stem, sizeof(stem)) &&
	       matches_qualified(s->name, stem, c->qualname, q2);
}

struct pf_func *pf_funcs_find(struct pf_funcs *fs, const char *text)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].spec.text, text))
			return &fs->v[i];
	return NULL;
}

int pf_funcs_add(struct pf_funcs *fs, const char *text, bool *added, char *err, size_t errlen)
{
	__u64 used = 0;
	struct pf_func *f;
	unsigned slot;
	size_t i;
	int ret;

	*added = false;
	if (pf_funcs_find(fs, text))
		return 0;
	if (fs->n == RT_PROFILE_SLOTS) {
		snprintf(err, errlen, "too many functions (at most %d at once)", RT_PROFILE_SLOTS);
		return -ENOSPC;
	}
	for (i = 0; i < fs->n; i++)
		used |= 1ull << fs->v[i].slot;
	for (slot = 0; used & (1ull << slot); slot++)
		;
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	ret = pf_spec_parse(text, &f->spec, err, errlen);
	if (ret)
		return ret;
	f->slot = slot;
	f->native = f->spec.kind == PF_NATIVE;
	fs->n++;
	*added = true;
	return 0;
}

int pf_funcs_remove(struct pf_funcs *fs, const char *text, unsigned *slot)
{
	struct pf_func *f = pf_funcs_find(fs, text);
	size_t i;

	if (!f)
		return -ENOENT;
	i = f - fs->v;
	*slot = f->slot;
	pf_spec_free(&f->spec);
	memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(*f));
	fs->n--;
	return 0;
}

void pf_funcs_clear(struct pf_funcs *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		pf_spec_free(&fs->v[i].spec);
	fs->n = 0;
}

__u64 pf_funcs_py_mask(const struct pf_funcs *fs, const struct pf_pycode *c)
{
	__u64 mask = 0;
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (!fs->v[i].native && pf_spec_matches_py(&fs->v[i].spec, c))
			mask |= 1ull << fs->v[i].slot;
	return mask;
}
