// SPDX-License-Identifier: GPL-2.0-only
/* Jobs: a request run in a box under the pystep BPF programs (job.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/session.h"
#include "engine/sink.h"
#include "pystep/job.h"
#include "pystep/record.h"
#include "pystep/target.h"
#include "runtrace.skel.h"
#include "runtrace/pystep.h"
#include "util/util.h"

#define SLOT_LOCK_DIR "/run/runtrace"
#define RUN_BASE 0x50000000u        /* scope run ids of pystep jobs */
#define WARM 2                      /* boxes started ahead, per worker */
#define UIDS 4                      /* users per slot: a job's and its warm boxes' differ */

struct ps_env {
	struct ps_options o;
	struct ps_target target;
	struct ps_boxes *boxes;
	struct session *session;
	struct runtrace_bpf *skel;
	struct sink sink;
	int stop_fd;                  /* eventfd: abort the jobs in progress */
	unsigned next_run;
	pthread_mutex_t lock;
	bool slot_used[PYSTEP_MAX_SLOTS];
	struct bpf_program *progs[PS_NSITES];
	struct bpf_link *links[PS_NSITES];
};

struct ps_job;

struct ps_worker {
	struct ps_env *e;
	unsigned slot;
	int lock_fd;
	int ring_fd;                  /* the slot's ring buffer map */
	struct ring_buffer *rb;
	int epfd;
	unsigned seq;                 /* boxes started */
	struct ps_job *warm[WARM];    /* the next jobs' boxes, started */
	int nwarm;
	struct ps_job *job;           /* the job in progress */
	struct ps_job *done;          /* the last job: its box goes after the answer */
};

struct ps_job {
	struct ps_worker *w;
	struct ps_box box;
	unsigned run;                 /* scope run id */
	bool registered;
	/* the request */
	const struct pystep_request *req;
	size_t in_off, src_off;
	/* what came out */
	struct strbuf *out;
	struct strbuf snap;
	struct strbuf print;          /* stdout since the last step */
	struct strbuf err;            /* stderr */
	size_t err_mark;              /* stderr's length at the last step */
	size_t printed;               /* stdout + stderr bytes */
	unsigned nsteps;
	bool ready;                   /* the interpreter waits for its source, probed */
	__u64 deadline;               /* CLOCK_MONOTONIC ns: the time limit */
	struct ps_inspect *in;
	__u64 module_code;
	__u64 t_sent, t_started;
	char exc_type[128];
	/* how it ended */
	bool started, exited, limit_hit, timed_out, output_over, record_over, interrupted;
	bool memory_full; /* at its time-out, the box was at its memory limit */
	bool failed;                  /* runtrace's own failure */
	char why[256];
	int status;
};

/* ---- the BPF side: a sink that turns the pystep programs on ---- */

static const char *const prog_names[PS_NSITES] = {
	[PS_SITE_START] = "pystep_start",
	[PS_SITE_CALL] = "pystep_call",
	[PS_SITE_LINE] = "pystep_line",
	[PS_SITE_RETURN] = "pystep_return",
	[PS_SITE_EXC] = "pystep_exc",
};

static int sink_configure(void *self, struct runtrace_bpf *skel)
{
	struct ps_env *e = self;
	const struct rt_py_offsets *o = e->target.o;
	int i;

	for (i = 0; i < PS_NSITES; i++) {
		e->progs[i] = bpf_object__find_program_by_name(skel->obj, prog_names[i]);
		if (!e->progs[i])
			return -ENOENT;
		bpf_program__set_autoload(e->progs[i], true);
		/* attached per traced process (job.c) */
		bpf_program__set_autoattach(e->progs[i], false);
	}
	session__enable_maps(skel, "pystep_");
	skel->rodata->cfg_proc_events = false;
	snprintf((char *)skel->rodata->cfg_pystep_path, PYSTEP_PATH_MAX, "%s", PS_BOX_PROGRAM);
	skel->rodata->cfg_pystep_tstate_current = o->runtime_tstate_current;
	skel->rodata->cfg_pystep_tstate_cframe = o->tstate_cframe;
	skel->rodata->cfg_pystep_cframe_frame = o->cframe_current_frame;
	skel->rodata->cfg_pystep_iframe_code = o->iframe_code;
	skel->rodata->cfg_pystep_iframe_prev_instr = o->iframe_prev_instr;
	skel->rodata->cfg_pystep_code_filename = o->code_filename;
	skel->rodata->cfg_pystep_str_data = o->unicode_ascii_data;
	skel->rodata->cfg_pystep_frameobj_frame = o->frameobj_frame;
	e->skel = skel;
	return 0;
}

