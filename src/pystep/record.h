/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The step record, as Willow's Python tracer writes it (so its front end
 * can show it):
 *
 *   {"steps": [{"snapshot": {"event": "line", "stack": [...], "heap": {...}},
 *               "print": "..."}, ...,
 *              {"error": {...}, "print": "..."}]}
 *
 * The value rules (ps_value_of), heap objects with ids kept from step to
 * step (ps_heap), and the JSON text.  Pure: values come in decoded
 * (python/value.h) with their types (python/reader.h's py_type_info);
 * heap objects are asked for through a callback, so the unit tests feed
 * plain data and the tracer feeds memory it reads.
 */
#ifndef RUNTRACE_PYSTEP_RECORD_H
#define RUNTRACE_PYSTEP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "python/reader.h"
#include "python/value.h"
#include "util/strbuf.h"

/* A value as the record shows it. */
enum ps_val_kind {
	PSV_STR,     /* a JSON string: str, bool, None, complex, big numbers,
		      * "<class 'name'>" for classes and for other objects */
	PSV_NUM,     /* a JSON number (int and float below 2**53 in magnitude) */
	PSV_REF,     /* a heap object: [id] */
};

enum ps_category {
	PS_LIST = 1, /* list, tuple (and subclasses): members 0..n-1 */
	PS_SET,      /* set (and subclasses) */
	PS_MAP,      /* dict (and subclasses); instances of the program's classes */
};

struct ps_val {
	enum ps_val_kind kind;
	char *text;            /* STR (UTF-8, may hold NULs), NUM */
	size_t len;
	__u64 addr;            /* REF: the object (its identity) */
	enum ps_category cat;  /* REF */
	bool attrs;            /* REF, PS_MAP: an instance (members: its attributes) */
};

void ps_val_clear(struct ps_val *v);

/* The object's type's name as Python's str(type) shows it: "<class
 * 'int'>", "<class '__main__.Point'>", "<class 'collections.deque'>". */
void ps_class_str(const struct py_type_info *t, struct strbuf *sb);

/*
 * The value rules.  @v: the object decoded with containers cut (depth 0);
 * @t: its type; @as_type: when @v is a class (PYV_TYPE), what the class
 * itself is (else NULL); @main_module: the program's module name
 * ("__main__").  0 or -ENOMEM.
 *   str, bool, None, complex   str(): "abc", "True", "None", "(1+2j)"
 *   int, float                 a number if |x| < 2**53, else str(): "9007199254740992", "inf"
 *   a class                    str(): "<class '__main__.Point'>"
 *   list, tuple (subclasses)   [id], category list
 *   set (subclasses)           [id], category set
 *   dict (subclasses)          [id], category map
 *   an instance of a class of the program's module
 *                              [id], category map, members its attributes
 *   anything else              str(type(obj)): "<class 'function'>"
 */
int ps_value_of(const struct pyval *v, const struct py_type_info *t,
		const struct py_type_info *as_type, const char *main_module, struct ps_val *out);

/* A member: a frame's variable (key: its name), an item of a heap object. */
struct ps_member {
	struct ps_val key;
	struct ps_val value;
};

/* A heap object's contents, as the callback fills them. */
struct ps_obj {
	char *type;              /* type(obj).__name__ */
	struct ps_member *m;
	size_t n;
};

void ps_obj_clear(struct ps_obj *o);

/* Fill @out with the object @ref refers to (its members' values by the
 * value rules).  0 or -errno (the object is shown with no members). */
typedef int (*ps_expand_fn)(void *ctx, const struct ps_val *ref, struct ps_obj *out);

/* A frame of the stack, oldest first. */
struct ps_frame {
	const char *name;        /* co_name */
	int line;                /* 0-based */
	struct ps_member *m;     /* its variables, '_' names already left out */
	size_t n;
};

/* Heap ids from step to step: an object keeps the id it had in the
 * previous step, else gets the next one. */
struct ps_heap;

struct ps_heap *ps_heap__new(ps_expand_fn expand, void *ctx, size_t max_objects);
void ps_heap__free(struct ps_heap *h);

/* Append one snapshot {"event": ..., "stack": [...], "heap": {...}} to
 * @sb, asking for every heap object reachable from the frames' members.
 * Heap objects past max_objects are shown by their class.  0 or -errno. */
int ps_heap__snapshot(struct ps_heap *h, const char *event, const struct ps_frame *frames,
		      size_t nframes, struct strbuf *sb);

/* The record around the steps. */
void ps_record_begin(struct strbuf *sb);
/* A step: snapshot JSON (from ps_heap__snapshot) and what was printed. */
void ps_record_step(struct strbuf *sb, bool first, const char *snapshot, size_t snap_len,
		    const char *print, size_t print_len);
/* {"error": {"cause": @cause}, "print": ...} */
void ps_record_cause(struct strbuf *sb, bool first, const char *cause, const char *print,
		     size_t print_len);
/* {"error": {"exception": {"type": @type, "traceback": ...}}, "print": ...} */
void ps_record_exception(struct strbuf *sb, bool first, const char *type, const char *tb,
			 size_t tb_len, const char *print, size_t print_len);
void ps_record_end(struct strbuf *sb);

/* The exception's name in the last line of a traceback ("ValueError:
 * ..." or "json.decoder.JSONDecodeError: ...": the part after the last
 * dot) into @buf; "" if none.  For a SyntaxError, which has no traceback
 * header. */
void ps_exception_name(const char *tb, size_t len, char *buf, size_t buflen);

#endif
