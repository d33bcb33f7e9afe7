// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/session.h"
#include "runtrace.skel.h"
#include "syscalls/calltrace.h"
#include "syscalls/syscount.h"

struct count {
	__u64 filter[RT_SC_NR_MAX / 64];
	bool filter_high;
	bool failed_only;
	struct runtrace_bpf *skel;
};

static int count_configure(void *self, struct runtrace_bpf *skel)
{
	struct count *c = self;

	/* configure: the -e trace= bitmap, -Z; its maps and programs */
	c->skel = skel;
	session__enable_maps(skel, "count_");
	memcpy((void *)skel->rodata->cfg_count_filter, c->filter, sizeof(c->filter));
	skel->rodata->cfg_count_high = c->filter_high;
	skel->rodata->cfg_count_failed_only = c->failed_only;
	bpf_program__set_autoload(skel->progs.count_enter, true);
	bpf_program__set_autoload(skel->progs.count_exit, true);
	bpf_program__set_autoload(skel->progs.count_switch, true);
	bpf_program__set_autoload(skel->progs.count_task_exit, true);
	return 0;
}

int count_read(struct sink *k, struct rt_count *counts)
{
	struct count *c = k->self;
	int ncpus = libbpf_num_possible_cpus(), fd, i, err = 0;
	struct rt_count *vals;
	__u32 key;

	if (!c->skel || ncpus <= 0)
		return -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(c->skel->maps.count_stats);
	memset(counts, 0, RT_COUNT_SLOTS * sizeof(*counts));
	for (key = 0; key < RT_COUNT_SLOTS; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			err = -errno;
			break;
		}
		for (i = 0; i < ncpus; i++) {
			counts[key].calls += vals[i].calls;
			counts[key].errors += vals[i].errors;
			counts[key].timed += vals[i].timed;
			counts[key].cpu_ns += vals[i].cpu_ns;
			counts[key].wall_ns += vals[i].wall_ns;
		}
	}
	free(vals);
	/* times were measured on a sample of the calls past the first ones:
	 * scale them to all */
	for (key = 0; key < RT_COUNT_SLOTS; key++) {
		struct rt_count *cn = &counts[key];

		if (cn->timed && cn->timed < cn->calls) {
			cn->cpu_ns = (__u64)((double)cn->cpu_ns * cn->calls / cn->timed);
			cn->wall_ns = (__u64)((double)cn->wall_ns * cn->calls / cn->timed);
		}
	}
	return err;
}

static void count_free(void *self)
{
	free(self);
}

static const struct sink_ops count_ops = {
	.name = "trace -c",
	.configure = count_configure,
	.free = count_free,
};

int count_sink_new(const struct count_opts *o, struct sink *out)
{
	struct count *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	err = ct_filter_from(o->filter, c->filter, &c->filter_high);
	if (err) {
		free(c);
		return err;
	}
	c->failed_only = o->failed_only;
	*out = (struct sink){ .ops = &count_ops, .self = c };
	return 0;
}
