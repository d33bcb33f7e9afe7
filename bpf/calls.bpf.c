// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace calls: start, finish and error of chosen functions.
 *
 * Python functions (CPython 3.11): CPython fires no function__entry USDT
 * for Python-to-Python calls (gh-98894), so the entry is a uprobe on the
 * first direct branch of the RESUME and RESUME_QUICK instruction handlers
 * of the eval loop (src/calls/pysites.c finds them): every frame runs its
 * RESUME once when it starts.  The program reads the thread's current
 * frame (_PyRuntime.gilstate.tstate_current -> cframe -> current_frame:
 * the thread holds the GIL), looks its code object up in calls_codes and,
 * for a hooked one whose frame is fresh (prev_instr at its RESUME), copies
 * the argument slots and the objects they point to.  Code objects not yet
 * known are matched once by "module.qualname" or "qualname" (calls_pq,
 * calls_pfull) while hooks are pending, so a hook applies whenever its
 * module is imported, before or after attach.  The exit is the
 * function__return USDT (it fires on returns and on exceptions leaving a
 * frame), matched against the thread's stack of hooked frames.
 *
 * Builtins and native functions: a uprobe and a uretprobe on the C
 * function, the hook id as cookie.  Audit events: the audit USDT, the
 * event name looked up in calls_audit.
 *
 * Probe cookies of the Python probes are the link-time address of the
 * probe site: ip - cookie is the load bias of the interpreter.
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
/* PyCodeObject.co_kwonlyargcount (not in rt_py_offsets). */
const volatile __u32 cfg_calls_code_kwonly = 0;
/* Link-time addresses of PyList_Type and PyTuple_Type: their items are
 * copied too (the objects may be gone when userspace decodes). */
const volatile __u64 cfg_calls_list_type = 0;
const volatile __u64 cfg_calls_tuple_type = 0;

/* Hooks still to be matched by name (userspace keeps the count). */
volatile __u32 calls_npending;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct rt_call_code);
} calls_codes SEC(".maps");

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
	__u32 pad;
};

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_call_event);
} calls_scratch SEC(".maps");

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

/* Copy @len bytes at @addr (at most RT_CALL_OBJ_BYTES, or
 * RT_CALL_STR_BYTES for a string) as a segment; shorter copies are tried
 * when the range ends in unmapped memory. */
static __always_inline void seg_add(struct rt_call_event *ev, __u64 addr, __u32 len, bool str)
{
	__u32 o = ev->data_len;
	struct rt_call_seg *s;
	long n;

	if (!addr)
		return;
	if (o > RT_CALL_DATA_MAX - sizeof(*s) - 2 * RT_CALL_STR_BYTES) {
		ev->flags |= RT_CALL_F_TRUNC;
		return;
	}
	o &= RT_CALL_DATA_MAX - 1;
	s = (void *)&ev->data[o];
	if (str) {
		n = bpf_probe_read_user_str(&ev->data[o + sizeof(*s)], RT_CALL_STR_BYTES,
					    (void *)addr);
		if (n <= 0)
			return;
		len = n;
	} else {
		__u32 first;

		if (len > RT_CALL_OBJ_BYTES)
			len = RT_CALL_OBJ_BYTES;
		/* the next page may not be there: stop at this one's end first */
		first = 4096 - (addr & 4095);
		if (first > len)
			first = len;
		if (bpf_probe_read_user(&ev->data[o + sizeof(*s)], first & 0xff, (void *)addr))
			return;
		if (first < len &&
		    !bpf_probe_read_user(&ev->data[o + sizeof(*s) + (first & 0xff)],
					 (len - first) & 0xff, (void *)(addr + first)))
			first = len;
		len = first;
	}
	s->addr = addr;
	s->len = len;
	s->pad = 0;
	ev->data_len = o + sizeof(*s) + ((len + 7) & ~7u);
	ev->nseg++;
}

/* A C string from a sleepable program: the page is faulted in if the
 * process never touched it (a string in .rodata before its first use). */
