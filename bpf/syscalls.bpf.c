// SPDX-License-Identifier: GPL-2.0-only
/*
 * --call-trace: every syscall of a run's processes, one record per completed
 * syscall (include/runtrace/syscall.h), emitted at sys_exit.
 *
 * sys_enter: filter (the -e trace= bitmap, then the thread's in-flight slot,
 * created on its first syscall after one scope lookup: a process outside
 * every run costs that one lookup), then note entry time, number and
 * arguments.  sys_exit: emit the record.  Syscalls with nothing to copy are
 * written straight into a ring-buffer reservation; a lone data buffer
 * (read, write, ...) too, with a fixed -s sized reservation; the rest are
 * built in a per-CPU scratch buffer with the user memory the capture spec
 * names (paths, sockaddrs, status words) and copied with
 * bpf_ringbuf_output().  Records wake runtrace only as rt_wakeup_flags() says
 * (it also drains the ring every 50 ms).  A thread that exits
 * while a syscall is in flight (exit_group, killed) gets it emitted as
 * unfinished from sched_process_exit.
 */
#include "common.bpf.h"
#include "runtrace/syscall.h"

char LICENSE[] SEC("license") = "GPL";

/* Syscall numbers traced (-e trace=), a bit each. */
const volatile __u64 cfg_ct_filter[RT_SC_NR_MAX / 64] = {};
/* Trace numbers >= RT_SC_NR_MAX (not in the bitmap). */
const volatile bool cfg_ct_trace_high = true;
/* Per syscall: its capture spec (RT_CAP_* of runtrace/syscall.h). */
const volatile __u64 cfg_ct_capture[RT_SC_NR_MAX] = {};
/* Data bytes captured per buffer (-s). */
const volatile __u32 cfg_ct_strsize = 32;
/* Emit only syscalls that returned an error (-Z). */
const volatile bool cfg_ct_failed_only = false;

#define CT_ERESTARTSYS 512       /* include/linux/errno.h */
#define CT_ERESTART_LAST 516     /* ERESTART_RESTARTBLOCK */
#define CT_SIGKILL 9
#define CT_DIRECT_DATA ((cfg_ct_strsize + 3) & ~3u)
#define CT_DIRECT_SIZE (sizeof(struct rt_syscall_event) + sizeof(struct rt_sc_blob) + CT_DIRECT_DATA)
#define CT_ARGV_COUNT_MAX 128    /* argv elements counted (beyond those captured) */

/* A thread's syscall in flight. */
struct ct_inflight {
	__u64 ts;       /* entry time */
	__u64 args[6];
	__u32 nr;
	__u32 run;      /* the thread's run (cached from the scope map) */
	__u32 active;   /* a syscall is in flight */
	__u32 pad;
};

/*
 * The in-flight slot of each traced thread.  tp_btf path: task local
 * storage, found from the task without a hash lookup (tracing programs may
 * use it since "bpf: Enable task local storage for tracing programs",
 * v5.11).  raw_tp fallback (older kernels): a hash map keyed by tid.
 * Userspace picks the path and leaves the other map tiny or uncreated.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ct_inflight);
} calltrace_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* no memory unless the fallback runs */
	__uint(max_entries, 65536);
	__type(key, __u32);  /* tid */
	__type(value, struct ct_inflight);
} calltrace_inflight SEC(".maps");

#define CT_SCRATCH 16384 /* >= RT_SC_REC_MAX + RT_SC_BLOB_MAX, power of two */
#define CT_CURSOR (CT_SCRATCH - 8) /* __u32 write offset of the record being built */
#define CT_BUSY (CT_SCRATCH - 4)   /* __u32: the scratch buffer is in use */

struct ct_scratch {
	__u8 buf[CT_SCRATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_scratch);
} calltrace_scratch SEC(".maps");

static __always_inline bool ct_wanted(__u64 nr)
{
	if (nr >= RT_SC_NR_MAX)
		return cfg_ct_trace_high;
	return cfg_ct_filter[nr / 64] & (1ull << (nr & 63));
}

static __always_inline __u64 ct_spec(__u32 nr)
{
	if (nr >= RT_SC_NR_MAX)
		return 0;
	return cfg_ct_capture[nr];
}

