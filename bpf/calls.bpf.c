// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace calls: start, finish and error of chosen functions.
 *
 * Python functions (CPython 3.11): CPython fires no function__entry USDT
 * for Python-to-Python calls (gh-98894), so the entry is a uprobe on the
 * first direct branch of the RESUME and RESUME_QUICK instruction handlers
 * of the eval loop (src/calls/pysites.c finds them): every frame runs its
 * RESUME once when it starts.  The frame is in the register the handler
 * keeps it in (else the thread's current frame: _PyRuntime.gilstate.
 * tstate_current -> cframe -> current_frame, the thread holds the GIL);
 * its code object is looked up in calls_codes and, for a hooked one whose
 * frame is fresh (prev_instr at its RESUME), the arguments are copied.
 * A code object not known yet is matched by "module.qualname" or
 * "qualname" (calls_pq, calls_pfull), so a hook applies whenever its
 * module is imported, before or after attach; the answer is kept, "no"
 * too, checked against the code's qualname (a code object freed and
 * another at its address is matched again).  The exit is a uprobe on
 * each test of the function__return USDT's semaphore in the eval loop
 * (every return, exception and yield passes one; the semaphore stays 0,
 * so CPython computes nothing for it), or that USDT itself where those
 * are not found, matched against the thread's stack of hooked frames.
 *
 * Builtins and native functions: a uprobe and a uretprobe on the C
 * function, the hook id as cookie.  Audit events: the audit USDT, the
 * event name looked up in calls_audit.
 *
 * Python values are copied whole, as far as the decoder will read them
 * (calls_copy_obj): the object, the items of containers down to
 * RT_CALL_VAL_DEPTH, the characters of str and bytes, and, once per type
 * and process, the type's head, name and __module__ (until userspace says
 * it knows the type: calls_types).  Userspace never reads the live
 * process for a value: it may have changed, been freed, or exited.
 *
 * Probe cookies of the Python probes are the link-time address of the
 * probe site (the low 56 bits; the top byte names the frame's register):
 * ip - address is the load bias of the interpreter.
 */
#include "common.bpf.h"
#include <bpf/usdt.bpf.h>
#include "runtrace/python.h"
#include "runtrace/calls.h"

char LICENSE[] SEC("license") = "GPL";

/* The interpreter's layout (struct rt_py_offsets, as bytes: the skeleton
 * is included where runtrace/python.h is not). */
const volatile __u8 cfg_calls_off[sizeof(struct rt_py_offsets)] = {};
/* Link-time address of _PyRuntime in the module that holds the probes
 * (the run-time bias comes from the probe's address and its cookie). */
const volatile __u64 cfg_calls_runtime = 0;
/* Link-time addresses of the builtin types, by enum rt_call_pykind (0:
 * none). */
const volatile __u64 cfg_calls_types[RT_PK_N] = {};
/* Characters of a str value copied (the decoder's limit, at most
 * RT_CALL_PYSTR_MAX). */
const volatile __u32 cfg_calls_strlen = 64;
/* The Python probes fire in every process (--follow): scope first. */
const volatile __u32 cfg_calls_follow = 0;
/* The interpreter is not relocated (not PIE): _PyRuntime is at
 * cfg_calls_runtime in every process. */
const volatile __u32 cfg_calls_fixed = 0;

/* Hooks still to be matched by name (userspace keeps the count). */
volatile __u32 calls_npending;

/* Every code object that ran, hooked or not (LRU: one forgotten is
 * matched by name again). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rt_call_codekey);
	__type(value, struct rt_call_code);
} calls_codes SEC(".maps");

/* Types userspace has learnt, per process -> enum rt_call_pykind. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rt_call_typekey);
	__type(value, __u32);
} calls_types SEC(".maps");

/* Qualnames of pending hooks (and of their suffixes): a cheap first test. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[RT_CALL_NAME]);
	__type(value, __u32);
} calls_pq SEC(".maps");

/* Pending hooks by full name ("module.qualname", or "qualname" for a hook
 * given without its module) -> hook id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[RT_CALL_FULLNAME]);
	__type(value, __u32);
} calls_pfull SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[RT_CALL_NAME]);
	__type(value, __u32);
} calls_audit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct rt_call_hookinfo);
} calls_hooks SEC(".maps");

/* A process's interpreter: _PyRuntime's run-time address. */
struct calls_proc {
	__u64 runtime;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct calls_proc);
} calls_procs SEC(".maps");

/* Hooked calls in progress in a thread, newest last. */
struct calls_entry {
	__u64 frame;  /* Python: interpreter frame; native: sp at entry */
	__u64 code;   /* Python: code object; native: the function */
	__u64 ts;
	__u32 hook;
	__u32 nlocalsplus; /* Python: where the return value is */
	__u32 run;    /* the process's run */
	__u32 cflags; /* C: ENTRY_* */
	__u64 cframe; /* Python: the eval loop's _PyCFrame (the frame returns
		       * in the same loop) */
	__u64 tstate; /* Python: the thread's state */
	__u64 runtime; /* builtin: _PyRuntime's address (0: not known) */
};

#define ENTRY_BUILTIN 1  /* a builtin's C function */
#define ENTRY_STR_RET 2  /* a native function returning a C string */

struct calls_thread {
	__u32 depth;
	__u32 pad;
	struct calls_entry e[RT_CALL_DEPTH];
};

/* Python frames (key: tid) and C calls (key: tid | 1 << 32). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct calls_thread);
} calls_threads SEC(".maps");

/* The record being built (a header and RT_CALL_DATA_ROOM bytes). */
struct calls_buf {
	__u8 b[sizeof(struct rt_call_event) + RT_CALL_DATA_ROOM];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct calls_buf);
} calls_scratch SEC(".maps");

/* Objects to copy for the record being built, first in first out. */
enum { ROLE_OBJ, ROLE_NAME, ROLE_TYPEREF, ROLE_TYPE, ROLE_FIND };
#define WANT_MODULE 1   /* ROLE_FIND: "__module__" */
#define WANT_NAME 2     /* "__name__" */
#define WANT_FILE 4     /* "__file__" */
#define WORK_TYPES 8

struct calls_item {
	__u64 addr;
	__u8 role;     /* ROLE_OBJ: a value; ROLE_NAME: a str read as a name;
			* ROLE_TYPEREF: a type, copied if userspace does not
			* know it; ROLE_TYPE: a type to copy; ROLE_FIND: a
			* dict whose keys @want are copied with their values */
	__u8 depth;    /* ROLE_OBJ: 1 for an argument */
	__u8 want;
	__u8 pad[5];
};

