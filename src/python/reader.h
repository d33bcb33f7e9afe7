/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading CPython from outside the process: thread states, interpreter
 * frames, code objects and objects, through a struct memreader.
 *
 *	struct pytarget t;
 *	pytarget_find(sp, &t);                        // symbols/proc.h: _PyRuntime, version
 *	struct memreader *mem = memreader__new_pid(pid);
 *	struct pyreader *r = pyreader__new(mem, t.offsets, t.runtime_addr);
 *	struct py_thread *th; size_t nth;
 *	pyreader__threads(r, &th, &nth);
 *	struct py_frame *fr; size_t nfr;
 *	pyreader__stack(r, th[0].frame, 64, &fr, &nfr);  // newest first
 *	printf("%s %s:%d\n", fr[0].code->qualname, fr[0].code->filename, fr[0].line);
 *	struct py_local *loc; size_t nloc;
 *	pyreader__locals(r, &fr[0], &PYVAL_LIMITS_DEFAULT, &loc, &nloc);
 *	pyval_repr(loc[0].value, &sb);                 // python/value.h
 *	py_locals_free(loc, nloc); free(fr); free(th);
 *	pyreader__free(r); memreader__free(mem);
 *
 * Nothing here stops the target: a caller that wants a consistent view
 * stops the thread (or the process) around the reads, or accepts an error
 * (-EFAULT, -EINVAL on a value that makes no sense) when the target moved.
 */
#ifndef RUNTRACE_PYTHON_READER_H
#define RUNTRACE_PYTHON_READER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "python/mem.h"
#include "python/value.h"
#include "runtrace/python.h"

struct symproc;

/* Where a process's CPython is. */
struct pytarget {
	char module[PATH_MAX];  /* the object that holds _PyRuntime (the
				 * executable, or libpython3.X.so) */
	__u32 version;          /* PY_VERSION_HEX (Py_Version, else the file name) */
	__u64 runtime_addr;     /* runtime address of _PyRuntime */
	const struct rt_py_offsets *offsets; /* NULL: version not supported */
};

/* Find CPython among @sp's loaded objects.  0, -ENOENT (not a CPython
 * process), -ENOTSUP (a version without a layout table: t->version set). */
int pytarget_find(const struct symproc *sp, struct pytarget *t);
/* The version of a CPython binary from its Py_Version symbol (3.11+),
 * else from its file name ("python3.11", "libpython3.11.so.1.0": micro 0).
 * 0 or -ENOENT. */
int pytarget_version_of(const char *path, __u32 *version);

struct py_thread {
	__u64 tstate;            /* PyThreadState address */
	__u64 thread_id;         /* threading.get_ident() */
	__u64 native_thread_id;  /* threading.get_native_id(), the tid */
	__u64 frame;             /* current _PyInterpreterFrame, 0 if none */
	bool holds_gil;          /* the runtime's current tstate (3.11) */
};

struct py_code {
	__u64 addr;
	char *name;              /* co_name */
	char *qualname;          /* co_qualname */
	char *filename;          /* co_filename */
	int firstlineno;
	int argcount;
	int flags;               /* co_flags (CO_GENERATOR 0x20, CO_COROUTINE 0x80 ...) */
	int firsttraceable;      /* first traceable code unit (3.11) */
	size_t nlocalsplus;
	char **localsplusnames;  /* nlocalsplus names */
	__u8 *localspluskinds;   /* nlocalsplus RT_CO_FAST_* bytes */
	__u8 *linetable;         /* co_linetable bytes */
	size_t linetable_len;
};

struct py_frame {
	__u64 addr;              /* _PyInterpreterFrame address */
	__u64 previous;          /* the caller's frame, 0 at the bottom */
	const struct py_code *code; /* owned by the reader's cache */
	int lasti;               /* index of the last code unit started, -1 before the first */
	int line;                /* current line (co_firstlineno before the first instruction) */
	int owner;               /* enum _frameowner: 0 thread, 1 generator, 2 frame object */
	bool incomplete;         /* still in its prologue: CPython hides it */
	__u64 func, globals, builtins, locals; /* PyObject * (locals may be 0) */
};

struct py_local {
	const char *name;        /* owned by the code object */
	__u8 kind;               /* RT_CO_FAST_* */
	__u64 addr;              /* the object (after the cell for cells/free vars) */
	struct pyval *value;     /* decoded */
};

struct pyreader;

/* A reader of the CPython whose _PyRuntime is at @runtime_addr, with
 * layout @off.  @mem stays the caller's. */
