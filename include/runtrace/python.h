/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CPython's layout, as the reader of a Python process needs it: offsets of
 * the fields of the runtime, interpreter, thread state, interpreter frame,
 * code object and the builtin objects, for one CPython version.
 *
 * Userspace picks the table for the target's version (src/python/layout.c)
 * and a BPF program may take it whole as a `const volatile` cfg global: a
 * frame walker needs only the runtime..code groups.  Every offset is in
 * bytes from the start of the object (PyObject *, not the GC header).
 * Only __u32/__u64 here.
 *
 * A BPF stack walker (3.11) needs, per sample:
 *   tstate: from a tid -> tstate map that userspace fills from
 *     pyreader__threads() (native_thread_id), or by walking
 *     interp_tstate_head/tstate_next comparing tstate_native_thread_id
 *     (bounded loop); 3.11 keeps no tstate in TLS;
 *   frame = *(tstate + tstate_cframe) -> + cframe_current_frame: 2 reads;
 *   per frame ONE read of iframe_localsplus (72) bytes at the frame:
 *     iframe_code, iframe_prev_instr, iframe_previous, iframe_owner;
 *   it sends (code address, prev_instr) pairs: userspace turns them into
 *   names and lines with its code-object cache (pyreader__code,
 *   py_linetable_addr2line with lasti = (prev_instr - code -
 *   code_adaptive) / 2), and leaves out incomplete frames (owner != 1 and
 *   lasti < _co_firsttraceable) as CPython does.  To match a function in
 *   the kernel, compare code addresses (userspace resolves names to code
 *   objects once; a code object lives as long as its function).
 */
#ifndef RUNTRACE_PYTHON_H
#define RUNTRACE_PYTHON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* An offset this version does not have. */
#define RT_PY_NONE 0xffffffffu

/* co_localspluskinds bits (Include/internal/pycore_code.h). */
#define RT_CO_FAST_LOCAL 0x20
#define RT_CO_FAST_CELL 0x40
#define RT_CO_FAST_FREE 0x80

/* tp_flags bits used by the decoder (Include/object.h). */
#define RT_TPFLAGS_MANAGED_DICT (1u << 4)  /* 3.11, 3.12 */
#define RT_TPFLAGS_HEAPTYPE (1u << 9)
#define RT_TPFLAGS_LONG_SUBCLASS (1u << 24)
#define RT_TPFLAGS_LIST_SUBCLASS (1u << 25)
#define RT_TPFLAGS_TUPLE_SUBCLASS (1u << 26)
#define RT_TPFLAGS_BYTES_SUBCLASS (1u << 27)
#define RT_TPFLAGS_UNICODE_SUBCLASS (1u << 28)
#define RT_TPFLAGS_DICT_SUBCLASS (1u << 29)
#define RT_TPFLAGS_BASE_EXC_SUBCLASS (1u << 30)
#define RT_TPFLAGS_TYPE_SUBCLASS (1u << 31)

struct rt_py_offsets {
	/* PY_VERSION_HEX of the release the table was taken from
	 * (major << 24 | minor << 16 | micro << 8). */
	__u32 version;

	/* _PyRuntimeState (the _PyRuntime symbol) */
	__u32 runtime_interp_head;   /* interpreters.head: newest interpreter */
	__u32 runtime_interp_main;   /* interpreters.main */
	__u32 runtime_tstate_current; /* gilstate.tstate_current: the GIL holder's tstate (3.11) */

	/* PyInterpreterState */
	__u32 interp_next;           /* next interpreter */
	__u32 interp_tstate_head;    /* threads.head: newest thread state */
	__u32 interp_modules;        /* sys.modules dict */

	/* PyThreadState */
	__u32 tstate_next;           /* next (older) thread state */
	__u32 tstate_interp;
	__u32 tstate_cframe;         /* _PyCFrame * (3.11, 3.12); RT_PY_NONE when the
				      * frame is in the tstate itself (3.13) */
	__u32 cframe_current_frame;  /* in _PyCFrame, or in PyThreadState when
				      * tstate_cframe is RT_PY_NONE */
	__u32 tstate_thread_id;      /* unsigned long: threading.get_ident() */
	__u32 tstate_native_thread_id; /* unsigned long: gettid() */
	__u32 tstate_curexc_type;    /* exception being raised (3.11), RT_PY_NONE after */
	__u32 tstate_curexc_value;   /* its value (3.11); current_exception (3.12) */

