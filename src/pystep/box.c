// SPDX-License-Identifier: GPL-2.0-only
/* The box: cgroups, namespaces, user, rlimits, seccomp (see box.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgroup.h"
#include "pystep/box.h"
#include "util/util.h"

#define CG_PREFIX "runtrace-pystep-"

extern char **environ;

static const char *const v1_controllers[3] = { "memory", "pids", "cpu" };

struct ps_boxes {
	struct ps_box_limits lim;
	bool v2;
	int ncg;
	char parent[3][PATH_MAX];   /* runtrace-pystep-PID, per hierarchy */
	const char *ctrl[3];        /* v1: the controller of each */
	bool memsw;                 /* v1: memory.memsw.* exists */
	char tmp_opts[128];
	struct sock_fprog seccomp;
	char desc[64];
	/* a network namespace per box user, made once (a new namespace per
	 * box costs its set-up and an asynchronous clean-up every time) */
	pthread_mutex_t lock;
	struct { uid_t uid; int fd; } netns[256];
	int nnetns;
};

/* ---- cgroups ---- */

static int write_at(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX + 64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static bool has_words(const char *text, const char *const *words, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *p = text;
		size_t l = strlen(words[i]);
		bool found = false;

		while ((p = strstr(p, words[i]))) {
			if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
			    (p[l] == ' ' || p[l] == '\n' || !p[l])) {
				found = true;
				break;
			}
			p += l;
		}
		if (!found)
			return false;
	}
	return true;
}

/* Remove the box directories of a dead runtrace's parent, then it. */
static void sweep(const char *parent)
{
	struct dirent *de;
	char path[PATH_MAX + 256];
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "box-", 4)) {
			snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
			rmdir(path);
		}
	closedir(d);
	rmdir(parent);
}

static void sweep_stale(const char *dir)
{
	struct dirent *de;
	char path[PATH_MAX + 256];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid;

		if (sscanf(de->d_name, CG_PREFIX "%d", &pid) != 1 || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		sweep(path);
	}
	closedir(d);
}

static int make_parent(struct ps_boxes *b, int i, const char *dir)
{
	sweep_stale(dir);
	snprintf(b->parent[i], sizeof(b->parent[i]), "%s/" CG_PREFIX "%d", dir, getpid());
	if (mkdir(b->parent[i], 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* cgroup v2 with the memory, pids and cpu controllers. */
static int setup_v2(struct ps_boxes *b)
{
	static const char *const need[3] = { "memory", "pids", "cpu" };
	char mnt[PATH_MAX], path[PATH_MAX + 32], *text;
	int err;

	if (cg2_find_mount(mnt, sizeof(mnt)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	text = read_file_at(AT_FDCWD, path, 4096, NULL);
	if (!text)
		return -errno;
	err = has_words(text, need, 3) ? 0 : -ENOTSUP;
	free(text);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mnt);
	text = read_file_at(AT_FDCWD, path, 4096, NULL);
	if (text && !has_words(text, need, 3))
		write_at(mnt, "cgroup.subtree_control", "+memory +pids +cpu");
	free(text);
	err = make_parent(b, 0, mnt);
	if (!err)
		err = write_at(b->parent[0], "cgroup.subtree_control", "+memory +pids +cpu");
	if (err) {
		rmdir(b->parent[0]);
		return err;
	}
	b->v2 = true;
	b->ncg = 1;
	snprintf(b->desc, sizeof(b->desc), "cgroup v2 (memory, pids, cpu)");
	return 0;
}

/* The mount point of the v1 hierarchy of @ctrl and this process's cgroup
 * in it. */
static int v1_dir(const char *ctrl, char *out, size_t len)
{
	char *mi = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, NULL);
	char *cg = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, NULL);
	char mnt[PATH_MAX] = "", own[PATH_MAX] = "", *line, *save = NULL;
	const char *w[1] = { ctrl };
	int err = -ENOENT;

	if (!mi || !cg) {
		err = -errno;
		goto cleanup;
	}
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ... MOUNTPOINT ... - cgroup cgroup rw,memory */
		char mp[PATH_MAX], fstype[32], opts[512];
		const char *dash = strstr(line, " - ");
		char *o;

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(dash + 3, "%31s %*s %511s", fstype, opts) != 2 || strcmp(fstype, "cgroup"))
			continue;
		for (o = opts; *o; o++)
			if (*o == ',')
				*o = ' ';
		if (has_words(opts, w, 1)) {
			snprintf(mnt, sizeof(mnt), "%s", mp);
			break;
		}
	}
	save = NULL;
	for (line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* N:memory:/path or N:cpu,cpuacct:/path */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *o;

		if (!c2)
			continue;
		*c2 = '\0';
		for (o = c1 + 1; *o; o++)
			if (*o == ',')
				*o = ' ';
		if (has_words(c1 + 1, w, 1)) {
			snprintf(own, sizeof(own), "%s", c2 + 1);
			break;
		}
	}
	if (mnt[0] && own[0]) {
		snprintf(out, len, "%s%s", mnt, strcmp(own, "/") ? own : "");
		err = 0;
	}
cleanup:
	free(mi);
	free(cg);
	return err;
}