struct calls_work {
	__u64 bias;    /* run-time minus link-time address of the interpreter */
	__u32 tgid;
	__u32 head, tail;
	__u32 pad;
	__u64 t_addr[WORK_TYPES]; /* types met in this record (by address bits) */
	__u32 t_kind[WORK_TYPES];
	struct calls_item q[RT_CALL_OBJS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct calls_work);
} calls_work SEC(".maps");

struct calls_keys {
	char q[RT_CALL_NAME];
	char full[RT_CALL_FULLNAME];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct calls_keys);
} calls_keybuf SEC(".maps");

#define O (*(const volatile struct rt_py_offsets *)cfg_calls_off)
#define DMASK (RT_CALL_DATA_MAX - 1)
#define SMASK (RT_CALL_SEG_MAX - 1)

static __always_inline __u64 rd64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u32 rd32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* threading.get_ident() of the current thread: pthread_self(), the
 * thread's TLS block, which x86-64 keeps in fs. */
static __always_inline __u64 thread_ident(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->thread.fsbase;
}

static __always_inline struct rt_call_event *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&calls_scratch, &zero);
}

static __always_inline struct calls_work *work(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&calls_work, &zero);
}

/* Copy @len bytes at @addr as a segment (@span: see struct rt_call_seg).
 * The offset of its bytes in ev->data, or -1 (unreadable, or no room:
 * the record says it was cut). */
static __always_inline long seg_put(struct rt_call_event *ev, __u64 addr, __u32 len, __u32 span,
				    __u32 flags)
{
	__u32 o = ev->data_len;
	struct rt_call_seg *s;

	if (!addr || !len)
		return -1;
	if (len > SMASK || o + sizeof(*s) + len > RT_CALL_DATA_MAX) {
		ev->flags |= RT_CALL_F_TRUNC;
		return -1;
	}
	o &= DMASK;
	barrier_var(len); /* the mask below on the 32-bit value */
	len &= SMASK;
	if (bpf_probe_read_user(&ev->data[o + sizeof(*s)], len, (void *)addr))
		return -1;
	s = (void *)&ev->data[o];
	s->addr = addr;
	s->len = len;
	s->flags = flags;
	s->span = span > len ? span : len;
	ev->data_len = o + sizeof(*s) + ((len + 7) & ~7u);
	ev->nseg++;
	return o + sizeof(*s);
}

/* The last segment, at @off, with at least @len bytes: copied again,
 * longer, if it has fewer. */
static __always_inline long seg_need(struct rt_call_event *ev, long off, __u64 addr, __u32 len)
{
	struct rt_call_seg *s = (void *)&ev->data[(off - sizeof(*s)) & DMASK];

	if (len <= s->len)
		return off;
	ev->data_len = off - sizeof(*s);
	ev->nseg--;
	return seg_put(ev, addr, len, 0, 0);
}

/* A C string of at most @max bytes (with its NUL); the decoder reads it
 * in 64-byte-aligned chunks: the rest of the last one reads as zeros. */
static __always_inline long seg_cstr(struct rt_call_event *ev, __u64 addr, __u32 max)
{
	__u32 o = ev->data_len, span;
	struct rt_call_seg *s;
	long n;

	if (!addr)
		return -1;
	if (o + sizeof(*s) + max > RT_CALL_DATA_MAX) {
		ev->flags |= RT_CALL_F_TRUNC;
		return -1;
	}
	o &= DMASK;
	n = bpf_probe_read_user_str(&ev->data[o + sizeof(*s)], max & SMASK, (void *)addr);
	if (n <= 0)
		return -1;
	span = ((addr + n + 63) & ~63ull) - addr;
	if (span > max)
		span = max;
	s = (void *)&ev->data[o];
	s->addr = addr;
	s->len = n;
	s->flags = 0;
	s->span = span > n ? span : n;
	ev->data_len = o + sizeof(*s) + ((n + 7) & ~7u);
	ev->nseg++;
	return o + sizeof(*s);
}

/* A u64 of the bytes copied at @off + @at. */
static __always_inline __u64 got64(struct rt_call_event *ev, long off, __u32 at)
{
	/* one load (segments are 8-aligned, most fields too) */
	return *(__u64 *)__builtin_assume_aligned(&ev->data[(off + at) & (DMASK | SMASK)], 8);
}

static __always_inline __u8 got8(struct rt_call_event *ev, long off, __u32 at)
{
	return ev->data[(off + at) & (DMASK | SMASK)];
}

static __always_inline void push(struct calls_work *w, struct rt_call_event *ev, __u64 addr,
				 __u8 role, __u8 depth, __u8 want)
{
	struct calls_item *it;
	__u32 t = w->tail;

	if (!addr)
		return;
	if (t >= RT_CALL_OBJS) {
		ev->flags |= RT_CALL_F_TRUNC;
		return;
	}
	it = &w->q[t & (RT_CALL_OBJS - 1)];
	it->addr = addr;
	it->role = role;
	it->depth = depth;
	it->want = want;
	w->tail = t + 1;
}

/* The builtin type at link-time address @a: its kind, or 0. */
static __always_inline __u32 static_kind(__u64 a)
{
	__u32 k;

#pragma unroll
	for (k = RT_PK_NONE; k < RT_PK_N; k++)
		if (cfg_calls_types[k] && cfg_calls_types[k] == a)
			return k;
	return 0;
}

/* How to copy instances of a type userspace does not know yet: its
 * tp_flags, or the builtin type it derives from. */
static __always_inline __u32 classify(struct calls_work *w, __u64 type)
{
	__u64 flags = rd64(type + O.tp_flags), t = type;
	__u32 k, i;

	if (flags & RT_TPFLAGS_BASE_EXC_SUBCLASS)
		return RT_PK_EXC;
	if (flags & RT_TPFLAGS_TYPE_SUBCLASS)
		return RT_PK_TYPE;
	if (flags & RT_TPFLAGS_LONG_SUBCLASS)
		return RT_PK_INT;
	if (flags & RT_TPFLAGS_LIST_SUBCLASS)
		return RT_PK_LIST;
	if (flags & RT_TPFLAGS_TUPLE_SUBCLASS)
		return RT_PK_TUPLE;
	if (flags & RT_TPFLAGS_BYTES_SUBCLASS)
		return RT_PK_BYTES;
	if (flags & RT_TPFLAGS_UNICODE_SUBCLASS)
		return RT_PK_STR;
	if (flags & RT_TPFLAGS_DICT_SUBCLASS)
		return RT_PK_DICT;
	if (!(flags & RT_TPFLAGS_HEAPTYPE))
		return RT_PK_OTHER;
	/* a class deriving from float, complex, set...: its builtin base */
	for (i = 0; i < 4; i++) {
		t = rd64(t + O.tp_base);
		if (!t)
			break;
		k = static_kind(t - w->bias);
		if (k)
			return k;
	}
	return RT_PK_OTHER;
}

