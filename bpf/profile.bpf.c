// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace profile: inclusive wall-clock time of chosen functions of one
 * process, Python or native, counted in the kernel (include/runtrace/
 * profile.h has the model).
 *
 *   profile_sample   a cpu-clock perf event per CPU: a tick on a thread of
 *                    the target adds the period to the slots on its stack
 *   profile_switch   sched_switch: a thread of the target leaving a CPU
 *                    leaves its slots and the time; coming back, the time
 *                    away is added to them (off CPU)
 *   profile_exit     a thread of the target exits: forget it
 *
 * Nothing reaches userspace but stacks with code objects it has not
 * named yet (struct rt_profile_unknown).
 */
#include "common.bpf.h"
#include "compat.bpf.h"
#include "pyframe.bpf.h"
#include "runtrace/profile.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_EXITING 0x00000004 /* include/linux/sched.h */
#define TSTATE_RETRY_NS 1000000ull /* look again for a thread's tstate after (a new
					    * thread binds its own soon after it starts) */

/* Set by userspace, and changed by it while the programs are attached. */
volatile __u32 profile_tgid;     /* the process profiled (0: none) */
volatile __u32 profile_run;      /* hdr.run of its records */
volatile __u32 profile_py_on;    /* profile_python holds the target's CPython */
volatile __u32 profile_nranges;  /* entries of profile_ranges in use */

/* The target's CPython: its layout and where _PyRuntime is (one entry). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_profile_python);
} profile_python SEC(".maps");

/* Native functions: address ranges (the first profile_nranges). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_PROFILE_RANGES);
	__type(key, __u32);
	__type(value, struct rt_profile_range);
} profile_ranges SEC(".maps");

/* code object address -> slots of the functions it is, and its identity. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RT_PROFILE_CODES);
	__type(key, __u64);
	__type(value, struct rt_profile_code);
} profile_codes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_PROFILE_SLOTS);
	__type(key, __u32);
	__type(value, struct rt_profile_count);
} profile_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_profile_stats);
} profile_stats SEC(".maps");

/* A thread's PyThreadState, or 0 and when to look again. */
struct profile_tstate {
	__u64 tstate;
	__u64 retry_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct profile_tstate);
} profile_tstates SEC(".maps");

/* tid -> what the thread left when it went off CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rt_profile_off);
} profile_off SEC(".maps");

/* Per-CPU working memory (too big for the BPF stack): one for the tick,
 * one for sched_switch. */
struct profile_scratch {
	__u64 last_due;                    /* the tick: when this CPU's previous one was due */
	__u64 in_ts;                       /* when a thread of the target last got this CPU, */
	__u32 in_tid;                      /* which */
	__u32 pad;
	__u8 frame[RT_PY_FRAME_BUF];
	__u8 names[RT_PY_NAMES_BUF];
	__u64 ips[RT_PROFILE_MAX_IPS + 1]; /* a power of two: masked index */
	__u64 top[RT_PROFILE_SCAN_WORDS];  /* the words at the user stack pointer */
	__u8 code[8];                      /* bytes before a return address */
	struct rt_profile_off walk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct profile_scratch);
} profile_scratch SEC(".maps");

static __always_inline struct rt_profile_stats *stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&profile_stats, &zero);
}

/* The PyThreadState of thread @tid of the target, cached per tid and
 * checked at each use; 0 if it has none (yet). */
static __always_inline __u64 tstate_of(const struct rt_profile_python *py, __u32 tid, __u64 now)
{
	struct profile_tstate *c = bpf_map_lookup_elem(&profile_tstates, &tid);
	struct profile_tstate n;

	if (c) {
		if (c->tstate && rt_py_tstate_is(&py->off, c->tstate, tid))
			return c->tstate;
		if (!c->tstate && now < c->retry_ns)
			return 0;
	}
	n.tstate = rt_py_find_tstate(&py->off, py->runtime, tid);
	n.retry_ns = now + TSTATE_RETRY_NS;
	bpf_map_update_elem(&profile_tstates, &tid, &n, BPF_ANY);
	return n.tstate;
}

