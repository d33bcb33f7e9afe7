/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every thread's stack with its locals as one JSON document: what
 * tests/workloads/pyread prints and what tools/py-capture records, and a
 * debugging view of the reader for any consumer.
 *
 *	{"threads": [{"thread_id": N, "native_thread_id": N, "holds_gil": b,
 *	  "frames": [{"name", "qualname", "file", "line", "firstlineno",
 *	              "module", "owner", "locals": [{"name", "kind", "repr",
 *	              "value": pyval_json}]}]}]}      frames newest first
 */
#ifndef RUNTRACE_PYTHON_SNAPSHOT_H
#define RUNTRACE_PYTHON_SNAPSHOT_H

#include "python/reader.h"
#include "util/strbuf.h"

/* Append the snapshot of @r's target to @sb; frames per thread at most
 * @max_frames, locals decoded within @lim (NULL: no locals).  0 or -errno
 * (a thread whose stack cannot be read completely gets "error": "..."). */
int py_snapshot_json(struct pyreader *r, const struct pyval_limits *lim, size_t max_frames,
		     struct strbuf *sb);

#endif
