/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A pystep request: {"source": "...", "input": "...", "steps": N}, every
 * member optional (an empty program, no input, the default step limit).
 * Pure: JSON text in (json-c), plain data out.
 */
#ifndef RUNTRACE_PYSTEP_REQUEST_H
#define RUNTRACE_PYSTEP_REQUEST_H

#include <stddef.h>

struct pystep_request {
	char *source;        /* the program (may hold NULs: Python refuses it) */
	size_t source_len;
	char *input;         /* its stdin */
	size_t input_len;
	long steps;          /* steps allowed, within [0, limits.max_steps] */
};

struct pystep_request_limits {
	long default_steps;  /* when "steps" is absent or null */
	long max_steps;      /* a larger "steps" is lowered to this */
	size_t max_source;   /* bytes of "source" */
	size_t max_input;    /* bytes of "input" */
};

/* 0; -ENODATA for an empty body (only white space); -EINVAL for a request
 * that is not one (bad JSON, not an object, a member of the wrong type);
 * -E2BIG for a source or input over the limits.  The reason, one line,
 * in @err.  *@out is only set on success. */
int pystep_request_parse(const char *text, size_t len, const struct pystep_request_limits *lim,
			 struct pystep_request *out, char *err, size_t errlen);
void pystep_request_free(struct pystep_request *r);

#endif
