// SPDX-License-Identifier: GPL-2.0-only
/*
 * --call-trace: every syscall of a run's processes, as two halves
 * (include/runtrace/syscall.h): an entry half at sys_enter, an exit half at
 * sys_exit.  Nothing is kept between the two: userspace joins them.
 *
 * The cost is paid on every syscall, so the path is short:
 *  - the -e trace= bitmap first;
 *  - "is this task traced?" from a per-CPU cache of the last task seen
 *    (its task pointer and scope_gen), a scope map lookup on a miss;
 *  - the half is written into this CPU's batch buffer (a per-CPU array
 *    value), not into the ring buffer: one bpf_ringbuf_output() carries a
 *    few kilobytes of halves.  A batch is flushed when it fills, when its
 *    CPU switches tasks (so a thread's halves, entry on one CPU and exit on
 *    another, reach userspace in order) and when a thread exits (so its
 *    last halves are out before its parent can reap it).
 * Records wake runtrace only as rt_wakeup_flags() says (it also drains the
 * ring every 50 ms).
 *
 * A batch buffer has one writer at a time: a program claims it with an
 * atomic exchange (a tracing program may be preempted, and another task's
 * program run on the same CPU).  A program that finds it claimed writes its
 * half straight into the ring buffer (blobs left out, flagged).
 */
#include "common.bpf.h"
#include "runtrace/syscall.h"

char LICENSE[] SEC("license") = "GPL";

/* Syscall numbers traced (-e trace=), a bit each. */
const volatile __u64 cfg_ct_filter[RT_SC_NR_MAX / 64] = {};
/* Trace numbers >= RT_SC_NR_MAX (not in the bitmap). */
const volatile bool cfg_ct_trace_high = true;
/* Halves carry their time (hdr.ts; 0 without): off when nothing shown
 * needs it (trace -o without -t, -T or --json), two clock reads a syscall
 * saved. */
const volatile bool cfg_ct_clock = true;
/* Only failed syscalls are shown (-Z): read no blobs for the others. */
const volatile bool cfg_ct_failed_only = false;

#define CT_ERESTARTSYS 512       /* include/linux/errno.h */
#define CT_ERESTART_LAST 516     /* ERESTART_RESTARTBLOCK */
#define CT_SIGKILL 9

/*
 * A batch: struct rt_hdr (RT_EV_BATCH), then halves.  It is flushed as soon
 * as it holds CT_FLUSH_AT bytes, so a half always starts below that offset;
 * a half is at most RT_SC_REC_MAX of fixed part and blobs plus one blob of
 * RT_SC_BLOB_MAX.
 */
#define CT_FLUSH_AT 4096
#define CT_BATCH_MAX (CT_FLUSH_AT + RT_SC_REC_MAX + RT_SC_BLOB_MAX + 64)

struct ct_cpu {
	__u64 task;   /* scope cache: the task last seen on this CPU, */
	__u64 pid_tgid; /* ... its ids, */
	__u32 gen;    /* ... at this scope_gen, */
	__u32 run;    /* ... is in this run (0: none) */
	__u32 busy;   /* the batch is claimed */
	__u32 len;    /* bytes in buf, batch header included */
	__u32 nexit;  /* exit halves in buf (drops are counted in syscalls) */
	__u32 cur;    /* end of the half being written, from its start */
	__u8 buf[CT_BATCH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_cpu);
} calltrace_cpu SEC(".maps");

static __always_inline bool ct_wanted(__u64 nr)
{
	if (nr >= RT_SC_NR_MAX)
		return cfg_ct_trace_high;
	return cfg_ct_filter[nr / 64] & (1ull << (nr & 63));
}

/* A half's time (cfg_ct_clock). */
static __always_inline __u64 ct_now(void)
{
	return cfg_ct_clock ? bpf_ktime_get_ns() : 0;
}

static __always_inline __u32 ct_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* ---- the batch ----------------------------------------------------------- */

/* Hand the batch to the ring buffer and start a new one.  Claimed by the
 * caller. */
