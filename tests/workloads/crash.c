// SPDX-License-Identifier: GPL-2.0-only
/* crash [SIG]: die by signal SIG (default SIGSEGV, through a real fault). */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	volatile int *p = NULL;

	setrlimit(RLIMIT_CORE, &no_core);
	if (argc > 1) {
		signal(atoi(argv[1]), SIG_DFL);
		raise(atoi(argv[1]));
	}
	return *p;
}
