// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runner: for each run, a scope (run directory, cgroup, BPF scope entry),
 * the child forked blocked on a pipe, registered, released, then one event
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
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgroup.h"
#include "cmd/run_options.h"
#include "engine/features.h"
#include "run/outcap.h"
#include "run/progress.h"
#include "cmd/run.h"
#include "engine/session.h"
#include "engine/sinks.h"
#include "run/stats.h"
#include "util/util.h"

struct runner {
	const struct config *cfg;
	struct features feat;
	struct session *ses;          /* NULL: the plain runner, no BPF */
	struct sink sinks[RT_MAX_SINKS];
	int nsinks;
	struct cgroup_dir cg_parent;  /* runtrace-<pid>, fd -1 if none */
	char base[PATH_MAX];          /* -o, or runtrace-out */
	bool created_base;
	char outdir[PATH_MAX];        /* base/YYYYmmdd-HHMMSS */
	int outfd;
	int epfd, sigfd;
	sigset_t origmask;
	int stop_signal;              /* SIGINT/SIGTERM received, or 0 */
	__s64 rt_offset;              /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	struct stats st;
	struct progress prog;
	bool kept_any;
};

/* epoll tags */
enum { TAG_SIGNAL = 1, TAG_RING, TAG_CHILD, TAG_TIMEOUT, TAG_TICK, TAG_OUT, TAG_ERR };

static const char *first_bpf_flag(const struct config *cfg)
{
	if (cfg->call_trace != RT_CT_OFF)
		return "--call-trace";
	if (cfg->sys_trace)
		return "--sys-trace";
	return "--net-trace";
}