/* Every probe once, for every process of the interpreter: a per-process
 * uprobe costs an attach and a detach per job, each waiting for RCU grace
 * periods under a lock every fork of the machine takes (~100 ms here).
 * The programs look up the process first (pystep_procs). */
static int sink_attach(void *self, struct runtrace_bpf *skel, int parent_cgroup_fd)
{
	struct ps_env *e = self;
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	int i, err;

	for (i = 0; i < PS_NSITES; i++) {
		e->links[i] = bpf_program__attach_uprobe_opts(e->progs[i], -1, e->target.path,
							      e->target.site_offset[i], &uo);
		if (!e->links[i]) {
			err = -errno;
			rt_err("cannot attach %s to %s: %s", prog_names[i], e->target.path,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static const struct sink_ops sink_ops = {
	.name = "pystep",
	.configure = sink_configure,
	.attach = sink_attach,
};

struct ps_env *ps_env__new(const struct ps_options *o)
{
	struct ps_env *e = calloc(1, sizeof(*e));
	char why[512];
	int err;

	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	e->o = *o;
	e->stop_fd = -1;
	pthread_mutex_init(&e->lock, NULL);
	err = ps_target_open(o->python, &e->target, why, sizeof(why));
	if (err) {
		rt_err("%s", why);
		goto fail;
	}
	e->boxes = ps_boxes__new(&o->box, why, sizeof(why));
	if (!e->boxes) {
		err = -errno;
		rt_err("cannot set up the boxes: %s", why);
		goto fail;
	}
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->stop_fd < 0) {
		err = -errno;
		rt_err("cannot create an eventfd: %s", strerror(-err));
		goto fail;
	}
	e->sink.ops = &sink_ops;
	e->sink.self = e;
	e->sink.ring_bytes = 4096 * 16;
	e->session = session__new(&e->sink, 1, -1);
	if (!e->session) {
		err = -errno;
		goto fail;
	}
	rt_dbg("pystep: %s (Python %x), boxes in %s", e->target.path, e->target.version,
	       ps_boxes__cgroups(e->boxes));
	return e;
fail:
	ps_env__free(e);
	errno = -err;
	return NULL;
}

void ps_env__free(struct ps_env *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < PS_NSITES; i++)
		bpf_link__destroy(e->links[i]);
	session__free(e->session);
	ps_boxes__free(e->boxes);
	ps_target_close(&e->target);
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void ps_env__abort(struct ps_env *e)
{
	__u64 one = 1;

	if (write(e->stop_fd, &one, sizeof(one)) < 0)
		rt_dbg("cannot signal the workers: %s", strerror(errno));
}

const char *ps_env__cgroups(const struct ps_env *e)
{
	return ps_boxes__cgroups(e->boxes);
}

/* ---- slots ---- */

/* A slot no other runtrace process uses (its users are the slot's): a
 * lock file per slot in /run/runtrace. */
static int claim_slot(struct ps_env *e, unsigned *slot, int *lock_fd)
{
	char path[64];
	unsigned s;
	int fd, err = -EBUSY;

	mkdir(SLOT_LOCK_DIR, 0755);
	pthread_mutex_lock(&e->lock);
	for (s = 0; s < PYSTEP_MAX_SLOTS; s++) {
		if (e->slot_used[s])
			continue;
		snprintf(path, sizeof(path), SLOT_LOCK_DIR "/pystep-uid-%u.lock",
			 (unsigned)(e->o.uid_base + UIDS * s));
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = -errno;
			break;
		}
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			close(fd);
			continue;
		}
		e->slot_used[s] = true;
		*slot = s;
		*lock_fd = fd;
		err = 0;
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return err;
}

static void release_slot(struct ps_env *e, unsigned slot, int lock_fd)
{
	pthread_mutex_lock(&e->lock);
	e->slot_used[slot] = false;
	pthread_mutex_unlock(&e->lock);
	if (lock_fd >= 0)
		close(lock_fd);
}

static int on_event(void *ctx, void *data, size_t len);

struct ps_worker *ps_worker__new(struct ps_env *e)
{
	struct ps_worker *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };
	int outer, err;

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->e = e;
	w->lock_fd = w->ring_fd = w->epfd = -1;
	err = claim_slot(e, &w->slot, &w->lock_fd);
	if (err) {
		rt_err("no free pystep slot (at most %d jobs at once on this machine): %s",
		       PYSTEP_MAX_SLOTS, strerror(-err));
		free(w);
		errno = -err;
		return NULL;
	}
	/* the slot's ring buffer, in pystep_rings[slot] */
	w->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "pystep_ring", 0, 0, PYSTEP_RING_BYTES,
				    NULL);
	if (w->ring_fd < 0) {
		err = -errno;
		rt_err("cannot create a ring buffer: %s", strerror(-err));
		goto fail;
	}
	outer = bpf_map__fd(e->skel->maps.pystep_rings);
	if (bpf_map_update_elem(outer, &w->slot, &w->ring_fd, BPF_ANY)) {
		err = -errno;
		rt_err("cannot install the ring buffer: %s", strerror(-err));
		goto fail;
	}
	w->rb = ring_buffer__new(w->ring_fd, on_event, w, NULL);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!w->rb || w->epfd < 0) {
		err = -errno;
		rt_err("cannot set up the ring buffer: %s", strerror(-err));
		goto fail;
	}
	ev.data.fd = ring_buffer__epoll_fd(w->rb);
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		err = -errno;
		goto fail;
	}
	ev.data.fd = e->stop_fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, e->stop_fd, &ev) < 0) {
		err = -errno;
		goto fail;
	}
	return w;