static __always_inline void ct_flush(struct ct_cpu *c)
{
	struct rt_hdr *h = (void *)c->buf;
	__u64 len = c->len;

	/* two compares the verifier can follow (clang would fold them into
	 * one range check that 6.1's verifier does not) */
	if (len <= sizeof(*h))
		goto reset;
	barrier_var(len);
	if (len > CT_BATCH_MAX)
		goto reset;
	h->type = RT_EV_BATCH;
	h->size = len;
	h->run = 0;
	h->ts = 0;
	h->pid = 0;
	h->tid = 0;
	if (bpf_ringbuf_output(&events, c->buf, len, rt_wakeup_flags()))
		rt_count_run_drops(c->run, RT_EV_SYSCALL, c->nexit);
reset:
	c->len = sizeof(*h);
	c->nexit = 0;
}

/* Records that went straight to the ring because their CPU's batch was
 * claimed by a program they preempted (fully preemptible kernels only):
 * in order, but without their user memory.  Userspace reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calltrace_bypass SEC(".maps");

/* A record straight to the ring, not in a batch. */
static __always_inline void ct_output(void *rec, __u32 size)
{
	if (bpf_ringbuf_output(&events, rec, size, rt_wakeup_flags()))
		rt_count_drop(RT_EV_SYSCALL);
}

/* A record that cannot go into the claimed batch: straight to the ring,
 * counted as a bypass. */
static __always_inline void ct_output_direct(void *rec, __u32 size)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&calltrace_bypass, &zero);

	if (n)
		*n += 1;
	ct_output(rec, size);
}

/* Flush this CPU's batch now unless a program it preempted holds it. */
static __always_inline void ct_flush_now(struct ct_cpu *c)
{
	if (__sync_lock_test_and_set(&c->busy, 1))
		return;
	ct_flush(c);
	c->busy = 0;
}

static __always_inline struct ct_cpu *ct_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&calltrace_cpu, &zero);
}

/*
 * Claim this CPU's batch for the current task if it is traced.  Returns the
 * batch (claimed) and sets *@run; NULL with *@run == 0 if the task is not
 * traced; NULL with *@run set if the batch is claimed by a program this one
 * preempted (write to the ring instead).  The cache (task, ids, run) is
 * read unclaimed only to let untraced tasks go, written only claimed.
 */
static __always_inline struct ct_cpu *ct_claim(__u32 *run)
{
	__u64 task = bpf_get_current_task();
	struct ct_cpu *c = ct_cpu();
	__u32 gen = scope_gen;

	*run = 0;
	if (!c)
		return NULL;
	if (c->task == task && c->gen == gen && !c->run)
		return NULL; /* untraced: no atomic, no write */
	if (__sync_lock_test_and_set(&c->busy, 1)) {
		*run = rt_run_of_current(bpf_get_current_pid_tgid() >> 32);
		return NULL;
	}
	if (c->task != task || c->gen != gen) {
		c->pid_tgid = bpf_get_current_pid_tgid();
		c->run = rt_run_of_current(c->pid_tgid >> 32);
		c->task = task;
		c->gen = gen;
	}
	*run = c->run;
	if (!*run) {
		c->busy = 0;
		return NULL;
	}
	if (c->len < sizeof(struct rt_hdr) || c->len >= CT_FLUSH_AT)
		c->len = sizeof(struct rt_hdr); /* first use (or a bug): empty */
	return c;
}

/* The half being written ends at c->cur: round it to 8 bytes, count it in
 * the batch, flush a full batch, release the claim. */
static __always_inline void ct_commit(struct ct_cpu *c, struct rt_hdr *h, bool exit)
{
	__u32 size = (c->cur + 7) & ~7u;

	h->size = size;
	c->len += size;
	c->nexit += exit;
	if (c->len >= CT_FLUSH_AT)
		ct_flush(c);
	c->busy = 0;
}

/* Where the next half starts in @c (below CT_FLUSH_AT, as the verifier
 * must see). */
