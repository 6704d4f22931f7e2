/* A listening socket on the main loop: accept in batches, a cap on clients, pause when out of file
 * descriptors, and wait=on as an interruptible wait. */
#include "vmm/listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vmm/socket.h"

#define ACCEPT_BATCH 16 /* accept()s per wake-up: clients that come and go are reaped between */

struct listener {
	struct mainloop *loop;
	struct chardev_spec spec;
	struct listener_config cfg;
	listener_accept_fn fn;
	void *opaque;
	int fd, clients;
	struct watch *w;
	bool accepted; /* since listener_wait() began */
	char name[300];
};

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
	socket_describe(spec, l->name, sizeof(l->name));
	l->fd = socket_listen(spec, err, errlen);
	if (l->fd < 0) {
		free(l);
		return NULL;
	}
	l->w = mainloop_add_fd(loop, l->fd, EPOLLIN, on_listen, l);
	if (!l->w) {
		snprintf(err, errlen, "%s", strerror(errno));
		listener_close(l);
		return NULL;
	}
	return l;
}

bool listener_wait(struct listener *l)
{
	fprintf(stderr, "tinyvmm: waiting for connection on %s\n", l->name);
	l->accepted = false;
	return mainloop_run_until(l->loop, &l->accepted);
}

void listener_client_gone(struct listener *l)
{
	if (!l)
		return;
	if (l->clients > 0)
		l->clients--;
	update_events(l, false);
}

const char *listener_name(const struct listener *l)
{
	return l->name;
}

void listener_close(struct listener *l)
{
	if (!l)
		return;
	mainloop_remove(l->loop, l->w);
	if (l->fd >= 0) {
		close(l->fd);
		socket_cleanup(&l->spec);
	}
	free(l);
}
