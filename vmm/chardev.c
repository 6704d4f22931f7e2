/* Character backends (stdio, file, unix/tcp server, none) behind the serial port and consoles. */
#include "vmm/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/mainloop.h"
#include "vmm/socket.h"

#define CHR_MAX_CLIENTS 16

struct chardev {
	struct chardev_spec spec;
	struct mainloop *loop;
	int out_fd;    /* stdio or file; -1 otherwise */
	int in_fd;     /* stdio; -1 otherwise */
	int listen_fd; /* socket servers */
	struct watch *in_watch, *listen_watch;
	int client_fd[CHR_MAX_CLIENTS];
	struct watch *client_watch[CHR_MAX_CLIENTS];
	chardev_input_fn input;
	void *opaque;
	bool accepting;
	const struct chardev_mux *mux;
};

static struct termios saved_tty;
static bool tty_saved;

static void restore_tty(void)
{
	if (tty_saved)
		tcsetattr(0, TCSANOW, &saved_tty);
}

/* Raw input as QEMU's stdio backend: no echo, no line editing; ^C still signals. */
static void stdio_raw(void)
{
	struct termios t;

	if (tty_saved || !isatty(0) || tcgetattr(0, &saved_tty) < 0)
		return;
	tty_saved = true;
	atexit(restore_tty);
	t = saved_tty;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
}

static bool parse_onoff(const char *v, bool *out)
{
	if (!strcmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

/* ",server=on,wait=off" and the old ",server,nowait" */
static bool parse_socket_opts(char *opts, struct chardev_spec *spec, char *err, size_t errlen)
{
	char *tok, *save = NULL;

	spec->server = false;
	spec->wait = true;
	for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		bool ok = true;

		if (!strcmp(tok, "server"))
			spec->server = true;
		else if (!strcmp(tok, "nowait"))
			spec->wait = false;
		else if (eq && !strncmp(tok, "server=", 7))
			ok = parse_onoff(eq + 1, &spec->server);
		else if (eq && !strncmp(tok, "wait=", 5))
			ok = parse_onoff(eq + 1, &spec->wait);
		else {
			snprintf(err, errlen, "unknown socket option '%s'", tok);
			return false;
		}
		if (!ok) {
			snprintf(err, errlen, "option '%s' takes on or off", tok);
			return false;
		}
	}
	if (!spec->server) {
		snprintf(err, errlen, "only server sockets are supported (add server=on)");
		return false;
	}
	return true;
}

static bool parse_socket(const char *rest, struct chardev_spec *spec, char *err, size_t errlen)
{
	char buf[512];
	char *comma;

	if (strlen(rest) >= sizeof(buf)) {
		snprintf(err, errlen, "socket address too long");
		return false;
	}
	strcpy(buf, rest);
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (spec->kind == CHR_UNIX) {
		if (!buf[0] || strlen(buf) >= sizeof(spec->path)) {
			snprintf(err, errlen, "unix socket path must be 1 to %zu bytes",
				 sizeof(spec->path) - 1);
			return false;
		}
		strcpy(spec->path, buf);
	} else {
		char *colon = strrchr(buf, ':');
		char *end;
		unsigned long port;

		if (!colon) {
			snprintf(err, errlen, "tcp address must be HOST:PORT");
			return false;
		}
		*colon = '\0';
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || errno || port == 0 || port > 65535) {
			snprintf(err, errlen, "invalid tcp port '%s'", colon + 1);
			return false;
		}
		if (strlen(buf) >= sizeof(spec->host)) {
			snprintf(err, errlen, "tcp host too long");
			return false;
		}
		strcpy(spec->host, buf);
		spec->port = (uint16_t)port;
	}
	return parse_socket_opts(comma ? comma : buf + strlen(buf), spec, err, errlen);
}

bool chardev_parse(const char *s, struct chardev_spec *spec, char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	if (!strcmp(s, "none") || !strcmp(s, "null")) {
		spec->kind = CHR_NONE;
		return true;
	}
	if (!strcmp(s, "stdio")) {
		spec->kind = CHR_STDIO;
		return true;
	}
	if (!strcmp(s, "mon:stdio")) {
		spec->kind = CHR_MON_STDIO;
		return true;
	}
	if (!strncmp(s, "file:", 5)) {
		spec->kind = CHR_FILE;
		if (!s[5] || strlen(s + 5) >= sizeof(spec->path)) {
			snprintf(err, errlen, "file path must be 1 to %zu bytes",
				 sizeof(spec->path) - 1);
			return false;
		}
		strcpy(spec->path, s + 5);
		return true;
	}
	if (!strncmp(s, "unix:", 5)) {
		spec->kind = CHR_UNIX;
		return parse_socket(s + 5, spec, err, errlen);
	}
	if (!strncmp(s, "tcp:", 4)) {
		spec->kind = CHR_TCP;
		return parse_socket(s + 4, spec, err, errlen);
	}
	snprintf(err, errlen,
		 "unknown backend '%s' (stdio, file:PATH, unix:PATH,server=on,"
		 "wait=off, tcp:HOST:PORT,server=on,wait=off or none)",
		 s);
	return false;
}

static void close_client(struct chardev *c, int i)
{
	mainloop_remove(c->loop, c->client_watch[i]);
	close(c->client_fd[i]);
	c->client_fd[i] = -1;
	c->client_watch[i] = NULL;
}