static __always_inline __u8 *ct_next(struct ct_cpu *c)
{
	__u32 off = c->len;

	asm volatile("%[off] &= %[mask]" : [off] "+r"(off) : [mask] "i"(CT_FLUSH_AT - 1));
	return c->buf + off;
}

/* ---- captures (capture.bpf.h) ------------------------------------------- */

#include "capture.bpf.h"

/* ---- signals the kernel ignored on arrival ------------------------------- */

/* A signal whose action is to ignore it is discarded when sent, but strace
 * shows it where the thread would have dequeued it: after the syscall it
 * was in, or before its next one.  Kept here, by tid, until then. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rt_signal_event);
} calltrace_ignored SEC(".maps");

/* Entries in calltrace_ignored: while 0, the syscall path looks no further. */
volatile __u32 ct_ignored_n;

/* Forget the ignored signal kept for thread @tid, if any. */
static __always_inline void ct_forget_ignored(__u32 tid)
{
	if (!bpf_map_delete_elem(&calltrace_ignored, &tid))
		__sync_fetch_and_sub(&ct_ignored_n, 1);
}

/* Put the ignored signal kept for the current thread, if any, into the
 * batch. */
static __always_inline void ct_put_ignored(void)
{
	struct rt_signal_event *kept, *s;
	struct ct_cpu *c;
	__u32 tid, run;

	if (!ct_ignored_n)
		return;
	tid = bpf_get_current_pid_tgid();
	kept = bpf_map_lookup_elem(&calltrace_ignored, &tid);
	if (!kept)
		return;
	c = ct_claim(&run);
	if (c) {
		s = (void *)ct_next(c);
		__builtin_memcpy(s, kept, sizeof(*s));
		s->hdr.ts = bpf_ktime_get_ns();
		c->cur = sizeof(*s);
		ct_commit(c, &s->hdr, false);
	} else if (run) {
		ct_output_direct(kept, sizeof(*kept));
	}
	ct_forget_ignored(tid);
}

/* ---- halves -------------------------------------------------------------- */

