/* SPDX-License-Identifier: GPL-2.0-only */
/* strace -c's summary table from per-syscall counts.  Pure. */
#ifndef RUNTRACE_SYSCALLS_COUNTTAB_H
#define RUNTRACE_SYSCALLS_COUNTTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "runtrace/syscount.h"
#include "util/strbuf.h"

/* Append the table of @counts (RT_COUNT_SLOTS entries, by syscall number;
 * the last slot is every number beyond the table) to @out, as strace -c
 * prints it: sorted by time, most first (ties in syscall-number order);
 * time is time on CPU, or wall-clock time in the syscall with @wall
 * (strace -c -w).  Rows with no calls are left out. */
void count_table(struct strbuf *out, const struct rt_count *counts, bool wall);

/* JSON: {"syscalls":[{"syscall":..,"calls":..,"errors":..,"seconds":..}...],
 * "total":{...}} and a newline. */
void count_json(struct strbuf *out, const struct rt_count *counts, bool wall);

#endif
