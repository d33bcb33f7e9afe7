// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "engine/loop.h"
#include "util/util.h"

struct handler {
	int fd;
	bool timer;   /* the loop owns fd: a timerfd */
	bool dead;    /* removed during a round: freed after it */
	loop_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	int sigfd;
	int stop_signal;
	sigset_t origmask;
	struct handler **h;  /* by slot; a slot is reused once freed */
	size_t n, cap;
	loop_fn on_signal;
	void *on_signal_ctx;
};

static int add_slot(struct loop *l, int fd, bool timer, loop_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct handler *h;
	size_t i;
	int err;

	for (i = 0; i < l->n && l->h[i]; i++)
		;
	if (i == l->n) {
		err = array_grow(&l->h, &l->cap, l->n, sizeof(*l->h), 16, 1 << 20);
		if (err)
			return err;
		l->h[l->n++] = NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	*h = (struct handler){ .fd = fd, .timer = timer, .fn = fn, .ctx = ctx };
	ev.data.u64 = i;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		free(h);
		return err;
	}
	l->h[i] = h;
	return (int)i;
}

struct loop *loop__new(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct loop *l;
	sigset_t mask;
	int err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = l->sigfd = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &l->origmask);
	sigaction(SIGPIPE, &ign, NULL);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->epfd < 0 || l->sigfd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = add_slot(l, l->sigfd, false, NULL, NULL);
	if (err < 0)
		goto cleanup;
	return l;

cleanup:
	loop__free(l);
	errno = -err;
	return NULL;
}

void loop__free(struct loop *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->h[i] && l->h[i]->timer)
			close(l->h[i]->fd);
		free(l->h[i]);
	}
	free(l->h);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
	/* the stop signals stay blocked: one arriving now must not kill
	 * runtrace before main returns its exit status */
	free(l);
}

int loop__add(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	int slot = add_slot(l, fd, false, fn, ctx);

	return slot < 0 ? slot : 0;
}

static void kill_slot(struct loop *l, size_t i)
{
	struct handler *h = l->h[i];

	epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	if (h->timer)
		close(h->fd);
	h->fd = -1;
	h->dead = true;
}

void loop__del(struct loop *l, int fd)
{
	size_t i;

	for (i = 1; i < l->n; i++)
		if (l->h[i] && !l->h[i]->dead && !l->h[i]->timer && l->h[i]->fd == fd)
			kill_slot(l, i);
}

int loop__timer(struct loop *l, __u64 first_ns, __u64 period_ns, loop_fn fn, void *ctx)
{
	struct itimerspec its = {
		.it_value = { first_ns / 1000000000, first_ns % 1000000000 },
		.it_interval = { period_ns / 1000000000, period_ns % 1000000000 },
	};
	int fd, slot, err;

	if (!first_ns)
		its.it_value.tv_nsec = 1; /* 0 would disarm it */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		err = -errno;
		close(fd);
		return err;
	}
	slot = add_slot(l, fd, true, fn, ctx);
	if (slot < 0)
		close(fd);
	return slot;
}

void loop__cancel(struct loop *l, int id)
{
	if (id > 0 && (size_t)id < l->n && l->h[id] && l->h[id]->timer && !l->h[id]->dead)
		kill_slot(l, id);
}

void loop__on_signal(struct loop *l, loop_fn fn, void *ctx)
{
	l->on_signal = fn;
	l->on_signal_ctx = ctx;
}

/* Read pending signals; the first one is the stop signal. */
static int read_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	bool first = false;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (!l->stop_signal) {
			l->stop_signal = si.ssi_signo;
			first = true;
		}
	}
	if (first && l->on_signal)
		return l->on_signal(l->on_signal_ctx);
	return 0;
}

int loop__wait(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[16];
	int n, i, err = 0;
	size_t k;

	n = epoll_wait(l->epfd, evs, ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n && !err; i++) {
		size_t slot = evs[i].data.u64;
		struct handler *h = slot < l->n ? l->h[slot] : NULL;
		__u64 ticks;

		if (!h || h->dead)
			continue;
		if (slot == 0) {
			err = read_signals(l);
			continue;
		}
		if (h->timer && read(h->fd, &ticks, sizeof(ticks)) < 0)
			continue;
		err = h->fn(h->ctx);
	}
	/* free what handlers removed during the round */
	for (k = 0; k < l->n; k++) {
		if (l->h[k] && l->h[k]->dead) {
			free(l->h[k]);
			l->h[k] = NULL;
		}
	}
	return err;
}

int loop__stop_signal(struct loop *l)
{
	read_signals(l);
	return l->stop_signal;
}

const sigset_t *loop__origmask(const struct loop *l)
{
	return &l->origmask;
}
