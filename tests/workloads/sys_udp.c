// SPDX-License-Identifier: GPL-2.0-only
/*
 * sys_udp N SIZE OUT: send N UDP datagrams of SIZE payload bytes over
 * loopback (127.0.0.1) to a socket of its own, receiving each before the
 * next, and write the counts it saw as JSON to OUT.  Exits 1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	long n, size, i, sent = 0, got = 0;
	char buf[65536];
	int rx, tx;
	FILE *f;

	if (argc < 4 || (n = atol(argv[1])) <= 0 || (size = atol(argv[2])) <= 0 ||
	    size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: sys_udp N SIZE OUT\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(rx, (struct sockaddr *)&a, &alen)) {
		perror("socket");
		return 2;
	}
	memset(buf, 'u', size);
	for (i = 0; i < n; i++) {
		if (sendto(tx, buf, size, 0, (struct sockaddr *)&a, sizeof(a)) == size)
			sent++;
		if (recv(rx, buf, sizeof(buf), 0) >= 0)
			got++;
	}
	f = fopen(argv[3], "w");
	if (!f)
		return 2;
	fprintf(f, "{\"sent\":%ld,\"received\":%ld,\"size\":%ld}\n", sent, got, size);
	fclose(f);
	return 1;
}