/* The kind of @type; its copy is queued when userspace does not know it.
 * A function of its own: the verifier checks it once, and its callers
 * once for any kind. */
__noinline __u32 calls_type_kind(__u64 type)
{
	struct rt_call_event *ev = scratch();
	struct calls_work *w = work();
	struct rt_call_typekey key = { .type = type };
	__u32 slot = (type >> 5) & (WORK_TYPES - 1), kind, *known;

	if (!type || !ev || !w)
		return RT_PK_UNKNOWN;
	key.tgid = w->tgid;
	if (w->t_addr[slot] == type)
		return w->t_kind[slot];
	kind = static_kind(type - w->bias);
	known = bpf_map_lookup_elem(&calls_types, &key);
	if (known) {
		if (!kind)
			kind = *known;
	} else {
		if (!kind)
			kind = classify(w, type);
		push(w, ev, type, ROLE_TYPE, 0, 0);
	}
	w->t_addr[slot] = type;
	w->t_kind[slot] = kind;
	return kind;
}

/* Segments of a dict's keys object and its first @k entries (the rest
 * read as empty); the entries' offset, and *@n, *@esize. */
static __always_inline long copy_entries(struct rt_call_event *ev, __u64 keys, __u32 k, __u32 *n,
					 __u32 *esize, __u32 *total)
{
	long ko = seg_put(ev, keys, O.dictkeys_indices, 0, 0);
	__u64 nentries, entries;

	if (ko < 0)
		return -1;
	nentries = got64(ev, ko, O.dictkeys_nentries);
	*esize = got8(ev, ko, O.dictkeys_kind) ? O.dictuentry_size : O.dictentry_size;
	entries = keys + O.dictkeys_indices + (1ull << (got8(ev, ko, O.dictkeys_log2_index_bytes) & 31));
	if (nentries > (1 << 20))
		nentries = 1 << 20;
	if (k > nentries)
		k = nentries;
	*n = k;
	*total = nentries;
	if (!k)
		return -1;
	return seg_put(ev, entries, k * *esize, nentries * *esize, 0);
}

/* A type object: its head, its name, and for a class its base and
 * __module__ (what py_type_at reads). */
__noinline int calls_copy_type(__u64 type)
{
	struct rt_call_event *ev = scratch();
	struct calls_work *w = work();
	long off;
	__u64 flags;

	if (!ev || !w)
		return 0;
	off = seg_put(ev, type, O.tp_dictoffset + 8, 0, RT_CALL_SEG_TYPE);
	if (off < 0)
		return 0;
	seg_cstr(ev, got64(ev, off, O.tp_name), RT_CALL_PYNAME);
	flags = got64(ev, off, O.tp_flags);
	if (!(flags & RT_TPFLAGS_HEAPTYPE))
		return 0;
	push(w, ev, got64(ev, off, O.tp_base), ROLE_TYPEREF, 0, 0);
	push(w, ev, got64(ev, off, O.tp_dict), ROLE_FIND, 0, WANT_MODULE);
	return 0;
}



/* A dict's entries whose keys are the names @want, key and value. */
__noinline int calls_copy_find(__u64 dict, __u32 want)
{
	struct rt_call_event *ev = scratch();
	struct calls_work *w = work();
	__u32 n, esize, j, ko = 0, total;
	__u64 k, name[2];
	long off, eo;

	if (!ev || !w)
		return 0;
	off = seg_put(ev, dict, 48, 0, 0);
	if (off < 0 || got64(ev, off, O.dict_values))
		return 0;
	eo = copy_entries(ev, got64(ev, off, O.dict_keys), 8, &n, &esize, &total);
	if (eo < 0)
		return 0;
	if (esize == 24)
		ko = 8;
	for (j = 0; j < 8; j++) {
		if (j >= n)
			break;
		k = got64(ev, eo, j * esize + ko);
		if (!k || bpf_probe_read_user(name, sizeof(name), (void *)(k + O.unicode_ascii_data)))
			continue;
		if (((want & WANT_MODULE) && name[0] == 0x656c75646f6d5f5full /* "__module" */ &&
		     (name[1] & 0xffffff) == 0x5f5f /* "__\0" */) ||
		    ((want & WANT_NAME) && name[0] == 0x5f5f656d616e5f5full /* "__name__" */ &&
		     !(name[1] & 0xff)) ||
		    ((want & WANT_FILE) && name[0] == 0x5f5f656c69665f5full /* "__file__" */ &&
		     !(name[1] & 0xff))) {
			push(w, ev, k, ROLE_NAME, 0, 0);
			push(w, ev, got64(ev, eo, j * esize + ko + 8), ROLE_NAME, 0, 0);
		}
	}
	return 0;
}

/* One object: its bytes as far as the decoder reads them, and what it
 * points to that the decoder follows. */