static __always_inline void ct_fill_enter(struct rt_sc_enter *e, struct pt_regs *regs, long id,
					  __u32 run, __u64 pid_tgid)
{
	rt_fill_hdr_at(&e->hdr, RT_EV_SYSCALL_ENTER, sizeof(*e), run, pid_tgid, ct_now());
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	e->nr = id;
	e->flags = 0;
	e->nblobs = 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(calltrace_enter, struct pt_regs *regs, long id)
{
	bool at_enter = id >= 0 && id < RT_SC_NR_MAX && (ct_spec_of(id)->flags & RT_CAPF_ENTER);
	struct rt_sc_enter *e;
	struct ct_cpu *c;
	__u32 run;

	if (!ct_wanted(id))
		return 0;
	ct_put_ignored(); /* a signal sent while the thread ran in user space */
	c = ct_claim(&run);
	if (!c) {
		struct rt_sc_enter one;

		if (!run)
			return 0;
		/* the batch is claimed: straight to the ring, no blobs */
		ct_fill_enter(&one, regs, id, run, bpf_get_current_pid_tgid());
		if (at_enter)
			one.flags = RT_SC_F_TRUNC;
		ct_output_direct(&one, sizeof(one));
		return 0;
	}
	e = (void *)ct_next(c);
	ct_fill_enter(e, regs, id, run, c->pid_tgid);
	c->cur = sizeof(*e);
	if (at_enter)
		ct_enter_blobs(c, e, regs->sp);
	ct_commit(c, &e->hdr, false);
	return 0;
}

static __always_inline void ct_fill_exit(struct rt_sc_exit *x, __u64 nr, long ret, __u32 run,
					 __u64 pid_tgid)
{
	rt_fill_hdr_at(&x->hdr, RT_EV_SYSCALL_EXIT, sizeof(*x), run, pid_tgid, ct_now());
	x->ret = ret;
	x->nr = nr;
	x->flags = 0;
	x->nblobs = 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(calltrace_exit, struct pt_regs *regs, long ret)
{
	__u64 nr = regs->orig_ax;
	const volatile struct rt_cap_spec *spec;
	struct rt_sc_exit *x;
	__u32 cflags;
	struct ct_cpu *c;
	__u64 args[8];
	__u32 run;

	/* rt_sigreturn comes back with orig_ax -1 (no restart): its exit
	 * half goes out whatever the filter, userspace pairs it with the
	 * entry waiting */
	if (nr != (__u64)-1 && !ct_wanted(nr))
		return 0;
	/* Interrupted by SIGKILL (ERESTART* with SIGKILL pending): it never
	 * returns to the program.  No exit half: userspace shows it
	 * unfinished, as strace does.  But a fatal signal other than SIGKILL
	 * (a SIGTERM, SIGINT) is also turned into a pending SIGKILL, and there
	 * strace shows the syscall return "= ? ERESTART..." before "--- SIGTERM
	 * ---": the group exit code tells them apart (the signal, or an
	 * exit_group status, whose low 7 bits are 0). */
	if (ret >= -CT_ERESTART_LAST && ret <= -CT_ERESTARTSYS) {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		int code = BPF_CORE_READ(t, signal, group_exit_code) & 0x7f;

		if ((BPF_CORE_READ(t, pending.signal.sig[0]) & (1ul << (CT_SIGKILL - 1))) &&
		    (!code || code == CT_SIGKILL))
			return 0;
	}
	spec = ct_spec_of(nr);
	cflags = nr < RT_SC_NR_MAX ? spec->flags : 0;
	if (cfg_ct_failed_only && !(ret < 0 && ret >= -4095)) /* not shown */
		cflags = 0;
	c = ct_claim(&run);
	if (!c) {
		struct rt_sc_exit one;

		if (!run)
			return 0;
		/* the batch is claimed: straight to the ring, no blobs */
		ct_fill_exit(&one, nr, ret, run, bpf_get_current_pid_tgid());
		if (cflags & RT_CAPF_EXIT)
			one.flags = RT_SC_F_TRUNC;
		ct_output_direct(&one, sizeof(one));
		return 0;
	}
	x = (void *)ct_next(c);
	ct_fill_exit(x, nr, ret, run, c->pid_tgid);
	c->cur = sizeof(*x);
	if (!(cflags & RT_CAPF_EXIT))
		goto done;
	/* the argument registers are as they were at entry */
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
	args[6] = 0;
	args[7] = 0;
	if (cflags & RT_CAPF_DIRECT) {
		/* one data buffer of at most -s bytes (read, write, ...) */
		__u32 argi = spec->special & 7, n;
		__u8 how = spec->arg[argi & 7].how;
		struct rt_sc_blob *b = (void *)(x + 1);
		__u64 want = 0;

		if ((how & RT_CAP_KIND_MASK) == RT_CAP_BUF)
			want = args[spec->arg[argi & 7].len & 7];
		else if (ret > 0)
			want = ret;
		n = ct_min(want, cfg_ct_strsize);
		asm volatile("%[n] &= %[mask]" : [n] "+r"(n) : [mask] "i"(RT_SC_BLOB_MAX - 1));
		if (n && !bpf_probe_read_user(b + 1, n, (void *)args[argi & 7])) {
			b->arg = argi;
			b->kind = RT_BLOB_DATA;
			b->len = n;
			x->nblobs = 1;
			c->cur = sizeof(*x) + sizeof(*b) + n;
		}
	} else {
		ct_capture(c, (__u8 *)x, nr, spec, args, true, ret);
		if (cflags & RT_CAPF_VEC)
			ct_capture_vec(c, (__u8 *)x, spec, args, ret);
	}
done:
	ct_commit(c, &x->hdr, true);
	ct_put_ignored(); /* a signal sent while the thread was in this syscall */
	return 0;
}

/* Flush the batch of a CPU that switches tasks: the halves of the task
 * leaving it go out before it can run anywhere else. */
SEC("tp_btf/sched_switch")
int BPF_PROG(calltrace_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct ct_cpu *c = ct_cpu();

	if (c && c->len > sizeof(struct rt_hdr))
		ct_flush_now(c);
	return 0;
}

/* A thread exits: say so after its last halves (strace's "+++ exited"
 * line, and the end of its wait for an exit half), and flush them before
 * its parent can reap it (and runtrace end the run). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(calltrace_task_exit, struct task_struct *p)
{
	struct rt_thread_exit *t;
	struct ct_cpu *c;
	__u32 run;

	/* a signal still kept for the thread is never dequeued: forget it (and
	 * let the syscall path stop looking when none is kept) */
	if (ct_ignored_n)
		ct_forget_ignored(bpf_get_current_pid_tgid());
	c = ct_claim(&run);
	if (!c) {
		struct rt_thread_exit one;

		if (!run)
			return 0;
		rt_fill_hdr(&one.hdr, RT_EV_THREAD_EXIT, sizeof(one), run, bpf_get_current_pid_tgid());
		one.exit_code = BPF_CORE_READ(p, exit_code);
		one.last = rt_group_dead(p);
		ct_output_direct(&one, sizeof(one));
		return 0;
	}
	t = (void *)ct_next(c);
	rt_fill_hdr(&t->hdr, RT_EV_THREAD_EXIT, sizeof(*t), run, c->pid_tgid);
	t->exit_code = BPF_CORE_READ(p, exit_code);
	t->last = rt_group_dead(p);
	c->cur = sizeof(*t);
	ct_commit(c, &t->hdr, false);
	ct_flush_now(c); /* out now, whatever the batch holds */
	return 0;
}

/* Live output (trace): a per-CPU timer flushes the batch of a CPU whose
 * task never switches (a thread that makes a syscall now and then and never
 * sleeps), so every half reaches userspace within one period.  Attached by
 * userspace to a software cpu-clock perf event on each CPU. */
SEC("perf_event")
int calltrace_timer(struct bpf_perf_event_data *ctx)
{
	struct ct_cpu *c = ct_cpu();

	if (c && c->len > sizeof(struct rt_hdr))
		ct_flush_now(c);
	return 0;
}

/* ---- signal deliveries ----------------------------------------------------- */

/*
 * A tracepoint's pointer argument as a plain number.  The signal
 * tracepoints pass SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) as siginfo
 * pointers, and a NULL k_sigaction; the verifier takes a tp_btf pointer
 * argument for non-NULL and drops a test of it (seen on 6.18: "if (info)"
 * was always taken), so it is read as a number from the context.
 */
static __always_inline unsigned long ct_ctx_word(const void *slot)
{
	unsigned long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), slot);
	return v;
}

