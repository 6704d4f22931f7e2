/* Sockets given as unix:PATH or tcp:HOST:PORT: listening (servers) and connected (clients). */
#include "vmm/socket.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A socket file nobody listens on may be replaced; anything else may not. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "'%s' exists and is not a socket; refusing to replace it",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "'%s' is in use by another server", path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale socket '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_unix(const struct chardev_spec *spec, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int fd, r;

	if (clear_stale_socket(spec->path, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, spec->path, strlen(spec->path) + 1);
	old_mask = umask(0177); /* the socket file is created mode 0600 */
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (r < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "cannot listen on '%s': %s", spec->path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A TCP socket listening (server) or connected on spec's host and port; -1 with a message (the
 * last address's failure). */
static int tcp_socket(const struct chardev_spec *spec, bool server, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = server ? AI_PASSIVE : 0 };
	struct addrinfo *res, *ai;
	const char *host = spec->host[0] ? spec->host : "127.0.0.1";
	char port[8];
	int fd = -1, one = 1, r;

	snprintf(port, sizeof(port), "%u", spec->port);
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		if (server)
			snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(r));
		else
			snprintf(err, errlen, "address resolution failed for %s:%s: %s", host, port,
				 gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_CLOEXEC | (server ? SOCK_NONBLOCK : 0), 0);
		if (fd >= 0 && server)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd >= 0 &&
		    (server ? bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0
			    : connect(fd, ai->ai_addr, ai->ai_addrlen) == 0))
			break;
		snprintf(err, errlen,
			 server ? "cannot listen on %s:%s: %s" : "Failed to connect to '%s:%s': %s",
			 host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* fd=N: an inherited socket, listening (server=on) or connected as spec says. */
static int inherited(const struct chardev_spec *spec, char *err, size_t errlen)
{
	int listening = 0;
	socklen_t len = sizeof(listening);
	struct stat st;

	if (fstat(spec->fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "File descriptor '%d' is not a socket", spec->fd);
		return -1;
	}
	getsockopt(spec->fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
	if (!listening != !spec->server) {
		snprintf(err, errlen, "File descriptor '%d' is %s listening socket (server=%s)",
			 spec->fd, listening ? "a" : "not a", spec->server ? "on" : "off");
		return -1;
	}
	fcntl(spec->fd, F_SETFD, FD_CLOEXEC);
	fcntl(spec->fd, F_SETFL, fcntl(spec->fd, F_GETFL) | O_NONBLOCK);
	return spec->fd;
}

int socket_listen(const struct chardev_spec *spec, char *err, size_t errlen)
{
	if (spec->fd >= 0)
		return inherited(spec, err, errlen);
	if (spec->kind == CHR_UNIX)
		return listen_unix(spec, err, errlen);
	if (spec->kind == CHR_TCP)
		return tcp_socket(spec, true, err, errlen);
	snprintf(err, errlen, "not a socket backend");
	return -1;
}

/* A connected socket (blocking) to a unix or tcp spec; -1 with a message. */
static int connect_fd(const struct chardev_spec *spec, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (spec->kind != CHR_UNIX)
		return tcp_socket(spec, false, err, errlen);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, spec->path, strlen(spec->path) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	snprintf(err, errlen, "Failed to connect to '%s': %s", spec->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int socket_connect(const struct chardev_spec *spec, char *err, size_t errlen)
{
	int fd = spec->fd >= 0 ? inherited(spec, err, errlen) : connect_fd(spec, err, errlen);
	int one = 1;

	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
	return fd;
}

int socket_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;

	if (fd >= 0) /* TCP_NODELAY fails on unix: fine */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

void socket_cleanup(const struct chardev_spec *spec)
{
	if (spec->kind == CHR_UNIX && spec->path[0])
		unlink(spec->path);
}

void socket_describe(const struct chardev_spec *spec, char *buf, size_t len)
{
	if (spec->fd >= 0)
		snprintf(buf, len, "fd:%d", spec->fd);
	else if (spec->kind == CHR_UNIX)
		snprintf(buf, len, "unix:%s", spec->path);
	else
		snprintf(buf, len, "tcp:%s:%u", spec->host[0] ? spec->host : "127.0.0.1",
			 spec->port);
}