static int setup_v1(struct ps_boxes *b)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	int i, err;

	for (i = 0; i < 3; i++) {
		err = v1_dir(v1_controllers[i], dir, sizeof(dir));
		if (!err)
			err = make_parent(b, i, dir);
		if (err) {
			while (i-- > 0)
				rmdir(b->parent[i]);
			return err;
		}
		b->ctrl[i] = v1_controllers[i];
	}
	b->ncg = 3;
	snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", b->parent[0]);
	b->memsw = access(path, F_OK) == 0;
	snprintf(b->desc, sizeof(b->desc), "cgroup v1 (memory, pids, cpu)");
	return 0;
}

/* Set a new box's limits. */
static int set_limits(const struct ps_boxes *b, struct ps_box *box)
{
	const struct ps_box_limits *l = &b->lim;
	char v[64];
	int err;

	if (b->v2) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory);
		err = write_at(box->cgpath[0], "memory.max", v);
		if (!err)
			write_at(box->cgpath[0], "memory.swap.max", "0");
		if (!err)
			write_at(box->cgpath[0], "memory.oom.group", "1");
		snprintf(v, sizeof(v), "%u", l->pids);
		if (!err)
			err = write_at(box->cgpath[0], "pids.max", v);
		snprintf(v, sizeof(v), "%u 100000", l->cpu_pct * 1000);
		if (!err)
			err = write_at(box->cgpath[0], "cpu.max", v);
		return err;
	}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory);
	err = write_at(box->cgpath[0], "memory.limit_in_bytes", v);
	if (!err && b->memsw)
		err = write_at(box->cgpath[0], "memory.memsw.limit_in_bytes", v);
	snprintf(v, sizeof(v), "%u", l->pids);
	if (!err)
		err = write_at(box->cgpath[1], "pids.max", v);
	if (!err)
		err = write_at(box->cgpath[2], "cpu.cfs_period_us", "100000");
	snprintf(v, sizeof(v), "%u", l->cpu_pct * 1000);
	if (!err)
		err = write_at(box->cgpath[2], "cpu.cfs_quota_us", v);
	return err;
}

/* ---- seccomp ---- */

static const char *const denied_syscalls[] = {
	"socket", "ptrace", "process_vm_readv", "process_vm_writev", "bpf",
	"perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "unshare", "setns", "mount", "umount2", "pivot_root",
	"chroot", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
	"mount_setattr", "keyctl", "add_key", "request_key", "kexec_load",
	"kexec_file_load", "init_module", "finit_module", "delete_module", "acct",
	"swapon", "swapoff", "reboot", "syslog", "open_by_handle_at",
	"name_to_handle_at", "fanotify_init", "quotactl", "lookup_dcookie",
};

static const unsigned long ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC,
	CLONE_NEWUTS, CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */,
};

static int build_seccomp(struct sock_fprog *prog, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct stat st;
	size_t i;
	int fd = -1, ret = 0, nr;

	if (!ctx) {
		snprintf(err, errlen, "cannot build the seccomp filter");
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(denied_syscalls) && !ret; i++) {
		nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0);
	}
	/* clone3's flags are out of a filter's reach: glibc falls back to clone */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	for (i = 0; i < ARRAY_SIZE(ns_flags) && !ret; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	if (!ret) {
		fd = memfd_create("pystep-seccomp", MFD_CLOEXEC);
		ret = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	}
	if (!ret && fstat(fd, &st))
		ret = -errno;
	if (!ret) {
		void *buf = malloc(st.st_size);

		if (!buf || pread(fd, buf, st.st_size, 0) != st.st_size) {
			free(buf);
			ret = -EIO;
		} else {
			prog->filter = buf;
			prog->len = st.st_size / sizeof(struct sock_filter);
		}
	}
	if (ret)
		snprintf(err, errlen, "cannot build the seccomp filter: %s", strerror(-ret));
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}

