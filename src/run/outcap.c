// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/outcap.h"
#include "util/util.h"

static const char *const names[2] = { "stdout.log", "stderr.log" };

/* How much of a log is printed after a failed run; the file keeps it all. */
#define PRINT_MAX (256 << 10)

int outcap_start(struct outcap *oc, bool capture, bool live, int run_dirfd)
{
	int i, p[2];

	oc->capture = capture;
	oc->live = live;
	for (i = 0; i < 2; i++)
		oc->file[i] = oc->pipe_rd[i] = oc->child[i] = -1;
	for (i = 0; i < 2; i++) {
		if (capture) {
			oc->file[i] = openat(run_dirfd, names[i],
					     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (oc->file[i] < 0) {
				rt_err("cannot create %s: %s", names[i], strerror(errno));
				return -errno;
			}
		}
		if (live) {
			if (pipe2(p, O_CLOEXEC)) {
				rt_err("cannot create a pipe: %s", strerror(errno));
				return -errno;
			}
			oc->pipe_rd[i] = p[0];
			oc->child[i] = p[1];
		} else if (capture) {
			oc->child[i] = oc->file[i];
		} else {
			oc->child[i] = open("/dev/null", O_WRONLY | O_CLOEXEC);
			if (oc->child[i] < 0)
				return -errno;
		}
	}
	return 0;
}

void outcap_parent_after_fork(struct outcap *oc)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (oc->child[i] >= 0 && oc->child[i] != oc->file[i])
			close(oc->child[i]);
		oc->child[i] = -1;
	}
}

int outcap_pump(struct outcap *oc, int fd)
{
	char buf[65536];
	int i = fd == oc->pipe_rd[0] ? 0 : 1;
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	if (n == 0)
		return 1;
	write_all(i == 0 ? STDOUT_FILENO : STDERR_FILENO, buf, n);
	if (oc->file[i] >= 0)
		write_all(oc->file[i], buf, n);
	return 0;
}

static void print_log(int run_dirfd, int i)
{
	char *buf = NULL;
	struct stat sb;
	size_t len = 0;
	int fd;

	fd = openat(run_dirfd, names[i], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) || sb.st_size == 0)
		goto cleanup;
	printf("%s:\n", i == 0 ? "stdout" : "stderr");
	if (sb.st_size > PRINT_MAX) {
		printf("[... %lld earlier bytes are in %s]\n", (long long)(sb.st_size - PRINT_MAX),
		       names[i]);
		lseek(fd, sb.st_size - PRINT_MAX, SEEK_SET);
	}
	buf = malloc(PRINT_MAX);
	if (!buf)
		goto cleanup;
	while (len < PRINT_MAX) {
		ssize_t n = read(fd, buf + len, PRINT_MAX - len);

		if (n <= 0)
			break;
		len += n;
	}
	fwrite(buf, 1, len, stdout);
	if (len && buf[len - 1] != '\n')
		putchar('\n');
cleanup:
	free(buf);
	close(fd);
}

void outcap_end(struct outcap *oc, int run_dirfd, bool print, bool keep)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (oc->pipe_rd[i] >= 0) {
			while (outcap_pump(oc, oc->pipe_rd[i]) == 0)
				;
			close(oc->pipe_rd[i]);
			oc->pipe_rd[i] = -1;
		}
		if (oc->file[i] >= 0) {
			close(oc->file[i]);
			oc->file[i] = -1;
		}
	}
	if (!oc->capture)
		return;
	if (print) {
		printf("Failed to execute. printing available output logs:\n");
		print_log(run_dirfd, 0);
		print_log(run_dirfd, 1);
		fflush(stdout);
	}
	if (!keep)
		for (i = 0; i < 2; i++)
			unlinkat(run_dirfd, names[i], 0);
}
