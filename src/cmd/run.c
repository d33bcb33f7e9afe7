// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtrace [run]: run a command many times, keep the evidence of failed runs.
 * For each run: a scope (run directory, cgroup, BPF scope entry), the child
 * forked blocked (engine/child.c), registered, released; the engine's event
 * loop until it exits; then the tree is killed, the ring buffer drained and
 * the sinks decide what to keep.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
};

/* One run in progress, as the loop's handlers see it. */
struct run_state {
	struct runner *r;
	struct rt_run *run;
	struct child child;
	struct cgroup_dir *cg;
	struct outcap *oc;
	bool done, timed_out, interrupted;
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

/* SIGKILL every descendant of runtrace (we are their subreaper: orphans of
 * the run, double-forked daemons included, are reparented to us).
 * Returns how many were signalled. */
static int kill_descendants(pid_t pid)
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
				/* children first, so they cannot fork away as we go */
				kill(c, SIGSTOP);
				n += kill_descendants(c);
				kill(c, SIGKILL);
				n++;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Kill everything left of the run and reap it, cgroup included; the
 * run's first process, if reaped here, keeps its status in @c. */
static void kill_and_reap(unsigned id, struct cgroup_dir *cg, struct child *c)
{
	int round, st;
	pid_t w;

	for (round = 0;; round++) {
		if (cg->fd >= 0)
			cg_kill(cg);
		kill_descendants(getpid());
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == c->pid && !c->reaped) {
				c->status = st;
				c->reaped = true;
			}
		}
		if (w < 0 && errno == ECHILD)
			break;
		if (round == 5000) {
			rt_err("processes of run %u are still alive after 5 s of SIGKILL", id);
			break;
		}
		usleep(1000);
	}
	if (cg->fd >= 0 && cg_remove(cg, 2000))
		rt_err("cannot remove cgroup %s: %s", cg->path, strerror(errno));
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

/* ---- the loop's handlers during a run --------------------------------- */

static int on_child(void *ctx)
{
	struct run_state *rs = ctx;

	rs->done = true;
	return 0;
}

static int on_stop_signal(void *ctx)
{
	struct run_state *rs = ctx;

	if (!rs || rs->interrupted)
		return 0;
	rs->interrupted = true;
	rt_dbg("run %u: interrupted by signal %d", rs->run->id, loop__stop_signal(rs->r->loop));
	kill_and_reap(rs->run->id, rs->cg, &rs->child);
	return 0;
}

static int on_timeout(void *ctx)
{
	struct run_state *rs = ctx;

	rs->timed_out = true;
	rt_dbg("run %u: timeout, killing its process tree", rs->run->id);
	kill_and_reap(rs->run->id, rs->cg, &rs->child);
	return 0;
}

static int on_tick(void *ctx)
{
	struct run_state *rs = ctx;
	struct runner *r = rs->r;
	int k;

	if (r->ses)
		session__update_drops(r->ses, rs->run);
	for (k = 0; k < r->nsinks; k++)
		if (r->sinks[k].ops->tick)
			r->sinks[k].ops->tick(r->sinks[k].self, rs->run, now_ns(CLOCK_MONOTONIC));
	return 0;
}

static int on_stdout(void *ctx)
{
	struct run_state *rs = ctx;

	if (outcap_pump(rs->oc, rs->oc->pipe_rd[0]))
		loop__del(rs->r->loop, rs->oc->pipe_rd[0]);
	return 0;
}

static int on_stderr(void *ctx)
{
	struct run_state *rs = ctx;

	if (outcap_pump(rs->oc, rs->oc->pipe_rd[1]))
		loop__del(rs->r->loop, rs->oc->pipe_rd[1]);
	return 0;
}

static int on_ring(void *ctx)
{
	struct runner *r = ctx;

	return session__consume(r->ses);
}

