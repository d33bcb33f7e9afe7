// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/bpfmap.h"
#include "engine/dispatch.h"
#include "runtrace.skel.h"
#include "engine/session.h"
#include "util/util.h"

struct session {
	struct runtrace_bpf *skel;
	struct ring_buffer *rb;
	struct sink *sinks;
	int nsinks;
	struct run_table runs;  /* runs in flight */
	struct rt_drops *percpu; /* ncpus values, for drop map reads */
	struct dispatch_counters counters;
	int ncpus;
};

/* Programs that belong to the scope machinery and are always loaded. */
static const char *const scope_progs[] = { "rt_fork", "rt_exec", "rt_exit", "rt_free" };

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!rt_debug_on && level != LIBBPF_WARN)
		return 0;
	if (!rt_debug_on)
		return 0;
	fputs("runtrace: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;

	return dispatch_records(s->sinks, s->nsinks, &s->runs, data, size, &s->counters);
}

/* The drop counters of run @key (0: records of no run in flight) of every
 * record type, summed over CPUs. */
static void read_drops(struct session *s, __u32 key, __u64 out[RT_DROP_SLOTS])
{
	int c, t;

	memset(out, 0, RT_DROP_SLOTS * sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.drops), &key, s->percpu) == 0)
		for (c = 0; c < s->ncpus; c++)
			for (t = 0; t < RT_DROP_SLOTS; t++)
				out[t] += s->percpu[c].n[t];
}

/* A zeroed drop entry for run @key (0: records of no run in flight). */
static int create_drops(struct session *s, __u32 key)
{
	memset(s->percpu, 0, s->ncpus * sizeof(*s->percpu));
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.drops), &key, s->percpu, BPF_ANY))
		return -errno;
	return 0;
}

static bool is_scope_prog(const char *name)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(scope_progs); i++)
		if (!strcmp(name, scope_progs[i]))
			return true;
	return false;
}

/* Keep the BPF map mappings (the ring buffer: 64 MiB with --call-trace)
 * out of forked children: copying their page tables made each fork of a run
 * cost ~4 ms more (tools/bench/calltrace W4), and the child execs at once. */
static void dont_fork_bpf_mappings(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (!strstr(line, "anon_inode:bpf") || sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (madvise((void *)start, end - start, MADV_DONTFORK))
			rt_dbg("madvise(MADV_DONTFORK) on a BPF mapping: %s", strerror(errno));
	}
	fclose(f);
}

/* The ring buffer: the largest any sink asks for, 8 MiB at least. */
static unsigned ringbuf_bytes(const struct sink *sinks, int nsinks)
{
	unsigned bytes = 8 << 20;
	int i;

	for (i = 0; i < nsinks; i++)
		if (sinks[i].ring_bytes > bytes)
			bytes = sinks[i].ring_bytes;
	return bytes;
}

/* Maps of a feature are created only if one of its sinks turns them on
 * (session__enable_maps): calltrace_cpu alone is megabytes. */
static const char *const feature_map_prefixes[] = { "calltrace_", "sys_", "net_", "count_",
							      "pystep_", "calls_", "profile_" };

static bool is_feature_map(const char *name)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(feature_map_prefixes); i++)
		if (!strncmp(name, feature_map_prefixes[i], strlen(feature_map_prefixes[i])))
			return true;
	return false;
}

void session__enable_maps(struct runtrace_bpf *skel, const char *prefix)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj)
		if (!strncmp(bpf_map__name(map), prefix, strlen(prefix)))
			bpf_map__set_autocreate(map, true);
}

unsigned session__max_runs(struct runtrace_bpf *skel)
{
	return bpf_map__max_entries(skel->maps.drops) - 1;
}

struct session *session__new(struct sink *sinks, int nsinks, int parent_cg_fd)
{
	return session__new_runs(sinks, nsinks, parent_cg_fd, 1);
}

