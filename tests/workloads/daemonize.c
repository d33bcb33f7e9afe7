// SPDX-License-Identifier: GPL-2.0-only
/* daemonize PIDFILE [EXIT]: double-fork a daemon (setsid, sleeps forever),
 * write its pid to PIDFILE, then exit with EXIT (default 1). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int code = argc > 2 ? atoi(argv[2]) : 1;
	int pfd[2];
	pid_t pid;

	if (argc < 2 || pipe(pfd))
		return 2;
	pid = fork();
	if (pid == 0) {
		setsid();
		if (fork() == 0) {
			FILE *f = fopen(argv[1], "w");

			if (!f)
				_exit(2);
			fprintf(f, "%d\n", getpid());
			fclose(f);
			close(pfd[1]); /* tells the grandparent the pid file is there */
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(pfd[1]);
	waitpid(pid, NULL, 0);
	{
		char c;

		if (read(pfd[0], &c, 1) < 0)
			return 2;
	}
	return code;
}
