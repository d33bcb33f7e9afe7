/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The traced command: forked blocked on a pipe so that it can be put into
 * its scope (BPF scope map, cgroup) before it runs a single instruction of
 * its own, then released to exec.  Shared by every front end that starts a
 * command (run, trace, deps, profile, calls, pystep).
 */
#ifndef RUNTRACE_ENGINE_CHILD_H
#define RUNTRACE_ENGINE_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

/* A command told to stop (Ctrl-C) gets SIGKILL if it is still there this
 * long after (child__grace, child__kill_due). */
#define CHILD_KILL_GRACE_NS 1000000000ull

struct child_opts {
	char *const *argv;        /* argv (NULL-terminated), or a one-word command string */
	bool shell;               /* argv[0] is a string for /bin/sh -c */
	const sigset_t *sigmask;  /* the child's signal mask (NULL: unchanged) */
	int fds[3];               /* what the child gets as 0, 1, 2; -1 keeps runtrace's */
	bool own_pgrp;            /* setpgid(0, 0): a process group of its own */
	bool die_with_parent;     /* PR_SET_PDEATHSIG SIGKILL */
	int (*in_child)(void *ctx); /* run in the child before exec (after release); may be NULL */
	void *ctx;
};

struct child {
	pid_t pid;   /* 0 before fork */
	int go;      /* write end of the release pipe, -1 once released */
	int pidfd;   /* pidfd_open(pid), -1 if none */
	bool reaped;
	int status;  /* wait(2) status once reaped */
	__u64 kill_at; /* told to stop: SIGKILL due then (CLOCK_MONOTONIC ns; 0: not) */
};

/* The program execvp would run for @file (no '/'): the first regular file
 * with execute permission along PATH, in @buf; NULL if none.  The child
 * execs it directly (strace, too, resolves the path itself, so the trace
 * shows one execve). */
const char *child_resolve(const char *file, char *buf, size_t len);

/* Fork the command, blocked until child__release().  0, or -errno
 * (message printed). */
int child__fork(struct child *c, const struct child_opts *o);
/* Let it exec.  0 or -errno (message printed). */
int child__release(struct child *c);
/* Reap it if it has exited (@block: wait for it).  1 once reaped, 0 if
 * not yet, -errno. */
int child__reap(struct child *c, bool block);
/* Never released, or given up on: close the pipe (it exits 127 without
 * running the command), SIGKILL it, reap it. */
void child__abort(struct child *c);
/* Close the fds (the process is left alone). */
void child__close(struct child *c);
/* Send it @sig if it is there (forked, not reaped). */
void child__kill(const struct child *c, int sig);
/* It was told to stop: SIGKILL is due CHILD_KILL_GRACE_NS from now. */
void child__grace(struct child *c);
/* Whether that SIGKILL is due now (then again a grace period later). */
bool child__kill_due(struct child *c);

#endif
