// SPDX-License-Identifier: GPL-2.0-only
/*
 * sys_rusage OUT [CHILDREN [CPU_MS [MIB [SHORT]]]]: a process tree with known
 * CPU and memory use for the --sys-trace tests.  CHILDREN children each
 * touch MIB MiB, wait until all have (so all of it is resident at once),
 * then burn about CPU_MS of CPU (user loops and getppid() system calls);
 * SHORT children exit at once.  When all are reaped it writes the
 * kernel's own account, getrusage() of itself and of its children, as JSON
 * to OUT, then exits 1 (a failed run, so runtrace keeps the artifacts).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int touched[2], go[2];

static void child(long ms, long mib)
{
	size_t len = (size_t)mib << 20, i;
	volatile unsigned long x = 0;
	char *p = malloc(len ? len : 1);
	double end = cpu_s() + ms / 1e3;

	prctl(PR_SET_NAME, "rt-burn");
	if (!p)
		_exit(2);
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	/* all children resident at once before any burns and exits */
	if (write(touched[1], "t", 1) != 1 || read(go[0], &i, 1) != 1)
		_exit(3);
	while (cpu_s() < end) {
		for (i = 0; i < 200000; i++)
			x += i;
		for (i = 0; i < 200; i++)
			getppid();
	}
	_exit(0);
}

static void json_ru(FILE *f, const char *name, const struct rusage *ru)
{
	fprintf(f, "\"%s\":{\"utime_us\":%ld,\"stime_us\":%ld,\"maxrss_kb\":%ld,"
		"\"minflt\":%ld,\"majflt\":%ld,\"nvcsw\":%ld,\"nivcsw\":%ld}",
		name, ru->ru_utime.tv_sec * 1000000L + ru->ru_utime.tv_usec,
		ru->ru_stime.tv_sec * 1000000L + ru->ru_stime.tv_usec,
		ru->ru_maxrss, ru->ru_minflt, ru->ru_majflt, ru->ru_nvcsw, ru->ru_nivcsw);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 2, ms = argc > 3 ? atol(argv[3]) : 200;
	long mib = argc > 4 ? atol(argv[4]) : 32, nshort = argc > 5 ? atol(argv[5]) : 10;
	struct rusage self, kids;
	long i, reaped = 0;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: sys_rusage OUT [CHILDREN [CPU_MS [MIB [SHORT]]]]\n");
		return 2;
	}
	if (pipe(touched) || pipe(go))
		return 2;
	for (i = 0; i < n; i++)
		if (fork() == 0)
			child(ms, mib);
	for (i = 0; i < n; i++) {
		char c;

		if (read(touched[0], &c, 1) != 1)
			return 2;
	}
	for (i = 0; i < n; i++)
		if (write(go[1], "g", 1) != 1)
			return 2;
	for (i = 0; i < nshort; i++) {
		pid_t p = fork();

		if (p == 0) {
			prctl(PR_SET_NAME, "rt-short");
			_exit(7);
		}
		if (p > 0 && waitpid(p, NULL, 0) == p)
			reaped++;
	}
	while (wait(NULL) > 0)
		reaped++;
	getrusage(RUSAGE_CHILDREN, &kids);
	getrusage(RUSAGE_SELF, &self);
	f = fopen(argv[1], "w");
	if (!f)
		return 2;
	fprintf(f, "{\"children\":%ld,\"short\":%ld,\"reaped\":%ld,", n, nshort, reaped);
	json_ru(f, "self", &self);
	fputc(',', f);
	json_ru(f, "kids", &kids);
	fputs("}\n", f);
	fclose(f);
	return 1;
}
