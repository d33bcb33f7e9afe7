// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace pystep: a Python program's steps, from outside the interpreter.
 *
 * Uprobes on the interpreter's file, attached once for every process
 * (src/pystep/job.c; each program first looks the process up in
 * pystep_procs, so other processes cost a lookup):
 *   pystep_start   PyEval_EvalCode(code, ...): the program's module code is
 *                  about to run (its co_filename is cfg_pystep_path)
 *   pystep_call    after the python:function__entry USDT nop (with the
 *                  line probe on, CPython 3.11 reaches it at every RESUME)
 *   pystep_line    after the python:line USDT nop
 *   pystep_return  after the python:function__return USDT nop (return,
 *                  yield, unwinding)
 *   pystep_exc     PyTraceBack_Here(frame): an exception passes a frame
 * Userspace sets the USDT semaphores in its own interpreters only, once
 * they have started (so start-up runs at full speed): elsewhere the code
 * around the USDT sites never runs.  Events of the program's own code (its
 * co_filename object, learned at START) on the main thread are steps:
 * counted, then the process is stopped (SIGSTOP, delivered on the way back
 * to user mode, before the line runs) and the step goes to the job's ring
 * buffer; userspace reads the state and sends SIGCONT.  The step after the
 * last allowed one gets SIGKILL instead: it never runs.
 */
#include "common.bpf.h"
#include "runtrace/pystep.h"

char LICENSE[] SEC("license") = "GPL";

#define PS_SIGKILL 9
#define PS_SIGSTOP 19
#define PS_OP_SEND 123     /* CPython 3.11's opcode */

/* The program's file name, NUL-terminated, as CPython has it in co_filename. */
const volatile char cfg_pystep_path[PYSTEP_PATH_MAX] = {};
/* CPython 3.11 offsets (include/runtrace/python.h). */
const volatile __u32 cfg_pystep_tstate_current = 0; /* _PyRuntime.gilstate.tstate_current */
const volatile __u32 cfg_pystep_tstate_cframe = 0;
const volatile __u32 cfg_pystep_cframe_frame = 0;
const volatile __u32 cfg_pystep_iframe_code = 0;
const volatile __u32 cfg_pystep_iframe_prev_instr = 0;
const volatile __u32 cfg_pystep_code_filename = 0;
const volatile __u32 cfg_pystep_str_data = 0;       /* data of a compact ASCII str */
const volatile __u32 cfg_pystep_frameobj_frame = 0; /* PyFrameObject.f_frame */

/* Traced processes: tgid -> state (userspace inserts them). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PYSTEP_MAX_SLOTS * 4); /* a job and its warm boxes per slot */
	__type(key, __u32);
	__type(value, struct pystep_proc);
} pystep_procs SEC(".maps");

/* One ring buffer per job slot, created by userspace. */
struct pystep_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PYSTEP_RING_BYTES);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, PYSTEP_MAX_SLOTS);
	__type(key, __u32);
	__array(values, struct pystep_ring);
} pystep_rings SEC(".maps");

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

/* The traced process the current task is the main thread of, or NULL. */
static __always_inline struct pystep_proc *traced(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if ((__u32)id != tgid || !rt_run_of(tgid))
		return NULL;
	return bpf_map_lookup_elem(&pystep_procs, &tgid);
}

/* Send an event to the job's ring buffer: 0, or -1 when it could not. */
static __always_inline int emit(struct pystep_proc *p, __u32 kind, __u32 step, __u64 code,
				__u64 frame)
{
	struct pystep_event ev = {
		.kind = kind,
		.step = step,
		.tid = (__u32)bpf_get_current_pid_tgid(),
		.code = code,
		.frame = frame,
		.ts = bpf_ktime_get_ns(),
	};
	__u32 slot = p->slot;
	void *ring = bpf_map_lookup_elem(&pystep_rings, &slot);

	return ring && !bpf_ringbuf_output(ring, &ev, sizeof(ev), BPF_RB_FORCE_WAKEUP) ? 0 : -1;
}

