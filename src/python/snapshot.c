// SPDX-License-Identifier: GPL-2.0-only
/* A JSON snapshot of every thread's Python stack and locals. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "python/snapshot.h"

static void add_str(struct strbuf *sb, const char *key, const char *val)
{
	strbuf_addf(sb, "\"%s\":", key);
	if (val)
		strbuf_add_json_str(sb, val, strlen(val));
	else
		strbuf_adds(sb, "null");
}

static void add_frame(struct pyreader *r, const struct py_frame *f,
		      const struct pyval_limits *lim, struct strbuf *sb)
{
	const struct py_code *c = f->code;

	strbuf_addc(sb, '{');
	add_str(sb, "name", c->name);
	strbuf_addc(sb, ',');
	add_str(sb, "qualname", c->qualname);
	strbuf_addc(sb, ',');
	add_str(sb, "file", c->filename);
	strbuf_addf(sb, ",\"line\":%d,\"firstlineno\":%d,\"owner\":%d,\"addr\":%" PRIu64 ",",
		    f->line, c->firstlineno, f->owner, (uint64_t)f->addr);
	add_str(sb, "module", pyreader__module_of(r, f));
	if (lim) {
		struct py_local *loc;
		size_t n, i;
		int err = pyreader__locals(r, f, lim, &loc, &n);

		strbuf_adds(sb, ",\"locals\":[");
		for (i = 0; !err && i < n; i++) {
			struct strbuf rep = {0};

			pyval_repr(loc[i].value, &rep);
			strbuf_adds(sb, i ? ",{" : "{");
			add_str(sb, "name", loc[i].name);
			strbuf_addf(sb, ",\"kind\":%u,", loc[i].kind);
			add_str(sb, "repr", rep.buf ? rep.buf : "");
			strbuf_adds(sb, ",\"value\":");
			pyval_json(loc[i].value, sb);
			strbuf_addc(sb, '}');
			strbuf_free(&rep);
		}
		strbuf_addc(sb, ']');
		if (err)
			strbuf_addf(sb, ",\"locals_error\":%d", err);
		py_locals_free(loc, n);
	}
	strbuf_addc(sb, '}');
}

int py_snapshot_json(struct pyreader *r, const struct pyval_limits *lim, size_t max_frames,
		     struct strbuf *sb)
{
	struct py_thread *th;
	size_t nth, i, j;
	int err = pyreader__threads(r, &th, &nth);

	if (err)
		return err;
	strbuf_adds(sb, "{\"threads\":[");
	for (i = 0; i < nth; i++) {
		struct py_frame *fr;
		size_t nfr;
		int ferr = pyreader__stack(r, th[i].frame, max_frames, &fr, &nfr);

		strbuf_addf(sb,
			    "%s{\"thread_id\":%" PRIu64 ",\"native_thread_id\":%" PRIu64
			    ",\"tstate\":%" PRIu64 ",\"holds_gil\":%s,\"frames\":[",
			    i ? "," : "", (uint64_t)th[i].thread_id,
			    (uint64_t)th[i].native_thread_id, (uint64_t)th[i].tstate,
			    th[i].holds_gil ? "true" : "false");
		for (j = 0; j < nfr; j++) {
			if (j)
				strbuf_addc(sb, ',');
			add_frame(r, &fr[j], lim, sb);
		}
		strbuf_addc(sb, ']');
		if (ferr)
			strbuf_addf(sb, ",\"error\":\"%s\"", strerror(-ferr));
		strbuf_addc(sb, '}');
		free(fr);
	}
	strbuf_adds(sb, "]}");
	free(th);
	return 0;
}