fail:
	ps_worker__free(w);
	errno = -err;
	return NULL;
}

static void job_free(struct ps_job *j);

void ps_worker__free(struct ps_worker *w)
{
	if (!w)
		return;
	job_free(w->done);
	while (w->nwarm)
		job_free(w->warm[--w->nwarm]);
	ring_buffer__free(w->rb);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->ring_fd >= 0)
		close(w->ring_fd);
	release_slot(w->e, w->slot, w->lock_fd);
	free(w);
}

/* ---- a job's box ---- */

static int proc_get(struct ps_env *e, pid_t pid, struct pystep_proc *p)
{
	__u32 key = pid;

	return bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.pystep_procs), &key, p) ? -errno : 0;
}

static int proc_set(struct ps_env *e, pid_t pid, const struct pystep_proc *p)
{
	__u32 key = pid;

	return bpf_map_update_elem(bpf_map__fd(e->skel->maps.pystep_procs), &key, p, BPF_ANY) ?
		       -errno : 0;
}

/* The box is forked, blocked: register it before it runs anything. */
static int box_ready(void *ctx, pid_t pid)
{
	struct ps_job *j = ctx;
	struct ps_env *e = j->w->e;
	struct pystep_proc p = { .runtime = e->target.runtime, .slot = j->w->slot };
	int err;

	err = session__register(e->session, pid, j->run);
	if (!err)
		err = proc_set(e, pid, &p);
	if (err) {
		rt_err("cannot register process %d: %s", pid, strerror(-err));
		return err;
	}
	j->registered = true;
	return 0;
}

static void job_release_box(struct ps_job *j)
{
	struct ps_env *e = j->w->e;

	ps_box__destroy(&j->box);
	if (j->registered) {
		__u32 key = j->box.child.pid;

		bpf_map_delete_elem(bpf_map__fd(e->skel->maps.pystep_procs), &key);
		session__forget(e->session, j->run);
		j->registered = false;
	}
}

static void job_free(struct ps_job *j)
{
	if (!j)
		return;
	job_release_box(j);
	ps_inspect__free(j->in);
	strbuf_free(&j->snap);
	strbuf_free(&j->print);
	strbuf_free(&j->err);
	free(j);
}

/* ---- a job ---- */

