// SPDX-License-Identifier: GPL-2.0-only
/*
 * A target for `runtrace trace` tests, started outside runtrace.
 *
 *   trace_target threads ACCOUNT   two threads making known syscalls every
 *                                  20 ms until killed; on SIGUSR1 the main
 *                                  thread forks a child that calls getgid()
 *                                  and exits 7.  ACCOUNT gets "main TID",
 *                                  "worker TID", and "child PID" lines.
 *   trace_target busy ACCOUNT N    never sleeps: spins, and every 200 ms
 *                                  calls getppid() once, N times; ACCOUNT
 *                                  gets the wall-clock time (ns) at which
 *                                  each call returned.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int account;
static volatile sig_atomic_t fork_now;

static void say(const char *what, long v)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%s %ld\n", what, v);

	if (write(account, buf, n) != n)
		_exit(2);
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *worker(void *arg)
{
	struct timespec d = { 0, 20000000 };

	say("worker", (long)gettid());
	for (;;) {
		syscall(SYS_getuid);
		nanosleep(&d, NULL);
	}
	return NULL;
}

static void on_usr1(int sig)
{
	fork_now = 1;
}

static int threads(void)
{
	struct timespec d = { 0, 20000000 };
	pthread_t t;
	pid_t c;

	signal(SIGUSR1, on_usr1);
	say("main", (long)gettid());
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	for (;;) {
		syscall(SYS_getppid);
		nanosleep(&d, NULL);
		if (fork_now) {
			fork_now = 0;
			c = fork();
			if (c == 0) {
				syscall(SYS_getgid);
				_exit(7);
			}
			say("child", (long)c);
			waitpid(c, NULL, 0);
		}
	}
}

static int busy(int n)
{
	long long next = now_ns(CLOCK_MONOTONIC);
	char buf[64];
	int i, len;

	for (i = 0; i < n; i++) {
		next += 200000000ll;
		while (now_ns(CLOCK_MONOTONIC) < next)
			;
		syscall(SYS_getppid);
		len = snprintf(buf, sizeof(buf), "%lld\n", now_ns(CLOCK_REALTIME));
		if (write(account, buf, len) != len)
			return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	account = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (account < 0)
		return 2;
	if (!strcmp(argv[1], "threads"))
		return threads();
	if (!strcmp(argv[1], "busy") && argc == 4)
		return busy(atoi(argv[3]));
	return 2;
}
