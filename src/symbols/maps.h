/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/PID/maps: a pure parser of its text and a thin reader.
 *
 *	struct maps m;
 *	if (maps_read(pid, &m) == 0) {
 *		const struct map_entry *e = maps_find_addr(&m, pc);
 *		...
 *		maps_free(&m);
 *	}
 */
#ifndef RUNTRACE_SYMBOLS_MAPS_H
#define RUNTRACE_SYMBOLS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct map_entry {
	__u64 start;       /* first address */
	__u64 end;         /* one past the last */
	__u64 offset;      /* file offset of start */
	__u64 inode;       /* 0 for anonymous mappings */
	unsigned dev_major, dev_minor;
	char perms[5];     /* "r-xp" */
	bool deleted;      /* the path ended in " (deleted)" (removed from the name) */
	char *path;        /* file path, "[heap]", "[stack]", ..., or "" */
};

struct maps {
	struct map_entry *v;  /* in the file's order: ascending addresses */
	size_t n;
};

/* Parse the text of a maps file (NUL-terminated).  0 or -errno (-EINVAL on
 * a malformed line, -ENOMEM); on error *@out is left empty. */
int maps_parse(const char *text, struct maps *out);
/* Read and parse /proc/@pid/maps.  0 or -errno. */
int maps_read(pid_t pid, struct maps *out);
void maps_free(struct maps *m);

/* The mapping holding @addr, or NULL. */
const struct map_entry *maps_find_addr(const struct maps *m, __u64 addr);

/* Whether the file at @path is what a user means by @name: the same path,
 * the same base name, or a base name that starts with @name followed by
 * '.' or '-' ("libc" and "libc.so" match "/usr/lib/x86_64-linux-gnu/libc.so.6";
 * "python3.11" matches ".../python3.11"). */
bool maps_module_matches(const char *path, const char *name);

/* The first mapping (lowest address) of a file named @name (as in
 * maps_module_matches), or NULL. */
const struct map_entry *maps_find_module(const struct maps *m, const char *name);

/* The first mapping of exactly @path, or NULL. */
const struct map_entry *maps_find_path(const struct maps *m, const char *path);

#endif