static __always_inline void add_unknown(struct rt_profile_off *w, __u64 code, __u64 id,
					__u64 globals)
{
	__u32 n = w->nunknown;

	/* a recursive function's frames come one after the other:
	 * userspace drops the other repeats */
	if (n && n <= RT_PROFILE_MAX_UNKNOWN && w->code[n - 1] == code)
		return;
	if (n >= RT_PROFILE_MAX_UNKNOWN) {
		w->overflow = 1; /* more than a record carries */
		return;
	}
	w->code[n] = code;
	w->id[n] = id;
	w->globals[n] = globals;
	w->nunknown = n + 1;
}

/* The identity of the code object at @code (0 if unreadable). */
static __always_inline __u64 code_id(const struct rt_py_offsets *o, __u64 code, __u8 *buf)
{
	__u64 filename, qualname;

	if (rt_py_code_names(o, code, buf, &filename, &qualname))
		return 0;
	return rt_profile_code_id(filename, qualname);
}

/* The slots of code object @code if userspace named it (the same object
 * as it named: same identity); else it goes to the unknown ones. */
static __always_inline void match_code(const struct rt_py_offsets *o, struct profile_scratch *s,
				       __u64 code, __u64 globals)
{
	struct rt_profile_code *c = bpf_map_lookup_elem(&profile_codes, &code);
	__u64 id = code_id(o, code, s->names);

	if (!id)
		return; /* not a code object (a frame being torn down) */
	if (c && c->id == id)
		s->walk.mask |= c->mask;
	else
		add_unknown(&s->walk, code, id, globals);
}

/* A Python stack being walked. */
struct py_walk {
	const struct rt_py_offsets *o;
	struct profile_scratch *s;
	struct rt_profile_stats *st;
	__u64 frame;   /* the next frame, 0 at the bottom */
	__u64 prev;    /* the code of the frame above */
};

/* One frame: 0 to go on, 1 at the bottom or on a fault. */
static long py_step(__u32 i, void *data)
{
	struct py_walk *w = data;
	struct rt_py_frame f;

	if (!w->frame)
		return 1;
	if (rt_py_read_frame(w->o, w->frame, w->s->frame, &f)) {
		w->st->faults++;
		w->frame = 0;
		return 1;
	}
	w->frame = f.previous;
	/* a recursive function's frames: matched once */
	if (rt_py_frame_is_shim(w->o, &f) || !f.code || f.code == w->prev)
		return 0;
	w->prev = f.code;
	match_code(w->o, w->s, f.code, f.globals);
	return 0;
}

/* The Python frames of thread @tid into @s->walk (mask, unknown codes). */
static __always_inline void walk_python(struct profile_scratch *s, struct rt_profile_stats *st,
					__u32 tid, __u64 now)
{
	const struct rt_profile_python *py;
	struct py_walk w = { .s = s, .st = st };
	__u64 tstate;
	__u32 zero = 0;

	py = bpf_map_lookup_elem(&profile_python, &zero);
	if (!py)
		return;
	w.o = &py->off;
	tstate = tstate_of(py, tid, now);
	if (!tstate) {
		st->no_tstate++;
		return;
	}
	w.frame = rt_py_current_frame(w.o, tstate);
	bpf_loop(RT_PROFILE_MAX_FRAMES, py_step, &w, 0);
	if (w.frame)
		st->truncated++;
}

/* Add to the walk in scratch slot @which the native functions whose
 * ranges hold @ip; with @ret, @ip is a word found on the stack, taken
 * for a return address only past the function's first byte and after a
 * call instruction.  A global function: the verifier checks it once, not
 * once per frame of the caller's loop (and the mask goes to memory, not
 * to a return value it would track precisely through every branch). */
struct ip_match {
	struct profile_scratch *s;
	__u64 ip;
	__u32 nr;       /* ranges in use */
	__u32 ret;
};

