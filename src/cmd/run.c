// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace [run]: run a command many times, keep the evidence of failed runs.
 * For each run: a scope (run directory, cgroup, BPF scope entry), the child
 * forked blocked (engine/child.c), registered, released; the engine's event
 * loop until it exits; then the tree is killed, the ring buffer drained and
 * the sinks decide what to keep.  Up to -j runs are in flight at once, each
 * with its own scope; one event loop serves them all (run/sched.c decides
 * when a run starts and what the end of one means for the others).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/run.h"
#include "cmd/run_options.h"
#include "engine/cgroup.h"
#include "engine/child.h"
#include "engine/features.h"
#include "engine/loop.h"
#include "engine/session.h"
#include "net/nettrace.h"
#include "run/outcap.h"
#include "run/procs.h"
#include "run/progress.h"
#include "run/sched.h"
#include "run/stats.h"
#include "sys/systrace.h"
#include "syscalls/calltrace.h"
#include "util/util.h"

#define RUN_MAX_SINKS 8
#define DRAIN_NS 50000000ull /* the ring buffer is drained at least this often */

struct runner {
	const struct config *cfg;
	struct features feat;
	struct session *ses;          /* NULL: the plain runner, no BPF */
	struct sink sinks[RUN_MAX_SINKS];
	int nsinks;
	struct cgroup_dir cg_parent;  /* runtrace-<pid>, fd -1 if none */
	char base[PATH_MAX];          /* -o, or runtrace-out */
	bool created_base;
	char outdir[PATH_MAX];        /* base/YYYYmmdd-HHMMSS */
	int outfd;
	struct loop *loop;
	__s64 rt_offset;              /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	struct stats st;
	struct progress prog;
	bool kept_any;
	struct sched sched;
	struct run_state **flight;    /* runs in flight (sched.inflight of them) */
	size_t nflight;
	__u64 tick_ns;                /* the sinks' shortest tick period, 0: none */
};

/* One run in flight, as the loop's handlers see it. */
struct run_state {
	struct runner *r;
	struct rt_run run;
	struct run_record rec;
	struct child child;
	struct cgroup_dir cg;
	struct outcap oc;
	int devnull, tid, tickid;
	int started;                  /* sinks whose run_start succeeded */
	bool begun, watching;
	bool done;                    /* its child has exited (or was killed and reaped) */
	bool timed_out, interrupted;  /* interrupted: a stop signal, or --kill-on-fail */
	char name[32];
	char dirpath[PATH_MAX + 32];
};

static const char *first_bpf_flag(const struct config *cfg)
{
	if (cfg->call_trace != RT_CT_OFF)
		return "--call-trace";
	if (cfg->sys_trace)
		return "--sys-trace";
	return "--net-trace";
}

/* Create base/YYYYmmdd-HHMMSS (0700), with a -N suffix if it exists. */
static int make_outdir(struct runner *r)
{
	struct stat sb;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int err, i;

	snprintf(r->base, sizeof(r->base), "%s", r->cfg->output ? r->cfg->output : "runtrace-out");
	r->created_base = stat(r->base, &sb) != 0;
	if (!r->created_base && !S_ISDIR(sb.st_mode)) {
		rt_err("cannot use output directory %s: %s", r->base, strerror(ENOTDIR));
		return -ENOTDIR;
	}
	err = mkdir_p(r->base, 0700);
	if (err) {
		rt_err("cannot create output directory %s: %s", r->base, strerror(-err));
		return err;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		if (i)
			snprintf(r->outdir, sizeof(r->outdir), "%s/%s-%d", r->base, stamp, i);
		else
			snprintf(r->outdir, sizeof(r->outdir), "%s/%s", r->base, stamp);
		if (mkdir(r->outdir, 0700) == 0)
			break;
		if (errno != EEXIST) {
			err = -errno;
			rt_err("cannot create output directory %s: %s", r->outdir, strerror(-err));
			return err;
		}
	}
	r->outfd = open(r->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->outfd < 0) {
		err = -errno;
		rt_err("cannot open output directory %s: %s", r->outdir, strerror(-err));
		return err;
	}
	rt_dbg("artifacts go to %s", r->outdir);
	return 0;
}

