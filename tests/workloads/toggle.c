// SPDX-License-Identifier: GPL-2.0-only
/*
 * toggle: programs that fail now and then for a reason the test controls,
 * making the same syscalls in every run up to the point of failure (for
 * divergence.txt).
 *
 *   toggle read STATE PREFIX    add 1 to the number in file STATE (N), read
 *                               file PREFIX.N to stdout; exit 1 if it cannot
 *                               be opened (the test leaves one out)
 *   toggle connect PORT         connect to 127.0.0.1:PORT, send "hi", read
 *                               the answer; exit 1 if the connection fails
 *   toggle spawn STATE PREFIX   add 1 to STATE (N); run /bin/true, then
 *                               cat PREFIX.N, as children; exit with cat's
 *                               status
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The number in @state plus one, written back. */
static int bump(const char *state)
{
	char buf[32] = "";
	int fd, n = 0;

	fd = open(state, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		exit(3);
	n = atoi(buf) + 1;
	snprintf(buf, sizeof(buf), "%d\n", n);
	if (pwrite(fd, buf, strlen(buf), 0) < 0)
		exit(3);
	close(fd);
	return n;
}

static int do_read(const char *state, const char *prefix)
{
	char path[4096], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s.%d", prefix, bump(state));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "toggle: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) != n)
			return 3;
	close(fd);
	return 0;
}

static int do_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[64];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	if (s < 0)
		return 3;
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "toggle: connect to port %d: %s\n", port, strerror(errno));
		return 1;
	}
	if (write(s, "hi\n", 3) != 3 || (n = read(s, buf, sizeof(buf))) <= 0)
		return 3;
	close(s);
	return 0;
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

static int do_spawn(const char *state, const char *prefix)
{
	char path[4096];
	char *t[] = { "/bin/true", NULL };
	char *c[] = { "/bin/cat", path, NULL };

	snprintf(path, sizeof(path), "%s.%d", prefix, bump(state));
	if (run(t))
		return 3;
	return run(c);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "read"))
		return do_read(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return do_connect(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "spawn"))
		return do_spawn(argv[2], argv[3]);
	fprintf(stderr, "usage: toggle read STATE PREFIX | connect PORT | spawn STATE PREFIX\n");
	return 2;
}