/* One range of profile_ranges against the ip (a bpf_loop callback: the
 * verifier checks the body once, whatever the number of ranges). */
static long ip_range_step(__u32 j, void *data)
{
	struct ip_match *m = data;
	struct rt_profile_range *r;
	__u8 *c;

	if (j >= m->nr)
		return 1;
	r = bpf_map_lookup_elem(&profile_ranges, &j);
	if (!r || m->ip < r->start || m->ip > r->end)
		return 0;
	if (m->ret) {
		c = m->s->code;
		if (m->ip == r->start || bpf_probe_read_user(c, 8, (const void *)(m->ip - 8)))
			return 0;
		if (!rt_profile_call_before(c))
			return 0;
	}
	m->s->walk.mask |= r->mask;
	return 0;
}

__noinline int profile_ip_mask(__u64 ip, __u32 which, __u32 ret)
{
	struct ip_match m = { .ip = ip, .nr = profile_nranges, .ret = ret };

	m.s = bpf_map_lookup_elem(&profile_scratch, &which);
	if (!m.s)
		return 0;
	bpf_loop(RT_PROFILE_RANGES, ip_range_step, &m, 0);
	return 0;
}

/* The return addresses of a user stack being matched. */
struct native_walk {
	struct profile_scratch *s;
	__u32 which;
	__u32 n;       /* frames in s->ips */
};

static long native_step(__u32 i, void *data)
{
	struct native_walk *w = data;
	__u32 k = i;

	if (i >= w->n || i >= RT_PROFILE_MAX_IPS)
		return 1;
	barrier_var(k); /* keep the mask: the verifier sees this register */
	profile_ip_mask(w->s->ips[k & RT_PROFILE_MAX_IPS], w->which, 0);
	return 0;
}

/* Add the native functions on @task's user stack (current) to the walk:
 * the frame-pointer chain (bpf_get_stack, as perf unwinds), and the
 * return addresses among the words at the stack pointer, up to the first
 * frame: a function that calls one built without frame pointers (libc's
 * syscall wrappers, the vDSO) is not in the chain, its return address is
 * there. */
static __always_inline void walk_native(void *ctx, struct task_struct *task,
					struct profile_scratch *s, __u32 which)
{
	struct native_walk w = { .s = s, .which = which };
	struct pt_regs *regs;
	__u64 sp, bp;
	long n;
	int i;

	if (!profile_nranges)
		return;
	n = bpf_get_stack(ctx, s->ips, RT_PROFILE_MAX_IPS * sizeof(__u64), BPF_F_USER_STACK);
	if (n > 0) {
		w.n = n / sizeof(__u64);
		bpf_loop(RT_PROFILE_MAX_IPS, native_step, &w, 0);
	}
	regs = rt_task_user_regs(task);
	if (!regs)
		return;
	sp = BPF_CORE_READ(regs, sp);
	bp = BPF_CORE_READ(regs, bp);
	if (bpf_probe_read_user(s->top, sizeof(s->top), (const void *)sp))
		return;
	for (i = 0; i < RT_PROFILE_SCAN_WORDS; i++) {
		if (bp > sp && sp + i * 8 >= bp)
			break;
		profile_ip_mask(s->top[i], which, 1);
	}
}

/* The current task's stack, summarised in @s->walk; NULL without
 * working memory. */
static __always_inline struct rt_profile_off *walk(void *ctx, struct task_struct *task,
						   __u32 which, struct rt_profile_stats *st,
						   __u32 tid, __u64 now)
{
	struct profile_scratch *s = bpf_map_lookup_elem(&profile_scratch, &which);
	struct rt_profile_off *w;

	if (!s)
		return NULL;
	w = &s->walk;
	w->ts = now;
	w->mask = 0;
	w->nunknown = 0;
	w->overflow = 0;
	if (profile_py_on)
		walk_python(s, st, tid, now);
	walk_native(ctx, task, s, which);
	if (w->overflow)
		st->truncated++;
	return w;
}