static __always_inline void ct_fill_signal(struct rt_signal_event *s, int sig,
					   unsigned long info, unsigned long ka,
					   __u32 run, __u64 pid_tgid)
{
	unsigned long handler = 0;

	if (ka)
		handler = (unsigned long)BPF_CORE_READ((struct k_sigaction *)ka, sa.sa_handler);
	rt_fill_hdr(&s->hdr, RT_EV_SIGNAL, sizeof(*s), run, pid_tgid);
	s->signo = sig;
	s->handler = handler == 0 ? RT_SIG_DFL : handler == 1 ? RT_SIG_IGN : RT_SIG_HANDLER;
	__builtin_memset(s->info, 0, sizeof(s->info));
	if (info > 1 && /* SEND_SIG_NOINFO, SEND_SIG_PRIV */
	    bpf_probe_read_kernel(s->info, sizeof(s->info), (void *)info))
		__builtin_memset(s->info, 0, sizeof(s->info));
}

/* The last signal sent to each traced process, by tgid: when it turns
 * out fatal, the process dies dequeuing a SIGKILL with no siginfo (the
 * group exit), and this is the "--- SIGTERM {...} ---" strace shows. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rt_signal_event);
} calltrace_sent SEC(".maps");

/* A traced thread takes a signal (to run its handler or its default
 * action): strace's "--- SIGCHLD {...} ---".  SIGKILL is left out, as
 * strace never sees it; the SIGKILL of a group exit that a fatal signal
 * started shows as that signal, as strace shows it. */
