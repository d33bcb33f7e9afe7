/* SPDX-License-Identifier: GPL-2.0-only */
/* runtrace pystep: options (pure parsing, unit-tested) and the subcommand. */
#ifndef RUNTRACE_CMD_PYSTEP_H
#define RUNTRACE_CMD_PYSTEP_H

#include <stdbool.h>
#include <stddef.h>

#include "pystep/job.h"
#include "pystep/request.h"

struct pystep_cfg {
	bool pretty;
	bool test;               /* the built-in demo program */
	bool show_test;          /* print its request */
	bool server;
	const char *bind;        /* --bind */
	long port;
	long process;            /* requests traced at once */
	long queue;              /* requests waiting beyond those */
	size_t max_body;         /* bytes of a request body */
	bool debug;
	bool help;
	struct pystep_request_limits req;
	struct ps_options o;
};

/* Parse `pystep`'s arguments (@argv[0] is "pystep").  0, or -EINVAL with
 * a one-line reason in @err. */
int pystep_parse(int argc, char **argv, struct pystep_cfg *c, char *err, size_t errlen);
/* runtrace pystep ...: returns the exit status. */
int cmd_pystep(int argc, char **argv);

extern const char pystep_usage[];
struct opt_def;
extern const struct opt_def *const pystep_opt_defs;
extern const size_t pystep_opt_count;
/* The --test program and its input. */
extern const char pystep_demo_source[];
extern const char pystep_demo_input[];

#endif
