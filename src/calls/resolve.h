/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Turning hook names into attach points before the target runs them.
 *
 * Builtins: runtrace runs the target's own interpreter once (never the
 * target's script) to look each dotted name up among the standard
 * library's modules: a builtin function gives its C function (PyMethodDef
 * ml_meth) as a file and an offset, identical in every process of that
 * binary, so the uprobe is in place before the target starts; a Python
 * function says "python"; a name whose module is not in the standard
 * library is left to the target ("unknown": matched by name when it runs).
 *
 * Native functions: "LIB:SYMBOL" in the executable or a library it links
 * (found in the system's library directories), or in a running process's
 * maps.
 */
#ifndef RUNTRACE_CALLS_RESOLVE_H
#define RUNTRACE_CALLS_RESOLVE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

enum builtin_kind {
	BUILTIN_UNKNOWN = 0,    /* not a standard-library name: the target decides */
	BUILTIN_C = 1,          /* a builtin: path + offset + ml_flags */
	BUILTIN_PYTHON = 2,     /* a Python function of the standard library */
	BUILTIN_MISSING = 3,    /* its module exists and has no such function */
	BUILTIN_NOTFUNC = 4,    /* it exists and is not a function (a class...) */
};

struct builtin_loc {
	enum builtin_kind kind;
	char path[PATH_MAX];
	__u64 offset;
	unsigned ml_flags;
	char why[128];          /* MISSING / NOTFUNC: what was found */
};

/* Pure: one line of the helper's answer, "KIND PATH OFFSET FLAGS" or
 * "KIND WHY...".  0 or -EINVAL. */
int builtin_parse_line(const char *line, struct builtin_loc *out);

/* Ask @python (an interpreter binary) about @names.  0, or -errno with a
 * message printed. */
int builtin_resolve(const char *python, char *const *names, size_t n, struct builtin_loc *out);

/* A native "LIB:SYMBOL" for a program not started yet: @exe is its
 * executable.  Fills @path and @offset (a leading endbr64 skipped).
 * 0, -ENOENT with the reason in @why. */
int native_resolve_file(const char *exe, const char *lib, const char *sym, char *path,
			size_t pathlen, __u64 *offset, char *why, size_t whylen);
/* The same in running process @pid. */
int native_resolve_pid(pid_t pid, const char *lib, const char *sym, char *path, size_t pathlen,
		       __u64 *offset, char *why, size_t whylen);

/* If the 4 bytes at @offset of @path are endbr64, @offset + 4 (the kernel
 * emulates what follows; it single-steps endbr64). */
__u64 skip_endbr(const char *path, __u64 offset);

#endif
