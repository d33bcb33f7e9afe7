// SPDX-License-Identifier: GPL-2.0-only
/* The JSON report of `runtrace deps`. */
#include <stdbool.h>
#include <string.h>

#include "files/fsio.h"
#include "files/json.h"

/* @s as a JSON string.  A file name need not be UTF-8: its bytes that are
 * not are written as Python's os.fsdecode reads them, lone surrogates
 * \udcXX (json.load then os.fsencode gives the name back). */
static void str(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const void *)s, *end = p + strlen(s), *q;
	bool utf8 = true;
	unsigned cp;
	size_t mark;

	for (q = p; q < end && utf8;) {
		cp = rt_fsdecode_cp(&q, end);
		utf8 = cp < 0xdc80 || cp > 0xdcff;
	}
	if (utf8) {
		strbuf_add_json_str(out, s, end - p);
		return;
	}
	strbuf_addc(out, '"');
	for (; p < end; p = q) {
		q = p;
		cp = rt_fsdecode_cp(&q, end);
		if (cp >= 0xdc80 && cp <= 0xdcff) {
			strbuf_addf(out, "\\udc%02x", *p);
			continue;
		}
		/* one character: the project's escaping, without its quotes */
		mark = out->len;
		strbuf_add_json_str(out, (const char *)p, q - p);
		memmove(out->buf + mark, out->buf + mark + 1, out->len - mark - 2);
		out->len -= 2;
		out->buf[out->len] = 0;
	}
	strbuf_addc(out, '"');
}

static void names(struct strbuf *out, const char *key, char **v)
{
	size_t i;

	if (!v || !v[0])
		return;
	strbuf_addf(out, ", \"%s\": [", key);
	for (i = 0; v[i]; i++) {
		if (i)
			strbuf_adds(out, ", ");
		str(out, v[i]);
	}
	strbuf_addc(out, ']');
}

static void entry(struct strbuf *out, const struct rt_files_entry *e)
{
	static const struct {
		unsigned bit;
		const char *name;
	} cls[] = {
		{ RT_FC_READ, "read" }, { RT_FC_EXECUTED, "executed" }, { RT_FC_WRITTEN, "written" },
		{ RT_FC_CREATED, "created" }, { RT_FC_DELETED, "deleted" },
		{ RT_FC_TEMPORARY, "temporary" },
	};
	size_t i, n = 0;

	strbuf_adds(out, "{\"path\": ");
	str(out, e->path);
	strbuf_adds(out, ", \"class\": [");
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (e->cls & cls[i].bit)
			strbuf_addf(out, "%s\"%s\"", n++ ? ", " : "", cls[i].name);
	strbuf_addf(out, "], \"input\": %s, \"output\": %s", e->input ? "true" : "false",
		    e->output ? "true" : "false");
	if (e->rewritten)
		strbuf_adds(out, ", \"rewritten\": true");
	if (e->within) {
		strbuf_adds(out, ", \"within\": ");
		str(out, e->within);
	}
	strbuf_addf(out, ", \"type\": \"%s\"",
		    !e->facts.exists ? "missing" : e->facts.is_dir ? "directory" : "file");
	if (e->facts.exists && (e->hashed || !e->facts.is_dir))
		strbuf_addf(out, ", \"size\": %llu",
			    (unsigned long long)(e->hashed ? e->size : e->facts.size));
	if (e->hashed) {
		strbuf_addf(out, ", \"md5\": \"%s\"", e->md5);
		if (e->facts.is_dir)
			strbuf_addf(out, ", \"nfiles\": %llu", (unsigned long long)e->nfiles);
	}
	strbuf_adds(out, ", \"pids\": [");
	for (i = 0; i < e->node->npids; i++)
		strbuf_addf(out, "%s%u", i ? ", " : "", e->node->pids[i]);
	strbuf_addc(out, ']');
	names(out, "renamed_to", e->renamed_to);
	names(out, "renamed_from", e->renamed_from);
	strbuf_addc(out, '}');
}

/* The paths of the entries with @pick, as a JSON array. */
static void list(struct strbuf *out, const struct rt_files_view *v, int pick)
{
	size_t i, n = 0;

	strbuf_addc(out, '[');
	for (i = 0; i < v->n; i++) {
		const struct rt_files_entry *e = &v->v[i];

		if (!(pick == 0 ? e->input : pick == 1 ? e->output : !!(e->cls & RT_FC_DELETED)))
			continue;
		if (n++)
			strbuf_adds(out, ", ");
		str(out, e->path);
	}
	strbuf_addc(out, ']');
}

void rt_files_json(struct strbuf *out, const char *cmd, const struct rt_files_view *v)
{
	size_t i;

	strbuf_adds(out, "{\"root\": ");
	str(out, v->root ? v->root : "");
	if (cmd) {
		strbuf_adds(out, ", \"cmd\": ");
		str(out, cmd);
	}
	strbuf_adds(out, ",\n \"paths\": [");
	for (i = 0; i < v->n; i++) {
		strbuf_adds(out, i ? ",\n  " : "\n  ");
		entry(out, &v->v[i]);
	}
	strbuf_adds(out, "],\n \"inputs\": ");
	list(out, v, 0);
	strbuf_adds(out, ",\n \"outputs\": ");
	list(out, v, 1);
	strbuf_adds(out, ",\n \"deleted\": ");
	list(out, v, 2);
	strbuf_adds(out, ",\n \"warnings\": [");
	for (i = 0; i < v->nwarnings; i++) {
		if (i)
			strbuf_adds(out, ", ");
		str(out, v->warnings[i]);
	}
	strbuf_adds(out, "]}\n");
}

int rt_files_json_write(const char *file, const char *cmd, const struct rt_files_view *v)
{
	struct strbuf out = { 0 };
	int err;

	rt_files_json(&out, cmd, v);
	err = rt_files_write_atomic(file, out.buf, out.len);
	strbuf_free(&out);
	return err;
}