static __always_inline __u32 ct_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/*
 * Append one blob to the record in @buf: copy @len bytes (a string if @str)
 * from user address @src.  The write cursor lives in the scratch buffer
 * itself (CT_CURSOR): read back from memory it is an unknown, masked scalar,
 * so the verifier sees every iteration of a capture loop alike.
 */
static __always_inline void ct_blob(__u8 *buf, __u8 arg, __u8 kind, __u64 src,
				    __u32 len, bool str)
{
	struct rt_syscall_event *ev = (void *)buf;
	__u32 *cur = (void *)(buf + CT_CURSOR), off = *cur;
	struct rt_sc_blob *b;
	long n;

	if (off > RT_SC_REC_MAX - sizeof(*b)) {
		ev->flags |= RT_SC_F_TRUNC;
		return;
	}
	off &= RT_SC_REC_MAX - 1;
	b = (void *)(buf + off);
	/* mask in a register the verifier tracks (clang may drop a plain &=) */
	asm volatile("%[len] &= %[mask]" : [len] "+r"(len) : [mask] "i"(RT_SC_BLOB_MAX - 1));
	if (str)
		n = bpf_probe_read_user_str(buf + off + sizeof(*b), len, (void *)src);
	else
		n = bpf_probe_read_user(buf + off + sizeof(*b), len, (void *)src) ? -1 : len;
	if (n < 0)
		return;
	b->arg = arg;
	b->kind = kind;
	b->len = n;
	ev->nblobs++;
	*cur = off + sizeof(*b) + ((n + 3) & ~3);
}

/* Copy user memory for the arguments of @ev as @spec says.  @at_exit: the
 * syscall returned (ev->ret is valid). */
static __always_inline void ct_capture(struct rt_syscall_event *ev, __u8 *buf,
				       __u64 spec, bool at_exit)
{
	__u32 strsize = cfg_ct_strsize;
	bool ok = at_exit && ev->ret >= 0;
	int i;

	/* Unrolled: kernels before 6.4 reject a loop whose back edge is a
	 * fallthrough ("back-edge from insn"), and clang lays loops out so. */
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++) {
		__u8 c = spec >> (i * 8);
		__u64 a = ev->args[i], lenarg;
		__u32 kind = RT_CAP_KIND(c), n;

		if (!kind || !a)
			continue;
		lenarg = ev->args[RT_CAP_LENIDX(c) & 7];
		switch (kind) {
		case RT_CAP_PATH:
			ct_blob(buf, i, RT_BLOB_STR, a, RT_SC_PATH_MAX, true);
			break;
		case RT_CAP_STR:
			ct_blob(buf, i, RT_BLOB_STR, a, strsize + 2, true);
			break;
		case RT_CAP_BUF_IN:
			n = ct_min(lenarg, strsize);
			if (n)
				ct_blob(buf, i, RT_BLOB_DATA, a, n, false);
			break;
		case RT_CAP_BUF_OUT:
			if (!ok || ev->ret == 0)
				break;
			n = ct_min(ev->ret, strsize);
			ct_blob(buf, i, RT_BLOB_DATA, a, n, false);
			break;
		case RT_CAP_SOCKADDR:
			n = ct_min(lenarg, 128);
			if (n)
				ct_blob(buf, i, RT_BLOB_DATA, a, n, false);
			break;
		case RT_CAP_SOCKADDR_OUT: {
			int alen = 0;

			if (!ok || !lenarg ||
			    bpf_probe_read_user(&alen, sizeof(alen), (void *)lenarg))
				break;
			n = ct_min(alen < 0 ? 0 : alen, 128);
			if (n)
				ct_blob(buf, i, RT_BLOB_DATA, a, n, false);
			break;
		}
		case RT_CAP_INT_OUT:
			if (ok)
				ct_blob(buf, i, RT_BLOB_DATA, a, 4, false);
			break;
		case RT_CAP_INT2_OUT:
			if (ok)
				ct_blob(buf, i, RT_BLOB_DATA, a, 8, false);
			break;
		case RT_CAP_IOV_IN:
		case RT_CAP_IOV_OUT: {
			struct { __u64 base, len; } iov;
			__u64 lim;

			if (kind == RT_CAP_IOV_OUT && !ok)
				break;
			if (!lenarg || bpf_probe_read_user(&iov, sizeof(iov), (void *)a))
				break;
			lim = kind == RT_CAP_IOV_OUT ? ct_min(iov.len, ev->ret) : iov.len;
			n = ct_min(lim, strsize);
			if (n)
				ct_blob(buf, i, RT_BLOB_DATA, iov.base, n, false);
			break;
		}
		default:
			break;
		}
	}
}

