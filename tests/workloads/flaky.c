// SPDX-License-Identifier: GPL-2.0-only
/* flaky P: print a line to stdout and stderr, then fail (exit 1) with
 * probability P (0..1), else exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
	double p = argc > 1 ? atof(argv[1]) : 0.5;
	unsigned r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 2;
	printf("flaky: working\n");
	if (r / 4294967296.0 < p) {
		fprintf(stderr, "flaky: failed this time\n");
		return 1;
	}
	fprintf(stderr, "flaky: ok\n");
	return 0;
}