static __always_inline void seg_str_sleepable(struct rt_call_event *ev, __u64 addr)
{
	__u32 o = ev->data_len, len;
	struct rt_call_seg *s;

	if (!addr)
		return;
	if (o > RT_CALL_DATA_MAX - sizeof(*s) - 2 * RT_CALL_STR_BYTES) {
		ev->flags |= RT_CALL_F_TRUNC;
		return;
	}
	o &= RT_CALL_DATA_MAX - 1;
	s = (void *)&ev->data[o];
	len = 4096 - (addr & 4095);
	if (len > RT_CALL_STR_BYTES)
		len = RT_CALL_STR_BYTES;
	if (bpf_copy_from_user(&ev->data[o + sizeof(*s)], len & 0x1ff, (void *)addr))
		return;
	s->addr = addr;
	s->len = len;
	s->pad = 0;
	ev->data_len = o + sizeof(*s) + ((len + 7) & ~7u);
	ev->nseg++;
}

static __always_inline struct rt_call_event *ev_new(__u32 kind, __u32 hook, __u32 run,
						    __u64 pid_tgid)
{
	__u32 zero = 0;
	struct rt_call_event *ev = bpf_map_lookup_elem(&calls_scratch, &zero);

	if (!ev)
		return NULL;
	rt_fill_hdr(&ev->hdr, RT_EV_CALL, 0, run, pid_tgid);
	ev->kind = kind;
	ev->hook = hook;
	ev->ident = 0;
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
	__u64 size = RT_CALL_EVENT_HDR_SIZE + (ev->data_len & (RT_CALL_DATA_MAX - 1));

	if (ev->data_len >= RT_CALL_DATA_MAX)
		size = sizeof(*ev);
	ev->hdr.size = size;
	if (size > sizeof(*ev))
		return;
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

static __always_inline __u64 py_frame(__u64 tstate)
{
	__u64 cframe = rd64(tstate + O.tstate_cframe);

	return cframe ? rd64(cframe + O.cframe_current_frame) : 0;
}

static __always_inline __u64 proc_runtime(__u32 tgid)
{
	struct calls_proc *p = bpf_map_lookup_elem(&calls_procs, &tgid);

	return p ? p->runtime : 0;
}

static __always_inline void proc_learn(__u32 tgid, __u64 runtime)
{
	struct calls_proc p = { .runtime = runtime };

	if (!bpf_map_lookup_elem(&calls_procs, &tgid))
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

/* A code object seen for the first time while hooks are pending: its
 * qualname, then "module.qualname", against the pending names. */
static __always_inline struct rt_call_code *match_by_name(__u32 run, __u64 pid_tgid,
							   __u64 code, __u64 func)
{
	struct calls_keys *k;
	struct rt_call_code cc = {};
	struct rt_call_event *ev;
	__u64 qual, mod;
	__u32 zero = 0, *hook;
	long n;
	int i;

	k = bpf_map_lookup_elem(&calls_keybuf, &zero);
	if (!k)
		return NULL;
	__builtin_memset(k, 0, sizeof(*k));
	qual = rd64(code + O.code_qualname);
	if (!qual || bpf_probe_read_user_str(k->q, sizeof(k->q), (void *)(qual + O.unicode_ascii_data)) <= 1)
		return NULL;
	if (!bpf_map_lookup_elem(&calls_pq, k->q))
		return NULL;
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
			return NULL;
	}
	{
		__u32 flags = rd32(code + O.code_flags);
		__u32 nargs = rd32(code + O.code_argcount) + rd32(code + cfg_calls_code_kwonly);

		nargs += !!(flags & RT_CO_VARARGS) + !!(flags & RT_CO_VARKEYWORDS);
		cc.hook = *hook;
		cc.nargs = nargs;
		cc.firsttraceable = rd32(code + O.code_firsttraceable);
		if (flags & RT_CO_GENLIKE) {
			ev = ev_new(RT_CALL_SKIPPED, *hook, run, pid_tgid);
			if (ev) {
				ev->code = code;
				ev_send(ev);
			}
			cc.hook = RT_CALL_NOHOOK;
		}
	}
	bpf_map_update_elem(&calls_codes, &code, &cc, BPF_NOEXIST);
	return bpf_map_lookup_elem(&calls_codes, &code);
}

/* RESUME / RESUME_QUICK: a frame starts (or a generator resumes). */
SEC("uprobe")
int calls_py_resume(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, newcode = 0, n, i;
	__u64 runtime, tstate, frame, code, func, prev, slots;
	struct rt_call_code *cc;
	struct calls_thread *t;
	struct rt_call_event *ev;
	__u64 fr[8];

	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	runtime = cfg_calls_runtime + (PT_REGS_IP(ctx) - bpf_get_attach_cookie(ctx));
	tstate = py_tstate(runtime);
	frame = tstate ? py_frame(tstate) : 0;
	if (!frame || bpf_probe_read_user(fr, sizeof(fr), (void *)frame))
		return 0;
	code = fr[(O.iframe_code / 8) & 7];
	cc = bpf_map_lookup_elem(&calls_codes, &code);
	if (!cc) {
		if (!calls_npending)
			return 0;
		func = fr[(O.iframe_func / 8) & 7];
		cc = match_by_name(run, pid_tgid, code, func);
		if (!cc)
			return 0;
		newcode = RT_CALL_F_NEWCODE;
	}
	if (cc->hook == RT_CALL_NOHOOK)
		return 0;
	prev = fr[(O.iframe_prev_instr / 8) & 7];
	if (prev != code + O.code_adaptive + 2 * (__u64)cc->firsttraceable)
		return 0; /* a generator resuming, not a call */
	proc_learn(tgid, runtime);

	t = thread_of((__u32)pid_tgid, true);
	if (!t)
		return 0;
	ev = ev_new(RT_CALL_START, cc->hook, run, pid_tgid);
	if (!ev)
		return 0;
	if (t->depth < RT_CALL_DEPTH) {
		struct calls_entry *e = &t->e[t->depth & (RT_CALL_DEPTH - 1)];

		e->frame = frame;
		e->code = code;
		e->ts = ev->hdr.ts;
		e->hook = cc->hook;
		t->depth++;
	}
	ev->flags = newcode;
	ev->ident = rd64(tstate + O.tstate_thread_id);
	ev->code = code;
	ev->frame = frame;
	ev->obj = fr[(O.iframe_func / 8) & 7];
	n = cc->nargs;
	if (n > RT_CALL_MAX_ARGS)
		n = RT_CALL_MAX_ARGS;
	/* what userspace needs of the code object, should it be gone */
	ev->regs[0] = rd32(code + O.code_argcount);
	ev->regs[1] = rd32(code + cfg_calls_code_kwonly);
	ev->regs[2] = rd32(code + O.code_flags);
	slots = frame + O.iframe_localsplus;
	seg_add(ev, slots, n * 8, false);
	for (i = 0; i < RT_CALL_MAX_ARGS; i++) {
		__u64 a, type, items, cnt, j;

		if (i >= n)
			break;
		a = rd64(slots + 8 * i);
		seg_add(ev, a, RT_CALL_OBJ_BYTES, false);
		if (i >= 4 || !a)
			continue;
		/* one level more for lists and tuples */
		type = rd64(a + O.ob_type) - (runtime - cfg_calls_runtime);
		cnt = rd64(a + O.ob_size);
		if (cnt > 3)
			cnt = 3;
		if (type == cfg_calls_list_type) {
			items = rd64(a + O.list_items);
			seg_add(ev, items, cnt * 8, false);
		} else if (type == cfg_calls_tuple_type) {
			items = a + O.tuple_items;
		} else {
			continue;
		}
		for (j = 0; j < 3; j++) {
			if (j >= cnt)
				break;
			seg_add(ev, rd64(items + 8 * j), RT_CALL_OBJ_BYTES, false);
		}
	}
	ev_send(ev);
	return 0;
}

/* Copy an exception: the value, its args tuple and the first arg. */
static __always_inline void seg_exception(struct rt_call_event *ev, __u64 value)
{
	__u64 args;

	seg_add(ev, value, RT_CALL_OBJ_BYTES, false);
	args = rd64(value + O.exc_args);
	if (args) {
		seg_add(ev, args, 64, false);
		seg_add(ev, rd64(args + O.tuple_items), RT_CALL_OBJ_BYTES, false);
	}
}

/* function__return: a frame returns, or an exception leaves it. */
SEC("usdt")
int calls_py_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, d, nlocals;
	__u64 runtime, tstate, frame, code, exc;
	struct calls_thread *t;
	struct calls_entry *e;
	struct rt_call_event *ev;

	t = thread_of((__u32)pid_tgid, false);
	if (!t || !t->depth)
		return 0;
	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	runtime = cfg_calls_runtime + (PT_REGS_IP(ctx) - bpf_usdt_cookie(ctx));
	tstate = py_tstate(runtime);
	frame = tstate ? py_frame(tstate) : 0;
	d = (t->depth - 1) & (RT_CALL_DEPTH - 1);
	e = &t->e[d];
	if (!frame || e->frame != frame)
		return 0;
	code = rd64(frame + O.iframe_code);
	if (code != e->code)
		return 0;
	t->depth = d;
	exc = rd64(tstate + O.tstate_curexc_type);
	ev = ev_new(exc ? RT_CALL_ERROR : RT_CALL_FINISH, e->hook, run, pid_tgid);
	if (!ev)
		return 0;
	ev->start_ts = e->ts;
	ev->ident = rd64(tstate + O.tstate_thread_id);
	ev->code = code;
	ev->frame = frame;
	if (exc) {
		ev->obj2 = exc;
		ev->obj = rd64(tstate + O.tstate_curexc_value);
		seg_exception(ev, ev->obj);
	} else {
		nlocals = rd32(code + O.code_nlocalsplus);
		ev->obj = rd64(frame + O.iframe_localsplus + 8 * (__u64)nlocals);
		seg_add(ev, ev->obj, RT_CALL_OBJ_BYTES, false);
	}
	ev_send(ev);
	return 0;
}