static __u64 now(void)
{
	return now_ns(CLOCK_MONOTONIC);
}

static void job_kill(struct ps_job *j)
{
	ps_box__kill(&j->box);
}

/* Out of time: noted, with whether it was at its memory limit then (finish()
 * tells the two apart), and killed. */
static void job_time_out(struct ps_job *j)
{
	j->timed_out = true;
	j->memory_full = ps_box__memory_full(&j->box);
	job_kill(j);
}

/* Wait until the program is stopped at its step (the SIGSTOP sent with the
 * event lands on its way back to user mode: at once, unless the machine is
 * overloaded).  0, -ESRCH if it died, -ETIMEDOUT at the time limit. */
static int wait_stopped(struct ps_job *j)
{
	siginfo_t si;
	int i;

	for (i = 0;; i++) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PIDFD, j->box.child.pidfd, &si, WSTOPPED | WEXITED | WNOHANG | WNOWAIT))
			return -errno;
		if (si.si_pid)
			return si.si_code == CLD_STOPPED ? 0 : -ESRCH;
		if (now() > j->deadline)
			return -ETIMEDOUT;
		if (i < 100)
			sched_yield();
		else
			usleep(i < 1000 ? 20 : 500);
	}
}

static void job_continue(struct ps_job *j)
{
	kill(j->box.child.pid, SIGCONT);
}

static void fail_job(struct ps_job *j, int err, const char *what)
{
	if (!j->failed) {
		j->failed = true;
		snprintf(j->why, sizeof(j->why), "runtrace: %s: %s", what, strerror(-err));
		rt_err("pystep: %s: %s", what, strerror(-err));
	}
	job_kill(j);
}

/* Read what the program printed so far (its pipes are non-blocking). */
static void drain(struct ps_job *j, int fd, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		j->printed += (size_t)n;
		if (j->printed > j->w->e->o.output_limit) {
			if (!j->output_over) {
				j->output_over = true;
				job_kill(j);
			}
			continue;
		}
		strbuf_add(sb, buf, (size_t)n);
	}
}

static void drain_all(struct ps_job *j)
{
	drain(j, j->box.out_r, &j->print);
	drain(j, j->box.err_r, &j->err);
}

/* Write what is left of @data to @fd (non-blocking); close it when done. */
static void feed(struct ps_job *j, int *fd, const char *data, size_t len, size_t *off)
{
	ssize_t n;

	while (*fd >= 0 && *off < len) {
		n = write(*fd, data + *off, len - *off);
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			break; /* EPIPE: the program does not read it */
		}
		*off += (size_t)n;
	}
	if (*fd >= 0) {
		epoll_ctl(j->w->epfd, EPOLL_CTL_DEL, *fd, NULL);
		close(*fd);
		*fd = -1;
	}
}

static void feed_all(struct ps_job *j)
{
	feed(j, &j->box.src_w, j->req->source, j->req->source_len, &j->src_off);
	feed(j, &j->box.in_w, j->req->input, j->req->input_len, &j->in_off);
}

/* Whether process @pid sleeps in read(2) on the pipe of its fd 3 (opened
 * again through /tmp/main.py: another fd). */
static bool reads_source(pid_t pid)
{
	char path[64], buf[64], link[64], src[64];
	unsigned long fdn;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "0 %lx", &fdn) != 1)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd/%lu", pid, fdn);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/fd/3", pid);
	n = readlink(path, src, sizeof(src) - 1);
	if (n <= 0)
		return false;
	src[n] = '\0';
	return !strncmp(link, "pipe:", 5) && !strcmp(link, src);
}

/* Wait until the interpreter reads its source, its box set up.  0,
 * -ESRCH if it died, -ETIMEDOUT. */
static int wait_reading_source(struct ps_job *j, __u64 deadline)
{
	siginfo_t si;

	for (;;) {
		if (reads_source(j->box.child.pid))
			return 0;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PIDFD, j->box.child.pidfd, &si, WEXITED | WNOHANG | WNOWAIT) ||
		    si.si_pid)
			return -ESRCH;
		if (now() > deadline)
			return -ETIMEDOUT;
		usleep(500);
	}
}