/* ---- boxes ---- */

struct ps_boxes *ps_boxes__new(const struct ps_box_limits *lim, char *err, size_t errlen)
{
	struct ps_boxes *b = calloc(1, sizeof(*b));
	int ret;

	if (!b) {
		errno = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->lim = *lim;
	pthread_mutex_init(&b->lock, NULL);
	snprintf(b->tmp_opts, sizeof(b->tmp_opts), "size=%llu,mode=1777,nr_inodes=4096",
		 (unsigned long long)lim->tmp_size);
	if (setup_v2(b)) {
		ret = setup_v1(b);
		if (ret) {
			snprintf(err, errlen,
				 "no cgroup with the memory, pids and cpu controllers (v2 or v1): %s",
				 strerror(-ret));
			free(b);
			errno = -ret;
			return NULL;
		}
	}
	ret = build_seccomp(&b->seccomp, err, errlen);
	if (ret) {
		ps_boxes__free(b);
		errno = -ret;
		return NULL;
	}
	return b;
}

void ps_boxes__free(struct ps_boxes *b)
{
	int i;

	if (!b)
		return;
	/* the boxes' cgroups (kept from box to box of a user), then ours */
	for (i = 0; i < b->ncg; i++)
		sweep(b->parent[i]);
	for (i = 0; i < b->nnetns; i++)
		close(b->netns[i].fd);
	pthread_mutex_destroy(&b->lock);
	free(b->seccomp.filter);
	free(b);
}

const char *ps_boxes__cgroups(const struct ps_boxes *b)
{
	return b->desc;
}

/* The network namespace of @uid's boxes: a new one, empty (its loopback
 * down), made by this thread for a moment.  An fd, or -errno. */
static int netns_of(struct ps_boxes *b, uid_t uid)
{
	int i, fd = -1, own, err = 0;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->nnetns; i++)
		if (b->netns[i].uid == uid) {
			fd = b->netns[i].fd;
			goto out;
		}
	if (b->nnetns == (int)ARRAY_SIZE(b->netns)) {
		err = -ENOSPC;
		goto out;
	}
	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0) {
		err = -errno;
		goto out;
	}
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
	} else {
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = -errno;
		if (setns(own, CLONE_NEWNET)) {
			/* this thread cannot go back: it must not go on */
			rt_err("cannot return to the host's network namespace: %s", strerror(errno));
			abort();
		}
	}
	close(own);
	if (!err) {
		b->netns[b->nnetns].uid = uid;
		b->netns[b->nnetns++].fd = fd;
	}
out:
	pthread_mutex_unlock(&b->lock);
	return err ? err : fd;
}

/* In the child, after the release, before exec: async-signal-safe only. */
static int child_fail(const char *what)
{
	char msg[160];
	int e = errno, n;

	n = snprintf(msg, sizeof(msg), "runtrace: cannot set up the box: %s: errno %d\n", what, e);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		return -1;
	return -1;
}

static int set_rlimit(int res, __u64 v)
{
	struct rlimit rl = { .rlim_cur = v, .rlim_max = v };

	return setrlimit(res, &rl);
}