__noinline int calls_copy_obj(__u64 addr, __u32 role, __u32 depth)
{
	struct rt_call_event *ev = scratch();
	struct calls_work *w = work();
	__u32 kind, n, len, i, items = RT_CALL_VAL_ITEMS, lim;
	__u64 size, state, p;
	long off, eo;

	if (!ev || !w)
		return 0;
	/* the head first: most small objects whole (an object is at least
	 * 16 bytes; the rest may be the next one's: a copy of the same time) */
	off = seg_put(ev, addr, 64, 0, 0);
	if (off < 0) {
		/* at the end of a mapping: its type only */
		off = seg_put(ev, addr, 16, 0, 0);
		if (off >= 0)
			calls_type_kind(got64(ev, off, O.ob_type));
		return 0;
	}
	kind = calls_type_kind(got64(ev, off, O.ob_type));
	size = got64(ev, off, O.ob_size);
	lim = role == ROLE_NAME ? RT_CALL_PYNAME : cfg_calls_strlen;
	if (lim > RT_CALL_PYSTR_MAX)
		lim = RT_CALL_PYSTR_MAX;
	if (depth > RT_CALL_VAL_DEPTH &&
	    (kind == RT_PK_TUPLE || kind == RT_PK_LIST || kind == RT_PK_DICT || kind == RT_PK_SET ||
	     kind == RT_PK_FROZENSET || kind == RT_PK_EXC))
		return 0; /* the decoder stops at its type */
	switch (kind) {
	case RT_PK_INT:
		n = (__s64)size < 0 ? -size : size;
		if (n <= 128)
			seg_need(ev, off, addr, O.long_digits + 4 * n);
		break;
	case RT_PK_COMPLEX:
		seg_need(ev, off, addr, O.complex_value + 16);
		break;
	case RT_PK_STR:
		n = size < lim ? size : lim;
		state = got64(ev, off, O.unicode_state);
		if (!(state & (1u << O.unicode_compact_bit)))
			break; /* a legacy str: not copied */
		if (state & (1u << O.unicode_ascii_bit))
			len = O.unicode_ascii_data + n;
		else
			len = O.unicode_compact_data + ((state >> O.unicode_kind_shift) & 7) * n;
		seg_need(ev, off, addr, len);
		break;
	case RT_PK_BYTES:
		n = size < lim ? size : lim;
		seg_need(ev, off, addr, O.bytes_sval + n);
		break;
	case RT_PK_TUPLE:
		n = size < items ? size : items;
		if (!n)
			break;
		off = seg_need(ev, off, addr, O.tuple_items + 8 * n);
		if (off < 0)
			break;
		for (i = 0; i < RT_CALL_VAL_ITEMS; i++) {
			if (i >= n)
				break;
			push(w, ev, got64(ev, off, O.tuple_items + 8 * i), ROLE_OBJ, depth + 1, 0);
		}
		break;
	case RT_PK_LIST:
		n = size < items ? size : items;
		if (!n)
			break;
		off = seg_need(ev, off, addr, O.list_items + 8);
		if (off < 0)
			break;
		p = got64(ev, off, O.list_items);
		off = seg_put(ev, p, 8 * n, 0, 0);
		if (off < 0)
			break;
		for (i = 0; i < RT_CALL_VAL_ITEMS; i++) {
			if (i >= n)
				break;
			push(w, ev, got64(ev, off, 8 * i), ROLE_OBJ, depth + 1, 0);
		}
		break;
	case RT_PK_DICT: {
		__u32 esize, ko = 0, total, used, psize;
		__u64 values;
		__u8 pre[2];
		long vo;

		off = seg_need(ev, off, addr, O.dict_values + 8);
		if (off < 0)
			break;
		values = got64(ev, off, O.dict_values);
		if (values) {
			/* a split table (an object's __dict__): the shared keys,
			 * the values, their order before them (values[-2]: how
			 * many, values[-1]: the size of that prefix) */
			if (bpf_probe_read_user(pre, sizeof(pre), (void *)(values - 2)))
				break;
			used = pre[0];
			psize = pre[1];
			if (psize < used + 2)
				break;
			eo = copy_entries(ev, got64(ev, off, O.dict_keys), 16, &n, &esize, &total);
			if (eo < 0)
				break;
			vo = seg_put(ev, values - psize, psize + 8 * n, psize + 8 * total, 0);
			if (vo < 0)
				break;
			if (esize == 24)
				ko = 8;
			for (i = 0; i < RT_CALL_VAL_ITEMS; i++) {
				__u32 ix;
				__u64 k, v;

				if (i >= used || i >= items)
					break;
				ix = got8(ev, vo, psize - 3 - i); /* order[used - 1 - i] */
				if (ix >= n)
					continue; /* not copied: shown as cut */
				k = got64(ev, eo, ix * esize + ko);
				v = got64(ev, vo, psize + 8 * ix);
				if (!k || !v)
					continue;
				push(w, ev, k, ROLE_OBJ, depth + 1, 0);
				push(w, ev, v, ROLE_OBJ, depth + 1, 0);
			}
			break;
		}
		/* the first items (a few more: some may have been deleted) */
		eo = copy_entries(ev, got64(ev, off, O.dict_keys), items + 2, &n, &esize, &total);
		if (eo < 0)
			break;
		if (esize == 24)
			ko = 8;
		for (i = 0; i < RT_CALL_VAL_ITEMS + 2; i++) {
			__u64 k, v;

			if (i >= n)
				break;
			k = got64(ev, eo, i * esize + ko);
			v = got64(ev, eo, i * esize + ko + 8);
			if (!k || !v)
				continue;
			push(w, ev, k, ROLE_OBJ, depth + 1, 0);
			push(w, ev, v, ROLE_OBJ, depth + 1, 0);
		}
		break;
	}
	case RT_PK_SET:
	case RT_PK_FROZENSET: {
		__u64 mask, slots;

		off = seg_need(ev, off, addr, O.set_table + 8);
		if (off < 0)
			break;
		mask = got64(ev, off, O.set_mask);
		if (mask >= (1 << 20))
			break;
		/* the first slots (a small set's all) */
		slots = mask + 1 < 16 ? mask + 1 : 16;
		eo = seg_put(ev, got64(ev, off, O.set_table), 16 * slots, 16 * (mask + 1), 0);
		if (eo < 0)
			break;
		for (i = 0; i < 16; i++) {
			__u64 k;

			if (i >= slots)
				break;
			k = got64(ev, eo, 16 * i);
			if (k)
				push(w, ev, k, ROLE_OBJ, depth + 1, 0);
		}
		break;
	}
	case RT_PK_EXC:
		off = seg_need(ev, off, addr, O.exc_args + 8);
		if (off >= 0)
			push(w, ev, got64(ev, off, O.exc_args), ROLE_OBJ, depth + 1, 0);
		break;
	case RT_PK_FUNCTION:
		off = seg_need(ev, off, addr, O.func_qualname + 8);
		if (off >= 0)
			push(w, ev, got64(ev, off, O.func_qualname), ROLE_NAME, 0, 0);
		break;
	case RT_PK_CODE:
		off = seg_need(ev, off, addr, O.code_name + 8);
		if (off >= 0)
			push(w, ev, got64(ev, off, O.code_name), ROLE_NAME, 0, 0);
		break;
	case RT_PK_MODULE:
		push(w, ev, got64(ev, off, O.module_dict), ROLE_FIND, 0, WANT_NAME | WANT_FILE);
		break;
	case RT_PK_TYPE:
		push(w, ev, addr, ROLE_TYPEREF, 0, 0);
		break;
	case RT_PK_CELL:
		/* an argument the function's closures share: its value */
		push(w, ev, got64(ev, off, O.cell_ref), role, depth, 0);
		break;
	default:
		break;
	}
	return 0;
}

static long copy_one(__u32 i, void *ctx)
{
	struct calls_work *w = work();
	struct calls_item it;
	__u32 h;

	if (!w)
		return 1;
	h = w->head;
	if (h >= w->tail || h >= RT_CALL_OBJS)
		return 1;
	it = w->q[h & (RT_CALL_OBJS - 1)];
	w->head = h + 1;
	if (it.role == ROLE_TYPE)
		calls_copy_type(it.addr);
	else if (it.role == ROLE_TYPEREF)
		calls_type_kind(it.addr);
	else if (it.role == ROLE_FIND)
		calls_copy_find(it.addr, it.want);
	else
		calls_copy_obj(it.addr, it.role, it.depth);
	return 0;
}

/* Copy what the queue holds, and what it leads to. */
static __always_inline void copy_all(void)
{
	bpf_loop(RT_CALL_OBJS, copy_one, NULL, 0);
}

