/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading CPython's frames from BPF, on the current task's memory
 * (bpf_probe_read_user): the thread state of a thread, its current
 * interpreter frame, and one frame's code object, globals and caller.
 * Every helper takes the version's layout, struct rt_py_offsets
 * (include/runtrace/python.h), which the caller keeps as a global set by
 * userspace (src/python/layout.c's table for the target's version).
 *
 *	__u64 ts = rt_py_find_tstate(o, runtime_addr, tid);
 *	__u64 frame = rt_py_current_frame(o, ts);
 *	struct rt_py_frame f;
 *	while (frame && !rt_py_read_frame(o, frame, buf, &f)) {
 *		if (!rt_py_frame_is_shim(o, &f))
 *			... f.code ...
 *		frame = f.previous;
 *	}
 *
 * Nothing is written and nothing is trusted: a torn or freed structure
 * gives a failed read (-EFAULT) or values userspace will refuse.
 */
#ifndef RUNTRACE_PYFRAME_BPF_H
#define RUNTRACE_PYFRAME_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "runtrace/python.h"

#define RT_PY_MAX_THREADS 64 /* thread states looked at to find a tid's */
#define RT_PY_EFAULT 14      /* EFAULT: no errno.h in BPF code */

/* The bytes of a frame's fixed part read at once (3.11, 3.12: 72); the
 * buffer a caller passes holds RT_PY_FRAME_BUF. */
#define RT_PY_FRAME_READ 128
#define RT_PY_FRAME_BUF (RT_PY_FRAME_READ + 8)

/* One _PyInterpreterFrame, as a walker needs it. */
struct rt_py_frame {
	__u64 code;       /* f_code: PyCodeObject * */
	__u64 previous;   /* the calling frame, 0 at the bottom */
	__u64 globals;    /* f_globals: its module's dict (for its name) */
	__u64 prev_instr; /* last instruction started (for the line) */
	__u32 owner;      /* enum _frameowner */
};

/* *(__u64 *)@addr in the current task, 0 if it cannot be read. */
static __always_inline __u64 rt_py_read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (const void *)addr))
		return 0;
	return v;
}

/* The main interpreter of the runtime at @runtime. */
static __always_inline __u64 rt_py_interp(const struct rt_py_offsets *o, __u64 runtime)
{
	__u64 interp = rt_py_read_ptr(runtime + o->runtime_interp_main);

	if (!interp)
		interp = rt_py_read_ptr(runtime + o->runtime_interp_head);
	return interp;
}

/* Whether the thread state at @tstate belongs to thread @tid (it was
 * bound to it: native_thread_id, 3.11+). */
static __always_inline bool rt_py_tstate_is(const struct rt_py_offsets *o, __u64 tstate,
					    __u32 tid)
{
	return tstate && rt_py_read_ptr(tstate + o->tstate_native_thread_id) == tid;
}

/* The thread state of thread @tid: the main interpreter's list walked
 * (newest first, at most RT_PY_MAX_THREADS); 0 if none.  3.11 keeps no
 * thread state in TLS, so a caller caches the answer per tid and checks
 * it with rt_py_tstate_is(). */
static __always_inline __u64 rt_py_find_tstate(const struct rt_py_offsets *o, __u64 runtime,
					       __u32 tid)
{
	__u64 interp = rt_py_interp(o, runtime), ts;
	int i;

	if (!interp)
		return 0;
	ts = rt_py_read_ptr(interp + o->interp_tstate_head);
	for (i = 0; i < RT_PY_MAX_THREADS && ts; i++) {
		if (rt_py_tstate_is(o, ts, tid))
			return ts;
		ts = rt_py_read_ptr(ts + o->tstate_next);
	}
	return 0;
}

/* The frame the thread of @tstate runs (or waits in), 0 if none. */
static __always_inline __u64 rt_py_current_frame(const struct rt_py_offsets *o, __u64 tstate)
{
	__u64 cframe;

	if (o->tstate_cframe == RT_PY_NONE)
		return rt_py_read_ptr(tstate + o->cframe_current_frame);
	cframe = rt_py_read_ptr(tstate + o->tstate_cframe);
	return cframe ? rt_py_read_ptr(cframe + o->cframe_current_frame) : 0;
}

/* The 8-byte field at @off of a frame read into @buf (offsets of pointer
 * fields are 8-aligned and within RT_PY_FRAME_READ). */
static __always_inline __u64 rt_py_field(const __u8 *buf, __u32 off)
{
	return *(const __u64 *)(buf + (off & (RT_PY_FRAME_READ - 8)));
}

/* Read the frame at @addr (one read of its fixed part into @buf, which
 * holds RT_PY_FRAME_BUF bytes: a map value, for the offsets are not
 * constants) into @f.  0, or -RT_PY_EFAULT. */
static __always_inline int rt_py_read_frame(const struct rt_py_offsets *o, __u64 addr, __u8 *buf,
					    struct rt_py_frame *f)
{
	__u32 len = o->iframe_localsplus;

	if (len > RT_PY_FRAME_READ || len < 8)
		len = RT_PY_FRAME_READ;
	if (bpf_probe_read_user(buf, len, (const void *)addr))
		return -RT_PY_EFAULT;
	f->code = rt_py_field(buf, o->iframe_code);
	f->previous = rt_py_field(buf, o->iframe_previous);
	f->globals = rt_py_field(buf, o->iframe_globals);
	f->prev_instr = rt_py_field(buf, o->iframe_prev_instr);
	f->owner = buf[o->iframe_owner & (RT_PY_FRAME_READ - 1)];
	return 0;
}

/* The co_filename and co_qualname pointers of the code object at @code
 * (what tells it from another later allocated at the same address), in
 * one read of 32 bytes when they are at most 24 bytes apart (3.11, 3.12:
 * 16), through
 * @buf (RT_PY_NAMES_BUF bytes of a map value).  0, or -RT_PY_EFAULT. */
#define RT_PY_NAMES_BUF 32

static __always_inline int rt_py_code_names(const struct rt_py_offsets *o, __u64 code, __u8 *buf,
					    __u64 *filename, __u64 *qualname)
{
	__u32 f = o->code_filename, q = o->code_qualname;
	__u32 lo = f < q ? f : q, hi = f < q ? q : f;

	/* a code object is far longer than its fields' offsets + 32 */
	if (hi - lo <= RT_PY_NAMES_BUF - 8) {
		if (bpf_probe_read_user(buf, RT_PY_NAMES_BUF, (const void *)(code + lo)))
			return -RT_PY_EFAULT;
		*filename = *(const __u64 *)(buf + ((f - lo) & 24));
		*qualname = *(const __u64 *)(buf + ((q - lo) & 24));
		return 0;
	}
	if (bpf_probe_read_user(filename, sizeof(*filename), (const void *)(code + f)) ||
	    bpf_probe_read_user(qualname, sizeof(*qualname), (const void *)(code + q)))
		return -RT_PY_EFAULT;
	return 0;
}

/* Whether @f is a C shim frame with no code of its own (3.12's
 * FRAME_OWNED_BY_CSTACK; never in 3.11). */
static __always_inline bool rt_py_frame_is_shim(const struct rt_py_offsets *o,
						const struct rt_py_frame *f)
{
	return o->owner_cstack != RT_PY_NONE && f->owner == o->owner_cstack;
}

#endif /* RUNTRACE_PYFRAME_BPF_H */