/* /tmp/main.py: from the pipe the interpreter opened to a file, for
 * the tracebacks (of a SyntaxError too); the program has not run yet. */
static int put_source_file(struct ps_job *j)
{
	char tmp[96], dst[96];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "/proc/%d/root/tmp/.main.py", j->box.child.pid);
	snprintf(dst, sizeof(dst), "/proc/%d/root%s", j->box.child.pid, PS_BOX_PROGRAM);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	err = write_all(fd, j->req->source, j->req->source_len);
	close(fd);
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int write_u16(pid_t pid, __u64 addr, __u16 v)
{
	struct iovec local = { .iov_base = &v, .iov_len = sizeof(v) };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = sizeof(v) };

	return process_vm_writev(pid, &local, 1, &remote, 1, 0) == sizeof(v) ? 0 : -EFAULT;
}

/* The interpreter started and waits for its source (nothing runs until
 * it has it: the parser and compiler are C): turn its USDT probes on (the
 * semaphores: CPython then reaches the probe sites, the programs attached
 * after them run) and say where _PyRuntime is.  0 or -errno. */
static int job_ready(struct ps_job *j, __u64 deadline)
{
	struct ps_env *e = j->w->e;
	pid_t pid = j->box.child.pid;
	struct pystep_proc p;
	__s64 bias;
	int err;

	if (j->ready)
		return 0;
	err = wait_reading_source(j, deadline);
	if (!err)
		err = ps_target_bias(&e->target, pid, &bias);
	if (!err)
		err = proc_get(e, pid, &p);
	if (err)
		return err;
	p.runtime = e->target.runtime + bias;
	err = proc_set(e, pid, &p);
	if (!err)
		err = write_u16(pid, e->target.semaphore[PS_SITE_CALL] + bias, 1);
	if (!err)
		err = write_u16(pid, e->target.semaphore[PS_SITE_LINE] + bias, 1);
	if (!err)
		err = write_u16(pid, e->target.semaphore[PS_SITE_RETURN] + bias, 1);
	j->ready = !err;
	return err;
}

int ps_worker__warm(struct ps_worker *w)
{
	struct ps_env *e = w->e;
	int want = e->o.slots > 1 ? WARM : 1; /* one request: one box */
	struct ps_job *j;
	unsigned seq;
	int err = 0;

	job_free(w->done);
	w->done = NULL;
	while (w->nwarm < want) {
		j = calloc(1, sizeof(*j));
		if (!j)
			return -ENOMEM;
		j->w = w;
		seq = w->seq++;
		pthread_mutex_lock(&e->lock);
		j->run = RUN_BASE + e->next_run++;
		pthread_mutex_unlock(&e->lock);
		/* UIDS users per slot, in turn: a job's is not its warm boxes' */
		err = ps_box__start(e->boxes, &j->box, e->o.uid_base + UIDS * w->slot + seq % UIDS,
				    e->target.path, box_ready, j);
		if (err) {
			job_free(j);
			break;
		}
		/* its interpreter starts meanwhile (job_ready waits for it) */
		w->warm[w->nwarm++] = j;
	}
	return w->nwarm ? 0 : err;
}

/* The warm box for the next job: the first whose interpreter is ready,
 * else the oldest. */
static struct ps_job *take_warm(struct ps_worker *w)
{
	struct ps_job *j;
	int i, k = 0;

	for (i = 0; i < w->nwarm; i++)
		if (w->warm[i]->ready || reads_source(w->warm[i]->box.child.pid)) {
			k = i;
			break;
		}
	j = w->warm[k];
	for (i = k; i + 1 < w->nwarm; i++)
		w->warm[i] = w->warm[i + 1];
	w->nwarm--;
	return j;
}


/* START: the program's module code is about to run. */
static int on_start(struct ps_job *j, const struct pystep_event *ev)
{
	struct ps_env *e = j->w->e;
	pid_t pid = j->box.child.pid;
	struct pystep_proc p;
	int err;

	err = proc_get(e, pid, &p);
	if (err)
		return err;
	j->in = ps_inspect__new(pid, &e->target, p.runtime, PS_BOX_PROGRAM, &e->o.inspect);
	if (!j->in)
		return -errno;
	j->module_code = ev->code;
	j->started = true;
	j->t_started = now();
	return 0;
}