static __always_inline struct calls_work *work_new(struct rt_call_event *ev, __u32 tgid,
						   __u64 bias)
{
	struct calls_work *w = work();

	if (!w)
		return NULL;
	w->bias = bias;
	w->tgid = tgid;
	w->head = w->tail = 0;
	__builtin_memset(w->t_addr, 0, sizeof(w->t_addr));
	return w;
}

static __always_inline struct rt_call_event *ev_new(__u32 kind, __u32 hook, __u32 run,
						    __u64 pid_tgid)
{
	struct rt_call_event *ev = scratch();

	if (!ev)
		return NULL;
	rt_fill_hdr(&ev->hdr, RT_EV_CALL, 0, run, pid_tgid);
	ev->kind = kind;
	ev->hook = hook;
	ev->ident = thread_ident();
	ev->start_ts = 0;
	ev->code = 0;
	ev->frame = 0;
	ev->obj = 0;
	ev->obj2 = 0;
	ev->flags = 0;
	ev->nseg = 0;
	ev->data_len = 0;
	ev->pad = 0;
	return ev;
}

static __always_inline void ev_send(struct rt_call_event *ev)
{
	__u64 size = RT_CALL_EVENT_HDR_SIZE + (ev->data_len & DMASK);

	if (ev->data_len > RT_CALL_DATA_MAX)
		return;
	/* a program preempted while it built its record (a preemptible
	 * kernel) may find that another thread's program took the per-CPU
	 * buffers meanwhile: its record is lost, and counted */
	if (ev->hdr.tid != (__u32)bpf_get_current_pid_tgid()) {
		rt_count_drop(RT_EV_CALL);
		return;
	}
	if (ev->data_len == RT_CALL_DATA_MAX)
		size = RT_CALL_EVENT_HDR_SIZE + RT_CALL_DATA_MAX;
	ev->hdr.size = size;
	/* no wakeup per record: forcing one made a hooked call cost 39 us
	 * instead of 5 (tools/bench/calls); the reader drains every 20 ms */
	if (bpf_ringbuf_output(&events, ev, size, rt_wakeup_flags()))
		rt_count_drop(RT_EV_CALL);
}

/* The thread state of the thread that holds the GIL (the current one when
 * it runs Python code). */
static __always_inline __u64 py_tstate(__u64 runtime)
{
	return rd64(runtime + O.runtime_tstate_current);
}

static __always_inline __u64 proc_runtime(__u32 tgid)
{
	struct calls_proc *p;

	if (cfg_calls_fixed)
		return cfg_calls_runtime;
	p = bpf_map_lookup_elem(&calls_procs, &tgid);
	return p ? p->runtime : 0;
}

static __always_inline void proc_learn(__u32 tgid, __u64 runtime)
{
	struct calls_proc p = { .runtime = runtime };

	if (!cfg_calls_fixed && !bpf_map_lookup_elem(&calls_procs, &tgid))
		bpf_map_update_elem(&calls_procs, &tgid, &p, BPF_NOEXIST);
}

static __always_inline struct calls_thread *thread_of(__u64 key, bool create)
{
	static const struct calls_thread empty = {};
	struct calls_thread *t = bpf_map_lookup_elem(&calls_threads, &key);

	if (t || !create)
		return t;
	bpf_map_update_elem(&calls_threads, &key, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&calls_threads, &key);
}

/* A code object not seen yet (or whose address another one took): its
 * qualname, then "module.qualname", against the pending names.  The
 * answer is kept in calls_codes, a "no" too when no hook has that
 * qualname whatever the module. */
static __always_inline struct rt_call_code *match_by_name(__u32 run, __u64 pid_tgid,
							   struct rt_call_codekey *key, __u64 func,
							   __u64 qual)
{
	struct rt_call_code cc = { .hook = RT_CALL_NOHOOK, .qualname = qual };
	__u64 code = key->code, mod;
	struct rt_call_event *ev;
	struct calls_keys *k;
	__u32 zero = 0, *hook;
	long n;
	int i;

	k = bpf_map_lookup_elem(&calls_keybuf, &zero);
	if (!k || !qual)
		return NULL;
	__builtin_memset(k, 0, sizeof(*k));
	if (bpf_probe_read_user_str(k->q, sizeof(k->q), (void *)(qual + O.unicode_ascii_data)) <= 1)
		return NULL;
	if (!bpf_map_lookup_elem(&calls_pq, k->q)) {
		bpf_map_update_elem(&calls_codes, key, &cc, BPF_ANY);
		return NULL;
	}
	for (i = 0; i < RT_CALL_NAME; i++)
		k->full[i] = k->q[i];
	hook = bpf_map_lookup_elem(&calls_pfull, k->full);
	if (!hook) {
		__builtin_memset(k->full, 0, sizeof(k->full));
		mod = func ? rd64(func + O.func_module) : 0;
		if (!mod)
			return NULL;
		n = bpf_probe_read_user_str(k->full, RT_CALL_NAME, (void *)(mod + O.unicode_ascii_data));
		if (n <= 1)
			return NULL;
		k->full[(n - 1) & (RT_CALL_NAME - 1)] = '.';
		n = bpf_probe_read_user_str(&k->full[n & (RT_CALL_NAME - 1)], RT_CALL_NAME,
					    (void *)(qual + O.unicode_ascii_data));
		if (n <= 1)
			return NULL;
		hook = bpf_map_lookup_elem(&calls_pfull, k->full);
		if (!hook)
			return NULL; /* its qualname, another module: asked again */
		cc.module = mod;
	}
	cc.flags = rd32(code + O.code_flags);
	cc.argcount = rd32(code + O.code_argcount);
	cc.kwonly = rd32(code + O.code_kwonlyargcount);
	cc.nargs = cc.argcount + cc.kwonly + !!(cc.flags & RT_CO_VARARGS) +
		   !!(cc.flags & RT_CO_VARKEYWORDS);
	cc.nlocalsplus = rd32(code + O.code_nlocalsplus);
	cc.names = rd64(code + O.code_localsplusnames);
	cc.hook = *hook;
	cc.firsttraceable = rd32(code + O.code_firsttraceable);
	if (cc.flags & RT_CO_GENLIKE) {
		ev = ev_new(RT_CALL_SKIPPED, *hook, run, pid_tgid);
		if (ev) {
			ev->code = code;
			ev_send(ev);
		}
		cc.hook = RT_CALL_NOHOOK;
	}
	bpf_map_update_elem(&calls_codes, key, &cc, BPF_ANY);
	return bpf_map_lookup_elem(&calls_codes, key);
}

/* A register, by enum rt_call_reg (the context is read at constant
 * offsets only: the verifier allows no other). */
