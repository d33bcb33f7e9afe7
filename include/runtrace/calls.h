/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runtrace calls: the records of bpf/calls.bpf.c and the maps userspace
 * fills.  A record carries the target memory the program copied at the
 * event (segments: the frame's argument slots, the objects they point to,
 * a return value, an exception, native strings), so that userspace decodes
 * what the values were then, not what they became.
 * Only __u32/__u64 and fixed arrays here.
 */
#ifndef RUNTRACE_CALLS_H
#define RUNTRACE_CALLS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "runtrace/events.h"

#define RT_CALL_DEPTH 16        /* hooked calls in progress per thread */
#define RT_CALL_MAX_ARGS 8      /* arguments copied per event */
#define RT_CALL_STR_BYTES 256   /* bytes copied for a native str argument */
#define RT_CALL_DATA_MAX 16384  /* segment bytes per record (a power of 2) */
#define RT_CALL_SEG_MAX 4096    /* bytes of one segment, less than this (a power of 2) */
#define RT_CALL_NAME 64         /* bytes of a qualname, an audit event name */
#define RT_CALL_FULLNAME 128    /* bytes of "module.qualname" */

/*
 * Python values: what the BPF programs copy is what userspace decodes,
 * with the same limits (the target may have freed or changed an object,
 * or exited, by the time the record is read).  Per record at most
 * RT_CALL_OBJS objects; containers nest RT_CALL_VAL_DEPTH deep (an
 * argument is at depth 1), RT_CALL_VAL_ITEMS items each; a str keeps
 * cfg_calls_strlen characters (at most RT_CALL_PYSTR_MAX); names (of
 * types, functions, modules, keyword arguments) RT_CALL_PYNAME.
 */
#define RT_CALL_OBJS 64         /* a power of 2 */
#define RT_CALL_VAL_DEPTH 3
#define RT_CALL_VAL_ITEMS 8
#define RT_CALL_PYSTR_MAX 1000
#define RT_CALL_PYNAME 256      /* the decoder's MAX_TYPE_NAME */

enum rt_call_kind {
	RT_CALL_START = 1,      /* a hooked function was entered */
	RT_CALL_FINISH = 2,     /* it returned */
	RT_CALL_ERROR = 3,      /* it was left by an exception (Python) */
	RT_CALL_AUDIT = 4,      /* a hooked audit event (no finish) */
	RT_CALL_SKIPPED = 5,    /* a code object matched by name that cannot be
				 * traced (generator, coroutine): once per code */
};

enum rt_call_hook_kind {
	RT_HOOK_PYTHON = 1,     /* a Python function (code object) */
	RT_HOOK_BUILTIN = 2,    /* a C function of a builtin (PyCFunction) */
	RT_HOOK_NATIVE = 3,     /* a native function (ELF symbol) */
	RT_HOOK_AUDIT = 4,      /* an audit event */
};

/* Flags of a record. */
#define RT_CALL_F_NEWCODE 0x1   /* first call of a code object matched by its
				 * name: userspace checks and learns it */
#define RT_CALL_F_TRUNC 0x2     /* not every segment fitted */
#define RT_CALL_F_NOSTART 0x4   /* FINISH without its START (attached mid-call) */

/* One copied range of target memory, followed by @len bytes padded to 8.
 * Bytes from @len to @span read as zeros: the tail of a table that was not
 * copied (its entries read as empty), the bytes after a C string's NUL. */
struct rt_call_seg {
	__u64 addr;
	__u16 len;
	__u16 flags;       /* RT_CALL_SEG_* */
	__u32 span;        /* >= len */
};

#define RT_CALL_SEG_TYPE 0x1    /* the head of a type object (userspace learns it) */

struct rt_call_event {
	struct rt_hdr hdr;
	__u32 kind;        /* enum rt_call_kind */
	__u32 hook;        /* hook id: the index of its -f spec */
	__u64 ident;       /* Python thread ident (threading.get_ident()), 0 if unknown */
	__u64 start_ts;    /* FINISH/ERROR: hdr.ts of the START */
	__u64 code;        /* Python: the code object; native/builtin: the function */
	__u64 frame;       /* Python: the interpreter frame; native: sp at entry */
	__u64 obj;         /* START Python: frame's function object; builtin: self;
			    * FINISH: the return value (object, or rax);
			    * ERROR: the exception value; AUDIT: the args tuple */
	__u64 obj2;        /* ERROR: the exception type; START builtin: kwnames;
			    * START Python: co_localsplusnames (keyword-only
			    * arguments' names copied) */
	__u64 regs[6];     /* native/builtin START: rdi rsi rdx rcx r8 r9;
			    * Python START: co_argcount, co_kwonlyargcount, co_flags */
	__u32 flags;       /* RT_CALL_F_* */
	__u32 nseg;        /* segments in data */
	__u32 data_len;    /* bytes used in data, at most RT_CALL_DATA_MAX */
	__u32 pad;
	__u8 data[];       /* struct rt_call_seg + bytes, 8-aligned */
};

