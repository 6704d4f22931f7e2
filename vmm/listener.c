/* A listening socket on the main loop: accept in batches, a cap on clients, pause when out of file
 * descriptors, and wait=on as an interruptible wait; or, for a client spec, the one connection it
 * makes (again after reconnect= seconds when it fails or closes). */
#include "vmm/listener.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vmm/socket.h"

#define ACCEPT_BATCH 16 /* accept()s per wake-up: clients that come and go are reaped between */

struct listener {
	struct listener *next; /* every open listener, for listener_clients() */
	struct mainloop *loop;
	struct chardev_spec spec;
	struct listener_config cfg;
	listener_accept_fn fn;
	void *opaque;
	int fd, clients;
	struct watch *w;
	/* a client spec: the connection made, handed over by the main loop; the retry timer */
	int connected;
	struct mainloop_soon hand_over;
	struct watch *retry;
	bool accepted; /* since listener_wait() began */
	char name[300];
};

static struct listener *all;

int listener_clients(const char *label)
{
	const struct listener *l;

	for (l = all; l; l = l->next)
		if (label[0] && !strcmp(l->spec.label, label))
			return l->clients;
	return -1;
}

static void update_events(struct listener *l, bool out_of_fds)
{
	bool full = l->clients >= l->cfg.max_clients && l->cfg.hold_when_full;

	mainloop_modify(l->loop, l->w, full || out_of_fds ? 0 : EPOLLIN);
}

static void on_listen(int fd, uint32_t events, void *opaque)
{
	struct listener *l = opaque;
	int n;

	for (n = 0; n < ACCEPT_BATCH; n++) {
		int cfd;

		if (l->clients >= l->cfg.max_clients && l->cfg.hold_when_full)
			break;
		cfd = socket_accept(fd);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				fprintf(stderr,
					"tinyvmm: %s on %s: cannot accept: %s (retrying when a "
					"client leaves)\n",
					l->cfg.what, l->name, strerror(errno));
				update_events(l, true);
				return;
			}
			break;
		}
		if (l->clients >= l->cfg.max_clients) {
			fprintf(stderr, "tinyvmm: %s on %s: client refused: %d clients already\n",
				l->cfg.what, l->name, l->clients);
			close(cfd);
			continue;
		}
		if (l->fn(l->opaque, cfd)) {
			l->clients++;
			l->accepted = true;
		}
	}
	update_events(l, false);
}

static struct listener *of_soon(struct mainloop_soon *s)
{
	return (struct listener *)((char *)s - offsetof(struct listener, hand_over));
}

static void on_hand_over(struct mainloop_soon *soon)
{
	struct listener *l = of_soon(soon);
	int fd = l->connected;

	l->connected = -1;
	if (fd >= 0 && l->fn(l->opaque, fd)) {
		l->clients++;
		l->accepted = true;
	}
}

static void on_retry(int fd, uint32_t events, void *opaque);

/* Connects; on failure retries in reconnect= seconds (false when there is no retry). */
static bool dial(struct listener *l, char *err, size_t errlen)
{
	l->connected = socket_connect(&l->spec, err, errlen);
	if (l->connected >= 0) {
		mainloop_soon(l->loop, &l->hand_over); /* once the caller has the listener */
		return true;
	}
	if (!l->spec.reconnect)
		return false;
	mainloop_remove(l->loop, l->retry);
	l->retry = mainloop_add_timer(l->loop, l->spec.reconnect * 1000, on_retry, l);
	return l->retry != NULL;
}

static void on_retry(int fd, uint32_t events, void *opaque)
{
	struct listener *l = opaque;
	char err[300];

	mainloop_remove(l->loop, l->retry);
	l->retry = NULL;
	if (!dial(l, err, sizeof(err)))
		fprintf(stderr, "tinyvmm: %s: %s\n", l->cfg.what, err);
}

struct listener *listener_open(struct mainloop *loop, const struct chardev_spec *spec,
			       const struct listener_config *cfg, listener_accept_fn fn,
			       void *opaque, char *err, size_t errlen)
{
	struct listener *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->loop = loop;
	l->spec = *spec;
	l->cfg = *cfg;
	l->fn = fn;
	l->opaque = opaque;
	l->connected = -1;
	l->hand_over.fn = on_hand_over;
	socket_describe(spec, l->name, sizeof(l->name));
	l->fd = spec->server ? socket_listen(spec, err, errlen) : -1;
	if (spec->server ? l->fd < 0 : !dial(l, err, errlen)) {
		free(l);
		return NULL;
	}
	if (l->fd >= 0 && !(l->w = mainloop_add_fd(loop, l->fd, EPOLLIN, on_listen, l))) {
		snprintf(err, errlen, "%s", strerror(errno));
		listener_close(l);
		return NULL;
	}
	l->next = all;
	all = l;
	return l;
}

static bool accepted(void *opaque)
{
	return ((struct listener *)opaque)->accepted;
}

bool listener_wait(struct listener *l)
{
	if (l->fd < 0)
		return true; /* a client: it connected already */
	fprintf(stderr, "tinyvmm: waiting for connection on %s\n", l->name);
	l->accepted = false;
	return mainloop_run_until(l->loop, accepted, l);
}

void listener_client_gone(struct listener *l)
{
	char err[300];

	if (!l)
		return;
	if (l->clients > 0)
		l->clients--;
	if (l->fd >= 0)
		update_events(l, false);
	else if (l->spec.reconnect && !dial(l, err, sizeof(err)))
		fprintf(stderr, "tinyvmm: %s: %s\n", l->cfg.what, err);
}

void listener_client_dropped(const struct listener *l, const char *why)
{
	if (why)
		fprintf(stderr, "tinyvmm: %s client on %s dropped: %s\n", l ? l->cfg.what : "a",
			l ? l->name : "a closed listener", why);
}

void listener_close(struct listener *l)
{
	struct listener **p;

	if (!l)
		return;
	for (p = &all; *p; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			break;
		}
	}
	mainloop_soon_cancel(l->loop, &l->hand_over);
	mainloop_remove(l->loop, l->retry);
	if (l->connected >= 0)
		close(l->connected);
	mainloop_remove(l->loop, l->w);
	if (l->fd >= 0) {
		close(l->fd);
		socket_cleanup(&l->spec);
	}
	free(l);
}
