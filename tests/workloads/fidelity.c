// SPDX-License-Identifier: GPL-2.0-only
/*
 * Golden workload of the syscall decoder: makes, in a fixed order, the
 * syscalls whose arguments runtrace decodes as strace does (structs,
 * flags, arrays, messages, signals), so that tests/integration/
 * test_fidelity.py can compare runtrace's lines with strace's, line by
 * line.  Deterministic: one thread, a child it waits for, signals it sends
 * itself.  Exits 1 so that runtrace keeps the run.
 *
 *   fidelity DIR    (a scratch directory it may create files in)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

int main(int argc, char **argv)
{
	char path[4096], buf[4096];
	int fds[2], sv[2], ls, cs, as, ep, one = 1, v, fd, status;
	struct sockaddr_in sin;
	socklen_t slen;
	struct stat st;
	struct statfs sfs;
	struct rlimit rl;
	struct sigaction sa;
	sigset_t set, old;
	struct pollfd pfd;
	struct epoll_event ev, evs[2];
	struct timespec ts = { 0, 1000 };
	struct iovec iov[2];
	struct msghdr mh;
	struct termios tio;
	struct utsname un;
	fd_set rfds;
	pid_t pid;
	long futexw = 0;

	if (argc != 2)
		return 2;
	/* the stat family */
	stat("/etc/passwd", &st);
	lstat("/dev/null", &st);
	fstatat(AT_FDCWD, "/nonexistent/fidelity", &st, 0);
	statfs("/", &sfs);
	snprintf(path, sizeof(path), "%s/file", argv[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (write(fd, "hello\n", 6) != 6)
		return 2;
	fstat(fd, &st);
	fchmod(fd, 04750);
	fstat(fd, &st);
	close(fd);
	/* signals */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &sa);
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	kill(getpid(), SIGUSR1);
	/* limits, system */
	getrlimit(RLIMIT_NOFILE, &rl);
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	uname(&un);
	if (getrandom(buf, 4, GRND_NONBLOCK) != 4)
		return 2;
	syscall(SYS_futex, &futexw, FUTEX_WAKE_PRIVATE, 1);
	/* descriptors */
	ioctl(0, TCGETS, &tio);
	if (pipe2(fds, O_CLOEXEC))
		return 2;
	fcntl(fds[0], F_GETFL);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_GETFD);
	fcntl(fds[1], F_DUPFD_CLOEXEC, 20);
	ioctl(fds[1], FIONBIO, &one);
	if (write(fds[1], "x", 1) != 1)
		return 2;
	ioctl(fds[0], FIONREAD, &v);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	poll(&pfd, 1, 100);
	FD_ZERO(&rfds);
	FD_SET(fds[0], &rfds);
	pselect(fds[0] + 1, &rfds, NULL, NULL, &ts, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = fds[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
	epoll_wait(ep, evs, 2, 100);
	if (read(fds[0], buf, sizeof(buf)) != 1)
		return 2;
	poll(&pfd, 1, 0);
	nanosleep(&ts, NULL);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	syscall(SYS_getdents64, fd, buf, sizeof(buf));
	syscall(SYS_getdents64, fd, buf, sizeof(buf));
	close(fd);
	/* messages */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	iov[0] = (struct iovec){ "two ", 4 };
	iov[1] = (struct iovec){ "iovecs", 6 };
	if (writev(sv[0], iov, 2) != 10)
		return 2;
	memset(&mh, 0, sizeof(mh));
	iov[0] = (struct iovec){ buf, 3 };
	iov[1] = (struct iovec){ buf + 3, 100 };
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	recvmsg(sv[1], &mh, 0);
	/* TCP on the loopback */
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(ls, (struct sockaddr *)&sin, sizeof(sin));
	listen(ls, 1);
	slen = sizeof(sin);
	getsockname(ls, (struct sockaddr *)&sin, &slen);
	cs = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	connect(cs, (struct sockaddr *)&sin, sizeof(sin));
	slen = sizeof(sin);
	as = accept4(ls, (struct sockaddr *)&sin, &slen, SOCK_CLOEXEC);
	slen = sizeof(v);
	getsockopt(cs, SOL_SOCKET, SO_ERROR, &v, &slen);
	send(cs, "ping", 4, 0);
	recv(as, buf, sizeof(buf), 0);
	shutdown(cs, SHUT_RDWR);
	/* a child that exits 3, one its timer's SIGALRM kills; each lives
	 * long enough for the parent to be in wait4 when its SIGCHLD comes,
	 * so the order of the lines does not depend on timing */
	pid = fork();
	if (pid == 0) {
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
		_exit(3);
	}
	wait4(pid, &status, 0, NULL);
	pid = fork();
	if (pid == 0) {
		struct itimerval it = { .it_value = { 0, 100000 } };

		setitimer(ITIMER_REAL, &it, NULL);
		pause();
		_exit(0);
	}
	wait4(pid, &status, 0, NULL);
	/* and one killed by the parent's SIGTERM, once in pause() */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	kill(pid, SIGTERM);
	wait4(pid, &status, 0, NULL);
	unlink(path);
	return got == SIGUSR1 ? 1 : 2;
}
