/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `runtrace calls -f` takes, as plain data (pure, unit-tested):
 *
 *   module.func, module.Class.method, Class.method   a Python function, or
 *                                                   a builtin (io.open)
 *   audit:NAME                                       a Python audit event
 *   LIB:SYMBOL[(TYPE, ...)][ -> TYPE]                a native function
 *
 * Native TYPEs: int, uint (32 bits), long, ulong, size_t, ssize_t (64),
 * hex, ptr, str (a C string), char; `...` ends the list.  The return type defaults to int.
 * --error-if: `ret OP NUMBER`, OP one of < <= > >= == !=.
 */
#ifndef RUNTRACE_CALLS_SPEC_H
#define RUNTRACE_CALLS_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum call_spec_kind {
	CALL_SPEC_PYTHON = 1,   /* a dotted name: a Python function or a builtin */
	CALL_SPEC_AUDIT = 2,
	CALL_SPEC_NATIVE = 3,
};

enum call_ctype {
	CT_NONE = 0,            /* no value (a return type of void) */
	CT_INT, CT_UINT, CT_HEX, CT_PTR, CT_STR, CT_CHAR,
	CT_LONG, CT_ULONG,       /* 64 bits (int and uint are 32) */
};

#define CALL_SIG_MAX 6          /* register arguments decoded */

struct call_sig {
	bool given;             /* a signature was written */
	int nargs;              /* types given (<= CALL_SIG_MAX) */
	enum call_ctype args[CALL_SIG_MAX];
	enum call_ctype ret;    /* CT_INT by default */
};

struct call_spec {
	enum call_spec_kind kind;
	char *text;             /* the spec as given, for messages */
	char *name;             /* PYTHON: the dotted name; AUDIT: the event;
				 * NATIVE: the symbol (C++ demangled allowed) */
	char *lib;              /* NATIVE: the object ("libc", "./app", a path) */
	struct call_sig sig;    /* NATIVE */
};

/* Parse one -f value.  0, or -EINVAL with a one-line reason in @err. */
int call_spec_parse(const char *s, struct call_spec *out, char *err, size_t errlen);
void call_spec_free(struct call_spec *s);

/* A -F file: one spec per line, '#' comments and blank lines ignored.
 * Calls @add for each; 0 or the first error (reason with the line number). */
int call_spec_file_parse(const char *text, int (*add)(void *ctx, const char *spec,
						     char *err, size_t errlen),
			 void *ctx, char *err, size_t errlen);

/* The ways a dotted name may split into a module and a qualname:
 * "a.b.c" -> qualnames "c", "b.c", "a.b.c".  @i-th suffix (from the
 * shortest), NULL past the last. */
const char *call_spec_suffix(const char *name, int i);

/* --error-if */
enum call_cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

struct call_errif {
	bool set;
	enum call_cmp op;
	__s64 value;
};

int call_errif_parse(const char *s, struct call_errif *out, char *err, size_t errlen);
bool call_errif_match(const struct call_errif *e, __s64 ret);

/* A register's value as type @t sees it (int: the low 32 bits, signed). */
__s64 call_ctype_value(enum call_ctype t, __u64 reg);

#endif
