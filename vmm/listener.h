/* A listening socket on the main loop: accept in batches, a cap on clients, pause when out of file
 * descriptors, and wait=on as an interruptible wait; or the connection of a client spec. QMP, HMP
 * consoles, chardevs and pmemaccess all listen (or connect) through it. */
#ifndef VMM_LISTENER_H
#define VMM_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/chardev.h"
#include "vmm/mainloop.h"

struct listener;

/* A new client (a non-blocking, close-on-exec fd); returns false when it refused it (fd closed). */
typedef bool (*listener_accept_fn)(void *opaque, int fd);

struct listener_config {
	const char *what;    /* "QMP", "HMP", "-serial"...: for messages */
	int max_clients;     /* connected at once */
	bool hold_when_full; /* full: leave new clients in the backlog (QEMU's chardev) */
};

/*
 * Listens on spec's unix or tcp address (see socket_listen()); for a client spec (server=off)
 * connects instead, and hands the connection to fn from the main loop, as if accepted (with
 * reconnect=N: again N seconds after a failed attempt or a close). NULL with a message in err
 * (a client that cannot connect and has no reconnect=).
 */
struct listener *listener_open(struct mainloop *loop, const struct chardev_spec *spec,
			       const struct listener_config *cfg, listener_accept_fn fn,
			       void *opaque, char *err, size_t errlen);
/*
 * wait=on: serves the main loop until the first client is accepted (a signal that ends the
 * loop interrupts it: false). The caller holds the big lock.
 */
bool listener_wait(struct listener *l);
/* One of its clients has gone: room for another. */
void listener_client_gone(struct listener *l);
/* Clients connected now to the listener whose spec has this label; -1: no such listener. */
int listener_clients(const char *label);
/* Logs why one of its clients was dropped (why NULL: a plain close, not logged; l may be NULL). */
void listener_client_dropped(const struct listener *l, const char *why);
/* Stops listening and removes a unix socket's file. */
void listener_close(struct listener *l);

#endif