static __always_inline __u64 reg_value(struct pt_regs *ctx, __u32 reg)
{
	__u64 r[8] = { 0, ctx->bx, ctx->bp, ctx->r12, ctx->r13, ctx->r14, ctx->r15, 0 };

	return r[reg & 7];
}

/* RESUME / RESUME_QUICK: a frame starts (or a generator resumes). */
SEC("uprobe")
int calls_py_resume(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, newcode = 0, n, i;
	struct rt_call_codekey key = { .tgid = tgid };
	__u64 runtime, tstate = 0, cframe = 0, frame, prev, slots, bias, qual, func, cookie;
	struct rt_call_code *cc;
	struct calls_thread *t;
	struct rt_call_event *ev;
	struct calls_work *w;
	long off;
	__u64 fr[8];

	/* every Python call of the process comes here: the least for one
	 * that is not hooked is 2 reads and one lookup */
	if (cfg_calls_follow && !rt_run_of_current(tgid))
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	bias = PT_REGS_IP(ctx) - (cookie & ((1ull << RT_CALL_COOKIE_REG_SHIFT) - 1));
	runtime = cfg_calls_runtime + bias;
	/* the frame: in the register the handler keeps it in (pysites.c), or
	 * the thread state's current frame (the thread holds the GIL) */
	frame = reg_value(ctx, cookie >> RT_CALL_COOKIE_REG_SHIFT);
	if (!frame) {
		tstate = py_tstate(runtime);
		cframe = tstate ? rd64(tstate + O.tstate_cframe) : 0;
		frame = cframe ? rd64(cframe + O.cframe_current_frame) : 0;
	}
	if (!frame || bpf_probe_read_user(fr, sizeof(fr), (void *)frame))
		return 0;
	key.code = fr[(O.iframe_code / 8) & 7];
	func = fr[(O.iframe_func / 8) & 7];
	qual = rd64(key.code + O.code_qualname);
	cc = bpf_map_lookup_elem(&calls_codes, &key);
	if (cc && (cc->qualname != qual || (cc->module && cc->module != rd64(func + O.func_module))))
		cc = NULL; /* another code object at that address */
	if (cc && cc->hook == RT_CALL_NOHOOK)
		return 0;
	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	if (!cc) {
		if (!calls_npending)
			return 0;
		cc = match_by_name(run, pid_tgid, &key, func, qual);
		if (!cc || cc->hook == RT_CALL_NOHOOK)
			return 0;
		newcode = RT_CALL_F_NEWCODE;
		proc_learn(tgid, runtime);
	}
	prev = fr[(O.iframe_prev_instr / 8) & 7];
	if (prev != key.code + O.code_adaptive + 2 * (__u64)cc->firsttraceable)
		return 0; /* a generator resuming, not a call */

	if (!cframe) {
		/* where the return will find its frame, and the exception */
		tstate = py_tstate(runtime);
		cframe = tstate ? rd64(tstate + O.tstate_cframe) : 0;
		if (!cframe)
			return 0;
	}
	t = thread_of((__u32)pid_tgid, true);
	if (!t)
		return 0;
	ev = ev_new(RT_CALL_START, cc->hook, run, pid_tgid);
	w = work_new(ev, tgid, bias);
	if (!ev || !w)
		return 0;
	if (t->depth < RT_CALL_DEPTH) {
		struct calls_entry *e = &t->e[t->depth & (RT_CALL_DEPTH - 1)];

		e->frame = frame;
		e->code = key.code;
		e->ts = ev->hdr.ts;
		e->hook = cc->hook;
		e->nlocalsplus = cc->nlocalsplus;
		e->run = run;
		e->cframe = cframe;
		e->tstate = tstate;
		t->depth++;
	}
	ev->flags = newcode;
	ev->code = key.code;
	ev->frame = frame;
	ev->obj = fr[(O.iframe_func / 8) & 7];
	ev->regs[0] = cc->argcount;
	ev->regs[1] = cc->kwonly;
	ev->regs[2] = cc->flags;
	n = cc->nargs;
	if (n > RT_CALL_MAX_ARGS)
		n = RT_CALL_MAX_ARGS;
	/* the argument slots, their objects, the keyword-only names; the
	 * items of *args and **kwargs are shown as arguments: at depth 1 */
	slots = frame + O.iframe_localsplus;
	off = seg_put(ev, slots, n * 8, 0, 0);
	if (off >= 0) {
		for (i = 0; i < RT_CALL_MAX_ARGS; i++) {
			if (i >= n)
				break;
			push(w, ev, got64(ev, off, 8 * i), ROLE_OBJ,
			     i < (__u32)cc->argcount + cc->kwonly ? 1 : 0, 0);
		}
	}
	i = cc->argcount;
	n = cc->kwonly;
	if (n && i < RT_CALL_MAX_ARGS) {
		if (n > RT_CALL_MAX_ARGS - i)
			n = RT_CALL_MAX_ARGS - i;
		ev->obj2 = cc->names;
		off = seg_put(ev, cc->names + O.tuple_items + 8 * i, 8 * n, 0, 0);
		for (i = 0; off >= 0 && i < RT_CALL_MAX_ARGS; i++) {
			if (i >= n)
				break;
			push(w, ev, got64(ev, off, 8 * i), ROLE_NAME, 0, 0);
		}
	}
	copy_all();
	ev_send(ev);
	return 0;
}

/* An exception: its value (a root) and its type. */
static __always_inline void push_exception(struct calls_work *w, struct rt_call_event *ev,
					   __u64 type, __u64 value)
{
	ev->obj2 = type;
	ev->obj = value;
	push(w, ev, type, ROLE_TYPEREF, 0, 0);
	push(w, ev, value, ROLE_OBJ, 1, 0);
}

/* A frame leaves the eval loop: it returns, or an exception leaves it
 * (or a generator yields: not hooked).  @reg: enum rt_call_reg holding
 * the frame there, RT_REG_NONE if not known. */
static __always_inline int py_exit(struct pt_regs *ctx, __u32 reg, __u64 bias)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, d;
	__u64 frame, exc;
	struct calls_thread *t;
	struct calls_entry *e;
	struct rt_call_event *ev;
	struct calls_work *w;

	/* every exit of the process: one lookup when nothing hooked runs */
	t = thread_of((__u32)pid_tgid, false);
	if (!t || !t->depth)
		return 0;
	d = (t->depth - 1) & (RT_CALL_DEPTH - 1);
	e = &t->e[d];
	if (reg) {
		frame = reg_value(ctx, reg);
	} else {
		/* the frame returns in the eval loop it started in */
		frame = rd64(e->cframe + O.cframe_current_frame);
	}
	if (!frame || e->frame != frame || rd64(frame + O.iframe_code) != e->code)
		return 0;
	t->depth = d;
	exc = rd64(e->tstate + O.tstate_curexc_type);
	ev = ev_new(exc ? RT_CALL_ERROR : RT_CALL_FINISH, e->hook, e->run, pid_tgid);
	w = work_new(ev, tgid, bias);
	if (!ev || !w)
		return 0;
	ev->start_ts = e->ts;
	ev->code = e->code;
	ev->frame = frame;
	if (exc) {
		push_exception(w, ev, exc, rd64(e->tstate + O.tstate_curexc_value));
	} else {
		/* the value RETURN_VALUE popped: the bottom of the empty stack */
		ev->obj = rd64(frame + O.iframe_localsplus + 8 * (__u64)e->nlocalsplus);
		push(w, ev, ev->obj, ROLE_OBJ, 1, 0);
	}
	copy_all();
	ev_send(ev);
	return 0;
}