/* Stop the process at this step, or, if the step cannot reach userspace,
 * end it (userspace reports the lost step): never a stop nobody ends. */
static __always_inline void stop(struct pystep_proc *p, int sent)
{
	if (!sent) {
		bpf_send_signal(PS_SIGSTOP);
		return;
	}
	p->flags |= PYSTEP_F_DONE | PYSTEP_F_LOST;
	bpf_send_signal(PS_SIGKILL);
}

/* A step at @frame (0: the current frame of the thread). */
static __always_inline int step(__u32 kind, __u64 frame)
{
	struct pystep_proc *p = traced();
	__u64 code;

	if (!p || !(p->flags & PYSTEP_F_STARTED) || (p->flags & PYSTEP_F_DONE))
		return 0;
	if (!frame) {
		__u64 tstate = read_ptr(p->runtime + cfg_pystep_tstate_current);
		__u64 cframe = read_ptr(tstate + cfg_pystep_tstate_cframe);

		frame = read_ptr(cframe + cfg_pystep_cframe_frame);
	}
	code = read_ptr(frame + cfg_pystep_iframe_code);
	if (!code || read_ptr(code + cfg_pystep_code_filename) != p->filename)
		return 0;
	if (kind == PYSTEP_LINE) {
		/* the jump back to SEND of `yield from`/`await`: the line probe
		 * reports it, sys.settrace does not */
		__u8 op = 0;

		bpf_probe_read_user(&op, 1, (const void *)read_ptr(frame +
								   cfg_pystep_iframe_prev_instr));
		if (op == PS_OP_SEND)
			return 0;
	}
	if (!(p->flags & PYSTEP_F_FIRST)) {
		/* the program's first event, its module's call: not a step
		 * (userspace looks whether its first line will be traced) */
		p->flags |= PYSTEP_F_FIRST;
		if (kind == PYSTEP_CALL) {
			stop(p, emit(p, PYSTEP_FIRST, 0, code, frame));
			return 0;
		}
	}
	if (p->steps >= p->max_steps) {
		p->flags |= PYSTEP_F_DONE;
		emit(p, PYSTEP_LIMIT, p->steps + 1, code, frame);
		bpf_send_signal(PS_SIGKILL);
		return 0;
	}
	p->steps++;
	stop(p, emit(p, kind, p->steps, code, frame));
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(pystep_start, __u64 code)
{
	struct pystep_proc *p = traced();
	char name[PYSTEP_PATH_MAX];
	__u64 filename;
	int i;

	if (!p || (p->flags & PYSTEP_F_STARTED))
		return 0;
	filename = read_ptr(code + cfg_pystep_code_filename);
	if (!filename ||
	    bpf_probe_read_user_str(name, sizeof(name),
				    (const void *)(filename + cfg_pystep_str_data)) <= 0)
		return 0;
	for (i = 0; i < PYSTEP_PATH_MAX; i++) {
		if (name[i] != cfg_pystep_path[i])
			return 0;
		if (!name[i])
			break;
	}
	p->filename = filename;
	p->flags |= PYSTEP_F_STARTED;
	stop(p, emit(p, PYSTEP_START, 0, code, 0));
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(pystep_call)
{
	return step(PYSTEP_CALL, 0);
}

SEC("uprobe")
int BPF_KPROBE(pystep_line)
{
	return step(PYSTEP_LINE, 0);
}

SEC("uprobe")
int BPF_KPROBE(pystep_return)
{
	return step(PYSTEP_RETURN, 0);
}

SEC("uprobe")
int BPF_KPROBE(pystep_exc, __u64 frameobj)
{
	__u64 frame = read_ptr(frameobj + cfg_pystep_frameobj_frame);

	return frame ? step(PYSTEP_EXCEPTION, frame) : 0;
}
