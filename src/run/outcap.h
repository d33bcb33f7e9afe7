/* SPDX-License-Identifier: GPL-2.0-only */
/* The child's stdout and stderr: to stdout.log/stderr.log in the run
 * directory (--log-trace), passed through live (--show-output), or both. */
#ifndef RUNTRACE_OUTCAP_H
#define RUNTRACE_OUTCAP_H

#include <stdbool.h>

struct outcap {
	bool capture;      /* write stdout.log, stderr.log */
	bool live;         /* pass through to our stdout/stderr */
	int file[2];       /* the log files, or -1 */
	int pipe_rd[2];    /* live: our read ends, or -1 */
	int child[2];      /* the fds the child gets as 1 and 2 */
};

/* Prepare a run's fds in @run_dirfd.  0 or -errno (message printed). */
int outcap_start(struct outcap *oc, bool capture, bool live, int run_dirfd);
/* In the parent after fork: close the child's ends. */
void outcap_parent_after_fork(struct outcap *oc);
/* Live mode: copy what is readable on @fd (one of pipe_rd).  Returns 0, or
 * 1 at end of file (the caller stops polling @fd). */
int outcap_pump(struct outcap *oc, int fd);
/* Finish: drain pipes; if @print, show the logs as the original runner did
 * ("Failed to execute. printing available output logs:"); if !@keep,
 * unlink the logs. */
void outcap_end(struct outcap *oc, int run_dirfd, bool print, bool keep);

#endif