/* The eval loop's test of the function__return semaphore, on every way
 * out of a frame (pysites.c): the semaphore stays 0, CPython computes
 * nothing for the probe. */
SEC("uprobe")
int calls_py_exit(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);

	return py_exit(ctx, cookie >> RT_CALL_COOKIE_REG_SHIFT,
		       PT_REGS_IP(ctx) - (cookie & ((1ull << RT_CALL_COOKIE_REG_SHIFT) - 1)));
}

/* function__return: where the exit sites are not found (CPython fills
 * the probe's arguments, a line number among them, for every return). */
SEC("usdt")
int calls_py_return(struct pt_regs *ctx)
{
	return py_exit(ctx, RT_REG_NONE, PT_REGS_IP(ctx) - bpf_usdt_cookie(ctx));
}

/* The arguments of a builtin's C function, by its calling convention. */
static __always_inline void builtin_args(struct calls_work *w, struct rt_call_event *ev,
					 __u32 ml_flags, __u64 *r)
{
	__u64 args, nargs = 0, nkw = 0, kwnames = 0, i;
	long off;

	if (ml_flags & RT_METH_FASTCALL) {
		if (ml_flags & RT_METH_METHOD) {
			args = r[2];
			nargs = r[3];
			kwnames = r[4];
		} else {
			args = r[1];
			nargs = r[2];
			kwnames = (ml_flags & RT_METH_KEYWORDS) ? r[3] : 0;
		}
		nargs &= ~(1ull << 63); /* PY_VECTORCALL_ARGUMENTS_OFFSET */
		ev->obj2 = kwnames;
		if (kwnames)
			nkw = rd64(kwnames + O.ob_size);
		if (nkw > RT_CALL_MAX_ARGS)
			nkw = RT_CALL_MAX_ARGS;
		if (nargs > RT_CALL_MAX_ARGS)
			nargs = RT_CALL_MAX_ARGS;
		if (nargs + nkw > RT_CALL_MAX_ARGS)
			nkw = RT_CALL_MAX_ARGS - nargs;
		off = seg_put(ev, args, (nargs + nkw) * 8, 0, 0);
		for (i = 0; off >= 0 && i < RT_CALL_MAX_ARGS; i++) {
			if (i >= nargs + nkw)
				break;
			push(w, ev, got64(ev, off, 8 * i), ROLE_OBJ, 1, 0);
		}
		if (!nkw)
			return;
		off = seg_put(ev, kwnames, O.tuple_items + 8 * nkw, 0, 0);
		for (i = 0; off >= 0 && i < RT_CALL_MAX_ARGS; i++) {
			if (i >= nkw)
				break;
			push(w, ev, got64(ev, off, O.tuple_items + 8 * i), ROLE_NAME, 0, 0);
		}
	} else if (ml_flags & RT_METH_O) {
		push(w, ev, r[1], ROLE_OBJ, 1, 0);
	} else if (!(ml_flags & RT_METH_NOARGS)) {
		/* METH_VARARGS: a tuple (and a dict with METH_KEYWORDS),
		 * whose items are shown as arguments */
		push(w, ev, r[1], ROLE_OBJ, 0, 0);
		if (ml_flags & RT_METH_KEYWORDS) {
			ev->obj2 = r[2];
			push(w, ev, r[2], ROLE_OBJ, 0, 0);
		}
	}
}

/* Entry of a builtin's C function or of a native function without C
 * string arguments. */
SEC("uprobe")
int calls_c_entry(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, hook = bpf_get_attach_cookie(ctx), i;
	struct rt_call_hookinfo *hi;
	struct calls_thread *t;
	struct rt_call_event *ev;
	struct calls_work *w;
	__u64 r[6], runtime;

	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	hi = bpf_map_lookup_elem(&calls_hooks, &hook);
	if (!hi)
		return 0;
	ev = ev_new(RT_CALL_START, hook, run, pid_tgid);
	if (!ev)
		return 0;
	runtime = hi->kind == RT_HOOK_BUILTIN ? proc_runtime(tgid) : 0;
	t = thread_of((__u32)pid_tgid | (1ull << 32), true);
	if (t && t->depth < RT_CALL_DEPTH) {
		struct calls_entry *e = &t->e[t->depth & (RT_CALL_DEPTH - 1)];

		e->frame = PT_REGS_SP(ctx);
		e->code = PT_REGS_IP(ctx);
		e->ts = ev->hdr.ts;
		e->hook = hook;
		e->run = run;
		e->cflags = (hi->kind == RT_HOOK_BUILTIN ? ENTRY_BUILTIN : 0) |
			    (hi->str_ret ? ENTRY_STR_RET : 0);
		e->runtime = runtime;
		t->depth++;
	}
	r[0] = PT_REGS_PARM1(ctx);
	r[1] = PT_REGS_PARM2(ctx);
	r[2] = PT_REGS_PARM3(ctx);
	r[3] = PT_REGS_PARM4(ctx);
	r[4] = PT_REGS_PARM5(ctx);
	r[5] = ctx->r9; /* x86-64: PT_REGS_PARM6 is not in every libbpf */
	for (i = 0; i < 6; i++)
		ev->regs[i] = r[i];
	ev->code = PT_REGS_IP(ctx);
	ev->frame = PT_REGS_SP(ctx);
	if (hi->kind == RT_HOOK_BUILTIN) {
		w = work_new(ev, tgid, runtime ? runtime - cfg_calls_runtime : 0);
		if (!w)
			return 0;
		ev->obj = r[0];
		builtin_args(w, ev, hi->ml_flags, r);
		copy_all();
	}
	ev_send(ev);
	return 0;
}

/* A native function with C string arguments: a sleepable program, so a
 * string's page is faulted in if the process never touched it (a string
 * in .rodata before its first use).  It may sleep, so its record is built
 * in the ring buffer, not in the per-CPU scratch another program could
 * take meanwhile. */
#define NREC_DATA (6 * (sizeof(struct rt_call_seg) + RT_CALL_STR_BYTES))

