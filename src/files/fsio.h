/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The file system side of `runtrace deps`, once the command is done: what
 * each path is (stat), md5 digests (libmd) of files and, as DVC computes
 * them, of directories, and writing an output file in one rename.
 */
#ifndef RUNTRACE_FILES_FSIO_H
#define RUNTRACE_FILES_FSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "files/view.h"
#include "util/strbuf.h"

/* rt_files_stat_fn over stat(2), lstat(2) for a dangling symlink. */
int rt_files_stat_real(void *ctx, const char *path, struct rt_files_facts *f);

/* The md5 of file @path as 32 lowercase hex digits into @hex, and its
 * size.  0 or -errno. */
int rt_files_md5_file(const char *path, char hex[33], __u64 *size);

/* One file of a directory, for its DVC hash. */
struct rt_dvc_dir_file {
	char *relpath;  /* below the directory, '/'-separated */
	char md5[33];
	__u64 size;
};

/*
 * The DVC hash of directory @path, as dvc-data computes it
 * (dvc_data/hashfile/tree.py: Tree.digest): the md5 of
 * json.dumps(sorted list of {"md5": ..., "relpath": ...}, sort_keys=True)
 * encoded in UTF-8, then ".dir".  The files are the regular files below
 * @path (symlinks followed), skipping what DVC always ignores (".git",
 * ".hg/", ".dvc/"; a .dvcignore is not read).  Into @hex (36 chars + NUL)
 * with the number of files and their total size.  0 or -errno.
 */
int rt_files_md5_dir(const char *path, char hex[40], __u64 *nfiles, __u64 *size);

/* The next code point of [*@p, @end), advancing *@p, as Python's
 * os.fsdecode reads a file name: UTF-8, and a byte that starts no valid
 * sequence as the lone surrogate U+DC00 + byte. */
unsigned rt_fsdecode_cp(const unsigned char **p, const unsigned char *end);

/* The JSON text DVC hashes for @files (sorted here by relpath, by code
 * point as Python sorts str), exactly as Python's json.dumps(...,
 * sort_keys=True) writes it: ", " and ": " separators, non-ASCII as
 * \uXXXX (lowercase hex, surrogate pairs), bytes that are not UTF-8 as
 * the lone surrogates os.fsdecode gives them.  Exported for the tests. */
void rt_dvc_dir_json(struct strbuf *out, struct rt_dvc_dir_file *files, size_t n);

/*
 * Hash the entries of @v that exist: files (md5 and size), directory
 * outputs (DVC's .dir hash, nfiles, size).  @all: every existing entry;
 * else only inputs and outputs.  0 or -errno (the failed path in a
 * message on stderr).
 */
int rt_files_view_hash(struct rt_files_view *v, bool all);

/* Write @len bytes as @path: a temporary file beside it, then rename(2);
 * mode 0666 less the umask.  One message on stderr on failure.  0 or
 * -errno. */
int rt_files_write_atomic(const char *path, const void *data, size_t len);

#endif