/* Add @ns (one tick, or one interval off CPU) to every slot of @mask. */
struct charge_ctx {
	__u64 mask;
	__u64 ns;
	__u32 kind;
};

static long charge_step(__u32 i, void *data)
{
	struct charge_ctx *c = data;
	struct rt_profile_count *v;

	if (i >= RT_PROFILE_SLOTS || !(c->mask >> i))
		return 1;
	if (!(c->mask & (1ull << i)))
		return 0;
	v = bpf_map_lookup_elem(&profile_counts, &i);
	if (!v)
		return 0;
	if (c->kind == RT_PROFILE_ON_CPU) {
		v->on_ns += c->ns;
		v->on_samples++;
	} else {
		v->off_ns += c->ns;
		v->off_count++;
	}
	return 0;
}

static __always_inline void charge(__u64 mask, __u32 kind, __u64 ns)
{
	struct charge_ctx c = { .mask = mask, .ns = ns, .kind = kind };

	bpf_loop(RT_PROFILE_SLOTS, charge_step, &c, 0);
}

/* A stack with unknown code objects: userspace names them and charges. */
static __always_inline void send(struct rt_profile_stats *st, __u32 kind, __u64 ns, __u64 mask,
				 const struct rt_profile_off *w, __u64 pid_tgid)
{
	struct rt_profile_unknown *ev;
	__u32 i;

	ev = rt_reserve(struct rt_profile_unknown, RT_EV_PROFILE, profile_run, pid_tgid);
	if (!ev) {
		st->lost++;
		return;
	}
	ev->kind = kind;
	ev->nunknown = w->nunknown;
	ev->charge_ns = ns;
	ev->mask = mask;
	for (i = 0; i < RT_PROFILE_MAX_UNKNOWN; i++) {
		ev->code[i] = i < w->nunknown ? w->code[i] : 0;
		ev->id[i] = i < w->nunknown ? w->id[i] : 0;
		ev->globals[i] = i < w->nunknown ? w->globals[i] : 0;
	}
	st->records++;
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

/* The time a tick stands for: since this CPU's previous tick was due (the
 * period; more when the timer fell behind while the thread ran, or
 * userspace restarted it with another period: sampler__jitter(), for a
 * fixed period that divides the kernel's own tick would sample threads
 * that tick wakes always at the same moment after it), at most
 * MAX_TICK_PERIODS periods; the tick's lateness is no time of the thread
 * it finds.  0 for a tick due before the thread it finds got the CPU: it
 * samples the moment it was due, when the CPU was idle or ran another
 * task (a timer interrupt pending while an idle virtual CPU sleeps is
 * delivered when the CPU is woken, often for the target's own thread, and
 * would land on it more often than chance). */
#define MAX_TICK_PERIODS 8

static __always_inline __u64 tick_ns(struct profile_scratch *s, __u64 due, __u64 period,
				     __u32 tid)
{
	__u64 last = s->last_due, ns;
	bool came = tid == s->in_tid;

	s->last_due = due;
	if (came && s->in_ts > due)
		return 0;
	if (!last || due <= last || due - last > MAX_TICK_PERIODS * period)
		return period;
	ns = due - last;
	/* the thread got this CPU after the previous tick: the time before
	 * it came was another task's, or idle (a CPU that idles may let the
	 * timer fall behind) */
	if (came && s->in_ts > last && ns > period) {
		__u64 here = (due - s->in_ts) / period * period + period;

		if (ns > here)
			ns = here;
	}
	return ns;
}

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), ns;
	struct profile_scratch *s;
	struct rt_profile_stats *st;
	struct rt_profile_off *w;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&profile_scratch, &zero);
	if (!s)
		return 0;
	ns = tick_ns(s, rt_tick_due(ctx, now), ctx->sample_period, (__u32)pid_tgid);
	if (!profile_tgid || pid_tgid >> 32 != profile_tgid)
		return 0;
	st = stats();
	if (!st)
		return 0;
	if (!ns) {
		st->late++;
		return 0;
	}
	st->samples++;
	st->on_ns += ns;
	if (ns > ctx->sample_period + ctx->sample_period / 2) {
		st->long_ticks++;
		st->long_ns += ns - ctx->sample_period;
	}
	w = walk(ctx, bpf_get_current_task_btf(), 0, st, (__u32)pid_tgid, now);
	if (!w)
		return 0;
	if (w->nunknown)
		send(st, RT_PROFILE_ON_CPU, ns, w->mask, w, pid_tgid);
	else if (w->mask)
		charge(w->mask, RT_PROFILE_ON_CPU, ns);
	return 0;
}

