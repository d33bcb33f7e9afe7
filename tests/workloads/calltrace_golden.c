// SPDX-License-Identifier: GPL-2.0-only
/*
 * Golden workload of --call-trace: makes known syscalls and writes its own
 * account of them (what it called, with what, and what it got back) to the
 * file named by argv[2], then exits 1 so that runtrace keeps the run.
 *
 *   calltrace_golden MODE ACCOUNT-FILE
 *   MODE: open | write | connect | fork | threads | all | block
 *
 * Account lines: "<syscall> <tid> <detail...> = <ret or -ERRNAME>".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MISSING "/nonexistent/runtrace-golden.conf"
#define HELLO "hello from the golden workload\n"
#define NTHREADS 3

static char account[8192];
static size_t alen;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	va_start(ap, fmt);
	alen += vsnprintf(account + alen, sizeof(account) - alen, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&lock);
}

static long ret_of(long r)
{
	return r < 0 ? -errno : r;
}

static void do_open(void)
{
	long r = ret_of(syscall(SYS_openat, AT_FDCWD, MISSING, O_RDONLY | O_CLOEXEC));

	note("openat %ld %s = %ld\n", (long)gettid(), MISSING, r);
}

static void do_write(void)
{
	long r = ret_of(write(1, HELLO, strlen(HELLO)));

	note("write %ld 1 %zu = %ld\n", (long)gettid(), strlen(HELLO), r);
}

static void do_connect(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int s, port;
	long r;

	/* a port that was just free: bind to 0, learn it, close */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (void *)&sin, sizeof(sin)) || getsockname(s, (void *)&sin, &sl))
		exit(2);
	port = ntohs(sin.sin_port);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	r = ret_of(connect(s, (void *)&sin, sizeof(sin)));
	note("connect %ld 127.0.0.1:%d = %ld\n", (long)gettid(), port, r);
	close(s);
}

static void do_fork(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		exit(2);
	note("fork %ld child %d status %d\n", (long)gettid(), pid, WEXITSTATUS(status));
}

static void *thread_main(void *arg)
{
	char path[64];
	long r;

	snprintf(path, sizeof(path), "/nonexistent/thread-%ld", (long)arg);
	r = ret_of(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
	note("thread %ld %s = %ld\n", (long)gettid(), path, r);
	return NULL;
}

static void do_threads(void)
{
	pthread_t t[NTHREADS];
	long i;

	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i))
			exit(2);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int fd;

	if (!strcmp(mode, "open") || !strcmp(mode, "all"))
		do_open();
	if (!strcmp(mode, "write") || !strcmp(mode, "all"))
		do_write();
	if (!strcmp(mode, "connect") || !strcmp(mode, "all"))
		do_connect();
	if (!strcmp(mode, "fork") || !strcmp(mode, "all"))
		do_fork();
	if (!strcmp(mode, "threads") || !strcmp(mode, "all"))
		do_threads();
	if (!strcmp(mode, "block")) {
		note("pause %ld\n", (long)gettid());
		if (argc > 2 && (fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			if (write(fd, account, alen) != (ssize_t)alen)
				return 1;
			close(fd);
		}
		pause(); /* killed here by --timeout */
	}
	if (argc > 2) {
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, account, alen) != (ssize_t)alen)
			return 2;
		close(fd);
	}
	return 1;
}
