// SPDX-License-Identifier: GPL-2.0-only
/*
 * sys_dio DIR BYTES OUT: write BYTES (a multiple of 4096) to a new file in
 * DIR with O_DIRECT, fdatasync it, read it back with O_DIRECT, remove it,
 * and write the kernel's account of this process's storage IO
 * (/proc/self/io read_bytes/write_bytes) as JSON to OUT.  Exits 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static long long io_field(const char *name)
{
	char line[128];
	long long v = -1;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = atoll(line + n + 1);
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	long long bytes, done = 0, rd = 0;
	char path[4096];
	void *buf;
	FILE *out;
	int fd;

	if (argc < 4 || (bytes = atoll(argv[2])) <= 0 || bytes % 4096) {
		fprintf(stderr, "usage: sys_dio DIR BYTES(multiple of 4096) OUT\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/sys_dio.%d", argv[1], getpid());
	if (posix_memalign(&buf, 4096, CHUNK))
		return 2;
	memset(buf, 0xab, CHUNK);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		perror("open O_DIRECT");
		return 2;
	}
	while (done < bytes) {
		long long n = bytes - done < CHUNK ? bytes - done : CHUNK;
		ssize_t w = write(fd, buf, n);

		if (w <= 0) {
			perror("write");
			return 2;
		}
		done += w;
	}
	if (fdatasync(fd))
		perror("fdatasync");
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return 2;
	for (;;) {
		ssize_t r = read(fd, buf, CHUNK);

		if (r <= 0)
			break;
		rd += r;
	}
	close(fd);
	unlink(path);
	out = fopen(argv[3], "w");
	if (!out)
		return 2;
	fprintf(out, "{\"written\":%lld,\"read\":%lld,\"write_bytes\":%lld,\"read_bytes\":%lld}\n",
		done, rd, io_field("write_bytes"), io_field("read_bytes"));
	fclose(out);
	return 1;
}
