// SPDX-License-Identifier: GPL-2.0-only
/*
 * parflaky P MS [LEDGER]: a flaky program with processes and network
 * traffic of its own, for runs in parallel (-j).  It listens on 127.0.0.1
 * at a port the kernel picks, prints "parflaky: pid PID port PORT", forks a
 * child that connects to that port and sends "hello PORT", answers "bye
 * PORT", sleeps MS milliseconds (so that runs overlap), then fails (exit 1)
 * with probability P (0..1), else exits 0; with LEDGER, it first appends
 * "PID PORT CODE" to that file (its own account of the run).  Every packet
 * of a run carries its port, so a pcap of another run's packets gives
 * itself away.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int child(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[64];
	int s = socket(AF_INET, SOCK_STREAM, 0), n;

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return 2;
	n = snprintf(buf, sizeof(buf), "hello %d\n", port);
	if (write(s, buf, n) != n)
		return 2;
	n = read(s, buf, sizeof(buf) - 1);
	close(s);
	return n > 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	double p = argc > 1 ? atof(argv[1]) : 0.5;
	long ms = argc > 2 ? atol(argv[2]) : 50;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	char buf[64];
	unsigned r = 0;
	int l, c, n, port, st;
	pid_t pid;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen)) {
		perror("parflaky: listen");
		return 2;
	}
	port = ntohs(a.sin_port);
	printf("parflaky: pid %d port %d\n", getpid(), port);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(port));
	c = accept(l, NULL, NULL);
	if (c < 0 || (n = read(c, buf, sizeof(buf))) <= 0)
		return 2;
	n = snprintf(buf, sizeof(buf), "bye %d\n", port);
	if (write(c, buf, n) != n)
		return 2;
	close(c);
	close(l);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 2;
	nanosleep(&ts, NULL);
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 2;
	if (argc > 3) {
		int fd = open(argv[3], O_WRONLY | O_APPEND | O_CREAT, 0600);

		n = snprintf(buf, sizeof(buf), "%d %d %d\n", getpid(), port, r / 4294967296.0 < p);
		if (fd < 0 || write(fd, buf, n) != n)
			return 2;
		close(fd);
	}
	if (r / 4294967296.0 < p) {
		fprintf(stderr, "parflaky: failed this time\n");
		return 1;
	}
	fprintf(stderr, "parflaky: ok\n");
	return 0;
}