/* Remove what make_outdir created if nothing was kept. */
static void drop_outdir(struct runner *r)
{
	if (r->outfd >= 0)
		close(r->outfd);
	r->outfd = -1;
	if (rmdir(r->outdir))
		rt_dbg("left %s: %s", r->outdir, strerror(errno));
	if (r->created_base)
		rmdir(r->base);
}

/* Whether run @rs is the only one in flight (or none is). */
static bool run_alone(const struct runner *r, const struct run_state *rs)
{
	size_t i;

	for (i = 0; i < r->nflight; i++)
		if (r->flight[i] != rs)
			return false;
	return true;
}

/* Whether process @pid, a child of runtrace, belongs to run @rs.  With no
 * other run in flight, every child does (orphans of earlier runs too). */
static bool run_owns(struct runner *r, struct run_state *rs, pid_t pid)
{
	unsigned run;
	size_t i;

	if (pid == rs->child.pid || run_alone(r, rs))
		return true;
	for (i = 0; i < r->nflight; i++)
		if (r->flight[i] != rs && r->flight[i]->child.pid == pid)
			return false;
	/* the scope map knows the run of every process it tracks */
	if (r->ses && (run = session__run_of(r->ses, pid)))
		return run == rs->run.id;
	/* else its process group, the run's unless it left it */
	return getpgid(pid) == rs->child.pid;
}

/* SIGKILL every descendant of @pid (we are their subreaper: orphans of
 * the run, double-forked daemons included, are reparented to us); of
 * runtrace's own children (@rs set), only those of run @rs.  Returns how
 * many were signalled. */
static int kill_descendants(struct runner *r, struct run_state *rs, pid_t pid)
{
	char path[64], line[4096];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		FILE *f;
		char *p, *end;

		if (de->d_name[0] == '.')
			continue;
		snprintf(line, sizeof(line), "%s/%s/children", path, de->d_name);
		f = fopen(line, "re");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			for (p = line;; p = end) {
				long c = strtol(p, &end, 10);

				if (end == p)
					break;
				if (rs && !run_owns(r, rs, c))
					continue;
				/* children first, so they cannot fork away as we go */
				kill(c, SIGSTOP);
				n += kill_descendants(r, NULL, c);
				kill(c, SIGKILL);
				n++;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Reap every child of runtrace that has exited; a run's first process
 * keeps its status in its run's state.  True once runtrace has no child. */
static bool reap_children(struct runner *r)
{
	size_t i;
	pid_t w;
	int st;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < r->nflight; i++) {
			struct child *c = &r->flight[i]->child;

			if (c->pid == w && !c->reaped) {
				c->status = st;
				c->reaped = true;
			}
		}
	}
	return w < 0 && errno == ECHILD;
}

/* Kill everything left of run @rs and reap it, cgroup included; the run's
 * first process, if reaped here, keeps its status.  Other runs in flight
 * are left alone. */
static void kill_and_reap(struct runner *r, struct run_state *rs)
{
	int round, n;
	bool none;

	for (round = 0;; round++) {
		if (rs->cg.fd >= 0)
			cg_kill(&rs->cg);
		n = kill_descendants(r, rs, getpid());
		none = reap_children(r);
		/* alone: until runtrace has no child left; else until none of
		 * the run's is left */
		if (rs->child.reaped && (run_alone(r, rs) ? none : n == 0) &&
		    (rs->cg.fd < 0 || !cg_populated(&rs->cg)))
			break;
		if (round == 5000) {
			rt_err("processes of run %u are still alive after 5 s of SIGKILL", rs->run.id);
			break;
		}
		usleep(1000);
	}
	if (rs->cg.fd >= 0 && cg_remove(&rs->cg, 2000))
		rt_err("cannot remove cgroup %s: %s", rs->cg.path, strerror(errno));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List the files of a kept run directory into @files as JSON members. */
static void list_files(int dirfd, struct strbuf *files)
{
	char *names[64];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d = fdopendir(dup(dirfd));

	if (!d)
		return;
	while ((de = readdir(d)) && n < ARRAY_SIZE(names))
		if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)))
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (files->len)
			strbuf_adds(files, ", ");
		strbuf_add_json_str(files, names[i], strlen(names[i]));
		free(names[i]);
	}
}