/* A thread of the target leaves the CPU (current is @prev). */
static __always_inline void switch_out(void *ctx, struct task_struct *prev, __u64 now)
{
	__u32 tid = BPF_CORE_READ(prev, pid);
	struct rt_profile_stats *st;
	struct rt_profile_off *w;

	if (BPF_CORE_READ(prev, flags) & PF_EXITING) {
		bpf_map_delete_elem(&profile_off, &tid);
		return;
	}
	st = stats();
	if (!st)
		return;
	st->switches++;
	w = walk(ctx, prev, 1, st, tid, now);
	if (!w)
		return;
	if (w->mask || w->nunknown)
		bpf_map_update_elem(&profile_off, &tid, w, BPF_ANY);
	else
		bpf_map_delete_elem(&profile_off, &tid);
}

/* A thread of the target gets a CPU again: charge the time away. */
static __always_inline void switch_in(struct task_struct *next, __u64 now)
{
	__u32 tid = BPF_CORE_READ(next, pid), i, n = 0;
	struct rt_profile_off *e = bpf_map_lookup_elem(&profile_off, &tid);
	struct rt_profile_stats *st;
	struct profile_scratch *s;
	struct rt_profile_code *c;
	__u32 zero = 0;
	__u64 ns, mask;

	s = bpf_map_lookup_elem(&profile_scratch, &zero);
	if (s) {
		s->in_ts = now;
		s->in_tid = tid;
	}
	if (!e)
		return;
	ns = now > e->ts ? now - e->ts : 0;
	mask = e->mask;
	/* code objects userspace named since */
	for (i = 0; i < RT_PROFILE_MAX_UNKNOWN; i++) {
		if (i >= e->nunknown)
			break;
		c = bpf_map_lookup_elem(&profile_codes, &e->code[i]);
		if (c && c->id == e->id[i]) {
			mask |= c->mask;
		} else {
			e->code[n & (RT_PROFILE_MAX_UNKNOWN - 1)] = e->code[i];
			e->id[n & (RT_PROFILE_MAX_UNKNOWN - 1)] = e->id[i];
			e->globals[n & (RT_PROFILE_MAX_UNKNOWN - 1)] = e->globals[i];
			n++;
		}
	}
	e->nunknown = n;
	if (n) {
		st = stats();
		if (st)
			send(st, RT_PROFILE_OFF_CPU, ns, mask, e,
			     (__u64)BPF_CORE_READ(next, tgid) << 32 | tid);
	} else {
		charge(mask, RT_PROFILE_OFF_CPU, ns);
	}
	bpf_map_delete_elem(&profile_off, &tid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(profile_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tgid = profile_tgid;
	__u64 now;

	if (!tgid)
		return 0;
	if (BPF_CORE_READ(prev, tgid) != tgid && BPF_CORE_READ(next, tgid) != tgid)
		return 0;
	now = bpf_ktime_get_ns();
	if (BPF_CORE_READ(prev, tgid) == tgid)
		switch_out(ctx, prev, now);
	if (BPF_CORE_READ(next, tgid) == tgid)
		switch_in(next, now);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(profile_exit, struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (!profile_tgid || pid_tgid >> 32 != profile_tgid)
		return 0;
	bpf_map_delete_elem(&profile_tstates, &tid);
	bpf_map_delete_elem(&profile_off, &tid);
	return 0;
}
