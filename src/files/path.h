/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Paths as `runtrace deps` writes them: joined and normalised lexically
 * (".", "..", "//" and a trailing "/" gone; symlinks are not resolved, so a
 * path reads as the process used it), made relative to the root, filtered
 * by the ignore rules.  Pure string work, except rt_files_find_root.
 */
#ifndef RUNTRACE_FILES_PATH_H
#define RUNTRACE_FILES_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/*
 * Append to @out (reset first) the absolute normalised path of @path taken
 * relative to the absolute directory @base (ignored if @path is absolute;
 * @base may be NULL then).  ".." at "/" stays at "/", as the kernel does.
 * Returns 0, or -EINVAL if @path is relative and @base is NULL or not
 * absolute.
 */
int rt_path_join(struct strbuf *out, const char *base, const char *path);

/*
 * @abs relative to the directory @root (both absolute and normalised):
 * a pointer into @abs past "@root/", "" if @abs is @root itself, NULL if
 * @abs is outside @root.
 */
const char *rt_path_under(const char *abs, const char *root);

/*
 * Append to @out (reset first) absolute @abs written relative to the
 * absolute directory @dir (both normalised): "x/y", "../x", "." for @dir
 * itself.
 */
void rt_path_rel(struct strbuf *out, const char *abs, const char *dir);

/* Whether @abs is /proc, /sys or /dev or below them: never listed. */
bool rt_path_pseudo(const char *abs);

/*
 * Whether path @p (relative or absolute, normalised) is ignored by @globs:
 * a glob without '/' is matched (fnmatch) against every component of @p,
 * so "__pycache__" drops the directory and all below it and "*.pyc" every
 * such file; a glob with '/' is matched against @p and each of its
 * leading directories ("out/tmp" drops out/tmp/x).
 */
bool rt_path_ignored(const char *p, const char *const *globs, size_t nglobs);

/* The globs nothing is listed under: .git, .dvc, __pycache__, *.pyc. */
extern const char *const rt_path_default_ignore[];
extern const size_t rt_path_default_nignore;

/*
 * The default root for @cwd (absolute): the nearest directory at or above
 * it that holds a ".git" (directory, or file of a worktree), else @cwd.
 * Returns a malloc'd normalised path, or NULL with errno set.
 */
char *rt_files_find_root(const char *cwd);

/*
 * The command line @argv as a POSIX shell reads it back (what DVC's cmd
 * holds): words joined by spaces, each quoted as Python's shlex.quote does
 * (left bare if made only of [A-Za-z0-9@%+=:,./_-], else in single quotes).
 */
void rt_path_cmdline(struct strbuf *out, char *const *argv);

#endif