SEC("tp_btf/signal_deliver")
int BPF_PROG(calltrace_signal, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	unsigned long infop = ct_ctx_word(&ctx[1]), kap = ct_ctx_word(&ctx[2]);
	struct rt_signal_event *s, *sent = NULL;
	struct ct_cpu *c;
	__u32 run, tgid;

	if (sig == CT_SIGKILL) {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		int code = BPF_CORE_READ(t, signal, group_exit_code);

		if (infop || code <= 0 || code > 64 || code == CT_SIGKILL)
			return 0;
		tgid = bpf_get_current_pid_tgid() >> 32;
		sent = bpf_map_lookup_elem(&calltrace_sent, &tgid);
		if (!sent || sent->signo != code)
			return 0;
	}
	c = ct_claim(&run);
	if (!c) {
		struct rt_signal_event one;

		if (!run)
			return 0;
		/* the batch is claimed: straight to the ring */
		ct_fill_signal(&one, sig, infop, kap, run, bpf_get_current_pid_tgid());
		if (sent) {
			__builtin_memcpy(one.info, sent->info, sizeof(one.info));
			one.signo = sent->signo;
		}
		ct_output_direct(&one, sizeof(one));
		return 0;
	}
	s = (void *)ct_next(c);
	ct_fill_signal(s, sig, infop, kap, run, c->pid_tgid);
	if (sent) {
		__builtin_memcpy(s->info, sent->info, sizeof(s->info));
		s->signo = sent->signo;
	}
	c->cur = sizeof(*s);
	ct_commit(c, &s->hdr, false);
	return 0;
}

/* A signal sent to a traced thread that the kernel discards at once (its
 * action is to ignore it: SIGCHLD's default, SIG_IGN) is never delivered,
 * but strace, whose tracees get every signal queued, shows it: say so when
 * it is sent.  Straight to the ring (the sender may not be traced). */
SEC("tp_btf/signal_generate")
int BPF_PROG(calltrace_signal_ignored, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	unsigned long infop = ct_ctx_word(&ctx[1]);
	struct rt_signal_event s, *kept;
	__u32 tgid, tid, run;
	int code;

	if ((result != TRACE_SIGNAL_IGNORED && result != TRACE_SIGNAL_DELIVERED) ||
	    sig == CT_SIGKILL)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	run = rt_run_of(tgid);
	if (!run)
		return 0;
	ct_fill_signal(&s, sig, infop, 0, run, (__u64)tgid << 32 | BPF_CORE_READ(task, pid));
	s.handler = RT_SIG_IGN;
	if (infop <= 1) {
		/* SEND_SIG_NOINFO: from user space, SEND_SIG_PRIV: from the kernel,
		 * as __send_signal_locked() fills them in */
		code = infop ? 0x80 /* SI_KERNEL */ : 0 /* SI_USER */;
		__builtin_memcpy(s.info, &sig, 4);
		__builtin_memcpy(s.info + 8, &code, 4);
		if (!infop) {
			__u32 pid = bpf_get_current_pid_tgid() >> 32;
			__u32 uid = bpf_get_current_uid_gid();

			__builtin_memcpy(s.info + 16, &pid, 4);
			__builtin_memcpy(s.info + 20, &uid, 4);
		}
	}
	if (result == TRACE_SIGNAL_DELIVERED) {
		/* queued: remembered in case it kills the process */
		bpf_map_update_elem(&calltrace_sent, &tgid, &s, BPF_ANY);
		return 0;
	}
	/* ignored: shown when the thread next leaves or enters a syscall; a
	 * second one before that shows the first now */
	tid = s.hdr.tid;
	kept = bpf_map_lookup_elem(&calltrace_ignored, &tid);
	if (kept)
		ct_output(kept, sizeof(*kept)); /* not a bypass: no batch was claimed */
	if (!bpf_map_update_elem(&calltrace_ignored, &tid, &s, BPF_ANY) && !kept)
		__sync_fetch_and_add(&ct_ignored_n, 1);
	return 0;
}