struct calls_nrec {
	__u8 b[sizeof(struct rt_call_event) + NREC_DATA];
};

SEC("uprobe.s")
int calls_c_entry_s(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, hook = bpf_get_attach_cookie(ctx), i, o = 0, len;
	struct rt_call_hookinfo *hi;
	struct calls_thread *t;
	struct rt_call_event *rec;
	__u64 r[6];

	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	hi = bpf_map_lookup_elem(&calls_hooks, &hook);
	if (!hi)
		return 0;
	rec = bpf_ringbuf_reserve(&events, sizeof(struct calls_nrec), 0);
	if (!rec) {
		rt_count_drop(RT_EV_CALL);
		return 0;
	}
	rt_fill_hdr(&rec->hdr, RT_EV_CALL, sizeof(struct calls_nrec), run, pid_tgid);
	rec->kind = RT_CALL_START;
	rec->hook = hook;
	rec->ident = thread_ident();
	rec->start_ts = 0;
	rec->obj = rec->obj2 = 0;
	rec->flags = rec->nseg = rec->pad = 0;
	t = thread_of((__u32)pid_tgid | (1ull << 32), true);
	if (t && t->depth < RT_CALL_DEPTH) {
		struct calls_entry *e = &t->e[t->depth & (RT_CALL_DEPTH - 1)];

		e->frame = PT_REGS_SP(ctx);
		e->code = PT_REGS_IP(ctx);
		e->ts = rec->hdr.ts;
		e->hook = hook;
		e->run = run;
		e->cflags = hi->str_ret ? ENTRY_STR_RET : 0;
		e->runtime = 0;
		t->depth++;
	}
	r[0] = PT_REGS_PARM1(ctx);
	r[1] = PT_REGS_PARM2(ctx);
	r[2] = PT_REGS_PARM3(ctx);
	r[3] = PT_REGS_PARM4(ctx);
	r[4] = PT_REGS_PARM5(ctx);
	r[5] = ctx->r9;
	for (i = 0; i < 6; i++)
		rec->regs[i] = r[i];
	rec->code = PT_REGS_IP(ctx);
	rec->frame = PT_REGS_SP(ctx);
	/* unrolled: before 6.4 the verifier rejects a loop whose back edge is
	 * a fallthrough ("back-edge from insn"), and clang lays this one out so */
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++) {
		struct rt_call_seg *s;
		__u64 a = r[i];

		if (!(hi->str_args & (1u << i)) || !a)
			continue;
		/* up to the string's page end: bpf_copy_from_user has no _str */
		len = 4096 - (a & 4095);
		if (len > RT_CALL_STR_BYTES)
			len = RT_CALL_STR_BYTES;
		if (o > NREC_DATA - sizeof(*s) - RT_CALL_STR_BYTES)
			break;
		s = (void *)&rec->data[o];
		if (bpf_copy_from_user(&rec->data[o + sizeof(*s)], len & (RT_CALL_STR_BYTES * 2 - 1),
				       (void *)a))
			continue;
		s->addr = a;
		s->len = len;
		s->flags = 0;
		s->span = len;
		o += sizeof(*s) + ((len + 7) & ~7u);
		rec->nseg++;
	}
	rec->data_len = o;
	bpf_ringbuf_submit(rec, rt_wakeup_flags());
	return 0;
}

SEC("uretprobe")
int calls_c_exit(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, hook = bpf_get_attach_cookie(ctx), d, kind = RT_CALL_FINISH;
	__u64 ret = PT_REGS_RC(ctx), tstate = 0, exc = 0;
	struct calls_thread *t;
	struct calls_entry *e;
	struct rt_call_event *ev;
	struct calls_work *w;

	t = thread_of((__u32)pid_tgid | (1ull << 32), false);
	if (!t || !t->depth)
		return 0;
	d = (t->depth - 1) & (RT_CALL_DEPTH - 1);
	e = &t->e[d];
	if (e->hook != hook)
		return 0;
	t->depth = d;
	/* a builtin returning NULL raised: the thread state says what */
	if ((e->cflags & ENTRY_BUILTIN) && !ret && e->runtime) {
		tstate = py_tstate(e->runtime);
		exc = tstate ? rd64(tstate + O.tstate_curexc_type) : 0;
		if (exc)
			kind = RT_CALL_ERROR;
	}
	ev = ev_new(kind, hook, e->run, pid_tgid);
	if (!ev)
		return 0;
	ev->start_ts = e->ts;
	ev->code = e->code;
	ev->frame = e->frame;
	ev->obj = ret;
	if (e->cflags & ENTRY_BUILTIN) {
		w = work_new(ev, tgid, e->runtime ? e->runtime - cfg_calls_runtime : 0);
		if (!w)
			return 0;
		if (exc)
			push_exception(w, ev, exc, rd64(tstate + O.tstate_curexc_value));
		else
			push(w, ev, ret, ROLE_OBJ, 1, 0);
		copy_all();
	} else if (e->cflags & ENTRY_STR_RET) {
		seg_cstr(ev, ret, RT_CALL_STR_BYTES);
	}
	ev_send(ev);
	return 0;
}

/* audit(event, args): PySys_Audit with the GIL held. */
SEC("usdt")
int calls_audit_event(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, *hook, zero = 0;
	__u64 name = 0, args = 0, bias;
	struct rt_call_event *ev;
	struct calls_work *w;
	struct calls_keys *k;

	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	bpf_usdt_arg(ctx, 0, (long *)&name);
	bpf_usdt_arg(ctx, 1, (long *)&args);
	k = bpf_map_lookup_elem(&calls_keybuf, &zero);
	if (!k || !name)
		return 0;
	__builtin_memset(k->q, 0, sizeof(k->q));
	if (bpf_probe_read_user_str(k->q, sizeof(k->q), (void *)name) <= 1)
		return 0;
	hook = bpf_map_lookup_elem(&calls_audit, k->q);
	if (!hook)
		return 0;
	bias = PT_REGS_IP(ctx) - bpf_usdt_cookie(ctx);
	proc_learn(tgid, cfg_calls_runtime + bias);
	ev = ev_new(RT_CALL_AUDIT, *hook, run, pid_tgid);
	w = work_new(ev, tgid, bias);
	if (!ev || !w)
		return 0;
	ev->obj = args;
	push(w, ev, args, ROLE_OBJ, 0, 0); /* its items are the arguments */
	copy_all();
	ev_send(ev);
	return 0;
}

/* Empty programs on the same probes (RUNTRACE_CALLS_FLOOR, for
 * tools/bench/calls): what the kernel's trap and dispatch cost alone. */
SEC("uprobe")
int calls_floor(struct pt_regs *ctx)
{
	return 0;
}

SEC("usdt")
int calls_floor_usdt(struct pt_regs *ctx)
{
	return 0;
}