/* The C arguments of a builtin, by its calling convention. */
static __always_inline void seg_builtin_args(struct rt_call_event *ev, __u32 ml_flags,
					     __u64 *r)
{
	__u64 args, nargs = 0, kwnames = 0, i;

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
		ev->obj2 = kwnames;
		if (kwnames)
			nargs += rd64(kwnames + O.ob_size);
		if (nargs > RT_CALL_MAX_ARGS)
			nargs = RT_CALL_MAX_ARGS;
		seg_add(ev, args, nargs * 8, false);
		if (kwnames)
			seg_add(ev, kwnames, 24 + 8 * RT_CALL_MAX_ARGS, false);
	} else if (ml_flags & RT_METH_O) {
		seg_add(ev, r[1], RT_CALL_OBJ_BYTES, false);
		return;
	} else if (ml_flags & RT_METH_NOARGS) {
		return;
	} else {
		/* METH_VARARGS: a tuple (and a dict with METH_KEYWORDS) */
		nargs = rd64(r[1] + O.ob_size);
		if (nargs > RT_CALL_MAX_ARGS)
			nargs = RT_CALL_MAX_ARGS;
		seg_add(ev, r[1], O.tuple_items + nargs * 8, false);
		args = r[1] + O.tuple_items;
		if (ml_flags & RT_METH_KEYWORDS)
			ev->obj2 = r[2];
	}
	for (i = 0; i < RT_CALL_MAX_ARGS; i++) {
		if (i >= nargs)
			break;
		seg_add(ev, rd64(args + 8 * i), RT_CALL_OBJ_BYTES, false);
	}
}