static void deliver(struct chardev *c, int fd, int client)
{
	uint8_t buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0) {
		if (c->mux)
			c->mux->input(c->mux->opaque, buf, (size_t)n);
		else if (c->input)
			c->input(c->opaque, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (client >= 0) {
		close_client(c, client);
	} else { /* stdin closed: stop watching it */
		mainloop_remove(c->loop, c->in_watch);
		c->in_watch = NULL;
	}
}

static void on_client(int fd, uint32_t events, void *opaque)
{
	struct chardev *c = opaque;
	int i;

	for (i = 0; i < CHR_MAX_CLIENTS; i++)
		if (c->client_fd[i] == fd)
			break;
	if (i < CHR_MAX_CLIENTS)
		deliver(c, fd, i);
}

static void on_stdin(int fd, uint32_t events, void *opaque)
{
	deliver(opaque, fd, -1);
}

static void add_client(struct chardev *c, int fd)
{
	int i;

	for (i = 0; i < CHR_MAX_CLIENTS; i++) {
		if (c->client_fd[i] < 0) {
			c->client_watch[i] = mainloop_add_fd(c->loop, fd, EPOLLIN, on_client, c);
			if (!c->client_watch[i])
				break;
			c->client_fd[i] = fd;
			return;
		}
	}
	close(fd);
}

static void on_listen(int fd, uint32_t events, void *opaque)
{
	int cfd = socket_accept(fd);

	if (cfd >= 0)
		add_client(opaque, cfd);
}

struct chardev *chardev_open(const struct chardev_spec *spec, struct mainloop *loop, char *err,
			     size_t errlen)
{
	struct chardev *c = calloc(1, sizeof(*c));
	int i;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->spec = *spec;
	c->loop = loop;
	c->out_fd = c->in_fd = c->listen_fd = -1;
	c->accepting = true;
	for (i = 0; i < CHR_MAX_CLIENTS; i++)
		c->client_fd[i] = -1;
	switch (spec->kind) {
	case CHR_NONE:
		break;
	case CHR_STDIO:
	case CHR_MON_STDIO:
		c->out_fd = 1;
		c->in_fd = 0;
		stdio_raw();
		c->in_watch = mainloop_add_fd(loop, 0, EPOLLIN, on_stdin, c);
		/* stdin may be a regular file or /dev/null, which epoll refuses */
		break;
	case CHR_FILE:
		c->out_fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			snprintf(err, errlen, "cannot open '%s': %s", spec->path, strerror(errno));
			free(c);
			return NULL;
		}
		break;
	case CHR_UNIX:
	case CHR_TCP:
		c->listen_fd = socket_listen(spec, err, errlen);
		if (c->listen_fd < 0) {
			free(c);
			return NULL;
		}
		if (spec->wait) {
			char where[300];
			int flags = fcntl(c->listen_fd, F_GETFL);
			int cfd;

			socket_describe(spec, where, sizeof(where));
			fprintf(stderr, "tinyvmm: waiting for connection on %s\n", where);
			fcntl(c->listen_fd, F_SETFL, flags & ~O_NONBLOCK);
			cfd = socket_accept(c->listen_fd);
			fcntl(c->listen_fd, F_SETFL, flags);
			if (cfd >= 0)
				add_client(c, cfd);
		}
		c->listen_watch = mainloop_add_fd(loop, c->listen_fd, EPOLLIN, on_listen, c);
		break;
	}
	return c;
}

void chardev_set_input(struct chardev *c, chardev_input_fn fn, void *opaque)
{
	c->input = fn;
	c->opaque = opaque;
}

void chardev_accept_input(struct chardev *c, bool on)
{
	int i;

	if (c->mux) {
		c->mux->accept(c->mux->opaque, on);
		return;
	}
	if (c->accepting == on)
		return;
	c->accepting = on;
	if (c->in_watch)
		mainloop_modify(c->loop, c->in_watch, on ? EPOLLIN : 0);
	for (i = 0; i < CHR_MAX_CLIENTS; i++)
		if (c->client_watch[i])
			mainloop_modify(c->loop, c->client_watch[i], on ? EPOLLIN : 0);
}

void chardev_write(struct chardev *c, const void *buf, size_t len)
{
	if (c && c->mux)
		c->mux->output(c->mux->opaque, buf, len);
	else
		chardev_backend_write(c, buf, len);
}

void chardev_set_mux(struct chardev *c, const struct chardev_mux *mux)
{
	c->mux = NULL;
	chardev_accept_input(c, true); /* under a mux the backend always reads; the mux buffers */
	c->mux = mux;
}

void chardev_frontend_input(struct chardev *c, const uint8_t *buf, size_t len)
{
	if (c->input)
		c->input(c->opaque, buf, len);
}

void chardev_backend_write(struct chardev *c, const void *buf, size_t len)
{
	int i;

	if (!c)
		return;
	if (c->out_fd >= 0) {
		const char *p = buf;

		while (len) {
			ssize_t n = write(c->out_fd, p, len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			p += n;
			len -= (size_t)n;
		}
		return;
	}
	for (i = 0; i < CHR_MAX_CLIENTS; i++) {
		if (c->client_fd[i] < 0)
			continue;
		/* a client that does not read loses output; it never stalls the guest */
		if (send(c->client_fd[i], buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			close_client(c, i);
	}
}

void chardev_close(struct chardev *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < CHR_MAX_CLIENTS; i++)
		if (c->client_fd[i] >= 0)
			close_client(c, i);
	if (c->in_watch)
		mainloop_remove(c->loop, c->in_watch);
	if (c->listen_fd >= 0) {
		mainloop_remove(c->loop, c->listen_watch);
		close(c->listen_fd);
		socket_cleanup(&c->spec);
	}
	if (c->out_fd > 2)
		close(c->out_fd);
	if (c->spec.kind == CHR_STDIO || c->spec.kind == CHR_MON_STDIO)
		restore_tty();
	free(c);
}
