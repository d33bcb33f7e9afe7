// SPDX-License-Identifier: GPL-2.0-only
/*
 * The native accuracy workload of `runtrace profile` (and of the perf
 * comparison in tools/bench/profile): functions whose inclusive
 * wall-clock times the program measures itself (CLOCK_MONOTONIC), written
 * as JSON to argv[1] at the end, in the accuracy workload's format.
 *
 *   native_cpu     arithmetic (on CPU)
 *   native_sleep   nanosleep (off CPU)
 *   native_fsync   4 KiB writes to a file, each followed by fsync
 *   native_tiny    called a million times, well under a microsecond each
 *   native_calls   the loop that calls native_tiny
 *   native_main    calls all of the above
 *
 * Built with frame pointers (bpf_get_stack and perf unwind user stacks
 * with them); gcc 12 still gives native_tiny, a leaf with no stack, none:
 * its caller is then not in the frame chain, as native_fsync and
 * native_sleep are not in it while libc's wrappers run.
 * Usage: profile_native TRUTH.json [SCALE] [DIR]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

/* global (not static): their names are in the symbol table */
void native_cpu(double seconds);
void native_sleep(int count, long ns);
void native_fsync(double seconds);
unsigned long native_tiny(unsigned long v);
void native_calls(long n);
void native_main(void);

enum { F_CPU, F_SLEEP, F_FSYNC, F_TINY, F_CALLS, F_MAIN, NF };
static const char *const names[NF] = {
	"native_cpu", "native_sleep", "native_fsync", "native_tiny", "native_calls", "native_main",
};
static double inner[NF], outer[NF];
static long calls[NF];
static double scale = 1.0;
static const char *dir = "/var/tmp";
static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void account(int f, double t0)
{
	double d = now() - t0;

	inner[f] += d;
	outer[f] += d;
	calls[f]++;
}

NOINLINE void native_cpu(double seconds)
{
	double t0 = now(), end = t0 + seconds;
	unsigned long x = 0;
	int i;

	while (now() < end)
		/* the clock read rarely: where it is a system call (a
		 * clock source the vDSO cannot read, hpet under qemu), the
		 * time under libc's clock_gettime, which keeps no frame
		 * pointer, is not seen as this function's (README, limits) */
		for (i = 0; i < 200000; i++)
			x = x * 6364136223846793005ul + (unsigned long)i;
	sink = x;
	account(F_CPU, t0);
}

NOINLINE void native_sleep(int count, long ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ns };
	double t0 = now();
	int i;

	for (i = 0; i < count; i++)
		nanosleep(&ts, NULL);
	account(F_SLEEP, t0);
}

NOINLINE void native_fsync(double seconds)
{
	char path[4096], block[4096];
	double t0 = now(), end = t0 + seconds;
	int fd;

	memset(block, 'x', sizeof(block));
	snprintf(path, sizeof(path), "%s/profile-native-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	while (now() < end) {
		if (write(fd, block, sizeof(block)) < 0 || fsync(fd)) {
			perror("write");
			exit(1);
		}
	}
	close(fd);
	unlink(path);
	account(F_FSYNC, t0);
}

NOINLINE unsigned long native_tiny(unsigned long v)
{
	unsigned long x = v;
	int i;

	for (i = 0; i < 200; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

NOINLINE void native_calls(long n)
{
	double t0 = now(), t1;
	unsigned long x = 0;
	long i;

	/* no clock read inside native_tiny or around each call (they would
	 * be most of it): the loop is timed whole, its own overhead (an add
	 * and a compare per call) counted as native_tiny's */
	t1 = now();
	for (i = 0; i < n; i++)
		x += native_tiny(i);
	inner[F_TINY] = outer[F_TINY] = now() - t1;
	calls[F_TINY] = n;
	sink = x;
	account(F_CALLS, t0);
}

NOINLINE void native_main(void)
{
	double t0 = now();

	native_cpu(2.0 * scale);
	native_sleep((int)(100 * scale), 10000000);
	native_fsync(1.0 * scale);
	native_calls((long)(1000000 * scale));
	account(F_MAIN, t0);
}

int main(int argc, char **argv)
{
	FILE *out;
	int f;

	if (argc < 2) {
		fprintf(stderr, "usage: %s TRUTH.json [SCALE] [DIR]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		scale = atof(argv[2]);
	if (argc > 3)
		dir = argv[3];
	native_main();
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "{\"pid\": %d, \"truth\": {", getpid());
	for (f = 0; f < NF; f++)
		fprintf(out, "%s\"%s\": {\"inner\": %.9f, \"outer\": %.9f, \"calls\": %ld}",
			f ? ", " : "", names[f], inner[f], outer[f], calls[f]);
	fprintf(out, "}}\n");
	return fclose(out) ? 1 : 0;
}
