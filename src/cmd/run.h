/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RUNTRACE_RUNNER_H
#define RUNTRACE_RUNNER_H

struct config;

/* Run the command cfg->count times; returns runtrace's exit status. */
int runner_main(const struct config *cfg);

#endif