static int epoll_add(int epfd, int fd, __u64 tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
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

/* Kill everything left of the run and reap it, cgroup included.  If the
 * run's first process @pid is reaped here, its status goes to *@status and
 * *@reaped is set. */
static void kill_and_reap(unsigned id, struct cgroup_dir *cg, pid_t pid, int *status,
			  bool *reaped)
{
	int round, st;
	pid_t w;

	for (round = 0;; round++) {
		if (cg->fd >= 0)
			cg_kill(cg);
		kill_descendants(getpid());
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == pid && !*reaped) {
				*status = st;
				*reaped = true;
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

static __attribute__((noreturn)) void child_exec(struct runner *r, struct outcap *oc, int go_rd,
						 pid_t parent)
{
	const struct config *cfg = r->cfg;
	struct sigaction sa = { .sa_handler = SIG_DFL };
	int err, devnull;
	char c;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigaction(SIGPIPE, &sa, NULL);
	sigprocmask(SIG_SETMASK, &r->origmask, NULL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != STDIN_FILENO) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	dup2(oc->child[0], STDOUT_FILENO);
	dup2(oc->child[1], STDERR_FILENO);
	/* wait to be registered in the scope */
	if (read(go_rd, &c, 1) != 1)
		_exit(127);
	if (cfg->shell)
		execl("/bin/sh", "sh", "-c", cfg->argv[0], (char *)NULL);
	else
		execvp(cfg->argv[0], cfg->argv);
	err = errno;
	dprintf(STDERR_FILENO, "runtrace: cannot execute '%s': %s\n",
		cfg->shell ? "/bin/sh" : cfg->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

static int arm_timer(int *fd, __u64 first_ns, __u64 period_ns)
{
	struct itimerspec its = {
		.it_value = { first_ns / 1000000000, first_ns % 1000000000 },
		.it_interval = { period_ns / 1000000000, period_ns % 1000000000 },
	};

	*fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (*fd < 0)
		return -errno;
	if (timerfd_settime(*fd, 0, &its, NULL))
		return -errno;
	return 0;
}

static void handle_signal(struct runner *r)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == sizeof(si))
		if (!r->stop_signal)
			r->stop_signal = si.ssi_signo;
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

static int run_one(struct runner *r, unsigned id)
{
	const struct config *cfg = r->cfg;
	struct run_record rec = { .index = id };
	struct rt_run run = { .id = id, .dirfd = -1, .cgroup_fd = -1,
			      .realtime_offset_ns = r->rt_offset, .json = &rec.extra };
	struct cgroup_dir cg = { .fd = -1 };
	struct outcap oc = { .file = { -1, -1 }, .pipe_rd = { -1, -1 }, .child = { -1, -1 } };
	int go[2] = { -1, -1 }, pidfd = -1, tfd = -1, tickfd = -1, status = 0, err, i;
	bool done = false, timed_out = false, interrupted = false, begun = false, reaped = false;
	int started = 0;
	char name[32], dirpath[PATH_MAX + 32];
	__u64 tick_ns = 0;
	pid_t pid;

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
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		rt_err("cannot create a pipe: %s", strerror(-err));
		goto cleanup;
	}
	/* fork the child, blocked on the pipe until it is in the scope */
	rt_dbg("run %u: forking", id);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		rt_err("cannot fork: %s", strerror(-err));
		goto cleanup;
	}
	if (pid == 0)
		child_exec(r, &oc, go[0], getppid());
	close(go[0]);
	go[0] = -1;
	outcap_parent_after_fork(&oc);
	run.pid = pid;
	/* register it */
	if (r->ses && (err = session__register(r->ses, pid, id))) {
		rt_err("cannot add pid %d to the BPF scope: %s", pid, strerror(-err));
		goto kill_child;
	}
	if (cg.fd >= 0 && (err = cg_add_pid(&cg, pid))) {
		rt_err("cannot move pid %d into %s: %s", pid, cg.path, strerror(-err));
		goto kill_child;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		rt_err("cannot open a pidfd for %d: %s", pid, strerror(-err));
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
	if ((err = epoll_add(r->epfd, pidfd, TAG_CHILD)))
		goto kill_child;
	if (cfg->timeout > 0 && ((err = arm_timer(&tfd, cfg->timeout * 1e9, 0)) ||
				 (err = epoll_add(r->epfd, tfd, TAG_TIMEOUT))))
		goto kill_child;
	if (tick_ns && ((err = arm_timer(&tickfd, tick_ns, tick_ns)) ||
			(err = epoll_add(r->epfd, tickfd, TAG_TICK))))
		goto kill_child;
	for (i = 0; i < 2; i++)
		if (oc.pipe_rd[i] >= 0 && (err = epoll_add(r->epfd, oc.pipe_rd[i], TAG_OUT + i)))
			goto kill_child;
	/* release it */
	run.start_ns = now_ns(CLOCK_MONOTONIC);
	rec.start_realtime_ns = run.start_ns + r->rt_offset;
	if (write(go[1], "x", 1) != 1) {
		err = -errno;
		rt_err("cannot release the child: %s", strerror(-err));
		goto kill_child;
	}
	close(go[1]);
	go[1] = -1;

	/* the event loop */
	while (!done) {
		struct epoll_event evs[16];
		int n = epoll_wait(r->epfd, evs, 16, r->ses ? 50 : 200);
		__u64 x;

		if (n < 0 && errno != EINTR) {
			err = -errno;
			rt_err("epoll_wait: %s", strerror(-err));
			goto kill_child;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u64) {
			case TAG_SIGNAL:
				handle_signal(r);
				if (r->stop_signal && !interrupted) {
					interrupted = true;
					rt_dbg("run %u: interrupted by signal %d", id, r->stop_signal);
					kill_and_reap(id, &cg, pid, &status, &reaped);
				}
				break;
			case TAG_RING:
				session__consume(r->ses);
				break;
			case TAG_CHILD:
				done = true;
				break;
			case TAG_TIMEOUT:
				if (read(tfd, &x, sizeof(x)) < 0)
					break;
				timed_out = true;
				rt_dbg("run %u: timeout, killing its process tree", id);
				kill_and_reap(id, &cg, pid, &status, &reaped);
				break;
			case TAG_TICK:
				if (read(tickfd, &x, sizeof(x)) < 0)
					break;
				if (r->ses)
					session__update_drops(r->ses, &run);
				for (int k = 0; k < r->nsinks; k++)
					if (r->sinks[k].ops->tick)
						r->sinks[k].ops->tick(r->sinks[k].self, &run,
								      now_ns(CLOCK_MONOTONIC));
				break;
			case TAG_OUT:
			case TAG_ERR: {
				int fd = oc.pipe_rd[evs[i].data.u64 - TAG_OUT];

				if (outcap_pump(&oc, fd))
					epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
				break;
			}
			}
		}
		if (r->ses && n == 0)
			session__consume(r->ses);
		progress_update(&r->prog, id - 1, stats_failed(&r->st), false);
	}
	/* the child has exited: reap it, then everything left of the run */
	if (!reaped && waitpid(pid, &status, 0) == pid)
		reaped = true;
	if (!reaped)
		rt_err("cannot wait for pid %d: %s", pid, strerror(errno));
	run.end_ns = now_ns(CLOCK_MONOTONIC);
	kill_and_reap(id, &cg, pid, &status, &reaped);
	err = 0;
	goto finish;

kill_child:
	if (go[1] >= 0) {
		close(go[1]); /* the child sees EOF and exits 127 */
		go[1] = -1;
	}
	kill(pid, SIGKILL);
	if (!reaped && waitpid(pid, &status, 0) == pid)
		reaped = true;
	run.end_ns = now_ns(CLOCK_MONOTONIC);
	kill_and_reap(id, &cg, pid, &status, &reaped);

finish:
	if (pidfd >= 0)
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, pidfd, NULL);
	if (tfd >= 0)
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, tfd, NULL);
	if (tickfd >= 0)
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, tickfd, NULL);
	for (i = 0; i < 2; i++)
		if (oc.pipe_rd[i] >= 0)
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, oc.pipe_rd[i], NULL);
	if (begun) {
		session__end_run(r->ses, &run);
		begun = false;
	}
	/* what the run ended as */
	rec.duration_ns = run.end_ns - run.start_ns;
	rec.wait_status = status;
	rec.lost = run.lost;
	if (interrupted)
		rec.reason = RT_REASON_INTERRUPTED;
	else if (timed_out)
		rec.reason = RT_REASON_TIMEOUT;
	else if (WIFSIGNALED(status))
		rec.reason = RT_REASON_SIGNAL;
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		rec.reason = RT_REASON_EXIT;
	run.failed = rec.reason != RT_REASON_NONE;
	run.keep = !err && (run.failed || cfg->keep_all);
	run.wait_status = status;
	rt_dbg("run %u: status 0x%x, %s, %s", id, status, run.failed ? "failed" : "succeeded",
	       run.keep ? "keeping its artifacts" : "leaving nothing");
	for (i = 0; i < started; i++) {
		struct sink *k = &r->sinks[i];
		int serr;

		if (k->ops->run_end && (serr = k->ops->run_end(k->self, &run)))
			rt_err("%s: cannot finish run %u: %s", k->ops->name, id, strerror(-serr));
	}
	progress_clear(&r->prog);
	outcap_end(&oc, run.dirfd, run.failed && cfg->log_trace && !interrupted, run.keep);
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
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	if (pidfd >= 0)
		close(pidfd);
	if (tfd >= 0)
		close(tfd);
	if (tickfd >= 0)
		close(tickfd);
	if (cg.fd >= 0)
		cg_remove(&cg, 2000);
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
	n = sinks_create(cfg, true, r->sinks, RT_MAX_SINKS);
	if (n < 0) {
		rt_err("cannot set up: %s", strerror(-n));
		return n;
	}
	r->nsinks = n;
	r->ses = session__new(cfg, r->sinks, r->nsinks, r->cg_parent.fd);
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
	struct runner r = { .cfg = cfg, .outfd = -1, .epfd = -1, .sigfd = -1,
			    .cg_parent = { .fd = -1 } };
	struct summary_info si = { .requested = cfg->count, .failed_count = cfg->failed_count,
				   .timeout = cfg->timeout, .argv = cfg->argv, .argc = cfg->argc,
				   .shell = cfg->shell };
	struct strbuf out = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t mask;
	int ret = RT_EXIT_INTERNAL, err, i;
	unsigned id;

	rt_debug_on = cfg->debug;
	/* signals: SIGINT/SIGTERM/SIGHUP through a signalfd, from now on */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &r.origmask);
	r.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	sigaction(SIGPIPE, &ign, NULL);
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
	r.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r.epfd < 0 || r.sigfd < 0 || epoll_add(r.epfd, r.sigfd, TAG_SIGNAL) ||
	    (r.ses && epoll_add(r.epfd, session__fd(r.ses), TAG_RING))) {
		rt_err("cannot set up the event loop: %s", strerror(errno));
		goto cleanup;
	}

	progress_init(&r.prog, cfg->count, !cfg->show_output);
	for (id = 1; id <= (unsigned long)cfg->count; id++) {
		handle_signal(&r);
		if (r.stop_signal)
			break;
		err = run_one(&r, id);
		if (err) {
			si.stop = RT_STOP_ERROR;
			break;
		}
		progress_update(&r.prog, id, stats_failed(&r.st), true);
		if (r.stop_signal)
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
	if (r.stop_signal)
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
	else if (r.stop_signal)
		ret = 128 + r.stop_signal;
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
	if (r.epfd >= 0)
		close(r.epfd);
	if (r.sigfd >= 0)
		close(r.sigfd);
	stats_free(&r.st);
	return ret;
}
