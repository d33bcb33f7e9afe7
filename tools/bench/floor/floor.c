// SPDX-License-Identifier: GPL-2.0-only
/*
 * calltrace-floor [--empty] --cgroup DIR -- COMMAND: run COMMAND (with
 * /bin/sh -c) in the cgroup v2 directory DIR (made and removed by the
 * caller) under floor.bpf.c; print its wall time in seconds and the
 * syscalls seen.
 * --empty: the tracepoints with programs that do nothing.  For
 * tools/bench/calltrace; not part of runtrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"
#include "floor.skel.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned long long count_syscalls(struct floor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), k;
	unsigned long long n = 0;
	struct floor_cpu *v;
	__u32 zero = 0;

	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (v && ncpu > 0 &&
	    !bpf_map__lookup_elem(skel->maps.floor_cpu, &zero, sizeof(zero), v,
				  sizeof(*v) * ncpu, 0))
		for (k = 0; k < ncpu; k++)
			n += v[k].syscalls;
	free(v);
	return n;
}

int main(int argc, char **argv)
{
	int empty = 0, p[2], status, i = 1;
	const char *cg = NULL;
	char procs[4096];
	struct stat st;
	FILE *f;
	struct floor_bpf *skel;
	double t0, t1;
	pid_t pid;
	char c;

	if (i < argc && !strcmp(argv[i], "--empty")) {
		empty = 1;
		i++;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--cgroup")) {
		cg = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i != argc - 1 || !cg) {
		fprintf(stderr, "usage: calltrace-floor [--empty] --cgroup DIR -- COMMAND\n");
		return 2;
	}
	if (stat(cg, &st)) {
		fprintf(stderr, "calltrace-floor: %s: %s\n", cg, strerror(errno));
		return 2;
	}
	skel = floor_bpf__open();
	if (!skel)
		return 3;
	skel->rodata->cfg_work = !empty;
	if (floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "calltrace-floor: cannot load or attach: %s\n", strerror(errno));
		return 3;
	}
	if (pipe(p))
		return 3;
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		execl("/bin/sh", "sh", "-c", argv[i], (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	f = fopen(procs, "w");
	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f)) {
		fprintf(stderr, "calltrace-floor: cannot move %d into %s\n", pid, cg);
		kill(pid, SIGKILL);
		return 3;
	}
	skel->bss->target = st.st_ino; /* a cgroup v2 directory's inode is its id */
	t0 = now();
	if (write(p[1], "x", 1) != 1)
		return 3;
	close(p[1]);
	if (waitpid(pid, &status, 0) < 0)
		return 3;
	t1 = now();
	printf("%.6f %llu\n", t1 - t0, count_syscalls(skel));
	floor_bpf__destroy(skel);
	return 0;
}