/* execve argv: up to RT_SC_ARGV_MAX strings, then an ARGV_END blob. */
static __always_inline void ct_argv(struct rt_syscall_event *ev, __u8 *buf, int argi,
				    __u64 argv)
{
	__u32 strsize = cfg_ct_strsize, *cur = (void *)(buf + CT_CURSOR), off;
	struct rt_sc_blob *b;
	int i;

#pragma clang loop unroll(full)
	for (i = 0; i < RT_SC_ARGV_MAX; i++) {
		__u64 p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (void *)(argv + i * 8)) || !p)
			break;
		ct_blob(buf, argi, RT_BLOB_ARGV, p, strsize + 2, true);
	}
	if (i == RT_SC_ARGV_MAX) {
		/* count the rest, cheaply, up to a bound */
#pragma clang loop unroll(full)
		for (i = RT_SC_ARGV_MAX; i < CT_ARGV_COUNT_MAX; i++) {
			__u64 p = 0;

			if (bpf_probe_read_user(&p, sizeof(p), (void *)(argv + i * 8)) || !p)
				break;
		}
	}
	off = *cur;
	if (off > RT_SC_REC_MAX - 8)
		return;
	off &= RT_SC_REC_MAX - 1;
	b = (void *)(buf + off);
	b->arg = argi;
	b->kind = RT_BLOB_ARGV_END;
	b->len = 4;
	*(__u32 *)(buf + ((off + 4) & (RT_SC_REC_MAX - 1))) = i;
	ev->nblobs++;
	*cur = off + 8;
}

static __always_inline void ct_output(struct rt_syscall_event *ev)
{
	__u32 size = *(__u32 *)((__u8 *)ev + CT_CURSOR);

	size &= RT_SC_REC_MAX * 2 - 1;
	ev->hdr.size = size;
	if (bpf_ringbuf_output(&events, ev, size, rt_wakeup_flags()))
		rt_count_drop(RT_EV_SYSCALL);
}

/*
 * This CPU's scratch buffer, or NULL if it is in use: on a preemptible
 * kernel a tracing program can be preempted, and another task's program
 * run on the same CPU.  Only one instance runs at a time on a CPU, so a
 * plain flag will do.  ct_scratch_put() releases it.
 */
static __always_inline struct rt_syscall_event *ct_scratch(void)
{
	__u32 zero = 0, *busy;
	__u8 *buf;

	buf = bpf_map_lookup_elem(&calltrace_scratch, &zero);
	if (!buf)
		return NULL;
	busy = (__u32 *)(buf + CT_BUSY);
	if (*busy)
		return NULL;
	*busy = 1;
	return (void *)buf;
}

static __always_inline void ct_scratch_put(struct rt_syscall_event *ev)
{
	*(__u32 *)((__u8 *)ev + CT_BUSY) = 0;
}

static __always_inline void ct_fill(struct rt_syscall_event *ev, struct ct_inflight *f,
				    __u64 pid_tgid, __u16 size)
{
	int i;

	ev->hdr.type = RT_EV_SYSCALL;
	ev->hdr.size = size;
	ev->hdr.run = f->run;
	ev->hdr.ts = f->ts;
	ev->hdr.pid = pid_tgid >> 32;
	ev->hdr.tid = (__u32)pid_tgid;
#pragma clang loop unroll(full)
	for (i = 0; i < 6; i++)
		ev->args[i] = f->args[i];
	ev->nr = f->nr;
	ev->nblobs = 0;
}

/* execve/execveat: emit the entry half with path and argv. */
static __noinline void ct_emit_enter(struct ct_inflight *f, __u64 pid_tgid, __u64 spec)
{
	struct rt_syscall_event *ev = ct_scratch();
	__u8 *buf = (__u8 *)ev;
	int i, argi = -1;

	if (!ev)
		return;
	ct_fill(ev, f, pid_tgid, 0);
	ev->duration_ns = 0;
	ev->ret = 0;
	ev->flags = RT_SC_F_ENTER;
	*(__u32 *)(buf + CT_CURSOR) = sizeof(*ev);
	ct_capture(ev, buf, spec, false);
#pragma clang loop unroll(full)
	for (i = 5; i >= 0; i--)
		if (RT_CAP_KIND(spec >> (i * 8)) == RT_CAP_ARGV)
			argi = i;
	if (argi >= 0 && argi < 6 && ev->args[argi & 7])
		ct_argv(ev, buf, argi, ev->args[argi & 7]);
	ct_output(ev);
	ct_scratch_put(ev);
}