struct session *session__new_runs(struct sink *sinks, int nsinks, int parent_cg_fd,
				  unsigned max_runs)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	struct session *s;
	struct stat sb;
	int err, i;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sinks = sinks;
	s->nsinks = nsinks;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		err = s->ncpus ? s->ncpus : -EINVAL;
		rt_err("cannot count possible CPUs: %s", strerror(-err));
		goto cleanup;
	}
	s->percpu = calloc(s->ncpus, sizeof(*s->percpu));
	if (!s->percpu) {
		err = -ENOMEM;
		rt_err("cannot set up: %s", strerror(-err));
		goto cleanup;
	}
	libbpf_set_print(libbpf_print);

	/* open */
	s->skel = runtrace_bpf__open();
	if (!s->skel) {
		err = -errno;
		rt_err("cannot open BPF object: %s", strerror(-err));
		goto cleanup;
	}
	/* configure: only the scope programs load and the feature maps are
	 * not created unless a sink turns them on in its configure() */
	bpf_object__for_each_program(prog, s->skel->obj)
		if (!is_scope_prog(bpf_program__name(prog)))
			bpf_program__set_autoload(prog, false);
	bpf_object__for_each_map(map, s->skel->obj)
		if (is_feature_map(bpf_map__name(map)))
			bpf_map__set_autocreate(map, false);
	err = bpf_map__set_max_entries(s->skel->maps.events, ringbuf_bytes(sinks, nsinks));
	s->skel->rodata->cfg_wakeup_bytes = ringbuf_bytes(sinks, nsinks) / 4;
	if (err) {
		rt_err("cannot size the ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	/* per-run maps: the runs in flight, and key 0 of drops */
	err = bpf_map__set_max_entries(s->skel->maps.drops, max_runs + 1);
	if (!err)
		err = bpf_map__set_max_entries(s->skel->maps.run_cgroups, max_runs + 1);
	if (err) {
		rt_err("cannot size the per-run maps: %s", strerror(-err));
		goto cleanup;
	}
	/* packets find their run below the session cgroup */
	if (parent_cg_fd >= 0 && fstat(parent_cg_fd, &sb) == 0)
		s->skel->rodata->cfg_session_cgid = sb.st_ino;
	for (i = 0; i < nsinks; i++) {
		if (!sinks[i].ops->configure)
			continue;
		err = sinks[i].ops->configure(sinks[i].self, s->skel);
		if (err) {
			rt_err("cannot configure %s: %s", sinks[i].ops->name, strerror(-err));
			goto cleanup;
		}
	}
	/* load */
	rt_dbg("loading BPF programs");
	err = runtrace_bpf__load(s->skel);
	if (err) {
		rt_err("cannot load BPF programs: %s (--debug shows the verifier log)",
		       strerror(-err));
		goto cleanup;
	}
	/* attach */
	err = runtrace_bpf__attach(s->skel);
	if (err) {
		rt_err("cannot attach BPF programs: %s", strerror(-err));
		goto cleanup;
	}
	for (i = 0; i < nsinks; i++) {
		if (!sinks[i].ops->attach)
			continue;
		err = sinks[i].ops->attach(sinks[i].self, s->skel, parent_cg_fd);
		if (err) {
			rt_err("cannot attach %s: %s", sinks[i].ops->name, strerror(-err));
			goto cleanup;
		}
	}
	rt_dbg("BPF programs attached");
	err = create_drops(s, 0);
	if (err) {
		rt_err("cannot set up the drop counters: %s", strerror(-err));
		goto cleanup;
	}
	/* the event stream */
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_record, s, NULL);
	if (!s->rb) {
		err = -errno;
		rt_err("cannot set up the ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	dont_fork_bpf_mappings();
	return s;

cleanup:
	session__free(s);
	errno = -err;
	return NULL;
}

void session__free(struct session *s)
{
	__u64 orphan[RT_DROP_SLOTS], n = 0;
	int t;

	if (!s)
		return;
	if (s->skel && s->rb) {
		read_drops(s, 0, orphan);
		for (t = 0; t < RT_DROP_SLOTS; t++)
			n += orphan[t];
	}
	rt_dbg("records ignored: %llu of no run in flight, %llu malformed, %llu refused by a sink; "
	       "%llu not queued of no run in flight",
	       (unsigned long long)s->counters.stale, (unsigned long long)s->counters.malformed,
	       (unsigned long long)s->counters.rejected, (unsigned long long)n);
	ring_buffer__free(s->rb);
	for (t = 0; t < s->nsinks; t++)
		if (s->sinks[t].ops->detach)
			s->sinks[t].ops->detach(s->sinks[t].self);
	runtrace_bpf__destroy(s->skel);
	run_table_free(&s->runs);
	free(s->percpu);
	free(s);
}

int session__fd(const struct session *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

int session__begin_run(struct session *s, struct rt_run *run)
{
	__u32 id = run->id;
	struct stat sb;
	int err;

	/* records of runs that ended, still queued, are dropped as stale */
	ring_buffer__consume(s->rb);
	memset(run->drops, 0, sizeof(run->drops));
	run->lost = 0;
	run->cgroup_id = 0;
	err = create_drops(s, id);
	if (err)
		return err;
	if (run->cgroup_fd >= 0) {
		if (fstat(run->cgroup_fd, &sb)) {
			err = -errno;
			goto cleanup;
		}
		run->cgroup_id = sb.st_ino;
		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.run_cgroups), &run->cgroup_id,
					&id, BPF_ANY)) {
			err = -errno;
			run->cgroup_id = 0;
			goto cleanup;
		}
	}
	err = run_table_add(&s->runs, run);
	if (!err)
		return 0;
	if (run->cgroup_id)
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.run_cgroups), &run->cgroup_id);
cleanup:
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.drops), &id);
	return err;
}

unsigned session__run_of(struct session *s, pid_t pid)
{
	__u32 key = pid, val;

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.scope), &key, &val))
		return 0;
	return val;
}

int session__register(struct session *s, pid_t pid, unsigned run)
{
	__u32 key = pid, val = run;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.scope), &key, &val, BPF_ANY))
		return -errno;
	/* programs that cached "not traced" for this task look again */
	__atomic_fetch_add(&s->skel->bss->scope_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int session__consume(struct session *s)
{
	int n = ring_buffer__consume(s->rb);

	return n < 0 ? n : 0;
}

static bool of_run(__u32 key, const void *val, void *ctx)
{
	return *(const __u32 *)val == *(const unsigned *)ctx;
}

/* Delete every scope entry of @run (processes that outlived it). */
static void forget_run(struct session *s, unsigned run)
{
	__u32 val;

	map_delete_where(bpf_map__fd(s->skel->maps.scope), &val, of_run, &run);
	__atomic_fetch_add(&s->skel->bss->scope_gen, 1, __ATOMIC_SEQ_CST);
}

void session__forget(struct session *s, unsigned run)
{
	forget_run(s, run);
}

void session__update_drops(struct session *s, struct rt_run *run)
{
	int t;

	read_drops(s, run->id, run->drops);
	run->lost = 0;
	for (t = 0; t < RT_DROP_SLOTS; t++)
		run->lost += run->drops[t];
}

void session__end_run(struct session *s, struct rt_run *run)
{
	__u32 id = run->id;

	forget_run(s, run->id);
	ring_buffer__consume(s->rb);
	session__update_drops(s, run);
	run_table_del(&s->runs, run);
	if (run->cgroup_id)
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.run_cgroups), &run->cgroup_id);
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.drops), &id);
}
