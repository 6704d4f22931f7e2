/* Socket consoles (-monitor unix:/tcp:): plain text lines, several clients at once, bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hmp/hmp-int.h"
#include "vmm/chardev.h"
#include "vmm/mainloop.h"
#include "vmm/socket.h"

#define CONSOLE_MAX_CLIENTS 16
#define CONSOLE_OUT_MAX	    (16u << 20) /* a client that lets more pile up is dropped */

struct client {
	struct hmp_server *srv;
	int fd;
	struct watch *watch;
	struct hmp_session session;
	char line[HMP_LINE_MAX + 1];
	size_t len;
	bool too_long; /* discarding up to the next newline */
	bool skip_lf;  /* the last byte was '\r' */
	char *out;
	size_t out_len, out_cap;
};

struct hmp_server {
	struct chardev_spec spec;
	struct mainloop *loop;
	int listen_fd;
	struct watch *listen_watch;
	struct client *clients[CONSOLE_MAX_CLIENTS];
};

static void client_close(struct client *c)
{
	struct hmp_server *srv = c->srv;
	int i;

	for (i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		if (srv->clients[i] == c)
			srv->clients[i] = NULL;
	mainloop_remove(srv->loop, c->watch);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Sends what it can; false when the client is gone. */
static bool client_flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return false;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	mainloop_modify(c->srv->loop, c->watch, EPOLLIN | (c->out_len ? EPOLLOUT : 0));
	return true;
}

static bool client_queue(struct client *c, const char *s, size_t n)
{
	if (c->out_len + n > CONSOLE_OUT_MAX)
		return false;
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < c->out_len + n)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (!nb)
			return false;
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
	return true;
}

static bool client_puts(struct client *c, const char *s)
{
	return client_queue(c, s, strlen(s));
}

static bool run_line(struct client *c)
{
	char *text;
	bool ok;

	if (c->too_long) {
		c->too_long = false;
		return client_puts(c, HMP_TOO_LONG) && client_puts(c, HMP_PROMPT);
	}
	c->line[c->len] = '\0';
	c->len = 0;
	text = hmp_session_run(&c->session, c->line);
	ok = (!text || client_puts(c, text)) && client_puts(c, HMP_PROMPT);
	free(text);
	return ok;
}

/* Feeds input bytes; false when the client must be dropped. */
static bool client_input(struct client *c, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = buf[i];

		if (ch == '\n' && c->skip_lf) {
			c->skip_lf = false;
			continue;
		}
		c->skip_lf = ch == '\r';
		if (ch == '\n' || ch == '\r') {
			if (!run_line(c))
				return false;
		} else if (c->too_long) {
			continue; /* the rest of an over-long line */
		} else if (c->len < HMP_LINE_MAX) {
			c->line[c->len++] = ch;
		} else {
			c->too_long = true;
			c->len = 0;
		}
	}
	return true;
}

static void on_client(int fd, uint32_t events, void *opaque)
{
	struct client *c = opaque;
	char buf[4096];
	ssize_t n;

	if (events & EPOLLOUT && !client_flush(c)) {
		client_close(c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || !client_input(c, buf, (size_t)n) || !client_flush(c))
		client_close(c);
}

static void add_client(struct hmp_server *srv, int fd)
{
	struct client *c = NULL;
	int i;

	for (i = 0; i < CONSOLE_MAX_CLIENTS && srv->clients[i]; i++)
		;
	if (i < CONSOLE_MAX_CLIENTS)
		c = calloc(1, sizeof(*c));
	if (!c) {
		static const char busy[] = "too many monitor clients\r\n";

		send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->watch = mainloop_add_fd(srv->loop, fd, EPOLLIN, on_client, c);
	if (!c->watch) {
		close(fd);
		free(c);
		return;
	}
	srv->clients[i] = c;
	if (!client_puts(c, HMP_BANNER HMP_PROMPT) || !client_flush(c))
		client_close(c);
}

static void on_listen(int fd, uint32_t events, void *opaque)
{
	int cfd = socket_accept(fd);

	if (cfd >= 0)
		add_client(opaque, cfd);
}

struct hmp_server *hmp_server_new(const struct chardev_spec *spec, struct mainloop *loop)
{
	struct hmp_server *srv = calloc(1, sizeof(*srv));
	char err[256];

	if (!srv)
		return NULL;
	srv->spec = *spec;
	srv->loop = loop;
	srv->listen_fd = socket_listen(spec, err, sizeof(err));
	if (srv->listen_fd < 0) {
		fprintf(stderr, "tinyvmm: -monitor: %s\n", err);
		free(srv);
		return NULL;
	}
	srv->listen_watch = mainloop_add_fd(loop, srv->listen_fd, EPOLLIN, on_listen, srv);
	if (!srv->listen_watch) {
		fprintf(stderr, "tinyvmm: -monitor: %s\n", strerror(errno));
		close(srv->listen_fd);
		socket_cleanup(spec);
		free(srv);
		return NULL;
	}
	if (spec->wait) { /* as QEMU without wait=off: start once the first client is there */
		int flags = fcntl(srv->listen_fd, F_GETFL), cfd;

		socket_describe(spec, err, sizeof(err));
		fprintf(stderr, "tinyvmm: waiting for connection on %s\n", err);
		fcntl(srv->listen_fd, F_SETFL, flags & ~O_NONBLOCK);
		cfd = socket_accept(srv->listen_fd);
		fcntl(srv->listen_fd, F_SETFL, flags);
		if (cfd >= 0)
			add_client(srv, cfd);
	}
	return srv;
}

void hmp_server_free(struct hmp_server *srv)
{
	int i;

	if (!srv)
		return;
	for (i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		if (srv->clients[i])
			client_close(srv->clients[i]);
	mainloop_remove(srv->loop, srv->listen_watch);
	close(srv->listen_fd);
	socket_cleanup(&srv->spec);
	free(srv);
}