/* A syscall begins: note it in slot @f. */
static __always_inline int ct_begin(struct ct_inflight *f, __u64 id, __u64 a0, __u64 a1,
				    __u64 a2, __u64 a3, __u64 a4, __u64 a5)
{
	__u64 spec;

	f->ts = bpf_ktime_get_ns();
	f->nr = id;
	f->args[0] = a0;
	f->args[1] = a1;
	f->args[2] = a2;
	f->args[3] = a3;
	f->args[4] = a4;
	f->args[5] = a5;
	f->active = 1;
	spec = ct_spec(id);
	if (spec & RT_CAP_AT_ENTER)
		ct_emit_enter(f, bpf_get_current_pid_tgid(), spec);
	return 0;
}

/* Reserve a @size-byte record for the syscall in slot @f that returned
 * @ret, its fixed part filled; NULL (a drop counted) if the ring is full. */
static __always_inline struct rt_syscall_event *
ct_reserve_done(struct ct_inflight *f, __u64 pid_tgid, __u64 now, long ret, __u32 size,
		__u16 flags)
{
	struct rt_syscall_event *ev = bpf_ringbuf_reserve(&events, size, 0);

	if (!ev) {
		rt_count_drop(RT_EV_SYSCALL);
		return NULL;
	}
	ct_fill(ev, f, pid_tgid, sizeof(*ev));
	ev->duration_ns = now - f->ts;
	ev->ret = ret;
	ev->flags = flags;
	return ev;
}

/* The syscall in slot @f returned @ret: emit its record. */
static __always_inline int ct_finish(struct ct_inflight *f, long ret)
{
	__u64 pid_tgid, spec, now;
	struct rt_syscall_event *ev;

	/* Interrupted by SIGKILL (ERESTART* with SIGKILL pending): the program
	 * never sees a return.  Leave it in flight; it is emitted unfinished
	 * at exit, as strace shows it. */
	if (ret >= -CT_ERESTART_LAST && ret <= -CT_ERESTARTSYS &&
	    (BPF_CORE_READ((struct task_struct *)bpf_get_current_task(),
			   pending.signal.sig[0]) & (1ul << (CT_SIGKILL - 1))))
		return 0;
	f->active = 0;
	if (cfg_ct_failed_only && !(ret < 0 && ret >= -4095))
		return 0;
	now = bpf_ktime_get_ns();
	pid_tgid = bpf_get_current_pid_tgid();
	spec = ct_spec(f->nr);
	if (!(spec & RT_CAP_ARGS_MASK) || (spec & RT_CAP_AT_ENTER)) {
		/* nothing to copy: build the record in the ring itself */
		ev = ct_reserve_done(f, pid_tgid, now, ret, sizeof(*ev), 0);
		if (ev)
			bpf_ringbuf_submit(ev, rt_wakeup_flags());
		return 0;
	}
	if (spec & RT_CAP_DIRECT) {
		/* one data buffer of at most -s bytes (read, write, ...): a
		 * fixed-size reservation, the bytes read straight into it */
		__u32 argi = RT_CAP_DIRECT_ARG(spec), kind, n = 0;
		struct rt_sc_blob *b;
		__u64 want = 0;

		ev = ct_reserve_done(f, pid_tgid, now, ret, CT_DIRECT_SIZE, 0);
		if (!ev)
			return 0;
		kind = RT_CAP_KIND(spec >> (argi * 8));
		if (kind == RT_CAP_BUF_IN)
			want = f->args[RT_CAP_LENIDX(spec >> (argi * 8)) & 7];
		else if (ret > 0)
			want = ret;
		n = want < cfg_ct_strsize ? want : cfg_ct_strsize;
		b = (void *)(ev + 1);
		if (n && n <= CT_DIRECT_DATA && argi < 6 &&
		    !bpf_probe_read_user(b + 1, n, (void *)f->args[argi])) {
			b->arg = argi;
			b->kind = RT_BLOB_DATA;
			b->len = n;
			ev->nblobs = 1;
			ev->hdr.size = sizeof(*ev) + sizeof(*b) + ((n + 3) & ~3u);
		}
		bpf_ringbuf_submit(ev, rt_wakeup_flags());
		return 0;
	}
	/* blobs of variable length: build in the per-CPU scratch, then copy */
	ev = ct_scratch();
	if (!ev) {
		/* scratch busy (preempted user on this CPU): the record alone */
		ev = ct_reserve_done(f, pid_tgid, now, ret, sizeof(*ev), RT_SC_F_TRUNC);
		if (ev)
			bpf_ringbuf_submit(ev, rt_wakeup_flags());
		return 0;
	}
	ct_fill(ev, f, pid_tgid, 0);
	ev->duration_ns = now - f->ts;
	ev->ret = ret;
	ev->flags = 0;
	*(__u32 *)((__u8 *)ev + CT_CURSOR) = sizeof(*ev);
	ct_capture(ev, (__u8 *)ev, spec, true);
	ct_output(ev);
	ct_scratch_put(ev);
	return 0;
}