static int run_one(struct runner *r, unsigned id)
{
	const struct config *cfg = r->cfg;
	struct run_record rec = { .index = id };
	struct rt_run run = { .id = id, .dirfd = -1, .cgroup_fd = -1,
			      .realtime_offset_ns = r->rt_offset, .json = &rec.extra };
	struct cgroup_dir cg = { .fd = -1 };
	struct outcap oc = { .file = { -1, -1 }, .pipe_rd = { -1, -1 }, .child = { -1, -1 } };
	struct run_state rs = { .r = r, .run = &run, .cg = &cg, .oc = &oc,
				.child = { .go = -1, .pidfd = -1 } };
	struct child_opts co = { .argv = cfg->argv, .shell = cfg->shell, .own_pgrp = true,
				 .die_with_parent = true, .sigmask = loop__origmask(r->loop) };
	int devnull = -1, tid = -1, tickid = -1, err, i;
	bool begun = false, watching = false;
	int started = 0;
	char name[32], dirpath[PATH_MAX + 32];
	__u64 tick_ns = 0;

	/* the run's directory and output files */
	snprintf(name, sizeof(name), "run-%04u", id);
	snprintf(dirpath, sizeof(dirpath), "%s/%s", r->outdir, name);
	run.dir = dirpath;
	if (mkdirat(r->outfd, name, 0700) || (run.dirfd = openat(r->outfd, name,
			O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = -errno;
		rt_err("cannot create %s: %s", dirpath, strerror(-err));
		return err;
	}
	err = outcap_start(&oc, cfg->log_trace, cfg->show_output, run.dirfd);
	if (err)
		goto cleanup;
	/* its cgroup */
	if (r->cg_parent.fd >= 0) {
		err = cg_run_create(&r->cg_parent, id, &cg);
		if (err) {
			rt_err("cannot create cgroup %s: %s", cg.path, strerror(-err));
			goto cleanup;
		}
		run.cgroup_fd = cg.fd;
		run.cgroup_path = cg.path;
	}
	if (r->ses) {
		session__begin_run(r->ses, &run);
		begun = true;
	}
	/* fork the child, blocked until it is in the scope; stdin /dev/null */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	co.fds[0] = devnull;
	co.fds[1] = oc.child[0];
	co.fds[2] = oc.child[1];
	rt_dbg("run %u: forking", id);
	err = child__fork(&rs.child, &co);
	if (err)
		goto cleanup;
	outcap_parent_after_fork(&oc);
	run.pid = rs.child.pid;
	/* register it */
	if (r->ses && (err = session__register(r->ses, run.pid, id))) {
		rt_err("cannot add pid %d to the BPF scope: %s", run.pid, strerror(-err));
		goto kill_child;
	}
	if (cg.fd >= 0 && (err = cg_add_pid(&cg, run.pid))) {
		rt_err("cannot move pid %d into %s: %s", run.pid, cg.path, strerror(-err));
		goto kill_child;
	}
	for (i = 0; i < r->nsinks; i++) {
		struct sink *k = &r->sinks[i];

		if (k->tick_ns && (!tick_ns || k->tick_ns < tick_ns))
			tick_ns = k->tick_ns;
		if (k->ops->run_start && (err = k->ops->run_start(k->self, &run))) {
			rt_err("%s: cannot start run %u: %s", k->ops->name, id, strerror(-err));
			goto kill_child;
		}
		started++;
	}
	/* what the loop watches during the run */
	watching = true;
	loop__on_signal(r->loop, on_stop_signal, &rs);
	if ((err = loop__add(r->loop, rs.child.pidfd, on_child, &rs)))
		goto kill_child;
	if (cfg->timeout > 0 &&
	    (err = tid = loop__timer(r->loop, cfg->timeout * 1e9, 0, on_timeout, &rs)) < 0)
		goto kill_child;
	if (tick_ns && (err = tickid = loop__timer(r->loop, tick_ns, tick_ns, on_tick, &rs)) < 0)
		goto kill_child;
	if (oc.pipe_rd[0] >= 0 && (err = loop__add(r->loop, oc.pipe_rd[0], on_stdout, &rs)))
		goto kill_child;
	if (oc.pipe_rd[1] >= 0 && (err = loop__add(r->loop, oc.pipe_rd[1], on_stderr, &rs)))
		goto kill_child;
	/* release it */
	run.start_ns = now_ns(CLOCK_MONOTONIC);
	rec.start_realtime_ns = run.start_ns + r->rt_offset;
	if ((err = child__release(&rs.child)))
		goto kill_child;
	/* a signal that came before the release stops the run now */
	if (loop__stop_signal(r->loop))
		on_stop_signal(&rs);

	/* the event loop */
	while (!rs.done) {
		err = loop__wait(r->loop, -1);
		if (err) {
			rt_err("event loop: %s", strerror(-err));
			goto kill_child;
		}
		progress_update(&r->prog, id - 1, stats_failed(&r->st), false);
	}
	/* the child has exited: reap it, then everything left of the run */
	if (child__reap(&rs.child, true) != 1)
		rt_err("cannot wait for pid %d: %s", run.pid, strerror(errno));
	run.end_ns = now_ns(CLOCK_MONOTONIC);
	kill_and_reap(id, &cg, &rs.child);
	err = 0;
	goto finish;

kill_child:
	child__abort(&rs.child);
	run.end_ns = now_ns(CLOCK_MONOTONIC);
	kill_and_reap(id, &cg, &rs.child);

finish:
	if (watching) {
		loop__on_signal(r->loop, NULL, NULL);
		loop__del(r->loop, rs.child.pidfd);
		loop__cancel(r->loop, tid);
		loop__cancel(r->loop, tickid);
		for (i = 0; i < 2; i++)
			if (oc.pipe_rd[i] >= 0)
				loop__del(r->loop, oc.pipe_rd[i]);
	}
	if (begun) {
		session__end_run(r->ses, &run);
		begun = false;
	}
	/* what the run ended as */
	rec.duration_ns = run.end_ns - run.start_ns;
	rec.wait_status = rs.child.status;
	rec.lost = run.lost;
	if (rs.interrupted)
		rec.reason = RT_REASON_INTERRUPTED;
	else if (rs.timed_out)
		rec.reason = RT_REASON_TIMEOUT;
	else if (WIFSIGNALED(rs.child.status))
		rec.reason = RT_REASON_SIGNAL;
	else if (!WIFEXITED(rs.child.status) || WEXITSTATUS(rs.child.status))
		rec.reason = RT_REASON_EXIT;
	run.failed = rec.reason != RT_REASON_NONE;
	run.keep = !err && (run.failed || cfg->keep_all);
	run.wait_status = rs.child.status;
	rt_dbg("run %u: status 0x%x, %s, %s", id, rs.child.status,
	       run.failed ? "failed" : "succeeded",
	       run.keep ? "keeping its artifacts" : "leaving nothing");
	for (i = 0; i < started; i++) {
		struct sink *k = &r->sinks[i];
		int serr;

		if (k->ops->run_end && (serr = k->ops->run_end(k->self, &run)))
			rt_err("%s: cannot finish run %u: %s", k->ops->name, id, strerror(-serr));
	}
	progress_clear(&r->prog);
	outcap_end(&oc, run.dirfd, run.failed && cfg->log_trace && !rs.interrupted, run.keep);
	if (run.keep) {
		list_files(run.dirfd, &rec.files);
		rec.kept = true;
		r->kept_any = true;
	} else {
		remove_rundir(r->outfd, name, run.dirfd);
	}
	if (!err)
		stats_add(&r->st, &rec);

cleanup:
	if (begun)
		session__end_run(r->ses, &run);
	child__close(&rs.child);
	strbuf_free(&rec.files);
	strbuf_free(&rec.extra);
	if (err && run.dirfd >= 0)
		remove_rundir(r->outfd, name, run.dirfd);
	if (run.dirfd >= 0)
		close(run.dirfd);
	for (i = 0; i < 2; i++) {
		if (oc.file[i] >= 0)
			close(oc.file[i]);
		if (oc.child[i] >= 0)
			close(oc.child[i]);
		if (oc.pipe_rd[i] >= 0)
			close(oc.pipe_rd[i]);
	}
	if (devnull >= 0)
		close(devnull);
	if (cg.fd >= 0)
		cg_remove(&cg, 2000);
	return err;
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
	r->ses = session__new(r->sinks, r->nsinks, r->cg_parent.fd);
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
	unsigned id;

	rt_debug_on = cfg->debug;
	/* signals: SIGINT/SIGTERM/SIGHUP through the loop's signalfd, from now on */
	r.loop = loop__new();
	if (!r.loop) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
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

	progress_init(&r.prog, cfg->count, !cfg->show_output);
	for (id = 1; id <= (unsigned long)cfg->count; id++) {
		if (loop__stop_signal(r.loop))
			break;
		err = run_one(&r, id);
		if (err) {
			si.stop = RT_STOP_ERROR;
			break;
		}
		progress_update(&r.prog, id, stats_failed(&r.st), true);
		if (loop__stop_signal(r.loop))
			break;
		if (cfg->failed_count && stats_failed(&r.st) >= (size_t)cfg->failed_count) {
			if (id < cfg->count) {
				progress_clear(&r.prog);
				printf("INFO: I reached max failed attempts, I GIVE UP\n");
				si.stop = RT_STOP_FAILED_COUNT;
			}
			break;
		}
	}
	progress_clear(&r.prog);
	stop = loop__stop_signal(r.loop);
	if (stop)
		si.stop = RT_STOP_INTERRUPTED;

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
	return ret;
}
