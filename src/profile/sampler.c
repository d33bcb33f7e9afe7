// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/session.h"
#include "profile/sampler.h"
#include "runtrace.skel.h"
#include "util/util.h"

struct sampler {
	struct sampler_opts o;
	struct runtrace_bpf *skel;
	int ncpus;
	struct bpf_link **links;  /* one per CPU, NULL where the CPU is offline */
	int *fds;                 /* their perf event fds (the links own them) */
};

static int sampler_configure(void *self, struct runtrace_bpf *skel)
{
	struct sampler *s = self;

	/* configure: the programs and maps of profile; the perf events are
	 * attached by hand, per CPU */
	s->skel = skel;
	session__enable_maps(skel, "profile_");
	bpf_program__set_autoload(skel->progs.profile_sample, true);
	bpf_program__set_autoload(skel->progs.profile_switch, true);
	bpf_program__set_autoload(skel->progs.profile_exit, true);
	bpf_program__set_autoattach(skel->progs.profile_sample, false);
	skel->bss->profile_tgid = s->o.tgid;
	skel->bss->profile_run = s->o.run;
	return 0;
}

static int perf_open(__u64 period, int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period,
	};

	return syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int sampler_attach(void *self, struct runtrace_bpf *skel, int parent_cgroup_fd)
{
	struct sampler *s = self;
	int cpu, fd, err, attached = 0;

	/* attach: a cpu-clock timer on every online CPU */
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0)
		return s->ncpus ? s->ncpus : -EINVAL;
	s->links = calloc(s->ncpus, sizeof(*s->links));
	s->fds = calloc(s->ncpus, sizeof(*s->fds));
	if (!s->links || !s->fds)
		return -ENOMEM;
	for (cpu = 0; cpu < s->ncpus; cpu++) {
		s->fds[cpu] = -1;
		fd = perf_open(s->o.interval_ns, cpu);
		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* offline */
			err = -errno;
			rt_err("cannot open a cpu-clock perf event on CPU %d: %s", cpu,
			       strerror(-err));
			return err;
		}
		s->links[cpu] = bpf_program__attach_perf_event(skel->progs.profile_sample, fd);
		if (!s->links[cpu]) {
			err = -errno;
			close(fd);
			rt_err("cannot attach the sampler to CPU %d: %s", cpu, strerror(-err));
			return err;
		}
		s->fds[cpu] = fd;
		attached++;
	}
	return attached ? 0 : -ENODEV;
}

static int sampler_event(void *self, struct rt_run *run, const struct rt_hdr *hdr, size_t len)
{
	struct sampler *s = self;

	if (len < sizeof(struct rt_profile_unknown) || !s->o.on_unknown)
		return -EINVAL;
	return s->o.on_unknown(s->o.ctx, (const struct rt_profile_unknown *)hdr);
}

static void sampler_free(void *self)
{
	struct sampler *s = self;
	int cpu;

	if (!s)
		return;
	for (cpu = 0; s->links && cpu < s->ncpus; cpu++)
		bpf_link__destroy(s->links[cpu]); /* closes the perf event */
	free(s->links);
	free(s->fds);
	free(s);
}

static const struct sink_ops sampler_ops = {
	.name = "profile",
	.configure = sampler_configure,
	.attach = sampler_attach,
	.event = sampler_event,
	.free = sampler_free,
};

int sampler_sink_new(const struct sampler_opts *o, struct sink *out)
{
	struct sampler *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->o = *o;
	memset(out, 0, sizeof(*out));
	out->ops = &sampler_ops;
	out->self = s;
	out->types = 1u << RT_EV_PROFILE;
	return 0;
}

struct sampler *sampler_of(struct sink *k)
{
	return k->self;
}

void sampler__pause(struct sampler *s)
{
	__atomic_store_n(&s->skel->bss->profile_tgid, 0, __ATOMIC_SEQ_CST);
}

int sampler__set_python(struct sampler *s, const struct rt_py_offsets *off, __u64 runtime)
{
	struct rt_profile_python py = { .runtime = runtime, .off = *off };
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.profile_python), &zero, &py, BPF_ANY))
		return -errno;
	__atomic_store_n(&s->skel->bss->profile_py_on, 1, __ATOMIC_RELEASE);
	return 0;
}

