/* The main loop: epoll over fds and timers, and work deferred until it sleeps (main thread). */
#include "vmm/mainloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct watch {
	int fd;
	uint32_t events; /* 0: not in the epoll set, so a hung-up fd cannot wake the loop */
	watch_fn fn;
	void *opaque;
	bool removed, timer;
	struct watch *next_removed;
};

struct mainloop {
	int epfd, wake_fd;
	bool quit;
	pthread_t thread; /* the thread in mainloop_run */
	pthread_mutex_t *lock;
	struct watch *removed; /* freed after the current batch of events */
	struct watch *wake_watch;
	struct mainloop_soon *soon; /* run before the loop sleeps again */
};

static void on_wake(int fd, uint32_t events, void *opaque)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: another wake-up got it first */
	}
}

struct mainloop *mainloop_new(pthread_mutex_t *big_lock)
{
	struct mainloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->lock = big_lock;
	loop->thread = pthread_self();
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->epfd >= 0 && loop->wake_fd >= 0)
		loop->wake_watch = mainloop_add_fd(loop, loop->wake_fd, EPOLLIN, on_wake, NULL);
	if (!loop->wake_watch) {
		mainloop_free(loop);
		return NULL;
	}
	return loop;
}

static void free_removed(struct mainloop *loop)
{
	while (loop->removed) {
		struct watch *w = loop->removed;

		loop->removed = w->next_removed;
		if (w->timer)
			close(w->fd);
		free(w);
	}
}

void mainloop_free(struct mainloop *loop)
{
	if (!loop)
		return;
	mainloop_remove(loop, loop->wake_watch);
	free_removed(loop);
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	free(loop);
}

struct watch *mainloop_add_fd(struct mainloop *loop, int fd, uint32_t events, watch_fn fn,
			      void *opaque)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	if (mainloop_modify(loop, w, events) < 0) {
		int e = errno;

		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

int mainloop_modify(struct mainloop *loop, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	int op = !w->events ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;

	if (w->removed || events == w->events)
		return 0;
	if (epoll_ctl(loop->epfd, op, w->fd, &ev) < 0)
		return -1;
	w->events = events;
	return 0;
}

void mainloop_remove(struct mainloop *loop, struct watch *w)
{
	if (!w || w->removed)
		return;
	mainloop_modify(loop, w, 0);
	w->removed = true;
	w->next_removed = loop->removed;
	loop->removed = w;
}

struct watch *mainloop_add_timer(struct mainloop *loop, unsigned ms, watch_fn fn, void *opaque)
{
	struct itimerspec its = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000L + 1 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct watch *w = NULL;

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL) == 0)
		w = mainloop_add_fd(loop, fd, EPOLLIN, fn, opaque);
	if (!w) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	w->timer = true; /* mainloop_remove() closes its fd */
	return w;
}

/* From another thread: the loop leaves epoll_wait and looks at its work again. */
static void wake(struct mainloop *loop)
{
	uint64_t one = 1;

	if (!pthread_equal(pthread_self(), loop->thread) &&
	    write(loop->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, so the loop wakes anyway */
	}
}

void mainloop_soon(struct mainloop *loop, struct mainloop_soon *s)
{
	if (s->queued)
		return;
	s->queued = true;
	s->next = loop->soon;
	loop->soon = s;
	wake(loop);
}

void mainloop_soon_cancel(struct mainloop *loop, struct mainloop_soon *s)
{
	struct mainloop_soon **p = &loop->soon;

	if (!s->queued)
		return; /* queued is true exactly while s is in the list */
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	s->queued = false;
}

/* Runs the deferred work, including what it defers in turn. */
static void run_soon(struct mainloop *loop)
{
	while (loop->soon) {
		struct mainloop_soon *s = loop->soon;

		loop->soon = s->next;
		s->queued = false;
		s->fn(s);
	}
}

bool mainloop_run_until(struct mainloop *loop, bool (*done)(void *opaque), void *opaque)
{
	struct epoll_event evs[64];

	loop->thread = pthread_self();
	loop->quit = false;
	while (!loop->quit && !(done && done(opaque))) {
		int n, i;

		run_soon(loop);
		if (loop->quit || (done && done(opaque)))
			break;
		pthread_mutex_unlock(loop->lock);
		n = epoll_wait(loop->epfd, evs, 64, -1);
		pthread_mutex_lock(loop->lock);
		for (i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (w->removed)
				continue;
			if (w->timer) { /* a one-shot timer fires once, then stays quiet */
				mainloop_modify(loop, w, 0);
				w->fn(-1, 0, w->opaque);
			} else {
				w->fn(w->fd, evs[i].events, w->opaque);
			}
		}
		free_removed(loop);
	}
	run_soon(loop);
	return !loop->quit;
}

void mainloop_run(struct mainloop *loop)
{
	mainloop_run_until(loop, NULL, NULL);
}

void mainloop_quit(struct mainloop *loop)
{
	loop->quit = true;
	wake(loop);
}

bool mainloop_quitting(const struct mainloop *loop)
{
	return loop->quit;
}
