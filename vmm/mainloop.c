/* The main loop: one epoll set of file descriptors, served on the main thread under the big lock.
 */
#include "vmm/mainloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct watch {
	int fd;
	watch_fn fn;
	void *opaque;
	bool removed;
	struct watch *next_removed;
};

struct mainloop {
	int epfd;
	bool quit;
	pthread_mutex_t *lock;
	struct watch *removed; /* freed after the current batch of events */
};

struct mainloop *mainloop_new(pthread_mutex_t *big_lock)
{
	struct mainloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->lock = big_lock;
	return loop;
}

static void free_removed(struct mainloop *loop)
{
	while (loop->removed) {
		struct watch *w = loop->removed;

		loop->removed = w->next_removed;
		free(w);
	}
}

void mainloop_free(struct mainloop *loop)
{
	if (!loop)
		return;
	free_removed(loop);
	close(loop->epfd);
	free(loop);
}

struct watch *mainloop_add_fd(struct mainloop *loop, int fd, uint32_t events, watch_fn fn,
			      void *opaque)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };

	if (!w)
		return NULL;
	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
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

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void mainloop_remove(struct mainloop *loop, struct watch *w)
{
	if (!w || w->removed)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->removed = true;
	w->next_removed = loop->removed;
	loop->removed = w;
}

void mainloop_run(struct mainloop *loop)
{
	struct epoll_event evs[64];

	loop->quit = false;
	while (!loop->quit) {
		int n, i;

		pthread_mutex_unlock(loop->lock);
		n = epoll_wait(loop->epfd, evs, 64, -1);
		pthread_mutex_lock(loop->lock);
		for (i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (!w->removed)
				w->fn(w->fd, evs[i].events, w->opaque);
		}
		free_removed(loop);
	}
}

void mainloop_quit(struct mainloop *loop)
{
	loop->quit = true;
}