#define RT_CALL_EVENT_HDR_SIZE (sizeof(struct rt_call_event))
/* The BPF side's buffer behind the header: segments may start anywhere
 * below RT_CALL_DATA_MAX (the verifier's view of a masked offset). */
#define RT_CALL_DATA_ROOM (RT_CALL_DATA_MAX + sizeof(struct rt_call_seg) + RT_CALL_SEG_MAX)

/* What a traced code object is (map calls_codes). */
struct rt_call_codekey {
	__u64 code;        /* the code object's address */
	__u32 tgid;        /* in this process (addresses are per process) */
	__u32 pad;
};

struct rt_call_code {
	__u32 hook;        /* hook id; RT_CALL_NOHOOK: seen, not traced */
	__u16 nargs;       /* argument slots: argcount + kwonly + *args + **kwargs */
	__u16 firsttraceable; /* code unit of its RESUME */
	__u16 argcount;    /* co_argcount */
	__u16 kwonly;      /* co_kwonlyargcount */
	__u32 flags;       /* co_flags */
	__u32 nlocalsplus; /* co_nlocalsplus: the value stack starts after */
	__u32 pad;
	__u64 names;       /* co_localsplusnames */
	/* what the answer was given for: a code object freed and another at
	 * its address is matched again */
	__u64 qualname;    /* co_qualname */
	__u64 module;      /* the function's __module__ when the hook names
			    * it, else 0 */
};
#define RT_CALL_NOHOOK 0xffffffffu

/* A builtin or native hook (map calls_hooks, key: hook id). */
struct rt_call_hookinfo {
	__u32 kind;        /* enum rt_call_hook_kind */
	__u32 ml_flags;    /* builtin: PyMethodDef.ml_flags (METH_*) */
	__u32 str_args;    /* native: bit i: argument i is a C string */
	__u32 str_ret;     /* native: the return value is a C string */
};

/* How the BPF programs copy a Python object: the decoder's kinds
 * (src/python/value.h), as far as copying goes. */
enum rt_call_pykind {
	RT_PK_UNKNOWN = 0,
	RT_PK_OTHER,       /* type and address only (instances too) */
	RT_PK_NONE,
	RT_PK_BOOL,
	RT_PK_INT,
	RT_PK_FLOAT,
	RT_PK_COMPLEX,
	RT_PK_STR,
	RT_PK_BYTES,
	RT_PK_TUPLE,
	RT_PK_LIST,
	RT_PK_DICT,
	RT_PK_SET,
	RT_PK_FROZENSET,
	RT_PK_FUNCTION,
	RT_PK_CODE,
	RT_PK_MODULE,
	RT_PK_TYPE,
	RT_PK_EXC,         /* an exception instance (no builtin type of its own) */
	RT_PK_CELL,
	RT_PK_N,
};

/* Types whose instances userspace can decode from what a record carries,
 * per process (map calls_types): the type's head and name are not copied
 * again. */
struct rt_call_typekey {
	__u64 type;
	__u32 tgid;
	__u32 pad;
};

/* A register of struct pt_regs (x86-64) that holds the interpreter frame
 * at a RESUME probe site: the top byte of the probe's cookie, whose low
 * 56 bits are the site's link-time address. */
enum rt_call_reg {
	RT_REG_NONE = 0,   /* not known: the frame is read through the thread state */
	/* the registers a function keeps across calls (where the eval loop
	 * keeps its frame) */
	RT_REG_RBX, RT_REG_RBP, RT_REG_R12, RT_REG_R13, RT_REG_R14, RT_REG_R15,
};
#define RT_CALL_COOKIE_REG_SHIFT 56

/* METH_* (Include/methodobject.h) */
#define RT_METH_VARARGS 0x0001
#define RT_METH_KEYWORDS 0x0002
#define RT_METH_NOARGS 0x0004
#define RT_METH_O 0x0008
#define RT_METH_FASTCALL 0x0080
#define RT_METH_METHOD 0x0200

/* co_flags that make a code object untraceable here. */
#define RT_CO_VARARGS 0x04
#define RT_CO_VARKEYWORDS 0x08
#define RT_CO_GENLIKE (0x20 | 0x80 | 0x200) /* generator, coroutine, async generator */

#endif /* RUNTRACE_CALLS_H */
