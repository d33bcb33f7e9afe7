/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Make-format depfile of `runtrace deps -M`: one rule, the outputs as
 * targets and the inputs as prerequisites, sorted by path.  What make and ninja (depfile =,
 * deps = gcc) read back; ninja wants the rule's first output first among
 * the targets and every target to be an output of its edge.
 */
#ifndef RUNTRACE_FILES_DEPFILE_H
#define RUNTRACE_FILES_DEPFILE_H

#include <stdbool.h>

#include "files/view.h"
#include "util/strbuf.h"

/*
 * Append @path escaped as GCC writes depfiles (libcpp/mkdeps.cc), which
 * make and ninja's depfile parser (src/depfile_parser.in.cc) read back: a
 * space is "\ " with the backslashes before it doubled, '#' is "\#", '$'
 * is "$$".  Returns false (nothing appended) for a path no depfile can
 * hold: a newline, carriage return or tab in it, or a trailing ':' or
 * '\\'.
 */
bool rt_depfile_escape(struct strbuf *out, const char *path);

/* The depfile text of @v into @out; paths below the root written relative
 * to the absolute directory @dir (where make or ninja runs: the command's
 * starting directory, as gcc -MD writes them), or as the view writes them
 * if @dir is NULL; paths that cannot be written are left out with a
 * warning on stderr.  Returns how many were left out. */
int rt_depfile_text(struct strbuf *out, const struct rt_files_view *v, const char *dir);

/* Write it as @file.  0 or -errno (message on stderr). */
int rt_depfile_write(const char *file, const char *dir, const struct rt_files_view *v);

#endif