/* Remove a run directory that is not kept, whatever a sink left in it. */
static void remove_rundir(int outfd, const char *name, int dirfd)
{
	struct dirent *de;
	DIR *d = fdopendir(dup(dirfd));

	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && !unlinkat(dirfd, de->d_name, 0))
				rt_dbg("removed %s/%s left by a sink", name, de->d_name);
		closedir(d);
	}
	unlinkat(outfd, name, AT_REMOVEDIR);
}

/* ---- the loop's handlers during runs ---------------------------------- */

/* Stop run @rs now (a stop signal, --kill-on-fail): it counts as
 * interrupted, unless its child has exited by itself already. */
static void interrupt_run(struct run_state *rs)
{
	if (rs->done || rs->interrupted)
		return;
	if (child__reap(&rs->child, false) == 1) {
		rs->done = true;
		return;
	}
	rs->interrupted = true;
	kill_and_reap(rs->r, rs);
	rs->done = true;
}

static int on_child(void *ctx)
{
	struct run_state *rs = ctx;

	rs->done = true;
	return 0;
}

static int on_stop_signal(void *ctx)
{
	struct runner *r = ctx;
	size_t i;

	sched_interrupt(&r->sched);
	for (i = 0; i < r->nflight; i++) {
		rt_dbg("run %u: interrupted by signal %d", r->flight[i]->run.id,
		       loop__stop_signal(r->loop));
		interrupt_run(r->flight[i]);
	}
	return 0;
}

static int on_timeout(void *ctx)
{
	struct run_state *rs = ctx;

	if (rs->done)
		return 0;
	rs->timed_out = true;
	rt_dbg("run %u: timeout, killing its process tree", rs->run.id);
	kill_and_reap(rs->r, rs);
	rs->done = true;
	return 0;
}

static int on_tick(void *ctx)
{
	struct run_state *rs = ctx;
	struct runner *r = rs->r;
	int k;

	if (r->ses)
		session__update_drops(r->ses, &rs->run);
	for (k = 0; k < rs->started; k++)
		if (r->sinks[k].ops->tick)
			r->sinks[k].ops->tick(r->sinks[k].self, &rs->run, now_ns(CLOCK_MONOTONIC));
	return 0;
}

static int on_stdout(void *ctx)
{
	struct run_state *rs = ctx;

	if (outcap_pump(&rs->oc, rs->oc.pipe_rd[0]))
		loop__del(rs->r->loop, rs->oc.pipe_rd[0]);
	return 0;
}

static int on_stderr(void *ctx)
{
	struct run_state *rs = ctx;

	if (outcap_pump(&rs->oc, rs->oc.pipe_rd[1]))
		loop__del(rs->r->loop, rs->oc.pipe_rd[1]);
	return 0;
}

static int on_ring(void *ctx)
{
	struct runner *r = ctx;

	return session__consume(r->ses);
}

/* ---- one run: begin, end ----------------------------------------------- */

static void flight_del(struct runner *r, struct run_state *rs)
{
	size_t i;

	for (i = 0; i < r->nflight; i++) {
		if (r->flight[i] == rs) {
			memmove(&r->flight[i], &r->flight[i + 1],
				(r->nflight - i - 1) * sizeof(*r->flight));
			r->nflight--;
			return;
		}
	}
}

