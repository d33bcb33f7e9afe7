// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "cmd/run_options.h"
#include "engine/features.h"
#include "cmd/deps.h"
#include "cmd/run.h"
#include "cmd/profile.h"
#include "cmd/trace.h"
#include "cmd/pystep.h"
#include "cmd/calls.h"
#include "util/util.h"

#ifndef RUNTRACE_VERSION
#define RUNTRACE_VERSION "0.1.0"
#endif

static int version(bool verbose)
{
	struct features f;

	printf("runtrace %s\n", RUNTRACE_VERSION);
	if (!verbose)
		return RT_EXIT_OK;
	features_probe(&f);
	if (f.caps)
		features_probe_bpf(&f);
	features_print(stdout, &f);
	return RT_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[512];

	/* subcommands; anything else is the runner's (`run` is optional) */
	if (argc > 1 && !strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "deps"))
		return cmd_deps(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "pystep"))
		return cmd_pystep(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "calls"))
		return cmd_calls(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "profile"))
		return cmd_profile(argc - 1, argv + 1);
	if (cli_parse(argc, argv, &cfg, err, sizeof(err))) {
		fprintf(stderr, "runtrace: %s (see runtrace --help)\n", err);
		return RT_EXIT_USAGE;
	}
	switch (cfg.mode) {
	case RT_MODE_HELP:
		fputs(cli_usage, stderr);
		return RT_EXIT_OK;
	case RT_MODE_VERSION:
		return version(cfg.verbose);
	case RT_MODE_RUN:
		break;
	}
	return runner_main(&cfg);
}
