// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/child.h"
#include "util/util.h"

const char *child_resolve(const char *file, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat sb;

	if (!*file || strchr(file, '/'))
		return NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		size_t dl;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		dl = end - p;
		if ((size_t)snprintf(buf, len, "%.*s%s%s", (int)dl, p, dl ? "/" : "", file) < len &&
		    !stat(buf, &sb) && S_ISREG(sb.st_mode) && !access(buf, X_OK))
			return buf;
		if (!*end)
			return NULL;
	}
}

static __attribute__((noreturn)) void child_main(const struct child_opts *o, int go_rd,
						  int ready_wr, pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const char *prog = NULL;
	char path[PATH_MAX];
	int err, i;
	char c;

	if (o->own_pgrp)
		setpgid(0, 0);
	if (o->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
	}
	sigaction(SIGPIPE, &dfl, NULL);
	if (o->sigmask)
		sigprocmask(SIG_SETMASK, o->sigmask, NULL);
	for (i = 0; i < 3; i++)
		if (o->fds[i] >= 0 && o->fds[i] != i)
			dup2(o->fds[i], i); /* dup2 clears FD_CLOEXEC on the copy */
	if (!o->shell)
		prog = child_resolve(o->argv[0], path, sizeof(path));
	/* set up: say so, and wait to be put into the scope; the only
	 * syscalls the scope sees before the exec are this read's return
	 * and in_child()'s */
	if (write(ready_wr, "r", 1) != 1)
		_exit(127);
	if (read(go_rd, &c, 1) != 1)
		_exit(127);
	if (o->in_child && o->in_child(o->ctx))
		_exit(127);
	if (o->shell)
		execl("/bin/sh", "sh", "-c", o->argv[0], (char *)NULL);
	else if (prog)
		execv(prog, o->argv);
	else
		execvp(o->argv[0], o->argv);
	err = errno;
	dprintf(STDERR_FILENO, "runtrace: cannot execute '%s': %s\n",
		o->shell ? "/bin/sh" : o->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* Wait (up to a second) until @pid sleeps in read(2), so that a scope it
 * joins now does not see that syscall's entry (/proc/PID/syscall shows the
 * number of the syscall a task is blocked in). */
static void wait_blocked_in_read(pid_t pid)
{
	char path[64], buf[64];
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 20000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = 0;
		if (!strncmp(buf, "0 ", 2))
			return;
		usleep(50);
	}
}

int child__fork(struct child *c, const struct child_opts *o)
{
	pid_t parent = getpid();
	int go[2], ready[2], err;
	char r;

	c->pid = 0;
	c->go = c->pidfd = -1;
	c->reaped = false;
	c->status = 0;
	c->kill_at = 0;
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		rt_err("cannot create a pipe: %s", strerror(-err));
		return err;
	}
	if (pipe2(ready, O_CLOEXEC)) {
		err = -errno;
		rt_err("cannot create a pipe: %s", strerror(-err));
		close(go[0]);
		close(go[1]);
		return err;
	}
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		rt_err("cannot fork: %s", strerror(-err));
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
		c->pid = 0;
		return err;
	}
	if (c->pid == 0) {
		close(ready[0]);
		child_main(o, go[0], ready[1], parent);
	}
	close(go[0]);
	close(ready[1]);
	c->go = go[1];
	/* its set-up done, it waits for the release */
	while ((err = read(ready[0], &r, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (err != 1) {
		rt_err("the command's process died before it could start");
		child__abort(c);
		return -ECHILD;
	}
	wait_blocked_in_read(c->pid);
	c->pidfd = syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0) {
		err = -errno;
		rt_err("cannot open a pidfd for %d: %s", c->pid, strerror(-err));
		child__abort(c);
		return err;
	}
	return 0;
}

int child__release(struct child *c)
{
	int err;

	if (write(c->go, "x", 1) != 1) {
		err = -errno;
		rt_err("cannot release the child: %s", strerror(-err));
		return err;
	}
	close(c->go);
	c->go = -1;
	return 0;
}

int child__reap(struct child *c, bool block)
{
	pid_t w;

	if (c->reaped)
		return 1;
	if (c->pid <= 0)
		return -ECHILD;
	do
		w = waitpid(c->pid, &c->status, block ? 0 : WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if (w == 0)
		return 0;
	c->reaped = true;
	return 1;
}

void child__abort(struct child *c)
{
	if (c->go >= 0) {
		close(c->go); /* the child sees EOF and exits 127 */
		c->go = -1;
	}
	if (c->pid > 0 && !c->reaped) {
		kill(c->pid, SIGKILL);
		child__reap(c, true);
	}
}

void child__close(struct child *c)
{
	if (c->go >= 0)
		close(c->go);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->go = c->pidfd = -1;
}

void child__kill(const struct child *c, int sig)
{
	if (c->pid > 0 && !c->reaped)
		kill(c->pid, sig);
}

void child__grace(struct child *c)
{
	c->kill_at = now_ns(CLOCK_MONOTONIC) + CHILD_KILL_GRACE_NS;
}

bool child__kill_due(struct child *c)
{
	if (!c->kill_at || now_ns(CLOCK_MONOTONIC) < c->kill_at)
		return false;
	child__grace(c);
	return true;
}