static const char *event_name(__u32 kind)
{
	switch (kind) {
	case PYSTEP_CALL:
		return "call";
	case PYSTEP_LINE:
		return "line";
	case PYSTEP_RETURN:
		return "return";
	default:
		return "exception";
	}
}

/* Append a step's snapshot and what was printed before it. */
static int record_step(struct ps_job *j, const char *event, __u64 frame)
{
	struct ps_step_info info;
	int err;

	strbuf_reset(&j->snap);
	err = ps_inspect__snapshot(j->in, event, frame, j->module_code, &info, &j->snap);
	if (err)
		return err;
	ps_record_step(j->out, !j->nsteps, j->snap.buf, j->snap.len, j->print.buf, j->print.len);
	j->nsteps++;
	strbuf_reset(&j->print);
	j->err_mark = j->err.len;
	if (info.module_return) {
		struct ps_env *e = j->w->e;
		struct pystep_proc p;

		/* the program is over: what runs now (atexit) is not traced */
		snprintf(j->exc_type, sizeof(j->exc_type), "%s", info.exc_type);
		if (!proc_get(e, j->box.child.pid, &p)) {
			p.flags |= PYSTEP_F_DONE;
			proc_set(e, j->box.child.pid, &p);
		}
	}
	if (j->out->len > j->w->e->o.record_limit) {
		j->record_over = true;
		job_kill(j);
	}
	return 0;
}

/* A step CPython's probes do not report but sys.settrace does, found by
 * userspace at the stop before it: counted like the kernel counts the
 * others (the step limit holds: the program is stopped). */
static int extra_step(struct ps_job *j, const char *event, __u64 frame)
{
	struct ps_env *e = j->w->e;
	struct pystep_proc p;
	int err;

	err = proc_get(e, j->box.child.pid, &p);
	if (err)
		return err;
	if (p.steps >= p.max_steps) {
		/* the step after the last allowed one: it never runs */
		j->limit_hit = true;
		job_kill(j);
		return 0;
	}
	p.steps++;
	err = proc_set(e, j->box.child.pid, &p);
	return err ? err : record_step(j, event, frame);
}

/* After a call event: the frame's first line, when CPython's probe will
 * not report it (it is on the line of the frame's RESUME). */
static int first_line(struct ps_job *j, __u64 frame)
{
	bool missed;
	int err;

	err = ps_inspect__first_line_missed(j->in, frame, &missed);
	return err || !missed ? err : extra_step(j, "line", frame);
}

/* After a return event: StopIteration seen by the caller's FOR_ITER or
 * SEND. */
static int for_iter_stop(struct ps_job *j, __u64 frame)
{
	__u64 caller;
	int err;

	err = ps_inspect__for_iter_stop(j->in, frame, &caller);
	return err || !caller ? err : extra_step(j, "exception", caller);
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct ps_worker *w = ctx;
	struct ps_job *j = w->job;
	const struct pystep_event *ev = data;
	int err;

	if (!j || len < sizeof(*ev) || j->exited)
		return 0;
	if (ev->kind == PYSTEP_LIMIT) {
		j->limit_hit = true;
		return 0;
	}
	err = wait_stopped(j);
	if (err == -ESRCH)
		return 0; /* it died: the exit is handled with the pidfd */
	if (err == -ETIMEDOUT) {
		job_time_out(j);
		return 0;
	}
	if (err) {
		fail_job(j, err, "the program did not stop at its step");
		return 0;
	}
	drain_all(j);
	switch (ev->kind) {
	case PYSTEP_START:
		err = on_start(j, ev);
		if (err)
			fail_job(j, err, "cannot start tracing the program");
		break;
	case PYSTEP_FIRST:
		err = j->in ? first_line(j, ev->frame) : 0;
		if (err)
			fail_job(j, err, "cannot read the program's state");
		break;
	default:
		if (!j->in)
			break;
		err = record_step(j, event_name(ev->kind), ev->frame);
		if (!err && ev->kind == PYSTEP_CALL)
			err = first_line(j, ev->frame);
		if (!err && ev->kind == PYSTEP_RETURN && !j->limit_hit)
			err = for_iter_stop(j, ev->frame);
		if (err)
			fail_job(j, err, "cannot read the program's state");
		break;
	}
	if (!j->failed && !j->limit_hit && !j->output_over && !j->record_over)
		job_continue(j);
	return 0;
}

