// SPDX-License-Identifier: GPL-2.0-only
/*
 * netxfer: a loopback TCP bulk transfer, for tools/bench/net and the
 * --net-trace tests.
 *   netxfer recv PORTFILE        listen on 127.0.0.1, write the port to
 *                                PORTFILE, take one connection, read to
 *                                EOF, close; print "received N bytes in
 *                                S s, R MB/s" (from accept to EOF)
 *   netxfer send PORT NBYTES [EXIT]
 *                                send NBYTES to 127.0.0.1:PORT, shut down
 *                                the write side, wait for the peer's EOF;
 *                                print "sent N bytes in S s, R MB/s"; exit
 *                                EXIT (default 0)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int do_recv(const char *portfile)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	unsigned long long total = 0;
	static char buf[CHUNK];
	int l, c, one = 1;
	double t0, dt;
	ssize_t n;
	FILE *f;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen)) {
		perror("netxfer: listen");
		return 2;
	}
	f = fopen(portfile, "w");
	if (!f || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 || fclose(f)) {
		perror("netxfer: port file");
		return 2;
	}
	c = accept(l, NULL, NULL);
	if (c < 0) {
		perror("netxfer: accept");
		return 2;
	}
	t0 = now();
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += n;
	dt = now() - t0;
	close(c);
	close(l);
	printf("received %llu bytes in %.6f s, %.1f MB/s\n", total, dt, total / dt / 1e6);
	return n < 0 ? 2 : 0;
}

static int do_send(int port, unsigned long long nbytes, int code)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned long long left = nbytes;
	static char buf[CHUNK];
	double t0, dt;
	ssize_t n;
	char c;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	t0 = now();
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("netxfer: connect");
		return 2;
	}
	while (left) {
		n = write(s, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0) {
			perror("netxfer: write");
			return 2;
		}
		left -= n;
	}
	shutdown(s, SHUT_WR);
	while ((n = read(s, &c, 1)) > 0)
		;
	dt = now() - t0;
	close(s);
	printf("sent %llu bytes in %.6f s, %.1f MB/s\n", nbytes, dt, nbytes / dt / 1e6);
	return code;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "send"))
		return do_send(atoi(argv[2]), strtoull(argv[3], NULL, 0),
			       argc == 5 ? atoi(argv[4]) : 0);
	fprintf(stderr, "usage: netxfer recv PORTFILE | netxfer send PORT NBYTES [EXIT]\n");
	return 2;
}