/* Entry of a builtin's C function or of a native function. */
static __always_inline int c_entry(struct pt_regs *ctx, bool sleepable)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, hook = bpf_get_attach_cookie(ctx), i;
	struct rt_call_hookinfo *hi;
	struct calls_thread *t;
	struct rt_call_event *ev;
	__u64 r[6], runtime, tstate;

	run = rt_run_of_current(tgid);
	if (!run)
		return 0;
	hi = bpf_map_lookup_elem(&calls_hooks, &hook);
	if (!hi)
		return 0;
	ev = ev_new(RT_CALL_START, hook, run, pid_tgid);
	if (!ev)
		return 0;
	t = thread_of((__u32)pid_tgid | (1ull << 32), true);
	if (t && t->depth < RT_CALL_DEPTH) {
		struct calls_entry *e = &t->e[t->depth & (RT_CALL_DEPTH - 1)];

		e->frame = PT_REGS_SP(ctx);
		e->code = PT_REGS_IP(ctx);
		e->ts = ev->hdr.ts;
		e->hook = hook;
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
		runtime = proc_runtime(tgid);
		tstate = runtime ? py_tstate(runtime) : 0;
		if (tstate)
			ev->ident = rd64(tstate + O.tstate_thread_id);
		ev->obj = r[0];
		seg_builtin_args(ev, hi->ml_flags, r);
	} else {
		for (i = 0; i < 6; i++) {
			if (!(hi->str_args & (1u << i)))
				continue;
			if (sleepable)
				seg_str_sleepable(ev, r[i]);
			else
				seg_add(ev, r[i], 0, true);
		}
	}
	ev_send(ev);
	return 0;
}