/* A thread exits with a syscall in flight (exit, exit_group, killed). */
static __always_inline void ct_unfinished(struct ct_inflight *f)
{
	struct rt_syscall_event *ev;

	/* now = entry time: an unfinished syscall has no duration */
	ev = ct_reserve_done(f, bpf_get_current_pid_tgid(), f->ts, 0, sizeof(*ev),
			     RT_SC_F_UNFINISHED);
	if (ev)
		bpf_ringbuf_submit(ev, rt_wakeup_flags());
	f->active = 0;
}

/* ---- tp_btf + task storage ------------------------------------------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(calltrace_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t;
	struct ct_inflight *f;
	__u32 run;

	if (!ct_wanted(id))
		return 0;
	t = bpf_get_current_task_btf();
	f = bpf_task_storage_get(&calltrace_task, t, 0, 0);
	if (!f) {
		/* first syscall of this thread since it entered a scope */
		run = rt_run_of(t->tgid);
		if (!run)
			return 0;
		f = bpf_task_storage_get(&calltrace_task, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!f)
			return 0;
		f->run = run;
	}
	return ct_begin(f, id, regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(calltrace_exit, struct pt_regs *regs, long ret)
{
	struct ct_inflight *f;

	f = bpf_task_storage_get(&calltrace_task, bpf_get_current_task_btf(), 0, 0);
	if (!f || !f->active)
		return 0;
	return ct_finish(f, ret);
}

/* A thread exits: emit its syscall still in flight as unfinished.  Keyed
 * on our own storage, not on scope: scope.bpf.c deletes the tgid at exit. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(calltrace_task_exit, struct task_struct *p)
{
	struct ct_inflight *f = bpf_task_storage_get(&calltrace_task, p, 0, 0);

	if (f && f->active)
		ct_unfinished(f);
	return 0;
}

/* ---- raw_tp + hash map: the same events on older kernels ------------ */

SEC("raw_tp/sys_enter")
int calltrace_enter_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	__u64 id = ctx->args[1], pid_tgid;
	struct ct_inflight *f, z = {};
	__u32 run, tid;

	if (!ct_wanted(id))
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	run = rt_run_of(pid_tgid >> 32);
	if (!run)
		return 0;
	tid = (__u32)pid_tgid;
	f = rt_lookup_or_init(&calltrace_inflight, &tid, &z);
	if (!f)
		return 0;
	f->run = run;
	return ct_begin(f, id, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si),
			BPF_CORE_READ(regs, dx), BPF_CORE_READ(regs, r10),
			BPF_CORE_READ(regs, r8), BPF_CORE_READ(regs, r9));
}

SEC("raw_tp/sys_exit")
int calltrace_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ct_inflight *f;

	f = bpf_map_lookup_elem(&calltrace_inflight, &tid);
	if (!f || !f->active)
		return 0;
	return ct_finish(f, ctx->args[1]);
}

SEC("raw_tp/sched_process_exit")
int calltrace_task_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ct_inflight *f;

	f = bpf_map_lookup_elem(&calltrace_inflight, &tid);
	if (!f)
		return 0;
	if (f->active)
		ct_unfinished(f);
	bpf_map_delete_elem(&calltrace_inflight, &tid);
	return 0;
}
