// SPDX-License-Identifier: GPL-2.0-only
/* A native workload for `runtrace calls`: parse_config(path, flags) is
 * called with known arguments; it returns the path's length, or -1 for a
 * path that does not start with '/'.  Each call is written to stdout as
 * "CALL path flags ret". */
#include <stdio.h>
#include <string.h>

int parse_config(const char *path, int flags);

__attribute__((noinline)) int parse_config(const char *path, int flags)
{
	__asm__ volatile("" ::: "memory");
	if (path[0] != '/')
		return -1;
	return (int)strlen(path) + flags;
}

int main(void)
{
	static const char *const paths[] = { "/etc/app.conf", "relative.conf", "/tmp/x" };
	int i;

	for (i = 0; i < 3; i++) {
		int r = parse_config(paths[i], i * 10);

		printf("CALL %s %d %d\n", paths[i], i * 10, r);
	}
	return 0;
}
