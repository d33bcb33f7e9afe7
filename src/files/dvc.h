/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DVC outputs of `runtrace deps`, written with libyaml: a single-stage
 * .dvc file (-f), and one stage of dvc.yaml + dvc.lock (--dvc-stage),
 * keeping the other stages of those files.  The view must be hashed
 * (rt_files_view_hash) first.  Entries in both lists are sorted by path,
 * byte order, as DVC sorts them.
 */
#ifndef RUNTRACE_FILES_DVC_H
#define RUNTRACE_FILES_DVC_H

#include <stdbool.h>

#include "files/view.h"
#include "util/strbuf.h"

/*
 * The single-stage DVC file @file (absolute), in this form and key order:
 *
 *   cmd: CMD
 *   deps:
 *   - path: P
 *     md5: HEX
 *   outs:
 *   - path: P
 *     cache: true
 *     md5: HEX             (HEX.dir for a directory)
 *   meta:
 *     created-by: runtrace
 *
 * (an empty deps or outs is left out, as DVC does).  @wdir is the absolute
 * directory the command ran in (NULL: the directory of @file); when it is
 * not the directory of @file, "wdir: REL" follows cmd (DVC runs the
 * command there) and paths are relative to it.  Paths outside the root
 * are absolute.  0 or -errno, one message on stderr.
 */
int rt_dvc_write_file(const char *file, const char *cmd, const char *wdir,
		      const struct rt_files_view *v);

/* The text rt_dvc_write_file writes, into @out.  0 or -EINVAL (a path that
 * is not UTF-8, an entry not hashed; message on stderr). */
int rt_dvc_file_text(struct strbuf *out, const char *file, const char *cmd, const char *wdir,
		     const struct rt_files_view *v);

/*
 * Add stage @name, or update it, in @dir/dvc.yaml (cmd; deps and outs as
 * paths; the stage's other keys and an out's own options are kept) and
 * @dir/dvc.lock (schema '2.0'; the stage replaced: cmd, then deps and outs
 * each with path, hash: md5, md5, size, and isexec: true for an executable
 * file, nfiles for a directory).
 * Other stages and keys stay as they were (comments do not survive: libyaml
 * does not keep them).  @wdir is the absolute directory the command ran in
 * (NULL: the root, v->root, where dvc.yaml is); below the root, the stage
 * gets "wdir: REL" (DVC runs the command there; an old wdir is removed
 * otherwise) and its paths, in dvc.yaml and dvc.lock, are relative to it.
 * 0 or -errno, one message on stderr.
 */
int rt_dvc_update_stage(const char *dir, const char *name, const char *cmd, const char *wdir,
			const struct rt_files_view *v);

/* The same on texts: @yaml_in/@lock_in the current files (NULL or "" for
 * none), the new ones appended to @yaml_out and @lock_out.  @what names
 * the files in messages. */
int rt_dvc_stage_text(const char *yaml_in, const char *lock_in, const char *name,
		      const char *cmd, const char *wdir, const struct rt_files_view *v,
		      struct strbuf *yaml_out, struct strbuf *lock_out, const char *what);

/* Whether @s written as a plain YAML scalar reads back as the same string
 * under YAML 1.1 (PyYAML) and 1.2 (ruamel, which DVC uses): not a null,
 * bool, int, float, timestamp or merge key.  Others are single-quoted. */
bool rt_yaml_plain_is_str(const char *s);

#endif