struct pyreader *pyreader__new(struct memreader *mem, const struct rt_py_offsets *off,
			       __u64 runtime_addr);
void pyreader__free(struct pyreader *r);
struct memreader *pyreader__mem(const struct pyreader *r);
const struct rt_py_offsets *pyreader__offsets(const struct pyreader *r);
/* Forget cached code objects and types (and the memreader's bytes): for a
 * long-lived reader whose target may free and reuse them. */
void pyreader__invalidate(struct pyreader *r);

/* The thread states of the main interpreter, newest first (malloc'd).
 * 0 or -errno. */
int pyreader__threads(struct pyreader *r, struct py_thread **out, size_t *n);
/* One frame at @addr. 0 or -errno. */
int pyreader__frame(struct pyreader *r, __u64 addr, struct py_frame *f);
/* The frames from @frame down to the bottom, newest first, incomplete
 * ones left out as CPython's own tracebacks do, at most @max (malloc'd).
 * 0 or -errno (the frames read so far are returned with -EFAULT). */
int pyreader__stack(struct pyreader *r, __u64 frame, size_t max, struct py_frame **out,
		    size_t *n);
/* The code object at @addr, cached by address.  NULL with errno. */
const struct py_code *pyreader__code(struct pyreader *r, __u64 addr);
/* __name__ of the frame's globals (cached by dict), else NULL. */
const char *pyreader__module_of(struct pyreader *r, const struct py_frame *f);

/* The fast locals of @f that are bound (cells and free variables
 * dereferenced), decoded within @lim.  0 or -errno. */
int pyreader__locals(struct pyreader *r, const struct py_frame *f,
		     const struct pyval_limits *lim, struct py_local **out, size_t *n);
void py_locals_free(struct py_local *l, size_t n);

/* Decode the object at @addr within @lim (NULL: PYVAL_LIMITS_DEFAULT).
 * Memory that cannot be read gives a PYV_UNREADABLE node (the root too);
 * NULL only on ENOMEM.  pyval_free() it. */
struct pyval *pyreader__decode(struct pyreader *r, __u64 addr, const struct pyval_limits *lim);
/* What the reader knows of an object's type (owned by the reader's cache:
 * valid until pyreader__invalidate or pyreader__free). */
struct py_type_info {
	__u64 addr;              /* the type object */
	const char *name;        /* tp_name ("int", "Point", "collections.OrderedDict") */
	const char *module;      /* a heap type's __module__, NULL for static types */
	const char *qualname;    /* a heap type's __qualname__, NULL for static types */
	__u64 flags;             /* tp_flags (RT_TPFLAGS_*: the subclass bits) */
	enum pyval_kind kind;    /* how its instances decode */
	bool heap;               /* a heap type (a class statement) */
};

/* The type of the object at @addr.  0 or -errno. */
int pyreader__type_of(struct pyreader *r, __u64 addr, struct py_type_info *out);
/* The type object at @type itself.  0 or -errno. */
int pyreader__type_at(struct pyreader *r, __u64 type, struct py_type_info *out);

/* Called per item with the key's and the value's addresses; a non-zero
 * return stops the walk and is returned. */
typedef int (*py_item_fn)(void *arg, __u64 key, __u64 value);
/* The items of the dict (or dict subclass) at @dict in insertion order, at
 * most @max; *@total (may be NULL): its size.  0, @fn's stop value, or
 * -errno. */
int pyreader__dict_items(struct pyreader *r, __u64 dict, size_t max, py_item_fn fn, void *arg,
			 size_t *total);
/* The attributes of the object at @obj (its __dict__, or the values inlined
 * beside its type's shared keys), as pyreader__dict_items; none if it has
 * no __dict__. */
int pyreader__attrs(struct pyreader *r, __u64 obj, size_t max, py_item_fn fn, void *arg,
		    size_t *total);

/* A str object's text as UTF-8, at most @max bytes (*@truncated then). */
int pyreader__read_str(struct pyreader *r, __u64 addr, size_t max, char **out, bool *truncated);
/* The type name of the object at @addr ("int", "Point") into @buf. */
int pyreader__type_name(struct pyreader *r, __u64 addr, char *buf, size_t len);

/* PyCode_Addr2Line on a 3.11/3.12 location table: the line of the code
 * unit at byte offset @addrq (2 * index), or @firstlineno for addrq < 0,
 * -1 for an instruction without a line.  Pure. */
int py_linetable_addr2line(const __u8 *table, size_t len, int firstlineno, int addrq);

#endif
