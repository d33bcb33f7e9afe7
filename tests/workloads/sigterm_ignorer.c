// SPDX-License-Identifier: GPL-2.0-only
/* sigterm_ignorer [N]: a tree of N+1 processes that all ignore SIGTERM and
 * sleep forever; prints "ready" once all exist. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, i;

	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	for (i = 0; i < n; i++)
		if (fork() == 0)
			break;
	if (i == n) {
		printf("ready\n");
		fflush(stdout);
	}
	for (;;)
		pause();
}
