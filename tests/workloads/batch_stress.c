// SPDX-License-Identifier: GPL-2.0-only
/*
 * batch_stress THREADS CALLS: a stress of --call-trace's per-CPU batches.
 * THREADS worker threads each make CALLS numbered syscalls,
 * write(-1000 - i, NULL, k) for k = 1..CALLS (they fail with EBADF: the
 * numbers are what matters), while one waker thread per CPU at SCHED_FIFO
 * (when allowed) wakes every 50 us and preempts whatever runs there,
 * tracing programs included on fully preemptible kernels.  The trace must
 * show every worker's calls in order, each once, or count what it lost.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long calls;
static volatile int done;

static void *worker(void *arg)
{
	long i = (long)arg, k;

	for (k = 1; k <= calls; k++)
		syscall(SYS_write, -1000 - i, NULL, k);
	return NULL;
}

static void *waker(void *arg)
{
	struct timespec d = { 0, 50000 };
	struct sched_param sp = { .sched_priority = 10 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((long)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sched_setscheduler(0, SCHED_FIFO, &sp); /* best effort */
	while (!done)
		nanosleep(&d, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	long nthreads, ncpu = sysconf(_SC_NPROCESSORS_ONLN), i;
	pthread_t *w, *p;

	if (argc != 3)
		return 2;
	nthreads = atol(argv[1]);
	calls = atol(argv[2]);
	w = calloc(nthreads, sizeof(*w));
	p = calloc(ncpu, sizeof(*p));
	if (!w || !p || nthreads < 1 || calls < 1)
		return 2;
	for (i = 0; i < ncpu; i++)
		pthread_create(&p[i], NULL, waker, (void *)i);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i], NULL, worker, (void *)i);
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i], NULL);
	done = 1;
	for (i = 0; i < ncpu; i++)
		pthread_join(p[i], NULL);
	return 0;
}