static int box_child(void *ctx)
{
	struct ps_box *box = ctx;
	const struct ps_boxes *b = box->owner;
	const struct ps_box_limits *l = &b->lim;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID };
	int src = box->child_fds[3];

	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS))
		return child_fail("unshare");
	if (setns(box->netns_fd, CLONE_NEWNET))
		return child_fail("network namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return child_fail("private mounts");
	/* everything read-only, then a writable /tmp of its own */
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)))
		return child_fail("read-only mounts");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, b->tmp_opts))
		return child_fail("/tmp");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible"))
		return child_fail("/proc");
	if (sethostname("pystep", 6))
		return child_fail("hostname");
	if (chdir("/tmp") || symlink("/proc/self/fd/3", PS_BOX_PROGRAM))
		return child_fail(PS_BOX_PROGRAM);
	if (src != 3 ? dup2(src, 3) < 0 : fcntl(3, F_SETFD, 0) < 0)
		return child_fail("fd 3");
	/* nothing of runtrace's: BPF objects, sockets, other jobs' pipes */
	if (close_range(4, ~0u, 0))
		return child_fail("close_range");
	if (setgroups(0, NULL) || setresgid(box->uid, box->uid, box->uid) ||
	    setresuid(box->uid, box->uid, box->uid))
		return child_fail("user");
	/* a change of credentials clears it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (set_rlimit(RLIMIT_AS, l->address_space) || set_rlimit(RLIMIT_NPROC, l->pids) ||
	    set_rlimit(RLIMIT_NOFILE, l->nofile) || set_rlimit(RLIMIT_FSIZE, l->file_size) ||
	    set_rlimit(RLIMIT_CPU, l->cpu_seconds) || set_rlimit(RLIMIT_CORE, 0))
		return child_fail("rlimits");
	umask(022);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return child_fail("no_new_privs");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &b->seccomp))
		return child_fail("seccomp");
	environ = box->env;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A file of the box's memory cgroup (v2: @v2, v1: @v1), or NULL. */
static char *memory_file(const struct ps_box *box, const char *v2, const char *v1)
{
	char path[PATH_MAX + 32];

	if (!box->cgpath[0][0])
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", box->cgpath[0], box->ncg == 1 ? v2 : v1);
	return read_file_at(AT_FDCWD, path, 4096, NULL);
}

/* The oom_kill count of the box's memory cgroup. */
static unsigned long long oom_kills(const struct ps_box *box)
{
	char *text = memory_file(box, "memory.events", "memory.oom_control"), *p;
	unsigned long long n = 0;

	if (!text)
		return 0;
	p = strstr(text, "oom_kill ");
	if (p)
		n = strtoull(p + 9, NULL, 10);
	free(text);
	return n;
}

int ps_box__start(struct ps_boxes *b, struct ps_box *box, uid_t uid, const char *python,
		  int (*ready)(void *ctx, pid_t pid), void *ctx)
{
	static const sigset_t empty;
	struct child_opts o = {0};
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 }, src[2] = { -1, -1 };
	char pidbuf[32];
	int i, err;

	bool made = false;

	memset(box, 0, sizeof(*box));
	box->owner = b;
	box->uid = uid;
	box->in_w = box->out_r = box->err_r = box->src_w = -1;
	box->child.pid = 0;
	box->child.go = box->child.pidfd = -1;
	/* its cgroups: its user's, made once (the last box of the user left
	 * them empty) */
	box->ncg = b->ncg;
	for (i = 0; i < b->ncg; i++) {
		snprintf(box->cgpath[i], sizeof(box->cgpath[i]), "%s/box-%u", b->parent[i],
			 (unsigned)uid);
		if (!mkdir(box->cgpath[i], 0755)) {
			made = true;
		} else if (errno != EEXIST) {
			err = -errno;
			rt_err("cannot create cgroup %s: %s", box->cgpath[i], strerror(-err));
			box->cgpath[i][0] = '\0';
			goto fail;
		}
	}
	err = made ? set_limits(b, box) : 0;
	if (err) {
		rt_err("cannot set the box's cgroup limits: %s", strerror(-err));
		goto fail;
	}
	box->oom_base = oom_kills(box);
	box->netns_fd = netns_of(b, uid);
	if (box->netns_fd < 0) {
		err = box->netns_fd;
		rt_err("cannot make a network namespace: %s", strerror(-err));
		goto fail;
	}
	/* its stdin, stdout, stderr and fd 3 (the source) */
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC) ||
	    pipe2(src, O_CLOEXEC)) {
		err = -errno;
		rt_err("cannot create a pipe: %s", strerror(-err));
		goto fail;
	}
	/* the interpreter opens it again as /proc/self/fd/3: its user's */
	if (fchown(src[0], uid, uid)) {
		err = -errno;
		rt_err("cannot give the source pipe to the box's user: %s", strerror(-err));
		goto fail;
	}
	box->in_w = in[1];
	box->out_r = out[0];
	box->err_r = er[0];
	box->src_w = src[1];
	box->child_fds[0] = in[0];
	box->child_fds[1] = out[1];
	box->child_fds[2] = er[1];
	box->child_fds[3] = src[0];
	fcntl(box->in_w, F_SETFL, O_NONBLOCK);
	fcntl(box->out_r, F_SETFL, O_NONBLOCK);
	fcntl(box->err_r, F_SETFL, O_NONBLOCK);
	fcntl(box->src_w, F_SETFL, O_NONBLOCK);
	box->env[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
	box->env[1] = "HOME=/tmp";
	box->env[2] = "TMPDIR=/tmp";
	box->env[3] = "LANG=C.UTF-8";
	box->env[4] = "PYTHONHASHSEED=0";
	box->env[5] = NULL;
	/* -u: every print reaches the pipe at once; -B: no .pyc; -s: no user
	 * site; -P: not the script's directory in sys.path */
	box->argv[0] = (char *)python;
	box->argv[1] = "-u";
	box->argv[2] = "-B";
	box->argv[3] = "-s";
	box->argv[4] = "-P";
	box->argv[5] = PS_BOX_PROGRAM;
	box->argv[6] = NULL;
	o.argv = box->argv;
	o.sigmask = &empty;
	o.fds[0] = in[0];
	o.fds[1] = out[1];
	o.fds[2] = er[1];
	o.own_pgrp = true;
	o.die_with_parent = true;
	o.in_child = box_child;
	o.ctx = box;
	err = child__fork(&box->child, &o);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&er[1]);
	close_fd(&src[0]);
	if (err)
		goto fail;
	snprintf(pidbuf, sizeof(pidbuf), "%d", box->child.pid);
	for (i = 0; i < box->ncg && !err; i++) {
		err = write_at(box->cgpath[i], "cgroup.procs", pidbuf);
		if (err)
			rt_err("cannot move %d into cgroup %s: %s", box->child.pid, box->cgpath[i],
			       strerror(-err));
	}
	if (!err && ready)
		err = ready(ctx, box->child.pid);
	if (!err)
		err = child__release(&box->child);
	if (err)
		goto fail;
	return 0;