void sampler__python_off(struct sampler *s)
{
	__atomic_store_n(&s->skel->bss->profile_py_on, 0, __ATOMIC_RELEASE);
}

int sampler__set_code(struct sampler *s, __u64 code, __u64 id, __u64 mask)
{
	struct rt_profile_code c = { .mask = mask, .id = id };

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.profile_codes), &code, &c, BPF_ANY))
		return -errno;
	return 0;
}

int sampler__set_ranges(struct sampler *s, const struct rt_profile_range *r, size_t n)
{
	int fd = bpf_map__fd(s->skel->maps.profile_ranges);
	__u32 i;

	if (n > RT_PROFILE_RANGES)
		return -E2BIG;
	/* shrink first, so that no program reads a range being rewritten
	 * beyond the count */
	if (n < s->skel->bss->profile_nranges)
		__atomic_store_n(&s->skel->bss->profile_nranges, (__u32)n, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &i, &r[i], BPF_ANY))
			return -errno;
	__atomic_store_n(&s->skel->bss->profile_nranges, (__u32)n, __ATOMIC_RELEASE);
	return 0;
}

static int set_period(struct sampler *s, __u64 ns)
{
	int cpu, err = 0;

	for (cpu = 0; s->fds && cpu < s->ncpus; cpu++)
		if (s->fds[cpu] >= 0 && ioctl(s->fds[cpu], PERF_EVENT_IOC_PERIOD, &ns))
			err = -errno;
	return err;
}

int sampler__set_interval(struct sampler *s, __u64 ns)
{
	s->o.interval_ns = ns;
	return set_period(s, ns);
}

int sampler__jitter(struct sampler *s, double r)
{
	return set_period(s, (__u64)(s->o.interval_ns * (0.75 + 0.5 * r)));
}

int sampler__zero_slot(struct sampler *s, unsigned slot)
{
	struct rt_profile_count *zero = calloc(s->ncpus, sizeof(*zero));
	__u32 key = slot;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.profile_counts), &key, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

int sampler__counts(struct sampler *s, struct rt_profile_count out[RT_PROFILE_SLOTS])
{
	int fd = bpf_map__fd(s->skel->maps.profile_counts), cpu, err = 0;
	struct rt_profile_count *v = calloc(s->ncpus, sizeof(*v));
	__u32 key;

	if (!v)
		return -ENOMEM;
	memset(out, 0, RT_PROFILE_SLOTS * sizeof(*out));
	for (key = 0; key < RT_PROFILE_SLOTS; key++) {
		if (bpf_map_lookup_elem(fd, &key, v)) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < s->ncpus; cpu++) {
			out[key].on_ns += v[cpu].on_ns;
			out[key].on_samples += v[cpu].on_samples;
			out[key].off_ns += v[cpu].off_ns;
			out[key].off_count += v[cpu].off_count;
		}
	}
	free(v);
	return err;
}

int sampler__stats(struct sampler *s, struct rt_profile_stats *out)
{
	struct rt_profile_stats *v = calloc(s->ncpus, sizeof(*v));
	__u32 zero = 0;
	int cpu, err = 0;

	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.profile_stats), &zero, v))
		err = -errno;
	for (cpu = 0; !err && cpu < s->ncpus; cpu++) {
		out->samples += v[cpu].samples;
		out->on_ns += v[cpu].on_ns;
		out->switches += v[cpu].switches;
		out->records += v[cpu].records;
		out->lost += v[cpu].lost;
		out->faults += v[cpu].faults;
		out->truncated += v[cpu].truncated;
		out->no_tstate += v[cpu].no_tstate;
		out->late += v[cpu].late;
		out->long_ticks += v[cpu].long_ticks;
		out->long_ns += v[cpu].long_ns;
	}
	free(v);
	return err;
}

int sampler__each_off(struct sampler *s,
		      int (*fn)(void *ctx, __u32 tid, const struct rt_profile_off *e), void *ctx)
{
	int fd = bpf_map__fd(s->skel->maps.profile_off), err;
	struct rt_profile_off e;
	__u32 key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e))
			continue; /* it came back to a CPU meanwhile */
		err = fn(ctx, key, &e);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

int sampler__seed_off(struct sampler *s, __u32 tid, const struct rt_profile_off *e)
{
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.profile_off), &tid, e, BPF_NOEXIST) &&
	    errno != EEXIST)
		return -errno;
	return 0;
}
