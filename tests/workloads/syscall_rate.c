// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscall_rate SECONDS: a W1-like loop (1-byte reads from /dev/zero and
 * writes to /dev/null, as dd bs=1) for SECONDS, printing every 100 ms the
 * wall time (CLOCK_MONOTONIC s) and the syscalls made in that interval,
 * so a benchmark can compare its own rate before and while a tracer is
 * attached.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
	double end, next, t;
	long n = 0, i;
	char c;

	if (argc != 2 || in < 0 || out < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	t = now();
	end = t + atof(argv[1]);
	next = t + 0.1;
	for (;;) {
		for (i = 0; i < 256; i++) {
			if (read(in, &c, 1) != 1 || write(out, &c, 1) != 1)
				return 1;
		}
		n += 512;
		t = now();
		if (t >= next) {
			printf("%.6f %ld\n", t, n);
			n = 0;
			next += 0.1;
			if (t >= end)
				return 0;
		}
	}
}