SEC("uprobe")
int calls_c_entry(struct pt_regs *ctx)
{
	return c_entry(ctx, false);
}

/* Native functions with C string arguments: may fault pages in. */
SEC("uprobe.s")
int calls_c_entry_s(struct pt_regs *ctx)
{
	return c_entry(ctx, true);
}

SEC("uretprobe")
int calls_c_exit(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, run, hook = bpf_get_attach_cookie(ctx), d, kind;
	struct rt_call_hookinfo *hi;
	struct calls_thread *t;
	struct calls_entry *e;
	struct rt_call_event *ev;
	__u64 ret = PT_REGS_RC(ctx), runtime, tstate = 0, exc = 0;

	t = thread_of((__u32)pid_tgid | (1ull << 32), false);
	if (!t || !t->depth)
		return 0;
	d = (t->depth - 1) & (RT_CALL_DEPTH - 1);
	e = &t->e[d];
	if (e->hook != hook)
		return 0;
	t->depth = d;
	run = rt_run_of_current(tgid);
	hi = bpf_map_lookup_elem(&calls_hooks, &hook);
	if (!run || !hi)
		return 0;
	kind = RT_CALL_FINISH;
	if (hi->kind == RT_HOOK_BUILTIN) {
		runtime = proc_runtime(tgid);
		tstate = runtime ? py_tstate(runtime) : 0;
		if (!ret && tstate) {
			exc = rd64(tstate + O.tstate_curexc_type);
			if (exc)
				kind = RT_CALL_ERROR;
		}
	}
	ev = ev_new(kind, hook, run, pid_tgid);
	if (!ev)
		return 0;
	ev->start_ts = e->ts;
	ev->code = e->code;
	ev->frame = e->frame;
	ev->obj = ret;
	if (hi->kind == RT_HOOK_BUILTIN) {
		if (tstate)
			ev->ident = rd64(tstate + O.tstate_thread_id);
		if (exc) {
			ev->obj2 = exc;
			ev->obj = rd64(tstate + O.tstate_curexc_value);
			seg_exception(ev, ev->obj);
		} else {
			seg_add(ev, ret, RT_CALL_OBJ_BYTES, false);
		}
	} else if (hi->str_ret) {
		seg_add(ev, ret, 0, true);
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
	__u64 name = 0, args = 0, runtime, tstate, n, i;
	struct calls_keys *k;
	struct rt_call_event *ev;

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
	ev = ev_new(RT_CALL_AUDIT, *hook, run, pid_tgid);
	if (!ev)
		return 0;
	runtime = cfg_calls_runtime + (PT_REGS_IP(ctx) - bpf_usdt_cookie(ctx));
	proc_learn(tgid, runtime);
	tstate = py_tstate(runtime);
	if (tstate)
		ev->ident = rd64(tstate + O.tstate_thread_id);
	ev->obj = args;
	if (args) {
		n = rd64(args + O.ob_size);
		if (n > RT_CALL_MAX_ARGS)
			n = RT_CALL_MAX_ARGS;
		seg_add(ev, args, O.tuple_items + 8 * n, false);
		for (i = 0; i < RT_CALL_MAX_ARGS; i++) {
			if (i >= n)
				break;
			seg_add(ev, rd64(args + O.tuple_items + 8 * i), RT_CALL_OBJ_BYTES, false);
		}
	}
	ev_send(ev);
	return 0;
}
