// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "cmd/run_options.h"
#include "engine/sinks.h"

int sinks_create(const struct config *cfg, bool with_bpf, struct sink *sinks, int max)
{
	struct {
		bool on;
		int (*create)(const struct config *, struct sink *);
	} table[] = {
		{ with_bpf, procs_sink_new },
		{ with_bpf && cfg->call_trace != RT_CT_OFF, calltrace_sink_new },
		{ with_bpf && cfg->sys_trace, systrace_sink_new },
		{ with_bpf && cfg->net_trace, nettrace_sink_new },
	};
	int n = 0, err;
	unsigned i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!table[i].on)
			continue;
		if (n == max)
			return -E2BIG;
		err = table[i].create(cfg, &sinks[n]);
		if (err)
			return err;
		n++;
	}
	return n;
}
