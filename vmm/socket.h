/* Sockets given as unix:PATH or tcp:HOST:PORT: listening (servers) and connected (clients). */
#ifndef VMM_SOCKET_H
#define VMM_SOCKET_H

#include <stddef.h>

#include "vmm/chardev.h"

/*
 * Creates a listening, non-blocking, close-on-exec socket. A unix socket is
 * created mode 0600; a stale socket at its path is replaced, any other file
 * there (or a live socket) is refused. TCP binds to the host given, or
 * 127.0.0.1 when it is empty. Returns the fd, or -1 with a message in err.
 */
int socket_listen(const struct chardev_spec *spec, char *err, size_t errlen);
/*
 * Connects to a server (a blocking connect: quick for unix and a local peer), then makes the fd
 * non-blocking and close-on-exec. -1 with QEMU's message ("Failed to connect to ...") in err.
 */
int socket_connect(const struct chardev_spec *spec, char *err, size_t errlen);
/* Accepts one client as a non-blocking, close-on-exec fd; -1 on failure. */
int socket_accept(int listen_fd);
/* Removes a unix socket created by socket_listen (no-op for tcp). */
void socket_cleanup(const struct chardev_spec *spec);
/* Describes where a server listens, e.g. "unix:/tmp/qmp.sock" or "tcp:127.0.0.1:4444". */
void socket_describe(const struct chardev_spec *spec, char *buf, size_t len);

#endif
