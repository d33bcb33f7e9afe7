/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `runtrace deps` reports, from the model's final state and what the
 * paths hold at the end of the run: every path with its classes, sorted by
 * path (byte order, strcmp), inside the root (relative to it) or, with
 * --all, outside it too (absolute).  Building is pure: the state of the
 * file system comes through a callback (rt_files_stat_real in files/fsio.h
 * for the real one).
 *
 * The rules:
 * - input: a file read, mapped or executed while it still held what it
 *   held before the run (so it existed before), that still exists, and is
 *   not an output.  A CPython cache __pycache__/NAME.*.pyc read counts as a
 *   read of NAME.py (CPython checked the source and ran its compiled form).
 *   Directories are never inputs (opening one to list it or chdir into it).
 * - output: exists at the end and the command created it, replaced its
 *   content (O_TRUNC, truncate, rename onto it, link), or opened it for
 *   writing and its mtime is at or after the start of the run.  No
 *   read()/write() records needed: the kernel sets the mtime on every
 *   write, and a file opened for writing and left alone keeps its old mtime.
 *   Read and then rewritten: an output, with a warning (DVC forbids a path
 *   in both deps and outs).
 * - a directory the command made (mkdir, or renamed from one it made) that
 *   exists at the end is one output, and outputs below it are inside it
 *   (not listed on their own) unless --files; with --files directories are
 *   not listed.
 * - deleted: seen existing before the command changed it and gone at the
 *   end (unlinked, rmdir'd, renamed away).  A warning for DVC.
 * - temporary: created or written by the command and gone at the end
 *   without having existed before: neither input nor output.
 * - renamed: the names a path was renamed to and from (tmp-then-rename:
 *   the final name is the output, the temporary name is gone).
 */
#ifndef RUNTRACE_FILES_VIEW_H
#define RUNTRACE_FILES_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "files/model.h"

/* What a path is at the end of the run. */
struct rt_files_facts {
	bool exists;    /* stat(2) succeeded (lstat for a dangling symlink) */
	bool is_dir;
	bool is_exec;   /* a regular file with an x bit (DVC's isexec) */
	__u64 size;
	__s64 mtime_ns; /* CLOCK_REALTIME */
};

/* Fill @f for absolute @path; a missing path is exists = false and 0.
 * Other errors: -errno (the build fails with it). */
typedef int (*rt_files_stat_fn)(void *ctx, const char *path, struct rt_files_facts *f);

/* Classes of an entry. */
enum {
	RT_FC_READ = 1u << 0,      /* read (or mapped) while it held its pre-run content */
	RT_FC_EXECUTED = 1u << 1,  /* executed */
	RT_FC_WRITTEN = 1u << 2,   /* content replaced or modified by the command */
	RT_FC_CREATED = 1u << 3,   /* did not exist before: the command made it */
	RT_FC_DELETED = 1u << 4,   /* existed before, gone at the end */
	RT_FC_TEMPORARY = 1u << 5, /* made or written by the command, gone at the end */
};

struct rt_files_entry {
	char *path;           /* as written: relative to the root, or absolute outside it */
	const char *abspath;  /* absolute (the node's) */
	const struct rt_files_node *node;
	unsigned cls;         /* RT_FC_* */
	bool input;           /* listed as an input (a dep) */
	bool output;          /* listed as an output (an out); a directory when facts.is_dir */
	bool rewritten;       /* read, then rewritten: output only, with a warning */
	const char *within;   /* the directory output it is inside (--files not given), or NULL */
	struct rt_files_facts facts; /* at the end of the run */
	/* filled by rt_files_view_hash (files/fsio.h): */
	char md5[40];         /* hex digest, "<hex>.dir" for a directory; "" if not hashed */
	__u64 size;           /* bytes (a directory: of all its files) */
	__u64 nfiles;         /* a directory: files inside */
	bool hashed;
	char **renamed_to;    /* names (as written) it was renamed to; NULL-terminated */
	char **renamed_from;  /* names renamed onto it; NULL-terminated */
};

struct rt_files_view {
	struct rt_files_entry *v; /* sorted by path, byte order */
	size_t n;
	char **warnings;          /* one line each, without "runtrace: " */
	size_t nwarnings;
	char *root;
};

struct rt_files_view_opts {
	const char *root;          /* absolute; paths below it are written relative to it */
	bool all;                  /* --all: keep paths outside the root (written absolute) */
	bool files;                /* --files: list the files of a directory output */
	const char *const *ignore; /* --ignore GLOBs, on top of rt_path_default_ignore */
	size_t nignore;
	__s64 start_ns;            /* CLOCK_REALTIME_COARSE at the start of the run */
};

/* Build @out from model @m, with @st for the state of each path.  0, or
 * -errno (what @st returned, -ENOMEM).  The view points into the model's
 * nodes: free it before the model. */
int rt_files_view_build(const struct rt_files *m, const struct rt_files_view_opts *o,
			rt_files_stat_fn st, void *ctx, struct rt_files_view *out);
void rt_files_view_free(struct rt_files_view *v);

/* The entry of @path (as written), or NULL. */
struct rt_files_entry *rt_files_view_find(const struct rt_files_view *v, const char *path);

#endif