	/* _PyInterpreterFrame */
	__u32 iframe_func;           /* PyFunctionObject * */
	__u32 iframe_globals;
	__u32 iframe_builtins;
	__u32 iframe_locals;         /* dict or NULL (module and class bodies) */
	__u32 iframe_code;           /* f_code: PyCodeObject * */
	__u32 iframe_previous;       /* calling frame, NULL at the bottom */
	__u32 iframe_prev_instr;     /* _Py_CODEUNIT *: last instruction started */
	__u32 iframe_stacktop;       /* int */
	__u32 iframe_owner;          /* char: enum _frameowner */
	__u32 iframe_localsplus;     /* PyObject *localsplus[] */
	__u32 owner_cstack;          /* owner value of a C shim frame to skip
				      * (3.12), RT_PY_NONE in 3.11 */
	__u32 frameobj_frame;        /* PyFrameObject.f_frame: its _PyInterpreterFrame */

	/* PyCodeObject */
	__u32 code_flags;            /* int co_flags */
	__u32 code_argcount;         /* int */
	__u32 code_kwonlyargcount;   /* int */
	__u32 code_firstlineno;      /* int */
	__u32 code_nlocalsplus;      /* int */
	__u32 code_localsplusnames;  /* tuple of str */
	__u32 code_localspluskinds;  /* bytes, one RT_CO_FAST_* byte per name */
	__u32 code_filename;         /* str */
	__u32 code_name;             /* str */
	__u32 code_qualname;         /* str */
	__u32 code_linetable;        /* bytes: the location table */
	__u32 code_firsttraceable;   /* int _co_firsttraceable (3.11, 3.12) */
	__u32 code_adaptive;         /* co_code_adaptive: first code unit */

	/* PyObject / PyVarObject / PyTypeObject */
	__u32 ob_type;
	__u32 ob_size;
	__u32 tp_name;               /* const char * */
	__u32 tp_basicsize;
	__u32 tp_itemsize;
	__u32 tp_flags;              /* unsigned long */
	__u32 tp_base;
	__u32 tp_dict;
	__u32 tp_dictoffset;         /* Py_ssize_t */
	__u32 ht_qualname;           /* PyHeapTypeObject: __qualname__ (str) */
	__u32 ht_cached_keys;        /* PyHeapTypeObject: shared keys of instances */
	__u32 managed_dict;          /* negative: offset of the dict pointer of a
				      * MANAGED_DICT object (as __s32), e.g. -24 */
	__u32 managed_values;        /* negative: offset of its PyDictValues * (3.11),
				      * as __s32; RT_PY_NONE (3.12): the pointer at
				      * managed_dict is a dict, or values - 1 when
				      * its low bit is set */

	/* str: PyASCIIObject, PyCompactUnicodeObject */
	__u32 unicode_length;        /* Py_ssize_t length in code points */
	__u32 unicode_state;         /* the state bit field (32 bits) */
	__u32 unicode_ascii_data;    /* data of a compact ASCII str */
	__u32 unicode_compact_data;  /* data of a compact non-ASCII str */
	__u32 unicode_legacy_data;   /* data.any of a non-compact str (3.11) */
	__u32 unicode_kind_shift;    /* state: kind = (state >> shift) & 7 */
	__u32 unicode_compact_bit;   /* state bit: compact */
	__u32 unicode_ascii_bit;     /* state bit: ascii */

	/* bytes, int, float, complex, bool */
	__u32 bytes_sval;
	__u32 long_digits;           /* digit ob_digit[] (30-bit digits in uint32) */
	__u32 long_tag;              /* lv_tag (3.12+); RT_PY_NONE: sign in ob_size */
	__u32 float_value;
	__u32 complex_value;         /* two doubles: real, imag */

	/* tuple, list */
	__u32 tuple_items;
	__u32 list_items;            /* PyObject ** */

	/* dict (PyDictObject, PyDictKeysObject) */
	__u32 dict_used;
	__u32 dict_keys;
	__u32 dict_values;           /* split table values, or NULL */
	__u32 dictkeys_log2_size;    /* uint8 */
	__u32 dictkeys_log2_index_bytes; /* uint8 */
	__u32 dictkeys_kind;         /* uint8: 0 general, 1 unicode, 2 split */
	__u32 dictkeys_nentries;     /* Py_ssize_t */
	__u32 dictkeys_indices;      /* char dk_indices[] */
	__u32 dictentry_size;        /* sizeof(PyDictKeyEntry): hash, key, value */
	__u32 dictuentry_size;       /* sizeof(PyDictUnicodeEntry): key, value */

	/* set, frozenset */
	__u32 set_used;
	__u32 set_mask;
	__u32 set_table;             /* setentry *: {key, hash} */

	/* function, cell, module, exception */
	__u32 func_code;
	__u32 func_globals;
	__u32 func_name;
	__u32 func_qualname;
	__u32 func_module;
	__u32 cell_ref;
	__u32 module_dict;
	__u32 exc_args;              /* PyBaseExceptionObject.args: tuple */
};

#endif