/* Set run @rs up and release its child: its directory and output files, its
 * cgroup, its BPF scope, the sinks' run_start, what the loop watches.
 * On success it is in flight.  0 or -errno (message printed); then the
 * caller ends it with run_end(). */
static int run_begin(struct runner *r, struct run_state *rs)
{
	const struct config *cfg = r->cfg;
	struct rt_run *run = &rs->run;
	struct child_opts co = { .argv = cfg->argv, .shell = cfg->shell, .own_pgrp = true,
				 .die_with_parent = true, .sigmask = loop__origmask(r->loop) };
	unsigned id = run->id;
	int err, i;

	/* the run's directory and output files */
	if (mkdirat(r->outfd, rs->name, 0700) || (run->dirfd = openat(r->outfd, rs->name,
			O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = -errno;
		rt_err("cannot create %s: %s", rs->dirpath, strerror(-err));
		return err;
	}
	err = outcap_start(&rs->oc, cfg->log_trace, cfg->show_output, run->dirfd);
	if (err)
		return err;
	/* its cgroup */
	if (r->cg_parent.fd >= 0) {
		err = cg_run_create(&r->cg_parent, id, &rs->cg);
		if (err) {
			rt_err("cannot create cgroup %s: %s", rs->cg.path, strerror(-err));
			return err;
		}
		run->cgroup_fd = rs->cg.fd;
		run->cgroup_path = rs->cg.path;
	}
	if (r->ses) {
		err = session__begin_run(r->ses, run);
		if (err) {
			rt_err("cannot set up run %u in BPF maps: %s", id, strerror(-err));
			return err;
		}
		rs->begun = true;
	}
	/* fork the child, blocked until it is in the scope; stdin /dev/null */
	rs->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	co.fds[0] = rs->devnull;
	co.fds[1] = rs->oc.child[0];
	co.fds[2] = rs->oc.child[1];
	rt_dbg("run %u: forking", id);
	err = child__fork(&rs->child, &co);
	if (err)
		return err;
	outcap_parent_after_fork(&rs->oc);
	run->pid = rs->child.pid;
	/* register it */
	if (r->ses && (err = session__register(r->ses, run->pid, id))) {
		rt_err("cannot add pid %d to the BPF scope: %s", run->pid, strerror(-err));
		return err;
	}
	if (rs->cg.fd >= 0 && (err = cg_add_pid(&rs->cg, run->pid))) {
		rt_err("cannot move pid %d into %s: %s", run->pid, rs->cg.path, strerror(-err));
		return err;
	}
	for (i = 0; i < r->nsinks; i++) {
		struct sink *k = &r->sinks[i];

		if (k->ops->run_start && (err = k->ops->run_start(k->self, run))) {
			rt_err("%s: cannot start run %u: %s", k->ops->name, id, strerror(-err));
			return err;
		}
		rs->started++;
	}
	/* what the loop watches during the run */
	rs->watching = true;
	if ((err = loop__add(r->loop, rs->child.pidfd, on_child, rs)))
		return err;
	if (cfg->timeout > 0 &&
	    (err = rs->tid = loop__timer(r->loop, cfg->timeout * 1e9, 0, on_timeout, rs)) < 0)
		return err;
	if (r->tick_ns &&
	    (err = rs->tickid = loop__timer(r->loop, r->tick_ns, r->tick_ns, on_tick, rs)) < 0)
		return err;
	if (rs->oc.pipe_rd[0] >= 0 && (err = loop__add(r->loop, rs->oc.pipe_rd[0], on_stdout, rs)))
		return err;
	if (rs->oc.pipe_rd[1] >= 0 && (err = loop__add(r->loop, rs->oc.pipe_rd[1], on_stderr, rs)))
		return err;
	/* release it: in flight from now on */
	r->flight[r->nflight++] = rs;
	run->start_ns = now_ns(CLOCK_MONOTONIC);
	rs->rec.start_realtime_ns = run->start_ns + r->rt_offset;
	if ((err = child__release(&rs->child)))
		return err;
	/* a signal that came before the release stops the run now */
	loop__stop_signal(r->loop);
	return 0;
}

/* End run @rs (its child exited, was killed, or run_begin() failed with
 * @err): reap and kill what is left of it, drain its records, let the
 * sinks keep or drop its artifacts, count it (unless @err), free it.
 * Returns the SCHED_* bits of its end. */
static int run_end(struct runner *r, struct run_state *rs, int err)
{
	const struct config *cfg = r->cfg;
	struct rt_run *run = &rs->run;
	unsigned id = run->id;
	int act, i;

	if (rs->child.pid <= 0)
		goto cleanup;
	/* the child has exited: reap it, then everything left of the run */
	if (err)
		child__abort(&rs->child);
	else if (child__reap(&rs->child, true) != 1)
		rt_err("cannot wait for pid %d: %s", run->pid, strerror(errno));
	if (!run->end_ns)
		run->end_ns = now_ns(CLOCK_MONOTONIC);
	kill_and_reap(r, rs);
	if (rs->watching) {
		loop__del(r->loop, rs->child.pidfd);
		loop__cancel(r->loop, rs->tid);
		loop__cancel(r->loop, rs->tickid);
		for (i = 0; i < 2; i++)
			if (rs->oc.pipe_rd[i] >= 0)
				loop__del(r->loop, rs->oc.pipe_rd[i]);
	}
	if (rs->begun) {
		session__end_run(r->ses, run);
		rs->begun = false;
	}
	/* what the run ended as */
	rs->rec.duration_ns = run->end_ns - run->start_ns;
	rs->rec.wait_status = rs->child.status;
	rs->rec.lost = run->lost;
	if (rs->interrupted)
		rs->rec.reason = RT_REASON_INTERRUPTED;
	else if (rs->timed_out)
		rs->rec.reason = RT_REASON_TIMEOUT;
	else if (WIFSIGNALED(rs->child.status))
		rs->rec.reason = RT_REASON_SIGNAL;
	else if (!WIFEXITED(rs->child.status) || WEXITSTATUS(rs->child.status))
		rs->rec.reason = RT_REASON_EXIT;
	run->failed = rs->rec.reason != RT_REASON_NONE;
	run->stopped = rs->interrupted || rs->timed_out;
	run->keep = !err && (run->failed || cfg->keep_all);
	run->wait_status = rs->child.status;
	rt_dbg("run %u: status 0x%x, %s, %s", id, rs->child.status,
	       run->failed ? "failed" : "succeeded",
	       run->keep ? "keeping its artifacts" : "leaving nothing");
	for (i = 0; i < rs->started; i++) {
		struct sink *k = &r->sinks[i];
		int serr;

		if (k->ops->run_end && (serr = k->ops->run_end(k->self, run)))
			rt_err("%s: cannot finish run %u: %s", k->ops->name, id, strerror(-serr));
	}
	progress_clear(&r->prog);
	outcap_end(&rs->oc, run->dirfd, run->failed && cfg->log_trace && !rs->interrupted,
		   run->keep);
	if (run->keep) {
		list_files(run->dirfd, &rs->rec.files);
		rs->rec.kept = true;
		r->kept_any = true;
	} else {
		remove_rundir(r->outfd, rs->name, run->dirfd);
	}
	if (!err)
		stats_add(&r->st, &rs->rec);

cleanup:
	if (rs->begun)
		session__end_run(r->ses, run);
	flight_del(r, rs);
	act = sched_end(&r->sched, !err, run->failed);
	child__close(&rs->child);
	strbuf_free(&rs->rec.files);
	strbuf_free(&rs->rec.extra);
	if (err && run->dirfd >= 0)
		remove_rundir(r->outfd, rs->name, run->dirfd);
	if (run->dirfd >= 0)
		close(run->dirfd);
	for (i = 0; i < 2; i++) {
		if (rs->oc.file[i] >= 0)
			close(rs->oc.file[i]);
		if (rs->oc.child[i] >= 0)
			close(rs->oc.child[i]);
		if (rs->oc.pipe_rd[i] >= 0)
			close(rs->oc.pipe_rd[i]);
	}
	if (rs->devnull >= 0)
		close(rs->devnull);
	if (rs->cg.fd >= 0)
		cg_remove(&rs->cg, 2000);
	free(rs);
	return act;
}

/* Start the next run.  0, or -errno (it was ended, uncounted). */
static int run_start(struct runner *r)
{
	struct run_state *rs = calloc(1, sizeof(*rs));
	unsigned id;
	int err, i;

	if (!rs) {
		rt_err("cannot start a run: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	id = sched_start(&r->sched);
	*rs = (struct run_state){ .r = r, .devnull = -1, .tid = -1, .tickid = -1,
				  .cg = { .fd = -1 }, .child = { .go = -1, .pidfd = -1 } };
	rs->run = (struct rt_run){ .id = id, .dirfd = -1, .cgroup_fd = -1,
				   .realtime_offset_ns = r->rt_offset, .json = &rs->rec.extra,
				   .dir = rs->dirpath };
	rs->rec.index = id;
	for (i = 0; i < 2; i++)
		rs->oc.file[i] = rs->oc.pipe_rd[i] = rs->oc.child[i] = -1;
	snprintf(rs->name, sizeof(rs->name), "run-%04u", id);
	snprintf(rs->dirpath, sizeof(rs->dirpath), "%s/%s", r->outdir, rs->name);
	err = run_begin(r, rs);
	if (err) {
		rs->run.end_ns = now_ns(CLOCK_MONOTONIC);
		run_end(r, rs, err);
	}
	return err;
}

/* The runs whose child is gone: end them, and act on what their end means. */
static void end_done_runs(struct runner *r)
{
	size_t i;
	int act;

	for (i = 0; i < r->nflight;) {
		struct run_state *rs = r->flight[i];

		if (!rs->done) {
			i++;
			continue;
		}
		act = run_end(r, rs, 0); /* rs is out of the flight array */
		progress_update(&r->prog, r->sched.made, r->sched.failed, r->sched.inflight, true);
		if (act & SCHED_GIVE_UP) {
			progress_clear(&r->prog);
			printf("INFO: I reached max failed attempts, I GIVE UP\n");
			fflush(stdout);
		}
		if (act & SCHED_KILL) {
			size_t k;

			for (k = 0; k < r->nflight; k++) {
				rt_dbg("run %u: killed (--kill-on-fail)", r->flight[k]->run.id);
				interrupt_run(r->flight[k]);
			}
		}
		i = 0; /* the array changed: look again from the start */
	}
}

/* The sinks this configuration enables, in dispatch order. */
static int create_sinks(struct runner *r)
{
	const struct config *cfg = r->cfg;
	struct ct_opts ct = { .strsize = cfg->strsize, .max_events = cfg->max_events,
			      .filter = cfg->syscall_filter,
			      .failed_only = cfg->failed_syscalls_only,
			      .json = cfg->call_trace == RT_CT_JSON };
	int err;

	err = procs_sink_new(&r->sinks[r->nsinks]);
	if (!err)
		r->nsinks++;
	if (!err && cfg->call_trace != RT_CT_OFF && !(err = calltrace_sink_new(&ct, &r->sinks[r->nsinks])))
		r->nsinks++;
	if (!err && cfg->sys_trace && !(err = systrace_sink_new(cfg->interval_ms, &r->sinks[r->nsinks])))
		r->nsinks++;
	if (!err && cfg->net_trace && !(err = nettrace_sink_new(cfg->snaplen, &r->sinks[r->nsinks])))
		r->nsinks++;
	if (err)
		rt_err("cannot set up: %s", strerror(-err));
	return err;
}

/* Set up BPF when flags need it or root allows it (procs.log).
 * Returns 0, or -errno if flags need BPF and it cannot be had. */
static int setup_bpf(struct runner *r)
{
	const struct config *cfg = r->cfg;
	bool want = cli_needs_bpf(cfg);
	const char *blocker;
	char why[256];
	int n, err;

	blocker = features_bpf_blocker(&r->feat, why, sizeof(why));
	if (!blocker) {
		features_probe_bpf(&r->feat);
		blocker = features_bpf_blocker(&r->feat, why, sizeof(why));
	}
	if (blocker) {
		if (want) {
			rt_err("%s needs BPF: %s", first_bpf_flag(cfg), blocker);
			return -EPERM;
		}
		rt_dbg("plain runner, no BPF (procs.log not recorded): %s", blocker);
		return 0;
	}
	if (cfg->call_trace != RT_CT_OFF && (err = features_require_xchg(&r->feat, "--call-trace")))
		return err;
	if (features_mount_tracefs(&r->feat))
		rt_dbg("cannot mount tracefs: %s", strerror(errno));
	if (r->feat.cgroup2[0]) {
		err = cg_session_create(r->feat.cgroup2, &r->cg_parent);
		if (err) {
			rt_err("cannot create cgroup %s: %s", r->cg_parent.path, strerror(-err));
			if (cfg->net_trace)
				return err;
			r->cg_parent.fd = -1;
		}
	} else if (cfg->net_trace) {
		rt_err("--net-trace needs a cgroup v2 hierarchy, and none is mounted "
		       "(mount -t cgroup2 none /sys/fs/cgroup)");
		return -ENOENT;
	}
	err = create_sinks(r);
	if (err)
		return err;
	r->ses = session__new_runs(r->sinks, r->nsinks, r->cg_parent.fd, r->sched.jobs);
	if (!r->ses) {
		err = -errno;
		if (want)
			return err;
		fprintf(stderr, "runtrace: warning: continuing without BPF: procs.log will not be recorded\n");
		for (n = 0; n < r->nsinks; n++)
			r->sinks[n].ops->free(r->sinks[n].self);
		r->nsinks = 0;
	}
	return 0;
}

int runner_main(const struct config *cfg)
{
	struct runner r = { .cfg = cfg, .outfd = -1, .cg_parent = { .fd = -1 } };
	struct summary_info si = { .requested = cfg->count, .failed_count = cfg->failed_count,
				   .timeout = cfg->timeout, .argv = cfg->argv, .argc = cfg->argc,
				   .shell = cfg->shell };
	struct strbuf out = { 0 };
	int ret = RT_EXIT_INTERNAL, err, i, stop;
	long jobs = cfg->jobs;

	rt_debug_on = cfg->debug;
	/* -j 0: one run per CPU; never more at once than runs asked for */
	if (jobs == 0) {
		cpu_set_t cpus;

		jobs = sched_getaffinity(0, sizeof(cpus), &cpus) ? sysconf(_SC_NPROCESSORS_ONLN)
								 : CPU_COUNT(&cpus);
	}
	if (jobs < 1)
		jobs = 1;
	if (jobs > cfg->count)
		jobs = cfg->count;
	sched_init(&r.sched, cfg->count, jobs, cfg->failed_count, cfg->kill_on_fail);
	r.flight = calloc(jobs, sizeof(*r.flight));
	if (!r.flight) {
		rt_err("cannot set up: %s", strerror(ENOMEM));
		return RT_EXIT_INTERNAL;
	}
	/* signals: SIGINT/SIGTERM/SIGHUP through the loop's signalfd, from now on */
	r.loop = loop__new();
	if (!r.loop) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		free(r.flight);
		return RT_EXIT_INTERNAL;
	}
	/* orphans of a run are reparented to us, so none escapes */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	r.rt_offset = (__s64)now_ns(CLOCK_REALTIME) - (__s64)now_ns(CLOCK_MONOTONIC);
	si.started_realtime_ns = now_ns(CLOCK_REALTIME);

	features_probe(&r.feat);
	if ((err = make_outdir(&r)))
		goto cleanup;
	if ((err = setup_bpf(&r))) {
		drop_outdir(&r);
		goto cleanup;
	}
	si.bpf = r.ses != NULL;
	/* the ring buffer: when a record wakes us, and every DRAIN_NS */
	if (r.ses && ((err = loop__add(r.loop, session__fd(r.ses), on_ring, &r)) ||
		      (err = loop__timer(r.loop, DRAIN_NS, DRAIN_NS, on_ring, &r)) < 0)) {
		rt_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}

	for (i = 0; i < r.nsinks; i++)
		if (r.sinks[i].tick_ns && (!r.tick_ns || r.sinks[i].tick_ns < r.tick_ns))
			r.tick_ns = r.sinks[i].tick_ns;
	rt_dbg("up to %ld runs at once", jobs);

	/* the runs: start what may start, wait, end what ended */
	progress_init(&r.prog, cfg->count, jobs, !cfg->show_output);
	loop__on_signal(r.loop, on_stop_signal, &r);
	for (;;) {
		while (sched_may_start(&r.sched) && !loop__stop_signal(r.loop))
			if (run_start(&r))
				sched_error(&r.sched);
		if (loop__stop_signal(r.loop))
			sched_interrupt(&r.sched);
		if (sched_done(&r.sched))
			break;
		err = loop__wait(r.loop, -1);
		if (err) {
			rt_err("event loop: %s", strerror(-err));
			sched_error(&r.sched);
			while (r.nflight)
				run_end(&r, r.flight[0], err);
			continue;
		}
		end_done_runs(&r);
		progress_update(&r.prog, r.sched.made, r.sched.failed, r.sched.inflight, false);
	}
	loop__on_signal(r.loop, NULL, NULL);
	progress_clear(&r.prog);
	/* orphans no run could claim (the plain runner with -j): none is left */
	if (kill_descendants(&r, NULL, getpid()))
		for (i = 0; i < 5000 && !reap_children(&r); i++)
			usleep(1000);
	si.stop = r.sched.stop;
	stop = loop__stop_signal(r.loop);
	if (stop)
		si.stop = RT_STOP_INTERRUPTED;
	stats_sort(&r.st);

	/* the closing summary, and summary.json beside the kept runs */
	if (r.kept_any) {
		struct strbuf js = { 0 };

		si.artifacts = r.outdir;
		summary_json(&si, &r.st, &js);
		write_file_at(r.outfd, r.outdir, "summary.json", js.buf, js.len);
		strbuf_free(&js);
	} else {
		drop_outdir(&r);
	}
	summary_text(&si, &r.st, &out);
	fwrite(out.buf, 1, out.len, stdout);
	fflush(stdout);
	strbuf_free(&out);

	if (si.stop == RT_STOP_ERROR)
		ret = RT_EXIT_INTERNAL;
	else if (stop)
		ret = 128 + stop;
	else
		ret = stats_failed(&r.st) ? RT_EXIT_FAILED : RT_EXIT_OK;

cleanup:
	session__free(r.ses);
	for (i = 0; i < r.nsinks; i++)
		r.sinks[i].ops->free(r.sinks[i].self);
	if (r.cg_parent.fd >= 0 && cg_remove(&r.cg_parent, 2000))
		rt_err("cannot remove cgroup %s: %s", r.cg_parent.path, strerror(errno));
	if (r.outfd >= 0)
		close(r.outfd);
	loop__free(r.loop);
	stats_free(&r.st);
	free(r.flight);
	return ret;
}
