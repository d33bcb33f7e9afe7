/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The functions a user asks `runtrace profile` for, named as the user
 * names them, and the slots they get (a bit each in the kernel's masks).
 * Pure: no I/O.
 *
 *   func, Class.method, module.func, module.Class.method
 *                       a Python function in a Python process, else a
 *                       native symbol ("ns::Klass::method" too)
 *   path/to/file.py:func, file.py:Class.method
 *                       a Python function of that file
 *   libfoo.so:symbol, ./app:symbol
 *                       a native symbol of that object (symproc__resolve)
 *
 * A Python name matches a code object when it is the last dotted
 * components of one of its full names: its co_qualname, the same with the
 * ".<locals>" parts left out, and each of those after its module's
 * __name__ and after its file's base name (without ".py").  So "run"
 * matches every function or method named run, "Runner.run" the method of
 * class Runner in any module, "app.Runner.run" only in module app (or in
 * app.py run as a script), and "outer.inner" a function defined in outer.
 */
#ifndef RUNTRACE_PROFILE_FUNCS_H
#define RUNTRACE_PROFILE_FUNCS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "runtrace/profile.h"

enum pf_kind {
	PF_ANY,     /* func, a.b.c: Python in a Python process, else native */
	PF_PYFILE,  /* file.py:func */
	PF_NATIVE,  /* lib:symbol */
};

struct pf_spec {
	char *text;        /* as the user wrote it */
	enum pf_kind kind;
	char *file;        /* PF_PYFILE: the file part */
	char *name;        /* the dotted name (PF_ANY, PF_PYFILE) */
};

/* Parse @text.  0, or -EINVAL with a one-line reason in @err. */
int pf_spec_parse(const char *text, struct pf_spec *out, char *err, size_t errlen);
void pf_spec_free(struct pf_spec *s);

/* A Python code object, as the matcher sees it. */
struct pf_pycode {
	const char *name;      /* co_name */
	const char *qualname;  /* co_qualname */
	const char *filename;  /* co_filename */
	const char *module;    /* its globals' __name__, NULL if unknown */
};

/* Whether Python name @s (PF_ANY or PF_PYFILE) is code object @c. */
bool pf_spec_matches_py(const struct pf_spec *s, const struct pf_pycode *c);

/* One function asked for. */
struct pf_func {
	struct pf_spec spec;
	unsigned slot;         /* its bit in the kernel's masks */
	bool native;           /* looked for as a native symbol */
	bool resolved;         /* native: found in the process (its range is set) */
	__u64 start, end;      /* native: its address range [start, end] */
};

/* The functions asked for, in the order asked. */
struct pf_funcs {
	struct pf_func v[RT_PROFILE_SLOTS];
	size_t n;
};

/* Add the function named @text (if it is not there yet) with the first
 * free slot: 0 and *@added (false: already there), -EINVAL bad name (@err
 * says why), -ENOSPC all slots taken. */
int pf_funcs_add(struct pf_funcs *fs, const char *text, bool *added, char *err, size_t errlen);
/* Remove the function named @text: 0, or -ENOENT. *@slot gets the slot
 * it had. */
int pf_funcs_remove(struct pf_funcs *fs, const char *text, unsigned *slot);
/* The function named @text, or NULL. */
struct pf_func *pf_funcs_find(struct pf_funcs *fs, const char *text);
void pf_funcs_clear(struct pf_funcs *fs);
/* The slots of the Python functions that are code object @c. */
__u64 pf_funcs_py_mask(const struct pf_funcs *fs, const struct pf_pycode *c);

#endif
