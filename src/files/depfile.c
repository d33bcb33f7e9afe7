// SPDX-License-Identifier: GPL-2.0-only
/* Make-format depfiles. */
#include <string.h>

#include "files/depfile.h"
#include "files/fsio.h"
#include "files/path.h"
#include "util/util.h"

bool rt_depfile_escape(struct strbuf *out, const char *path)
{
	size_t n = strlen(path), i, bs = 0;

	if (!n || strpbrk(path, "\n\r\t") || path[n - 1] == ':' || path[n - 1] == '\\')
		return false;
	for (i = 0; i < n; i++) {
		char c = path[i];

		if (c == ' ') {
			/* 2N+1 backslashes and a space read back as N and a space */
			while (bs--)
				strbuf_addc(out, '\\');
			strbuf_adds(out, "\\ ");
		} else if (c == '#') {
			strbuf_adds(out, "\\#");
		} else if (c == '$') {
			strbuf_adds(out, "$$");
		} else {
			strbuf_addc(out, c);
		}
		bs = c == '\\' ? bs + 1 : 0;
	}
	return true;
}

int rt_depfile_text(struct strbuf *out, const struct rt_files_view *v, const char *dir)
{
	struct strbuf rel = { 0 };
	size_t i, nout = 0;
	int skipped = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < v->n; i++) {
			const struct rt_files_entry *e = &v->v[i];
			size_t mark = out->len;

			const char *path = e->path;

			if (!(pass ? e->input : e->output))
				continue;
			if (dir && e->path[0] != '/') {
				/* below the root: from @dir, as make and ninja there read it */
				rt_path_rel(&rel, e->abspath, dir);
				path = rel.buf;
			}
			if (pass)
				strbuf_adds(out, " \\\n  ");
			else if (nout)
				strbuf_addc(out, ' ');
			if (!rt_depfile_escape(out, path)) {
				out->len = mark;
				if (out->buf)
					out->buf[mark] = 0;
				rt_err("warning: %s: cannot be written in a depfile: left out", path);
				skipped++;
				continue;
			}
			nout += !pass;
		}
		if (!pass) {
			if (!nout)
				break; /* no outputs: an empty depfile */
			strbuf_addc(out, ':');
		}
	}
	if (nout)
		strbuf_addc(out, '\n');
	strbuf_free(&rel);
	return skipped;
}

int rt_depfile_write(const char *file, const char *dir, const struct rt_files_view *v)
{
	struct strbuf out = { 0 };
	int err;

	rt_depfile_text(&out, v, dir);
	err = rt_files_write_atomic(file, out.buf ? out.buf : "", out.len);
	strbuf_free(&out);
	return err;
}
