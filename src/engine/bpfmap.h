/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers over BPF hash maps keyed by __u32 (tgid or tid). */
#ifndef RUNTRACE_BPFMAP_H
#define RUNTRACE_BPFMAP_H

#include <stdbool.h>
#include <linux/types.h>

/* Delete every entry of the map @fd for which @match(key, value, ctx) is
 * true; @val is a buffer of the map's value size.  Keys are collected
 * first, then deleted, so the walk is not disturbed.  Returns how many
 * were deleted, or -errno. */
int map_delete_where(int fd, void *val, bool (*match)(__u32 key, const void *val, void *ctx),
		     void *ctx);

#endif
