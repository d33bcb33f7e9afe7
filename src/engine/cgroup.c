// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgroup.h"
#include "util/util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3') {
			out[o++] = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
}

int cg2_mount_from_mountinfo(const char *text, char *out, size_t len)
{
	const char *line = text;
	bool found = false;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		const char *sep = memmem(line, ll, " - ", 3);
		const char *p = line, *mp = NULL;
		size_t mpl = 0;
		int field;

		/* fields: id parent maj:min root mountpoint ... - fstype source opts */
		for (field = 0; field < 5 && p < line + ll; field++) {
			const char *sp = memchr(p, ' ', line + ll - p);

			if (!sp)
				break;
			if (field == 4) {
				mp = p;
				mpl = sp - p;
			}
			p = sp + 1;
		}
		if (sep && mp && (size_t)(line + ll - (sep + 3)) >= 8 &&
		    !strncmp(sep + 3, "cgroup2 ", 8)) {
			char path[PATH_MAX];

			unescape(mp, mpl, path, sizeof(path));
			if (!found || !strcmp(path, "/sys/fs/cgroup")) {
				snprintf(out, len, "%s", path);
				found = true;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return found ? 0 : -ENOENT;
}

int cg2_find_mount(char *out, size_t len)
{
	char *text = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, NULL);
	int err;

	if (!text)
		return -errno;
	err = cg2_mount_from_mountinfo(text, out, len);
	free(text);
	return err;
}

static int write_str_at(int dirfd, const char *file, const char *s)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int open_dir(struct cgroup_dir *cg)
{
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return cg->fd < 0 ? -errno : 0;
}

/* Remove a stale session directory and the run directories in it. */
static void sweep_stale(const char *mnt, const char *name)
{
	struct cgroup_dir top = { .fd = -1 }, run;
	struct dirent *de;
	DIR *d;

	snprintf(top.path, sizeof(top.path), "%s/%s", mnt, name);
	d = opendir(top.path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "run-", 4))
			continue;
		snprintf(run.path, sizeof(run.path), "%s/%s", top.path, de->d_name);
		if (open_dir(&run) == 0)
			cg_remove(&run, 1000);
	}
	closedir(d);
	if (rmdir(top.path) == 0)
		rt_dbg("removed stale cgroup %s", top.path);
}

int cg_session_create(const char *mnt, struct cgroup_dir *out)
{
	struct dirent *de;
	DIR *d;

	d = opendir(mnt);
	if (d) {
		while ((de = readdir(d))) {
			int pid;

			if (sscanf(de->d_name, "runtrace-%d", &pid) != 1 || pid == getpid())
				continue;
			if (kill(pid, 0) == 0 || errno != ESRCH)
				continue; /* its runtrace is alive */
			sweep_stale(mnt, de->d_name);
		}
		closedir(d);
	}
	snprintf(out->path, sizeof(out->path), "%s/runtrace-%d", mnt, getpid());
	if (mkdir(out->path, 0755) && errno != EEXIST)
		return -errno;
	return open_dir(out);
}

int cg_run_create(const struct cgroup_dir *parent, unsigned id, struct cgroup_dir *out)
{
	snprintf(out->path, sizeof(out->path), "%s/run-%u", parent->path, id);
	if (mkdir(out->path, 0755))
		return -errno;
	return open_dir(out);
}

int cg_add_pid(const struct cgroup_dir *cg, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid);
	return write_str_at(cg->fd, "cgroup.procs", buf);
}

int cg_kill(const struct cgroup_dir *cg)
{
	char *procs, *p;
	int err, round;

	err = write_str_at(cg->fd, "cgroup.kill", "1");
	if (err != -ENOENT)
		return err;
	/* Before 5.14 (commit 661ee6280931 "cgroup: introduce cgroup.kill"):
	 * kill each member until none is left (forks race with us). */
	for (round = 0; round < 100 && cg_populated(cg); round++) {
		procs = read_file_at(cg->fd, "cgroup.procs", 1 << 20, NULL);
		if (!procs)
			return -errno;
		for (p = procs; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			kill(pid, SIGKILL);
			p = end + (*end == '\n');
		}
		free(procs);
	}
	return 0;
}

bool cg_populated(const struct cgroup_dir *cg)
{
	char *ev = read_file_at(cg->fd, "cgroup.events", 4096, NULL);
	bool populated;

	if (!ev)
		return false;
	populated = strstr(ev, "populated 1") != NULL;
	free(ev);
	return populated;
}

int cg_remove(struct cgroup_dir *cg, int wait_ms)
{
	int waited = 0, err = 0;

	if (cg->fd < 0)
		return 0;
	if (cg_populated(cg)) {
		cg_kill(cg);
		while (cg_populated(cg) && waited < wait_ms) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
			waited++;
		}
	}
	close(cg->fd);
	cg->fd = -1;
	if (rmdir(cg->path))
		err = -errno;
	cg->path[0] = 0;
	return err;
}
