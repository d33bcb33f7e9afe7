/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A Python object decoded from the target: plain data, formatted as
 * Python's repr() would (pyval_repr) or as a JSON tree (pyval_json).
 * Containers hold their members up to the limits; the object's address is
 * its identity (id()), for a heap graph.
 */
#ifndef RUNTRACE_PYTHON_VALUE_H
#define RUNTRACE_PYTHON_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "util/strbuf.h"

enum pyval_kind {
	PYV_NONE,
	PYV_BOOL,
	PYV_INT,
	PYV_FLOAT,
	PYV_COMPLEX,
	PYV_STR,
	PYV_BYTES,
	PYV_TUPLE,
	PYV_LIST,
	PYV_DICT,
	PYV_SET,
	PYV_FROZENSET,
	PYV_INSTANCE,   /* an object of a class with a __dict__: members are its attributes */
	PYV_FUNCTION,   /* text: qualname */
	PYV_EXCEPTION,  /* members: args (an exception instance) */
	PYV_TYPE,       /* text: the class's name */
	PYV_MODULE,     /* text: the module's __name__ */
	PYV_CODE,       /* text: co_name */
	PYV_OTHER,      /* any other object: type and address only */
	PYV_CYCLE,      /* a container already being decoded above (repr "[...]") */
	PYV_CUT,        /* past the depth limit: type and address only */
	PYV_UNREADABLE, /* the memory could not be read */
};

struct pyval;

struct pyval_item {
	struct pyval *key;   /* dict key, attribute name (a str); NULL in sequences */
	struct pyval *value;
};

struct pyval {
	enum pyval_kind kind;
	__u64 addr;            /* id() of the object */
	char *type_name;       /* tp_name: "int", "Point", "collections.OrderedDict" */
	char *type_module;     /* a class's __module__, NULL for builtins */
	bool b;                /* PYV_BOOL */
	bool int_small;        /* PYV_INT fits in i */
	__s64 i;               /* PYV_INT when int_small */
	double f, imag;        /* PYV_FLOAT; PYV_COMPLEX real (f) and imag */
	char *text;            /* PYV_INT decimal; PYV_STR UTF-8; PYV_BYTES raw;
			        * FUNCTION/TYPE/MODULE/CODE names */
	size_t len;            /* bytes in text (PYV_BYTES may hold NULs) */
	bool truncated;        /* text or items were cut at the limits */
	size_t total;          /* elements the container holds (items may be fewer) */
	struct pyval_item *items;
	size_t n;
};

struct pyval_limits {
	unsigned depth;        /* containers nest at most this deep (root = 1) */
	size_t items;          /* elements read per container */
	size_t str_len;        /* characters read per str, bytes per bytes (ints
			        * are decoded whole up to ~4600 decimal digits) */
};

extern const struct pyval_limits PYVAL_LIMITS_DEFAULT; /* 4, 64, 256 */

void pyval_free(struct pyval *v);

/* Python's repr() of @v ("'it''s'" -> "\"it's\"", 0.1, (1,), {1: 'a'},
 * <__main__.Point object at 0x7f...>); cut parts as "...". */
void pyval_repr(const struct pyval *v, struct strbuf *sb);
/* Python's repr rules for one float (shortest round-trip, 1e+16, inf). */
void py_float_repr(double d, struct strbuf *sb);
/* repr of a str / bytes given as UTF-8 / raw bytes. */
void py_str_repr(const char *s, size_t len, struct strbuf *sb);
void py_bytes_repr(const unsigned char *s, size_t len, struct strbuf *sb);

/* A JSON object {"id": addr, "kind": "list", "type": "list", "value": ...,
 * "items": [{"key": ..., "value": ...}]} for tools that draw heap graphs. */
void pyval_json(const struct pyval *v, struct strbuf *sb);

const char *pyval_kind_name(enum pyval_kind k);

#endif
