/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RUNTRACE_UTIL_H
#define RUNTRACE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern bool rt_debug_on;

/* "runtrace: ..." on stderr. */
__attribute__((format(printf, 1, 2))) void rt_err(const char *fmt, ...);
/* "runtrace: debug: ..." on stderr, only with --debug. */
__attribute__((format(printf, 1, 2))) void rt_dbg(const char *fmt, ...);

__u64 now_ns(clockid_t clk);

/* "SEGV" -> "SIGSEGV" into @buf; unknown numbers as "SIG%d". */
const char *signal_name(int sig, char *buf, size_t len);

/* Write all of @len bytes; 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* Read a whole small file (at most @max bytes) relative to @dirfd into a
 * NUL-terminated malloc'd buffer; NULL with errno on error. */
char *read_file_at(int dirfd, const char *path, size_t max, size_t *lenp);

/* Make room in the array *@arr (of @size-byte elements, capacity *@cap)
 * for element @n: doubles it (as often as @n needs), from @first, never
 * beyond @max; what it adds is not cleared.  0, or -ENOMEM (the array is
 * left as it was). */
int array_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first, size_t max);

/* Write @len bytes of @data as file @name in @dirfd (dir path @dir for the
 * message), created mode 0600; one message on stderr on failure.
 * 0 or -errno. */
int write_file_at(int dirfd, const char *dir, const char *name, const void *data, size_t len);

/* mkdir -p with @mode for the created directories; 0 or -errno. */
int mkdir_p(const char *path, unsigned mode);

/* Format a CLOCK_REALTIME ns value as ISO 8601 UTC with microseconds. */
void iso8601_utc(__s64 realtime_ns, char *buf, size_t len);

#endif