fail:
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&er[1]);
	close_fd(&src[0]);
	ps_box__destroy(box);
	return err;
}

/* The pids of the box's cgroup, killed until none is left (forks race). */
static void kill_all(struct ps_box *box)
{
	int cg = box->ncg == 3 ? 1 : 0; /* v1: the pids hierarchy */
	int round;

	if (!box->cgpath[cg][0])
		return;
	if (box->ncg == 1 && write_at(box->cgpath[0], "cgroup.kill", "1") == 0)
		return;
	for (round = 0; round < 200; round++) {
		char path[PATH_MAX + 32], *procs, *p;
		bool any = false;

		snprintf(path, sizeof(path), "%s/cgroup.procs", box->cgpath[cg]);
		procs = read_file_at(AT_FDCWD, path, 1 << 20, NULL);
		if (!procs)
			return;
		for (p = procs; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			kill((pid_t)pid, SIGKILL);
			any = true;
			p = end + (*end == '\n');
		}
		free(procs);
		if (!any)
			return;
		usleep(round < 10 ? 100 : 1000);
	}
}

void ps_box__kill(struct ps_box *box)
{
	if (!box->owner)
		return;
	child__kill(&box->child, SIGKILL);
	kill_all(box);
}

bool ps_box__oom(const struct ps_box *box)
{
	return box->owner && oom_kills(box) > box->oom_base;
}

/* The box's memory use now, from its memory cgroup (0 if unknown). */
static unsigned long long memory_used(const struct ps_box *box)
{
	char *text = memory_file(box, "memory.current", "memory.usage_in_bytes");
	unsigned long long n;

	if (!text)
		return 0;
	n = strtoull(text, NULL, 10);
	free(text);
	return n;
}

bool ps_box__memory_full(const struct ps_box *box)
{
	unsigned long long limit;

	if (!box->owner)
		return false;
	limit = box->owner->lim.memory;
	return limit > PS_BOX_FULL_SLACK && memory_used(box) >= limit - PS_BOX_FULL_SLACK;
}

void ps_box__destroy(struct ps_box *box)
{
	if (!box->owner)
		return;
	/* every process of it (the cgroups stay, empty, for the user's next
	 * box) */
	ps_box__kill(box);
	if (box->child.pid > 0) {
		child__abort(&box->child);
		child__close(&box->child);
	}
	close_fd(&box->in_w);
	close_fd(&box->out_r);
	close_fd(&box->err_r);
	close_fd(&box->src_w);
	box->owner = NULL;
}