static void watch(struct ps_job *j, int fd, __u32 events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (fd >= 0)
		epoll_ctl(j->w->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void unwatch(struct ps_job *j, int fd)
{
	if (fd >= 0)
		epoll_ctl(j->w->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* The end of the record: the error record, if any. */
static void finish(struct ps_job *j)
{
	const struct ps_options *o = &j->w->e->o;
	struct strbuf *sb = j->out;
	bool first = !j->nsteps;
	char cause[256], sig[32], name[128];
	const char *tb;
	size_t tb_len;
	int st = j->status;

	cause[0] = '\0';
	if (!j->failed && j->registered) {
		struct pystep_proc p;

		if (!proc_get(j->w->e, j->box.child.pid, &p) && (p.flags & PYSTEP_F_LOST))
			fail_job(j, -ENOBUFS, "a step could not be sent to runtrace");
	}
	if (j->failed)
		snprintf(cause, sizeof(cause), "%s", j->why);
	else if (j->limit_hit)
		snprintf(cause, sizeof(cause), "Program too long, maximum steps allowed: %ld",
			 j->req->steps);
	else if (j->interrupted)
		snprintf(cause, sizeof(cause), "Interrupted: runtrace was stopped");
	else if (ps_box__oom(&j->box) || (j->timed_out && j->memory_full))
		/* killed at its limit, or out of time while reclaiming at it */
		snprintf(cause, sizeof(cause),
			 "Memory limit exceeded: the program used more than %llu MiB",
			 (unsigned long long)(o->box.memory >> 20));
	else if (j->timed_out)
		snprintf(cause, sizeof(cause),
			 "Time limit exceeded: the program ran for more than %.3g s",
			 o->timeout_ms / 1000.0);
	else if (j->output_over)
		snprintf(cause, sizeof(cause),
			 "Output limit exceeded: the program printed more than %zu bytes",
			 o->output_limit);
	else if (j->record_over)
		snprintf(cause, sizeof(cause), "Record too large: more than %zu bytes",
			 o->record_limit);
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU)
		snprintf(cause, sizeof(cause),
			 "Time limit exceeded: the program used more than %u s of CPU",
			 o->box.cpu_seconds);
	else if (WIFSIGNALED(st))
		snprintf(cause, sizeof(cause), "Program killed by signal %s",
			 signal_name(WTERMSIG(st), sig, sizeof(sig)));
	if (cause[0]) {
		ps_record_cause(sb, first, cause, j->print.buf, j->print.len);
		return;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 0)
		return;
	/* an uncaught exception: the traceback the interpreter printed after
	 * the program's last step (all of it for a SyntaxError: no step) */
	tb = j->err.buf ? j->err.buf + (j->started ? j->err_mark : 0) : "";
	tb_len = j->err.buf ? j->err.len - (j->started ? j->err_mark : 0) : 0;
	if (j->started && (!j->exc_type[0] || !strcmp(j->exc_type, "SystemExit")))
		return;
	if (j->started) {
		snprintf(name, sizeof(name), "%s", j->exc_type);
	} else {
		ps_exception_name(tb, tb_len, name, sizeof(name));
		if (!name[0]) {
			/* not Python's: the box or the interpreter did not start */
			snprintf(cause, sizeof(cause), "runtrace: the program could not start: %.*s",
				 (int)(tb_len > 200 ? 200 : tb_len), tb);
			ps_record_cause(sb, first, cause, j->print.buf, j->print.len);
			return;
		}
	}
	ps_record_exception(sb, first, name, tb, tb_len, j->print.buf, j->print.len);
}

int ps_worker__run(struct ps_worker *w, const struct pystep_request *req, struct strbuf *out,
		   struct ps_job_stats *stats)
{
	struct ps_env *e = w->e;
	struct epoll_event evs[8];
	struct pystep_proc p;
	struct ps_job *j;
	__u64 deadline;
	siginfo_t si;
	int n, i, err = 0;

	memset(stats, 0, sizeof(*stats));
	job_free(w->done);
	w->done = NULL;
	ring_buffer__consume(w->rb); /* nothing is left from a job before */
	if (!w->nwarm) {
		err = ps_worker__warm(w);
		if (err) {
			ps_record_begin(out);
			ps_record_cause(out, true, "runtrace: cannot start the program's box", NULL,
					0);
			ps_record_end(out);
			return err;
		}
	}
	j = take_warm(w);
	w->job = j;
	j->req = req;
	j->out = out;
	ps_record_begin(out);
	/* the step limit, in the kernel */
	err = proc_get(e, j->box.child.pid, &p);
	if (!err) {
		p.max_steps = req->steps > 0xffffffffl ? 0xffffffffu : (__u32)req->steps;
		err = proc_set(e, j->box.child.pid, &p);
	}
	if (err)
		fail_job(j, err, "cannot set the step limit");
	watch(j, j->box.out_r, EPOLLIN);
	watch(j, j->box.err_r, EPOLLIN);
	watch(j, j->box.child.pidfd, EPOLLIN);
	watch(j, j->box.src_w, EPOLLOUT);
	watch(j, j->box.in_w, EPOLLOUT);
	j->t_sent = now();
	deadline = j->t_sent + (__u64)e->o.timeout_ms * 1000000ull;
	j->deadline = deadline;
	/* a warm interpreter is ready already */
	err = job_ready(j, deadline);
	if (!err)
		err = put_source_file(j);
	if (err == -ETIMEDOUT) {
		/* an overloaded machine: the box took the program's time */
		j->timed_out = true;
		job_kill(j);
	} else if (err && err != -ESRCH) {
		fail_job(j, err, "the interpreter did not start");
	}
	feed_all(j);
	while (!j->exited) {
		__u64 t = now();
		int ms = t >= deadline ? 0 : (int)((deadline - t + 999999) / 1000000);

		if (t >= deadline && !j->timed_out) {
			job_time_out(j);
			/* a stopped program dies of SIGKILL too */
			deadline = t + 5000000000ull;
			continue;
		}
		n = epoll_wait(w->epfd, evs, ARRAY_SIZE(evs), ms);
		if (n < 0 && errno != EINTR) {
			fail_job(j, -errno, "epoll_wait");
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == ring_buffer__epoll_fd(w->rb)) {
				ring_buffer__consume(w->rb);
			} else if (fd == j->box.out_r || fd == j->box.err_r) {
				drain_all(j);
				if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
					/* every writer is gone */
					unwatch(j, fd);
				}
			} else if (fd == j->box.src_w || fd == j->box.in_w) {
				feed_all(j);
			} else if (fd == e->stop_fd) {
				if (!j->interrupted) {
					j->interrupted = true;
					job_kill(j);
				}
			} else if (fd == j->box.child.pidfd) {
				/* its last steps first (the LIMIT event of a kill) */
				ring_buffer__consume(w->rb);
				j->exited = true;
			}
		}
	}
	/* the program is gone: what it left behind goes too */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, j->box.child.pidfd, &si, WEXITED) == 0) {
		j->status = si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0) : si.si_status;
		j->box.child.reaped = true;
		j->box.child.status = j->status;
	}
	ps_box__kill(&j->box);
	drain_all(j);
	unwatch(j, j->box.out_r);
	unwatch(j, j->box.err_r);
	unwatch(j, j->box.child.pidfd);
	unwatch(j, j->box.src_w);
	unwatch(j, j->box.in_w);
	finish(j);
	ps_record_end(out);
	stats->steps = j->nsteps;
	stats->run_ms = (now() - j->t_sent) / 1e6;
	stats->start_ms = j->started ? (j->t_started - j->t_sent) / 1e6 : 0;
	stats->wait_status = j->status;
	if (j->in)
		ps_inspect__stats(j->in, &stats->reads, &stats->source_reads);
	err = j->failed ? -EIO : 0;
	w->job = NULL;
	/* its box is gone; the rest (cgroups, probes) after the answer */
	w->done = j;
	return err;
}
