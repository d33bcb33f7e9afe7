/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `runtrace deps --json FILE`: every path of the view with its classes,
 * written with the project's strbuf JSON helpers (util/strbuf.h), as
 * syscalls.jsonl is.  One object:
 *
 *   {"root": "/abs/root", "cmd": "python3 stage.py",
 *    "paths": [
 *     {"path": "input", "class": ["read"], "input": true, "output": false,
 *      "type": "file", "size": 14, "md5": "77c5...", "pids": [4242]},
 *     {"path": "out.tmp", "class": ["created", "temporary"], ...,
 *      "type": "missing", "pids": [4242], "renamed_to": ["out"]},
 *     ...],
 *    "inputs": [...], "outputs": [...], "deleted": [...], "warnings": [...]}
 *
 * class: any of read, executed, written, created, deleted, temporary (in
 * that order); type: file, directory or missing (gone at the end: no size
 * nor md5); md5 and size where hashed (nfiles for a directory output);
 * "rewritten": true for read-then-rewritten outputs; "within": the
 * directory output a path is inside; renamed_to / renamed_from when it was
 * renamed.  Paths sorted by path, byte order.
 */
#ifndef RUNTRACE_FILES_JSON_H
#define RUNTRACE_FILES_JSON_H

#include "files/view.h"
#include "util/strbuf.h"

void rt_files_json(struct strbuf *out, const char *cmd, const struct rt_files_view *v);

/* Write it as @file.  0 or -errno (message on stderr). */
int rt_files_json_write(const char *file, const char *cmd, const struct rt_files_view *v);

#endif
