// SPDX-License-Identifier: GPL-2.0-only
/*
 * A workload for `runtrace deps`: file operations through directory
 * descriptors and the descriptor table, the kind a path-only tracer gets
 * wrong.  Run in a directory holding data/in1, data/in2, data/in3,
 * data/in4, data/link (a symlink to in1) and data/sub/; it prints its own
 * account, one line per file: "in PATH" or "out PATH" (paths relative to
 * the directory it ran in), which the test compares with deps's lists.
 *
 *   openat(dirfd, "in1")                   read through a directory fd
 *   openat(dirfd, "sub/../in2")            ".." normalised
 *   dup2(dirfd, 100), close(dirfd), openat(100, "in3")   a dup'd dirfd
 *   fork: the child uses the inherited fd: openat(100, "child.out", O_CREAT)
 *   openat(100, "tmp.part") + renameat(100, ..., AT_FDCWD, "data/final")
 *   openat(100, "link")                    a symlink: listed as used
 *   fchdir(100); open("in4")               relative to a cwd set by fd
 *   openat(AT_FDCWD, "gone.tmp", O_CREAT) + unlink: a temporary, neither
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void slurp(int fd, const char *what)
{
	char buf[256];

	if (fd < 0)
		die(what);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void put(int fd, const char *what)
{
	if (fd < 0 || write(fd, what, strlen(what)) < 0)
		die(what);
	close(fd);
}

int main(void)
{
	int dfd = open("data", O_RDONLY | O_DIRECTORY);
	pid_t pid;
	int st;

	if (dfd < 0)
		die("data");
	slurp(openat(dfd, "in1", O_RDONLY), "in1");
	printf("in data/in1\n");
	slurp(openat(dfd, "sub/../in2", O_RDONLY), "in2");
	printf("in data/in2\n");
	if (dup2(dfd, 100) != 100)
		die("dup2");
	close(dfd);
	slurp(openat(100, "in3", O_RDONLY | O_CLOEXEC), "in3");
	printf("in data/in3\n");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		put(openat(100, "child.out", O_WRONLY | O_CREAT | O_TRUNC, 0644), "child");
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || st)
		die("child");
	printf("out data/child.out\n");
	put(openat(100, "tmp.part", O_WRONLY | O_CREAT | O_TRUNC, 0644), "tmp.part");
	if (renameat(100, "tmp.part", AT_FDCWD, "data/final"))
		die("renameat");
	printf("out data/final\n");
	slurp(openat(100, "link", O_RDONLY), "link");
	printf("in data/link\n");
	put(open("gone.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644), "gone");
	if (unlink("gone.tmp"))
		die("unlink");
	if (fchdir(100))
		die("fchdir");
	slurp(open("in4", O_RDONLY), "in4");
	printf("in data/in4\n");
	return 0;
}
